package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"runwatch/poller"
)

// statusExecution is one execution in `status --json`.
type statusExecution struct {
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

// statusOutput is the one object `status --json` prints.
type statusOutput struct {
	RefreshedAt  string            `json:"refreshed_at"`
	Executions   []statusExecution `json:"executions"`
	RegionErrors map[string]string `json:"region_errors"`
}

// statusTimeout bounds the whole refresh: listing has 10 s per region, log
// reads 20 s each, two at a time.
const statusTimeout = 2 * time.Minute

const statusHelp = `usage: runwatch status [--json] [flags]
One refresh: the newest executions over all regions and why failed ones failed.
When the tray app runs and no flag names what to watch, it answers from its
last refresh instead.
Exit status 0 when at least one region answered, 1 when none did, 2 on bad flags.
`

// runStatus implements `runwatch status [--json] [flags]`: one refresh with
// the app's memory, printed.
func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var w watchFlags
	w.register(fs, false)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := w.parse(fs, args); err != nil {
		return flagError(err, fs, stdout, stderr, "runwatch status", statusHelp)
	}

	// With no flag naming what to watch, the running app answers: no API
	// call, no write to its memory.
	if !w.namesWhatToWatch() {
		if code, answered := statusFromApp(*asJSON, stdout, stderr); answered {
			return code
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	cfg := w.config()
	dir, err := poller.StorageDir(appID)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch status: %v\n", err)
		return 1
	}
	store, demo, stopDemo, err := w.memoryAndCloud(cfg, dir)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch status: %v\n", err)
		return 1
	}
	defer stopDemo()
	cfg, clients, err := w.connect(ctx, demo, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch status: %v\n", err)
		return 1
	}
	defer clients.Close()

	// ReadOnly: status notifies nobody, so it announces nothing; what it
	// reads (log lines) is remembered for the app.
	p := poller.New(cfg, clients, store, poller.Options{ReadOnly: true})
	res := p.Refresh(ctx)
	if res.Warning != "" {
		fmt.Fprintf(stderr, "runwatch status: warning: %s\n", res.Warning)
	}

	snap := res.Snapshot
	for _, region := range slices.Sorted(maps.Keys(snap.RegionErrors)) {
		fmt.Fprintf(stderr, "runwatch status: %s\n", snap.RegionErrors[region])
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(statusJSON(snap)); err != nil {
			fmt.Fprintf(stderr, "runwatch status: %v\n", err)
			return 1
		}
	} else {
		printStatusTable(stdout, snap)
	}
	if len(snap.RegionErrors) == snap.RegionsAsked {
		fmt.Fprintf(stderr, "runwatch status: no region answered (%d asked)\n", snap.RegionsAsked)
		return 1
	}
	return 0
}

func statusJSON(snap poller.Snapshot) statusOutput {
	out := statusOutput{
		RefreshedAt:  snap.TakenAt.UTC().Format(time.RFC3339),
		Executions:   []statusExecution{},
		RegionErrors: snap.RegionErrors,
	}
	for _, e := range snap.Executions {
		x := statusExecution{
			Region: e.Region, Name: e.Name, Resource: e.Resource, State: string(e.State),
			Created: rfc3339(e.Created), Started: rfc3339(e.Started), Completed: rfc3339(e.Completed),
			Duration: e.Duration(snap.TakenAt).Seconds(), LogURI: e.LogURI,
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
		out.Executions = append(out.Executions, x)
	}
	return out
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func printStatusTable(w io.Writer, snap poller.Snapshot) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tEXECUTION\tSTATE\tAGE\tDURATION\tERROR")
	for _, e := range snap.Executions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Region, e.Name, e.State,
			poller.FormatAge(snap.TakenAt.Sub(e.Created)), poller.FormatDuration(e.Duration(snap.TakenAt)), strings.ReplaceAll(e.ErrorLine(), "\t", " "))
	}
	tw.Flush()
	if len(snap.Executions) == 0 {
		fmt.Fprintf(w, "no executions of %s in %d regions\n", snap.Job, snap.RegionsAsked)
	}
}
