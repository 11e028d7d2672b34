package tray

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/systray"

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

// Every click is acted on, even one taken while the loop is busy and then
// redraws a changed menu: here "Refresh now", clicked while the loop still
// saves the pause of the click before, reaches the watcher.
// Found by the review of issue 12.
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
		Prefs:      view.NotifyPrefs{Kinds: view.AllKinds},
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

// dbusmenu takes "_" for the access key's marker: the text's own
// underscores are doubled, and only a Mnemonic line gets one in front
// (issue 14).
func TestMenuLabelKeepsUnderscores(t *testing.T) {
	cases := []struct {
		line view.MenuLine
		want string
	}{
		{view.MenuLine{Label: "runwatch: no credentials (or set GOOGLE_APPLICATION_CREDENTIALS)"}, "runwatch: no credentials (or set GOOGLE__APPLICATION__CREDENTIALS)"},
		{view.MenuLine{Label: "Show executions", Mnemonic: true}, "_Show executions"},
		{view.MenuLine{Label: "my_job", Mnemonic: true}, "_my__job"},
		{view.MenuLine{Label: "Refresh now"}, "Refresh now"},
		{view.MenuLine{Label: "", Mnemonic: true}, ""},
	}
	for _, c := range cases {
		if got := dbusmenuLabel(c.line); got != c.want {
			t.Errorf("%+v: %q, want %q", c.line, got, c.want)
		}
	}
}
