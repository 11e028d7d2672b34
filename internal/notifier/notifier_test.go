package notifier

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"runwatch/internal/dbustest"
	"runwatch/poller"
	"runwatch/poller/lifecycle"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
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
	return "slow", "test", "1", "1.2", nil
}
func (s *slowServer) CloseNotification(uint32) *dbus.Error { return nil }

// Several failures in one refresh end up in one bubble updated in place
// (replaces_id), although each is sent on a goroutine of its own.
// Found by the review of issue 9.
func TestBurstOfNotificationsUpdatesOneBubble(t *testing.T) {
	addr := dbustest.Start(t)
	conn := dbustest.Connect(t, addr)
	srv := &slowServer{}
	if err := conn.Export(srv, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	dbustest.Own(t, conn, "org.freedesktop.Notifications")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	d, err := Dial(context.Background(), "io.runwatch.app")
	if err != nil {
		t.Fatal(err)
	}
	notes := []view.Notification{
		{Title: "job-a failed", Body: "boom a", Resource: "projects/p/locations/r/jobs/a/executions/a-1"},
		{Title: "job-b failed", Body: "boom b", Resource: "projects/p/locations/r/jobs/b/executions/b-1"},
		{Title: "job-c failed", Body: "boom c", Resource: "projects/p/locations/r/jobs/c/executions/c-1"},
	}
	var wg sync.WaitGroup
	for _, n := range notes {
		wg.Add(1)
		go func() { defer wg.Done(); d.Send(n) }() // as Announce sends them
	}
	wg.Wait()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.next != 1 {
		t.Fatalf("%d bubbles for one burst of %d failures (replaces_id sent: %v); want one updated in place",
			srv.next, len(notes), srv.replaces)
	}
}

// recorded keeps what Announce sends.
type recorded struct {
	mu    sync.Mutex
	notes []view.Notification
	sent  chan struct{}
}

func (r *recorded) Send(n view.Notification) {
	r.mu.Lock()
	r.notes = append(r.notes, n)
	r.mu.Unlock()
	r.sent <- struct{}{}
}

func TestAnnounceSendsOneNotificationPerRefreshWithNewsAndNoneWhilePaused(t *testing.T) {
	bad := viewtest.Execution("us-west3", "e2", poller.StateFailed, time.Minute)
	news := poller.Result{Snapshot: viewtest.Snapshot(bad),
		Changes: []lifecycle.Change{viewtest.Change(lifecycle.NewFailure, "us-west3", "e2", "KeyError: 'lr'")}}
	r := &recorded{sent: make(chan struct{}, 8)}
	Announce(poller.Result{Snapshot: viewtest.Snapshot(bad)}, false, r) // nothing classified
	Announce(news, true, r)                                             // paused
	Announce(news, false, r)
	select {
	case <-r.sent:
	case <-time.After(5 * time.Second):
		t.Fatal("nothing sent for a new failure")
	}
	time.Sleep(100 * time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.notes) != 1 || r.notes[0].Title != "vertex-ai-launcher failed in us-west3" || r.notes[0].Body != "KeyError: 'lr'" || r.notes[0].Resource != bad.Resource {
		t.Fatalf("sent %+v", r.notes)
	}
}

func TestOnlyACloudConsoleLinkIsOpenedFromABubble(t *testing.T) {
	got := consoleLogsURL("projects/p 1/locations/us-east1/jobs/j/executions/e-1")
	if got != "https://console.cloud.google.com/run/jobs/executions/details/us-east1/e-1/logs?project=p+1" || !view.IsConsoleURL(got) {
		t.Fatalf("logs link %q", got)
	}
	if got := consoleLogsURL("not/a/resource"); got != "" {
		t.Fatalf("a link %q from a malformed resource", got)
	}
}
