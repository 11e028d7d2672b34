package poller

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
)

// recordingView records what the watcher asks of the UI.
type recordingView struct {
	mu        sync.Mutex
	results   chan Result
	snapshots chan Snapshot
	problems  chan string
	interval  time.Duration
}

func newRecordingView() *recordingView {
	return &recordingView{results: make(chan Result, 100), snapshots: make(chan Snapshot, 10), problems: make(chan string, 10)}
}

func (v *recordingView) Apply(r Result)                   { v.results <- r }
func (v *recordingView) ShowSnapshot(s Snapshot, _ error) { v.snapshots <- s }
func (v *recordingView) SetProblem(p string)              { v.problems <- p }
func (v *recordingView) SetInterval(d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.interval = d
}

func next[T any](t *testing.T, ch chan T, what string) T {
	t.Helper()
	select {
	case x := <-ch:
		return x
	case <-time.After(15 * time.Second):
		t.Fatalf("no %s within 15 s", what)
		panic("unreachable")
	}
}

// watchHarness runs a Watcher against the fake cloud, counting connections.
type watchHarness struct {
	h        *harness
	view     *recordingView
	watcher  *Watcher
	connects atomic.Int32
	refuse   atomic.Bool // connect fails, as without credentials
}

// startWatcher runs a watcher; refuse: connecting fails until w.refuse is
// cleared.
func startWatcher(t *testing.T, cfg Config, refuse bool) *watchHarness {
	return startWatcherWith(t, cfg, refuse, Options{}, nil)
}

// startWatcherWith runs a watcher with opts and, for team mode, feed.
func startWatcherWith(t *testing.T, cfg Config, refuse bool, opts Options, feed Feed) *watchHarness {
	h := newHarness(t)
	w := &watchHarness{h: h, view: newRecordingView()}
	w.refuse.Store(refuse)
	connect := func(ctx context.Context, cfg Config) (Config, Clients, error) {
		w.connects.Add(1)
		if w.refuse.Load() {
			return cfg, Clients{}, errors.New("no Google Cloud credentials")
		}
		clients, err := NewClients(ctx, Endpoints{Run: h.cloud.RunAddr(), Logging: h.cloud.LoggingAddr()})
		return cfg, clients, err
	}
	opts.LogReadTimeout = 2 * time.Second
	w.watcher = NewWatcher(w.view, connect, h.store, opts)
	if feed != nil {
		w.watcher.UseFeed(feed)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.watcher.Run(ctx, cfg); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

func TestWatcherAppliesEveryRefreshAndFollowsNewSettings(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Interval: MinInterval}
	w := startWatcher(t, cfg, false)
	w.h.put("us-central1", "a", fakecloud.Succeeded, time.Minute)
	first := next(t, w.view.results, "first result")
	if first.Snapshot.Project != testProject || len(first.Snapshot.RegionErrors) != 0 {
		t.Fatalf("first result %+v", first.Snapshot)
	}
	w.h.put("europe-west4", "b", fakecloud.Succeeded, time.Minute)
	cfg.Regions = []string{"europe-west4"}
	w.watcher.Reconfigure(cfg)
	for {
		res := next(t, w.view.results, "a result with the new settings")
		if len(res.Snapshot.Executions) == 1 && res.Snapshot.Executions[0].Region == "europe-west4" {
			break
		}
	}
	w.view.mu.Lock()
	defer w.view.mu.Unlock()
	if w.view.interval != MinInterval {
		t.Fatalf("interval %v", w.view.interval)
	}
}

// Defect 7 of issue 7: refused credentials were never rebuilt.
func TestWatcherRebuildsRefusedCredentials(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Interval: MinInterval}
	w := startWatcher(t, cfg, false)
	next(t, w.view.results, "first result")
	w.h.cloud.SetRegionError("us-central1", status.Error(codes.Unauthenticated, "Request had invalid authentication credentials."))
	for res := next(t, w.view.results, "a refused refresh"); !res.Snapshot.Unauthenticated; res = next(t, w.view.results, "a refused refresh") {
	}
	before := w.connects.Load()
	w.h.cloud.ClearRegionFaults("us-central1")
	for res := next(t, w.view.results, "a result after reconnecting"); res.Snapshot.Unauthenticated; res = next(t, w.view.results, "a result after reconnecting") {
	}
	if w.connects.Load() <= before {
		t.Fatal("refused credentials were not rebuilt")
	}
	// Refresh now rebuilds them too.
	before = w.connects.Load()
	w.watcher.RefreshNow()
	next(t, w.view.results, "a result after Refresh now")
	next(t, w.view.results, "a result after Refresh now")
	if w.connects.Load() <= before {
		t.Fatal("Refresh now did not rebuild the credentials")
	}
}

func TestWatcherSaysWhyItCannotConnectAndRetriesOnRefreshNow(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Interval: time.Hour}
	w := startWatcher(t, cfg, true)
	if p := next(t, w.view.problems, "a problem"); !strings.Contains(p, "credentials") {
		t.Fatalf("problem %q", p)
	}
	w.refuse.Store(false)
	w.watcher.RefreshNow()
	next(t, w.view.results, "a result once credentials are there")
}

func TestWatcherAcknowledgesOffTheCallersGoroutine(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Interval: time.Hour}
	w := startWatcher(t, cfg, false)
	bad := w.h.failWith("us-central1", "bad", time.Minute, "ValueError: x")
	res := next(t, w.view.results, "first result")
	if len(res.Snapshot.Executions) != 1 || res.Snapshot.Executions[0].Acknowledged {
		t.Fatalf("first result %+v", res.Snapshot.Executions)
	}
	w.watcher.Acknowledge(bad.Build().GetName())
	snap := next(t, w.view.snapshots, "the picture after acknowledging")
	if !snap.Executions[0].Acknowledged {
		t.Fatal("not shown acknowledged")
	}
	w.watcher.Snooze(time.Now().Add(time.Hour))
	if snap := next(t, w.view.snapshots, "the picture after snoozing"); snap.SnoozedUntil.IsZero() {
		t.Fatal("not shown snoozed")
	}
}

// Refresh now rebuilds the credentials, yet the rows of a region that is not
// answering stay, marked stale, instead of vanishing: the watcher keeps one
// poller, and its last listings, across reconnections.
// Found by the review of issue 7.
func TestRefreshNowKeepsTheRowsOfARegionNotAnswering(t *testing.T) {
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

// Acknowledge and Snooze pressed while the watcher reconnects (after
// Refresh now, a wake, while credentials fail) are not dropped: they reach
// the memory at once, the picture with them is shown, and the next refresh
// keeps them.
func TestActionsWhileReconnectingAreNotLost(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Interval: time.Hour}
	w := startWatcher(t, cfg, false)
	bad := w.h.failWith("us-central1", "bad", time.Minute, "ValueError: x")
	// The first refresh may come before the failure is put.
	for res := next(t, w.view.results, "first result"); len(res.Snapshot.Executions) == 0; res = next(t, w.view.results, "a result with the failure") {
		w.watcher.RefreshNow()
	}
	w.refuse.Store(true) // the credentials stop working
	w.watcher.RefreshNow()
	next(t, w.view.problems, "the problem while reconnecting")

	w.watcher.Acknowledge(bad.Build().GetName())
	if snap := next(t, w.view.snapshots, "the picture after acknowledging"); len(snap.Executions) != 1 || !snap.Executions[0].Acknowledged {
		t.Fatalf("acknowledged while reconnecting, shown %+v", snap.Executions)
	}
	until := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	w.watcher.Snooze(until)
	if snap := next(t, w.view.snapshots, "the picture after snoozing"); !snap.SnoozedUntil.Equal(until) {
		t.Fatalf("snoozed while reconnecting, shown snoozed until %v", snap.SnoozedUntil)
	}
	if file := w.h.memoryFile(); !strings.Contains(file, until.UTC().Format(time.RFC3339)) {
		t.Fatalf("the snooze is not in the memory:\n%s", file)
	}

	w.refuse.Store(false)
	w.watcher.RefreshNow()
	res := next(t, w.view.results, "a result once connected again")
	if len(res.Snapshot.Executions) != 1 || !res.Snapshot.Executions[0].Acknowledged || !res.Snapshot.SnoozedUntil.Equal(until) {
		t.Fatalf("after reconnecting: %+v, snoozed until %v", res.Snapshot.Executions, res.Snapshot.SnoozedUntil)
	}
}

// A snooze pressed before the watcher ever connected (no credentials since
// the start) waits for the poller and governs its first refresh.
func TestSnoozeBeforeTheFirstConnectionIsNotLost(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Interval: time.Hour}
	w := startWatcher(t, cfg, true)
	next(t, w.view.problems, "the problem before connecting")
	until := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	w.watcher.Snooze(until)
	w.refuse.Store(false)
	w.watcher.RefreshNow()
	if snap := next(t, w.view.snapshots, "the picture after snoozing"); !snap.SnoozedUntil.Equal(until) {
		t.Fatalf("shown snoozed until %v", snap.SnoozedUntil)
	}
	if res := next(t, w.view.results, "the first result"); !res.Snapshot.SnoozedUntil.Equal(until) {
		t.Fatalf("first refresh snoozed until %v, want %v", res.Snapshot.SnoozedUntil, until)
	}
}

// A person's action on Cloud Run uses the watcher's connection: none
// before the first, its clients once connected.
func TestWatcherLendsItsClientsOnceConnected(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Interval: time.Hour}
	w := startWatcher(t, cfg, true)
	next(t, w.view.problems, "a problem")
	if _, err := w.watcher.Clients(); err == nil {
		t.Fatal("clients before any connection")
	}
	w.refuse.Store(false)
	w.watcher.RefreshNow()
	next(t, w.view.results, "a result once connected")
	clients, err := w.watcher.Clients()
	if err != nil || clients.Run == nil || clients.Jobs == nil {
		t.Fatalf("clients %+v, %v", clients, err)
	}
}

// Refresh after a person's action refreshes with the clients there are:
// no reconnection closes those another action may be using.
func TestRefreshKeepsTheClients(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Interval: time.Hour}
	w := startWatcher(t, cfg, false)
	next(t, w.view.results, "first result")
	before := w.connects.Load()
	w.watcher.Refresh()
	next(t, w.view.results, "a result after Refresh")
	if n := w.connects.Load(); n != before {
		t.Fatalf("Refresh connected again (%d connections, were %d)", n, before)
	}
}

// A person's action while the watcher cannot reconnect (credentials
// refused since Refresh now) gets no clients the watcher closed: it is
// told why there is no connection, not "grpc: the client connection is
// closing" from clients Clients still lends after closing them.
func TestClientsWhileTheWatcherCannotReconnectAreNotClosedOnes(t *testing.T) {
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-west3"}, Interval: time.Hour}
	w := startWatcher(t, cfg, false)
	resource := w.h.putAction(testJob+"-x7k2p", fakecloud.Failed, time.Hour)
	next(t, w.view.results, "first result")
	w.refuse.Store(true) // the credentials go (revoked, expired)
	w.watcher.RefreshNow()
	if p := next(t, w.view.problems, "the reconnection's problem"); p != "no Google Cloud credentials" {
		t.Fatalf("problem %q", p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clients, err := w.watcher.Clients()
	if err == nil {
		_, err = RunAgain(ctx, clients, resource, false)
	}
	if err != nil && strings.Contains(err.Error(), "client connection is closing") {
		t.Fatalf("run again while the watcher cannot connect: %q; Clients lent the clients it closed (want why it is not connected: no Google Cloud credentials)", err)
	}
}
