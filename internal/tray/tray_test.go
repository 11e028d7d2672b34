package tray

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"runwatch/internal/ipc"
	"runwatch/poller"
	"runwatch/poller/lifecycle"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
)

// fakeMenu records what the loop draws, as a tray host would show it.
type fakeMenu struct {
	mu      sync.Mutex
	items   []*fakeItem // top level, in order
	resets  int
	icon    []byte
	icons   int // SetIcon calls
	tooltip string
	clicks  chan view.MenuLine
}

type fakeItem struct {
	line     view.MenuLine
	children []*fakeItem
}

func newFakeMenu() *fakeMenu { return &fakeMenu{clicks: make(chan view.MenuLine)} }

func (m *fakeMenu) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items = nil
	m.resets++
}

func (m *fakeMenu) AddItem(parent Item, l view.MenuLine) Item {
	m.mu.Lock()
	defer m.mu.Unlock()
	item := &fakeItem{line: l}
	if p, _ := parent.(*fakeItem); p != nil {
		p.children = append(p.children, item)
	} else {
		m.items = append(m.items, item)
	}
	return item
}

func (m *fakeMenu) AddSeparator(parent Item) {
	m.AddItem(parent, view.MenuLine{Separator: true})
}

func (m *fakeMenu) SetIcon(png []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.icon = png
	m.icons++
}

func (m *fakeMenu) SetTooltip(text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tooltip = text
}

func (m *fakeMenu) Clicks() <-chan view.MenuLine { return m.clicks }

// labels lists the menu's labels, submenus as "parent/child".
func (m *fakeMenu) labels() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	var walk func(prefix string, items []*fakeItem)
	walk = func(prefix string, items []*fakeItem) {
		for _, it := range items {
			if it.line.Separator {
				continue
			}
			out = append(out, prefix+it.line.Label)
			walk(prefix+it.line.Label+"/", it.children)
		}
	}
	walk("", m.items)
	return out
}

// click chooses the item whose label starts with prefix, as a person does.
func (m *fakeMenu) click(t *testing.T, prefix string) {
	t.Helper()
	m.mu.Lock()
	var found *view.MenuLine
	var walk func(items []*fakeItem)
	walk = func(items []*fakeItem) {
		for _, it := range items {
			if found == nil && !it.line.Separator && strings.HasPrefix(it.line.Label, prefix) {
				l := it.line
				found = &l
			}
			walk(it.children)
		}
	}
	walk(m.items)
	m.mu.Unlock()
	if found == nil {
		t.Fatalf("no menu item %q in %q", prefix, m.labels())
	}
	select {
	case m.clicks <- *found:
	case <-time.After(5 * time.Second):
		t.Fatalf("the loop did not take the click on %q", prefix)
	}
}

func (m *fakeMenu) counts() (resets, icons int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.resets, m.icons
}

// fakeWatcher records what the tray asks of the poller.
type fakeWatcher struct {
	mu           sync.Mutex
	refreshes    int
	acknowledged []string
	snoozed      []time.Time
	configs      []poller.Config
	delivered    []string
	clients      poller.Clients // real clients of a fake cloud; none: not connected
}

func (w *fakeWatcher) RefreshNow() { w.mu.Lock(); w.refreshes++; w.mu.Unlock() }
func (w *fakeWatcher) Refresh()    { w.RefreshNow() }
func (w *fakeWatcher) Acknowledge(r string) {
	w.mu.Lock()
	w.acknowledged = append(w.acknowledged, r)
	w.mu.Unlock()
}
func (w *fakeWatcher) Snooze(until time.Time) {
	w.mu.Lock()
	w.snoozed = append(w.snoozed, until)
	w.mu.Unlock()
}
func (w *fakeWatcher) Delivered(resources, missed []string) {
	w.mu.Lock()
	w.delivered = append(w.delivered, resources...)
	w.delivered = append(w.delivered, missed...)
	w.mu.Unlock()
}
func (w *fakeWatcher) Reconfigure(c poller.Config) {
	w.mu.Lock()
	w.configs = append(w.configs, c)
	w.mu.Unlock()
}

func (w *fakeWatcher) LastLines(_ context.Context, resource string) ([]string, error) {
	return []string{"last line of " + resource}, nil
}

func (w *fakeWatcher) Clients() (poller.Clients, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.clients.Run == nil {
		return poller.Clients{}, errors.New("not connected to Cloud Run yet")
	}
	return w.clients, nil
}

// recordedNotes records what the tray notifies.
type recordedNotes struct {
	mu     sync.Mutex
	notes  []view.Notification
	refuse error // as a bus without a notification server
}

func (r *recordedNotes) Send(n view.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse != nil {
		return r.refuse
	}
	r.notes = append(r.notes, n)
	return nil
}

func (r *recordedNotes) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.notes)
}

// harness is a running tray loop with fakes around it.
type harness struct {
	tray    *Tray
	menu    *fakeMenu
	watch   *fakeWatcher
	notes   *recordedNotes
	hub     *ipc.Hub
	ticks   chan time.Time
	mu      sync.Mutex
	windows []ipc.Window
	paused  []bool
	quits   int
}

func startTray(t *testing.T) *harness {
	t.Helper()
	h := &harness{menu: newFakeMenu(), watch: &fakeWatcher{}, notes: &recordedNotes{}, hub: ipc.NewHub(nil), ticks: make(chan time.Time)}
	h.tray = New(Config{
		Menu: h.menu, Watcher: h.watch, Hub: h.hub, Notifier: h.notes,
		OpenWindow: func(w ipc.Window) { h.mu.Lock(); h.windows = append(h.windows, w); h.mu.Unlock() },
		Merge:      func(s view.Settings) poller.Config { return s.Config() },
		SavePaused: func(p bool) error { h.mu.Lock(); h.paused = append(h.paused, p); h.mu.Unlock(); return nil },
		Quit:       func() { h.mu.Lock(); h.quits++; h.mu.Unlock() },
		Prefs:      view.NotifyPrefs{Kinds: view.AllKinds},
		Now:        func() time.Time { return viewtest.Now },
	})
	h.tray.ticks = h.ticks
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.tray.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// settle waits until the loop has handled everything sent before: a tick
// is taken only between other events.
func (h *harness) settle(t *testing.T) {
	t.Helper()
	select {
	case h.ticks <- viewtest.Now:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop is stuck")
	}
}

func failedResult(name string) poller.Result {
	bad := viewtest.Execution("us-west3", name, poller.StateFailed, time.Minute)
	return poller.Result{
		Snapshot: viewtest.Snapshot(bad),
		Changes:  []lifecycle.Change{viewtest.Change(lifecycle.NewFailure, "us-west3", name, bad.Error)},
	}
}

func TestTrayDrawsTheMenuAndIconOfEachResult(t *testing.T) {
	h := startTray(t)
	h.settle(t)
	if got := h.menu.labels(); len(got) == 0 || !strings.HasPrefix(got[0], "runwatch: first refresh") {
		t.Fatalf("before a refresh: %q", got)
	}
	h.tray.Apply(failedResult("e2"))
	h.settle(t)
	labels := h.menu.labels()
	for _, want := range []string{"✖ us-west3 · e2 · failed just now · ModuleNotFoundError: No module named…", "Acknowledge e2's error", "Snooze notifications/For 1 hour", "Show executions", "Quit"} {
		if !slices.Contains(labels, want) {
			t.Errorf("menu %q lacks %q", labels, want)
		}
	}
	if string(h.menu.icon) != string(view.IconOf(view.LookFailed).Content()) {
		t.Error("the icon is not the failed one")
	}
	if !strings.Contains(h.menu.tooltip, "failed in us-west3") {
		t.Errorf("tooltip %q", h.menu.tooltip)
	}
	if st := h.hub.Get(); !st.Status.HasSnapshot || len(st.Status.Snapshot.Executions) != 1 {
		t.Errorf("the window process would not see the refresh: %+v", st.Status)
	}
}

// In --demo (the status says so from start-up) the tooltip and the menu's
// first line start as the demo's windows are titled, refresh after refresh.
func TestDemoTraySaysDemo(t *testing.T) {
	h := startTray(t)
	h.hub.Update(func(s *ipc.State) { s.Status.Demo = true })
	h.tray.Apply(failedResult("e2"))
	h.settle(t)
	want := view.DemoTitle + ": vertex-ai-launcher failed in us-west3"
	if !strings.HasPrefix(h.menu.tooltip, want) {
		t.Errorf("tooltip %q, want %q first", h.menu.tooltip, want)
	}
	if labels := h.menu.labels(); len(labels) == 0 || !strings.HasPrefix(labels[0], want) {
		t.Errorf("menu %q, want %q first", labels, want)
	}
}

func TestTrayResendsNeitherAnUnchangedMenuNorAnUnchangedIcon(t *testing.T) {
	h := startTray(t)
	h.tray.Apply(failedResult("e2"))
	h.settle(t)
	resets, icons := h.menu.counts()
	for range 3 {
		h.tray.Apply(poller.Result{Snapshot: failedResult("e2").Snapshot})
		h.settle(t)
	}
	if r, i := h.menu.counts(); r != resets || i != icons {
		t.Fatalf("an unchanged tray was redrawn: resets %d→%d, icons %d→%d (a menu a person has open would close)", resets, r, icons, i)
	}
}

func TestTrayNotifiesEachChangeOnceAndNothingWhilePaused(t *testing.T) {
	h := startTray(t)
	h.tray.Apply(failedResult("e2"))
	h.settle(t)
	waitFor(t, func() bool { return h.notes.count() == 1 }, "one notification for one new failure")
	h.tray.Apply(poller.Result{Snapshot: failedResult("e2").Snapshot}) // nothing new
	h.settle(t)
	h.menu.click(t, "Pause notifications")
	h.settle(t)
	h.tray.Apply(failedResult("e3"))
	h.settle(t)
	time.Sleep(100 * time.Millisecond) // sends run on goroutines of their own
	if n := h.notes.count(); n != 1 {
		t.Fatalf("%d notifications, want 1 (nothing for a refresh without news, nothing while paused)", n)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !slices.Equal(h.paused, []bool{true}) {
		t.Fatalf("pause saved as %v", h.paused)
	}
}

func TestTrayMenuActionsReachTheWatcherAndTheWindows(t *testing.T) {
	h := startTray(t)
	h.tray.Apply(failedResult("e2"))
	h.settle(t)
	resource := failedResult("e2").Snapshot.Executions[0].Resource
	h.menu.click(t, "Acknowledge e2's error")
	h.menu.click(t, "For 1 hour")
	h.menu.click(t, "Refresh now")
	h.menu.click(t, "✖ us-west3 · e2")
	h.menu.click(t, "Settings…")
	h.menu.click(t, "Show executions")
	h.menu.click(t, "Quit")
	h.settle(t)
	waitFor(t, func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.windows) == 3 }, "three windows asked for")
	h.watch.mu.Lock()
	defer h.watch.mu.Unlock()
	if !slices.Equal(h.watch.acknowledged, []string{resource}) || len(h.watch.snoozed) != 1 ||
		!h.watch.snoozed[0].Equal(viewtest.Now.Add(time.Hour)) || h.watch.refreshes != 1 {
		t.Fatalf("watcher asked: ack %v, snooze %v, refreshes %d", h.watch.acknowledged, h.watch.snoozed, h.watch.refreshes)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !slices.ContainsFunc(h.windows, func(w ipc.Window) bool { return w.Details == resource }) ||
		!slices.ContainsFunc(h.windows, func(w ipc.Window) bool { return w.Settings }) ||
		!slices.Contains(h.windows, ipc.Window{}) || h.quits != 1 {
		t.Fatalf("windows %+v, quits %d", h.windows, h.quits)
	}
}

func TestSettingsSavedInTheWindowReconfigureAndPause(t *testing.T) {
	h := startTray(t)
	s := view.Settings{Project: "other", Job: "nightly", Regions: []string{"us-east1"}, Top: 3, Interval: time.Minute, Notifications: false}
	h.tray.Handlers().SaveSettings(s)
	h.settle(t)
	if !slices.ContainsFunc(h.menu.labels(), func(l string) bool { return l == "Pause notifications" }) {
		t.Fatalf("menu %q", h.menu.labels())
	}
	h.watch.mu.Lock()
	configs := slices.Clone(h.watch.configs)
	h.watch.mu.Unlock() // the loop tells the watcher what was delivered
	if len(configs) != 1 || configs[0].Project != "other" || configs[0].Job != "nightly" {
		t.Fatalf("reconfigured with %+v", configs)
	}
	h.tray.Apply(failedResult("e2"))
	h.settle(t)
	time.Sleep(100 * time.Millisecond)
	if n := h.notes.count(); n != 0 {
		t.Fatalf("%d notifications after notifications were turned off in settings", n)
	}
}

func TestStatusIsRefusedUntilTheFirstRefreshThenAnswered(t *testing.T) {
	h := startTray(t)
	if _, err := h.tray.Handlers().Status(); err == nil {
		t.Fatal("a snapshot before any refresh")
	}
	h.tray.Apply(failedResult("e2"))
	h.settle(t)
	snap, err := h.tray.Handlers().Status()
	if err != nil || len(snap.Executions) != 1 {
		t.Fatalf("status after a refresh: %+v, %v", snap, err)
	}
}

func TestSystrayRegistrationFailuresStayOffStderr(t *testing.T) {
	var out strings.Builder
	w := dropLines{out: &out, substr: "systray error: failed to register"}
	fmt.Fprintln(w, "2026/12/07 systray error: failed to register: no StatusNotifierWatcher")
	fmt.Fprintln(w, "runwatch: list executions in us-east1: permission denied")
	if got := out.String(); got != "runwatch: list executions in us-east1: permission denied\n" {
		t.Fatalf("stderr %q", got)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// News counts as told only once a notification server took it: while none
// does, it waits, the menu says so, and it goes out once when a server
// comes; then the poller hears it was delivered (issue 13, item 1).
func TestNewsWaitsForANotificationServerAndGoesOutOnceWhenOneComes(t *testing.T) {
	h := startTray(t)
	h.notes.mu.Lock()
	h.notes.refuse = errors.New("no notification server: org.freedesktop.Notifications was not provided by any .service files")
	h.notes.mu.Unlock()
	res := failedResult("e2")
	h.tray.Apply(res)
	h.settle(t)
	waitFor(t, func() bool {
		return slices.ContainsFunc(h.menu.labels(), func(l string) bool { return strings.HasPrefix(l, "1 notification not delivered") })
	},
		"the menu to say a notification was not delivered")
	h.watch.mu.Lock()
	if len(h.watch.delivered) != 0 {
		t.Fatalf("delivered %v with no server", h.watch.delivered)
	}
	h.watch.mu.Unlock()

	h.notes.mu.Lock()
	h.notes.refuse = nil
	h.notes.mu.Unlock()
	h.tray.ServerCame()
	h.settle(t)
	waitFor(t, func() bool { return h.notes.count() == 1 }, "the waiting news sent once a server came")
	resource := res.Changes[0].Resource
	waitFor(t, func() bool {
		h.watch.mu.Lock()
		defer h.watch.mu.Unlock()
		return slices.Contains(h.watch.delivered, resource)
	}, "the poller told it was delivered")
	h.settle(t)
	if slices.ContainsFunc(h.menu.labels(), func(l string) bool { return strings.Contains(l, "not delivered") }) {
		t.Fatalf("menu %q still says something was not delivered", h.menu.labels())
	}

	// The next refresh offers it again before the memory heard of the
	// delivery: it is not sent twice.
	h.tray.Apply(poller.Result{Snapshot: res.Snapshot, Undelivered: res.Changes})
	h.settle(t)
	time.Sleep(100 * time.Millisecond)
	if n := h.notes.count(); n != 1 {
		t.Fatalf("%d notifications for one failure", n)
	}
}

// "Refresh now" shows at once in the menu's first line, until the refresh
// ends (issue 14: nothing showed that anything happened).
func TestRefreshNowShowsRefreshingUntilTheRefreshEnds(t *testing.T) {
	h := startTray(t)
	h.tray.Apply(failedResult("e2"))
	h.settle(t)
	h.menu.click(t, "Refresh now")
	h.settle(t)
	if got := h.menu.labels()[0]; got != "runwatch: refreshing…" {
		t.Fatalf("after Refresh now: %q", got)
	}
	h.tray.Apply(poller.Result{Snapshot: failedResult("e2").Snapshot})
	h.settle(t)
	if got := h.menu.labels()[0]; !strings.HasPrefix(got, "runwatch: vertex-ai-launcher failed in us-west3") {
		t.Fatalf("after the refresh: %q", got)
	}
}

// The tray draws again when an age it shows changes, not up to 15 s later
// (issue 14: the menu and the window told different ages).
func TestTrayRedrawsWhenAnAgeChanges(t *testing.T) {
	menu := newFakeMenu()
	tray := New(Config{
		Menu: menu, Watcher: &fakeWatcher{}, Hub: ipc.NewHub(nil), Notifier: &recordedNotes{},
		OpenWindow: func(ipc.Window) {},
		Merge:      func(s view.Settings) poller.Config { return s.Config() },
		SavePaused: func(bool) error { return nil },
		Quit:       func() {},
		Prefs:      view.NotifyPrefs{Kinds: view.AllKinds},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tray.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	now := time.Now()
	ok := viewtest.Execution("us-east1", "e1", poller.StateSucceeded, time.Hour)
	ok.Completed = now.Add(-time.Minute + 300*time.Millisecond) // "just now" for 0.3 s more
	snap := viewtest.Snapshot(ok)
	snap.TakenAt = now
	tray.Apply(poller.Result{Snapshot: snap})
	waitFor(t, func() bool {
		return slices.ContainsFunc(menu.labels(), func(l string) bool { return strings.HasSuffix(l, "succeeded 1m ago") })
	}, "the menu line saying 1m ago within a second of the minute")
}

// Issue 14: a first run without credentials showed an orange key and
// nothing else. The window that says what to do opens, once; another
// problem opens nothing.
func TestFirstRunWithoutCredentialsOpensTheWindowOnce(t *testing.T) {
	h := startTray(t)
	h.tray.SetProblem("list executions: deadline exceeded")
	h.settle(t)
	h.mu.Lock()
	if len(h.windows) != 0 {
		t.Fatalf("another problem opened %v", h.windows)
	}
	h.mu.Unlock()
	h.tray.SetProblem(poller.ErrNoCredentials.Error() + ": run `gcloud auth application-default login`")
	h.tray.SetProblem(poller.ErrNoCredentials.Error() + ": run `gcloud auth application-default login`")
	h.settle(t)
	waitFor(t, func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.windows) >= 1 }, "the window opened")
	time.Sleep(100 * time.Millisecond)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.windows) != 1 || h.windows[0] != (ipc.Window{}) {
		t.Fatalf("windows %+v: want the executions window once", h.windows)
	}
}
