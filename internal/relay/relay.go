// Package relay is runwatch relay's loop: it reads the team's execution
// events, and for each failure reads Cloud Run's reason and the logs once,
// with the same poller code and request budget as the app, then publishes
// the extracted error on the errors topic for every app in team mode, and
// a heartbeat every minute so that apps know it is alive.
//
// Delivery is at least once: a failure's event may come twice, so the
// relay remembers for a day the executions whose error it published and
// publishes each once. It links no toolkit and needs no cgo.
package relay

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"cloud.google.com/go/pubsub/v2"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
	"runwatch/team"
)

// Defaults for the Config fields left zero.
const (
	// DefaultRetryEvery is how often a failure whose error is not settled
	// yet (its logs not there yet, a read that failed) is looked at again;
	// the poller's own back-off decides whether its logs are read.
	DefaultRetryEvery = 10 * time.Second
	// DefaultReconcileEvery is how often every region is listed again, so
	// that a region that did not answer at start is learned (an event of
	// a region not learned waits for it).
	DefaultReconcileEvery = 10 * time.Minute
	// rememberPublished is how long a published execution is remembered,
	// so that its event delivered again publishes nothing: Pub/Sub keeps
	// an unacknowledged message a day (team.SubscriptionRetention).
	rememberPublished = 24 * time.Hour
	// giveUpAfter drops a failure whose error never settled: the poller
	// settles one with no logs after 10 minutes, so this is a failure it
	// cannot even get (a region that never answers).
	giveUpAfter = time.Hour
)

// Config is what a relay needs besides its clients.
type Config struct {
	Project string
	// Regions are the regions whose failures it relays (its poller's); an
	// event of another region or project is left alone.
	Regions []string
	// Subscription is the full name of its own subscription to the
	// executions topic.
	Subscription string
	// RelayID names it in what it publishes.
	RelayID string
	// HeartbeatEvery, RetryEvery and ReconcileEvery: team.HeartbeatEvery,
	// DefaultRetryEvery and DefaultReconcileEvery when zero.
	HeartbeatEvery time.Duration
	RetryEvery     time.Duration
	ReconcileEvery time.Duration
	// Log gets one line per error published and per problem.
	Log io.Writer
}

// Relay relays failures' errors from one project's execution events.
type Relay struct {
	cfg       Config
	poller    *poller.Poller
	pubsub    *pubsub.Client
	publisher *pubsub.Publisher

	mu sync.Mutex // one publish at a time; guards what follows
	// pending are failures whose error is not settled yet, by resource,
	// with when their event came.
	pending map[string]time.Time
	// published are executions whose error was published, with when.
	published map[string]time.Time
}

// New makes a relay that reads with p (ReadOnly, over its own memory),
// subscribes with client and publishes with publisher (from
// team.ErrorsPublisher).
func New(cfg Config, p *poller.Poller, client *pubsub.Client, publisher *pubsub.Publisher) *Relay {
	cfg.HeartbeatEvery = cmp.Or(cfg.HeartbeatEvery, team.HeartbeatEvery)
	cfg.RetryEvery = cmp.Or(cfg.RetryEvery, DefaultRetryEvery)
	cfg.ReconcileEvery = cmp.Or(cfg.ReconcileEvery, DefaultReconcileEvery)
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	return &Relay{cfg: cfg, poller: p, pubsub: client, publisher: publisher,
		pending: map[string]time.Time{}, published: map[string]time.Time{}}
}

// Run relays until ctx ends (then it returns nil) or the subscription
// cannot be read (it returns why). It lists every region first, to learn
// them, then heartbeats, takes events and retries what is pending.
func (r *Relay) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.reconcile(ctx)

	done := make(chan error, 1)
	go func() {
		done <- team.Subscribe(ctx, r.pubsub, r.cfg.Subscription, func(ev team.Event) { r.take(ctx, ev) }, nil)
	}()
	heartbeat := time.NewTicker(r.cfg.HeartbeatEvery)
	defer heartbeat.Stop()
	retry := time.NewTicker(r.cfg.RetryEvery)
	defer retry.Stop()
	reconcile := time.NewTicker(r.cfg.ReconcileEvery)
	defer reconcile.Stop()
	r.beat(ctx)
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = fmt.Errorf("read subscription %s: it stopped", r.cfg.Subscription)
			}
			return err
		case <-heartbeat.C:
			r.beat(ctx)
		case <-retry.C:
			r.retry(ctx)
		case <-reconcile.C:
			r.reconcile(ctx)
		}
	}
}

// take handles one execution event: a failure not published yet is
// sighted (its reason and logs read) and its error published once
// settled.
func (r *Relay) take(ctx context.Context, ev team.Event) {
	if ev.State != lifecycle.Failed || ev.Project != r.cfg.Project || !slices.Contains(r.cfg.Regions, ev.Region) {
		return
	}
	r.mu.Lock()
	_, done := r.published[ev.Resource]
	if !done {
		if _, ok := r.pending[ev.Resource]; !ok {
			r.pending[ev.Resource] = time.Now()
		}
	}
	r.mu.Unlock()
	if done {
		return
	}
	r.poller.Sight(ctx, []string{ev.Resource})
	r.publishSettled(ctx)
}

// retry sights the pending failures again and publishes those settled
// now; it gives up on one pending for giveUpAfter.
func (r *Relay) retry(ctx context.Context) {
	r.mu.Lock()
	now := time.Now()
	for resource, since := range r.pending {
		if now.Sub(since) > giveUpAfter {
			delete(r.pending, resource)
			fmt.Fprintf(r.cfg.Log, "runwatch relay: gave up on %s: its error was not known after %s\n", resource, giveUpAfter)
		}
	}
	for resource, at := range r.published {
		if now.Sub(at) > rememberPublished {
			delete(r.published, resource)
		}
	}
	pending := slices.Sorted(maps.Keys(r.pending))
	r.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	r.poller.Sight(ctx, pending)
	r.publishSettled(ctx)
}

// reconcile lists every region, learning those that did not answer yet,
// and takes the failures it lists that ended within recentFailure and
// were not published: an event acknowledged by a relay that stopped
// before publishing (or one never delivered) is published still.
func (r *Relay) reconcile(ctx context.Context) {
	res := r.poller.Refresh(ctx)
	if n := len(res.Snapshot.RegionErrors); n > 0 {
		fmt.Fprintf(r.cfg.Log, "runwatch relay: %d of %d regions did not answer (their events wait for them)\n", n, res.Snapshot.RegionsAsked)
	}
	now := time.Now()
	r.mu.Lock()
	for _, e := range slices.Concat(res.Snapshot.Failing, res.Snapshot.Executions) {
		_, published := r.published[e.Resource]
		if e.State == lifecycle.Failed && !published && now.Sub(e.Completed) < recentFailure {
			if _, ok := r.pending[e.Resource]; !ok {
				r.pending[e.Resource] = now
			}
		}
	}
	r.mu.Unlock()
	r.publishSettled(ctx)
}

// recentFailure: a failure a listing finds that ended this recently is
// published if it was not (apps wait a grace period of seconds for it,
// then read its logs themselves; a later error still spares the others).
const recentFailure = time.Hour

// publishSettled publishes the error of each pending failure whose error
// is settled, once; one that fails to publish stays pending.
func (r *Relay) publishSettled(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, resource := range slices.Sorted(maps.Keys(r.pending)) {
		info, settled := r.poller.ErrorOf(resource)
		if !settled {
			continue
		}
		report := team.NewErrorReport(resource, info)
		report.RelayID, report.At = r.cfg.RelayID, time.Now().UTC()
		if err := team.PublishError(ctx, r.publisher, report); err != nil {
			if ctx.Err() == nil { // else stopping: no retry is coming
				fmt.Fprintf(r.cfg.Log, "runwatch relay: %v (tried again in %s)\n", err, r.cfg.RetryEvery)
			}
			continue
		}
		delete(r.pending, resource)
		r.published[resource] = time.Now()
		fmt.Fprintf(r.cfg.Log, "runwatch relay: published the error of %s: %s\n", resource, said(report))
	}
}

// said returns the error line of a report and where it came from, for the
// log.
func said(r team.ErrorReport) string {
	line := r.Line
	if line == "" {
		line = "no error line found"
	}
	return fmt.Sprintf("%s (%s, logs %s)", line, cmp.Or(r.Source, "no source"), cmp.Or(r.Logs, "pending"))
}

// beat publishes a heartbeat; a failure is logged, the next one tries
// again.
func (r *Relay) beat(ctx context.Context) {
	h := team.Heartbeat{RelayID: r.cfg.RelayID, Project: r.cfg.Project, At: time.Now().UTC(), Every: r.cfg.HeartbeatEvery}
	if err := team.PublishHeartbeat(ctx, r.publisher, h); err != nil && ctx.Err() == nil {
		fmt.Fprintf(r.cfg.Log, "runwatch relay: %v\n", err)
	}
}
