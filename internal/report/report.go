// Package report prints what `runwatch status` says: one JSON object or a
// table of the newest executions, and the regions that did not answer.
//
// One function, Print, prints it whether the snapshot came from the running
// app (over internal/ipc) or from a refresh of the status command's own.
// It imports the poller's types and nothing of a toolkit.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"runwatch/poller"
)

// Execution is one execution in `status --json`.
type Execution struct {
	Project   string  `json:"project"`
	Job       string  `json:"job"`
	Region    string  `json:"region"`
	Name      string  `json:"name"`
	Resource  string  `json:"resource"`
	State     string  `json:"state"`
	Created   *string `json:"created"`
	Started   *string `json:"started"`
	Completed *string `json:"completed"`
	Duration  float64 `json:"duration_s"`
	Error     string  `json:"error"`
	Category  string  `json:"category"`
	LogURI    string  `json:"log_uri"`
	// Fingerprint groups failures with the same kind of error ("" when no
	// error is known); Occurrences counts the remembered failures of the job
	// sharing it, itself included.
	Fingerprint  string `json:"fingerprint"`
	Occurrences  int    `json:"occurrences"`
	Acknowledged bool   `json:"acknowledged"`
	// Stale: its region did not answer; this is its last known listing.
	Stale bool `json:"stale"`
	// Cloud Run's own reason: the first failed task's exit code or signal
	// and index, the condition's reason enum; Source says where Error came
	// from ("logs" or "cloud_run").
	ExitCode  *int32 `json:"exit_code"`
	Signal    string `json:"signal"`
	TaskIndex *int32 `json:"task_index"`
	Reason    string `json:"reason"`
	Source    string `json:"source"`
}

// Job is one watched job's state in `status --json`: its last finished
// execution over its regions (with its error when it failed), how many
// regions' last finished execution failed, and whether one runs.
type Job struct {
	Project        string     `json:"project"`
	Job            string     `json:"job"`
	State          string     `json:"state"`
	FailingRegions int        `json:"failing_regions"`
	Running        bool       `json:"running"`
	Last           *Execution `json:"last"`
}

// Output is the one object `status --json` prints.
type Output struct {
	RefreshedAt  string            `json:"refreshed_at"`
	Executions   []Execution       `json:"executions"`
	Jobs         []Job             `json:"jobs"`
	MissingJobs  []string          `json:"missing_jobs"`
	RegionErrors map[string]string `json:"region_errors"`
}

// Print writes the snapshot to stdout, as JSON or as a table, and each
// region that did not answer to stderr, each line starting with command.
// It returns the exit code: 1 when no region answered, when Cloud Run does
// not know a job named (or the output could not be written), else 0.
func Print(stdout, stderr io.Writer, command string, snap poller.Snapshot, asJSON bool) int {
	for _, region := range slices.Sorted(maps.Keys(snap.RegionErrors)) {
		fmt.Fprintf(stderr, "%s: %s\n", command, snap.RegionErrors[region])
	}
	if asJSON {
		if err := json.NewEncoder(stdout).Encode(JSON(snap)); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", command, err)
			return 1
		}
	} else {
		Table(stdout, snap)
	}
	if NoneAnswered(snap) {
		fmt.Fprintf(stderr, "%s: no region answered (%s asked)\n", command, Count(snap.PlacesAsked(), "region"))
		return 1
	}
	if snap.JobMissing {
		// A mistyped job is a failure to watch anything, as no region is.
		fmt.Fprintf(stderr, "%s: %s\n", command, snap.NoExecutions())
		return 1
	}
	if len(snap.MissingJobs) > 0 {
		// Some of the jobs named do not exist: a mistyped one among them.
		for _, j := range snap.MissingJobs {
			fmt.Fprintf(stderr, "%s: No job %s in %s\n", command, j.Job, j.Project)
		}
		return 1
	}
	return 0
}

// Count says n things, "1 region" or "18 regions" (plural: noun+"s").
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// NoneAnswered reports whether no region answered the refresh.
func NoneAnswered(snap poller.Snapshot) bool { return snap.NoneAnswered() }

// JSON returns the snapshot as `status --json` prints it.
func JSON(snap poller.Snapshot) Output {
	out := Output{
		RefreshedAt:  snap.TakenAt.UTC().Format(time.RFC3339),
		Executions:   []Execution{},
		Jobs:         []Job{},
		MissingJobs:  []string{},
		RegionErrors: snap.RegionErrors,
	}
	for _, e := range snap.Executions {
		out.Executions = append(out.Executions, executionJSON(e, snap.TakenAt))
	}
	for _, j := range snap.Jobs {
		x := Job{Project: j.Project, Job: j.Job, FailingRegions: j.FailingIn, Running: j.Running}
		if j.Last.Resource != "" {
			last := executionJSON(j.Last, snap.TakenAt)
			x.State, x.Last = string(j.Last.State), &last
		}
		out.Jobs = append(out.Jobs, x)
	}
	for _, j := range snap.MissingJobs {
		out.MissingJobs = append(out.MissingJobs, j.String())
	}
	return out
}

// executionJSON is one execution as `status --json` prints it.
func executionJSON(e poller.Execution, now time.Time) Execution {
	x := Execution{
		Project: e.Project, Job: e.Job, Region: e.Region, Name: e.Name, Resource: e.Resource, State: string(e.State),
		Created: rfc3339(e.Created), Started: rfc3339(e.Started), Completed: rfc3339(e.Completed),
		Duration: e.Duration(now).Seconds(), LogURI: e.LogURI,
	}
	if e.State == poller.StateFailed {
		x.Error, x.Category = e.Error, e.Category
		x.Fingerprint, x.Acknowledged = e.Fingerprint, e.Acknowledged
		if e.Fingerprint != "" {
			x.Occurrences = e.Occurrences
		}
		x.Source = e.Source
		if cr := e.CloudRun; cr != nil {
			x.ExitCode, x.Signal, x.TaskIndex, x.Reason = cr.ExitCode, cr.Signal, cr.TaskIndex, cr.Reason
		}
	}
	x.Stale = e.Stale
	return x
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// Table writes the snapshot as a table, one execution a line.
func Table(w io.Writer, snap poller.Snapshot) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(snap.Executions) > 0 {
		fmt.Fprintln(tw, "REGION\tJOB\tEXECUTION\tSTATE\tAGE\tDURATION\tERROR")
	}
	for _, e := range snap.Executions {
		job := e.Job
		if strings.Contains(snap.Project, ",") {
			job = e.Project + "/" + e.Job
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Region, job, e.Name, e.State,
			poller.FormatAge(snap.TakenAt.Sub(e.Created)), poller.FormatDuration(e.Duration(snap.TakenAt)), strings.ReplaceAll(e.ErrorLine(), "\t", " "))
	}
	tw.Flush()
	switch {
	case NoneAnswered(snap):
		// Not "no executions": nobody said so.
		fmt.Fprintln(w, "no region answered")
	case len(snap.Executions) == 0:
		fmt.Fprintln(w, snap.NoExecutions())
	}
}
