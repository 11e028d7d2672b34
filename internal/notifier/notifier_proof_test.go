package notifier

import (
	"testing"
	"time"

	"runwatch/internal/dbustest"
	"runwatch/poller/lifecycle"
	"runwatch/ui/view"
)

// A notification server that restarts (a desktop's daemon crashing and
// coming back, dunst restarted) numbers its bubbles anew from 1, on the
// same bus connection: the Desktop is not dropped, so it keeps the old
// server's ids in byResource. Later news of execution a then carries
// replaces_id = a's old id, which on the new server is b's bubble: b's
// failure, not seen yet, is overwritten by news of another execution
// (what issue 13, item 2, forbids), and a click on that bubble acts on a.
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
