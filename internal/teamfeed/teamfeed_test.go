package teamfeed

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/poller/fakecloud"
	"runwatch/poller/fakecloud/fakepubsub"
	"runwatch/poller/lifecycle"
	"runwatch/team"
)

const testProject = "acme-ml"

// recorder is the watcher the feed drives.
type recorder struct {
	mu        sync.Mutex
	sightings []string
	states    []poller.TeamState
	errors    map[string]lifecycle.ErrorInfo
}

func (r *recorder) TakeError(resource string, info lifecycle.ErrorInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.errors == nil {
		r.errors = map[string]lifecycle.ErrorInfo{}
	}
	r.errors[resource] = info
}

func (r *recorder) errorOf(resource string) (lifecycle.ErrorInfo, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	info, ok := r.errors[resource]
	return info, ok
}

func (r *recorder) Sight(resources ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sightings = append(r.sightings, resources...)
}

func (r *recorder) SetTeam(st poller.TeamState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, st)
}

func (r *recorder) last() poller.TeamState {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.states) == 0 {
		return poller.TeamState{}
	}
	return r.states[len(r.states)-1]
}

func (r *recorder) sighted(resource string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.sightings, resource)
}

// waitFor polls cond until it holds or 15 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fakes starts the fake cloud with a Pub/Sub its sinks publish to; the
// test may stop the Pub/Sub with stop (pstest panics when closed twice).
func fakes(t *testing.T) (c *fakecloud.Cloud, ps *fakepubsub.Server, stop func()) {
	t.Helper()
	var err error
	c, err = fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ps = fakepubsub.Start()
	stop = sync.OnceFunc(func() { _ = ps.Close() })
	t.Cleanup(stop)
	c.SetSinkPublisher(ps.Publish)
	return c, ps, stop
}

// setUp does runwatch team setup against the fakes.
func setUp(t *testing.T, c *fakecloud.Cloud, ps *fakepubsub.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clients, err := team.NewClients(ctx, testProject, team.Endpoints{Logging: c.LoggingAddr(), PubSub: ps.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	defer clients.Close()
	if _, err := team.Setup(ctx, testProject, clients, false); err != nil {
		t.Fatal(err)
	}
}

// run runs a feed with short timings until the test ends.
func run(t *testing.T, opts Options) (*recorder, *Feed) {
	t.Helper()
	opts.ProbeEvery = 100 * time.Millisecond
	opts.ProbeTimeout = 200 * time.Millisecond
	opts.DeadAfter = 500 * time.Millisecond
	opts.FirstRetry = 100 * time.Millisecond
	opts.LastRetry = 400 * time.Millisecond
	opts.SetupTimeout = 2 * time.Second
	opts.Logf = t.Logf
	f := New(opts)
	r := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Run(ctx, poller.Config{Project: testProject, Team: true}.WithDefaults(), r)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return r, f
}

func TestAnExecutionsEndReachesTheWatcherThroughItsOwnSubscription(t *testing.T) {
	c, ps, _ := fakes(t)
	setUp(t, c, ps)
	dir := t.TempDir()
	r, f := run(t, Options{Dir: dir, Endpoint: ps.Addr()})
	waitFor(t, "live", func() bool { return r.last().Mode == poller.TeamLive })
	if f.RelayAlive() {
		t.Error("a relay alive before anyone said so")
	}
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-west3", Job: "vertex-ai-launcher", ID: "vertex-ai-launcher-x7k2p",
		State: fakecloud.Failed, Created: time.Now().Add(-time.Minute), Failure: fakecloud.ExitFailure(1, 0)}
	c.Put(spec)
	waitFor(t, "the sighting", func() bool { return r.sighted(spec.Name()) })

	id, err := team.ReadInstallation(dir)
	if err != nil || id == "" {
		t.Fatalf("installation %q, %v", id, err)
	}
	if _, err := os.Stat(filepath.Join(dir, team.InstallationFileName)); err != nil {
		t.Fatal(err)
	}
}

func TestWithoutSetupPubSubIsUnreachableUntilItIsSetUp(t *testing.T) {
	c, ps, _ := fakes(t)
	r, _ := run(t, Options{Dir: t.TempDir(), Endpoint: ps.Addr()})
	waitFor(t, "unreachable", func() bool { return r.last().Mode == poller.TeamUnreachable })
	if p := r.last().Problem; !strings.Contains(p, "runwatch team setup --project "+testProject) {
		t.Errorf("problem %q, want what to run", p)
	}
	setUp(t, c, ps)
	waitFor(t, "live once set up", func() bool { return r.last().Mode == poller.TeamLive })
}

func TestAStreamThatGoesSilentIsTakenForDead(t *testing.T) {
	c, ps, stop := fakes(t)
	setUp(t, c, ps)
	r, _ := run(t, Options{Dir: t.TempDir(), Endpoint: ps.Addr()})
	waitFor(t, "live", func() bool { return r.last().Mode == poller.TeamLive })
	stop()
	waitFor(t, "unreachable once the server is gone", func() bool { return r.last().Mode == poller.TeamUnreachable })
}

func TestUnreachableEndpointSaysSo(t *testing.T) {
	r, _ := run(t, Options{Dir: t.TempDir(), Endpoint: "127.0.0.1:1"})
	waitFor(t, "unreachable", func() bool { return r.last().Mode == poller.TeamUnreachable })
	if r.last().Problem == "" {
		t.Error("no problem said")
	}
}

func TestSeveralProjectsAreLiveOnlyAllTogether(t *testing.T) {
	r := &recorder{}
	s := &projectStates{w: r, by: map[string]poller.TeamState{}}
	s.set("a", poller.TeamState{Mode: poller.TeamLive})
	s.set("b", poller.TeamState{Mode: poller.TeamJoining})
	if r.last().Mode != poller.TeamJoining {
		t.Fatalf("%+v", r.last())
	}
	s.set("b", poller.TeamState{Mode: poller.TeamUnreachable, Problem: "no topic"})
	if got := r.last(); got.Mode != poller.TeamUnreachable || got.Problem != "b: no topic" {
		t.Fatalf("%+v", got)
	}
	s.set("b", poller.TeamState{Mode: poller.TeamLive})
	if r.last().Mode != poller.TeamLive {
		t.Fatalf("%+v", r.last())
	}
}

func TestARelaysErrorAndHeartbeatReachTheWatcher(t *testing.T) {
	c, ps, _ := fakes(t)
	setUp(t, c, ps)
	r, f := run(t, Options{Dir: t.TempDir(), Endpoint: ps.Addr()})
	waitFor(t, "live", func() bool { return r.last().Mode == poller.TeamLive })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client, err := team.NewPubSubClient(ctx, testProject, ps.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	publisher := team.ErrorsPublisher(client, testProject)
	defer publisher.Stop()
	resource := "projects/" + testProject + "/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-x7k2p"
	report := team.NewErrorReport(resource, lifecycle.ErrorInfo{Line: "ValueError: read by the relay", Source: "logs", Logs: lifecycle.LogsRead, Matched: -1})
	report.RelayID = "relay-test"
	if err := team.PublishError(ctx, publisher, report); err != nil {
		t.Fatal(err)
	}
	if err := team.PublishHeartbeat(ctx, publisher, team.Heartbeat{RelayID: "relay-test", Project: testProject, At: time.Now(), Every: time.Minute}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the relay's error", func() bool { _, ok := r.errorOf(resource); return ok })
	if info, _ := r.errorOf(resource); info.Line != "ValueError: read by the relay" {
		t.Fatalf("error taken %+v", info)
	}
	waitFor(t, "the relay taken for alive", f.RelayAlive)
}

// publishOnErrors publishes what a relay would on testProject's errors
// topic: each report, then each heartbeat.
func publishOnErrors(t *testing.T, ps *fakepubsub.Server, reports []team.ErrorReport, beats ...team.Heartbeat) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client, err := team.NewPubSubClient(ctx, testProject, ps.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	publisher := team.ErrorsPublisher(client, testProject)
	defer publisher.Stop()
	for _, r := range reports {
		if err := team.PublishError(ctx, publisher, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range beats {
		if err := team.PublishHeartbeat(ctx, publisher, h); err != nil {
			t.Fatal(err)
		}
	}
}

// A relay is alive while its heartbeats come: judged by when they reach
// this machine, not by the time the relay's clock wrote in them. A relay
// whose clock runs an hour ahead (or a message saying so: the topic is
// untrusted) must not count as alive for an hour after its last word.
func TestAHeartbeatFromTheFutureDoesNotKeepADeadRelayAlive(t *testing.T) {
	c, ps, _ := fakes(t)
	setUp(t, c, ps)
	r, f := run(t, Options{Dir: t.TempDir(), Endpoint: ps.Addr()})
	waitFor(t, "live", func() bool { return r.last().Mode == poller.TeamLive })
	const every = 100 * time.Millisecond // alive for 3 periods after the last heartbeat
	publishOnErrors(t, ps, nil, team.Heartbeat{RelayID: "skewed-relay", Project: testProject, At: time.Now().Add(time.Hour), Every: every})
	waitFor(t, "the relay taken for alive", f.RelayAlive)
	time.Sleep(time.Second) // ten periods without a word
	if f.RelayAlive() {
		t.Fatalf("a relay silent for 10 heartbeat periods still counts as alive: its one heartbeat said it was sent an hour from now")
	}
}

// The errors topic of a project carries its relay's errors, of that
// project's executions: a message is untrusted, and one naming another
// project's execution sets nobody's error. Taken by an app watching both,
// it would give another project's failure a line nobody read from its
// logs, and its logs would never be read.
func TestARelaysErrorOfAnotherProjectsExecutionIsNotTaken(t *testing.T) {
	c, ps, _ := fakes(t)
	setUp(t, c, ps)
	r, _ := run(t, Options{Dir: t.TempDir(), Endpoint: ps.Addr()})
	waitFor(t, "live", func() bool { return r.last().Mode == poller.TeamLive })
	info := lifecycle.ErrorInfo{Line: "ValueError: forged", Source: "logs", Logs: lifecycle.LogsRead, Matched: -1}
	foreign := "projects/other-project/locations/us-west3/jobs/billing/executions/billing-abc12"
	own := "projects/" + testProject + "/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-x7k2p"
	publishOnErrors(t, ps, []team.ErrorReport{
		team.NewErrorReport(foreign, info),
		team.NewErrorReport(own, info),
	})
	waitFor(t, "the project's own error", func() bool { _, ok := r.errorOf(own); return ok })
	time.Sleep(300 * time.Millisecond) // the others, had they come later
	if got, ok := r.errorOf(foreign); ok {
		t.Errorf("%s's errors topic gave %s the error %q", testProject, foreign, got.Line)
	}
}
