package poller

// Review of issue 7's change (branch review-7): each test here proves a
// defect of the current code and FAILS on it. None fixes anything.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
	"runwatch/poller/lifecycle"
)

// Invariant 1 / notification storm: the memory keeps at most 400 records of
// a job and drops the oldest announced ones, but the listings still show
// them (Top x regions > 400, e.g. --top 23 over the 18 default regions). The
// next refresh sees them as new terminal executions that ended after the
// scope was learned, and announces them again - every refresh, for ever -
// and reads their logs again.
func TestReviewBoundedMemoryReannouncesWhatIsStillListed(t *testing.T) {
	h := newHarness(t)
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Top: 450}
	opts := Options{Now: h.clock, LogReadTimeout: 2 * time.Second, LogRequestsPerMinute: 1_000_000}
	p := New(cfg, h.clients, h.store, opts)
	h.refresh(p) // the region is learned, empty
	for i := range 420 {
		created := t0.Add(time.Duration(i) * time.Second)
		spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: fmt.Sprintf("f-%03d", i),
			State: fakecloud.Failed, Created: created, Started: created.Add(time.Second), Completed: created.Add(30 * time.Second)}
		h.cloud.PutExecution(spec.Build())
	}
	h.advance(time.Hour)
	announcedNow := len(h.refresh(p).Changes)
	h.advance(lifecycle.AnnounceAfter) // no logs: announced without their error
	if announcedNow += len(h.refresh(p).Changes); announcedNow != 420 {
		t.Fatalf("%d failures announced, want 420", announcedNow)
	}
	h.advance(giveUpOnLogsAfter) // no logs, ever: settled as such
	if res := h.refresh(p); len(res.Changes) != 0 {
		t.Fatalf("settling their logs announced %d again", len(res.Changes))
	}
	logReads := len(h.cloud.LogRequests())
	for i := range 3 {
		h.advance(time.Minute)
		res := h.refresh(p)
		if len(res.Changes) != 0 {
			got := strings.Fields(announced(res))
			t.Fatalf("refresh %d after all were announced announced %d again (e.g. %v)", i+2, len(res.Changes), got[:min(3, len(got))])
		}
	}
	if n := len(h.cloud.LogRequests()) - logReads; n != 0 {
		t.Fatalf("%d more log requests for failures whose logs were settled", n)
	}
}

// Claim 6 ("no data race between the watcher goroutine and Fyne's
// thread"): Poller.Acknowledge (run by Watcher.Acknowledge on its own
// goroutine) annotates p.last in place, and p.last shares its Executions
// array with the Result the previous Refresh returned, i.e. the snapshot
// the UI holds and renders on Fyne's thread (UI.Apply keeps it; Tick
// re-renders it every 15 s). Under -race this is reported; without it the
// snapshot already handed out is seen changing under the UI.
func TestReviewAcknowledgeWritesIntoTheSnapshotTheUIHolds(t *testing.T) {
	h := newHarness(t)
	bad := h.failWith("us-central1", "bad", time.Minute, "ValueError: x")
	p := h.poller("us-central1")
	res := h.refresh(p) // handed to the UI (fyne.Do(ui.Apply(res)))
	shown := res.Snapshot
	done := make(chan struct{})
	go func() { // Fyne's thread rendering rows and the tray from the snapshot it holds
		defer close(done)
		for range 200 {
			for _, e := range shown.Executions {
				_ = e.Acknowledged
				_ = e.Error
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	if _, err := p.Acknowledge(bad.Build().GetName()); err != nil { // the watcher's goroutine
		t.Fatal(err)
	}
	<-done
	if shown.Executions[0].Acknowledged {
		t.Fatal("Acknowledge wrote into the Executions of a Snapshot already handed to the UI (p.last shares its array)")
	}
}

// Quota waste / merge resurrection: a followed execution Cloud Run no
// longer has (GetExecution: NOT_FOUND) is unfollowed in memory, but Save
// merges the copy on disk, which still follows it, back in. It is then
// fetched with GetExecution every refresh for 8 days.
func TestReviewGoneFollowedExecutionIsFollowedNoMore(t *testing.T) {
	h := newHarness(t)
	scope := lifecycle.Scope{Project: testProject, Job: testJob, Region: "us-central1"}
	ghost := "projects/" + testProject + "/locations/us-central1/jobs/" + testJob + "/executions/ghost"
	mem := lifecycle.New()
	mem.Observe(scope, []lifecycle.Sighting{{Resource: ghost, State: lifecycle.Running, Created: t0.Add(-time.Hour)}}, t0.Add(-time.Hour), lifecycle.ByApp)
	if err := h.store.Save(mem); err != nil {
		t.Fatal(err)
	}
	p := h.poller("us-central1")
	for i := range 3 {
		h.advance(time.Minute)
		h.refresh(p) // GetExecution(ghost) -> NOT_FOUND -> Unfollow; Save merges it back
		if f := p.mem.Following(scope); len(f) != 0 {
			t.Fatalf("refresh %d: still following %v after Cloud Run said NOT_FOUND (GetExecution again next refresh)", i+1, f)
		}
	}
}

// Invariant 1 and clock skew: whether a failure ended before its scope was
// learned compares Cloud Run's completion time with the LOCAL clock
// (LearnedAt). With the local clock two minutes ahead, a run that starts
// after the first refresh and fails within one interval (never seen
// running) counts as history and is never announced.
func TestReviewLocalClockAheadOfCloudRunSwallowsAFailure(t *testing.T) {
	h := newHarness(t)
	const skew = 2 * time.Minute // the local clock is ahead of Cloud Run's
	p := h.poller("us-central1")
	h.refresh(p) // learned at local t0 = Cloud Run's t0-2m
	h.advance(30 * time.Second)
	cloudNow := h.clock().Add(-skew)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: "quick", State: fakecloud.Failed,
		Created: cloudNow, Started: cloudNow.Add(2 * time.Second), Completed: cloudNow.Add(20 * time.Second)}
	h.cloud.PutExecution(spec.Build())
	h.cloud.SetLogs(testProject, testJob, "quick", []fakecloud.LogLine{{Time: cloudNow.Add(10 * time.Second), Text: "ValueError: x", Severity: "ERROR"}})
	var got []string
	for range 6 {
		h.advance(time.Minute)
		if a := announced(h.refresh(p)); a != "" {
			got = append(got, a)
		}
	}
	if strings.Join(got, " ") != "new_failure:quick" {
		t.Fatalf("a failure that ended 50 s after the first refresh (Cloud Run's clock %v behind ours): announced %q, want new_failure:quick", skew, got)
	}
}

// Issue 7, item 1 ("any restart with another --regions notifies old
// failures - a 48-hour-old one was reported as new"): a region watched
// before, dropped from the settings and added again days later announces,
// as new, the failures that ended while it was not watched.
func TestReviewRegionAddedAgainAnnouncesNothingFromWhileUnwatched(t *testing.T) {
	h := newHarness(t)
	h.put("us-east1", "ok", fakecloud.Succeeded, time.Hour)
	h.refresh(h.poller("us-central1", "us-east1"))
	h.advance(time.Minute)
	h.refresh(h.poller("us-central1")) // us-east1 removed in Settings
	old := fakecloud.ExecutionSpec{Project: testProject, Region: "us-east1", Job: testJob, ID: "while-unwatched", State: fakecloud.Failed,
		Created: t0.Add(24 * time.Hour), Started: t0.Add(24*time.Hour + time.Second), Completed: t0.Add(24*time.Hour + time.Minute)}
	h.cloud.PutExecution(old.Build())
	h.advance(72 * time.Hour)
	if a := announced(h.refresh(h.poller("us-central1", "us-east1"))); a != "" {
		t.Fatalf("us-east1 added back: announced %q, a failure 48 h old that ended while us-east1 was not watched", a)
	}
}

// Notifications name the wrong job: Classify announces the unannounced
// records of EVERY job in the memory, not only the watched one. A `runwatch
// status --job nightly-eval` (ReadOnly: it records, never announces) run
// twice leaves a nightly-eval failure unannounced; the app watching
// vertex-ai-launcher then announces it - and ui.NotificationsFor words it
// with the watched job's name (see ui/review_test.go).
func TestReviewAppAnnouncesOnlyTheJobItWatches(t *testing.T) {
	h := newHarness(t)
	app := h.poller("us-central1")
	h.refresh(app)
	statusCfg := Config{Project: testProject, Job: "nightly-eval", Regions: []string{"us-central1"}, Top: 5}
	statusOpts := Options{Now: h.clock, LogReadTimeout: 2 * time.Second, ReadOnly: true}
	h.refresh(New(statusCfg, h.clients, h.store, statusOpts)) // `runwatch status --job nightly-eval`
	h.advance(time.Minute)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: "nightly-eval", ID: "eval-bad", State: fakecloud.Failed,
		Created: h.clock(), Started: h.clock().Add(time.Second), Completed: h.clock().Add(time.Minute)}
	h.cloud.PutExecution(spec.Build())
	h.advance(5 * time.Minute)
	h.refresh(New(statusCfg, h.clients, h.store, statusOpts)) // again, from cron
	var changes []lifecycle.Change
	for range 5 { // the first save merges status's records in; later refreshes classify them
		h.advance(time.Minute)
		changes = append(changes, h.refresh(app).Changes...)
	}
	for _, c := range changes {
		if c.Scope.Job != testJob {
			t.Fatalf("the app watching %s announced %s of job %s (it will be worded %q)", testJob, shortName(c.Resource), c.Scope.Job, testJob+" failed in "+c.Scope.Region)
		}
	}
}

// A failure status saw first, in a scope the app watches, is still the
// app's to announce once: status announces nothing (the README says so).
func TestFailureFirstSeenByStatusIsAnnouncedByTheApp(t *testing.T) {
	h := newHarness(t)
	app := h.poller("us-central1")
	h.refresh(app)
	h.failWith("us-central1", "seen-by-status", -time.Minute, "ValueError: x")
	h.advance(5 * time.Minute)
	status := h.pollerWith(Options{ReadOnly: true}, "us-central1")
	if a := announced(h.refresh(status)); a != "" {
		t.Fatalf("status announced %q", a)
	}
	h.advance(time.Minute)
	if a := announced(h.refresh(app)); a != "new_failure:seen-by-status" {
		t.Fatalf("the app announced %q, want the failure status saw first", a)
	}
}

// Claim 6 ("a region that stops answering keeps its rows marked stale"):
// Refresh now rebuilds the credentials, which makes a new Poller whose
// last-good listings are empty: the rows of a region that is not answering
// vanish instead of being shown stale (so does a Settings save).
func TestReviewRefreshNowKeepsTheRowsOfARegionNotAnswering(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1", "us-east1"}, Interval: time.Hour}
	w := startWatcher(t, cfg, false)
	w.h.put("us-east1", "east", fakecloud.Succeeded, time.Minute)
	w.h.put("us-central1", "central", fakecloud.Succeeded, 2*time.Minute)
	for res := next(t, w.view.results, "first result"); len(res.Snapshot.Executions) < 2; res = next(t, w.view.results, "a result with both") {
		w.watcher.RefreshNow()
	}
	w.h.cloud.SetRegionError("us-east1", status.Error(codes.Unavailable, "blip"))
	w.watcher.RefreshNow() // a person presses Refresh now because a region failed
	res := next(t, w.view.results, "a result after Refresh now")
	for len(res.Snapshot.RegionErrors) == 0 {
		res = next(t, w.view.results, "a result with us-east1 failing")
	}
	for _, e := range res.Snapshot.Executions {
		if e.Name == "east" {
			if !e.Stale {
				t.Fatal("east shown, not stale")
			}
			return
		}
	}
	t.Fatalf("after Refresh now the rows of us-east1 (not answering) are gone: %v (errors %v)", names(res.Snapshot.Executions), res.Snapshot.RegionErrors)
}

// Clock skew, invariant 4 and the README ("a read that ... finds no entries
// yet, is retried with back-off and never remembered as the error"):
// giving up on logs compares the LOCAL now with Cloud Run's completion
// time. With the local clock 15 minutes ahead, the first read of a failure
// that just ended (Cloud Logging lags by seconds) finds nothing and is
// remembered at once as "no logs"; the error that arrives a moment later is
// never read.
func TestReviewLocalClockAheadRemembersNoLogsAfterOneEmptyRead(t *testing.T) {
	h := newHarness(t)
	const skew = 15 * time.Minute
	p := h.poller("us-central1")
	h.refresh(p)
	h.advance(20 * time.Minute)
	cloudNow := h.clock().Add(-skew) // after the first refresh by both clocks
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: "fresh", State: fakecloud.Failed,
		Created: cloudNow.Add(-time.Minute), Started: cloudNow.Add(-59 * time.Second), Completed: cloudNow}
	h.cloud.PutExecution(spec.Build())
	h.advance(10 * time.Second)
	h.refresh(p) // Cloud Logging has nothing yet
	h.cloud.SetLogs(testProject, testJob, "fresh", []fakecloud.LogLine{{Time: cloudNow.Add(-30 * time.Second), Text: "ValueError: x", Severity: "ERROR"}})
	var res Result
	for range 4 {
		h.advance(time.Minute)
		res = h.refresh(p)
	}
	for _, e := range res.Snapshot.Executions {
		if e.Name == "fresh" && e.Error != "ValueError: x" {
			t.Fatalf("fresh: error %q, logs %q: one empty read 10 s after it ended was remembered as final", e.Error, e.Logs)
		}
	}
}
