package trayhost

import (
	"context"
	"testing"
	"time"

	"runwatch/internal/dbustest"
)

func TestPresentAndWaitFollowTheWatchersName(t *testing.T) {
	addr := dbustest.Start(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if Present(ctx) {
		t.Fatal("a tray host on a bus where nobody owns " + watcherName)
	}
	waited := make(chan bool, 1)
	go func() { waited <- Wait(ctx) }()
	time.Sleep(200 * time.Millisecond)
	dbustest.Own(t, dbustest.Connect(t, addr), watcherName)
	select {
	case ok := <-waited:
		if !ok {
			t.Fatal("Wait gave up although a tray host came")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not see the tray host come")
	}
	if !Present(ctx) {
		t.Fatal("no tray host although one owns the name")
	}
}

func TestPresentIsFalseAndQuickWithoutASessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/none")
	start := time.Now()
	if Present(context.Background()) {
		t.Fatal("a tray host without a bus")
	}
	if d := time.Since(start); d > askTimeout+time.Second {
		t.Fatalf("took %v", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if Wait(ctx) {
		t.Fatal("Wait found a tray host without a bus")
	}
}
