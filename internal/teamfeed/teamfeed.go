// Package teamfeed is team mode's Pub/Sub side in the app and in `status
// --follow --team`: it reads this installation's subscription to the
// executions topic of each watched project and drives a poller.Watcher
// with what comes (Watcher.Sight) and how it goes (Watcher.SetTeam). The
// poller knows nothing of Pub/Sub; package team knows nothing of the
// watcher; this package joins them.
//
// Per project, a session: the Pub/Sub client, the installation's ID from
// the app's storage (team.Installation), its subscription
// (team.EnsureSubscription: made once, expiring after
// team.SubscriptionExpiry unused), and StreamingPull (team.Subscribe).
//
// A dead stream: Pub/Sub's client retries a StreamingPull that cannot
// reach the server by itself, for ever, without a word, and a live stream
// with no execution ending is silent too. So the session asks Pub/Sub for
// its subscription (GetSubscription, within ProbeTimeout) every ProbeEvery;
// a message or a probe answered is a sign of life. With none for DeadAfter
// (two probes missed), with the subscription unmade (no topic: run team
// setup; no permission; no network), or when Subscribe returns (the
// subscription was deleted or expired), the project's Pub/Sub is
// unreachable: the watcher is told (poller.TeamUnreachable, and it polls
// at the normal interval) and the session starts again after a back-off
// (FirstRetry, doubling up to LastRetry), then live again once it works.
//
// The relay (runwatch relay): each session also reads the installation's
// subscription to the errors topic (team.EnsureErrorsSubscription,
// team.ReceiveErrors): a relay's error goes to the watcher's TakeError,
// so this app reads no logs for it, and its heartbeats make
// Feed.RelayAlive (the watcher's poller.Options.RelayAlive) true while
// they come in time (team.RelayAlive): the app then waits the grace
// period for the relay's error before reading a failure's logs itself.
// Without the errors topic the session goes on without a relay.
package teamfeed

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"runwatch/poller"
	"runwatch/team"
)

// Defaults of Options.
const (
	DefaultProbeEvery   = 30 * time.Second
	DefaultProbeTimeout = 10 * time.Second
	DefaultDeadAfter    = 75 * time.Second
	DefaultFirstRetry   = 5 * time.Second
	DefaultLastRetry    = 5 * time.Minute
	// DefaultSetupTimeout bounds connecting and making the subscription.
	DefaultSetupTimeout = 30 * time.Second
)

// Options say where a Feed reads and how it judges the stream; the zero
// durations are the defaults.
type Options struct {
	// Dir is the app's storage, where the installation ID is kept.
	Dir string
	// Endpoint is a plaintext Pub/Sub server without credentials (tests);
	// "": PUBSUB_EMULATOR_HOST when set, else Google's.
	Endpoint     string
	ProbeEvery   time.Duration
	ProbeTimeout time.Duration
	DeadAfter    time.Duration
	FirstRetry   time.Duration
	LastRetry    time.Duration
	SetupTimeout time.Duration
	// Logf logs what is worth a line (a message that is no execution's end,
	// a session that stopped); nil: the standard logger.
	Logf func(format string, args ...any)
}

// Feed reads team mode's events for a watcher; Run is its poller.Feed.
type Feed struct {
	opts Options
	// forced: SetRelayAlive's word (tests); heartbeat is the last one.
	forced    atomic.Bool
	mu        sync.Mutex
	heartbeat team.Heartbeat
}

// New makes a feed.
func New(opts Options) *Feed {
	opts.ProbeEvery = cmp.Or(opts.ProbeEvery, DefaultProbeEvery)
	opts.ProbeTimeout = cmp.Or(opts.ProbeTimeout, DefaultProbeTimeout)
	opts.DeadAfter = cmp.Or(opts.DeadAfter, DefaultDeadAfter)
	opts.FirstRetry = cmp.Or(opts.FirstRetry, DefaultFirstRetry)
	opts.LastRetry = cmp.Or(opts.LastRetry, DefaultLastRetry)
	opts.SetupTimeout = cmp.Or(opts.SetupTimeout, DefaultSetupTimeout)
	if opts.Logf == nil {
		opts.Logf = log.Printf
	}
	return &Feed{opts: opts}
}

// RelayAlive reports whether a relay reads the failures' logs for the
// team; false until SetRelayAlive says otherwise. Give it to the watcher
// as poller.Options.RelayAlive.
func (f *Feed) RelayAlive() bool {
	f.mu.Lock()
	last := f.heartbeat
	f.mu.Unlock()
	return f.forced.Load() || team.RelayAlive(last, time.Now())
}

// SetRelayAlive says a relay lives whatever its heartbeats say (tests).
func (f *Feed) SetRelayAlive(alive bool) { f.forced.Store(alive) }

// heard records a relay's heartbeat as of when it arrived here (the
// sender's clock is not trusted), its period kept within bounds.
func (f *Feed) heard(h team.Heartbeat) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h.At = time.Now()
	h.Every = min(max(h.Every, minHeartbeatEvery), maxHeartbeatEvery)
	f.heartbeat = h
}

// The bounds of a relay's heartbeat period as an app takes it.
const (
	minHeartbeatEvery = 100 * time.Millisecond
	maxHeartbeatEvery = 5 * time.Minute
)

// Run reads the subscription of each project of cfg until ctx ends,
// handing execution ends to w.Sight and how it goes to w.SetTeam: live
// once every project's stream runs, unreachable while one cannot be read.
func (f *Feed) Run(ctx context.Context, cfg poller.Config, w poller.FeedTarget) {
	states := &projectStates{w: w, by: map[string]poller.TeamState{}}
	var wg sync.WaitGroup
	for _, project := range cfg.Projects() {
		states.set(project, poller.TeamState{Mode: poller.TeamJoining})
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.follow(ctx, project, w, func(st poller.TeamState) { states.set(project, st) })
		}()
	}
	wg.Wait()
}

// projectStates sums up how each project's stream goes for the watcher.
type projectStates struct {
	w  poller.FeedTarget
	mu sync.Mutex
	by map[string]poller.TeamState
}

// set records how project's stream goes and tells the watcher the sum:
// unreachable when one is (saying which and why), live when all are, else
// joining.
func (s *projectStates) set(project string, st poller.TeamState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.by[project] = st
	sum := poller.TeamState{Mode: poller.TeamLive}
	var problems []string
	projects := make([]string, 0, len(s.by))
	for p := range s.by {
		projects = append(projects, p)
	}
	sort.Strings(projects)
	for _, p := range projects {
		switch one := s.by[p]; one.Mode {
		case poller.TeamUnreachable:
			sum.Mode = poller.TeamUnreachable
			problem := one.Problem
			if len(s.by) > 1 {
				problem = p + ": " + problem
			}
			problems = append(problems, problem)
		case poller.TeamJoining:
			if sum.Mode == poller.TeamLive {
				sum.Mode = poller.TeamJoining
			}
		}
	}
	sum.Problem = strings.Join(problems, "; ")
	s.w.SetTeam(sum)
}

// follow runs sessions on project's subscription until ctx ends, starting
// again after a back-off when one stops.
func (f *Feed) follow(ctx context.Context, project string, w poller.FeedTarget, report func(poller.TeamState)) {
	wait := f.opts.FirstRetry
	for ctx.Err() == nil {
		wasLive, err := f.session(ctx, project, w, report)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("the stream ended")
		}
		f.opts.Logf("runwatch: team mode: Pub/Sub of %s: %v; trying again in %v", project, err, wait)
		report(poller.TeamState{Mode: poller.TeamUnreachable, Problem: err.Error()})
		if wasLive {
			wait = f.opts.FirstRetry
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		wait = min(2*wait, f.opts.LastRetry)
	}
}

// session reads project's subscription once: it returns when ctx ends
// (nil), or why the stream is taken for dead; wasLive says whether it ran.
func (f *Feed) session(ctx context.Context, project string, w poller.FeedTarget, report func(poller.TeamState)) (wasLive bool, err error) {
	setupCtx, cancel := context.WithTimeout(ctx, f.opts.SetupTimeout)
	defer cancel()
	client, err := team.NewPubSubClient(setupCtx, project, f.opts.Endpoint)
	if err != nil {
		return false, err
	}
	defer client.Close()
	id, err := team.Installation(f.opts.Dir)
	if err != nil {
		return false, err
	}
	sub, err := team.EnsureSubscription(setupCtx, client, project, id)
	if err != nil {
		return false, err
	}
	// The relay's errors come over a client of their own: a stream that
	// goes dead is stopped without waiting on the other's.
	errorsClient, errorsErr := team.NewPubSubClient(setupCtx, project, f.opts.Endpoint)
	var errorsSub string
	if errorsErr == nil {
		defer errorsClient.Close()
		errorsSub, errorsErr = team.EnsureErrorsSubscription(setupCtx, errorsClient, project, id)
	}
	cancel()
	if errorsErr != nil {
		f.opts.Logf("runwatch: team mode: no relay's errors for %s: %v", project, errorsErr)
	}

	var lastSign atomic.Int64 // unix nanoseconds of the last sign of life
	lastSign.Store(time.Now().UnixNano())
	streamCtx, stopStream := context.WithCancel(ctx)
	defer stopStream()
	ended := make(chan error, 1)
	go func() {
		ended <- team.Subscribe(streamCtx, client, sub, func(ev team.Event) {
			lastSign.Store(time.Now().UnixNano())
			w.Sight(ev.Resource)
		}, func(err error) { f.opts.Logf("runwatch: team mode: %v", err) })
	}()
	if errorsErr == nil {
		go func() {
			err := team.ReceiveErrors(streamCtx, errorsClient, errorsSub, func(r team.ErrorReport) {
				// The topic is this project's: an error of another
				// project's execution (or of no execution) is not taken.
				if !strings.HasPrefix(r.Execution, "projects/"+project+"/locations/") || strings.Count(r.Execution, "/") != 7 {
					f.opts.Logf("runwatch: team mode: a relay's error of %q on %s's topic was not taken", r.Execution, project)
					return
				}
				w.TakeError(r.Execution, r.ErrorInfo())
			}, f.heard)
			if err != nil && streamCtx.Err() == nil {
				f.opts.Logf("runwatch: team mode: the relay's errors of %s: %v", project, err)
			}
		}()
	}
	report(poller.TeamState{Mode: poller.TeamLive})
	probes := time.NewTicker(f.opts.ProbeEvery)
	defer probes.Stop()
	var probeErr error
	for {
		select {
		case err := <-ended:
			if ctx.Err() != nil {
				return true, nil
			}
			return true, err
		case <-ctx.Done():
			stopStream()
			waitEnded(ended)
			return true, nil
		case <-probes.C:
			if probeErr = f.probe(ctx, client, sub); probeErr == nil {
				lastSign.Store(time.Now().UnixNano())
			}
			if silent := time.Since(time.Unix(0, lastSign.Load())); silent > f.opts.DeadAfter {
				stopStream()
				waitEnded(ended)
				return true, fmt.Errorf("no word from Pub/Sub for %v: %w", silent.Round(time.Second), probeErr)
			}
		}
	}
}

// endWait bounds how long a stopped stream is waited for: over a dead
// connection the client may not let go until it is closed (the session's
// deferred Close, right after).
const endWait = 5 * time.Second

// waitEnded waits for a stopped stream to end, for endWait at most.
func waitEnded(ended <-chan error) {
	t := time.NewTimer(endWait)
	defer t.Stop()
	select {
	case <-ended:
	case <-t.C:
	}
}

// probe asks Pub/Sub for the subscription: an answer is a sign of life.
func (f *Feed) probe(ctx context.Context, client *pubsub.Client, sub string) error {
	ctx, cancel := context.WithTimeout(ctx, f.opts.ProbeTimeout)
	defer cancel()
	_, err := client.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: sub})
	if err != nil {
		return fmt.Errorf("read subscription %s: %w", sub, err)
	}
	return nil
}
