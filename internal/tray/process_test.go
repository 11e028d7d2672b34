package tray

import (
	"context"
	"testing"
	"time"

	"runwatch/internal/dbustest"
	"runwatch/internal/ipc"
	"runwatch/poller"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
)

// The state the window process closes by follows the tray host: once the
// panel goes, it says no tray host shows the icon, so closing the last
// window quits instead of leaving runwatch with no icon and no window.
// Found by the review of issue 12.
func TestStateSaysNoTrayHostOnceTheTrayHostLeaves(t *testing.T) {
	addr := dbustest.Start(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	host := dbustest.Connect(t, addr)
	dbustest.Own(t, host, "org.kde.StatusNotifierWatcher")

	hub := ipc.NewHub(nil)
	loop := New(Config{
		Menu: newFakeMenu(), Watcher: &fakeWatcher{}, Hub: hub, Notifier: &recordedNotes{},
		OpenWindow: func(ipc.Window) {},
		Merge:      func(s view.Settings) poller.Config { return s.Config() },
		SavePaused: func(bool) error { return nil },
		Quit:       func() {},
		Prefs:      view.NotifyPrefs{Kinds: view.AllKinds},
		Now:        func() time.Time { return viewtest.Now },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { loop.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	go followTrayHost(ctx, loop, &windowProcess{exe: "/nonexistent"}, false, true)
	waitFor(t, func() bool { return hub.Get().TrayHost }, "the tray host seen at start")

	if _, err := host.ReleaseName("org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for hub.Get().TrayHost {
		if time.Now().After(deadline) {
			t.Fatal("the tray host left, but the state the window process closes by still says one shows the icon")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
