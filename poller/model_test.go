package poller

// A model-based test of the failure lifecycle through the real poller, the
// real Google clients and the fake cloud over gRPC. Random, seeded
// sequences of cloud events (executions start, run, fail with errors of a
// few kinds, succeed, are cancelled; logs arrive late or never; regions fail
// and recover; the log quota runs out; a region ends a burst of executions
// that takes a job past the memory's bound of 400 records; a job is
// deleted in a region, its executions with it), restarts, settings changes
// (one project or two, one job, several or every job of each project,
// regions, top), the wall clock stepping back, runwatch status runs
// (another job, a subset of the regions, a top of their own, often smaller
// than the app's) and a person's acknowledgements and snoozes, and a
// notification server that comes and goes, and team mode's pushes (each
// execution's end, as Cloud Logging's sink publishes it, delivered to the
// app's Sight at once, late, twice, shuffled in batches, or never) and a
// relay's errors (TakeError) are checked against a small reference model
// of what must be announced and delivered.
//
// Three jobs run in two projects: two often, the third (backfill) only
// sometimes, so that under --all-jobs it is first seen long after its
// region's every-job listing was learned.
//
// Invariants (see also poller/lifecycle/lifecycle_test.go), each for every
// job of every project separately:
//   - every failure that ends while its scope is watched, and that a
//     refresh sees ended, is announced exactly once (while snoozed: in the
//     snooze's summary instead);
//   - nothing that ended before its scope first answered is announced; a
//     named job's scope first answers with its own listing; under
//     --all-jobs a job's scope answers with its region's every-job listing,
//     and a job first seen there is learned as of when that listing was
//     first learned (what ended before that, less the skew allowance, is
//     history; what ends after is news), unless the listing is learned in
//     the same refresh, when all it shows is history; so is a job first
//     named by a listing of its own in such a region (the app's or a
//     status run's); a job's scope the app had stopped watching is learned
//     again when the every-job listing of its region answers, whether or
//     not the job is in it;
//   - after each refresh of the app its memory holds the scopes the
//     reference does (jobs' and every-job listings'), each learned when
//     the rules above say, watched by the app or only by status, and
//     stopped watching or not;
//   - a job deleted in a region (its executions gone) leaves quietly: its
//     failures not announced yet need not be, nothing is announced twice,
//     and under --all-jobs, once the every-job listing of its region
//     answers (not full), the snapshot's Failing holds none of its deleted
//     executions;
//   - a refresh asks one ListExecutions per project and region under
//     --all-jobs (parent jobs/-), else one per project, region and job,
//     failing regions included; a status run likewise with its own
//     settings;
//   - a failure announced while the job was not failing in its region is a
//     new failure, and one announced while it was failing there is not;
//   - "fixed" only for a success newer than a failure that was the job's
//     verdict in the same region, once per failure, and every such success
//     is announced fixed;
//   - each failure's logs are read at most once once they are complete,
//     unless the read failed, or the memory let the failure's record go
//     (its error went with it) and it is in view again;
//   - a restart announces nothing already announced;
//   - nothing announced is announced again once the memory let it go (a
//     job past 400 records) and it is listed again: after a restart whose
//     first refresh its region missed, or after a status run with a subset
//     of the regions or a smaller top saved a bounded memory; the only
//     failures never announced are those the memory let go of before it
//     announced them, and only as history (ended no later than what the
//     memory forgot of their scope);
//   - a change counts as told only once a notification server took it: each
//     change not yet taken, and the summary of what a snooze held back, is
//     offered again at every refresh of the app (across restarts) until one
//     does, unless the memory let its record go; what was taken is never
//     offered again, so none is told twice;
//     while no server runs (it comes and goes), nothing is taken;
//   - an acknowledgement, a snooze and a resume stand, and so does the
//     app's watching of what its settings name, when the wall clock steps
//     back (by up to 20 minutes): acts are ordered by the memory's
//     revision, not by the clock;
//   - every invariant above holds with pushes interleaved with refreshes,
//     restarts and settings changes (before the new settings' first
//     refresh too): a push is one more answer of its execution's scope,
//     so it is announced once whether it comes before the listing, after
//     it, twice or never;
//   - a push never announces what a listing would not: it is taken only
//     for a scope the app watches and has learned (under --all-jobs: or
//     adopts as of its region's every-job listing), else it is left to
//     the next refresh; what ended before its scope was learned is
//     history, and a scope the app learns again (its settings left it
//     and came back) learns the pushed execution silently;
//   - a push of a job, region or project the settings do not watch, or of
//     an execution Cloud Run no longer has (deleted meanwhile), changes
//     nothing: the memory gets no record of it, and no scope;
//   - a push lists nothing (no ListExecutions request);
//   - a relay comes and goes; while it lives, it publishes the error of a
//     failure whose logs are complete (a line of its own) before the
//     failure's push, after it, or never: once the app took the relay's
//     error of a failure not settled yet, it reads none of its logs (unless
//     it held so many relay errors waiting that it may have let that one
//     go, or the memory let the failure's record go) and announces it with
//     the relay's line; while a relay lives, the app reads no failure's
//     logs within the grace period after it first saw it ended; when no
//     error comes, it reads them itself after that period, and the failure
//     is announced all the same.
//
// `go test ./poller -run TestLifecycleModel` runs a few thousand steps;
// -model.steps and -model.seed run more or replay one (the seed is printed
// on failure, with the last -model.tail steps).

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
	"runwatch/poller/lifecycle"
)

var (
	modelSteps = flag.Int("model.steps", 1500, "steps per seed of TestLifecycleModel")
	modelSeeds = flag.Int("model.seeds", 2, "seeds of TestLifecycleModel")
	modelSeed  = flag.Uint64("model.seed", 0, "replay this seed only")
	modelTail  = flag.Int("model.tail", 25, "steps of a failing seed to print")
)

// The cloud the model plays with.
var (
	modelProjects = []string{"acme-ml-prod", "acme-ml-dev"}
	// modelJobs: the first two run often, the last only sometimes, and
	// only --all-jobs watches it.
	modelJobs    = []string{"vertex-ai-launcher", "nightly-eval", "backfill"}
	modelRegions = []string{"us-central1", "us-east1", "europe-west4", "asia-east1"}
	// modelErrors are error lines of a few kinds; %d varies within a kind.
	modelErrors = []string{
		"ValueError: learning rate %d is out of range",
		"ModuleNotFoundError: No module named 'pkg%d'",
		"RuntimeError: CUDA out of memory. Tried to allocate %d MiB",
		"google.api_core.exceptions.ResourceExhausted: 429 Quota exceeded for aiplatform.googleapis.com/custom_model_training_nvidia_a100_gpus in region-%d",
	}
)

// modelExec is the truth about one execution.
type modelExec struct {
	project, job, region, id string
	state                    fakecloud.State
	created, completed       time.Time
	errLine                  string
	logsComplete             bool // its log, error line included, is in Cloud Logging
	logsNever                bool // it will never have logs
	deleted                  bool // its job was deleted in its region: Cloud Run has it no more
}

func (e *modelExec) resource() string {
	return fmt.Sprintf("projects/%s/locations/%s/jobs/%s/executions/%s", e.project, e.region, e.job, e.id)
}

func (e *modelExec) scope() lifecycle.Scope {
	return lifecycle.Scope{Project: e.project, Job: e.job, Region: e.region}
}

// modelScope is the reference's view of one watched scope.
type modelScope struct {
	exists      bool      // in the memory (the app or status saw it answer)
	learnedAt   time.Time // the memory's: when it was (last) learned
	learned     bool      // the app watches it, or did
	unwatchedAt time.Time // the app's settings left it
	dormant     []string  // ended executions status saw while the app did not watch it
	following   map[string]bool
}

// model is the reference: the cloud's truth, and what must be announced.
type model struct {
	t       *testing.T
	h       *harness
	rng     *rand.Rand
	cfg     Config
	p       *Poller
	execs   []*modelExec
	byRes   map[string]*modelExec
	faulty  map[string]bool // regions whose listing fails
	quota   bool            // Cloud Logging says RESOURCE_EXHAUSTED
	scopes  map[string]*modelScope
	known   map[string]bool // terminal executions some refresh saw ended
	knownAt map[string]time.Time
	fresh   bool            // the poller is new: its first refresh marks the scopes it does not watch
	must    map[string]bool // failures that must be announced
	learned map[string]bool // terminal executions learned silently
	// announced counts announcements per resource and kind.
	announced map[string]int
	fixes     map[string]string // failure → the success that fixed it
	// verdict per job: the newest announced or learned success or failure.
	records      map[string]map[string]*modelExec // job key → resource → known, announced or learned
	reads        map[string]int                   // reads of complete logs, with logging healthy
	readSteps    map[string][]int                 // the steps of those reads
	snoozedUntil time.Time
	held         []string        // changes a snooze holds back, checked when classified
	server       bool            // a notification server takes what is offered
	waiting      map[string]bool // changes offered, not yet taken by a server
	told         map[string]bool // changes a server took
	nextID       int
	steps        []string // what happened, for the failure message
	restarts     int
	cloudAhead   time.Duration  // how far Cloud Run's clock is ahead of this machine's, which stepped back
	stepsBack    int            // times the clock stepped back
	bursts       int            // bursts of executions
	rereads      int            // complete logs read again after the memory let their record go
	deletions    int            // jobs deleted in a region
	goneChecks   int            // refreshes that checked a deleted job left Failing
	adopted      int            // job scopes adopted as of their region's every-job listing
	configs      map[string]int // settings chosen, by what they watch of each project
	backfill     bool           // the job that runs only sometimes runs in these steps
	step_        int            // the step being taken
	queue        []modelPush    // events a sink published, and errors a relay did, not delivered yet
	pushes       pushStats
	relayAlive   bool               // a relay reads the failures' logs for the team
	relayLines   map[string]string  // the error line the relay published, by resource
	relayTaken   map[string]*Poller // the app's poller that took the relay's error, by resource
	relayFull    map[*Poller]bool   // the poller held so many relay errors waiting that it may have let some go
	relayStats   struct{ published, taken, applied int }
}

// modelPush is the event a sink published when an execution ended, to be
// delivered to the app (Sight) at step due or after.
type modelPush struct {
	resource string
	due      int
	relay    bool // the relay's error of the execution, not its end
}

// pushStats count what the pushes did, for the summary.
type pushStats struct {
	ends, late, twice, dropped  int // how the end of an execution was pushed
	sights, delivered, taken    int // Sight calls; events delivered; executions the app took
	unwatched, deleted, foreign int // events of what the settings do not watch, of executions deleted meanwhile, of another project
	announced                   int // changes a push announced
}

func TestLifecycleModel(t *testing.T) {
	seeds := []uint64{}
	if *modelSeed != 0 {
		seeds = append(seeds, *modelSeed)
	} else {
		for i := range *modelSeeds {
			seeds = append(seeds, uint64(time.Now().UnixNano())+uint64(i)*7919)
		}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			m := newModel(t, seed)
			defer func() {
				if t.Failed() {
					t.Logf("replay: go test ./poller -run TestLifecycleModel -model.seed %d -model.steps %d", seed, *modelSteps)
					t.Logf("last steps:\n%s", strings.Join(m.steps[max(0, len(m.steps)-*modelTail):], "\n"))
				}
			}()
			for i := 0; i < *modelSteps && !t.Failed(); i++ {
				m.step(i)
			}
			if !t.Failed() {
				m.drain()
			}
		})
	}
}

func newModel(t *testing.T, seed uint64) *model {
	h := newHarness(t)
	m := &model{
		t: t, h: h, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		byRes: map[string]*modelExec{}, faulty: map[string]bool{}, scopes: map[string]*modelScope{},
		known: map[string]bool{}, knownAt: map[string]time.Time{}, must: map[string]bool{}, learned: map[string]bool{},
		announced: map[string]int{}, fixes: map[string]string{}, records: map[string]map[string]*modelExec{},
		reads: map[string]int{}, readSteps: map[string][]int{},
		server: true, waiting: map[string]bool{}, told: map[string]bool{}, configs: map[string]int{},
		relayLines: map[string]string{}, relayTaken: map[string]*Poller{}, relayFull: map[*Poller]bool{},
	}
	m.cfg = Config{Project: modelProjects[0], Job: modelJobs[0], Regions: modelRegions[:3], Top: 3, AllJobs: m.rng.IntN(2) == 0}
	m.newPoller()
	return m
}

func (m *model) newPoller() {
	m.fresh = true
	m.p = New(m.cfg, m.h.clients, m.h.store,
		Options{Now: m.h.clock, LogReadTimeout: 2 * time.Second, LogRequestsPerMinute: 100000, ListTimeout: 2 * time.Second,
			RelayAlive: func() bool { return m.relayAlive }, RelayGrace: modelRelayGrace})
}

// modelRelayGrace is how long the app leaves a failure's logs to a live
// relay: a step or a few (each moves the clock 5 to 95 s).
const modelRelayGrace = 2 * time.Minute

func (m *model) logf(format string, args ...any) {
	m.steps = append(m.steps, fmt.Sprintf(format, args...))
}

// step does one random thing, then refreshes.
func (m *model) step(i int) {
	if i%100 == 0 && i > 0 {
		// The job that runs only sometimes: in a third of the stretches of
		// 100 steps, never the first.
		m.backfill = m.rng.IntN(3) == 0
	}
	m.step_ = i
	// What Pub/Sub delivers now goes to the app after this step's act,
	// unless the act was a status run: the app's memory catches what
	// status saved at its next refresh, so those wait for the next step.
	lag := false
	r := m.rng.Float64()
	switch {
	case r < 0.25:
		m.start()
	case r < 0.55:
		m.finish()
	case r < 0.62:
		m.logsArrive()
	case r < 0.67:
		region := modelRegions[m.rng.IntN(len(modelRegions))]
		m.faulty[region] = !m.faulty[region]
		if m.faulty[region] {
			m.h.cloud.SetRegionError(region, status.Error(codes.Unavailable, "region down"))
		} else {
			m.h.cloud.ClearRegionFaults(region)
		}
		m.logf("%d: region %s faulty=%v", i, region, m.faulty[region])
	case r < 0.70:
		m.quota = !m.quota
		if m.quota {
			m.h.cloud.SetLoggingError(status.Error(codes.ResourceExhausted, "Quota exceeded for quota metric 'Read requests'"))
		} else {
			m.h.cloud.SetLoggingError(nil)
		}
		m.logf("%d: logging quota exhausted=%v", i, m.quota)
	case r < 0.73:
		m.restarts++
		m.newPoller()
		m.logf("%d: restart", i)
	case r < 0.77:
		m.reconfigure(i)
	case r < 0.80:
		m.acknowledge(i)
	case r < 0.82:
		m.snooze(i)
	case r < 0.84:
		m.statusRun(i, m.statusConfig())
		lag = true
	case r < 0.855:
		m.clockBack(i)
	case r < 0.87:
		m.burst(i)
		lag = true
	case r < 0.89:
		m.server = !m.server
		m.logf("%d: notification server up=%v", i, m.server)
	case r < 0.905:
		m.deleteJob(i)
	case r < 0.915:
		m.relayAlive = !m.relayAlive
		m.logf("%d: relay alive=%v", i, m.relayAlive)
	}
	if !lag {
		m.deliverQueued(i, false)
	}
	m.h.advance(time.Duration(5+m.rng.IntN(90)) * time.Second)
	m.refresh(i)
}

// start makes a new running execution somewhere: mostly where it is
// watched; the last of modelJobs only in some stretches of steps.
func (m *model) start() {
	m.nextID++
	project, job := m.watchedJob()
	e := &modelExec{project: project, job: job, region: modelRegions[m.rng.IntN(len(modelRegions))],
		id: fmt.Sprintf("e-%05d", m.nextID), state: fakecloud.Running, created: m.cloudNow()}
	if m.rng.IntN(5) == 0 {
		e.project, e.job = modelProjects[m.rng.IntN(len(modelProjects))], modelJobs[m.rng.IntN(2)]
	}
	if m.backfill && m.rng.IntN(4) == 0 {
		e.job = modelJobs[2]
	}
	m.execs = append(m.execs, e)
	m.byRes[e.resource()] = e
	m.put(e)
}

// watchedJob picks a project and a job the app watches (one of the two
// that run often, under --all-jobs).
func (m *model) watchedJob() (project, job string) {
	projects, jobs := ParseList(m.cfg.Project), ParseList(m.cfg.Job)
	if m.cfg.AllJobs {
		jobs = modelJobs[:2]
	}
	return projects[m.rng.IntN(len(projects))], jobs[m.rng.IntN(len(jobs))]
}

// deleteJob deletes a job in a region, as Cloud Run does with its
// executions: the job of a random execution still there. Its failures not
// announced yet need not be; it may run again later (made anew).
func (m *model) deleteJob(i int) {
	var live []*modelExec
	for _, e := range m.execs {
		if !e.deleted {
			live = append(live, e)
		}
	}
	if len(live) == 0 {
		return
	}
	d := live[m.rng.IntN(len(live))]
	m.h.cloud.DeleteExecutions(d.project, d.region, d.job)
	n := 0
	for _, e := range m.execs {
		if e.project == d.project && e.job == d.job && e.region == d.region && !e.deleted {
			e.deleted = true
			delete(m.must, e.resource())
			n++
			if e.state != fakecloud.Running && m.rng.IntN(4) == 0 {
				m.queuePush(e.resource(), i+m.rng.IntN(3)) // redelivered after the deletion
			}
		}
	}
	m.deletions++
	m.logf("%d: deleted %s/%s in %s (%d executions)", i, d.project, d.job, d.region, n)
}

func (m *model) put(e *modelExec) {
	spec := fakecloud.ExecutionSpec{Project: e.project, Region: e.region, Job: e.job, ID: e.id, State: e.state,
		Created: e.created, Started: e.created.Add(time.Second), Completed: e.completed}
	m.h.cloud.PutExecution(spec.Build())
}

// finish ends a running execution: failed, succeeded or cancelled.
func (m *model) finish() {
	var running []*modelExec
	for _, e := range m.execs {
		if e.state == fakecloud.Running && !e.deleted {
			running = append(running, e)
		}
	}
	if len(running) == 0 {
		return
	}
	e := running[m.rng.IntN(len(running))]
	e.completed = m.cloudNow()
	switch r := m.rng.Float64(); {
	case r < 0.5:
		e.state = fakecloud.Failed
		e.errLine = fmt.Sprintf(modelErrors[m.rng.IntN(len(modelErrors))], m.rng.IntN(1000))
		switch l := m.rng.Float64(); {
		case l < 0.7:
			m.writeLogs(e)
		case l < 0.9: // later, in logsArrive
		default:
			e.logsNever = true
		}
	case r < 0.85:
		e.state = fakecloud.Succeeded
	default:
		e.state = fakecloud.Cancelled
	}
	m.put(e)
	m.queueEnd(e)
	m.logf("   %s %s in %s/%s/%s at %s", e.id, e.state, e.project, e.job, e.region, e.completed.Format(time.TimeOnly))
}

func (m *model) writeLogs(e *modelExec) {
	at := e.created.Add(time.Second)
	m.h.cloud.SetLogs(e.project, e.job, e.id, []fakecloud.LogLine{
		{Time: at, Text: "⏳ Monitoring for fatal errors..."},
		{Time: e.completed.Add(-time.Second), Text: e.errLine, Severity: "ERROR"},
		{Time: e.completed, Text: "Container called exit(1)."},
	})
	e.logsComplete = true
}

// logsArrive writes the late logs of one failure.
func (m *model) logsArrive() {
	for _, e := range m.execs {
		if e.state == fakecloud.Failed && !e.logsComplete && !e.logsNever && !e.deleted {
			m.writeLogs(e)
			return
		}
	}
}

// reconfigure changes what is watched, as Settings or flags do.
func (m *model) reconfigure(i int) {
	next := m.cfg
	switch m.rng.IntN(4) {
	case 0:
		next.Project = m.pick(modelProjects)
	case 1:
		// The job that runs only sometimes is watched under --all-jobs
		// only: it is first seen in an every-job listing.
		next.Job, next.AllJobs = m.pick(modelJobs[:2]), m.rng.IntN(3) == 0
	case 2:
		regions := slices.Clone(modelRegions)
		m.rng.Shuffle(len(regions), func(a, b int) { regions[a], regions[b] = regions[b], regions[a] })
		next.Regions = regions[:1+m.rng.IntN(len(regions))]
	default:
		next.Top = 1 + m.rng.IntN(6)
	}
	m.cfg = next
	m.newPoller()
	m.configs[configWord(next)]++
	m.logf("%d: settings %s/%s %v top %d", i, next.Project, configWord(next), next.Regions, next.Top)
}

// pick names one of names or, one time in three, two of them (in either
// order) or, with three names or more, one time in six all of them.
func (m *model) pick(names []string) string {
	names = slices.Clone(names)
	m.rng.Shuffle(len(names), func(a, b int) { names[a], names[b] = names[b], names[a] })
	switch r := m.rng.IntN(6); {
	case r < 4 || len(names) < 2:
		return names[0]
	case r < 5 || len(names) < 3:
		return names[0] + "," + names[1]
	default:
		return strings.Join(names, ",")
	}
}

// configWord names what a configuration watches of each project.
func configWord(cfg Config) string {
	if cfg.AllJobs {
		return "all-jobs"
	}
	return cfg.Job
}

// acknowledge acknowledges the newest failure in view, if any.
func (m *model) acknowledge(i int) {
	for _, e := range m.p.last.Executions {
		if e.State == StateFailed {
			snap, err := m.p.Acknowledge(e.Resource)
			if err != nil {
				m.t.Fatalf("acknowledge %s: %v", e.Name, err)
			}
			for _, x := range snap.Executions {
				if x.Resource == e.Resource && !x.Acknowledged {
					m.t.Fatalf("%s acknowledged, yet not shown so", e.Name)
				}
			}
			m.logf("%d: acknowledged %s", i, e.Name)
			return
		}
	}
}

// snooze snoozes for an hour, or resumes.
func (m *model) snooze(i int) {
	if m.snoozed() {
		m.snoozedUntil = time.Time{}
	} else {
		m.snoozedUntil = m.h.clock().Add(time.Hour)
	}
	if _, err := m.p.Snooze(m.snoozedUntil); err != nil {
		m.t.Fatal(err)
	}
	m.logf("%d: snoozed until %s", i, m.snoozedUntil.Format(time.TimeOnly))
}

func (m *model) snoozed() bool { return m.h.clock().Before(m.snoozedUntil) }

// cloudNow is Cloud Run's clock: this machine's, without its steps back.
func (m *model) cloudNow() time.Time { return m.h.clock().Add(m.cloudAhead) }

// scopeOf is the reference's state of a scope.
func (m *model) scopeOf(s lifecycle.Scope) *modelScope {
	ms := m.scopes[s.Key()]
	if ms == nil {
		ms = &modelScope{following: map[string]bool{}}
		m.scopes[s.Key()] = ms
	}
	return ms
}

// observe works out what a refresh with cfg will learn and see end: by
// the app, or by runwatch status.
func (m *model) observe(now time.Time, cfg Config, byApp bool) {
	var learnedNow []*modelExec
	for _, project := range ParseList(cfg.Project) {
		for _, region := range cfg.Regions {
			if m.faulty[region] {
				continue
			}
			if cfg.AllJobs {
				m.observeAllJobs(now, cfg, project, region, byApp, &learnedNow)
				continue
			}
			for _, job := range ParseList(cfg.Job) {
				s := lifecycle.Scope{Project: project, Job: job, Region: region}
				m.adopt(now, s)
				m.observeScope(now, s, m.listing(project, job, region, cfg.Top), byApp, &learnedNow)
			}
		}
	}
	for _, e := range learnedNow {
		m.job(e)[e.resource()] = e
	}
}

// observeAllJobs works out what the every-job listing of a project's
// region teaches: its own scope ({project, "-", region}) answers, with no
// executions, and remembers when it was learned; so does the scope of each
// job remembered there, and of each job it lists. A job new to the memory
// is adopted as of when the listing was learned, unless that is now.
func (m *model) observeAllJobs(now time.Time, cfg Config, project, region string, byApp bool, learnedNow *[]*modelExec) {
	m.observeScope(now, lifecycle.Scope{Project: project, Job: AllJobsName, Region: region}, nil, byApp, learnedNow)
	byJob := map[string][]*modelExec{}
	for key, ms := range m.scopes {
		if s := scopeKeyParts(key); ms.exists && s.Project == project && s.Region == region && s.Job != AllJobsName {
			byJob[s.Job] = nil
		}
	}
	for _, e := range m.listing(project, AllJobsName, region, max(cfg.Top, allJobsPageSize)) {
		byJob[e.job] = append(byJob[e.job], e)
	}
	for _, job := range slices.Sorted(maps.Keys(byJob)) {
		s := lifecycle.Scope{Project: project, Job: job, Region: region}
		m.adopt(now, s)
		m.observeScope(now, s, byJob[job], byApp, learnedNow)
	}
}

// adopt: a job's scope new to the memory, in a region whose every-job
// listing was learned before now, is learned as of then, watched as that
// listing is (whichever listing first shows or names the job: a status run
// naming it first does not make what it ran since history).
func (m *model) adopt(now time.Time, s lifecycle.Scope) {
	ms, pms := m.scopeOf(s), m.scopes[lifecycle.Scope{Project: s.Project, Job: AllJobsName, Region: s.Region}.Key()]
	if ms.exists || pms == nil || !pms.exists || !pms.learnedAt.Before(now) {
		return
	}
	ms.exists, ms.learnedAt, ms.learned, ms.unwatchedAt = true, pms.learnedAt, pms.learned, pms.unwatchedAt
	m.adopted++
}

// observeScope works out what one scope's answer teaches: listed are its
// executions in the listing; those it follows are fetched one by one (or
// found gone).
func (m *model) observeScope(now time.Time, s lifecycle.Scope, listed []*modelExec, byApp bool, learnedNow *[]*modelExec) {
	ms := m.scopeOf(s)
	first, classified := m.answer(now, ms, byApp, learnedNow)
	seen := slices.Clone(listed)
	for _, res := range slices.Sorted(maps.Keys(ms.following)) {
		switch e := m.byRes[res]; {
		case e.deleted:
			delete(ms.following, res) // Cloud Run has it no more
		case !slices.Contains(seen, e):
			seen = append(seen, e)
		}
	}
	for _, e := range seen {
		if e.state == fakecloud.Running {
			if !m.known[e.resource()] {
				ms.following[e.resource()] = true
			}
			continue
		}
		m.seeEnded(now, ms, e, first, classified, learnedNow)
	}
}

// answer works out what a scope's answering (a listing, or a push the
// app takes) teaches before what it shows: whether the answer learns the
// scope (first), and whether the app classifies what it shows there.
func (m *model) answer(now time.Time, ms *modelScope, byApp bool, learnedNow *[]*modelExec) (first, classified bool) {
	first = !ms.exists || (byApp && (!ms.learned || !ms.unwatchedAt.IsZero()))
	if first && byApp {
		// What became known without the app watching (status saw it) is
		// history now.
		for _, res := range ms.dormant {
			if m.announced[res] == 0 && !m.learned[res] {
				m.learned[res] = true
				*learnedNow = append(*learnedNow, m.byRes[res])
			}
		}
		ms.dormant = nil
		ms.learned, ms.unwatchedAt = true, time.Time{}
	}
	if first {
		ms.exists, ms.learnedAt = true, now
	}
	return first, ms.learned && ms.unwatchedAt.IsZero()
}

// seeEnded works out what seeing a terminal execution e of scope ms
// teaches (first: the scope is learned by this answer; classified: the
// app classifies what it sees there): history, news to be announced, or
// dormant until the app watches the scope.
func (m *model) seeEnded(now time.Time, ms *modelScope, e *modelExec, first, classified bool, learnedNow *[]*modelExec) {
	followed := ms.following[e.resource()]
	delete(ms.following, e.resource())
	if m.known[e.resource()] {
		return
	}
	m.known[e.resource()] = true
	m.knownAt[e.resource()] = now
	switch {
	case first || (!followed && e.completed.Before(ms.learnedAt.Add(-lifecycle.SkewAllowance))):
		m.learned[e.resource()] = true
		*learnedNow = append(*learnedNow, e)
	case !classified:
		ms.dormant = append(ms.dormant, e.resource())
	case e.state == fakecloud.Failed:
		m.must[e.resource()] = true
	}
}

// statusConfig is what a `runwatch status` run (from cron, say) names: the
// app's job or another, a subset of the regions, a top of its own.
func (m *model) statusConfig() Config {
	cfg := m.cfg
	if m.rng.IntN(2) == 0 {
		cfg.Project, cfg.Job, cfg.AllJobs = modelProjects[m.rng.IntN(2)], modelJobs[m.rng.IntN(2)], false
	}
	regions := slices.Clone(modelRegions)
	m.rng.Shuffle(len(regions), func(a, b int) { regions[a], regions[b] = regions[b], regions[a] })
	cfg.Regions = regions[:1+m.rng.IntN(len(regions))]
	cfg.Top = 1 + m.rng.IntN(6)
	return cfg
}

// statusRun is `runwatch status` with cfg: it remembers, it announces
// nothing.
func (m *model) statusRun(i int, cfg Config) {
	now := m.h.clock()
	logsBefore := len(m.h.cloud.LogRequests())
	complete := m.completeLogs()
	m.observe(now, cfg, false)
	// Its own store on the same file, as another process has.
	status := New(cfg, m.h.clients, NewFileStore(m.h.store.Path()), Options{Now: m.h.clock, LogReadTimeout: 2 * time.Second,
		LogRequestsPerMinute: 100000, ListTimeout: 2 * time.Second, ReadOnly: true})
	listsBefore := m.h.cloud.ListExecutionsRequestCount()
	if res := status.Refresh(context.Background()); len(res.Changes)+len(res.Missed) > 0 {
		m.t.Fatalf("step %d: status announced %s", i, announced(res))
	}
	m.checkListings(i, cfg, listsBefore)
	m.countReads(i, logsBefore, complete, status.mem)
	m.logf("%d: status %s/%s %v top %d", i, cfg.Project, configWord(cfg), cfg.Regions, cfg.Top)
}

// clockBack steps the wall clock back by up to 20 minutes, as NTP or a
// person setting it does.
func (m *model) clockBack(i int) {
	d := time.Duration(30+m.rng.IntN(20*60-30)) * time.Second
	m.h.advance(-d)
	m.cloudAhead += d
	m.stepsBack++
	m.logf("%d: clock stepped back %s to %s", i, d, m.h.clock().Format(time.TimeOnly))
}

// burst ends a sweep of executions in one watched region at once, and a
// status run with a top large enough lists them all: the memory of the
// job grows past its bound.
func (m *model) burst(i int) {
	region := m.cfg.Regions[m.rng.IntN(len(m.cfg.Regions))]
	project, job := m.watchedJob()
	n := 30 + m.rng.IntN(120)
	now := m.cloudNow()
	for k := range n {
		m.nextID++
		created := now.Add(-time.Duration(2*(n-k)+60) * time.Second)
		e := &modelExec{project: project, job: job, region: region, id: fmt.Sprintf("e-%05d", m.nextID),
			created: created, completed: created.Add(50 * time.Second)}
		switch r := m.rng.Float64(); {
		case r < 0.8:
			e.state = fakecloud.Succeeded
		case r < 0.95:
			e.state = fakecloud.Failed
			e.errLine = fmt.Sprintf(modelErrors[m.rng.IntN(len(modelErrors))], m.rng.IntN(1000))
			m.writeLogs(e)
		default:
			e.state = fakecloud.Cancelled
		}
		m.execs = append(m.execs, e)
		m.byRes[e.resource()] = e
		m.put(e)
		m.queueEnd(e)
	}
	m.bursts++
	m.logf("%d: burst of %d in %s/%s/%s", i, n, project, job, region)
	if m.rng.IntN(3) == 0 {
		m.deliverQueued(i, false) // before the status run lists them
	}
	m.statusRun(i, Config{Project: project, Job: job, Regions: []string{region}, Top: n + 5})
}

// completeLogs says which executions' logs are complete and readable now.
func (m *model) completeLogs() map[string]bool {
	complete := map[string]bool{}
	for _, e := range m.execs {
		complete[e.id] = e.logsComplete && !m.quota
	}
	return complete
}

// countReads counts the reads of complete logs since logsBefore: at most
// one each, ever, unless mem (the memory of the process that read) let
// the execution's record go since: its error went with it.
func (m *model) countReads(i, logsBefore int, complete map[string]bool, mem *lifecycle.Memory) {
	for _, req := range m.h.cloud.LogRequests()[logsBefore:] {
		for _, e := range m.execs {
			if !strings.Contains(req.GetFilter(), fmt.Sprintf("%q", e.id)) {
				continue
			}
			if mem == m.p.mem {
				m.checkRelayRead(i, e)
			}
			if complete[e.id] {
				m.readSteps[e.id] = append(m.readSteps[e.id], i)
				m.reads[e.id]++
				if m.reads[e.id] > 1 && m.letGo(e, mem) {
					m.rereads++
					m.reads[e.id] = 1
				}
				if m.reads[e.id] > 1 {
					m.t.Fatalf("steps %v: %s's complete logs read %d times; this time by %q", m.readSteps[e.id], e.id, m.reads[e.id], req.GetFilter())
				}
			}
		}
	}
}

// letGo: the memory may have let the execution's record go (it ended no
// later than what the memory forgot of its scope).
func (m *model) letGo(e *modelExec, mem *lifecycle.Memory) bool {
	s := mem.Scopes[e.scope().Key()]
	return s != nil && !s.ForgotUpTo.IsZero() && !e.completed.After(s.ForgotUpTo)
}

// listing is what the fake lists of a job of a project in a region (of
// every job, for AllJobsName): the newest size, by create time then
// resource name (as the fake breaks ties), as the real API; deleted
// executions are gone.
func (m *model) listing(project, job, region string, size int) []*modelExec {
	var out []*modelExec
	for _, e := range m.execs {
		if e.project == project && (job == AllJobsName || e.job == job) && e.region == region && !e.deleted {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *modelExec) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(a.resource(), b.resource())
	})
	return out[:min(len(out), size)]
}

// refresh runs one refresh, first working out what the reference expects
// it to learn and to see end, then checking what it announced.
func (m *model) refresh(i int) {
	now := m.h.clock()
	logsBefore := len(m.h.cloud.LogRequests())
	complete := m.completeLogs()
	if m.fresh {
		for key, ms := range m.scopes {
			if ms.learned && ms.unwatchedAt.IsZero() && !watches(m.cfg, scopeKeyParts(key)) {
				ms.unwatchedAt = now
			}
		}
		m.fresh = false
	}
	m.observe(now, m.cfg, true)

	listsBefore := m.h.cloud.ListExecutionsRequestCount()
	res := m.p.Refresh(context.Background())
	m.logf("%d: refresh → %s", i, announced(res))
	m.checkListings(i, m.cfg, listsBefore)
	m.checkDeletedLeft(i, res.Snapshot)
	m.checkScopes(i)
	m.checkResult(i, res, logsBefore, complete)
}

// checkResult checks what a refresh or a push (Sight) announced, offered
// and read against the reference: each change, the snooze's summary, the
// log reads since logsBefore (complete: whose logs were complete before)
// and what waits for a notification server.
func (m *model) checkResult(i int, res Result, logsBefore int, complete map[string]bool) {
	// What a snooze holds back is checked as it is classified; its summary
	// is offered at each refresh once the snooze ended, until a server
	// takes it (deliver).
	if len(res.Missed) > 0 {
		var got []string
		for _, c := range res.Missed {
			got = append(got, c.Resource)
		}
		if !slices.Equal(got, m.held) {
			m.t.Fatalf("step %d: snooze summary %v, want what was held: %v", i, got, m.held)
		}
	}
	// Successes classified as no news (the job was not failing) are the
	// verdict for what ends after them: taken from the memory, in the order
	// the lifecycle classifies (oldest end first).
	quiet := m.quietSuccesses()
	for _, c := range res.Changes {
		m.addQuietBefore(&quiet, m.byRes[c.Resource])
		m.check(c)
	}
	for _, c := range m.p.mem.Snooze.Missed[len(m.held):] {
		m.addQuietBefore(&quiet, m.byRes[c.Resource])
		m.check(c)
		m.held = append(m.held, c.Resource)
	}
	m.addQuietBefore(&quiet, nil)
	if len(res.Missed) > 0 && m.snoozed() {
		m.t.Fatalf("step %d: a snooze summary while still snoozed", i)
	}
	if !m.snoozed() && len(m.p.mem.Snooze.Missed) > 0 && len(res.Missed) == 0 {
		m.t.Fatalf("step %d: the snooze ended and its summary was not offered", i)
	}
	if m.snoozed() && len(res.Changes) > 0 {
		m.t.Fatalf("step %d: announced %d changes while snoozed", i, len(res.Changes))
	}
	m.countReads(i, logsBefore, complete, m.p.mem)
	m.deliver(i, res)
}

// watches says whether the app with cfg watches a scope: a job's, or the
// every-job listing's of a region (job AllJobsName).
func watches(cfg Config, s lifecycle.Scope) bool {
	if !slices.Contains(ParseList(cfg.Project), s.Project) || !slices.Contains(cfg.Regions, s.Region) {
		return false
	}
	if s.Job == AllJobsName {
		return cfg.AllJobs
	}
	return cfg.AllJobs || slices.Contains(ParseList(cfg.Job), s.Job)
}

// checkListings checks the ListExecutions requests of one refresh with
// cfg, made since the first listsBefore: one per project and region under
// AllJobs (parent jobs/-), else one per project, region and job; each
// parent once.
func (m *model) checkListings(i int, cfg Config, listsBefore int) {
	want := map[string]bool{}
	for _, project := range ParseList(cfg.Project) {
		for _, region := range cfg.Regions {
			jobs := ParseList(cfg.Job)
			if cfg.AllJobs {
				jobs = []string{AllJobsName}
			}
			for _, job := range jobs {
				want[fmt.Sprintf("projects/%s/locations/%s/jobs/%s", project, region, job)] = true
			}
		}
	}
	reqs := m.h.cloud.ListExecutionsRequestsSince(listsBefore)
	got := map[string]bool{}
	for _, r := range reqs {
		got[r.GetParent()] = true
	}
	if len(reqs) != len(want) || !maps.Equal(got, want) {
		var parents []string
		for _, r := range reqs {
			parents = append(parents, r.GetParent())
		}
		m.t.Fatalf("step %d: %d ListExecutions requests %v, want %d: %v", i, len(reqs), parents, len(want), slices.Sorted(maps.Keys(want)))
	}
}

// checkDeletedLeft checks that under AllJobs no deleted execution is
// failing in a region whose every-job listing answered this refresh and
// was not full: its job was deleted there, and left quietly.
func (m *model) checkDeletedLeft(i int, snap Snapshot) {
	if !m.cfg.AllJobs {
		return
	}
	checked := false
	for _, project := range ParseList(m.cfg.Project) {
		for _, region := range m.cfg.Regions {
			if m.faulty[region] || len(m.listing(project, AllJobsName, region, allJobsPageSize)) >= max(m.cfg.Top, allJobsPageSize) {
				continue
			}
			for _, f := range snap.Failing {
				e := m.byRes[f.Resource]
				if f.Project != project || f.Region != region || e == nil || !e.deleted {
					continue
				}
				m.t.Fatalf("step %d: %s of %s/%s in %s is failing, though its job was deleted there", i, e.id, e.project, e.job, e.region)
			}
			for _, e := range m.execs {
				checked = checked || (e.deleted && e.project == project && e.region == region)
			}
		}
	}
	if checked {
		m.goneChecks++
	}
}

// deliver checks what a refresh offers against what waits for a
// notification server, and, while one runs, has it take everything.
func (m *model) deliver(i int, res Result) {
	offered := map[string]bool{}
	for _, c := range res.Changes {
		offered[c.Resource] = true
		m.waiting[c.Resource] = true
	}
	for _, c := range res.Undelivered {
		if !m.waiting[c.Resource] || m.told[c.Resource] {
			m.t.Fatalf("step %d: %s offered again, but it %s", i, c.Resource, map[bool]string{true: "was taken already", false: "never waited"}[m.told[c.Resource]])
		}
		offered[c.Resource] = true
	}
	for r := range m.waiting {
		if _, ok := m.p.mem.Record(m.byRes[r].scope(), r); !offered[r] && ok {
			m.t.Fatalf("step %d: %s waits for a notification server but was not offered", i, r)
		}
	}
	if !m.server || len(offered)+len(res.Missed) == 0 {
		return
	}
	taken := slices.Sorted(maps.Keys(offered))
	var missed []string
	for _, c := range res.Missed {
		missed = append(missed, c.Resource)
	}
	if _, err := m.p.Delivered(taken, missed); err != nil {
		m.t.Fatalf("step %d: delivered: %v", i, err)
	}
	if len(missed) > 0 {
		m.held = nil
	}
	for _, r := range taken {
		delete(m.waiting, r)
		m.told[r] = true
	}
}

// quietSuccesses are the successes the memory classified as no news that
// the reference does not hold yet.
func (m *model) quietSuccesses() []*modelExec {
	var out []*modelExec
	for _, j := range m.p.mem.Jobs {
		for name, r := range j.Records {
			if e := m.byRes[name]; r.Announced && r.Kind == "" && !r.Learned && e != nil && m.job(e)[name] == nil {
				out = append(out, e)
			}
		}
	}
	return out
}

// addQuietBefore adds to the reference the quiet successes of c's job that
// ended before c (all of them when c is nil).
func (m *model) addQuietBefore(quiet *[]*modelExec, c *modelExec) {
	*quiet = slices.DeleteFunc(*quiet, func(e *modelExec) bool {
		if c == nil || (e.project == c.project && e.job == c.job && e.completed.Before(c.completed)) {
			m.job(e)[e.resource()] = e
			return true
		}
		return false
	})
}

func (m *model) job(e *modelExec) map[string]*modelExec {
	key := e.project + "/" + e.job
	if m.records[key] == nil {
		m.records[key] = map[string]*modelExec{}
	}
	return m.records[key]
}

// verdict is the reference's newest announced or learned success or
// failure of a job in e's region: a job fails and is fixed per region.
func (m *model) verdict(e *modelExec) *modelExec {
	var best *modelExec
	for _, r := range m.job(e) {
		if r.state == fakecloud.Cancelled || r.region != e.region {
			continue
		}
		if best == nil || r.completed.After(best.completed) ||
			(r.completed.Equal(best.completed) && (r.created.After(best.created) || (r.created.Equal(best.created) && r.resource() > best.resource()))) {
			best = r
		}
	}
	return best
}

// check one announcement against the reference.
func (m *model) check(c lifecycle.Change) {
	e := m.byRes[c.Resource]
	if e == nil {
		m.t.Fatalf("announced %s, which never existed", c.Resource)
	}
	if m.learned[c.Resource] {
		m.t.Fatalf("announced %s %s, which ended before its scope was first watched", c.Kind, e.id)
	}
	if !m.known[c.Resource] {
		m.t.Fatalf("announced %s %s, which no listing of a scope the app watches, nor push it took, showed ended", c.Kind, e.id)
	}
	m.announced[c.Resource]++
	if m.announced[c.Resource] > 1 {
		m.t.Fatalf("%s announced %d times (now as %s)", e.id, m.announced[c.Resource], c.Kind)
	}
	verdict := m.verdict(e)
	failing := verdict != nil && verdict.state == fakecloud.Failed
	switch c.Kind {
	case lifecycle.NewFailure, lifecycle.SameError, lifecycle.NewKindOfError:
		if e.state != fakecloud.Failed {
			m.t.Fatalf("%s announced as %s but it %s", e.id, c.Kind, e.state)
		}
		if (c.Kind == lifecycle.NewFailure) == failing {
			m.dumpJob(e)
			m.t.Fatalf("%s (ended %s) announced as %s while the job's verdict was %v", e.id, e.completed.Format(time.TimeOnly), c.Kind, verdictWord(verdict))
		}
		if line := c.Record.Error.Line; line != "" && line == m.relayLines[c.Resource] {
			m.relayStats.applied++
		} else if e.logsComplete && c.Record.Error.Source == "logs" && !strings.Contains(e.errLine, line) {
			m.t.Fatalf("%s announced with error %q, want %q", e.id, c.Record.Error.Line, e.errLine)
		}
	case lifecycle.Fixed:
		fixed := m.byRes[c.Fixes]
		if e.state != fakecloud.Succeeded || fixed == nil || fixed.state != fakecloud.Failed || fixed != verdict || e.completed.Before(fixed.completed) {
			m.t.Fatalf("%s announced as fixing %s: state %s, verdict %v", e.id, c.Fixes, e.state, verdictWord(verdict))
		}
		if other, ok := m.fixes[c.Fixes]; ok {
			m.t.Fatalf("%s fixed twice: by %s and %s", c.Fixes, other, e.id)
		}
		m.fixes[c.Fixes] = e.id
	case lifecycle.WasCancelled:
		if e.state != fakecloud.Cancelled {
			m.t.Fatalf("%s announced as cancelled but it %s", e.id, e.state)
		}
	}
	m.job(e)[c.Resource] = e
}

func verdictWord(e *modelExec) string {
	if e == nil {
		return "none"
	}
	return e.id + " " + e.state.String() + " ended " + e.completed.Format(time.TimeOnly)
}

// scopeKeyParts undoes Scope.Key.
func scopeKeyParts(key string) lifecycle.Scope {
	parts := strings.SplitN(key, "/", 3)
	return lifecycle.Scope{Project: parts[0], Job: parts[1], Region: parts[2]}
}

// drain lets everything settle: regions answer, logs are readable, the
// snooze ends, time passes; then every failure that must be announced was,
// exactly once.
func (m *model) drain() {
	for region := range m.faulty {
		m.h.cloud.ClearRegionFaults(region)
		m.faulty[region] = false
	}
	m.h.cloud.SetLoggingError(nil)
	m.quota = false
	m.deliverQueued(-1, true) // every event still queued
	m.h.advance(m.cloudAhead) // the clock is set right
	m.cloudAhead = 0
	if m.snoozed() {
		m.snoozedUntil = time.Time{}
		m.p.Snooze(time.Time{})
	}
	for i := 0; i < 6; i++ {
		m.h.advance(lifecycle.AnnounceAfter)
		m.refresh(-1)
	}
	// Successes that fell out of every listing before the failure they
	// follow was announced are only classified once seen: the memory has them.
	missing, letGo := 0, 0
	for res := range m.must {
		if m.announced[res] == 0 {
			e := m.byRes[res]
			if m.letGoAsHistory(e) {
				letGo++
				continue
			}
			missing++
			r, _ := m.p.mem.Record(e.scope(), res)
			m.t.Errorf("%s (%s, ended %s, seen ended %s) was never announced; the memory: %+v; its scope: %+v", e.id, e.scope().Key(),
				e.completed.Format(time.TimeOnly), m.knownAt[res].Format(time.TimeOnly), r, m.p.mem.Scopes[e.scope().Key()])
		}
	}
	announcedFailures := 0
	for res, n := range m.announced {
		if m.byRes[res].state == fakecloud.Failed && n > 0 {
			announcedFailures++
		}
	}
	most, bounded := 0, 0
	for _, j := range m.p.mem.Jobs {
		most = max(most, len(j.Records))
	}
	for _, s := range m.p.mem.Scopes {
		if !s.ForgotUpTo.IsZero() {
			bounded++
		}
	}
	m.t.Logf("%d executions, %d failures announced, %d learned silently, %d restarts, %d log requests; "+
		"%d bursts, at most %d records a job, %d scopes with records let go, %d failures let go before announced, %d logs read again after their record was let go; "+
		"clock stepped back %d times; %d jobs deleted in a region, %d refreshes checked they left Failing; %d job scopes adopted as of their region's every-job listing; settings %v",
		len(m.execs), announcedFailures, len(m.learned), m.restarts, len(m.h.cloud.LogRequests()),
		m.bursts, most, bounded, letGo, m.rereads, m.stepsBack, m.deletions, m.goneChecks, m.adopted, m.configs)
	m.t.Logf("pushes: %+v; the relay's errors: %+v", m.pushes, m.relayStats)
	if announcedFailures == 0 {
		m.t.Error("no failure was announced: the model exercised nothing")
	}
}

// letGoAsHistory: the memory let the failure go before announcing it, and
// it was listed again as history or never again.
func (m *model) letGoAsHistory(e *modelExec) bool {
	r, ok := m.p.mem.Record(e.scope(), e.resource())
	return m.letGo(e, m.p.mem) && (!ok || r.Learned)
}

// dumpJob logs the reference's and the memory's records of e's job.
func (m *model) dumpJob(e *modelExec) {
	for _, r := range m.job(e) {
		m.t.Logf("reference: %s %s ended %s", r.id, r.state, r.completed.Format(time.TimeOnly))
	}
	j := m.p.mem.Jobs[e.project+"/"+e.job]
	for name, r := range j.Records {
		if r.Announced {
			m.t.Logf("memory: %s %s ended %s learned=%v kind=%s", shortName(name), r.State, r.Completed.Format(time.TimeOnly), r.Learned, r.Kind)
		}
	}
}

// checkScopes checks the app's memory of scopes against the reference's:
// the same scopes (jobs' and every-job listings'), each learned when the
// reference says, watched by the app or only by status, and stopped
// watching or not.
func (m *model) checkScopes(i int) {
	for key, s := range m.p.mem.Scopes {
		if ms := m.scopes[key]; ms == nil || !ms.exists {
			m.t.Fatalf("step %d: the memory holds scope %s (%+v), the reference does not", i, key, s)
		}
	}
	for key, ms := range m.scopes {
		s := m.p.mem.Scopes[key]
		switch {
		case !ms.exists && s == nil:
		case s == nil:
			m.t.Fatalf("step %d: the reference holds scope %s (learned %s), the memory does not", i, key, ms.learnedAt.Format(time.TimeOnly))
		case ms.learned != s.Watched || ms.unwatchedAt.IsZero() != s.UnwatchedAt.IsZero() || !ms.learnedAt.Equal(s.LearnedAt):
			m.t.Fatalf("step %d: scope %s: the reference says learned %s, watched %v, stopped watching %v; the memory %+v",
				i, key, ms.learnedAt.Format(time.TimeOnly), ms.learned, !ms.unwatchedAt.IsZero(), s)
		}
	}
}

// queueEnd queues the event a sink publishes when e ends, as Pub/Sub
// delivers it: at once (this step), late (a few steps on, maybe after a
// refresh listed it), twice (redelivered), or never (dropped: the
// reconcile listing finds it).
func (m *model) queueEnd(e *modelExec) {
	m.pushes.ends++
	i := m.step_
	switch r := m.rng.Float64(); {
	case r < 0.45:
		m.queuePush(e.resource(), i)
	case r < 0.7:
		m.queuePush(e.resource(), i+1+m.rng.IntN(6))
		m.pushes.late++
	case r < 0.85:
		m.queuePush(e.resource(), i)
		m.queuePush(e.resource(), i+m.rng.IntN(10))
		m.pushes.twice++
	default:
		m.pushes.dropped++
	}
	// A live relay read the logs of a failure, once they are complete, and
	// publishes its error: before the end is delivered, after, or never.
	if m.relayAlive && e.state == fakecloud.Failed && e.logsComplete {
		switch m.rng.IntN(3) {
		case 0:
			m.queue = append(m.queue, modelPush{resource: e.resource(), due: i, relay: true})
		case 1:
			m.queue = append(m.queue, modelPush{resource: e.resource(), due: i + 1 + m.rng.IntN(3), relay: true})
		}
	}
}

func (m *model) queuePush(resource string, due int) {
	m.queue = append(m.queue, modelPush{resource: resource, due: due})
}

// deliverQueued delivers the events due by step i (all: every one queued),
// with now and then one of a project no setting names, shuffled, in one
// Sight or several.
// The relay's errors due go to the app (TakeError) between those Sights.
func (m *model) deliverQueued(i int, all bool) {
	var due []modelPush
	m.queue = slices.DeleteFunc(m.queue, func(p modelPush) bool {
		if all || p.due <= i {
			due = append(due, p)
			return true
		}
		return false
	})
	if m.rng.IntN(20) == 0 {
		m.nextID++
		due = append(due, modelPush{resource: fmt.Sprintf("projects/acme-ml-stage/locations/%s/jobs/%s/executions/x-%05d",
			modelRegions[m.rng.IntN(len(modelRegions))], modelJobs[m.rng.IntN(len(modelJobs))], m.nextID)})
		m.pushes.foreign++
	}
	m.rng.Shuffle(len(due), func(a, b int) { due[a], due[b] = due[b], due[a] })
	var batch []string
	for k, p := range due {
		if p.relay {
			m.takeError(i, p.resource)
		} else {
			batch = append(batch, p.resource)
		}
		if len(batch) > 0 && (k == len(due)-1 || due[k+1].relay || m.rng.IntN(8) == 0) {
			m.sight(i, batch)
			batch = nil
		}
	}
}

// takeError gives the app the error the relay read of a failure: its
// error line, marked as the relay's.
func (m *model) takeError(i int, resource string) {
	e := m.byRes[resource]
	line := e.errLine + " (read by the relay)"
	m.relayLines[resource] = line
	m.relayStats.published++
	settledBefore := false
	if info, ok := m.p.ErrorOf(resource); ok {
		settledBefore = info.Settled()
	}
	m.p.TakeError(resource, lifecycle.ErrorInfo{Line: line, Category: "python_exception", Rule: "relay", Source: "logs",
		Fingerprint: lifecycle.Fingerprint("relay", e.errLine), Logs: lifecycle.LogsRead})
	if !settledBefore {
		m.relayTaken[resource] = m.p
		m.relayStats.taken++
	}
	if len(m.p.relayed) >= maxRelayedWaiting {
		m.relayFull[m.p] = true
	}
	if info, ok := m.p.ErrorOf(resource); ok && !settledBefore && info.Line != line {
		m.t.Fatalf("step %d: %s's error is %q after the relay's was taken, want %q", i, e.id, info.Line, line)
	}
	m.logf("%d: relay's error of %s taken (settled before: %v)", i, e.id, settledBefore)
}

// sight delivers pushed events to the app (Sight), first working out what
// the reference expects it to take: an execution of a scope it watches and
// has learned (under --all-jobs: or adopts as of its region's every-job
// listing), that Cloud Run still has, observed as its listing would
// observe it; the rest changes nothing.
func (m *model) sight(i int, resources []string) {
	now := m.h.clock()
	logsBefore := len(m.h.cloud.LogRequests())
	complete := m.completeLogs()
	taken := map[string]bool{}
	knownBefore := map[string]bool{}
	var learnedNow []*modelExec
	for _, res := range resources {
		knownBefore[res] = m.known[res]
		e := m.byRes[res]
		switch {
		case e == nil || taken[res]:
			continue
		case !watches(m.cfg, e.scope()):
			m.pushes.unwatched++
			continue
		case e.deleted:
			m.pushes.deleted++ // GetExecution: not found
			continue
		}
		if m.cfg.AllJobs {
			m.adopt(now, e.scope())
		}
		ms := m.scopeOf(e.scope())
		if !ms.exists {
			continue // its first listing learns it
		}
		taken[res] = true
		first, classified := m.answer(now, ms, true, &learnedNow)
		m.seeEnded(now, ms, e, first, classified, &learnedNow)
	}
	for _, e := range learnedNow {
		m.job(e)[e.resource()] = e
	}
	listsBefore := m.h.cloud.ListExecutionsRequestCount()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	res := m.p.Sight(ctx, resources)
	cancel()
	short := make([]string, len(resources))
	for k, r := range resources {
		short[k] = shortName(r)
	}
	m.logf("%d: push %v → %s", i, short, announced(res))
	m.pushes.sights++
	m.pushes.delivered += len(resources)
	m.pushes.taken += len(taken)
	m.pushes.announced += len(res.Changes)
	if n := m.h.cloud.ListExecutionsRequestCount() - listsBefore; n != 0 {
		m.t.Fatalf("step %d: a push listed %d times", i, n)
	}
	for _, r := range resources {
		e := m.byRes[r]
		if e == nil {
			if _, ok := m.p.mem.Record(scopeOf(r), r); ok {
				m.t.Fatalf("step %d: the memory holds %s, pushed for a project no setting names", i, r)
			}
			continue
		}
		_, ok := m.p.mem.Record(e.scope(), r)
		switch {
		case taken[r] && !ok && !m.letGo(e, m.p.mem):
			m.t.Fatalf("step %d: pushed %s (%s) was not taken", i, e.id, e.scope().Key())
		case !taken[r] && !knownBefore[r] && ok:
			m.t.Fatalf("step %d: pushed %s (%s) was taken, though %s", i, e.id, e.scope().Key(),
				map[bool]string{true: "Cloud Run has it no more", false: "the app does not watch it or has not learned its scope"}[e.deleted])
		}
	}
	m.checkScopes(i)
	m.checkResult(i, res, logsBefore, complete)
}

// checkRelayRead checks a read of e's logs by the app against the relay:
// none once the app took the relay's error of e (unless it held so many
// waiting that it may have let that one go, or the memory let e's record
// go, and its error with it), and none within the grace period after the
// app first saw e ended while a relay lives.
func (m *model) checkRelayRead(i int, e *modelExec) {
	if m.relayTaken[e.resource()] == m.p && !m.relayFull[m.p] && !m.letGo(e, m.p.mem) {
		m.t.Fatalf("step %d: the app read %s's logs, though it took the relay's error of it", i, e.id)
	}
	r, ok := m.p.mem.Record(e.scope(), e.resource())
	if now := m.h.clock(); m.relayAlive && ok && now.Sub(r.FirstSeen) < modelRelayGrace {
		m.t.Fatalf("step %d: the app read %s's logs %s after it first saw it ended, while a relay lives (grace %s)",
			i, e.id, now.Sub(r.FirstSeen), modelRelayGrace)
	}
}
