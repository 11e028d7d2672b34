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
}

// Poller refreshes the picture of a job's executions over many regions.
// Refresh may be called from any goroutine; refreshes run one at a time.
type Poller struct {
	cfg         Config
	runs        *run.ExecutionsClient
	tasks       *run.TasksClient
	jobs        *run.JobsClient
	logs        *logReader
	now         func() time.Time
	listTimeout time.Duration
	readOnly    bool
	unwatched   bool // the scopes this poller does not watch are marked so

	mu       sync.Mutex
	store    MemoryStore
	mem      *lifecycle.Memory
	warning  string
	listed   map[string]regionView  // per region: its last good listing
	attempts map[string]*logAttempt // failed executions whose logs are not read yet
	taskAsks map[string]*taskAsk    // failed executions whose tasks could not be listed
	last     Snapshot               // the last refresh's picture, to annotate after an acknowledgement
	// jobCheck is what ListJobs said of the watched job, asked once per
	// project and job (nil: not asked yet).
	jobCheck *jobCheck
	// offlineSince is when the refreshes that reached no region began.
	offlineSince time.Time
}

// regionView is a region's last good listing and when it was taken.
type regionView struct {
	executions []*runpb.Execution
	at         time.Time
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
		now:         opts.Now,
		listTimeout: cmp.Or(opts.ListTimeout, DefaultListTimeout),
		readOnly:    opts.ReadOnly,
		store:       store,
		listed:      map[string]regionView{},
		attempts:    map[string]*logAttempt{},
		taskAsks:    map[string]*taskAsk{},
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.logs = newLogReader(clients.Logging, cfg.Project, cfg.Job, cmp.Or(opts.LogReadTimeout, DefaultLogReadTimeout), cmp.Or(opts.LogRequestsPerMinute, logRequestsPerMinute), p.now)
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

// scope is what the poller watches in a region.
func (p *Poller) scope(region string) lifecycle.Scope {
	return lifecycle.Scope{Project: p.cfg.Project, Job: p.cfg.Job, Region: region}
}

// regionListing is one region's answer: its newest executions, and those it
// follows that fell out of its listing, fetched one by one.
type regionListing struct {
	region     string
	executions []*runpb.Execution
	followed   []*runpb.Execution
	gone       []string // followed executions that no longer exist
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
			return s.Project == p.cfg.Project && s.Job == p.cfg.Job && slices.Contains(p.cfg.Regions, s.Region)
		}, p.now())
		p.unwatched = true
	}
	if err := p.store.Catch(p.mem); err != nil {
		p.warning = cmp.Or(p.warning, err.Error())
	}
	follow := map[string][]string{}
	for _, r := range p.cfg.Regions {
		follow[r] = p.mem.Following(p.scope(r))
	}
	listings := p.listAll(ctx, follow)
	now := p.now()
	snap := Snapshot{
		Project:      p.cfg.Project,
		Job:          p.cfg.Job,
		RegionErrors: map[string]string{},
		RegionsAsked: len(p.cfg.Regions),
		TakenAt:      now,
	}
	unauthenticated := 0
	listed := map[string]*runpb.Execution{} // this refresh's executions, by resource
	for _, l := range listings {
		scope := p.scope(l.region)
		if l.err != nil {
			snap.RegionErrors[l.region] = fmt.Sprintf("list executions in %s: %s", l.region, describeError(l.err, p.listTimeout))
			if status.Code(l.err) == codes.Unauthenticated {
				unauthenticated++
			}
			continue
		}
		p.listed[l.region] = regionView{executions: l.executions, at: now}
		for _, name := range l.gone {
			p.mem.Unfollow(scope, name, now)
		}
		var seen []lifecycle.Sighting
		for _, e := range slices.Concat(l.executions, l.followed) {
			seen = append(seen, sightingOf(e))
			listed[e.GetName()] = e
		}
		p.mem.Observe(scope, seen, now, p.observer())
	}
	snap.Unauthenticated = unauthenticated > 0 && unauthenticated == len(listings)
	snap.Executions = p.view(snap.RegionErrors)
	snap.Failing = p.failing(snap.RegionErrors)
	switch {
	case len(snap.RegionErrors) < len(listings):
		p.offlineSince = time.Time{}
	case p.offlineSince.IsZero():
		p.offlineSince = now
	}
	snap.OfflineSince = p.offlineSince
	p.checkJob(ctx, listings, &snap)

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

// view merges the regions' last good listings into the newest Top,
// marking the executions of regions that failed this time as stale.
func (p *Poller) view(failed map[string]string) []Execution {
	var all []Execution
	for _, region := range p.cfg.Regions {
		v, ok := p.listed[region]
		if !ok {
			continue
		}
		for _, e := range v.executions {
			x := executionOf(e)
			x.ListedAt = v.at
			_, x.Stale = failed[region]
			all = append(all, x)
		}
	}
	slices.SortStableFunc(all, func(a, b Execution) int { return b.Created.Compare(a.Created) })
	return all[:min(len(all), p.cfg.Top)]
}

// failing returns each watched region's last finished execution where it
// failed, from the memory: newer running, pending or cancelled executions
// push it out of the listing, not out of mind. Its row is the listing's
// when it is still listed; executions of regions that failed this time are
// marked stale.
func (p *Poller) failing(failed map[string]string) []Execution {
	var out []Execution
	for _, region := range p.cfg.Regions {
		resource, r, ok := p.mem.LastFinished(p.scope(region))
		if !ok || r.State != StateFailed {
			continue
		}
		x := Execution{Region: region, Name: shortName(resource), Resource: resource, State: StateFailed,
			Created: r.Created, Completed: r.Completed, Failed: 1}
		v := p.listed[region]
		for _, e := range v.executions {
			if e.GetName() == resource {
				x = executionOf(e)
			}
		}
		x.ListedAt = v.at
		_, x.Stale = failed[region]
		out = append(out, x)
	}
	slices.SortStableFunc(out, func(a, b Execution) int {
		if endedLater(a, b) {
			return -1
		}
		return 1
	})
	return out
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

// listAll lists every region concurrently, each within its own timeout,
// and fetches the executions each follows that its listing no longer shows.
func (p *Poller) listAll(ctx context.Context, follow map[string][]string) []regionListing {
	out := make([]regionListing, len(p.cfg.Regions))
	var wg sync.WaitGroup
	for i, region := range p.cfg.Regions {
		wg.Go(func() {
			l := regionListing{region: region}
			l.executions, l.err = p.listRegion(ctx, region)
			if l.err == nil {
				l.followed, l.gone = p.fetchFollowed(ctx, l.executions, follow[region])
			}
			out[i] = l
		})
	}
	wg.Wait()
	return out
}

// listRegion asks one region for its newest executions: the API lists
// newest first, so the first page of Top is all that is needed.
func (p *Poller) listRegion(ctx context.Context, region string) ([]*runpb.Execution, error) {
	ctx, cancel := context.WithTimeout(ctx, p.listTimeout)
	defer cancel()
	req := &runpb.ListExecutionsRequest{Parent: p.cfg.jobParent(region), PageSize: int32(p.cfg.Top)}
	var page []*runpb.Execution
	_, err := iterator.NewPager(p.runs.ListExecutions(ctx, req), p.cfg.Top, "").NextPage(&page)
	if err != nil && !errors.Is(err, iterator.Done) {
		return nil, err
	}
	return page, nil
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
	x := Execution{
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
		add(p.scope(e.Region), e.Resource)
	}
	for _, region := range p.cfg.Regions {
		scope := p.scope(region)
		for _, name := range p.mem.Awaiting(scope) {
			add(scope, name)
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
	if p.logs.paused() {
		return
	}
	var due []logTarget
	for _, t := range targets {
		if t.record.Error.Settled() {
			continue
		}
		if a := p.attempts[t.resource]; a != nil && now.Before(a.next) {
			continue
		}
		due = append(due, t)
	}
	for chunk := range slices.Chunk(due, logBatchMax) {
		queries := make([]logQuery, len(chunk))
		for i, t := range chunk {
			queries[i] = logQuery{execution: shortName(t.resource), created: t.record.Created, completed: cmp.Or(t.record.Completed, now)}
		}
		results, err := p.logs.readBatch(ctx, queries)
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
		p.retryLater(t.resource, now, "logs not read yet: "+describeError(err, p.logs.timeout))
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
	snap.SnoozedUntil = p.mem.SnoozedUntil(p.now())
}

// annotateAll copies what the memory knows into each execution.
func (p *Poller) annotateAll(executions []Execution) {
	now := p.now()
	for i := range executions {
		e := &executions[i]
		scope := p.scope(e.Region)
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
	if !p.mem.Acknowledge(p.scope(regionOf(resource)), resource, p.now()) {
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
	// A copy: the last picture's executions are already in the UI's hands.
	snap := p.last
	snap.Executions = slices.Clone(p.last.Executions)
	snap.Failing = slices.Clone(p.last.Failing)
	p.annotate(&snap)
	p.last = snap
	return snap, err
}

// Reconfigure watches with new settings, keeping what is known of the
// regions still watched (their last listings, log read back-offs).
func (p *Poller) Reconfigure(cfg Config) {
	cfg = cfg.WithDefaults()
	p.mu.Lock()
	defer p.mu.Unlock()
	if cfg.Project != p.cfg.Project || cfg.Job != p.cfg.Job {
		clear(p.listed)
		p.offlineSince = time.Time{}
		p.logs = newLogReader(p.logs.client.Load(), cfg.Project, cfg.Job, p.logs.timeout, p.logs.perMinute, p.now)
	}
	for region := range p.listed {
		if !slices.Contains(cfg.Regions, region) {
			delete(p.listed, region)
		}
	}
	// Other regions may hold the job: ask ListJobs again.
	p.cfg, p.unwatched, p.jobCheck = cfg, false, nil
}

// SetClients replaces the clients, as after credentials were rebuilt,
// keeping what the poller knows (the regions' last listings, the log read
// back-off and quota pause).
func (p *Poller) SetClients(c Clients) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runs, p.tasks, p.jobs = c.Run, c.Tasks, c.Jobs
	p.logs.setClient(c.Logging)
	// As on Refresh now: a job created since is found at the next refresh.
	p.jobCheck = nil
}
