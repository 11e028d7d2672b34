package busname

import (
	"context"
	"testing"
	"time"

	"runwatch/internal/dbustest"
)

// watcherName is the name the tests own: any well-known name will do.
const watcherName = "org.kde.StatusNotifierWatcher"

func TestWatchFollowsTheOwnerComingAndGoing(t *testing.T) {
	addr := dbustest.Start(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if HasOwner(ctx, watcherName) {
		t.Fatal("an owner on a bus where nobody owns " + watcherName)
	}
	seen := Watch(ctx, watcherName)
	next := func(want bool, what string) {
		t.Helper()
		select {
		case got, ok := <-seen:
			if !ok || got != want {
				t.Fatalf("%s: got %v (open %v), want %v", what, got, ok, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: nothing seen", what)
		}
	}
	next(false, "at start")
	host := dbustest.Connect(t, addr)
	dbustest.Own(t, host, watcherName)
	next(true, "the owner comes")
	if !HasOwner(ctx, watcherName) {
		t.Fatal("no owner although one owns the name")
	}
	if _, err := host.ReleaseName(watcherName); err != nil {
		t.Fatal(err)
	}
	next(false, "the owner goes")
	cancel()
	select {
	case _, ok := <-seen:
		if ok {
			t.Fatal("a value after ctx ended")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the channel stayed open after ctx ended")
	}
}

func TestHasOwnerIsFalseAndQuickWithoutASessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/none")
	start := time.Now()
	if HasOwner(context.Background(), watcherName) {
		t.Fatal("an owner without a bus")
	}
	if d := time.Since(start); d > askTimeout+time.Second {
		t.Fatalf("took %v", d)
	}
	if got := <-Watch(context.Background(), watcherName); got {
		t.Fatal("Watch found an owner without a bus")
	}
}
