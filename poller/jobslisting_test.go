package poller

// Several jobs and projects. The invariants:
//
//   - --all-jobs asks one jobs/- listing per project and region; named jobs
//     one listing per job, so a busy job never pushes a named one out.
//   - Each job's lifecycle is its own: a failure of one job is announced
//     once, whatever the other jobs do.
//   - A job first seen in a listing of every job is learned: what it ran
//     before the listing was learned is history, what ends after is news.
//     A job the app had stopped watching is learned again when its
//     region's every-job listing answers, whether it is listed or not; a
//     job first named by a listing of its own there (a status run's) is
//     adopted like one first seen in the every-job listing.
//   - A job deleted (its executions gone from a listing that could hold
//     them) leaves quietly: no verdict, no notification.
//   - The memory is scoped per project, job and region; status shows each
//     execution's project and job.

import (
	"slices"
	"strings"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
)

// jobRun puts an execution of project/job in region, created ago before
// the harness's now, ended a minute later; a failure logs errLine.
func (h *harness) jobRun(project, job, region, id string, state fakecloud.State, ago time.Duration, errLine string) {
	created := h.clock().Add(-ago)
	spec := fakecloud.ExecutionSpec{Project: project, Region: region, Job: job, ID: id, State: state,
		Created: created, Started: created.Add(5 * time.Second)}
	if state != fakecloud.Running && state != fakecloud.Pending {
		spec.Completed = created.Add(time.Minute)
	}
	h.cloud.PutExecution(spec.Build())
	if errLine != "" {
		at := created.Add(10 * time.Second)
		h.cloud.SetLogs(project, job, id, []fakecloud.LogLine{{Time: at, Text: errLine, Severity: "ERROR"}})
	}
}

func (h *harness) pollerOf(cfg Config) *Poller {
	cfg.Top = max(cfg.Top, 5)
	return New(cfg, h.clients, h.store, Options{Now: h.clock, LogReadTimeout: 2 * time.Second})
}

func listParents(h *harness) []string {
	var out []string
	for _, r := range h.cloud.ListExecutionsRequests() {
		out = append(out, r.GetParent())
	}
	slices.Sort(out)
	return out
}

func TestAllJobsListsEveryJobOncePerRegion(t *testing.T) {
	h := newHarness(t)
	regions := DefaultRegions()
	h.jobRun(testProject, "nightly-train", "us-west3", "nightly-train-a1", fakecloud.Failed, 30*time.Minute, "RuntimeError: CUDA out of memory")
	h.jobRun(testProject, "etl-daily", "europe-west1", "etl-daily-b2", fakecloud.Succeeded, 20*time.Minute, "")
	h.jobRun(testProject, testJob, "asia-east1", testJob+"-c3", fakecloud.Failed, 10*time.Minute, "google.api_core.exceptions.ResourceExhausted: 429 Quota exceeded")
	p := h.pollerOf(Config{Project: testProject, AllJobs: true, Regions: regions})
	snap := h.refresh(p).Snapshot

	parents := listParents(h)
	if len(parents) != len(regions) {
		t.Fatalf("%d ListExecutions requests, want %d (one per region)", len(parents), len(regions))
	}
	for _, parent := range parents {
		if !strings.HasSuffix(parent, "/jobs/-") {
			t.Fatalf("parent %s does not list every job", parent)
		}
	}
	jobs := map[string]Execution{}
	for _, e := range snap.Executions {
		jobs[e.Job] = e
		if e.Project != testProject {
			t.Fatalf("execution %s has project %q", e.Name, e.Project)
		}
	}
	if len(jobs) != 3 {
		t.Fatalf("jobs in view: %v, want 3", names(snap.Executions))
	}
	if got := jobs["nightly-train"].ErrorLine(); !strings.Contains(got, "CUDA out of memory") {
		t.Fatalf("nightly-train's error line %q", got)
	}
	if got := jobs[testJob].ErrorLine(); !strings.Contains(got, "Quota exceeded") {
		t.Fatalf("%s's error line %q", testJob, got)
	}
	if len(snap.Jobs) != 3 {
		t.Fatalf("job summaries %+v, want 3", snap.Jobs)
	}
}

func TestNamedJobsStayInViewWhenAnUnwatchedJobIsBusier(t *testing.T) {
	h := newHarness(t)
	h.jobRun(testProject, "nightly-train", "us-west3", "nightly-train-old", fakecloud.Failed, 3*time.Hour, "ValueError: bad shard")
	for i := range 30 {
		h.jobRun(testProject, "busy-etl", "us-west3", "busy-etl-"+string(rune('a'+i%26))+string(rune('a'+i/26)), fakecloud.Succeeded, time.Duration(i)*time.Minute, "")
	}
	p := h.pollerOf(Config{Project: testProject, Job: "nightly-train," + testJob, Regions: []string{"us-west3"}})
	snap := h.refresh(p).Snapshot
	if got := listParents(h); len(got) != 2 || !strings.HasSuffix(got[0], "/jobs/nightly-train") || !strings.HasSuffix(got[1], "/jobs/"+testJob) {
		t.Fatalf("parents %v, want one per named job", got)
	}
	if len(snap.Executions) != 1 || snap.Executions[0].Name != "nightly-train-old" {
		t.Fatalf("view %v, want only nightly-train-old", names(snap.Executions))
	}
	if len(snap.Failing) != 1 {
		t.Fatalf("failing %v", names(snap.Failing))
	}
}

func TestJobFirstSeenInAllJobsListingIsLearnedThenItsNewFailureIsNews(t *testing.T) {
	h := newHarness(t)
	h.jobRun(testProject, "etl-daily", "us-west3", "etl-daily-old", fakecloud.Failed, time.Hour, "KeyError: 'date'")
	p := h.pollerOf(Config{Project: testProject, AllJobs: true, Regions: []string{"us-west3"}})
	if got := announced(h.refresh(p)); got != "" {
		t.Fatalf("first refresh announced %q; what ran before is history", got)
	}
	h.advance(30 * time.Second)
	// A job created since: what it ran before runwatch saw it is history
	// only if it ended before the listing was learned.
	h.jobRun(testProject, "backfill", "us-west3", "backfill-old", fakecloud.Succeeded, 2*time.Hour, "")
	h.refresh(p)
	h.advance(10 * time.Minute)
	h.jobRun(testProject, "backfill", "us-west3", "backfill-new", fakecloud.Failed, 2*time.Minute, "OSError: disk full")
	var got []string
	for range 4 {
		if a := announced(h.refresh(p)); a != "" {
			got = append(got, a)
		}
		h.advance(time.Minute)
	}
	if strings.Join(got, " ") != "new_failure:backfill-new" {
		t.Fatalf("announced %q, want the new job's failure once", got)
	}
}

func TestDeletedJobLeavesQuietly(t *testing.T) {
	h := newHarness(t)
	p := h.pollerOf(Config{Project: testProject, AllJobs: true, Regions: []string{"us-west3"}})
	h.refresh(p)
	h.advance(30 * time.Second)
	h.jobRun(testProject, "scratch", "us-west3", "scratch-1", fakecloud.Failed, 2*time.Minute, "boom: Error")
	h.jobRun(testProject, testJob, "us-west3", testJob+"-1", fakecloud.Succeeded, 3*time.Minute, "")
	h.refresh(p)
	snap := h.refresh(p).Snapshot
	if len(snap.Failing) != 1 || snap.Failing[0].Job != "scratch" {
		t.Fatalf("failing %v, want scratch's", names(snap.Failing))
	}
	h.cloud.DeleteExecutions(testProject, "us-west3", "scratch")
	h.advance(30 * time.Second)
	res := h.refresh(p)
	if len(res.Snapshot.Failing) != 0 || announced(res) != "" {
		t.Fatalf("after deletion: failing %v, announced %q", names(res.Snapshot.Failing), announced(res))
	}
	for _, j := range res.Snapshot.Jobs {
		if j.Job == "scratch" {
			t.Fatalf("deleted job still summed up: %+v", j)
		}
	}
}

func TestSeveralProjectsEachListedAndScoped(t *testing.T) {
	h := newHarness(t)
	h.jobRun("proj-a", testJob, "us-west3", testJob+"-a1", fakecloud.Failed, 10*time.Minute, "ValueError: a")
	h.jobRun("proj-b", testJob, "us-west3", testJob+"-b1", fakecloud.Succeeded, 5*time.Minute, "")
	p := h.pollerOf(Config{Project: "proj-a,proj-b", Job: testJob, Regions: []string{"us-west3", "us-east1"}})
	snap := h.refresh(p).Snapshot
	if n := len(listParents(h)); n != 4 {
		t.Fatalf("%d listings, want 2 projects × 2 regions", n)
	}
	if snap.RegionsAsked != 2 {
		t.Fatalf("RegionsAsked %d, want 2 (regions, not project×region pairs)", snap.RegionsAsked)
	}
	if len(snap.Failing) != 1 || snap.Failing[0].Project != "proj-a" {
		t.Fatalf("failing %+v", snap.Failing)
	}
	if !strings.Contains(snap.Failing[0].ErrorLine(), "ValueError: a") {
		t.Fatalf("error line %q (logs of proj-a)", snap.Failing[0].ErrorLine())
	}
}

// Found by TestLifecycleModel (seed 1796647366499372750): a job's scope the
// app had stopped watching was learned again only when the job next showed
// up in the every-job listing, so its first failure after --all-jobs began
// was taken for history.
func TestJobNoLongerWatchedIsLearnedAgainWhenItsRegionsEveryJobListingAnswers(t *testing.T) {
	h := newHarness(t)
	region := []string{"us-west3"}
	// Watched by name once (it has not run yet), then no longer.
	h.refresh(h.pollerOf(Config{Project: testProject, Job: "scratch," + testJob, Regions: region}))
	h.advance(time.Minute)
	h.refresh(h.pollerOf(Config{Project: testProject, Job: testJob, Regions: region}))
	h.advance(time.Minute)
	p := h.pollerOf(Config{Project: testProject, AllJobs: true, Regions: region})
	if got := announced(h.refresh(p)); got != "" {
		t.Fatalf("first every-job refresh announced %q", got)
	}
	h.advance(10 * time.Minute)
	h.jobRun(testProject, "scratch", "us-west3", "scratch-1", fakecloud.Failed, 3*time.Minute, "OSError: disk full")
	var got []string
	for range 5 {
		if a := announced(h.refresh(p)); a != "" {
			got = append(got, a)
		}
		h.advance(time.Minute)
	}
	if strings.Join(got, " ") != "new_failure:scratch-1" {
		t.Fatalf("announced %q, want scratch's failure once: it ended after the every-job listing was learned", got)
	}
}

// A job first named by a status run (read-only, its own listing) in a
// region whose every-job listing the app learned before is adopted as of
// then, as that listing would have: its failure since is the app's news,
// not history.
func TestJobFirstNamedByStatusUnderAllJobsIsAdopted(t *testing.T) {
	h := newHarness(t)
	region := []string{"us-west3"}
	p := h.pollerOf(Config{Project: testProject, AllJobs: true, Regions: region})
	h.refresh(p)
	h.advance(10 * time.Minute)
	h.jobRun(testProject, "fresh", "us-west3", "fresh-1", fakecloud.Failed, 3*time.Minute, "OSError: disk full")
	status := New(Config{Project: testProject, Job: "fresh", Regions: region, Top: 5}, h.clients, NewFileStore(h.store.Path()),
		Options{Now: h.clock, LogReadTimeout: 2 * time.Second, ReadOnly: true})
	if got := announced(h.refresh(status)); got != "" {
		t.Fatalf("status announced %q", got)
	}
	var got []string
	for range 5 {
		if a := announced(h.refresh(p)); a != "" {
			got = append(got, a)
		}
		h.advance(time.Minute)
	}
	if strings.Join(got, " ") != "new_failure:fresh-1" {
		t.Fatalf("announced %q, want the new job's failure once: it ended after the every-job listing was learned", got)
	}
}
