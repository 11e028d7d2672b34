package poller

import (
	"fmt"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
)

// A failed execution deleted alone, its job and older run still there:
// with named jobs its verdict stays (the listing is the job's newest few);
// with every job watched, what Cloud Run no longer has leaves quietly, as
// a deleted job's executions do — it is not shown failing, and the job's
// last result is its older run.
func TestFailedExecutionDeletedAloneUnderAllJobsIsNoLongerShownFailing(t *testing.T) {
	for name, cfg := range map[string]Config{
		"named":    {Project: testProject, Job: "nightly-train", Regions: []string{"us-west3"}},
		"all jobs": {Project: testProject, AllJobs: true, Regions: []string{"us-west3"}},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.jobRun(testProject, "nightly-train", "us-west3", "nightly-train-ok", fakecloud.Succeeded, 2*time.Hour, "")
			h.jobRun(testProject, "nightly-train", "us-west3", "nightly-train-bad", fakecloud.Failed, time.Hour, "ValueError: bad shard")
			p := h.pollerOf(cfg)
			snap := h.refresh(p).Snapshot
			if len(snap.Failing) != 1 || snap.Failing[0].Name != "nightly-train-bad" {
				t.Fatalf("before: failing %v, want nightly-train-bad", names(snap.Failing))
			}
			h.cloud.DeleteExecutions(testProject, "us-west3", "nightly-train")
			h.jobRun(testProject, "nightly-train", "us-west3", "nightly-train-ok", fakecloud.Succeeded, 2*time.Hour, "")
			h.advance(30 * time.Second)
			snap = h.refresh(p).Snapshot
			if len(snap.Executions) != 1 || snap.Executions[0].Name != "nightly-train-ok" {
				t.Fatalf("view %v, want the job's older run still listed", names(snap.Executions))
			}
			want := 1
			if cfg.AllJobs {
				want = 0
			}
			if len(snap.Failing) != want {
				t.Fatalf("after deleting the failed execution: failing %v, want %d", names(snap.Failing), want)
			}
			if cfg.AllJobs && (len(snap.Jobs) != 1 || snap.Jobs[0].Last.Name != "nightly-train-ok") {
				t.Fatalf("job summaries %+v, want the older run as the job's last result", snap.Jobs)
			}
		})
	}
}

// A deleted job leaves quietly, for good: no verdict, no red. Once its
// executions are gone from a listing that was not full, it is gone; a busy
// job that later fills the listing's page (100 executions) must not bring
// the deleted job's old failure back as failing.
func TestDeletedJobStaysGoneWhenAnotherJobFillsTheListing(t *testing.T) {
	h := newHarness(t)
	p := h.pollerOf(Config{Project: testProject, AllJobs: true, Regions: []string{"us-west3"}})
	h.refresh(p)
	h.advance(30 * time.Second)
	h.jobRun(testProject, "scratch", "us-west3", "scratch-1", fakecloud.Failed, 2*time.Minute, "boom: Error")
	h.refresh(p)
	h.advance(5 * time.Minute)
	h.refresh(p)
	h.cloud.DeleteExecutions(testProject, "us-west3", "scratch")
	h.advance(30 * time.Second)
	if snap := h.refresh(p).Snapshot; len(snap.Failing) != 0 {
		t.Fatalf("after deletion: failing %v, want none", names(snap.Failing))
	}
	for i := range allJobsPageSize {
		h.jobRun(testProject, "busy-etl", "us-west3", fmt.Sprintf("busy-etl-%03d", i), fakecloud.Succeeded, time.Duration(i+1)*time.Second, "")
	}
	h.advance(30 * time.Second)
	snap := h.refresh(p).Snapshot
	if len(snap.Failing) != 0 {
		t.Fatalf("deleted job back once the listing is full: failing %v (jobs %v)", names(snap.Failing), snap.Jobs)
	}
}
