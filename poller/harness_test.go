package poller

// The harness and the helpers the poller's tests share: a fake cloud over
// gRPC with the real clients connected to it, a store in a temporary
// directory, a clock the test moves, and ways to add executions and read
// what a refresh announced.

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
)

const (
	testProject = "acme-ml-prod"
	testJob     = "vertex-ai-launcher"
)

// t0 is the tests' "now" at start; executions are created before it.
var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// harness is a fake cloud, the real clients connected to it, a store and a
// clock the test moves.
type harness struct {
	t       *testing.T
	cloud   *fakecloud.Cloud
	clients Clients
	store   *FileStore
	mu      sync.Mutex
	now     time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clients, err := NewClients(ctx, Endpoints{Run: cloud.RunAddr(), Logging: cloud.LoggingAddr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { clients.Close() })
	return &harness{t: t, cloud: cloud, clients: clients, store: NewFileStore(filepath.Join(t.TempDir(), MemoryFileName)), now: t0}
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

func (h *harness) poller(regions ...string) *Poller {
	return h.pollerWith(Options{}, regions...)
}

func (h *harness) pollerWith(opts Options, regions ...string) *Poller {
	opts.Now = h.clock
	opts.LogReadTimeout = cmp.Or(opts.LogReadTimeout, 2*time.Second)
	cfg := Config{Project: testProject, Job: testJob, Regions: regions, Top: 5}
	return New(cfg, h.clients, h.store, opts)
}

func (h *harness) refresh(p *Poller) Result {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.Refresh(ctx)
}

// put adds an execution created ago before t0, ended 1 minute later.
func (h *harness) put(region, id string, state fakecloud.State, ago time.Duration) fakecloud.ExecutionSpec {
	created := t0.Add(-ago)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: region, Job: testJob, ID: id, State: state,
		Created: created, Started: created.Add(5 * time.Second), Completed: created.Add(time.Minute)}
	h.cloud.PutExecution(spec.Build())
	return spec
}

// failWith adds a failed execution whose log ends with errLine.
func (h *harness) failWith(region, id string, ago time.Duration, errLine string) fakecloud.ExecutionSpec {
	spec := h.put(region, id, fakecloud.Failed, ago)
	at := spec.Created.Add(10 * time.Second)
	h.cloud.SetLogs(testProject, testJob, id, []fakecloud.LogLine{
		{Time: at, Text: "⏳ Monitoring for fatal errors..."},
		{Time: at.Add(time.Second), Text: errLine, Severity: "ERROR"},
		{Time: at.Add(2 * time.Second), Text: "Container called exit(1)."},
	})
	return spec
}

// memoryFile is what the store holds, as text.
func (h *harness) memoryFile() string {
	data, _ := os.ReadFile(h.store.Path())
	return string(data)
}

// announced names the changes of a refresh as kind:name, snooze summary
// included (as missed:kind:name).
func announced(res Result) string {
	var out []string
	for _, c := range res.Changes {
		out = append(out, string(c.Kind)+":"+shortName(c.Resource))
	}
	for _, c := range res.Missed {
		out = append(out, "missed:"+string(c.Kind)+":"+shortName(c.Resource))
	}
	return strings.Join(out, " ")
}

func names(execs []Execution) []string {
	var out []string
	for _, e := range execs {
		out = append(out, e.Name)
	}
	return out
}

// failed puts a failed execution, with its tasks, ended a minute after it
// was created ago before t0.
func (h *harness) failed(region, id string, ago time.Duration, f *fakecloud.Failure) fakecloud.ExecutionSpec {
	created := t0.Add(-ago)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: region, Job: testJob, ID: id, State: fakecloud.Failed,
		Created: created, Started: created.Add(5 * time.Second), Completed: created.Add(time.Minute), Failure: f}
	h.cloud.Put(spec)
	return spec
}

// failedSpec is a failed execution of the test job with tasks tasks.
func failedSpec(id string, tasks int32, f *fakecloud.Failure) fakecloud.ExecutionSpec {
	return fakecloud.ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: id,
		State: fakecloud.Failed, Created: t0, Tasks: tasks, Failure: f}
}
