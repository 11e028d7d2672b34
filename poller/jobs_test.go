package poller

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
)

// A watched job that lists nothing anywhere is told apart from a mistyped
// one by one ListJobs per region, once per project and job (issue 14).
func TestJobWithoutExecutionsToldFromAMissingJob(t *testing.T) {
	cases := []struct {
		name        string
		jobs        map[string][]string // region → jobs put there
		refuse      codes.Code          // ListJobs (and listing) in europe-west1
		wantMissing bool
		wantOthers  []string
	}{
		{"mistyped", map[string][]string{"us-west3": {"nightly-train", "my-etl-job"}, "us-east1": {"my-etl-job"}}, codes.OK, true, []string{"my-etl-job", "nightly-train"}},
		{"no executions yet", map[string][]string{"us-east1": {testJob, "nightly-train"}}, codes.OK, false, []string{"nightly-train"}},
		{"no jobs at all", nil, codes.OK, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			for region, jobs := range c.jobs {
				for _, j := range jobs {
					h.cloud.PutJob(testProject, region, j)
				}
			}
			p := h.poller("us-west3", "us-east1")
			for range 3 {
				snap := h.refresh(p).Snapshot
				if snap.JobMissing != c.wantMissing || !slices.Equal(snap.OtherJobs, c.wantOthers) {
					t.Fatalf("missing %t, others %q; want %t, %q", snap.JobMissing, snap.OtherJobs, c.wantMissing, c.wantOthers)
				}
				h.advance(30 * time.Second)
			}
			if n := len(h.cloud.ListJobsRequests()); n != 2 {
				t.Fatalf("%d ListJobs requests in 3 refreshes of 2 regions: want one per region, once", n)
			}
		})
	}
}

// A job with executions is not looked up, nor one whose executions are
// known from a region that stopped answering.
func TestJobWithExecutionsIsNotLookedUp(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-west3", "us-east1")
	h.cloud.Put(fakecloud.ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: testJob + "-a1",
		State: fakecloud.Succeeded, Created: t0.Add(-time.Hour)})
	h.refresh(p)
	h.cloud.SetRegionError("us-west3", status.Error(codes.Unavailable, "down"))
	h.advance(30 * time.Second)
	if snap := h.refresh(p).Snapshot; snap.JobMissing || len(h.cloud.ListJobsRequests()) != 0 {
		t.Fatalf("missing %t, %d ListJobs requests: want none", snap.JobMissing, len(h.cloud.ListJobsRequests()))
	}
}

// Where ListJobs fails the job may exist: it is not called missing; a
// refusal for good is not asked again, a passing failure is.
func TestJobNotCalledMissingWhereListJobsFails(t *testing.T) {
	for _, c := range []struct {
		code     codes.Code
		wantReqs int
	}{{codes.PermissionDenied, 1}, {codes.Unavailable, 3}} {
		h := newHarness(t)
		h.cloud.SetListJobsError(status.Error(c.code, "no"))
		p := h.poller("us-west3")
		for range 3 {
			if snap := h.refresh(p).Snapshot; snap.JobMissing {
				t.Fatalf("%s: the job called missing", c.code)
			}
		}
		if n := len(h.cloud.ListJobsRequests()); n != c.wantReqs {
			t.Errorf("%s: %d ListJobs requests in 3 refreshes, want %d", c.code, n, c.wantReqs)
		}
	}
}

// OfflineSince is when the refreshes that reached no region began, kept
// while they go on, cleared by a region that answers.
func TestOfflineSinceTheFirstRefreshThatReachedNoRegion(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-west3", "us-east1")
	if snap := h.refresh(p).Snapshot; !snap.OfflineSince.IsZero() {
		t.Fatalf("online, OfflineSince %v", snap.OfflineSince)
	}
	h.advance(time.Minute)
	h.cloud.SetRegionError("us-west3", status.Error(codes.Unavailable, "down"))
	if snap := h.refresh(p).Snapshot; !snap.OfflineSince.IsZero() {
		t.Fatalf("one region answers, OfflineSince %v", snap.OfflineSince)
	}
	h.cloud.SetRegionError("us-east1", status.Error(codes.Unavailable, "down"))
	h.advance(time.Minute)
	began := h.clock()
	for range 2 {
		if snap := h.refresh(p).Snapshot; !snap.OfflineSince.Equal(began) {
			t.Fatalf("OfflineSince %v, want %v", snap.OfflineSince, began)
		}
		h.advance(time.Minute)
	}
	h.cloud.ClearRegionFaults("us-east1")
	if snap := h.refresh(p).Snapshot; !snap.OfflineSince.IsZero() {
		t.Fatalf("back online, OfflineSince %v", snap.OfflineSince)
	}
}

// A project with more jobs in a region than one ListJobs page holds still
// has the watched job when it is on a later page: a job with no executions
// yet is not called missing, whatever order Cloud Run lists jobs in.
func TestJobOnALaterListJobsPageIsNotCalledMissing(t *testing.T) {
	h := newHarness(t)
	for i := range 120 {
		h.cloud.PutJob(testProject, "us-west3", fmt.Sprintf("aaa-job-%03d", i))
	}
	h.cloud.PutJob(testProject, "us-west3", testJob)
	p := h.poller("us-west3")
	snap := h.refresh(p).Snapshot
	if snap.JobMissing {
		t.Fatalf("the watched job, which exists, is called missing: %q", snap.NoExecutions())
	}
}
