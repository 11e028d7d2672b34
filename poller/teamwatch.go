package poller

// The watcher in team mode: a Feed (the app's is internal/teamfeed, which
// knows Pub/Sub; this package does not) hands it the executions Pub/Sub
// says ended (Sight) and how the events go (SetTeam); the watcher sights
// them on its poller, serialised with its refreshes, and paces the
// refreshes by the events: every ReconcileInterval while they flow, every
// Interval otherwise.
//
// The seam for the relay (runwatch relay, which reads each failure's logs
// once for the team): whoever receives its errors hands each to
// Watcher.TakeError, and says whether a relay lives through
// Options.RelayAlive; while one does, the poller leaves a failure's logs
// to it for Options.RelayGrace, and the watcher sights the failure again
// once that is over, so that its logs are read here if no error came.

import (
	"cmp"
	"context"
	"slices"
	"time"

	"runwatch/poller/lifecycle"
)

// TeamMode is how team mode's events come.
type TeamMode string

// The team modes.
const (
	// TeamOff: not in team mode.
	TeamOff TeamMode = ""
	// TeamJoining: the subscription is being made or first read; the
	// refreshes keep the normal interval.
	TeamJoining TeamMode = "joining"
	// TeamLive: events flow; the refreshes come every ReconcileInterval.
	TeamLive TeamMode = "live"
	// TeamUnreachable: Pub/Sub cannot be reached; the refreshes come every
	// Interval while the feed tries again.
	TeamUnreachable TeamMode = "unreachable"
)

// TeamState is how team mode goes.
type TeamState struct {
	Mode TeamMode
	// Problem says why Pub/Sub cannot be reached (TeamUnreachable).
	Problem string
	// Since is when Mode began.
	Since time.Time
}

// FeedTarget is what a Feed drives: a Watcher.
type FeedTarget interface {
	// Sight hands on executions Pub/Sub says ended (their resource names);
	// it never blocks.
	Sight(resources ...string)
	// SetTeam says how the events go; it never blocks.
	SetTeam(TeamState)
	// TakeError gives a failure the error a relay read for the team.
	TakeError(resource string, info lifecycle.ErrorInfo)
}

// Feed brings team mode's events to a watcher: it runs until ctx ends, for
// cfg (its project settled), handing what it receives to w.Sight and how
// it goes to w.SetTeam. A watcher runs its feed (UseFeed) for each
// configuration with Team set, from its first connection.
type Feed func(ctx context.Context, cfg Config, w FeedTarget)

// sightBatch is how long the watcher gathers the executions of one burst
// of events before sighting them at once.
const sightBatch = 200 * time.Millisecond

// maxPending bounds the sightings waiting for the poller.
const maxPending = 1000

// relayedError is an error a relay read, waiting for the poller.
type relayedError struct {
	resource string
	info     lifecycle.ErrorInfo
}

// UseFeed makes feed bring the events of team mode; call it before Run.
// Without one, team mode polls as usual.
func (w *Watcher) UseFeed(feed Feed) { w.feed = feed }

// Sight takes executions Pub/Sub says ended (their resource names): the
// watcher's loop gathers those of sightBatch and sights them on the poller
// (Poller.Sight), handing the result to the view as a refresh's. It never
// blocks; before the first connection they wait for it.
func (w *Watcher) Sight(resources ...string) {
	if len(resources) == 0 {
		return
	}
	w.mu.Lock()
	w.pending = append(w.pending, resources...)
	if over := len(w.pending) - maxPending; over > 0 {
		w.pending = slices.Delete(w.pending, 0, over) // a refresh finds those too
	}
	w.mu.Unlock()
	select {
	case w.sightings <- struct{}{}:
	default: // one is pending already
	}
}

// SetTeam says how team mode's events go; the watcher paces its refreshes
// by it and shows it in the snapshots it hands on. It never blocks.
func (w *Watcher) SetTeam(st TeamState) {
	w.mu.Lock()
	changed := st.Mode != w.team.Mode || st.Problem != w.team.Problem
	if st.Mode != w.team.Mode && st.Since.IsZero() {
		st.Since = time.Now()
	}
	if st.Mode == w.team.Mode && st.Since.IsZero() {
		st.Since = w.team.Since
	}
	w.team = st
	w.mu.Unlock()
	if !changed {
		return
	}
	select {
	case w.teamChanged <- struct{}{}:
	default: // one is pending already
	}
}

// TakeError gives a failure the error a relay read for the team (see
// Poller.TakeError), and sights the failure again so that it is announced
// with it. Before the first connection it waits for the poller.
func (w *Watcher) TakeError(resource string, info lifecycle.ErrorInfo) {
	w.mu.Lock()
	p := w.poller
	if p == nil {
		w.relayed = append(w.relayed, relayedError{resource, info})
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	p.TakeError(resource, info)
	w.Sight(resource)
}

// teamState returns how team mode goes.
func (w *Watcher) teamState() TeamState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.team
}

// pace returns the time between refreshes: ReconcileInterval while team
// mode's events flow, else Interval.
func (w *Watcher) pace(cfg Config) time.Duration {
	if cfg.Team && w.teamState().Mode == TeamLive {
		return cfg.ReconcileInterval
	}
	return cfg.Interval
}

// stamped returns snap with how team mode goes.
func (w *Watcher) stamped(snap Snapshot) Snapshot {
	snap.Team = w.teamState()
	return snap
}

// apply hands a result to the view, with how team mode goes.
func (w *Watcher) apply(res Result) {
	res.Snapshot = w.stamped(res.Snapshot)
	w.view.Apply(res)
}

// sightPending gathers the executions pushed within sightBatch and sights
// them on p; false when ctx ended meanwhile.
func (w *Watcher) sightPending(ctx context.Context, p *Poller) bool {
	t := time.NewTimer(sightBatch)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return false
	}
	select {
	case <-w.sightings: // those signalled during the batch are taken now
	default:
	}
	w.mu.Lock()
	resources := slices.Compact(slices.Sorted(slices.Values(w.pending)))
	w.pending = nil
	w.mu.Unlock()
	if len(resources) == 0 {
		return true
	}
	res := p.Sight(ctx, resources)
	if ctx.Err() != nil {
		return false
	}
	w.apply(res)
	for _, resource := range resources {
		w.recheck(ctx, p, resource)
	}
	return true
}

// recheckMax bounds how often a pushed execution is sighted again.
const recheckMax = 5

// recheck sights a pushed execution again when a push could not settle it,
// and only then: once Cloud Run's API still says it runs (the sink is
// quicker than the API), after 2, 4, 8… seconds; once a live relay's
// grace period is over while its failure's error has not come, so its logs
// are read here then, not at the next reconcile refresh minutes later.
// Each is sighted again at most recheckMax times.
func (w *Watcher) recheck(ctx context.Context, p *Poller, resource string) {
	watched, ended, settled := p.pushed(resource)
	w.mu.Lock()
	n := w.rechecks[resource]
	var wait time.Duration
	switch {
	case !watched || n >= recheckMax:
	case !ended:
		wait = min(2*time.Second<<n, 30*time.Second)
	case !settled && w.opts.RelayAlive != nil && w.opts.RelayAlive() && n == 0:
		wait = cmp.Or(w.opts.RelayGrace, DefaultRelayGrace) + time.Second
	}
	if wait == 0 {
		delete(w.rechecks, resource)
		w.mu.Unlock()
		return
	}
	w.rechecks[resource] = n + 1
	w.mu.Unlock()
	go func() {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			w.Sight(resource)
		case <-ctx.Done():
		}
	}()
}

// startFeed runs the feed for cfg until the returned stop is called; stop
// waits for it to end and puts team mode back to TeamOff.
func (w *Watcher) startFeed(ctx context.Context, cfg Config) (stop func()) {
	if !cfg.Team || w.feed == nil {
		return func() {}
	}
	w.SetTeam(TeamState{Mode: TeamJoining})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.feed(ctx, cfg, w)
	}()
	return func() {
		cancel()
		<-done
		w.mu.Lock()
		w.team = TeamState{}
		w.mu.Unlock()
	}
}

// takeRelayed hands p the relay's errors that came before it.
func (w *Watcher) takeRelayed(p *Poller) {
	w.mu.Lock()
	relayed := w.relayed
	w.relayed = nil
	w.mu.Unlock()
	for _, r := range relayed {
		p.TakeError(r.resource, r.info)
	}
}
