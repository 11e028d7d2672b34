//go:build linux

package main

// Review 9: proof tests for defects in the desktop split. Each fails on the
// code as reviewed.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/gofrs/flock"

	"runwatch/desktop/instance"
	"runwatch/poller"
	"runwatch/ui/view"
)

// slowServer is a notification server that, like a real one, takes a
// moment to answer Notify and gives a fresh id to each new bubble.
type slowServer struct {
	mu       sync.Mutex
	next     uint32
	replaces []uint32
}

func (s *slowServer) Notify(_ string, replaces uint32, _ string, _, _ string,
	_ []string, _ map[string]dbus.Variant, _ int32) (uint32, *dbus.Error) {
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replaces = append(s.replaces, replaces)
	if replaces != 0 {
		return replaces, nil
	}
	s.next++
	return s.next, nil
}
func (s *slowServer) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"actions", "body"}, nil
}
func (s *slowServer) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "slow", "r9", "1", "1.2", nil
}
func (s *slowServer) CloseNotification(uint32) *dbus.Error { return nil }

// Several failures in one refresh must end up in ONE bubble updated in
// place (replaces_id). trayApp.Apply sends each notification on its own
// goroutine, so all of them read lastID before any Send returns: every one
// opens a bubble of its own.
func TestReview9BurstOfFailuresInOneRefreshUpdatesOneBubble(t *testing.T) {
	bus := startBus(t)
	srv := &slowServer{}
	if err := bus.conn.Export(srv, notificationsPath, notificationsName); err != nil {
		t.Fatal(err)
	}
	bus.own(t, notificationsName)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.addr)
	d := startDesktopNotifier(context.Background())
	if d == nil {
		t.Fatal("no notifier")
	}
	notes := []view.Notification{
		{Title: "job-a failed", Body: "boom a", Resource: "projects/p/locations/r/jobs/a/executions/a-1"},
		{Title: "job-b failed", Body: "boom b", Resource: "projects/p/locations/r/jobs/b/executions/b-1"},
		{Title: "job-c failed", Body: "boom c", Resource: "projects/p/locations/r/jobs/c/executions/c-1"},
	}
	// Exactly what trayApp.Apply does with a refresh's notifications.
	var wg sync.WaitGroup
	for _, n := range notes {
		wg.Add(1)
		go func() { defer wg.Done(); d.send(n) }()
	}
	wg.Wait()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.next != 1 {
		t.Fatalf("%d bubbles for one burst of %d failures (replaces_id sent: %v); want one updated in place",
			srv.next, len(notes), srv.replaces)
	}
}

// Two starts at once (autostart plus a click): the first holds the lock but
// has not yet listened when the second asks it to show its window. The
// second must not become a second tray app with a poller of its own.
func TestReview9SecondStartWhileFirstIsStartingDoesNotPoll(t *testing.T) {
	bus := startBus(t)
	cloud, _, args := watchedCloud(t, "us-central1", "1h")
	config := t.TempDir()
	dir := filepath.Join(runtimeDir(t, config), "runwatch")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// The first instance, between instance.Listen's TryLock and ListenUnix.
	lock := flock.New(filepath.Join(dir, "app.lock"))
	if ok, err := lock.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer lock.Close()
	second := startApp(t, bus.addr, config, args...)
	time.Sleep(8 * time.Second)
	if n := listsOf(cloud, "us-central1"); n > 0 {
		t.Fatalf("the second start polled (%d listings) while another instance held the lock; exited=%v, output:\n%s",
			n, second.exited(), second.out.String())
	}
}

// `runwatch status` with the app running must answer from the app: no API
// call, no write to the memory. Before the app's first refresh has been
// applied (a slow first refresh, or the app still starting) the app answers
// "no refresh yet" and status goes on to poll by itself.
func TestReview9StatusNeverPollsWhileTheAppRuns(t *testing.T) {
	rt, err := os.MkdirTemp("", "rw")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(rt)
	t.Setenv("XDG_RUNTIME_DIR", rt)
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	srv, err := instance.Listen(instanceName(false))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tray := &trayApp{hub: newStateHub(nil)}
	go tray.serve(ctx, srv) // the running tray app, before its first refresh

	var out, errOut strings.Builder
	code, answered := statusFromApp(true, &out, &errOut)
	if !answered {
		// What runStatus then does: poll itself.
		code2, _, stderr := runCmd(t, "", "status", "--json")
		dir, _ := poller.StorageDir(appID)
		_, memErr := os.Stat(filepath.Join(dir, poller.MemoryFileName))
		t.Fatalf("the running app did not answer (code %d); status polled by itself: code %d, stderr %q, memory written: %v",
			code, code2, stderr, memErr == nil)
	}
}
