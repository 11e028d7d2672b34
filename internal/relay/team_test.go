package relay

// The bar relay-reads-once: a relay and three people's apps (each its own
// memory, storage and subscriptions, in team mode, polling every 10
// minutes); one failure reaches all three with its error line, and Cloud
// Logging sees at most 2 requests in all: the relay reads the logs once,
// the apps take its error.

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"runwatch/internal/teamfeed"
	"runwatch/poller"
	"runwatch/poller/lifecycle"
)

// appView records what an app's watcher hands on: each change announced
// with its error line, and how team mode goes.
type appView struct {
	mu      sync.Mutex
	changes map[string]string // resource → kind: error line
	team    poller.TeamMode
}

func (v *appView) Apply(res poller.Result) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, c := range res.Changes {
		v.changes[c.Resource] = string(c.Kind) + ": " + c.Record.Error.Line
	}
	v.team = res.Snapshot.Team.Mode
}
func (v *appView) ShowSnapshot(snap poller.Snapshot, _ error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.team = snap.Team.Mode
}
func (v *appView) SetProblem(string)         {}
func (v *appView) SetInterval(time.Duration) {}

func (v *appView) said(resource string) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.changes[resource]
}

func (v *appView) live() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.team == poller.TeamLive
}

// startApp runs one person's app: a watcher in team mode with its own
// memory and storage, fed by its own subscriptions.
func (w *world) startApp(t *testing.T) *appView {
	t.Helper()
	dir := t.TempDir()
	view := &appView{changes: map[string]string{}}
	feed := teamfeed.New(teamfeed.Options{Dir: dir, Endpoint: w.ps.Addr(), Logf: t.Logf})
	connect := func(ctx context.Context, cfg poller.Config) (poller.Config, poller.Clients, error) {
		clients, err := poller.NewClients(ctx, poller.Endpoints{Run: w.cloud.RunAddr(), Logging: w.cloud.LoggingAddr()})
		return cfg, clients, err
	}
	store := poller.NewFileStore(filepath.Join(dir, poller.MemoryFileName))
	watcher := poller.NewWatcher(view, connect, store, poller.Options{RelayAlive: feed.RelayAlive, RelayGrace: 20 * time.Second})
	watcher.UseFeed(feed.Run)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		watcher.Run(ctx, poller.Config{Project: testProject, Job: testJob, Regions: []string{testRegion, "us-east1"},
			Interval: 10 * time.Minute, Team: true}.WithDefaults())
	}()
	t.Cleanup(func() { cancel(); <-done })
	return view
}

func TestRelayAndThreeAppsOneFailureReachesAllWithTwoLogRequestsAtMost(t *testing.T) {
	w := newWorld(t)
	w.startRelay(t, Config{HeartbeatEvery: 300 * time.Millisecond, RetryEvery: 200 * time.Millisecond})
	apps := []*appView{w.startApp(t), w.startApp(t), w.startApp(t)}
	waitFor(t, "three apps in team mode", 20*time.Second, func() bool {
		return !slices.ContainsFunc(apps, func(a *appView) bool { return !a.live() })
	})
	time.Sleep(time.Second) // a heartbeat: the apps know the relay lives
	spec := w.fail(testJob+"-t3am1", "RuntimeError: CUDA error: out of memory")
	for i, a := range apps {
		waitFor(t, "the failure in every app", 15*time.Second, func() bool { return a.said(spec.Name()) != "" })
		if got := a.said(spec.Name()); got != string(lifecycle.NewFailure)+": RuntimeError: CUDA error: out of memory" {
			t.Errorf("app %d announced %q", i, got)
		}
	}
	var logReads []string
	for _, r := range w.cloud.LogRequests() {
		logReads = append(logReads, r.GetFilter())
	}
	if len(logReads) > 2 {
		t.Fatalf("%d Cloud Logging requests, want at most 2:\n%s", len(logReads), strings.Join(logReads, "\n"))
	}
	t.Logf("Cloud Logging requests in all: %d", len(logReads))
}
