package ipc

import (
	"context"
	"errors"
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
