package poller

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// View is what the watcher asks of whoever shows its results. Its methods
// are called from the watcher's goroutine; the app's implementation hands
// each call to Fyne's main thread.
type View interface {
	// Apply shows a refresh's result and words what it classified as news.
	Apply(Result)
	// ShowSnapshot shows a picture without news, as after an
	// acknowledgement; err says why a person's action did not take.
	ShowSnapshot(snap Snapshot, err error)
	// SetProblem says why polling cannot start (no credentials, no project).
	SetProblem(problem string)
	// SetInterval says how often refreshes come, to judge staleness.
	SetInterval(time.Duration)
}

// Connect builds the clients for a configuration and settles what the
// configuration left open (the project); closing them is the caller's.
type Connect func(ctx context.Context, cfg Config) (Config, Clients, error)

// connectTimeout bounds finding credentials and dialling.
const connectTimeout = 30 * time.Second

// Watcher polls in the background with the settings it is given, and hands
// each result to a View. Refused credentials are rebuilt: after a refresh
// where every region said Unauthenticated, and on every RefreshNow.
type Watcher struct {
	view    View
	connect Connect
	store   MemoryStore
	opts    Options

	refreshNow  chan struct{}
	refresh     chan struct{} // a refresh with the clients there are (Refresh)
	reconfigure chan Config
	sightings   chan struct{} // Sight put executions in pending
	teamChanged chan struct{} // SetTeam changed team
	feed        Feed          // team mode's events (UseFeed); nil: none

	// A person's actions need the memory, not a connection: they go to the
	// one poller, connected or not, and wait for it while there is none
	// yet (credentials refused since the start).
	mu     sync.Mutex
	poller *Poller  // nil until the first connection
	queued []action // pressed before there was a poller, in order
	// unconnected is why the last connection failed (nil while connected):
	// the poller's clients are then closed, and not lent (Clients).
	unconnected error
	// pending are executions pushed and not sighted yet (Sight).
	pending []string
	// rechecks counts how often each pushed execution was sighted again
	// (see recheck).
	rechecks map[string]int
	// team is how team mode goes (SetTeam).
	team TeamState
	// relayed are a relay's errors that came before the poller.
	relayed []relayedError
}

// action is what a person did, done on the poller: it returns the picture
// with it.
type action func(*Poller) (Snapshot, error)

// NewWatcher makes a watcher; Run starts it.
func NewWatcher(view View, connect Connect, store MemoryStore, opts Options) *Watcher {
	return &Watcher{
		view:        view,
		connect:     connect,
		store:       store,
		opts:        opts,
		refreshNow:  make(chan struct{}, 1),
		refresh:     make(chan struct{}, 1),
		reconfigure: make(chan Config, 1),
		sightings:   make(chan struct{}, 1),
		rechecks:    map[string]int{},
		teamChanged: make(chan struct{}, 1),
	}
}

// RefreshNow asks for a refresh at once, with credentials rebuilt; it
// never blocks.
func (w *Watcher) RefreshNow() {
	select {
	case w.refreshNow <- struct{}{}:
	default: // one is pending already
	}
}

// Refresh asks for a refresh at once with the clients there are, as after
// a person's action on Cloud Run: RefreshNow would rebuild them, closing
// those another action may be using. It never blocks; while the watcher
// cannot connect it waits for the next try.
func (w *Watcher) Refresh() {
	select {
	case w.refresh <- struct{}{}:
	default: // one is pending already
	}
}

// Reconfigure hands new settings to the watcher without blocking; unread
// older ones are replaced.
func (w *Watcher) Reconfigure(cfg Config) {
	for {
		select {
		case w.reconfigure <- cfg:
			return
		default:
		}
		select {
		case <-w.reconfigure:
		default:
		}
	}
}

// Acknowledge marks a failure as seen, off the caller's goroutine (a
// refresh may hold the poller), and shows the picture with it. It is never
// lost: while the watcher reconnects it is remembered all the same, and
// before the first connection it waits for it.
func (w *Watcher) Acknowledge(resource string) {
	w.withPoller(func(p *Poller) (Snapshot, error) { return p.Acknowledge(resource) })
}

// Snooze holds notifications back until t (zero: resume), off the
// caller's goroutine, and shows the picture with it; never lost, as
// Acknowledge.
func (w *Watcher) Snooze(until time.Time) {
	w.withPoller(func(p *Poller) (Snapshot, error) { return p.Snooze(until) })
}

// Delivered records, off the caller's goroutine, that a notification
// server took the news of these executions and the snooze summary of
// missed ones; never lost, as Acknowledge.
func (w *Watcher) Delivered(resources, missed []string) {
	if len(resources)+len(missed) == 0 {
		return
	}
	w.withPoller(func(p *Poller) (Snapshot, error) { return p.Delivered(resources, missed) })
}

// LastLines returns the last lines an execution logged (see
// Poller.LastLines); an error until the watcher first connected.
func (w *Watcher) LastLines(ctx context.Context, resource string) ([]string, error) {
	w.mu.Lock()
	p := w.poller
	w.mu.Unlock()
	if p == nil {
		return nil, errors.New("not connected to Cloud Logging yet")
	}
	return p.LastLines(ctx, resource)
}

// Clients returns the clients of the watcher's connection, for a person's
// action on Cloud Run (run again, cancel); an error until the watcher first
// connected. A reconnection (Refresh now, refused credentials) closes them
// once new ones are made: an action's call under way then ends as
// cancelled, and is not repeated (a RunJob might have started). After an
// action, Refresh shows what it did without reconnecting.
func (w *Watcher) Clients() (Clients, error) {
	w.mu.Lock()
	p, unconnected := w.poller, w.unconnected
	w.mu.Unlock()
	switch {
	case unconnected != nil:
		return Clients{}, fmt.Errorf("not connected to Cloud Run: %w", unconnected)
	case p == nil:
		return Clients{}, errors.New("not connected to Cloud Run yet")
	}
	return p.Clients(), nil
}

// withPoller does a person's action on the poller, connected or not (it
// needs only the memory), or queues it until there is one.
func (w *Watcher) withPoller(do action) {
	w.mu.Lock()
	p := w.poller
	if p == nil {
		w.queued = append(w.queued, do)
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	go func() {
		snap, err := do(p)
		w.view.ShowSnapshot(w.stamped(snap), err)
	}()
}

// adopt makes p the poller actions go to, and does those queued before it
// came, in order, before its first refresh (a snooze silences that one).
func (w *Watcher) adopt(p *Poller) {
	type shown struct {
		snap Snapshot
		err  error
	}
	w.mu.Lock()
	w.poller = p
	// Done under the lock, so that an action pressed meanwhile comes after
	// them; shown after it, as the view may be pressing one.
	done := make([]shown, len(w.queued))
	for i, do := range w.queued {
		done[i].snap, done[i].err = do(p)
	}
	w.queued = nil
	w.mu.Unlock()
	w.takeRelayed(p)
	for _, d := range done {
		w.view.ShowSnapshot(w.stamped(d.snap), d.err)
	}
}

// Run polls until ctx ends, starting over when new settings come.
func (w *Watcher) Run(ctx context.Context, cfg Config) {
	var p *Poller
	for {
		next, ok := w.watch(ctx, cfg.WithDefaults(), &p)
		if !ok {
			return
		}
		cfg = next
	}
}

// outcome is why polling with one set of clients stopped.
type outcome int

const (
	stopped     outcome = iota // ctx ended
	reconfigure                // new settings came
	reconnect                  // credentials were refused, or a person asked
)

// watch connects (again every interval, or at once on RefreshNow, while it
// cannot) and polls, until new settings come (returned) or ctx ends. One
// poller (*poller) serves across reconnections and settings, so what it
// knows (the last listing of a region not answering, log read back-offs)
// stays. In team mode the feed runs from the first connection on.
func (w *Watcher) watch(ctx context.Context, cfg Config, poller **Poller) (Config, bool) {
	w.view.SetInterval(cfg.Interval)
	stopFeed, feeding := func() {}, false
	defer func() { stopFeed() }()
	// retired are the clients of the last connection, kept open until new
	// ones replace them: a details window's read may still be using them.
	var retired *Clients
	retire := func() {
		if retired != nil {
			retired.Close()
			retired = nil
		}
	}
	defer retire()
	for {
		connectCtx, cancel := context.WithTimeout(ctx, connectTimeout)
		resolved, clients, err := w.connect(connectCtx, cfg)
		cancel()
		w.mu.Lock()
		w.unconnected = err
		w.mu.Unlock()
		if err != nil {
			retire()
			w.view.SetProblem(err.Error())
			select {
			case <-time.After(cfg.Interval):
			case <-w.refreshNow:
			case next := <-w.reconfigure:
				return next, true
			case <-ctx.Done():
				return cfg, false
			}
			continue
		}
		p := *poller
		if p == nil {
			p = New(resolved, clients, w.store, w.opts)
			*poller = p
			w.adopt(p)
		} else {
			p.Reconfigure(resolved)
			p.SetClients(clients)
		}
		retire()
		if !feeding {
			stopFeed, feeding = w.startFeed(ctx, resolved), true
		}
		next, why := w.poll(ctx, p, resolved)
		switch why {
		case stopped:
			clients.Close()
			return cfg, false
		case reconfigure:
			clients.Close()
			return next, true
		}
		retired = &clients
	}
}

// poll refreshes every interval (every reconcile interval while team
// mode's events flow) and sights what is pushed, until the clients must be
// rebuilt, new settings come or ctx ends.
func (w *Watcher) poll(ctx context.Context, p *Poller, cfg Config) (Config, outcome) {
	pace := w.pace(cfg)
	w.view.SetInterval(pace)
	timer := time.NewTimer(pace)
	defer timer.Stop()
	unauthenticated := false
	refresh := true
	for {
		if refresh {
			res := p.Refresh(ctx)
			if ctx.Err() != nil {
				return Config{}, stopped
			}
			w.apply(res)
			unauthenticated = res.Snapshot.Unauthenticated
			timer.Reset(pace)
		}
		refresh = true
		select {
		case <-timer.C:
			if unauthenticated {
				return Config{}, reconnect
			}
		case <-w.refreshNow:
			return Config{}, reconnect
		case <-w.refresh:
		case <-w.sightings:
			if !w.sightPending(ctx, p) {
				return Config{}, stopped
			}
			refresh = false
		case <-w.teamChanged:
			// Falling back to polling, events may have been lost: refresh at
			// once. Otherwise show the new state.
			refresh = w.teamState().Mode == TeamUnreachable
			if next := w.pace(cfg); next != pace {
				pace = next
				w.view.SetInterval(pace)
				timer.Reset(pace)
			}
			if !refresh {
				w.view.ShowSnapshot(w.stamped(p.Snapshot()), nil)
			}
		case next := <-w.reconfigure:
			return next, reconfigure
		case <-ctx.Done():
			return Config{}, stopped
		}
	}
}
