package tray

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/systray"

	"runwatch/internal/dbustest"
	"runwatch/internal/ipc"
	"runwatch/poller"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
)

// labelledMenu is the real systrayMenu, remembering the systray item of
// each label so a test can click it as the tray host does.
type labelledMenu struct {
	*systrayMenu
	mu    sync.Mutex
	items map[string]*systray.MenuItem
}

func (m *labelledMenu) AddItem(parent Item, l view.MenuLine) Item {
	item := m.systrayMenu.AddItem(parent, l)
	m.mu.Lock()
	m.items[l.Label] = item.(*systray.MenuItem)
	m.mu.Unlock()
	return item
}

func (m *labelledMenu) item(t *testing.T, label string) *systray.MenuItem {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.items[label]
	if it == nil {
		t.Fatalf("no item %q", label)
	}
	return it
}

// clickItem is what systray does on a click: it hands the click to the
// item's ClickedCh (and drops it when nobody takes it at once).
func clickItem(t *testing.T, it *systray.MenuItem) {
	t.Helper()
	select {
	case it.ClickedCh <- struct{}{}:
	case <-time.After(5 * time.Second):
		t.Fatal("nobody took the click")
	}
}

// At a281f29 every click was acted on (addMenu: `go t.act(l)` for each
// click). Now a click waits in systrayMenu.forward until the loop takes it,
// and the loop's next redraw of a changed menu (Reset) drops it: here
// "Refresh now", clicked while the loop still saves the pause of the click
// before, never reaches the watcher.
func TestAClickWhileTheLoopRedrawsAChangedMenuIsNotLost(t *testing.T) {
	menu := &labelledMenu{systrayMenu: newSystrayMenu(), items: map[string]*systray.MenuItem{}}
	watch := &fakeWatcher{}
	saving := make(chan struct{})
	release := make(chan struct{})
	loop := New(Config{
		Menu: menu, Watcher: watch, Hub: ipc.NewHub(nil), Notifier: &recordedNotes{},
		OpenWindow: func(ipc.Window) {},
		Merge:      func(s view.Settings) poller.Config { return s.Config() },
		SavePaused: func(bool) error { close(saving); <-release; return nil }, // a slow disk
		Quit:       func() {},
		Now:        func() time.Time { return viewtest.Now },
	})
	ticks := make(chan time.Time)
	loop.ticks = ticks
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { loop.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	ticks <- viewtest.Now // the first menu is drawn

	clickItem(t, menu.item(t, "Pause notifications"))
	<-saving
	clickItem(t, menu.item(t, "Refresh now")) // taken by its forwarder, waiting for the loop
	close(release)                            // the loop redraws: the pause box changed

	deadline := time.Now().Add(3 * time.Second)
	for {
		watch.mu.Lock()
		n := watch.refreshes
		watch.mu.Unlock()
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the click on Refresh now was lost (refreshes %d)", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// At a281f29 the window process decided "closing the executions window
// quits" by asking the session bus itself (ui.TrayHostPresent) at the
// moment it closed; now it trusts State.TrayHost, which the tray process
// sets once at start and never clears. Once the tray host (the panel)
// goes, the window process still hides its last window instead of
// quitting, leaving runwatch running with no icon and no window.
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
		Now:        func() time.Time { return viewtest.Now },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { loop.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	go showWithoutTrayHost(ctx, loop, &windowProcess{exe: "/nonexistent"}, false)
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
