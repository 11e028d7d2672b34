package poller

// What a push brings in team mode (package team): executions Cloud
// Logging's sink said ended, taken between listings, and the errors a
// relay read for the whole team.

import (
	"context"
	"maps"
	"slices"
	"strings"

	"cloud.google.com/go/run/apiv2/runpb"

	"runwatch/extract"
	"runwatch/poller/lifecycle"
)

// Sight takes executions a push said ended (their resource names) and does
// for them what a refresh does, without listing: it gets each one
// (GetExecution, within the list timeout), observes it as its listing
// would, reads Cloud Run's reason and the logs of a failure (or waits for
// a relay's error), classifies and returns the picture. An execution this
// poller does not watch, or of a region not learned yet (its first listing
// learns it), or that cannot be got now, is left to the next refresh.
// Being told twice, or late, changes nothing: the memory knows each
// execution once.
func (p *Poller) Sight(ctx context.Context, resources []string) Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	listed := map[string]*runpb.Execution{}
	for _, resource := range resources {
		scope := scopeOf(resource)
		if !p.cfg.Watches(scope.Project, scope.Job, scope.Region) || listed[resource] != nil {
			continue
		}
		if p.cfg.AllJobs {
			p.mem.Adopt(scope, lifecycle.Scope{Project: scope.Project, Job: AllJobsName, Region: scope.Region}, now, p.observer())
		}
		if !p.mem.Learned(scope) {
			continue
		}
		getCtx, cancel := context.WithTimeout(ctx, p.listTimeout)
		e, err := p.runs.GetExecution(getCtx, &runpb.GetExecutionRequest{Name: resource})
		cancel()
		if err != nil {
			continue
		}
		listed[resource] = e
		p.sighted[resource] = e
		p.mem.Observe(scope, []lifecycle.Sighting{sightingOf(e)}, now, p.observer())
	}
	snap := p.last
	snap.Executions = p.view(p.failed)
	verdicts := p.verdicts(ctx, p.failed)
	snap.Failing = slices.DeleteFunc(slices.Clone(verdicts), func(e Execution) bool { return e.State != StateFailed })
	snap.Jobs = jobSummaries(verdicts, snap.Executions)
	return p.settle(ctx, snap, listed)
}

// TakeError gives a failure the error a relay read for the team: it is the
// failure's error as if read here, and its logs are not read here. An
// error of an execution not seen ended here yet waits for it; one of a
// failure whose error is settled already changes nothing.
func (p *Poller) TakeError(resource string, info lifecycle.ErrorInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !info.Settled() {
		return
	}
	p.relayed[resource] = boundedError(info)
	p.applyRelayed()
}

// applyRelayed puts the relay's errors into the failures they are of, once
// those are remembered; at most maxRelayedWaiting wait (the first by name
// are let go beyond that: their failures then have their logs read here).
func (p *Poller) applyRelayed() {
	for _, resource := range slices.Sorted(maps.Keys(p.relayed)) {
		info := p.relayed[resource]
		scope := scopeOf(resource)
		r, ok := p.mem.Record(scope, resource)
		switch {
		case !ok:
			continue
		case r.State == StateFailed && !r.Error.Settled():
			info.CloudRun = cmpReason(info.CloudRun, r.Error.CloudRun)
			p.mem.SetError(scope, resource, info)
			delete(p.attempts, resource)
		}
		delete(p.relayed, resource)
	}
	if len(p.relayed) > maxRelayedWaiting {
		for _, resource := range slices.Sorted(maps.Keys(p.relayed))[:len(p.relayed)-maxRelayedWaiting] {
			delete(p.relayed, resource)
		}
	}
}

// boundedError keeps of an error from elsewhere (a relay's message, which
// is untrusted) no more than a read here keeps: one line of
// extract.MaxMessageRunes, short names, the context lines around the line.
func boundedError(info lifecycle.ErrorInfo) lifecycle.ErrorInfo {
	short := func(s string) string {
		if r := []rune(oneLine(s)); len(r) > maxNameRunes {
			return string(r[:maxNameRunes])
		}
		return oneLine(s)
	}
	info.Line = oneLine(info.Line)
	info.Category, info.Rule, info.Source, info.Fingerprint = short(info.Category), short(info.Rule), short(info.Source), short(info.Fingerprint)
	if len(info.Context) > contextBefore+contextAfter+1 {
		from := max(min(info.Matched-contextBefore, len(info.Context)-(contextBefore+contextAfter+1)), 0)
		info.Context = info.Context[from : from+contextBefore+contextAfter+1]
		info.Matched -= from
	}
	for i, line := range info.Context {
		info.Context[i] = extract.Clean(line)
	}
	if info.Matched < 0 || info.Matched >= len(info.Context) {
		info.Matched = -1
	}
	if cr := info.CloudRun; cr != nil {
		c := *cr
		c.Message, c.Category, c.Reason, c.Signal = oneLine(c.Message), short(c.Category), short(c.Reason), short(c.Signal)
		info.CloudRun = &c
	}
	return info
}

// oneLine makes text from elsewhere one line of plain text (no control
// codes) of at most extract.MaxMessageRunes runes, its words as they were.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(extract.Clean(s)), " ")
	if r := []rune(s); len(r) > extract.MaxMessageRunes {
		s = string(r[:extract.MaxMessageRunes-1]) + "…"
	}
	return s
}

// maxNameRunes bounds a category, rule, source or fingerprint from elsewhere.
const maxNameRunes = 100

// maxRelayedWaiting bounds the relay's errors waiting for their failures.
const maxRelayedWaiting = 200

// cmpReason keeps the relay's Cloud Run reason, else the one read here.
func cmpReason(relayed, here *lifecycle.CloudRunReason) *lifecycle.CloudRunReason {
	if relayed != nil {
		return relayed
	}
	return here
}

// pushed says of a pushed execution whether this poller watches it,
// whether it is remembered ended, and whether its error is settled (or
// needs none: it did not fail).
func (p *Poller) pushed(resource string) (watched, ended, settled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	scope := scopeOf(resource)
	if !p.cfg.Watches(scope.Project, scope.Job, scope.Region) {
		return false, false, false
	}
	r, ok := p.mem.Record(scope, resource)
	if !ok {
		return true, false, false
	}
	return true, true, r.State != StateFailed || r.Error.Settled()
}

// ErrorOf returns what is known of an execution's error, and whether it is
// settled (read, or known to be unknowable): what a relay publishes.
func (p *Poller) ErrorOf(resource string) (lifecycle.ErrorInfo, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.mem.Record(scopeOf(resource), resource)
	if !ok || r.State != StateFailed {
		return lifecycle.ErrorInfo{}, false
	}
	return r.Error, r.Error.Settled()
}

// withSighted returns the executions of the listing t last answered with
// those pushed since: a pushed one replaces its row (the listing saw it
// running; the push says it ended), or joins the rows.
func (p *Poller) withSighted(t target, v regionView) []*runpb.Execution {
	out := slices.Clone(v.executions)
	for _, name := range slices.Sorted(maps.Keys(p.sighted)) {
		s := scopeOf(name)
		if s.Project != t.project || s.Region != t.region || (!t.allJobs() && s.Job != t.job) {
			continue
		}
		if i := slices.IndexFunc(out, func(e *runpb.Execution) bool { return e.GetName() == name }); i >= 0 {
			out[i] = p.sighted[name]
		} else {
			out = append(out, p.sighted[name])
		}
	}
	return out
}
