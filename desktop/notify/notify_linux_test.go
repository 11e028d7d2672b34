package notify

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"runwatch/internal/dbustest"
)

// server is a notification server of the test's own on a private bus: it
// records every Notify call and emits the signals the test asks for.
type server struct {
	conn  *dbus.Conn
	caps  []string
	delay time.Duration // before answering GetCapabilities

	mu     sync.Mutex
	calls  []notifyCall
	nextID uint32
}

// notifyCall is the arguments of one Notify call, as received.
type notifyCall struct {
	App        string
	ReplacesID uint32
	Icon       string
	Summary    string
	Body       string
	Actions    []string
	Hints      map[string]dbus.Variant
	Expire     int32
}

// startServer owns org.freedesktop.Notifications on a new private bus and
// returns it with a client connection to that bus.
func startServer(t *testing.T, caps ...string) (*server, *dbus.Conn) {
	t.Helper()
	return startSlowServer(t, 0, caps...)
}

// startSlowServer is startServer whose GetCapabilities takes delay.
func startSlowServer(t *testing.T, delay time.Duration, caps ...string) (*server, *dbus.Conn) {
	t.Helper()
	addr := dbustest.Start(t)
	return serve(t, addr, delay, caps...), dbustest.Connect(t, addr)
}

// serve owns org.freedesktop.Notifications on the bus at addr.
func serve(t *testing.T, addr string, delay time.Duration, caps ...string) *server {
	t.Helper()
	s := &server{conn: dbustest.Connect(t, addr), caps: caps, delay: delay, nextID: 100}
	if err := s.conn.Export(s, busPath, busIface); err != nil {
		t.Fatal(err)
	}
	dbustest.Own(t, s.conn, busName)
	return s
}

// Notify is the D-Bus method: a new id, or replaces_id kept as the spec says.
func (s *server) Notify(app string, replacesID uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expire int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, notifyCall{app, replacesID, icon, summary, body, actions, hints, expire})
	if replacesID != 0 {
		return replacesID, nil
	}
	s.nextID++
	return s.nextID, nil
}

// GetCapabilities is the D-Bus method.
func (s *server) GetCapabilities() ([]string, *dbus.Error) {
	time.Sleep(s.delay)
	return s.caps, nil
}

// CloseNotification is the D-Bus method.
func (s *server) CloseNotification(uint32) *dbus.Error { return nil }

func (s *server) received() []notifyCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notifyCall(nil), s.calls...)
}

func (s *server) emit(t *testing.T, name string, values ...any) {
	t.Helper()
	if err := s.conn.Emit(busPath, name, values...); err != nil {
		t.Fatalf("emit %s: %v", name, err)
	}
}

func dial(t *testing.T, conn *dbus.Conn) *Notifier {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := Dial(ctx, conn, Options{AppName: "runwatch", DesktopEntry: "io.runwatch.app"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func send(t *testing.T, n *Notifier, note Notification) uint32 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	id, err := n.Send(ctx, note)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return id
}

// failure is a notification as runwatch sends one, with markup in its text.
var failure = Notification{
	Title:   "us-west3 <job> failed",
	Body:    "ValueError: bad <b>config</b> & more",
	Default: Action{Key: "details", Label: "Open details"},
	Actions: []Action{{"logs", "Open logs"}, {"ack", "Acknowledge"}},
	Urgency: UrgencyCritical,
}

func TestSendEscapesBodyAndSendsActionsWhereTheServerAnnouncesThem(t *testing.T) {
	srv, conn := startServer(t, "body", "body-markup", "actions", "persistence")
	n := dial(t, conn)
	if c := n.Capabilities(); !c.BodyMarkup || !c.Actions || !c.Persistence {
		t.Errorf("capabilities %+v, want body-markup, actions and persistence", c)
	}
	id := send(t, n, failure)
	if id != 101 {
		t.Errorf("id %d, want the server's 101", id)
	}
	want := []notifyCall{{
		App:     "runwatch",
		Summary: "us-west3 <job> failed", // the summary is never markup
		Body:    "ValueError: bad &lt;b&gt;config&lt;/b&gt; &amp; more",
		Actions: []string{"default", "Open details", "logs", "Open logs", "ack", "Acknowledge"},
		Hints: map[string]dbus.Variant{
			"urgency":       dbus.MakeVariant(byte(2)),
			"desktop-entry": dbus.MakeVariant("io.runwatch.app"),
		},
		Expire: -1,
	}}
	if got := srv.received(); !reflect.DeepEqual(got, want) {
		t.Errorf("Notify received\n%+v\nwant\n%+v", got, want)
	}
}

func TestPlainServerGetsTheTextAsItIsAndNoActions(t *testing.T) {
	srv, conn := startServer(t, "body")
	n := dial(t, conn)
	note := failure
	note.Urgency = UrgencyNormal
	note.Expire = 8 * time.Second
	send(t, n, note)
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("%d Notify calls, want 1", len(got))
	}
	c := got[0]
	if c.Body != failure.Body || len(c.Actions) != 0 || c.Expire != 8000 ||
		!reflect.DeepEqual(c.Hints["urgency"], dbus.MakeVariant(byte(1))) {
		t.Errorf("Notify got body %q, actions %q, expire %d, hints %v; want the body unescaped, no actions, 8000 ms, urgency 1",
			c.Body, c.Actions, c.Expire, c.Hints)
	}
}

func TestReplacesIDUpdatesOneBubbleInPlace(t *testing.T) {
	srv, conn := startServer(t, "body", "actions")
	n := dial(t, conn)
	first := send(t, n, failure)
	second := failure
	second.Title = "2 runs failed"
	second.ReplacesID = first
	if id := send(t, n, second); id != first {
		t.Errorf("updated bubble has id %d, want %d", id, first)
	}
	calls := srv.received()
	if len(calls) != 2 || calls[0].ReplacesID != 0 || calls[1].ReplacesID != first {
		t.Errorf("replaces_id sent %+v, want 0 then %d", calls, first)
	}
}

func TestInvokedDeliversActionsOnOwnBubblesOnly(t *testing.T) {
	srv, conn := startServer(t, "body", "actions")
	n := dial(t, conn)
	id := send(t, n, failure)
	other := send(t, n, Notification{Title: "no default action"})

	srv.emit(t, sigAction, uint32(999), "default") // another application's bubble
	srv.emit(t, sigAction, id, "default")
	srv.emit(t, sigAction, id, "logs")
	srv.emit(t, sigAction, other, "default") // no Default.Key: reported as the spec's key
	srv.emit(t, sigClosed, id, uint32(2))
	srv.emit(t, sigAction, id, "ack") // closed: forgotten
	srv.emit(t, sigAction, other, "ack")

	want := []Invocation{{id, "details"}, {id, "logs"}, {other, "default"}, {other, "ack"}}
	for i, w := range want {
		select {
		case got := <-n.Invoked():
			if got != w {
				t.Errorf("invocation %d = %+v, want %+v", i, got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("invocation %d (%+v) not delivered in 5 s", i, w)
		}
	}
	select {
	case extra := <-n.Invoked():
		t.Errorf("unexpected invocation %+v", extra)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestCloseEndsInvoked(t *testing.T) {
	_, conn := startServer(t, "body", "actions")
	n := dial(t, conn)
	if err := n.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case _, ok := <-n.Invoked():
		if ok {
			t.Error("Invoked delivered after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Invoked not closed 5 s after Close")
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestDialFailsWithoutAServer(t *testing.T) {
	conn := dbustest.Connect(t, dbustest.Start(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if n, err := Dial(ctx, conn, Options{}); err == nil {
		n.Close()
		t.Fatal("Dial succeeded on a bus without a notification server")
	}
}

func TestDialGivesUpWhenTheServerDoesNotAnswer(t *testing.T) {
	_, conn := startSlowServer(t, 10*time.Second, "body")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	n, err := Dial(ctx, conn, Options{})
	if err == nil {
		n.Close()
		t.Fatal("Dial succeeded although the server did not answer")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Dial gave up after %v, want about the context's 300 ms", took)
	}
}

func TestDialSessionUsesTheSessionBusAndClosesItsConnection(t *testing.T) {
	addr := dbustest.Start(t)
	serve(t, addr, 0, "body", "actions")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := DialSession(ctx, Options{AppName: "runwatch"})
	if err != nil {
		t.Fatalf("DialSession: %v", err)
	}
	if id := send(t, n, Notification{Title: "hello"}); id == 0 {
		t.Error("id 0")
	}
	if err := n.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if n.conn.Connected() {
		t.Error("the connection DialSession opened is still open after Close")
	}
}

func TestInvokedEndsWhenTheCallersConnectionCloses(t *testing.T) {
	_, conn := startServer(t, "body", "actions")
	n := dial(t, conn)
	conn.Close()
	select {
	case _, ok := <-n.Invoked():
		if ok {
			t.Error("an invocation after the connection closed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Invoked still open 5 s after the connection closed")
	}
	if err := n.Close(); err != nil {
		t.Errorf("Close after the connection closed: %v", err)
	}
}
