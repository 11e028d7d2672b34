package poller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	run "cloud.google.com/go/run/apiv2"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/extract"
	"runwatch/poller/lifecycle"
)

// Timing of listing and of the log-read retries.
const (
	// DefaultListTimeout bounds the listing of one region.
	DefaultListTimeout = 10 * time.Second
	// giveUpOnLogsAfter: an execution with no log entries this long after it
	// ended has none, and is remembered so.
	giveUpOnLogsAfter = 10 * time.Minute
	// firstRetry and lastRetry bound the back-off between failed reads.
	firstRetry = 15 * time.Second
	lastRetry  = 5 * time.Minute
	// contextBefore and contextAfter: log lines kept around the error line.
	contextBefore = 8
	contextAfter  = 4
)

// Options tune a Poller; the zero value is right for the app.
type Options struct {
	Now         func() time.Time // the clock; time.Now when nil
	ListTimeout time.Duration    // per region; DefaultListTimeout when zero
	// LogReadTimeout bounds one log read request, once its turn has come;
	// DefaultLogReadTimeout when zero.
	LogReadTimeout time.Duration
	// LogRequestsPerMinute overrides the log request budget (tests with a fake
	// Cloud Logging); logRequestsPerMinute when zero.
	LogRequestsPerMinute int
	// ReadOnly: nothing is classified or announced, only observed and
	// remembered (for `runwatch status`, which notifies nobody).
	ReadOnly bool
	// RelayAlive says whether a relay reads the failures' logs for the
	// team (team mode; nil: no relay): while it does, a failure's logs are
	// left to it for RelayGrace (DefaultRelayGrace when zero) after the
	// failure is first seen, and read here only if its error has not come.
	RelayAlive func() bool
	RelayGrace time.Duration
}

// DefaultRelayGrace is how long an app in team mode waits for a live
// relay's error before reading a failure's logs itself.
const DefaultRelayGrace = 30 * time.Second

// Poller refreshes the picture of a job's executions over many regions.
// Refresh may be called from any goroutine; refreshes run one at a time.
type Poller struct {
	cfg         Config
	runs        *run.ExecutionsClient
	tasks       *run.TasksClient
	jobs        *run.JobsClient
	logging     *logging.Client
	logs        map[string]*logReader // by project: Cloud Logging's budget is per project
	logsTimeout time.Duration
	logsBudget  int // requests a minute, per project
	now         func() time.Time
	listTimeout time.Duration
	readOnly    bool
	unwatched   bool // the scopes this poller does not watch are marked so

	mu       sync.Mutex
	store    MemoryStore
	mem      *lifecycle.Memory
	warning  string
	listed   map[target]regionView  // per listing: its last good one
	attempts map[string]*logAttempt // failed executions whose logs are not read yet
	taskAsks map[string]*taskAsk    // failed executions whose tasks could not be listed
	// goneChecks: whether executions full every-job listings did not show
	// still exist (see gone), by resource.
	goneChecks map[string]*goneCheck
	last       Snapshot // the last refresh's picture, to annotate after an acknowledgement
	// jobChecks are what ListJobs said of each project's jobs, asked once
	// per project and configuration where a named job lists nothing.
	jobChecks map[string]*jobCheck
	// offlineSince is when the refreshes that reached no region began.
	offlineSince time.Time
	// failed are the listings that failed at the last refresh.
	failed map[target]bool
	// sighted are executions a push said ended since their listing last
	// answered (Sight), shown until it answers again.
	sighted map[string]*runpb.Execution
	// relayed are errors a relay read (TakeError) of executions not seen
	// ended here yet, by resource.
	relayed map[string]lifecycle.ErrorInfo
	// relay says whether a relay reads the failures' logs for the team
	// (nil: none); relayGrace is how long a failure's logs are left to it.
	relay      func() bool
	relayGrace time.Duration
}

// regionView is a listing's last good answer and when it was taken; full:
// it held as many executions as were asked for, so older ones may exist.
type regionView struct {
	executions []*runpb.Execution
	at         time.Time
	full       bool
}

// logAttempt schedules the next read of an execution's logs.
type logAttempt struct {
	failures int
	next     time.Time
	problem  string
}

// taskAsk schedules the next ListTasks of a failed execution whose tasks
// could not be listed.
type taskAsk struct {
	failures int
	next     time.Time
	// refused: for good (permission denied, not found…); Cloud Run's
	// condition is all that will be known, and its tasks are not asked again.
	refused bool
}

// New makes a poller. store keeps the lifecycle's memory. An unreadable
// memory is not an error: the poller starts afresh and says so in the first
// Result's Warning; every region then learns what it lists silently.
func New(cfg Config, clients Clients, store MemoryStore, opts Options) *Poller {
	cfg = cfg.WithDefaults()
	p := &Poller{
		cfg:         cfg,
		runs:        clients.Run,
		tasks:       clients.Tasks,
		jobs:        clients.Jobs,
		logging:     clients.Logging,
		now:         opts.Now,
		listTimeout: cmp.Or(opts.ListTimeout, DefaultListTimeout),
		readOnly:    opts.ReadOnly,
		store:       store,
		listed:      map[target]regionView{},
		jobChecks:   map[string]*jobCheck{},
		logsTimeout: cmp.Or(opts.LogReadTimeout, DefaultLogReadTimeout),
		logsBudget:  cmp.Or(opts.LogRequestsPerMinute, logRequestsPerMinute),
		attempts:    map[string]*logAttempt{},
		taskAsks:    map[string]*taskAsk{},
		goneChecks:  map[string]*goneCheck{},
		sighted:     map[string]*runpb.Execution{},
		relayed:     map[string]lifecycle.ErrorInfo{},
		relay:       opts.RelayAlive,
		relayGrace:  cmp.Or(opts.RelayGrace, DefaultRelayGrace),
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.logs = p.logReaders(clients.Logging)
	mem, err := store.Load()
	if err != nil {
		p.warning = err.Error()
	}
	p.mem = mem
	return p
}

// observer says whether this poller's observations can become news.
func (p *Poller) observer() lifecycle.Observer {
	if p.readOnly {
		return lifecycle.ByStatus
	}
	return lifecycle.ByApp
}

// logReaders makes a log reader per watched project, each with the budget
// of its project.
func (p *Poller) logReaders(client *logging.Client) map[string]*logReader {
	out := map[string]*logReader{}
	for _, project := range p.cfg.Projects() {
		out[project] = newLogReader(client, project, p.logsTimeout, p.logsBudget, p.now)
	}
	return out
}

// logsOf returns the log reader of a project, made when it is not watched
// (a details window of an execution of a project no longer watched).
func (p *Poller) logsOf(project string) *logReader {
	r := p.logs[project]
	if r == nil {
		r = newLogReader(p.logging, project, p.logsTimeout, p.logsBudget, p.now)
		p.logs[project] = r
	}
	return r
}

// scopeOf is the scope of an execution's resource name
// (projects/P/locations/R/jobs/J/executions/E).
func scopeOf(resource string) lifecycle.Scope {
	parts := strings.Split(resource, "/")
	if len(parts) < 6 {
		return lifecycle.Scope{}
	}
	return lifecycle.Scope{Project: parts[1], Region: parts[3], Job: parts[5]}
}

// scopeOfTarget is the scope a listing stands for: its job's, or for a
// listing of every job the scope that remembers when it was learned.
func scopeOfTarget(t target) lifecycle.Scope {
	return lifecycle.Scope{Project: t.project, Job: t.job, Region: t.region}
}

// scopesOf are the job scopes a listing covers: its job's, or for a
// listing of every job each job remembered in its project and region.
func (p *Poller) scopesOf(t target) []lifecycle.Scope {
	if !t.allJobs() {
		return []lifecycle.Scope{scopeOfTarget(t)}
	}
	return p.mem.ScopesIn(t.project, t.region, AllJobsName)
}

// following are the executions the scopes of a listing follow.
func (p *Poller) following(t target) []string {
	var out []string
	for _, s := range p.scopesOf(t) {
		out = append(out, p.mem.Following(s)...)
	}
	return out
}

// regionListing is one listing's answer: its newest executions, and those
// it follows that fell out of it, fetched one by one.
type regionListing struct {
	target
	executions []*runpb.Execution
	followed   []*runpb.Execution
	gone       []string // followed executions that no longer exist
	full       bool     // as many executions as asked for: older ones may exist
	err        error
}

// Refresh lists every region at once, follows executions seen running that
// fell out of view, reads the logs of failures whose error is not known,
// classifies what changed and returns the picture. A region that fails
// keeps its last listing, marked stale, and hides no other.
func (p *Poller) Refresh(ctx context.Context) Result {
	p.mu.Lock()
	defer p.mu.Unlock()

	if !p.readOnly && !p.unwatched {
		// The app watches these scopes now, and no others.
		p.mem.Unwatch(func(s lifecycle.Scope) bool {
			if s.Job == AllJobsName {
				return p.cfg.AllJobs && p.cfg.Watches(s.Project, "", s.Region)
			}
			return p.cfg.Watches(s.Project, s.Job, s.Region)
		}, p.now())
		p.unwatched = true
	}
	if err := p.store.Catch(p.mem); err != nil {
		p.warning = cmp.Or(p.warning, err.Error())
	}
	follow := map[target][]string{}
	for _, t := range p.cfg.targets() {
		follow[t] = p.following(t)
	}
	listings := p.listAll(ctx, follow)
	now := p.now()
	snap := Snapshot{
		Project:      p.cfg.Project,
		Job:          p.cfg.JobsLabel(),
		AllJobs:      p.cfg.AllJobs,
		RegionErrors: map[string]string{},
		RegionsAsked: len(p.cfg.Regions),
		Places:       len(p.cfg.Projects()) * len(p.cfg.Regions),
		TakenAt:      now,
	}
	unauthenticated, answered := 0, 0
	failed := map[target]bool{}
	listed := map[string]*runpb.Execution{} // this refresh's executions, by resource
	for _, l := range listings {
		if l.err != nil {
			failed[l.target] = true
			what, place := "list executions in "+l.region, l.region
			if len(p.cfg.Projects()) > 1 {
				what, place = "list executions of "+l.project+" in "+l.region, l.project+"/"+l.region
			}
			if _, told := snap.RegionErrors[place]; !told {
				snap.RegionErrors[place] = what + ": " + describeError(l.err, p.listTimeout)
			}
			if status.Code(l.err) == codes.Unauthenticated {
				unauthenticated++
			}
			continue
		}
		answered++
		p.listed[l.target] = regionView{executions: l.executions, at: now, full: l.full}
		for name := range p.sighted {
			if target := scopeOf(name); target.Project == l.project && target.Region == l.region && (l.allJobs() || target.Job == l.job) {
				delete(p.sighted, name) // the listing is newer than the push
			}
		}
		for _, name := range l.gone {
			p.mem.Unfollow(scopeOf(name), name, now)
		}
		seen := map[lifecycle.Scope][]lifecycle.Sighting{}
		for _, e := range slices.Concat(l.executions, l.followed) {
			scope := scopeOf(e.GetName())
			seen[scope] = append(seen[scope], sightingOf(e))
			listed[e.GetName()] = e
		}
		if !l.allJobs() {
			// A job new to the memory in a region whose every-job listing
			// was learned before is adopted as of then, as that listing
			// would have: a status run naming it first does not make what
			// it ran since history.
			scope := scopeOfTarget(l.target)
			p.mem.Adopt(scope, lifecycle.Scope{Project: l.project, Job: AllJobsName, Region: l.region}, now, p.observer())
			p.mem.Observe(scope, seen[scope], now, p.observer())
			continue
		}
		// Every job of the region: the listing's own scope remembers when
		// it was learned; a job first seen in it is adopted as of then.
		// Each job remembered there answered too, listed or not: one the
		// app had stopped watching is learned again now, not when it next
		// runs (what it ran since would be taken for history).
		parent := scopeOfTarget(l.target)
		p.mem.Observe(parent, nil, now, p.observer())
		for _, scope := range p.mem.ScopesIn(l.project, l.region, AllJobsName) {
			if _, ok := seen[scope]; !ok {
				seen[scope] = nil
			}
		}
		for _, scope := range slices.SortedFunc(maps.Keys(seen), func(a, b lifecycle.Scope) int { return strings.Compare(a.Key(), b.Key()) }) {
			if scope.Project != l.project || scope.Region != l.region {
				continue // not the listing's: never sent by Cloud Run
			}
			p.mem.Adopt(scope, parent, now, p.observer())
			p.mem.Observe(scope, seen[scope], now, p.observer())
		}
	}
	snap.Unauthenticated = unauthenticated > 0 && unauthenticated == len(listings)
	snap.Executions = p.view(failed)
	maps.DeleteFunc(p.goneChecks, func(_ string, c *goneCheck) bool { return now.Sub(c.at) >= goneCheckEvery })
	verdicts := p.verdicts(ctx, failed)
	snap.Failing = slices.DeleteFunc(slices.Clone(verdicts), func(e Execution) bool { return e.State != StateFailed })
	snap.Jobs = jobSummaries(verdicts, snap.Executions)
	switch {
	case answered > 0:
		p.offlineSince = time.Time{}
	case p.offlineSince.IsZero():
		p.offlineSince = now
	}
	snap.OfflineSince = p.offlineSince
	p.checkJob(ctx, listings, &snap)
	p.failed = failed
	return p.settle(ctx, snap, listed)
}

// settle finishes a refresh's picture: it reads the errors wanted (Cloud
// Run's reason from listed, the logs), classifies what changed (the app),
// annotates the picture, prunes and saves the memory.
func (p *Poller) settle(ctx context.Context, snap Snapshot, listed map[string]*runpb.Execution) Result {
	p.applyRelayed()
	inSight := slices.Concat(snap.Executions, snap.Failing)
	p.readCloudRunReasons(ctx, p.errorsWanted(inSight), listed)
	p.readDueLogs(ctx, p.errorsWanted(inSight))
	res := Result{Warning: p.warning}
	if !p.readOnly {
		ann := p.mem.Classify(p.now())
		res.Changes, res.Missed, res.MissedMore = ann.Changes, ann.Missed, ann.MissedMore
		for _, c := range p.mem.Undelivered() {
			if !slices.ContainsFunc(ann.Changes, func(n lifecycle.Change) bool { return n.Resource == c.Resource }) {
				res.Undelivered = append(res.Undelivered, c)
			}
		}
	}
	p.annotate(&snap)
	p.mem.Prune(p.now())
	if err := p.store.Save(p.mem); err != nil {
		res.Warning = cmp.Or(res.Warning, err.Error())
	}
	res.Snapshot = snap
	p.last = snap
	p.warning = ""
	return res
}

// view merges the listings' last good answers into the newest Top,
// marking the executions of listings that failed this time as stale.
func (p *Poller) view(failed map[target]bool) []Execution {
	var all []Execution
	for _, t := range p.cfg.targets() {
		v, ok := p.listed[t]
		if !ok {
			continue
		}
		for _, e := range p.withSighted(t, v) {
			x := executionOf(e)
			x.ListedAt = v.at
			x.Stale = failed[t]
			all = append(all, x)
		}
	}
	slices.SortStableFunc(all, func(a, b Execution) int { return b.Created.Compare(a.Created) })
	return all[:min(len(all), p.cfg.Top)]
}

// verdicts returns each watched job's last finished execution in each
// region, from the memory: newer running, pending or cancelled executions
// push it out of the listing, not out of mind. Its row is the listing's
// when it is still listed; executions of listings that failed this time
// are marked stale. A job of a listing of every job whose last finished
// execution that listing no longer holds, though it could (it was not
// full), was deleted: it leaves quietly. Newest end first.
func (p *Poller) verdicts(ctx context.Context, failed map[target]bool) []Execution {
	var out []Execution
	for _, t := range p.cfg.targets() {
		v, listedOnce := p.listed[t]
		for _, scope := range p.scopesOf(t) {
			resource, r, ok := p.mem.LastFinished(scope)
			if !ok {
				continue
			}
			x := Execution{Project: scope.Project, Job: scope.Job, Region: scope.Region, Name: shortName(resource), Resource: resource,
				State: r.State, Created: r.Created, Completed: r.Completed}
			if r.State == StateFailed {
				x.Failed = 1
			}
			inListing := false
			for _, e := range v.executions {
				if e.GetName() == resource {
					x, inListing = executionOf(e), true
				}
			}
			if sighted := p.sighted[resource]; sighted != nil {
				x, inListing = executionOf(sighted), true // pushed since the listing answered: newer
			}
			if t.allJobs() && listedOnce && !inListing && p.gone(ctx, v, resource) {
				continue // deleted, with its job or alone
			}
			x.ListedAt = v.at
			x.Stale = failed[t]
			out = append(out, x)
		}
	}
	slices.SortStableFunc(out, func(a, b Execution) int {
		if endedLater(a, b) {
			return -1
		}
		return 1
	})
	return out
}

// goneCheckEvery: whether the last finished execution of a job a full
// every-job listing does not show still exists is asked this often.
const goneCheckEvery = time.Hour

// goneCheck is what Cloud Run said of an execution a full listing did not
// show: whether it is gone, and when it was asked.
type goneCheck struct {
	gone bool
	at   time.Time
}

// gone reports whether the last finished execution (resource) of a job of
// an every-job listing, which the listing does not show, was deleted (with
// its job, or alone): the listing could have held it (it was not full),
// or, where it was full, Cloud Run no longer has it (asked once per
// goneCheckEvery). What Cloud Run no longer has leaves quietly: it is not
// shown failing.
func (p *Poller) gone(ctx context.Context, v regionView, resource string) bool {
	if !v.full {
		return true
	}
	now := p.now()
	if c := p.goneChecks[resource]; c != nil && now.Sub(c.at) < goneCheckEvery {
		return c.gone
	}
	getCtx, cancel := context.WithTimeout(ctx, p.listTimeout)
	defer cancel()
	_, err := p.runs.GetExecution(getCtx, &runpb.GetExecutionRequest{Name: resource})
	gone := status.Code(err) == codes.NotFound
	if err == nil || gone {
		p.goneChecks[resource] = &goneCheck{gone: gone, at: now}
	}
	return gone
}

// endedLater reports whether a ended after b (then was created after it,
// then sorts after it by name), the order the lifecycle decides verdicts by.
func endedLater(a, b Execution) bool {
	if c := a.Completed.Compare(b.Completed); c != 0 {
		return c > 0
	}
	if c := a.Created.Compare(b.Created); c != 0 {
		return c > 0
	}
	return a.Resource > b.Resource
}

// sightingOf is what the lifecycle needs of an execution.
func sightingOf(e *runpb.Execution) lifecycle.Sighting {
	s := lifecycle.Sighting{Resource: e.GetName(), State: stateOf(e)}
	if t := e.GetCreateTime(); t != nil {
		s.Created = t.AsTime()
	}
	if t := e.GetCompletionTime(); t != nil {
		s.Completed = t.AsTime()
	}
	return s
}

// listAll asks every listing at once (each project, region and job, or
// every job), each within its own timeout, and fetches the executions each
// follows that its listing no longer shows.
func (p *Poller) listAll(ctx context.Context, follow map[target][]string) []regionListing {
	targets := p.cfg.targets()
	out := make([]regionListing, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			l := regionListing{target: t}
			l.executions, l.full, l.err = p.listRegion(ctx, t)
			if l.err == nil {
				l.followed, l.gone = p.fetchFollowed(ctx, l.executions, follow[t])
			}
			out[i] = l
		})
	}
	wg.Wait()
	return out
}

// allJobsPageSize is how many executions a listing of every job of a
// region asks for: enough to hold each job's newest, in one request.
const allJobsPageSize = 100

// listRegion asks one region for its newest executions of a job (or of
// every job): the API lists newest first, so the first page is all that is
// needed; full says the page was full.
func (p *Poller) listRegion(ctx context.Context, t target) (page []*runpb.Execution, full bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, p.listTimeout)
	defer cancel()
	size := p.cfg.Top
	if t.allJobs() {
		size = max(size, allJobsPageSize)
	}
	req := &runpb.ListExecutionsRequest{Parent: t.parent(), PageSize: int32(size)}
	_, err = iterator.NewPager(p.runs.ListExecutions(ctx, req), size, "").NextPage(&page)
	if err != nil && !errors.Is(err, iterator.Done) {
		return nil, false, err
	}
	return page, len(page) >= size, nil
}

// fetchFollowed gets, one by one, the followed executions the listing does
// not show (newer ones pushed them out), so one seen running is seen
// ending. gone are those Cloud Run no longer has; other errors wait for
// the next refresh.
func (p *Poller) fetchFollowed(ctx context.Context, listed []*runpb.Execution, follow []string) (found []*runpb.Execution, gone []string) {
	for _, name := range follow {
		if slices.ContainsFunc(listed, func(e *runpb.Execution) bool { return e.GetName() == name }) {
			continue
		}
		getCtx, cancel := context.WithTimeout(ctx, p.listTimeout)
		e, err := p.runs.GetExecution(getCtx, &runpb.GetExecutionRequest{Name: name})
		cancel()
		switch {
		case status.Code(err) == codes.NotFound:
			gone = append(gone, name)
		case err == nil:
			found = append(found, e)
		}
	}
	return found, gone
}

// describeError turns a gRPC error into words a person can act on.
func describeError(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", timeout)
	}
	s, ok := status.FromError(err)
	if !ok {
		return err.Error()
	}
	detail := s.Message()
	if len(detail) > 160 {
		detail = detail[:160] + "…"
	}
	var what string
	switch s.Code() {
	case codes.PermissionDenied:
		what = "permission denied"
	case codes.NotFound:
		what = "job not found"
	case codes.Unavailable:
		what = "unavailable"
	case codes.DeadlineExceeded:
		return fmt.Sprintf("no answer within %s", timeout)
	case codes.Unauthenticated:
		what = "not signed in — run gcloud auth application-default login"
	case codes.ResourceExhausted:
		what = "quota exhausted"
	default:
		what = s.Code().String()
	}
	if detail == "" {
		return what
	}
	return what + ": " + detail
}

// executionOf reads what runwatch shows of a v2 Execution.
func executionOf(e *runpb.Execution) Execution {
	scope := scopeOf(e.GetName())
	x := Execution{
		Project:   scope.Project,
		Job:       scope.Job,
		Name:      shortName(e.GetName()),
		Resource:  e.GetName(),
		Region:    regionOf(e.GetName()),
		State:     stateOf(e),
		LogURI:    e.GetLogUri(),
		Tasks:     e.GetTaskCount(),
		Running:   e.GetRunningCount(),
		Succeeded: e.GetSucceededCount(),
		Failed:    e.GetFailedCount(),
		Cancelled: e.GetCancelledCount(),
		Retried:   e.GetRetriedCount(),
	}
	if t := e.GetCreateTime(); t != nil {
		x.Created = t.AsTime()
	}
	if tmpl := e.GetTemplate(); tmpl != nil {
		x.TaskTimeout = tmpl.GetTimeout().AsDuration()
		for _, c := range tmpl.GetContainers() {
			x.MemoryLimit = cmp.Or(x.MemoryLimit, c.GetResources().GetLimits()["memory"])
		}
	}
	if t := e.GetStartTime(); t != nil {
		x.Started = t.AsTime()
	}
	if t := e.GetCompletionTime(); t != nil {
		x.Completed = t.AsTime()
	}
	return x
}

// regionOf reads the location of projects/P/locations/R/….
func regionOf(resource string) string {
	parts := strings.Split(resource, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "locations" {
			return parts[i+1]
		}
	}
	return ""
}

// errorsWanted are the failures whose error is still to be found: those in
// view, and those waiting to be announced wherever they are (pushed out of
// view, or followed out of it).
func (p *Poller) errorsWanted(view []Execution) []logTarget {
	var out []logTarget
	add := func(scope lifecycle.Scope, resource string) {
		r, ok := p.mem.Record(scope, resource)
		if !ok || r.State != StateFailed || (r.Error.Settled() && r.Error.CloudRun != nil && r.Error.CloudRun.TasksRead) ||
			slices.ContainsFunc(out, func(t logTarget) bool { return t.resource == resource }) {
			return
		}
		out = append(out, logTarget{scope: scope, resource: resource, record: r})
	}
	for _, e := range view {
		add(scopeOf(e.Resource), e.Resource)
	}
	for _, t := range p.cfg.targets() {
		for _, scope := range p.scopesOf(t) {
			for _, name := range p.mem.Awaiting(scope) {
				add(scope, name)
			}
		}
	}
	return out
}

// logTarget is a failure whose logs are to be read.
type logTarget struct {
	scope    lifecycle.Scope
	resource string
	record   lifecycle.Record
}

// readCloudRunReasons asks Cloud Run why each target failed (its
// Completed condition, from the listing, and one ListTasks for its failed
// tasks), at once, in the refresh that finds it. Where that is the whole
// answer (a timeout, an OOM kill, a missing image) the logs are not read.
// Tasks that could not be listed are asked again with back-off (firstRetry
// … lastRetry), and never again after a permanent refusal (see
// refusedForGood): Cloud Run's condition is then the answer.
func (p *Poller) readCloudRunReasons(ctx context.Context, targets []logTarget, listed map[string]*runpb.Execution) {
	type answer struct {
		tasks []*runpb.Task
		err   error
	}
	now := p.now()
	var asked []logTarget
	for _, t := range targets {
		cr := t.record.Error.CloudRun
		if cr != nil && cr.TasksRead || listed[t.resource] == nil {
			continue
		}
		if a := p.taskAsks[t.resource]; a != nil && (a.refused || now.Before(a.next)) {
			continue
		}
		asked = append(asked, t)
	}
	// What is no longer wanted is no longer scheduled.
	maps.DeleteFunc(p.taskAsks, func(resource string, _ *taskAsk) bool {
		return !slices.ContainsFunc(targets, func(t logTarget) bool { return t.resource == resource })
	})
	answers := make([]answer, len(asked))
	var wg sync.WaitGroup
	slots := make(chan struct{}, tasksListsAtOnce)
	for i, t := range asked {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			e := listed[t.resource]
			answers[i].tasks, answers[i].err = listFailedTasks(ctx, p.tasks, t.resource, e.GetTaskCount(), p.listTimeout)
		})
	}
	wg.Wait()
	for i, t := range asked {
		p.tasksAnswered(t.resource, answers[i].err, now)
		reason := cloudRunReason(listed[t.resource], answers[i].tasks)
		info := t.record.Error
		info.CloudRun = reasonRecord(reason, answers[i].err == nil)
		if info.Source != "logs" && reason.Message != "" {
			info.Line, info.Category, info.Rule, info.Source = reason.Message, reason.Category, "cloud_run/"+reason.Category, "cloud_run"
		}
		if info.Logs == LogsPending && !logsCanSayMore(reason) {
			info.Logs = lifecycle.LogsSkipped
		}
		p.mem.SetError(t.scope, t.resource, info)
	}
}

// tasksAnswered schedules the next ListTasks of an execution after one
// that failed with err: with back-off, or never after a permanent refusal.
func (p *Poller) tasksAnswered(resource string, err error, now time.Time) {
	if err == nil {
		delete(p.taskAsks, resource)
		return
	}
	a := p.taskAsks[resource]
	if a == nil {
		a = &taskAsk{}
		p.taskAsks[resource] = a
	}
	a.refused = refusedForGood(err)
	a.next = now.Add(min(firstRetry<<min(a.failures, 10), lastRetry))
	a.failures++
}

// refusedForGood reports whether asking again cannot change the answer:
// the caller may not (PERMISSION_DENIED), the execution or the method is
// not there (NOT_FOUND, UNIMPLEMENTED), or the request is wrong. Anything
// else (UNAVAILABLE, a deadline, a quota, credentials being rebuilt) may
// pass.
func refusedForGood(err error) bool {
	switch status.Code(err) {
	case codes.PermissionDenied, codes.NotFound, codes.InvalidArgument, codes.Unimplemented,
		codes.FailedPrecondition, codes.OutOfRange:
		return true
	}
	return false
}

// tasksListsAtOnce bounds the concurrent ListTasks requests of a refresh.
const tasksListsAtOnce = 4

// reasonRecord is what the memory keeps of Cloud Run's reason.
func reasonRecord(r CloudRunReason, tasksRead bool) *lifecycle.CloudRunReason {
	out := &lifecycle.CloudRunReason{Message: r.Message, Category: r.Category, Reason: r.Reason, TasksRead: tasksRead}
	if len(r.Tasks) > 0 {
		t := r.Tasks[0]
		out.TaskIndex, out.Retries = &t.Index, t.Retries
		if sig := t.signal(); sig != 0 {
			out.Signal = signalName(sig)
		}
		if t.ExitCode != 0 { // 0: nothing exited (a signal, a timeout, no container)
			out.ExitCode = &t.ExitCode
		}
	}
	return out
}

// readDueLogs reads the logs of the targets whose error is not settled and
// whose next attempt is due: together in one read where there are several
// (each cut off by the others' entries is read again alone), within the
// budget.
func (p *Poller) readDueLogs(ctx context.Context, targets []logTarget) {
	now := p.now()
	due := map[string][]logTarget{} // by project
	relayReads := p.relay != nil && p.relay()
	for _, t := range targets {
		if t.record.Error.Settled() || p.logsOf(t.scope.Project).paused() {
			continue
		}
		if relayReads && now.Sub(t.record.FirstSeen) < p.relayGrace {
			continue // the relay's error is awaited
		}
		if a := p.attempts[t.resource]; a != nil && now.Before(a.next) {
			continue
		}
		due[t.scope.Project] = append(due[t.scope.Project], t)
	}
	for _, project := range slices.Sorted(maps.Keys(due)) {
		p.readProjectLogs(ctx, p.logsOf(project), due[project], now)
	}
}

// readProjectLogs reads the due logs of one project's failures, batched.
func (p *Poller) readProjectLogs(ctx context.Context, reader *logReader, due []logTarget, now time.Time) {
	for chunk := range slices.Chunk(due, logBatchMax) {
		queries := make([]logQuery, len(chunk))
		for i, t := range chunk {
			queries[i] = logQuery{job: t.scope.Job, execution: shortName(t.resource), created: t.record.Created, completed: cmp.Or(t.record.Completed, now)}
		}
		results, err := reader.readBatch(ctx, queries)
		for i, t := range chunk {
			if err != nil {
				p.settleLogs(t, logLines{}, err, now)
				continue
			}
			// What was cut off (a short page, or others' entries filling it)
			// is used if its error line is there, else read again later.
			p.settleLogs(t, results[i], nil, now)
		}
	}
}

// settleLogs records one read: the error when there were lines, "no logs"
// when there still are none long after the end, else a retry with back-off.
// A failed read is never remembered as the error.
func (p *Poller) settleLogs(t logTarget, lines logLines, err error, now time.Time) {
	// Measured from when this machine first saw it ended, not from Cloud
	// Run's completion time: the two clocks may differ.
	ended := t.record.FirstSeen
	current, _ := p.mem.Record(t.scope, t.resource)
	info := current.Error // Cloud Run's reason stays when the logs say nothing better
	switch {
	case err != nil:
		p.retryLater(t.resource, now, "logs not read yet: "+describeError(err, p.logsTimeout))
		return
	case len(lines.raw) == 0 && lines.partial:
		// Cloud Logging is still searching: nothing learnt, nothing given up.
		p.retryLater(t.resource, now, "Cloud Logging has not finished its search")
		return
	case len(lines.raw) == 0:
		if now.Sub(ended) < giveUpOnLogsAfter {
			p.retryLater(t.resource, now, "no log entries yet")
			return
		}
		info.Logs = LogsNone
	default:
		res := extract.ExtractLines(lines.extractLines())
		if !res.Found && lines.partial {
			p.retryLater(t.resource, now, "only some of the log read so far")
			return
		}
		if !res.Found && now.Sub(ended) < giveUpOnLogsAfter {
			// The lines that say why may still be on their way.
			p.retryLater(t.resource, now, "no error line in the logs yet")
			return
		}
		info.Logs = LogsRead
		// The log context is shown whenever there are logs: around the
		// line found, else the last lines before the end.
		from, to := max(len(lines.text)-lastLinesKept, 0), len(lines.text)
		info.Matched = -1
		if res.Found {
			from, to = max(res.Line-contextBefore, 0), min(res.Line+contextAfter+1, len(lines.text))
			info.Matched = res.Line - from
		}
		info.Context = make([]string, 0, to-from)
		for _, line := range lines.text[from:to] {
			info.Context = append(info.Context, extract.Clean(line))
		}
		if res.Found && logLineWins(res, info.CloudRun) {
			info.Line, info.Category, info.Rule, info.Source = res.Message, string(res.Category), res.Rule, "logs"
		}
	}
	delete(p.attempts, t.resource)
	p.mem.SetError(t.scope, t.resource, info)
}

// logLineWins reports whether the line found in the logs says more than
// Cloud Run's own reason, judged by what each says (extract.Specificity),
// not by where it came from: "The replica workerpool0-0 exited with a
// non-zero status of 137" (a kill) says more than "task 0 exited with code
// 1 after 3 retries"; "Container called exit(1)." says no more, and Cloud
// Run's, which counts the retries, stays.
func logLineWins(res extract.Result, cr *lifecycle.CloudRunReason) bool {
	if !res.Vague || cr == nil || cr.Message == "" {
		return true
	}
	return res.Specificity > extract.Specificity(cr.Message)
}

// retryLater schedules another read with exponential back-off.
func (p *Poller) retryLater(resource string, now time.Time, problem string) {
	a := p.attempts[resource]
	if a == nil {
		a = &logAttempt{}
		p.attempts[resource] = a
	}
	wait := min(firstRetry<<min(a.failures, 10), lastRetry)
	a.failures++
	a.next = now.Add(wait)
	a.problem = problem
}

// annotate copies what the memory knows into the picture: errors, how
// often the same error came, whether a person acknowledged it.
func (p *Poller) annotate(snap *Snapshot) {
	p.annotateAll(snap.Executions)
	p.annotateAll(snap.Failing)
	for i := range snap.Jobs {
		last := []Execution{snap.Jobs[i].Last}
		p.annotateAll(last)
		snap.Jobs[i].Last = last[0]
	}
	snap.SnoozedUntil = p.mem.SnoozedUntil(p.now())
}

// annotateAll copies what the memory knows into each execution.
func (p *Poller) annotateAll(executions []Execution) {
	now := p.now()
	for i := range executions {
		e := &executions[i]
		scope := scopeOf(e.Resource)
		r, ok := p.mem.Record(scope, e.Resource)
		if !ok || e.State != StateFailed {
			continue
		}
		e.Error, e.Category, e.Rule, e.Source = r.Error.Line, r.Error.Category, r.Error.Rule, r.Error.Source
		e.Context, e.Matched, e.Logs = r.Error.Context, r.Error.Matched, r.Error.Logs
		e.Fingerprint, e.Kind = r.Error.Fingerprint, r.Kind
		e.CloudRun = r.Error.CloudRun
		e.Occurrences, e.FirstOccurred = p.mem.Occurrences(scope, e.Resource)
		e.Acknowledged = p.mem.Acknowledged(scope, e.Resource, now)
		if a := p.attempts[e.Resource]; a != nil && !r.Error.Settled() {
			e.LogsProblem = a.problem
		}
	}
}

// Acknowledge marks a failure as seen by a person (see
// lifecycle.Memory.Acknowledge), saves it, and returns the last picture
// with it.
func (p *Poller) Acknowledge(resource string) (Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.mem.Acknowledge(scopeOf(resource), resource, p.now()) {
		return p.last, fmt.Errorf("acknowledge %s: not a remembered failure", shortName(resource))
	}
	return p.saveAndAnnotate()
}

// Delivered records that a notification server took the news of these
// executions, and the summary of a snooze that told of missed ones, saves
// it, and returns the last picture: they are offered no more.
func (p *Poller) Delivered(resources, missed []string) (Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := p.mem.Delivered(resources)
	if len(missed) > 0 && p.mem.MissedDelivered(missed, p.now()) {
		changed = true
	}
	if !changed {
		return p.last, nil
	}
	return p.saveAndAnnotate()
}

// Snooze holds notifications back until t (zero: end the snooze; its
// summary comes with the next refresh), saves it, and returns the last
// picture with it.
func (p *Poller) Snooze(until time.Time) (Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mem.SnoozeUntil(until, p.now())
	return p.saveAndAnnotate()
}

func (p *Poller) saveAndAnnotate() (Snapshot, error) {
	err := p.store.Save(p.mem)
	return p.annotatedLast(), err
}

// Snapshot returns the last refresh's picture with what is remembered now
// (acknowledgements, a snooze), as after an acknowledgement.
func (p *Poller) Snapshot() Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.annotatedLast()
}

// annotatedLast annotates a copy of the last picture and keeps it as the
// last.
func (p *Poller) annotatedLast() Snapshot {
	// A copy: the last picture's executions are already in the UI's hands.
	snap := p.last
	snap.Executions = slices.Clone(p.last.Executions)
	snap.Failing = slices.Clone(p.last.Failing)
	snap.Jobs = slices.Clone(p.last.Jobs)
	p.annotate(&snap)
	p.last = snap
	return snap
}

// Reconfigure watches with new settings, keeping what is known of the
// regions still watched (their last listings, log read back-offs).
func (p *Poller) Reconfigure(cfg Config) {
	cfg = cfg.WithDefaults()
	p.mu.Lock()
	defer p.mu.Unlock()
	if cfg.Project != p.cfg.Project || cfg.Job != p.cfg.Job || cfg.AllJobs != p.cfg.AllJobs {
		p.offlineSince = time.Time{}
	}
	targets := cfg.targets()
	for t := range p.listed {
		if !slices.Contains(targets, t) {
			delete(p.listed, t)
		}
	}
	logs := map[string]*logReader{}
	for _, project := range cfg.Projects() {
		logs[project] = p.logsOf(project) // a project still watched keeps its budget
	}
	// Other regions may hold the jobs: ask ListJobs again.
	p.cfg, p.unwatched, p.logs = cfg, false, logs
	clear(p.jobChecks)
}

// Clients returns the clients the poller uses now.
func (p *Poller) Clients() Clients {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Clients{Run: p.runs, Tasks: p.tasks, Jobs: p.jobs, Logging: p.logging}
}

// SetClients replaces the clients, as after credentials were rebuilt,
// keeping what the poller knows (the regions' last listings, the log read
// back-off and quota pause).
func (p *Poller) SetClients(c Clients) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runs, p.tasks, p.jobs, p.logging = c.Run, c.Tasks, c.Jobs, c.Logging
	for _, r := range p.logs {
		r.setClient(c.Logging)
	}
	// As on Refresh now: a job created since is found at the next refresh.
	clear(p.jobChecks)
}
