package tray

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/testenv"
	"runwatch/poller"
	"runwatch/poller/fakecloud"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
)

const (
	actionProject = "p"
	actionRegion  = "us-west3"
	actionJob     = "vertex-ai-launcher"
)

// actionHarness is a tray loop whose watcher lends real clients of a fake
// cloud, answering over the instance socket as the tray process does.
type actionHarness struct {
	*harness
	cloud *fakecloud.Cloud
	app   ipc.Client
}

func startActionTray(t *testing.T) *actionHarness {
	t.Helper()
	testenv.PrivateDirs(t)
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	clients, err := poller.NewClients(context.Background(), poller.Endpoints{Run: cloud.RunAddr(), Logging: cloud.LoggingAddr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { clients.Close() })
	h := startTray(t)
	h.watch.mu.Lock()
	h.watch.clients = clients
	h.watch.mu.Unlock()
	a := &actionHarness{harness: h, cloud: cloud, app: ipc.App(false)}
	serveTray(t, a.app, h.tray)
	return a
}

// serveTray answers as the tray process until the test ends.
func serveTray(t *testing.T, c ipc.Client, tray *Tray) {
	t.Helper()
	srv, err := instance.Listen(c.Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = ipc.Serve(ctx, srv, tray.Handlers()); close(done) }()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })
}

// put makes an execution of the launcher in the fake cloud and returns
// its resource name.
func (a *actionHarness) put(id string, st fakecloud.State) string {
	a.cloud.Put(fakecloud.ExecutionSpec{Project: actionProject, Region: actionRegion, Job: actionJob, ID: id, State: st, Created: time.Now().Add(-10 * time.Minute)})
	return "projects/" + actionProject + "/locations/" + actionRegion + "/jobs/" + actionJob + "/executions/" + id
}

func (a *actionHarness) refreshes() int {
	a.watch.mu.Lock()
	defer a.watch.mu.Unlock()
	return a.watch.refreshes
}

func callContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ipc.ActionWait)
	t.Cleanup(cancel)
	return ctx
}

// Run again asked of the tray process makes one RunJob of the execution's
// job with the clients it polls with, answers with the new execution, and
// refreshes so it shows.
func TestRunAgainAskedOfTheTrayProcessMakesOneRunJobAndRefreshes(t *testing.T) {
	a := startActionTray(t)
	resource := a.put(actionJob+"-x7k2p", fakecloud.Failed)
	started, err := a.app.RunAgain(callContext(t), resource, false)
	if err != nil {
		t.Fatal(err)
	}
	reqs := a.cloud.RunJobRequests()
	if len(reqs) != 1 || reqs[0].GetName() != "projects/p/locations/us-west3/jobs/vertex-ai-launcher" || reqs[0].GetOverrides() != nil {
		t.Fatalf("RunJob requests %v", reqs)
	}
	if started == resource || mustParse(t, started).Job != actionJob {
		t.Errorf("started %q", started)
	}
	if n := a.refreshes(); n != 1 {
		t.Errorf("%d refreshes after running again, want 1", n)
	}
}

// Cancel asked of the tray process makes one CancelExecution and
// refreshes; a refusal comes back in Cloud Run's words for a person, and
// refreshes nothing.
func TestCancelAskedOfTheTrayProcessMakesOneCancelExecution(t *testing.T) {
	a := startActionTray(t)
	resource := a.put(actionJob+"-r1", fakecloud.Running)
	if err := a.app.Cancel(callContext(t), resource); err != nil {
		t.Fatal(err)
	}
	if reqs := a.cloud.CancelExecutionRequests(); len(reqs) != 1 || reqs[0].GetName() != resource {
		t.Fatalf("CancelExecution requests %v", reqs)
	}
	if n := a.refreshes(); n != 1 {
		t.Errorf("%d refreshes after cancelling, want 1", n)
	}
}

func TestARefusedRunAgainNamesThePermissionItNeeds(t *testing.T) {
	a := startActionTray(t)
	resource := a.put(actionJob+"-x7k2p", fakecloud.Failed)
	a.cloud.SetActionError("RunJob", status.Error(codes.PermissionDenied, "Permission 'run.jobs.run' denied"))
	_, err := a.app.RunAgain(callContext(t), resource, false)
	want := "permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.run (roles/run.invoker or roles/run.developer)"
	if err == nil || !strings.HasSuffix(err.Error(), ": "+want) {
		t.Fatalf("error %v, want it to end %q", err, want)
	}
	if n := a.refreshes(); n != 0 {
		t.Errorf("%d refreshes after a refusal", n)
	}
}

// The overrides a run again may repeat are read with the tray process's
// clients and come back in words.
func TestOverridesAreReadByTheTrayProcess(t *testing.T) {
	a := startActionTray(t)
	resource := a.put(actionJob+"-x7k2p", fakecloud.Failed)
	words, err := a.app.Overrides(callContext(t), resource)
	if err != nil || words != "" {
		t.Fatalf("overrides of an execution that ran as its job says: %q, %v", words, err)
	}
}

// The menu's Run … again… and Cancel … open the execution's details with
// the confirmation: nothing is asked of Cloud Run from the menu.
func TestMenuRunAgainAndCancelOpenDetailsWithTheConfirmation(t *testing.T) {
	h := startTray(t)
	bad := viewtest.Execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	running := viewtest.Execution("us-east1", "vertex-ai-launcher-a1b2c", poller.StateRunning, 30*time.Second)
	h.tray.Apply(poller.Result{Snapshot: viewtest.Snapshot(running, bad)})
	h.settle(t)
	h.menu.click(t, "Run vertex-ai-launcher again in us-west3…")
	h.menu.click(t, "Cancel vertex-ai-launcher-a1b2c…")
	waitFor(t, func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.windows) == 2 }, "two details windows asked for")
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, want := range []ipc.Window{
		{Details: bad.Resource, Confirm: view.ConfirmRunAgain},
		{Details: running.Resource, Confirm: view.ConfirmCancel},
	} {
		if !slices.Contains(h.windows, want) {
			t.Errorf("windows %+v lack %+v", h.windows, want)
		}
	}
	h.watch.mu.Lock()
	defer h.watch.mu.Unlock()
	if h.watch.refreshes != 0 {
		t.Errorf("the menu refreshed")
	}
}

func mustParse(t *testing.T, resource string) poller.ExecutionName {
	t.Helper()
	n, err := poller.ParseExecution(resource)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Reading the overrides for a run again's confirmation has the 30 s its
// two calls are given (ipc.OverridesWait: 35 s with the socket's margin),
// as the run again and the last lines have theirs: it is not cut at the
// socket handler's 10 s, and a Cloud Run answering each call in 6 s is
// read, not reported as "no answer within 30s" after 10 s.
func TestOverridesReadHasItsOwnTimeNotTheSocketHandlers(t *testing.T) {
	a := startActionTray(t)
	resource := a.put(actionJob+"-x7k2p", fakecloud.Failed)
	a.cloud.SetRegionLatency(actionRegion, 6*time.Second) // GetExecution, then GetJob: 12 s
	ctx, cancel := context.WithTimeout(context.Background(), ipc.OverridesWait)
	defer cancel()
	began := time.Now()
	words, err := a.app.Overrides(ctx, resource)
	if err != nil {
		t.Fatalf("overrides read after %v: %v (want them read within ipc.OverridesWait, %v)", time.Since(began).Round(time.Second), err, ipc.OverridesWait)
	}
	if words != "" {
		t.Errorf("overrides %q of an execution that ran as its job says", words)
	}
}
