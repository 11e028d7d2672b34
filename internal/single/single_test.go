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
