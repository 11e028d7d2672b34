package startup

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/testenv"
	"runwatch/poller"
)

// runningApp serves the tray process's Show and Status as a running app
// does, with snap as its last refresh (nil: none yet); shown counts Show.
func runningApp(t *testing.T, snap *poller.Snapshot) (shown chan struct{}) {
	t.Helper()
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	shown = make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = ipc.Serve(ctx, srv, ipc.Handlers{
			Show: func() { shown <- struct{}{} },
			Status: func() (poller.Snapshot, error) {
				if snap == nil {
					return poller.Snapshot{}, errors.New("no refresh yet")
				}
				return *snap, nil
			},
		})
	}()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	return shown
}

// Issue 14: a second start with other flags showed the running window and
// said nothing of its flags not being applied.
func TestSecondStartSaysWhichFlagsTheRunningAppDidNotApply(t *testing.T) {
	for _, tc := range []struct {
		name string
		snap *poller.Snapshot
		args []string
		want string
	}{
		{name: "no flags", snap: &poller.Snapshot{Project: "my-proj", Job: "vertex-ai-launcher", RegionsAsked: 18},
			want: "runwatch is already running: showing its window\n"},
		{name: "another project", snap: &poller.Snapshot{Project: "my-proj", Job: "vertex-ai-launcher", RegionsAsked: 18},
			args: []string{"--project", "other"},
			want: "runwatch is already running, watching vertex-ai-launcher in my-proj (18 regions); --project other was not applied: quit it first (tray menu → Quit)\n"},
		{name: "two flags, one region", snap: &poller.Snapshot{Project: "p", Job: "j", RegionsAsked: 1},
			args: []string{"--job", "x", "--interval", "1m"},
			want: "runwatch is already running, watching j in p (1 region); --job x --interval 1m0s were not applied: quit it first (tray menu → Quit)\n"},
		{name: "not refreshed yet", args: []string{"--top", "9"},
			want: "runwatch is already running (it has not refreshed yet); --top 9 was not applied: quit it first (tray menu → Quit)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testenv.PrivateDirs(t)
			shown := runningApp(t, tc.snap)
			f, err := parseApp(t, nil, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			srv, code, ok := f.Claim(true, &stderr)
			if ok || srv != nil || code != 0 {
				t.Fatalf("claimed beside a running app: ok %v code %d", ok, code)
			}
			if stderr.String() != tc.want {
				t.Fatalf("stderr %q\nwant   %q", stderr.String(), tc.want)
			}
			select {
			case <-shown:
			case <-time.After(5 * time.Second):
				t.Fatal("the running app was not asked to show its window")
			}
		})
	}
}
