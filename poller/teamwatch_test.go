package poller

// The watcher in team mode, driven by a feed the test holds. The
// invariants:
//   - an execution pushed is sighted without a listing and a failure
//     announced once, however often, late or out of order it is pushed;
//   - while events flow the refreshes come every reconcile interval; when
//     Pub/Sub cannot be reached, every interval again, with a refresh at
//     once, and the snapshots say so;
//   - a relay's error that comes while the watcher reconnects is taken.

import (
	"context"
	"strings"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
	"runwatch/poller/lifecycle"
)

// testFeed hands the test the watcher a feed drives.
type testFeed struct {
	targets chan FeedTarget
	cfgs    chan Config
}

func newTestFeed() *testFeed {
	return &testFeed{targets: make(chan FeedTarget, 10), cfgs: make(chan Config, 10)}
}

func (f *testFeed) run(ctx context.Context, cfg Config, w FeedTarget) {
	f.cfgs <- cfg
	f.targets <- w
	<-ctx.Done()
}

// failNow puts a failed execution of the test job in region that ended
// just now, its log ending with errLine.
func (h *harness) failNow(region, id, errLine string) string {
	created := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: region, Job: testJob, ID: id, State: fakecloud.Failed,
		Created: created, Started: created.Add(5 * time.Second), Completed: created.Add(50 * time.Second)}
	h.cloud.PutExecution(spec.Build())
	h.cloud.SetLogs(testProject, testJob, id, []fakecloud.LogLine{
		{Time: created.Add(10 * time.Second), Text: errLine, Severity: "ERROR"},
	})
	return spec.Name()
}

func (v *recordingView) currentInterval() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.interval
}

// waitInterval waits until the view was told want as the interval.
func waitInterval(t *testing.T, v *recordingView, want time.Duration) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for v.currentInterval() != want {
		if time.Now().After(deadline) {
			t.Fatalf("interval %v, want %v", v.currentInterval(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPushedFailureIsAnnouncedOnceHoweverItIsPushed(t *testing.T) {
	feed := newTestFeed()
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-west3"}, Interval: time.Hour, Team: true}
	w := startWatcherWith(t, cfg, false, Options{}, feed.run)
	next(t, w.view.results, "first result")
	target := next(t, feed.targets, "the feed")
	if got := next(t, feed.cfgs, "the feed's configuration"); !got.Team || got.Project != testProject {
		t.Fatalf("feed runs for %+v", got)
	}
	target.SetTeam(TeamState{Mode: TeamLive})
	waitInterval(t, w.view, DefaultReconcileInterval*12) // never below the 1 h interval
	lists := len(w.h.cloud.ListExecutionsRequests())

	older := w.h.failNow("us-west3", testJob+"-old", "KeyError: 'shard'")
	bad := w.h.failNow("us-west3", testJob+"-p1", "RuntimeError: CUDA error: out of memory")
	// One burst: twice, out of order (the newer first).
	target.Sight(bad, bad)
	target.Sight(older)
	announcedNames := map[string]int{}
	deadline := time.After(3 * time.Second)
	late := false
	for done := false; !done; {
		select {
		case res := <-w.view.results:
			for _, c := range res.Changes {
				announcedNames[c.Resource]++
				if c.Resource == bad && !strings.Contains(c.Record.Error.Line, "CUDA error") {
					t.Errorf("announced without its error line: %+v", c.Record.Error)
				}
			}
			if res.Snapshot.Team.Mode != TeamLive {
				t.Errorf("result says team mode %q, want live", res.Snapshot.Team.Mode)
			}
			if !late {
				late = true
				target.Sight(bad, older) // late, after both were announced
			}
		case <-w.view.snapshots:
		case <-deadline:
			done = true
		}
	}
	if announcedNames[bad] != 1 || announcedNames[older] != 1 || len(announcedNames) != 2 {
		t.Fatalf("announced %v, want each failure once", announcedNames)
	}
	if n := len(w.h.cloud.ListExecutionsRequests()); n != lists {
		t.Fatalf("%d listings for the pushes, want none", n-lists)
	}
}

func TestUnreachablePubSubFallsBackToTheIntervalAndSaysSo(t *testing.T) {
	feed := newTestFeed()
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-west3"}, Interval: time.Minute, ReconcileInterval: 10 * time.Minute, Team: true}
	w := startWatcherWith(t, cfg, false, Options{}, feed.run)
	next(t, w.view.results, "first result")
	target := next(t, feed.targets, "the feed")
	target.SetTeam(TeamState{Mode: TeamLive})
	waitInterval(t, w.view, 10*time.Minute)
	for snap := next(t, w.view.snapshots, "a picture"); snap.Team.Mode != TeamLive; snap = next(t, w.view.snapshots, "the picture once live") {
	}

	target.SetTeam(TeamState{Mode: TeamUnreachable, Problem: "connection refused"})
	res := next(t, w.view.results, "a refresh at once when Pub/Sub goes")
	if res.Snapshot.Team.Mode != TeamUnreachable || res.Snapshot.Team.Problem != "connection refused" || res.Snapshot.Team.Since.IsZero() {
		t.Fatalf("result says %+v", res.Snapshot.Team)
	}
	waitInterval(t, w.view, time.Minute)

	target.SetTeam(TeamState{Mode: TeamLive})
	waitInterval(t, w.view, 10*time.Minute)
}

func TestTeamModeOffRunsNoFeed(t *testing.T) {
	feed := newTestFeed()
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-west3"}, Interval: time.Hour}
	w := startWatcherWith(t, cfg, false, Options{}, feed.run)
	res := next(t, w.view.results, "first result")
	if res.Snapshot.Team.Mode != TeamOff {
		t.Fatalf("team mode %q", res.Snapshot.Team.Mode)
	}
	cfg.Team = true
	w.watcher.Reconfigure(cfg)
	next(t, feed.targets, "the feed once team mode is on")
	cfg.Team = false
	w.watcher.Reconfigure(cfg)
	for res := next(t, w.view.results, "a result"); res.Snapshot.Team.Mode != TeamOff; res = next(t, w.view.results, "a result out of team mode") {
	}
}

func TestRelaysErrorWhileReconnectingIsTaken(t *testing.T) {
	feed := newTestFeed()
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-west3"}, Interval: time.Hour, Team: true}
	w := startWatcherWith(t, cfg, true, Options{RelayAlive: func() bool { return true }}, feed.run)
	next(t, w.view.problems, "the problem before connecting")
	w.refuse.Store(false)
	w.watcher.RefreshNow()
	next(t, w.view.results, "first result")
	bad := w.h.failNow("us-west3", testJob+"-r1", "ValueError: read here")
	w.refuse.Store(true)
	w.watcher.RefreshNow()
	next(t, w.view.problems, "the problem while reconnecting")
	relayed := lifecycle.ErrorInfo{Line: "ValueError: read by the relay", Category: "python_exception", Source: "logs", Logs: lifecycle.LogsRead}
	w.watcher.TakeError(bad, relayed)
	w.refuse.Store(false)
	w.watcher.RefreshNow()
	for {
		res := next(t, w.view.results, "the failure with the relay's error")
		if len(res.Changes) == 0 {
			continue
		}
		if line := res.Changes[0].Record.Error.Line; line != relayed.Line {
			t.Fatalf("announced with %q, want the relay's line", line)
		}
		break
	}
	if n := len(w.h.cloud.LogRequests()); n != 0 {
		t.Fatalf("%d log requests, want none: the relay read them", n)
	}
}

// While a relay lives, a pushed execution is sighted again once after the
// relay's grace period (so its logs are read here if no error came); that
// second sighting must not start another grace period, and so on for ever:
// each execution ever pushed would be got from Cloud Run every grace
// period for as long as the relay lives.
func TestRelayGraceSightsAPushedExecutionAgainOnceNotForEver(t *testing.T) {
	feed := newTestFeed()
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-west3"}, Interval: time.Hour, Team: true}
	const grace = 500 * time.Millisecond // sighted again grace+1s later
	w := startWatcherWith(t, cfg, false, Options{RelayAlive: func() bool { return true }, RelayGrace: grace}, feed.run)
	next(t, w.view.results, "first result")
	target := next(t, feed.targets, "the feed")
	target.SetTeam(TeamState{Mode: TeamLive})
	waitInterval(t, w.view, DefaultReconcileInterval*12)

	bad := w.h.failNow("us-west3", testJob+"-g1", "RuntimeError: nobody relayed this")
	target.Sight(bad)
	sightings := 0
	deadline := time.After(8 * time.Second) // room for five grace periods
	for done := false; !done; {
		select {
		case <-w.view.results:
			sightings++
		case <-w.view.snapshots:
		case <-deadline:
			done = true
		}
	}
	if sightings > 2 {
		t.Fatalf("one push sighted %d times in 8 s (a GetExecution each): want the push and one sighting after the grace period", sightings)
	}
	if n := len(w.h.cloud.LogRequests()); n != 1 {
		t.Fatalf("%d log requests, want 1 after the grace period", n)
	}
}

// A sink can publish an execution's end before Cloud Run's API says it
// ended (GetExecution still says running for a moment). The push is
// acknowledged, so nothing will push it again: the watcher must look
// again soon, not leave a failure the team was told of in seconds to the
// next reconcile refresh (minutes; an hour here).
func TestAPushAheadOfCloudRunsAPIIsStillAnnouncedInSeconds(t *testing.T) {
	feed := newTestFeed()
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-west3"}, Interval: time.Hour, Team: true}
	w := startWatcherWith(t, cfg, false, Options{}, feed.run)
	next(t, w.view.results, "first result")
	target := next(t, feed.targets, "the feed")
	target.SetTeam(TeamState{Mode: TeamLive})
	waitInterval(t, w.view, DefaultReconcileInterval*12)

	created := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: testJob + "-s1", State: fakecloud.Running,
		Created: created, Started: created.Add(5 * time.Second)}
	w.h.cloud.PutExecution(spec.Build())
	target.Sight(spec.Name()) // the sink's message: it ended
	next(t, w.view.results, "the push sighted (Cloud Run still says running)")
	// Cloud Run's API catches up a moment later.
	spec.State, spec.Completed = fakecloud.Failed, created.Add(50*time.Second)
	w.h.cloud.PutExecution(spec.Build())
	w.h.cloud.SetLogs(testProject, testJob, spec.ID, []fakecloud.LogLine{{Time: created.Add(10 * time.Second), Text: "KeyError: 'shard'", Severity: "ERROR"}})
	deadline := time.After(15 * time.Second)
	for {
		select {
		case res := <-w.view.results:
			for _, c := range res.Changes {
				if c.Resource == spec.Name() {
					return
				}
			}
		case <-w.view.snapshots:
		case <-deadline:
			t.Fatalf("a failure pushed when it ended, seen running by GetExecution then, not announced within 15 s (left to the reconcile refresh an hour later)")
		}
	}
}
