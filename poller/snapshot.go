package poller

import (
	"cmp"
	"fmt"
	"path"
	"strings"
	"time"

	"runwatch/poller/lifecycle"
)

// Execution is one job execution as runwatch shows it.
type Execution struct {
	Project   string
	Job       string
	Region    string
	Name      string // short ID, the last segment of Resource
	Resource  string // projects/P/locations/R/jobs/J/executions/E
	State     State
	Created   time.Time
	Started   time.Time // zero until it starts
	Completed time.Time // zero until it ends
	LogURI    string    // the execution's page in the Cloud Console
	// The limits its template set: each task's timeout (zero: unknown) and
	// its container's memory ("512Mi"; empty: unknown). Details show the
	// one a timeout or an OOM kill hit.
	TaskTimeout time.Duration
	MemoryLimit string

	Tasks     int32
	Running   int32
	Succeeded int32
	Failed    int32
	Cancelled int32
	Retried   int32

	// For a failed execution: the extracted error line, its category and
	// rule, the log lines around it (Matched is its index there), and how
	// far reading its logs got.
	Error    string
	Category string
	Rule     string
	Context  []string
	Matched  int
	Logs     LogStatus
	// LogsProblem says why the logs are not read yet (a failed read), if so.
	LogsProblem string
	// Source says where Error came from: "logs" or "cloud_run".
	Source string
	// CloudRun is what Cloud Run itself said of the failure (nil when not
	// asked yet): shown in details whatever the logs say.
	CloudRun *lifecycle.CloudRunReason

	// Fingerprint groups failures with the same kind of error (see
	// lifecycle.Fingerprint); Occurrences counts the remembered failures of
	// the job that share it, itself included, the first ending at
	// FirstOccurred.
	Fingerprint   string
	Occurrences   int
	FirstOccurred time.Time
	// Kind is what the failure meant when it was announced (empty before).
	Kind lifecycle.Kind
	// Acknowledged: a person acknowledged this error; it does not turn the
	// tray red.
	Acknowledged bool

	// ListedAt is when its region last answered; Stale: the region did not
	// answer the last refresh, so this is its last known listing.
	ListedAt time.Time
	Stale    bool
}

// Duration is how long the execution ran, until now when it still runs.
func (e Execution) Duration(now time.Time) time.Duration {
	start := e.Started
	if start.IsZero() {
		return 0
	}
	end := e.Completed
	if end.IsZero() {
		end = now
	}
	return max(end.Sub(start), 0)
}

// ErrorLine is the one-line error of a failed execution, or why it is not
// known (yet); empty for any other state.
func (e Execution) ErrorLine() string {
	if e.State != StateFailed {
		return ""
	}
	switch {
	case e.Error != "":
		return e.Error
	case e.LogsProblem != "":
		return "(" + e.LogsProblem + ")"
	case e.Logs == LogsNone:
		return "(no logs found)"
	case e.Logs == lifecycle.LogsSkipped:
		return "(Cloud Run gave no reason)"
	case e.Logs == LogsRead:
		return "(no error line in the logs)"
	default:
		return "(reading logs…)"
	}
}

// shortName is the last segment of a resource name.
func shortName(resource string) string { return path.Base(resource) }

// Snapshot is the picture one refresh took.
type Snapshot struct {
	// Project names the watched projects ("p1,p2"), Job the watched jobs
	// ("a, b", or "all jobs" with AllJobs).
	Project    string
	Job        string
	AllJobs    bool
	Executions []Execution // newest created first, at most Config.Top
	// Jobs is each watched job's state, by project and job name.
	Jobs []JobSummary
	// Failing is each watched region's verdict where it failed: the newest
	// finished (succeeded or failed) execution of the region's last good
	// listing, in view or not, newest end first. A newer running, pending or
	// cancelled execution does not hide it; only a later success in the same
	// region does.
	Failing []Execution
	// RegionErrors says why a place could not be listed, by region (by
	// project/region when several projects are watched); RegionsAsked
	// counts the regions, Places the project and region pairs (zero: as
	// many as regions).
	RegionErrors map[string]string
	RegionsAsked int
	Places       int
	TakenAt      time.Time
	// Unauthenticated: every region refused the credentials (expired,
	// revoked); a person must sign in again.
	Unauthenticated bool
	// SnoozedUntil: notifications are held back until then (zero: not snoozed).
	SnoozedUntil time.Time
	// JobMissing: no region lists executions and Cloud Run's ListJobs, in
	// the regions that answered, does not know the job (a mistyped name);
	// OtherJobs are the jobs it knows there, by short name, sorted.
	JobMissing bool
	OtherJobs  []string
	// MissingJobs are the named jobs Cloud Run does not know in the
	// regions that answered (all of them when JobMissing).
	MissingJobs []JobRef
	// OfflineSince is when the refreshes that reached no region began
	// (zero while a region answers).
	OfflineSince time.Time
	// Team is how team mode goes (its Mode is TeamOff outside it), as the
	// Watcher knew it when it handed the snapshot on.
	Team TeamState
}

// JobRef names a job of a project.
type JobRef struct {
	Project string
	Job     string
}

// String is "job" or, with the project, "project/job".
func (j JobRef) String() string { return j.Project + "/" + j.Job }

// JobSummary is one job's state over its regions: its last finished
// execution (the newest end of any region), how many regions' last
// finished one failed, and since when the oldest of those fails.
type JobSummary struct {
	JobRef
	Last         Execution
	FailingIn    int
	FailingSince time.Time
	Running      bool // one of its executions in view runs or waits to
}

// jobSummaries sums the verdicts and the executions in view up per job,
// in the order of the jobs' newest verdicts: each job's last finished
// execution is the one that ended last of both.
func jobSummaries(verdicts, view []Execution) []JobSummary {
	var out []JobSummary
	index := map[JobRef]int{}
	for _, v := range verdicts {
		ref := JobRef{v.Project, v.Job}
		i, ok := index[ref]
		if !ok {
			i = len(out)
			index[ref] = i
			out = append(out, JobSummary{JobRef: ref, Last: v})
		}
		j := &out[i]
		if endedLater(v, j.Last) {
			j.Last = v
		}
		if v.State == StateFailed {
			j.FailingIn++
			if j.FailingSince.IsZero() || v.Completed.Before(j.FailingSince) {
				j.FailingSince = v.Completed
			}
		}
	}
	for _, e := range view {
		ref := JobRef{e.Project, e.Job}
		i, ok := index[ref]
		if !ok {
			i = len(out)
			index[ref] = i
			out = append(out, JobSummary{JobRef: ref})
		}
		switch {
		case !e.State.Terminal():
			out[i].Running = true
		case out[i].Last.Resource == "" || endedLater(e, out[i].Last):
			// A cancellation is a finished result too, though no verdict.
			out[i].Last = e
		}
	}
	return out
}

// PlacesAsked counts the places a refresh listed: each project's regions.
func (s Snapshot) PlacesAsked() int { return cmp.Or(s.Places, s.RegionsAsked) }

// NoneAnswered reports whether no place answered the refresh.
func (s Snapshot) NoneAnswered() bool {
	return s.PlacesAsked() > 0 && len(s.RegionErrors) >= s.PlacesAsked()
}

// Newest returns the newest execution, if any.
func (s Snapshot) Newest() (Execution, bool) {
	if len(s.Executions) == 0 {
		return Execution{}, false
	}
	return s.Executions[0], true
}

// Result is what a refresh yields.
type Result struct {
	Snapshot Snapshot
	// Changes are the terminal executions classified by this refresh, each
	// handed out once (see lifecycle.Memory.Classify): what to notify.
	Changes []lifecycle.Change
	// Undelivered are changes of earlier refreshes that no notification
	// server has taken yet (see Poller.Delivered): offered again, in
	// addition to Changes, until one does.
	Undelivered []lifecycle.Change
	// Missed is what a snooze that just ended held back, for one summary;
	// MissedMore counts what it held beyond those, told as a number.
	Missed     []lifecycle.Change
	MissedMore int
	// Warning is a problem worth a line in a log, such as an unreadable memory.
	Warning string
}

// maxOtherJobs bounds the jobs NoExecutions names.
const maxOtherJobs = 5

// NoExecutions says why a refresh that reached some region shows no
// execution: "No executions of my-etl-job in 18 regions", or, where Cloud
// Run does not know the job, "No job my-etl-jb in my-proj; jobs here:
// my-etl-job, nightly-train". It is "" while there are executions to show
// or no region answered.
func (s Snapshot) NoExecutions() string {
	asked := s.PlacesAsked()
	answered := asked - len(s.RegionErrors)
	if len(s.Executions) > 0 || answered <= 0 {
		return ""
	}
	if s.JobMissing {
		out := fmt.Sprintf("No job %s in %s", s.Job, s.Project)
		switch n := len(s.OtherJobs); {
		case n == 0:
			return out + "; no jobs in " + RegionCount(answered, asked)
		case n > maxOtherJobs:
			return out + "; jobs here: " + strings.Join(s.OtherJobs[:maxOtherJobs], ", ") + fmt.Sprintf(" and %d more", n-maxOtherJobs)
		default:
			return out + "; jobs here: " + strings.Join(s.OtherJobs, ", ")
		}
	}
	return fmt.Sprintf("No executions of %s in %s", s.Job, RegionCount(answered, asked))
}

// RegionCount says how many of the regions asked answered: "18 regions",
// "16 of 18 regions", "1 region".
func RegionCount(answered, asked int) string {
	noun := "regions"
	if asked == 1 {
		noun = "region"
	}
	if answered == asked {
		return fmt.Sprintf("%d %s", asked, noun)
	}
	return fmt.Sprintf("%d of %d %s", answered, asked, noun)
}
