package fakecloud

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Demo is a living scenario for the app's --demo mode: past executions
// spread over the regions, then a new execution every 10–30 units that runs
// 10–40 units and succeeds (≈50%), fails (≈35%) or is cancelled (≈15%). A
// failure has a real-looking log and tasks: mostly exit code 1 after a
// corpus log, else an OOM kill (SIGKILL over 512 MiB) or the task timeout.
// An execution RunJob starts (Run again in the app) runs 10–40 units and
// ends the same way.
type Demo struct {
	Project string
	Job     string
	Regions []string
	// Rand drives every choice; after RunDemo returns, the scenario goroutine
	// owns it. Nil: a generator seeded from the clock.
	Rand *rand.Rand
	// Unit is the scenario's time unit. Zero means one second; tests use a
	// few milliseconds to watch many executions go by.
	Unit time.Duration
}

// RunDemo puts the past executions in place, then starts a goroutine that
// keeps the scenario going until ctx ends or c is closed. The returned
// channel is closed when that goroutine has returned.
func (c *Cloud) RunDemo(ctx context.Context, d Demo) (<-chan struct{}, error) {
	if d.Project == "" || d.Job == "" || len(d.Regions) == 0 {
		return nil, errors.New("fakecloud: demo needs a project, a job and at least one region")
	}
	logs, err := loadDemoLogs()
	if err != nil {
		return nil, fmt.Errorf("fakecloud: demo: %w", err)
	}
	if d.Unit <= 0 {
		d.Unit = time.Second
	}
	if d.Rand == nil {
		d.Rand = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	}
	s := &scenario{cloud: c, d: d, logs: logs, ids: map[string]bool{}, ran: make(chan ExecutionSpec)}

	c.mu.Lock()
	if c.ctx.Err() != nil {
		c.mu.Unlock()
		return nil, errors.New("fakecloud: demo: cloud is closed")
	}
	c.demos.Add(1)
	c.ran = func(spec ExecutionSpec) {
		select {
		case s.ran <- spec:
		case <-ctx.Done():
		case <-c.ctx.Done():
		}
	}
	c.mu.Unlock()

	s.seed(time.Now())
	done := make(chan struct{})
	go func() {
		defer c.demos.Done()
		defer close(done)
		s.run(ctx)
	}()
	return done, nil
}

// scenario is the state of one RunDemo; only its goroutine touches it after
// seeding.
type scenario struct {
	cloud  *Cloud
	d      Demo
	logs   []demoLog
	ids    map[string]bool // execution IDs handed out
	events []event
	ran    chan ExecutionSpec // executions RunJob started, to end
}

// event is something the scenario does at a given time.
type event struct {
	at time.Time
	do func(at time.Time)
}

func (s *scenario) schedule(at time.Time, do func(time.Time)) {
	s.events = append(s.events, event{at, do})
}

// units returns a random duration between lo and hi scenario units.
func (s *scenario) units(lo, hi float64) time.Duration {
	return time.Duration(float64(s.d.Unit) * (lo + s.d.Rand.Float64()*(hi-lo)))
}

// seed puts eight past executions in place, newest first, 300–1800 units
// apart over shuffled regions, and schedules the first new execution. The
// newest is still running and ends like any other.
func (s *scenario) seed(now time.Time) {
	states := []State{Running, Failed, Succeeded, Cancelled, Succeeded, Failed, Succeeded, Failed}
	regions := slices.Clone(s.d.Regions)
	s.d.Rand.Shuffle(len(regions), func(i, j int) { regions[i], regions[j] = regions[j], regions[i] })
	created := now.Add(-s.units(2, 4))
	failures := 0
	for i, st := range states {
		spec := s.newSpec(regions[i%len(regions)], created)
		spec.Started = created.Add(s.units(1, 2))
		switch st {
		case Running:
			spec.State = Running
			s.cloud.Put(spec)
			s.schedule(spec.Started.Add(s.units(10, 40)), func(at time.Time) { s.finish(spec, s.outcome(), s.failureKind(), at) })
		case Failed:
			s.finish(spec, st, seedFailures[failures%len(seedFailures)], spec.Started.Add(s.units(10, 40)))
			failures++
		default:
			s.finish(spec, st, exitedWithError, spec.Started.Add(s.units(10, 40)))
		}
		created = created.Add(-s.units(300, 1800))
	}
	s.schedule(now.Add(s.units(10, 30)), s.start)
}

// run fires the scheduled events until ctx ends or the cloud closes.
func (s *scenario) run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next := slices.MinFunc(s.events, func(a, b event) int { return a.at.Compare(b.at) })
		timer.Reset(time.Until(next.at))
		select {
		case <-ctx.Done():
			return
		case <-s.cloud.ctx.Done():
			return
		case spec := <-s.ran:
			s.ids[spec.ID] = true
			s.schedule(spec.Started.Add(s.units(10, 40)), func(at time.Time) { s.finish(spec, s.outcome(), s.failureKind(), at) })
		case now := <-timer.C:
			var due, later []event
			for _, e := range s.events {
				if e.at.After(now) {
					later = append(later, e)
				} else {
					due = append(due, e)
				}
			}
			s.events = later // due events may schedule more
			for _, e := range due {
				e.do(e.at)
			}
		}
	}
}

// start creates a pending execution in a random region, starts it a few
// units later, and schedules the next start.
func (s *scenario) start(now time.Time) {
	spec := s.newSpec(s.d.Regions[s.d.Rand.IntN(len(s.d.Regions))], now)
	s.cloud.Put(spec)
	s.schedule(now.Add(s.units(1, 3)), func(at time.Time) {
		if s.ended(spec) {
			return // cancelled while pending
		}
		spec.State = Running
		spec.Started = at
		s.cloud.Put(spec)
		s.schedule(at.Add(s.units(10, 40)), func(end time.Time) { s.finish(spec, s.outcome(), s.failureKind(), end) })
	})
	s.schedule(now.Add(s.units(10, 30)), s.start)
}

// ended reports whether the execution of spec has ended already (a person
// cancelled it).
func (s *scenario) ended(spec ExecutionSpec) bool {
	s.cloud.mu.Lock()
	defer s.cloud.mu.Unlock()
	e, ok := s.cloud.executions[spec.Name()]
	return ok && e.GetCompletionTime() != nil
}

// outcome draws how a running execution ends.
func (s *scenario) outcome() State {
	switch r := s.d.Rand.Float64(); {
	case r < 0.50:
		return Succeeded
	case r < 0.85:
		return Failed
	default:
		return Cancelled
	}
}

// How a demo failure ends, as Cloud Run reports it.
type failureKind int

const (
	exitedWithError failureKind = iota // exit code 1, a corpus log saying why
	killedForMemory                    // SIGKILL over the 512 MiB limit, a log that just stops
	timedOut                           // the task timeout, no reason, a log of waiting
)

// seedFailures: the seeded failures, newest first, show one of each kind.
var seedFailures = []failureKind{exitedWithError, killedForMemory, timedOut}

// failureKind draws how a new failure ends: mostly an error exit.
func (s *scenario) failureKind() failureKind {
	switch r := s.d.Rand.Float64(); {
	case r < 0.70:
		return exitedWithError
	case r < 0.85:
		return killedForMemory
	default:
		return timedOut
	}
}

// finish completes spec in state st at end (a failure of the given kind)
// and writes its log, spread between its start and end.
func (s *scenario) finish(spec ExecutionSpec, st State, kind failureKind, end time.Time) {
	if s.ended(spec) {
		return // cancelled meanwhile: it stays as the cancel left it
	}
	spec.State = st
	spec.Completed = end
	banner := []string{
		fmt.Sprintf("🚀 Starting W&B Launch agent wrapper (Cloud Run job: %s)", spec.Job),
		"⏳ Monitoring for fatal errors...",
	}
	var lines []string
	switch st {
	case Succeeded:
		lines = append(banner, "✅ Queue drained, no jobs pending", "🛑 Wrapper exiting with status 0")
	case Failed:
		lines, spec.Failure = s.failure(banner, kind)
	case Cancelled:
		lines = append(banner, "Container terminated on signal 15.")
	}
	s.cloud.SetLogs(spec.Project, spec.Job, spec.ID, spreadLines(lines, spec.Started, end))
	s.cloud.Put(spec)
}

// failure returns the log and Cloud Run's account of a failure of kind.
func (s *scenario) failure(banner []string, kind failureKind) ([]string, *Failure) {
	switch kind {
	case killedForMemory:
		lines := append(banner,
			"▶️ Starting agent: wandb launch-agent --queue vertex-gpu --max-jobs 1",
			"wandb: launch: agent polling on queues vertex-gpu, running 0 out of a maximum of 1 jobs")
		for shard := 1; shard <= 7; shard++ {
			lines = append(lines, fmt.Sprintf("Staging dataset shard %d/12 in memory before upload (%d MiB)", shard, 60*shard))
		}
		return lines, OOMFailure(512, 530)
	case timedOut:
		lines := append(banner,
			"▶️ Starting agent: wandb launch-agent --queue vertex-gpu --max-jobs 1",
			"wandb: launch: launching run 3kq9z2ab on Vertex AI",
			"Created CustomJob: projects/123456789012/locations/us-central1/customJobs/5829104857361",
		)
		for range 7 {
			lines = append(lines, "CustomJob projects/123456789012/locations/us-central1/customJobs/5829104857361 current state: JOB_STATE_PENDING")
		}
		return lines, TimeoutFailure()
	default:
		return s.logs[s.d.Rand.IntN(len(s.logs))].lines, ExitFailure(1, int32(s.d.Rand.IntN(4)))
	}
}

// newSpec names a new pending execution the way Cloud Run does: the job
// name and five random characters.
func (s *scenario) newSpec(region string, created time.Time) ExecutionSpec {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var id string
	for id == "" || s.ids[id] {
		b := make([]byte, 5)
		for i := range b {
			b[i] = alphabet[s.d.Rand.IntN(len(alphabet))]
		}
		id = s.d.Job + "-" + string(b)
	}
	s.ids[id] = true
	return ExecutionSpec{
		Project: s.d.Project, Region: region, Job: s.d.Job, ID: id,
		State: Pending, Created: created,
		Labels: map[string]string{"app": s.d.Job, "env": "demo"},
	}
}
