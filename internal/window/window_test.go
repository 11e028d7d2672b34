package window

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/testenv"
	"runwatch/poller"
	"runwatch/ui"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
)

// fakeTray is a tray process answering over the instance socket, as
// "app"; stop ends it as quitting does: its connections close, then its
// socket goes.
type fakeTray struct {
	hub  *ipc.Hub
	stop func()
}

func startFakeTray(t *testing.T, h ipc.Handlers) *fakeTray {
	t.Helper()
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeTray{hub: ipc.NewHub(nil)}
	if h.State == nil {
		h.State = f.hub.WaitNewer
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = ipc.Serve(ctx, srv, h); close(done) }()
	var once sync.Once
	f.stop = func() { once.Do(func() { cancel(); <-done; srv.Close() }) }
	t.Cleanup(f.stop)
	return f
}

// testLink is a link to the fake tray whose quitting and logging the test
// sees.
type testLink struct {
	*link
	mu   sync.Mutex
	logs []string
	quit chan struct{}
}

func newTestLink() *testLink {
	l := &testLink{quit: make(chan struct{})}
	var once sync.Once
	l.link = &link{
		tray:    ipc.App(false),
		do:      func(f func()) { f() },
		quitApp: func() { once.Do(func() { close(l.quit) }) },
		logf: func(format string, args ...any) {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.logs = append(l.logs, fmt.Sprintf(format, args...))
		},
	}
	return l
}

func (l *testLink) logged() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.logs)
}

func (l *testLink) waitQuit(t *testing.T) {
	t.Helper()
	select {
	case <-l.quit:
	case <-time.After(10 * time.Second):
		t.Fatal("the window process did not end")
	}
}

// When the tray process quits (Quit in its menu), it closes the window
// process's long poll, then its socket goes: the window process ends
// without a word (issue 14: "read the reply: EOF", "no instance is
// running" on every Quit).
func TestWindowProcessEndsQuietlyWhenTheTrayProcessQuits(t *testing.T) {
	testenv.PrivateDirs(t)
	tray := startFakeTray(t, ipc.Handlers{})
	l := newTestLink()
	first, err := l.tray.State(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	u := ui.NewWindows(test.NewTempApp(t), ui.Actions{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followed := make(chan struct{})
	go func() { l.follow(ctx, u, first, false); close(followed) }()
	time.Sleep(200 * time.Millisecond) // into the long poll
	tray.stop()
	l.waitQuit(t)
	<-followed
	l.send(l.tray.Refresh) // a click as the windows close
	time.Sleep(200 * time.Millisecond)
	if logs := l.logged(); len(logs) > 0 {
		t.Errorf("the window process said %q as the app quit", logs)
	}
}

// Ctrl+Q in a window: the tray process quits as asked, closing the
// connection before it answers, and the window process ends without a
// word, its executions window's closing asking nothing more.
func TestQuitFromAWindowEndsQuietly(t *testing.T) {
	testenv.PrivateDirs(t)
	var tray *fakeTray
	quits := make(chan struct{}, 1)
	tray = startFakeTray(t, ipc.Handlers{Quit: func() {
		quits <- struct{}{}
		go tray.stop() // as systray.Quit ends the process: the reply may never go
		time.Sleep(100 * time.Millisecond)
	}})
	l := newTestLink()
	l.quitAll()
	l.waitQuit(t)
	select {
	case <-quits:
	default:
		t.Error("the tray process was not asked to quit")
	}
	if !l.quitting.Load() {
		t.Error("the window process does not know the app quits")
	}
	l.send(l.tray.Quit) // what closing the executions window would ask without a tray host
	time.Sleep(200 * time.Millisecond)
	if logs := l.logged(); len(logs) > 0 {
		t.Errorf("the window process said %q as the app quit", logs)
	}
}

// A failure to reach a running tray process is still said.
func TestFailedCallsAreSaidWhileTheAppRuns(t *testing.T) {
	testenv.PrivateDirs(t)
	startFakeTray(t, ipc.Handlers{}) // answers no Refresh
	l := newTestLink()
	l.send(l.tray.Refresh)
	deadline := time.Now().Add(5 * time.Second)
	for len(l.logged()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if logs := l.logged(); len(logs) != 1 {
		t.Errorf("a refused Refresh said %q, want one line", logs)
	}
}

// The tray process's "no log entries" reaches the details as
// poller.ErrNoLogs, across the socket; lines come back as read.
func TestLastLinesAskTheTrayProcess(t *testing.T) {
	testenv.PrivateDirs(t)
	startFakeTray(t, ipc.Handlers{LastLines: func(_ context.Context, r string) ([]string, error) {
		if r == "none" {
			return nil, fmt.Errorf("last lines of %s: %w", r, poller.ErrNoLogs)
		}
		return []string{"last of " + r}, nil
	}})
	l := newTestLink()
	lines, err := l.lastLines(context.Background(), "e1")
	if err != nil || !slices.Equal(lines, []string{"last of e1"}) {
		t.Errorf("lines %q, error %v", lines, err)
	}
	_, err = l.lastLines(context.Background(), "none")
	if !errors.Is(err, poller.ErrNoLogs) || err.Error() != "last lines of none: no log entries" {
		t.Errorf("no entries came back as %v", err)
	}
}

// Run again and cancel go to the tray process, which has the clients; its
// refusal reaches the details in its own words, without the socket's.
func TestActionsAskTheTrayProcessAndBringItsRefusalBackInItsWords(t *testing.T) {
	testenv.PrivateDirs(t)
	const refusal = "permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.run (roles/run.invoker or roles/run.developer)"
	var mu sync.Mutex
	var asked []string
	startFakeTray(t, ipc.Handlers{
		RunAgain: func(_ context.Context, r string, with bool) (string, error) {
			mu.Lock()
			asked = append(asked, fmt.Sprintf("run again %s %v", r, with))
			mu.Unlock()
			return "", errors.New(refusal)
		},
		Cancel: func(_ context.Context, r string) error {
			mu.Lock()
			asked = append(asked, "cancel "+r)
			mu.Unlock()
			return nil
		},
		Overrides: func(context.Context, string) (string, error) { return "args --epochs 3", nil },
	})
	l := newTestLink()
	ctx := context.Background()
	if _, err := l.runAgain(ctx, "e1", true); err == nil || err.Error() != refusal {
		t.Errorf("run again: %v, want %q", err, refusal)
	}
	if err := l.cancel(ctx, "e2"); err != nil {
		t.Errorf("cancel: %v", err)
	}
	if words, err := l.overrides(ctx, "e1"); err != nil || words != "args --epochs 3" {
		t.Errorf("overrides %q, %v", words, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(asked, []string{"run again e1 true", "cancel e2"}) {
		t.Errorf("asked %q", asked)
	}
}

// A details request from the tray menu's Run … again… opens the details
// with the confirmation shown.
func TestADetailsRequestWithConfirmOpensTheConfirmation(t *testing.T) {
	a := test.NewTempApp(t)
	u := ui.NewWindows(a, ui.Actions{
		RunAgain: func(context.Context, string, bool) (string, error) { return "", nil },
		Cancel:   func(context.Context, string) error { return nil },
	}, func() time.Time { return viewtest.Now })
	bad := viewtest.Execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	st := view.Status{HasSnapshot: true, Snapshot: viewtest.Snapshot(bad)}
	u.SetStatus(st)
	show(u, ipc.Window{Details: bad.Resource, Confirm: view.ConfirmRunAgain})
	d := u.DetailsOf(bad.Resource)
	if d == nil || d.Confirmation == nil || d.Question.Text != view.RunAgainQuestion(bad) {
		t.Fatalf("details %v without the confirmation", d)
	}
	d.Confirmation.Dismiss()
}
