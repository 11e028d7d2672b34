package relay

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/poller/fakecloud"
	"runwatch/poller/fakecloud/fakepubsub"
	"runwatch/team"
)

const (
	testProject = "acme-ml"
	testJob     = "vertex-ai-launcher"
	testRegion  = "us-west3"
)

// world is a fake cloud whose sink publishes to a fake Pub/Sub set up for
// team mode, and the real clients pointed at them.
type world struct {
	cloud   *fakecloud.Cloud
	ps      *fakepubsub.Server
	team    team.Clients
	clients poller.Clients
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ps := fakepubsub.Start()
	t.Cleanup(func() { _ = ps.Close() })
	c.SetSinkPublisher(ps.Publish)
	t.Setenv("PUBSUB_EMULATOR_HOST", ps.Addr())
	ctx := testContext(t)
	tc, err := team.NewClients(ctx, testProject, team.Endpoints{Logging: c.LoggingAddr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tc.Close() })
	if _, err := team.Setup(ctx, testProject, tc, false); err != nil {
		t.Fatal(err)
	}
	pc, err := poller.NewClients(ctx, poller.Endpoints{Run: c.RunAddr(), Logging: c.LoggingAddr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	return &world{cloud: c, ps: ps, team: tc, clients: pc}
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// syncBuffer is a log the relay writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRelay runs a relay as runwatch relay makes it (its own
// subscription, a ReadOnly poller over every job with a memory of its
// own) until the test ends.
func (w *world) startRelay(t *testing.T, cfg Config) *syncBuffer {
	t.Helper()
	ctx := testContext(t)
	sub, err := team.EnsureSubscription(ctx, w.team.PubSub, testProject, "relay-test")
	if err != nil {
		t.Fatal(err)
	}
	regions := []string{testRegion, "us-east1"}
	p := poller.New(poller.Config{Project: testProject, AllJobs: true, Regions: regions, Top: 1},
		w.clients, &poller.MemoryOnly{}, poller.Options{ReadOnly: true, LogReadTimeout: 5 * time.Second})
	publisher := team.ErrorsPublisher(w.team.PubSub, testProject)
	t.Cleanup(publisher.Stop)
	var log syncBuffer
	cfg.Project, cfg.Regions, cfg.Subscription, cfg.RelayID, cfg.Log = testProject, regions, sub, "relay-test", &log
	r := New(cfg, p, w.team.PubSub, publisher)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return &log
}

// listen collects what arrives on an app's subscription to the errors
// topic until the test ends.
type listen struct {
	mu         sync.Mutex
	reports    []team.ErrorReport
	heartbeats []team.Heartbeat
}

func (w *world) listen(t *testing.T) *listen {
	t.Helper()
	ctx := testContext(t)
	sub, err := team.EnsureErrorsSubscription(ctx, w.team.PubSub, testProject, team.NewInstallationID())
	if err != nil {
		t.Fatal(err)
	}
	l := &listen{}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- team.ReceiveErrors(runCtx, w.team.PubSub, sub,
			func(r team.ErrorReport) { l.mu.Lock(); l.reports = append(l.reports, r); l.mu.Unlock() },
			func(h team.Heartbeat) { l.mu.Lock(); l.heartbeats = append(l.heartbeats, h); l.mu.Unlock() })
	}()
	t.Cleanup(func() { stop(); <-done })
	return l
}

func (l *listen) counts() (reports, heartbeats int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reports), len(l.heartbeats)
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fail ends an execution in failure, its log ending with errLine, as
// Cloud Run would: the logs first, then the end (which the sink
// publishes).
func (w *world) fail(id, errLine string) fakecloud.ExecutionSpec {
	created := time.Now().Add(-2 * time.Minute).Truncate(time.Second)
	at := created.Add(10 * time.Second)
	w.cloud.SetLogs(testProject, testJob, id, []fakecloud.LogLine{
		{Time: at, Text: "⏳ Monitoring for fatal errors..."},
		{Time: at.Add(time.Second), Text: errLine, Severity: "ERROR"},
		{Time: at.Add(2 * time.Second), Text: "Container called exit(1)."},
	})
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: testRegion, Job: testJob, ID: id,
		State: fakecloud.Failed, Created: created, Failure: fakecloud.ExitFailure(1, 0)}
	w.cloud.Put(spec)
	return spec
}

func TestRelayPublishesAFailuresErrorOnceReadingTheLogsOnce(t *testing.T) {
	w := newWorld(t)
	app := w.listen(t)
	log := w.startRelay(t, Config{HeartbeatEvery: 300 * time.Millisecond, RetryEvery: 200 * time.Millisecond})
	waitFor(t, "the relay's first heartbeat", 10*time.Second, func() bool { _, h := app.counts(); return h >= 1 })

	spec := w.fail(testJob+"-x7k2p", "RuntimeError: CUDA error: out of memory")
	waitFor(t, "the error report", 10*time.Second, func() bool { r, _ := app.counts(); return r >= 1 })
	app.mu.Lock()
	r := app.reports[0]
	app.mu.Unlock()
	if r.Execution != spec.Name() || !strings.Contains(r.Line, "CUDA error: out of memory") || r.Source != "logs" ||
		r.Logs != "read" || r.Job != testJob || r.Region != testRegion || r.Project != testProject ||
		r.ExitCode == nil || *r.ExitCode != 1 || r.RelayID != "relay-test" || r.Fingerprint == "" ||
		r.Matched < 0 || !strings.Contains(r.Context[r.Matched], "CUDA error") {
		t.Errorf("report %+v", r)
	}
	if n := len(w.cloud.LogRequests()); n > 2 {
		t.Errorf("%d log requests, want at most 2", n)
	}
	if !strings.Contains(log.String(), "published the error of "+spec.Name()+": RuntimeError: CUDA error") {
		t.Errorf("log %q", log.String())
	}

	// The same event delivered again publishes nothing more.
	var again []byte
	for _, m := range w.ps.Messages() {
		if ev, err := team.DecodeEvent(m.Data); err == nil && ev.Resource == spec.Name() {
			again = m.Data
		}
	}
	if again == nil {
		t.Fatal("the sink's message is not on the executions topic")
	}
	if err := w.ps.Publish(testContext(t), team.TopicName(testProject, team.ExecutionsTopic), again); err != nil {
		t.Fatal(err)
	}
	_, beats := app.counts()
	// Two more heartbeats: the relay took the redelivered event meanwhile.
	waitFor(t, "two more heartbeats", 10*time.Second, func() bool { _, h := app.counts(); return h >= beats+2 })
	if n, _ := app.counts(); n != 1 {
		t.Errorf("%d error reports after the event came twice, want 1", n)
	}
	if n := len(w.cloud.LogRequests()); n > 2 {
		t.Errorf("%d log requests after the event came twice, want at most 2", n)
	}
	if errorMessages(w.ps) != 1 {
		t.Errorf("%d error reports on the errors topic, want 1", errorMessages(w.ps))
	}
}

func TestRelayWaitsForLogsThatAreNotThereYet(t *testing.T) {
	w := newWorld(t)
	app := w.listen(t)
	w.startRelay(t, Config{HeartbeatEvery: time.Second, RetryEvery: 100 * time.Millisecond})
	waitFor(t, "the relay's first heartbeat", 10*time.Second, func() bool { _, h := app.counts(); return h >= 1 })
	// The end arrives before the logs.
	created := time.Now().Add(-time.Minute).Truncate(time.Second)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: testRegion, Job: testJob, ID: testJob + "-late1",
		State: fakecloud.Failed, Created: created, Failure: fakecloud.ExitFailure(1, 0)}
	w.cloud.Put(spec)
	time.Sleep(500 * time.Millisecond)
	if n, _ := app.counts(); n != 0 {
		t.Fatalf("%d reports before the logs came", n)
	}
	w.cloud.SetLogs(testProject, testJob, spec.ID, []fakecloud.LogLine{
		{Time: created.Add(10 * time.Second), Text: "KeyError: 'shard'", Severity: "ERROR"},
	})
	// The poller reads them again after its first back-off (15 s).
	waitFor(t, "the error report", 25*time.Second, func() bool { r, _ := app.counts(); return r == 1 })
	app.mu.Lock()
	defer app.mu.Unlock()
	if r := app.reports[0]; r.Execution != spec.Name() || !strings.Contains(r.Line, "KeyError") {
		t.Errorf("report %+v", r)
	}
}

// errorMessages counts the error reports published on the fake, whoever
// received them.
func errorMessages(ps *fakepubsub.Server) int {
	n := 0
	for _, m := range ps.Messages() {
		if m.Attributes[team.KindAttribute] == team.KindError {
			n++
		}
	}
	return n
}

func TestRelayLeavesFailuresOfRegionsItDoesNotWatchAlone(t *testing.T) {
	w := newWorld(t)
	app := w.listen(t)
	w.startRelay(t, Config{HeartbeatEvery: 200 * time.Millisecond, RetryEvery: 100 * time.Millisecond})
	waitFor(t, "the relay's first heartbeat", 10*time.Second, func() bool { _, h := app.counts(); return h >= 1 })
	created := time.Now().Add(-time.Minute).Truncate(time.Second)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "europe-west1", Job: testJob, ID: testJob + "-eu1",
		State: fakecloud.Failed, Created: created, Failure: fakecloud.ExitFailure(1, 0)}
	w.cloud.SetLogs(testProject, testJob, spec.ID, []fakecloud.LogLine{{Time: created.Add(time.Second), Text: "KeyError: 'x'", Severity: "ERROR"}})
	w.cloud.Put(spec)
	_, beats := app.counts()
	waitFor(t, "three more heartbeats", 10*time.Second, func() bool { _, h := app.counts(); return h >= beats+3 })
	if n, _ := app.counts(); n != 0 || len(w.cloud.LogRequests()) != 0 {
		t.Errorf("%d reports, %d log requests for a region not watched", n, len(w.cloud.LogRequests()))
	}
}

// runRelay runs a relay as startRelay does (the same subscription, a
// fresh memory: a restarted process) until stop is called.
func (w *world) runRelay(t *testing.T, cfg Config) (stop func()) {
	t.Helper()
	ctx := testContext(t)
	sub, err := team.EnsureSubscription(ctx, w.team.PubSub, testProject, "relay-test")
	if err != nil {
		t.Fatal(err)
	}
	regions := []string{testRegion, "us-east1"}
	p := poller.New(poller.Config{Project: testProject, AllJobs: true, Regions: regions, Top: 1},
		w.clients, &poller.MemoryOnly{}, poller.Options{ReadOnly: true, LogReadTimeout: 5 * time.Second})
	publisher := team.ErrorsPublisher(w.team.PubSub, testProject)
	cfg.Project, cfg.Regions, cfg.Subscription, cfg.RelayID, cfg.Log = testProject, regions, sub, "relay-test", &syncBuffer{}
	r := New(cfg, p, w.team.PubSub, publisher)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			publisher.Stop()
		})
	}
	t.Cleanup(stop)
	return stop
}

// A relay acknowledges a failure's event as soon as it took it, though
// its error is published only once its logs are there (up to 10 minutes
// later). Restarted meanwhile (a new revision, Cloud Run moving the
// instance), it must still publish that error: nothing will deliver the
// event again, and every app would read the logs itself.
func TestRelayRestartedBeforeAFailuresLogsCameStillPublishesItsError(t *testing.T) {
	w := newWorld(t)
	app := w.listen(t)
	stop := w.runRelay(t, Config{HeartbeatEvery: 200 * time.Millisecond, RetryEvery: 100 * time.Millisecond})
	waitFor(t, "the relay's first heartbeat", 10*time.Second, func() bool { _, h := app.counts(); return h >= 1 })
	created := time.Now().Add(-time.Minute).Truncate(time.Second)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: testRegion, Job: testJob, ID: testJob + "-rs1",
		State: fakecloud.Failed, Created: created, Failure: fakecloud.ExitFailure(1, 0)}
	w.cloud.Put(spec) // the end comes before the logs
	waitFor(t, "the relay looking for the logs", 10*time.Second, func() bool { return len(w.cloud.LogRequests()) >= 1 })
	stop()

	w.cloud.SetLogs(testProject, testJob, spec.ID, []fakecloud.LogLine{
		{Time: created.Add(10 * time.Second), Text: "KeyError: 'shard'", Severity: "ERROR"},
	})
	w.runRelay(t, Config{HeartbeatEvery: 200 * time.Millisecond, RetryEvery: 100 * time.Millisecond})
	deadline := time.Now().Add(25 * time.Second) // past the poller's first back-off (15 s)
	for n, _ := app.counts(); n == 0; n, _ = app.counts() {
		if time.Now().After(deadline) {
			t.Fatalf("no error report of %s 25 s after the relay restarted: its event was acknowledged before its error was published", spec.Name())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
