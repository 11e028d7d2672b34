package notifier

import (
	"context"
	"slices"
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
	actions  map[string][]string // summary → the action keys it came with
}

func (s *slowServer) Notify(_ string, replaces uint32, _ string, summary, _ string,
	actions []string, _ map[string]dbus.Variant, _ int32) (uint32, *dbus.Error) {
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replaces = append(s.replaces, replaces)
	if s.actions == nil {
		s.actions = map[string][]string{}
	}
	for i := 0; i+1 < len(actions); i += 2 {
		s.actions[summary] = append(s.actions[summary], actions[i])
	}
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

// startServer runs slowServer as the session bus's notification server
// and dials it.
func startServer(t *testing.T) (*slowServer, *Desktop) {
	t.Helper()
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
	return srv, d
}

// News of one execution never overwrites the bubble of another (a failure
// a person was away for stays on screen); later news of the same execution
// updates its bubble, even when sent at once from several goroutines.
// From issue 13 (bubble-kept), and the review of issue 9 (a burst).
func TestEachExecutionKeepsItsOwnBubble(t *testing.T) {
	srv, d := startServer(t)
	a := view.Notification{Title: "job failed in us-west3", Body: "boom a", Resource: "projects/p/locations/us-west3/jobs/j/executions/a-1", Kind: lifecycle.NewFailure}
	b := view.Notification{Title: "job failed in us-east1", Body: "boom b", Resource: "projects/p/locations/us-east1/jobs/j/executions/b-1", Kind: lifecycle.NewFailure}
	for _, n := range []view.Notification{a, b} {
		if err := d.Send(n); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = d.Send(a) }() // as Announce sends them
	}
	wg.Wait()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.next != 2 || srv.replaces[0] != 0 || srv.replaces[1] != 0 || srv.replaces[2] != 1 || srv.replaces[3] != 1 || srv.replaces[4] != 1 {
		t.Fatalf("%d bubbles, replaces_id %v: want a's and b's own, a's updated in place", srv.next, srv.replaces)
	}
}

// A failure's bubble offers Open logs and Acknowledge; a fix's or a
// cancellation's offers neither (acknowledging one fails: it is not a
// failure).
func TestOnlyAFailuresBubbleOffersOpenLogsAndAcknowledge(t *testing.T) {
	srv, d := startServer(t)
	resource := "projects/p/locations/r/jobs/j/executions/"
	for _, n := range []view.Notification{
		{Title: "failed", Resource: resource + "f", Kind: lifecycle.NewFailure},
		{Title: "fixed", Resource: resource + "ok", Kind: lifecycle.Fixed},
		{Title: "cancelled", Resource: resource + "c", Kind: lifecycle.WasCancelled},
	} {
		if err := d.Send(n); err != nil {
			t.Fatal(err)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if got := srv.actions["failed"]; !slices.Contains(got, actionLogs) || !slices.Contains(got, actionAck) {
		t.Errorf("a failure's actions %v", got)
	}
	for _, title := range []string{"fixed", "cancelled"} {
		if got := srv.actions[title]; slices.Contains(got, actionLogs) || slices.Contains(got, actionAck) || !slices.Contains(got, "default") {
			t.Errorf("%s's actions %v: want the default (details) only", title, got)
		}
	}
}

// recorded keeps what Announce sends.
type recorded struct {
	mu    sync.Mutex
	notes []view.Notification
	sent  chan struct{}
}

func (r *recorded) Send(n view.Notification) error {
	r.mu.Lock()
	r.notes = append(r.notes, n)
	r.mu.Unlock()
	r.sent <- struct{}{}
	return nil
}

func TestAnnounceSendsWhatIsNewsOfTheKindsWantedAndNothingWhilePaused(t *testing.T) {
	bad := viewtest.Execution("us-west3", "e2", poller.StateFailed, time.Minute)
	news := poller.Result{Snapshot: viewtest.Snapshot(bad),
		Changes: []lifecycle.Change{viewtest.Change(lifecycle.NewFailure, "us-west3", "e2", "KeyError: 'lr'")}}
	r := &recorded{sent: make(chan struct{}, 8)}
	all := view.NotifyPrefs{Kinds: view.AllKinds}
	var toldMu sync.Mutex
	var told []Told
	done := func(t Told, err error) {
		toldMu.Lock()
		defer toldMu.Unlock()
		if err == nil {
			told = append(told, t)
		}
	}
	Announce(poller.Result{Snapshot: viewtest.Snapshot(bad)}, all, r, done)                          // nothing classified
	Announce(news, view.NotifyPrefs{Paused: true, Kinds: view.AllKinds}, r, done)                    // paused
	Announce(news, view.NotifyPrefs{Kinds: view.NotifyKinds{Fixed: true, Cancelled: true}}, r, done) // failures not wanted
	Announce(news, all, r, done)
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
	toldMu.Lock()
	defer toldMu.Unlock()
	if len(told) != 3 { // paused, not wanted (both told at once), and sent
		t.Fatalf("told %+v: want the failure told three times: skipped twice, then sent", told)
	}
	for _, tl := range told {
		if len(tl.Resources) != 1 || tl.Resources[0] != bad.Resource {
			t.Fatalf("told %+v", told)
		}
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

// With no notification server, Send says so; once a server appears on
// the bus, the same Desktop reaches it (a daemon that starts after
// runwatch), and ServerComes says when.
func TestAServerThatComesLaterIsUsed(t *testing.T) {
	addr := dbustest.Start(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	d := NewDesktop("io.runwatch.app")
	n := view.Notification{Title: "job failed in us-west3", Resource: "projects/p/locations/us-west3/jobs/j/executions/a-1", Kind: lifecycle.NewFailure}
	if err := d.Send(n); err == nil {
		t.Fatal("sent with no notification server")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	comes := ServerComes(ctx)
	conn := dbustest.Connect(t, addr)
	srv := &slowServer{}
	if err := conn.Export(srv, "/org/freedesktop/Notifications", serverName); err != nil {
		t.Fatal(err)
	}
	dbustest.Own(t, conn, serverName)
	select {
	case <-comes:
	case <-time.After(5 * time.Second):
		t.Fatal("the server's coming was not seen")
	}
	if err := d.Send(n); err != nil {
		t.Fatalf("not sent once a server came: %v", err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.next != 1 {
		t.Fatalf("%d bubbles", srv.next)
	}
}

// A notification server that restarts (a daemon crashing and coming back)
// numbers its bubbles anew from 1, on the same bus connection: news of one
// execution never replaces another's bubble of the new server.
// Found by the review of issue 13.
func TestARestartedServersBubblesAreNotReplacedByNewsOfAnotherExecution(t *testing.T) {
	addr := dbustest.Start(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	serve := func() (*slowServer, func()) {
		conn := dbustest.Connect(t, addr)
		srv := &slowServer{}
		if err := conn.Export(srv, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
			t.Fatal(err)
		}
		dbustest.Own(t, conn, "org.freedesktop.Notifications")
		return srv, func() { _ = conn.Close() }
	}
	_, stop1 := serve()
	d := NewDesktop("io.runwatch.app")
	a := view.Notification{Title: "j failed in us-west3", Body: "boom a", Resource: "projects/p/locations/us-west3/jobs/j/executions/a-1", Kind: lifecycle.NewFailure}
	b := view.Notification{Title: "j failed in us-east1", Body: "boom b", Resource: "projects/p/locations/us-east1/jobs/j/executions/b-1", Kind: lifecycle.NewFailure}
	if err := d.Send(a); err != nil {
		t.Fatal(err)
	}
	stop1() // the server goes…
	time.Sleep(200 * time.Millisecond)
	srv2, _ := serve() // …and comes back, numbering from 1
	if err := d.Send(b); err != nil {
		t.Fatal(err)
	}
	aFixed := view.Notification{Title: "j fixed in us-west3", Resource: a.Resource, Kind: lifecycle.Fixed}
	if err := d.Send(aFixed); err != nil {
		t.Fatal(err)
	}
	srv2.mu.Lock()
	defer srv2.mu.Unlock()
	if len(srv2.replaces) != 2 || srv2.replaces[1] == 1 {
		t.Fatalf("new server: replaces_id %v (b's bubble is id 1): news of a replaced b's unseen failure", srv2.replaces)
	}
}
