package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/poller"
)

// fakeAppWithoutSnapshot listens as the running tray app and answers
// status with "no refresh yet", as the app does before its first refresh.
// Closing the returned server is the app quitting.
func fakeAppWithoutSnapshot(t *testing.T) *instance.Server {
	t.Helper()
	rt, err := os.MkdirTemp("", "rw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	t.Setenv("XDG_RUNTIME_DIR", rt)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("TMPDIR", t.TempDir())
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = ipc.Serve(ctx, srv, ipc.Handlers{Status: func() (poller.Snapshot, error) {
			return poller.Snapshot{}, errors.New("no refresh yet")
		}})
		close(done)
	}()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })
	return srv
}

// At a281f29 (statusFromApp), once the running app had answered "no
// refresh yet", status ended with exit 1 and "the running app has no
// picture yet" even when the app then went away; it never fell back to a
// refresh of its own (API calls, a write to the memory). snapshotFromApp
// now reports running=false, err=nil, and runStatus refreshes.
func TestStatusGivesUpWhenTheAppQuitsWhileItWaitsForItsFirstRefresh(t *testing.T) {
	srv := fakeAppWithoutSnapshot(t)
	go func() {
		time.Sleep(time.Second) // status has been told "no refresh yet" a few times
		srv.Close()             // the app quits
	}()
	_, running, err := snapshotFromApp()
	if !running || err == nil {
		t.Fatalf("running %v, err %v: status would now refresh on its own instead of saying the running app had no snapshot (exit 1)", running, err)
	}
}

// At a281f29 status printed the running app's own reason ("no refresh
// yet") after waiting 20 s; now it prints the deadline of its own wait.
func TestStatusNamesTheRunningAppsReasonWhenItNeverRefreshes(t *testing.T) {
	fakeAppWithoutSnapshot(t)
	code, _, errOut := runCmd(t, "", "status")
	if code != 1 || !strings.Contains(errOut, "no refresh yet") {
		t.Fatalf("code %d, stderr %q: want exit 1 naming the app's reason, no refresh yet", code, errOut)
	}
}

// The running tray app outlives an upgrade of the binary; `runwatch
// status` then asks the app started before it. At a281f29 the app answered
// "status" with {"json", "table", "none_answered"}; the new status decodes
// the same command's reply as a poller.Snapshot, finds every field zero and
// reports an empty table and "no region answered (0 asked)", exit 1, for
// an app whose every region answered.
func TestStatusDoesNotMisreadTheAnswerOfAnAppStartedBeforeTheUpgrade(t *testing.T) {
	rt, err := os.MkdirTemp("", "rw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	t.Setenv("XDG_RUNTIME_DIR", rt)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		// a281f29's answer to cmdStatus (appStatus in app_desktop.go).
		_ = srv.Serve(ctx, func(context.Context, instance.Request) (any, error) {
			return map[string]any{
				"json": map[string]any{
					"refreshed_at":  "2026-12-07T03:00:00Z",
					"executions":    []map[string]any{{"region": "us-east1", "name": "e-from-the-app", "state": "SUCCEEDED"}},
					"region_errors": map[string]string{},
				},
				"table":         "REGION    EXECUTION       STATE      AGE  DURATION  ERROR\nus-east1  e-from-the-app  SUCCEEDED  1m   10s\n",
				"none_answered": false,
			}, nil
		})
		close(done)
	}()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })

	code, out, errOut := runCmd(t, "", "status")
	if strings.Contains(errOut, "no region answered") || strings.Contains(out, "no executions of") {
		t.Fatalf("code %d, stdout %q, stderr %q: the running app's answer misread as an empty snapshot", code, out, errOut)
	}
}
