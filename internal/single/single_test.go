package single

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/internal/ipc"
	"runwatch/internal/startup"
	"runwatch/internal/testenv"
	"runwatch/poller"
	"runwatch/poller/fakecloud"
)

// recordingApp is Fyne's test app that keeps every notification sent.
type recordingApp struct {
	fyne.App
	mu    sync.Mutex
	notes []*fyne.Notification
}

func (r *recordingApp) SendNotification(n *fyne.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, n)
}

func (r *recordingApp) sent() []*fyne.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*fyne.Notification(nil), r.notes...)
}

// The one-process app of Windows and macOS, run here on Fyne's test app
// against the fake cloud: it polls, answers `status` over the instance
// socket, and notifies a new failure once, escaped, through Fyne where no
// D-Bus notification server is.
func TestOneProcessAppPollsAnswersStatusAndNotifiesANewFailureOnce(t *testing.T) {
	testenv.PrivateDirs(t) // TMPDIR too: the test app's storage, its memory.json and settings.json
	noBus := "unix:path=" + os.Getenv("XDG_RUNTIME_DIR") + "/no-bus"
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", noBus) // no notification server, no tray host
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", noBus)

	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	const project, job, region = "p1", "vertex-ai-launcher", "us-east1"
	cloud.Put(fakecloud.ExecutionSpec{Project: project, Region: region, Job: job, ID: "e-ok", State: fakecloud.Succeeded, Created: time.Now().Add(-time.Hour)})

	flags := startup.Flags{Project: project, Job: job, Regions: region, Top: 5, Interval: poller.MinInterval,
		RunEndpoint: cloud.RunAddr(), LoggingEndpoint: cloud.LoggingAddr(),
		Given: map[string]bool{"project": true, "regions": true, "interval": true}}
	srv, code, ok := flags.Claim(false, io.Discard)
	if !ok || srv == nil {
		t.Fatalf("claim: code %d", code)
	}
	t.Cleanup(func() { srv.Close() })
	a := &recordingApp{App: test.NewTempApp(t)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var mainThread sync.Mutex // what Fyne's driver does: one function at a time
	do := func(f func()) { mainThread.Lock(); defer mainThread.Unlock(); f() }
	stop, err := start(ctx, a, do, &flags, srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)

	snapshotWith := func(name string) poller.Snapshot {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			snap, err := ipc.App(false).Status(context.Background())
			if err == nil {
				for _, e := range snap.Executions {
					if e.Name == name {
						return snap
					}
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("status never listed %s: %+v, %v", name, snap, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	snapshotWith("e-ok")
	if n := len(a.sent()); n != 0 {
		t.Fatalf("%d notifications for what was there at start", n)
	}

	created := time.Now()
	cloud.Put(fakecloud.ExecutionSpec{Project: project, Region: region, Job: job, ID: "e-bad", State: fakecloud.Failed, Created: created})
	cloud.SetLogs(project, job, "e-bad", []fakecloud.LogLine{{Time: created.Add(time.Second), Text: "KeyError: '<lr>'"}})
	snapshotWith("e-bad")
	deadline := time.Now().Add(30 * time.Second)
	for len(a.sent()) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * poller.MinInterval) // more refreshes: no second notification
	notes := a.sent()
	if len(notes) != 1 || !strings.Contains(notes[0].Title, "failed in us-east1") || !strings.Contains(notes[0].Content, "&lt;lr&gt;") {
		t.Fatalf("notifications %+v, want one for e-bad with its error escaped", notes)
	}
}

// The one-process app acts on Cloud Run with the watcher's own clients:
// one RunJob for a run again, one CancelExecution for a cancel, and a
// refusal worded as Cloud Run's permission.
func TestOneProcessAppRunsAgainAndCancelsWithTheWatchersClients(t *testing.T) {
	testenv.PrivateDirs(t)
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	const project, job, region = "p1", "vertex-ai-launcher", "us-west3"
	cloud.Put(fakecloud.ExecutionSpec{Project: project, Region: region, Job: job, ID: job + "-x7k2p", State: fakecloud.Failed, Created: time.Now().Add(-time.Hour)})
	cloud.Put(fakecloud.ExecutionSpec{Project: project, Region: region, Job: job, ID: job + "-r1", State: fakecloud.Running, Created: time.Now()})
	view := &recordingView{applied: make(chan struct{}, 100)}
	connect := func(ctx context.Context, cfg poller.Config) (poller.Config, poller.Clients, error) {
		clients, err := poller.NewClients(ctx, poller.Endpoints{Run: cloud.RunAddr(), Logging: cloud.LoggingAddr()})
		return cfg, clients, err
	}
	watch := poller.NewWatcher(view, connect, poller.NewFileStore(t.TempDir()+"/memory.json"), poller.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		watch.Run(ctx, poller.Config{Project: project, Job: job, Regions: []string{region}, Interval: time.Hour})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-view.applied:
	case <-time.After(30 * time.Second):
		t.Fatal("no first refresh")
	}

	c := cloudRun{watch}
	base := "projects/" + project + "/locations/" + region + "/jobs/" + job + "/executions/"
	actx, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	started, err := c.runAgain(actx, base+job+"-x7k2p", false)
	if err != nil || !strings.HasPrefix(started, base+job+"-") {
		t.Fatalf("run again: %q, %v", started, err)
	}
	if err := c.cancel(actx, base+job+"-r1"); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if n, m := len(cloud.RunJobRequests()), len(cloud.CancelExecutionRequests()); n != 1 || m != 1 {
		t.Fatalf("%d RunJob and %d CancelExecution requests, want one each", n, m)
	}
	cloud.SetActionError("RunJob", status.Error(codes.PermissionDenied, "denied"))
	_, err = c.runAgain(actx, base+job+"-x7k2p", false)
	if want := "permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.run (roles/run.invoker or roles/run.developer)"; err == nil || err.Error() != want {
		t.Fatalf("refused: %v, want %q", err, want)
	}
}

// recordingView is a poller.View that says when a refresh was applied.
type recordingView struct{ applied chan struct{} }

func (v *recordingView) Apply(poller.Result)                 { v.applied <- struct{}{} }
func (v *recordingView) ShowSnapshot(poller.Snapshot, error) {}
func (v *recordingView) SetProblem(string)                   {}
func (v *recordingView) SetInterval(time.Duration)           {}
