package view

// The look with several jobs (CCMenu's rule). Invariants:
//   - each job's look follows the rule for one job;
//   - the tray shows the worst job: failed before cancelled before
//     succeeded, so a job's result is never hidden by another job's newer
//     success;
//   - the menu's first line names every failing job.

import (
	"strings"
	"testing"
	"time"

	"runwatch/poller"
)

// ofJob returns e as an execution of job (in project p).
func ofJob(e poller.Execution, job string) poller.Execution {
	e.Project, e.Job = "p", job
	e.Name = job + "-" + e.Name
	e.Resource = "projects/p/locations/" + e.Region + "/jobs/" + job + "/executions/" + e.Name
	return e
}

// severalJobs is a snapshot of the executions with each job's last finished
// one as the poller sums it up.
func severalJobs(execs ...poller.Execution) poller.Snapshot {
	s := snapshot(execs...)
	s.Job, s.AllJobs = "all jobs", true
	index := map[string]int{}
	for _, e := range execs {
		i, ok := index[e.Job]
		if !ok {
			i = len(s.Jobs)
			index[e.Job] = i
			s.Jobs = append(s.Jobs, poller.JobSummary{JobRef: poller.JobRef{Project: e.Project, Job: e.Job}})
		}
		j := &s.Jobs[i]
		if e.State.Terminal() && e.Completed.After(j.Last.Completed) {
			j.Last = e
		}
		if !e.State.Terminal() {
			j.Running = true
		}
	}
	return s
}

func TestTrayShowsTheWorstJobNotTheNewestResult(t *testing.T) {
	cancelled := ofJob(execution("us-west3", "a1", poller.StateCancelled, time.Hour), "nightly-train")
	newerSuccess := ofJob(execution("us-east1", "b1", poller.StateSucceeded, 10*time.Minute), "etl-daily")
	st := Status{HasSnapshot: true, Snapshot: severalJobs(newerSuccess, cancelled), LastSuccess: now, Interval: 30 * time.Second}
	if got := TrayLookOf(st, now); got != LookCancelled {
		t.Fatalf("look %s, want cancelled: etl-daily's newer success hides nightly-train's cancellation", got)
	}
	failed := ofJob(execution("europe-west1", "c1", poller.StateFailed, 2*time.Hour), "backfill")
	st.Snapshot = severalJobs(newerSuccess, cancelled, failed)
	if got := TrayLookOf(st, now); got != LookFailed {
		t.Fatalf("look %s, want failed", got)
	}
	if got := TraySummary(st, now); !strings.Contains(got, "backfill failed in europe-west1") {
		t.Fatalf("first line %q does not name the failing job", got)
	}
}

func TestMenuFirstLineNamesEveryFailingJob(t *testing.T) {
	a := ofJob(execution("us-west3", "a1", poller.StateFailed, time.Hour), "nightly-train")
	b := ofJob(execution("europe-west4", "b1", poller.StateFailed, 2*time.Hour), "etl-daily")
	ok := ofJob(execution("us-east1", "c1", poller.StateSucceeded, time.Minute), "vertex-ai-launcher")
	st := Status{HasSnapshot: true, Snapshot: severalJobs(ok, a, b), LastSuccess: now, Interval: 30 * time.Second}
	got := TraySummary(st, now)
	if !strings.Contains(got, "nightly-train, etl-daily failed") || !strings.Contains(got, "newest in us-west3") {
		t.Fatalf("first line %q", got)
	}
}

func TestJobsLineSumsUpEachJob(t *testing.T) {
	a := ofJob(execution("us-west3", "a1", poller.StateFailed, time.Hour), "nightly-train")
	a.Occurrences, a.FirstOccurred = 3, now.Add(-5*time.Hour)
	ok := ofJob(execution("us-east1", "c1", poller.StateSucceeded, time.Minute), "etl-daily")
	run := ofJob(execution("us-east1", "r1", poller.StateRunning, time.Minute), "etl-daily")
	st := Status{HasSnapshot: true, Snapshot: severalJobs(run, ok, a), LastSuccess: now, Interval: 30 * time.Second}
	want := "nightly-train failing since " + clockOrDay(now.Add(-5*time.Hour), now) + " (3×) · etl-daily ok, running"
	if got := JobsLine(st, now); got != want {
		t.Fatalf("jobs line %q, want %q", got, want)
	}
	st.Snapshot = snapshot(execution("us-east1", "1", poller.StateSucceeded, time.Minute))
	if got := JobsLine(st, now); got != "" {
		t.Fatalf("one job: %q, want none (the header names it)", got)
	}
}
