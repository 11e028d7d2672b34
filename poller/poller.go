package poller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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
)

// Timing of listing and of the log-read retries.
const (
	// DefaultListTimeout bounds the listing of one region.
	DefaultListTimeout = 10 * time.Second
	// giveUpOnLogsAfter: an execution with no log entries this long after it
	// ended has none, and is remembered so.
	giveUpOnLogsAfter = 10 * time.Minute
	// announceAfter: a failure whose logs still cannot be read is reported
	// this long after it was first seen, without its error.
	announceAfter = 3 * time.Minute
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
	// Baseline makes every region's first answer a baseline even when the
	// memory is not fresh, as after the watched project changes.
	Baseline bool
	// BaselineRegions makes these regions' first answer a baseline, as for
	// regions just added to the watched ones.
	BaselineRegions []string
}

// Poller refreshes the picture of a job's executions over many regions.
// Refresh may be called from any goroutine; refreshes run one at a time.
type Poller struct {
	cfg         Config
	runs        *run.ExecutionsClient
	logs        *logReader
	now         func() time.Time
	listTimeout time.Duration

	mu  sync.Mutex
	mem *memory
	// unseen are the regions whose failures are learned, not reported, when
	// they first answer: all of them on a new installation.
	unseen     map[string]bool
	warning    string
	lastListed map[string][]*runpb.Execution // per region: its last good listing
	attempts   map[string]*logAttempt        // failed executions whose logs are not read yet
}

// logAttempt schedules the next read of an execution's logs.
type logAttempt struct {
	failures int
	next     time.Time
	problem  string
}

// New makes a poller. store keeps the memory: the app's fyne.Preferences or
// a FileStore. An unreadable memory is not an error: the poller starts
// afresh, says so in the first Result's Warning, and takes a baseline: the
// failures a region lists when it first answers are learned, not reported.
func New(cfg Config, runs *run.ExecutionsClient, logs *logging.Client, store Store, opts Options) *Poller {
	cfg = cfg.WithDefaults()
	p := &Poller{
		cfg:         cfg,
		runs:        runs,
		now:         opts.Now,
		listTimeout: cmp.Or(opts.ListTimeout, DefaultListTimeout),
		lastListed:  map[string][]*runpb.Execution{},
		attempts:    map[string]*logAttempt{},
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.logs = newLogReader(logs, cfg.Project, cfg.Job, cmp.Or(opts.LogReadTimeout, DefaultLogReadTimeout), p.now)
	mem, err := loadMemory(store)
	if err != nil {
		p.warning = err.Error()
	}
	p.mem = mem
	p.unseen = map[string]bool{}
	for _, r := range cfg.Regions {
		if opts.Baseline || mem.fresh() || slices.Contains(opts.BaselineRegions, r) {
			p.unseen[r] = true
		}
	}
	return p
}

// regionListing is one region's answer.
type regionListing struct {
	region     string
	executions []*runpb.Execution
	err        error
}

// Refresh lists every region at once, reads the logs of new failures and
// returns the picture. Failed regions are reported, not fatal; when every
// region failed the snapshot keeps what they listed last.
func (p *Poller) Refresh(ctx context.Context) Result {
	p.mu.Lock()
	defer p.mu.Unlock()

	listings := p.listAll(ctx)
	now := p.now()
	snap := Snapshot{
		Project:      p.cfg.Project,
		Job:          p.cfg.Job,
		RegionErrors: map[string]string{},
		RegionsAsked: len(p.cfg.Regions),
		TakenAt:      now,
	}
	var all []*runpb.Execution
	silent := map[string]bool{} // regions whose failures this refresh learns without reporting
	unauthenticated := 0
	for _, l := range listings {
		if l.err != nil {
			snap.RegionErrors[l.region] = fmt.Sprintf("list executions in %s: %s", l.region, describeError(l.err, p.listTimeout))
			if status.Code(l.err) == codes.Unauthenticated {
				unauthenticated++
			}
			all = append(all, p.lastListed[l.region]...)
			continue
		}
		p.lastListed[l.region] = l.executions
		all = append(all, l.executions...)
		if p.unseen[l.region] {
			silent[l.region] = true
			delete(p.unseen, l.region)
		}
	}
	snap.Unauthenticated = unauthenticated > 0 && unauthenticated == len(listings)
	res := Result{Baseline: len(silent) > 0, Warning: p.warning}
	if len(snap.RegionErrors) < len(listings) {
		p.mem.start(now) // a restart is no longer a new installation
	}
	slices.SortStableFunc(all, func(a, b *runpb.Execution) int {
		return b.GetCreateTime().AsTime().Compare(a.GetCreateTime().AsTime())
	})
	all = all[:min(len(all), p.cfg.Top)]

	for _, e := range all {
		snap.Executions = append(snap.Executions, executionOf(e))
	}
	p.remember(snap.Executions, now)
	p.readDueLogs(ctx, snap.Executions)

	res.NewFailures = p.announce(snap.Executions, silent, p.now())
	for i := range snap.Executions {
		p.fill(&snap.Executions[i])
	}
	if err := p.mem.save(p.now()); err != nil {
		res.Warning = cmp.Or(res.Warning, err.Error())
	}
	res.Snapshot = snap
	p.warning = ""
	return res
}

// listAll lists every region concurrently, each within its own timeout.
func (p *Poller) listAll(ctx context.Context) []regionListing {
	out := make([]regionListing, len(p.cfg.Regions))
	var wg sync.WaitGroup
	for i, region := range p.cfg.Regions {
		wg.Go(func() {
			execs, err := p.listRegion(ctx, region)
			out[i] = regionListing{region: region, executions: execs, err: err}
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

// remember adds terminal executions to the memory and marks the rest seen.
func (p *Poller) remember(execs []Execution, now time.Time) {
	for _, e := range execs {
		if !e.State.Terminal() {
			continue
		}
		if _, ok := p.mem.get(e.Resource); ok {
			p.mem.touch(e.Resource, now)
			continue
		}
		r := record{State: e.State, Seen: now.Unix(), First: now.Unix()}
		if e.State != StateFailed {
			r.Logs = LogsRead // nothing to read
		}
		p.mem.put(e.Resource, r)
	}
}

// readDueLogs reads, concurrently within the budget, the logs of the
// failures whose error is not known and whose next attempt is due.
func (p *Poller) readDueLogs(ctx context.Context, execs []Execution) {
	now := p.now()
	if p.logs.paused() {
		return
	}
	var due []Execution
	for _, e := range execs {
		r, ok := p.mem.get(e.Resource)
		if !ok || r.settled() {
			continue
		}
		if a := p.attempts[e.Resource]; a != nil && now.Before(a.next) {
			continue
		}
		due = append(due, e)
	}
	results := make([]logLines, len(due))
	errs := make([]error, len(due))
	var wg sync.WaitGroup
	for i, e := range due {
		wg.Go(func() {
			results[i], errs[i] = p.logs.read(ctx, e.Name, e.Created, cmp.Or(e.Completed, now))
		})
	}
	wg.Wait()
	for i, e := range due {
		p.settleLogs(e, results[i], errs[i], now)
	}
}

// settleLogs records one read: the error when there were lines, "no logs"
// when there still are none long after the end, else a retry with back-off.
// A failed read is never remembered as the error.
func (p *Poller) settleLogs(e Execution, lines logLines, err error, now time.Time) {
	r, _ := p.mem.get(e.Resource)
	switch {
	case err != nil:
		p.retryLater(e.Resource, now, "logs not read yet: "+describeError(err, p.logs.timeout))
		return
	case len(lines.raw) == 0:
		ended := cmp.Or(e.Completed, time.Unix(r.First, 0))
		if now.Sub(ended) < giveUpOnLogsAfter {
			p.retryLater(e.Resource, now, "no log entries yet")
			return
		}
		r.Logs = LogsNone
	default:
		res := extract.Extract(lines.raw)
		if !res.Found && now.Sub(cmp.Or(e.Completed, time.Unix(r.First, 0))) < giveUpOnLogsAfter {
			// The lines that say why may still be on their way.
			p.retryLater(e.Resource, now, "no error line in the logs yet")
			return
		}
		r.Logs = LogsRead
		if res.Found {
			r.Error, r.Category, r.Rule = res.Message, string(res.Category), res.Rule
			from := max(res.Line-contextBefore, 0)
			to := min(res.Line+contextAfter+1, len(lines.text))
			r.Context = clipLines(lines.text[from:to])
			r.Matched = res.Line - from
		}
	}
	delete(p.attempts, e.Resource)
	p.mem.put(e.Resource, r)
}

// clipLines bounds the context lines kept in the memory.
func clipLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) > 2000 {
			l = l[:2000] + "…"
		}
		out[i] = l
	}
	return out
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

// announce returns the failures to report for the first time: those whose
// error is known, or that waited announceAfter for it. Failures in the
// silent regions (taking their baseline) count as announced and are not
// returned.
func (p *Poller) announce(execs []Execution, silent map[string]bool, now time.Time) []Execution {
	var fresh []Execution
	for _, e := range execs {
		r, ok := p.mem.get(e.Resource)
		if !ok || r.State != StateFailed || r.Announced {
			continue
		}
		quiet := silent[e.Region]
		if !quiet && !r.settled() && now.Sub(time.Unix(r.First, 0)) < announceAfter {
			continue
		}
		r.Announced = true
		p.mem.put(e.Resource, r)
		if !quiet {
			p.fill(&e)
			fresh = append(fresh, e)
		}
	}
	return fresh
}

// fill copies what the memory knows of an execution into it.
func (p *Poller) fill(e *Execution) {
	r, ok := p.mem.get(e.Resource)
	if !ok || e.State != StateFailed {
		return
	}
	e.Error, e.Category, e.Rule = r.Error, r.Category, r.Rule
	e.Context, e.Matched, e.Logs = r.Context, r.Matched, r.Logs
	if a := p.attempts[e.Resource]; a != nil && r.Logs == LogsPending {
		e.LogsProblem = a.problem
	}
}
