package tray

import (
	"context"
	"log"
	"runtime/debug"
	"time"

	"runwatch/internal/ipc"
	"runwatch/internal/notifier"
	"runwatch/poller"
	"runwatch/ui/view"
)

// Watcher is what the tray asks of the poller's Watcher; none of its
// methods blocks.
type Watcher interface {
	RefreshNow()
	// Refresh refreshes with the clients there are (after an action).
	Refresh()
	// Delivered records that a notification server took the news of these
	// executions, and the snooze summary that told of the missed ones.
	Delivered(resources, missed []string)
	Acknowledge(resource string)
	Snooze(until time.Time)
	Reconfigure(poller.Config)
	// LastLines reads the last lines an execution logged, once.
	LastLines(ctx context.Context, resource string) ([]string, error)
	// Clients returns the clients of the poller's connection, for a
	// person's action on Cloud Run; an error until it connected.
	Clients() (poller.Clients, error)
}

// Config is what a Tray works with.
type Config struct {
	Menu Menu
	// Watcher may be set after New, before Run: the poller's Watcher is
	// made with the Tray as its view.
	Watcher  Watcher
	Hub      *ipc.Hub        // the state other processes read
	Notifier notifier.Sender // where notifications go
	// OpenWindow shows a window in the window process; it may block.
	OpenWindow func(ipc.Window)
	// Merge applies the command line's flags over saved settings.
	Merge func(view.Settings) poller.Config
	// SavePaused remembers whether notifications are paused.
	SavePaused func(paused bool) error
	// Quit ends the tray process.
	Quit  func()
	Prefs view.NotifyPrefs // what a person chose about notifications, at start
	Now   func() time.Time // nil: time.Now
}

// Tray owns the tray icon and menu; Run is its loop. Its other methods
// hand values to the loop and may be called from any goroutine.
type Tray struct {
	cfg Config

	results   chan poller.Result
	snapshots chan poller.Snapshot
	problems  chan string
	// firstRunShown: the window was opened for missing credentials once.
	firstRunShown bool
	intervals     chan time.Duration
	settings      chan view.Settings
	trayHosts     chan bool
	told          chan toldOutcome
	servers       chan struct{}    // a notification server appeared
	ticks         <-chan time.Time // nil: a timer set to view.NextTick
	stopped       chan struct{}    // closed when Run returns

	// Owned by the loop.
	news      *outbox
	prefs     view.NotifyPrefs
	menuShown string // the view.MenuKey of the menu the tray has
	look      view.TrayLook
	timer     *time.Timer // fires at view.NextTick (nil in tests that tick)
	// refreshAsked is when a person chose "Refresh now", until the refresh
	// ends (zero: none under way).
	refreshAsked time.Time
}

// refreshShownFor bounds how long the menu says "refreshing…" for a
// refresh that never reports back.
const refreshShownFor = time.Minute

// SetWatcher gives the tray the poller's Watcher, made after the Tray
// (its view); call it before Run.
func (t *Tray) SetWatcher(w Watcher) { t.cfg.Watcher = w }

// New makes a tray; Run starts its loop.
func New(cfg Config) *Tray {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Tray{
		cfg:       cfg,
		results:   make(chan poller.Result),
		snapshots: make(chan poller.Snapshot),
		problems:  make(chan string),
		intervals: make(chan time.Duration),
		settings:  make(chan view.Settings),
		trayHosts: make(chan bool),
		told:      make(chan toldOutcome),
		servers:   make(chan struct{}),
		news:      newOutbox(),
		stopped:   make(chan struct{}),
		prefs:     cfg.Prefs,
	}
}

// Apply hands a refresh's result to the loop (poller.View).
func (t *Tray) Apply(res poller.Result) {
	if res.Warning != "" {
		log.Printf("runwatch: warning: %s", res.Warning)
	}
	send(t, t.results, res)
}

// ShowSnapshot hands a snapshot without news to the loop, as after an
// acknowledgement (poller.View).
func (t *Tray) ShowSnapshot(snap poller.Snapshot, err error) {
	if err != nil {
		log.Printf("runwatch: %v", err)
	}
	send(t, t.snapshots, snap)
}

// SetProblem hands why polling cannot start to the loop (poller.View).
func (t *Tray) SetProblem(problem string) {
	log.Printf("runwatch: %s", problem)
	send(t, t.problems, problem)
}

// SetInterval hands how often refreshes come to the loop (poller.View).
func (t *Tray) SetInterval(d time.Duration) { send(t, t.intervals, d) }

// SaveSettings hands settings a person saved (in the window process) to
// the loop.
func (t *Tray) SaveSettings(s view.Settings) { send(t, t.settings, s) }

// SetTrayHost hands whether a tray host shows the icon to the loop.
func (t *Tray) SetTrayHost(present bool) { send(t, t.trayHosts, present) }

// send hands v to the loop, or drops it once the loop has ended.
func send[T any](t *Tray, ch chan<- T, v T) {
	select {
	case ch <- v:
	case <-t.stopped:
	}
}

// Run is the loop: it draws the tray and acts on what arrives until ctx
// ends.
func (t *Tray) Run(ctx context.Context) {
	defer close(t.stopped)
	ticks := t.ticks
	if ticks == nil {
		t.timer = time.NewTimer(view.TickEvery)
		defer t.timer.Stop()
		ticks = t.timer.C
	}
	t.render()
	for {
		select {
		case <-ctx.Done():
			return
		case res := <-t.results:
			t.refreshAsked = time.Time{}
			t.cfg.Hub.Update(func(s *ipc.State) { s.Status.Take(res.Snapshot) })
			t.news.add(res)
			t.announce()
			t.render()
			// What start-up and a refresh left behind (protobuf descriptors,
			// the listing) goes back to the system: the tray process idles
			// all day.
			debug.FreeOSMemory()
		case snap := <-t.snapshots:
			t.cfg.Hub.Update(func(s *ipc.State) {
				if s.Status.HasSnapshot {
					s.Status.Snapshot = snap
				}
			})
			t.render()
		case problem := <-t.problems:
			t.refreshAsked = time.Time{}
			st := t.cfg.Hub.Update(func(s *ipc.State) { s.Status.Problem = problem })
			t.render()
			if !t.firstRunShown && view.NeedsCredentials(st.Status) {
				// A first run without credentials opens the window that
				// says what to do, once: an orange key alone says little.
				t.firstRunShown = true
				go t.cfg.OpenWindow(ipc.Window{})
			}
		case d := <-t.intervals:
			t.cfg.Hub.Update(func(s *ipc.State) { s.Status.Interval = d })
		case present := <-t.trayHosts:
			t.cfg.Hub.Update(func(s *ipc.State) { s.TrayHost = present })
		case s := <-t.settings:
			t.prefs = view.NotifyPrefs{Paused: !s.Notifications, Kinds: s.Notify}
			t.cfg.Hub.Update(func(st *ipc.State) { st.Status.FailureLimit = s.FailureShownFor })
			t.cfg.Watcher.Reconfigure(t.cfg.Merge(s))
			t.render()
		case o := <-t.told:
			if t.news.settle(o.told, o.err) {
				t.cfg.Watcher.Delivered(o.told.Resources, o.told.Missed)
			}
			t.cfg.Hub.Update(t.news.state)
			t.render()
		case <-t.servers:
			t.announce()
		case l := <-t.cfg.Menu.Clicks():
			if ctx.Err() == nil { // nothing starts after Quit
				t.act(l)
			}
		case <-ticks:
			t.render()
		}
	}
}

// announce sends what waits in the outbox and is not being sent; each
// outcome comes back to the loop.
func (t *Tray) announce() {
	res := t.news.next()
	if len(res.Changes) == 0 && len(res.Missed) == 0 && res.MissedMore == 0 {
		return
	}
	notifier.Announce(res, t.prefs, t.cfg.Notifier, func(told notifier.Told, err error) {
		send(t, t.told, toldOutcome{told, err})
	})
}

// toldOutcome is whether a notification server took a notification.
type toldOutcome struct {
	told notifier.Told
	err  error
}

// ServerCame tells the loop a notification server appeared: what waits
// goes out.
func (t *Tray) ServerCame() { send(t, t.servers, struct{}{}) }

// render draws the tray icon and menu from the status, resending the menu
// only when it changed (resending resets a menu a person has open), and
// sets the timer for when it changes next with the clock.
func (t *Tray) render() {
	st := t.cfg.Hub.Get().Status
	now := t.cfg.Now()
	st.Refreshing = !t.refreshAsked.IsZero() && now.Sub(t.refreshAsked) < refreshShownFor
	if t.timer != nil {
		t.timer.Reset(view.NextTick(st, now).Sub(now))
	}
	lines := view.TrayMenuOf(st, now, t.prefs.Paused)
	if key := view.MenuKey(lines); key != t.menuShown {
		t.cfg.Menu.Reset()
		addLines(t.cfg.Menu, nil, lines)
		t.cfg.Menu.SetTooltip(view.TraySummary(st, now))
		t.menuShown = key
	}
	if look := view.TrayLookOf(st, now); look != t.look {
		t.cfg.Menu.SetIcon(view.IconOf(look).Content())
		t.look = look
	}
}

// act does what a menu item says. Opening a window may take seconds (a
// process starts): it never holds the loop.
func (t *Tray) act(l view.MenuLine) {
	switch l.Action {
	case view.ActDetails:
		go t.cfg.OpenWindow(ipc.Window{Details: l.Resource})
	case view.ActAcknowledge:
		t.cfg.Watcher.Acknowledge(l.Resource)
	case view.ActRunAgain:
		go t.cfg.OpenWindow(ipc.Window{Details: l.Resource, Confirm: view.ConfirmRunAgain})
	case view.ActCancel:
		go t.cfg.OpenWindow(ipc.Window{Details: l.Resource, Confirm: view.ConfirmCancel})
	case view.ActSnoozeHour, view.ActSnoozeMorning, view.ActResume:
		t.cfg.Watcher.Snooze(view.SnoozeUntil(l.Action, t.cfg.Now()))
	case view.ActShow:
		go t.cfg.OpenWindow(ipc.Window{})
	case view.ActRefresh:
		t.refreshAsked = t.cfg.Now()
		t.cfg.Watcher.RefreshNow()
		t.render()
	case view.ActPause:
		t.prefs.Paused = !t.prefs.Paused
		if err := t.cfg.SavePaused(t.prefs.Paused); err != nil {
			log.Printf("runwatch: %v", err)
		}
		t.render()
	case view.ActSettings:
		go t.cfg.OpenWindow(ipc.Window{Settings: true})
	case view.ActQuit:
		t.cfg.Quit()
	}
}

// Handlers are the tray process's answers to other runwatch processes:
// a second start, `status`, and the window process.
func (t *Tray) Handlers() ipc.Handlers {
	return ipc.Handlers{
		Show:         func() { go t.cfg.OpenWindow(ipc.Window{}) },
		Status:       t.cfg.Hub.Snapshot,
		State:        t.cfg.Hub.WaitNewer,
		Refresh:      t.cfg.Watcher.RefreshNow,
		Acknowledge:  t.cfg.Watcher.Acknowledge,
		Snooze:       t.cfg.Watcher.Snooze,
		SaveSettings: t.SaveSettings,
		Quit:         t.cfg.Quit,
		LastLines:    t.lastLines,
		RunAgain:     t.runAgain,
		Cancel:       t.cancel,
		Overrides:    t.overrides,
	}
}

// runAgain starts an execution's job again for a details window, then
// refreshes so the new execution shows. Once asked, it is not cut short
// with the request (a person confirmed it; a RunJob cut short may have
// started all the same), only by ipc.ActionTimeout.
func (t *Tray) runAgain(ctx context.Context, resource string, withOverrides bool) (string, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ipc.ActionTimeout)
	defer cancel()
	clients, err := t.cfg.Watcher.Clients()
	if err != nil {
		return "", err
	}
	started, err := poller.RunAgain(ctx, clients, resource, withOverrides)
	if err != nil {
		return "", err
	}
	t.cfg.Watcher.Refresh()
	return started, nil
}

// cancel cancels an execution for a details window, then refreshes so it
// shows cancelled; bounded as runAgain.
func (t *Tray) cancel(ctx context.Context, resource string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ipc.ActionTimeout)
	defer cancel()
	clients, err := t.cfg.Watcher.Clients()
	if err != nil {
		return err
	}
	if err := poller.Cancel(ctx, clients, resource); err != nil {
		return err
	}
	t.cfg.Watcher.Refresh()
	return nil
}

// overrides says what an execution ran with beyond its job, for the
// confirmation of a run again; it ends with the request.
func (t *Tray) overrides(ctx context.Context, resource string) (string, error) {
	// Its own time (two calls of up to 30 s), not the socket handler's 10 s;
	// the window stops waiting at ipc.OverridesWait.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), overridesTimeout)
	defer cancel()
	clients, err := t.cfg.Watcher.Clients()
	if err != nil {
		return "", err
	}
	o, err := poller.OverridesOf(ctx, clients, resource)
	if err != nil {
		return "", err
	}
	return o.String(), nil
}

// overridesTimeout bounds reading an execution's overrides for a details
// window: its execution and its job, each call within 30 s at most.
const overridesTimeout = 32 * time.Second

// lastLinesTimeout bounds a details window's read of an execution's last
// lines: longer than a request's usual 10 s, as the read may wait for
// Cloud Logging's budget; the window waits a little longer.
const lastLinesTimeout = 40 * time.Second

// lastLines reads an execution's last lines for a details window. The read
// is not cut short with the request that asked for it (its result is
// remembered for every later window), only by lastLinesTimeout.
func (t *Tray) lastLines(ctx context.Context, resource string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lastLinesTimeout)
	defer cancel()
	return t.cfg.Watcher.LastLines(ctx, resource)
}
