package ipc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"runwatch/desktop/instance"
	"runwatch/internal/testenv"
	"runwatch/poller"
	"runwatch/ui/view"
)

// serveFor listens as c and answers with h until the test ends.
func serveFor(t *testing.T, c Client, h Handlers) {
	t.Helper()
	srv, err := instance.Listen(c.Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = Serve(ctx, srv, h); close(done) }()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })
}

func TestEveryCommandReachesItsHandlerWithItsArguments(t *testing.T) {
	testenv.PrivateDirs(t)
	var mu sync.Mutex
	var got []any
	record := func(v any) { mu.Lock(); got = append(got, v); mu.Unlock() }
	until := time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC)
	settings := view.Settings{Project: "p", Job: "j", Regions: []string{"us-east1"}, Top: 3, Interval: time.Minute}
	hub := NewHub(map[string]bool{"job": true})
	serveFor(t, App(false), Handlers{
		Show:         func() { record("show") },
		Status:       func() (poller.Snapshot, error) { return poller.Snapshot{Project: "p", RegionsAsked: 18}, nil },
		State:        hub.WaitNewer,
		Refresh:      func() { record("refresh") },
		Acknowledge:  func(r string) { record("ack " + r) },
		Snooze:       func(u time.Time) { record(u) },
		SaveSettings: func(s view.Settings) { record(s.Project + "/" + s.Job) },
		Quit:         func() { record("quit") },
		LastLines: func(_ context.Context, r string) ([]string, error) {
			return []string{"last of " + r}, nil
		},
	})
	serveFor(t, WindowProcess(false), Handlers{ShowWindow: func(w Window) { record(w) }})

	ctx := context.Background()
	app := App(false)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(app.Show(ctx))
	must(app.Refresh(ctx))
	must(app.Acknowledge(ctx, "projects/p/locations/r/jobs/j/executions/e"))
	must(app.Snooze(ctx, until))
	must(app.SaveSettings(ctx, settings))
	must(app.Quit(ctx))
	must(WindowProcess(false).ShowWindow(ctx, Window{Details: "projects/p/locations/r/jobs/j/executions/e"}))
	snap, err := app.Status(ctx)
	must(err)
	st, err := app.State(ctx, 0)
	must(err)
	lines, err := app.LastLines(ctx, "projects/p/locations/r/jobs/j/executions/e")
	must(err)
	if len(lines) != 1 || lines[0] != "last of projects/p/locations/r/jobs/j/executions/e" {
		t.Errorf("last lines %q", lines)
	}

	want := []any{"show", "refresh", "ack projects/p/locations/r/jobs/j/executions/e", until, "p/j", "quit",
		Window{Details: "projects/p/locations/r/jobs/j/executions/e"}}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	for i := range want {
		if tw, ok := want[i].(time.Time); ok {
			if g, ok := got[i].(time.Time); !ok || !g.Equal(tw) {
				t.Errorf("call %d: %v, want %v", i, got[i], want[i])
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("call %d: %v, want %v", i, got[i], want[i])
		}
	}
	if snap.Project != "p" || snap.RegionsAsked != 18 || st.Version == 0 || !st.Flags["job"] {
		t.Errorf("status %+v, state %+v", snap, st)
	}
}

func TestACommandWithoutAHandlerIsRefused(t *testing.T) {
	testenv.PrivateDirs(t)
	serveFor(t, WindowProcess(true), Handlers{Quit: func() {}})
	err := WindowProcess(true).Show(context.Background())
	var remote *instance.RemoteError
	if !errors.As(err, &remote) {
		t.Fatalf("show on a process that does not answer it: %v", err)
	}
}

func TestACallToNoProcessSaysNotRunning(t *testing.T) {
	testenv.PrivateDirs(t)
	if err := App(true).Refresh(context.Background()); !errors.Is(err, instance.ErrNotRunning) {
		t.Fatalf("%v, want ErrNotRunning", err)
	}
}

// Run again, cancel and overrides reach the tray process's handlers with
// their arguments; their answers, and the words of a refusal, come back.
func TestActionsOnCloudRunReachTheTrayProcessAndAnswer(t *testing.T) {
	testenv.PrivateDirs(t)
	const resource = "projects/p/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-x7k2p"
	var mu sync.Mutex
	var got []string
	serveFor(t, App(false), Handlers{
		RunAgain: func(_ context.Context, r string, with bool) (string, error) {
			mu.Lock()
			got = append(got, fmt.Sprintf("run again %s %v", r, with))
			mu.Unlock()
			return "projects/p/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-ab12c", nil
		},
		Cancel: func(_ context.Context, r string) error {
			return fmt.Errorf("vertex-ai-launcher-x7k2p %w (failed 12m ago); only a running or pending execution can be cancelled", poller.ErrAlreadyFinished)
		},
		Overrides: func(_ context.Context, r string) (string, error) { return "args --epochs 3 · env LR=0.1", nil },
	})
	ctx := context.Background()
	app := App(false)
	started, err := app.RunAgain(ctx, resource, true)
	if err != nil || started != "projects/p/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-ab12c" {
		t.Errorf("run again: %q, %v", started, err)
	}
	err = app.Cancel(ctx, resource)
	var remote *instance.RemoteError
	if !errors.As(err, &remote) || remote.Msg != "vertex-ai-launcher-x7k2p already finished (failed 12m ago); only a running or pending execution can be cancelled" {
		t.Errorf("cancel: %v", err)
	}
	if words, err := app.Overrides(ctx, resource); err != nil || words != "args --epochs 3 · env LR=0.1" {
		t.Errorf("overrides: %q, %v", words, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "run again "+resource+" true" {
		t.Errorf("handled %q", got)
	}
}
