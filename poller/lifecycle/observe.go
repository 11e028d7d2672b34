package lifecycle

import (
	"slices"
	"strings"
	"time"
)

// Sighting is one execution as a region's listing (or a Get of a followed
// execution) showed it.
type Sighting struct {
	Resource  string
	State     State
	Created   time.Time
	Completed time.Time
}

// Observer says who observes: the app, which announces, or runwatch
// status, which only remembers.
type Observer int

const (
	// ByApp: the tray app; a scope it watches for the first time, or again
	// after it stopped watching it, is learned.
	ByApp Observer = iota
	// ByStatus: runwatch status; it learns scopes new to the memory but
	// makes nothing news.
	ByStatus
)

// Observe takes what a region that answered listed. A scope's first answer
// (to the app: its first since it last stopped watching it) learns its
// terminal executions silently; later answers record new terminal
// executions to be classified. Executions not yet ended are followed until
// they end.
func (m *Memory) Observe(scope Scope, seen []Sighting, now time.Time, by Observer) {
	key := scope.Key()
	m.lastObserved = now
	s := m.Scopes[key]
	learning := s == nil || (by == ByApp && (!s.Watched || !s.UnwatchedAt.IsZero()))
	if s == nil {
		s = &ScopeState{}
		m.Scopes[key] = s
	}
	j := m.job(scope.jobKey())
	if learning {
		// What the memory holds of the scope that the app has not made news
		// of (seen by status, or while the app watched something else) is
		// history now.
		for _, r := range j.Records {
			if r.Region == scope.Region && !r.Announced && (!s.Watched || !s.seenBefore(r)) {
				r.Learned, r.Announced = true, true
			}
		}
		s.LearnedAt = now
		if by == ByApp {
			s.Watched, s.UnwatchedAt, s.Revision = true, time.Time{}, m.revise()
		}
	}
	for _, x := range seen {
		r := j.Records[x.Resource]
		if !x.State.Terminal() {
			if r == nil && s.Unfollowed[x.Resource].IsZero() {
				if s.Following == nil {
					s.Following = map[string]time.Time{}
				}
				if _, ok := s.Following[x.Resource]; !ok {
					s.Following[x.Resource] = now
				}
			}
			continue
		}
		_, followed := s.Following[x.Resource]
		delete(s.Following, x.Resource)
		if r != nil {
			r.listedAt = now
			if now.Sub(r.LastSeen) >= touchEvery {
				r.LastSeen = now
			}
			continue
		}
		r = &Record{Region: scope.Region, State: x.State, Created: x.Created, Completed: x.Completed, FirstSeen: now, LastSeen: now,
			SeenRevision: m.Revision, listedAt: now}
		if x.State != Failed {
			r.Error.Logs = LogsRead // nothing to read
		}
		// Ended before the region was watched, or no later than what the
		// memory let go of, and not seen running since: history, not news.
		r.Learned = learning || (!followed && (r.end().Before(s.LearnedAt.Add(-SkewAllowance)) || s.forgot(r)))
		r.Announced = r.Learned
		j.Records[x.Resource] = r
	}
}

// Unwatch records that the app no longer watches the scopes for which
// watching is false (its settings changed): when it watches one again, what
// ended meanwhile is learned, not announced. A closed app unwatches
// nothing: what ended while it was closed is news when it starts.
func (m *Memory) Unwatch(watching func(Scope) bool, now time.Time) {
	for key, s := range m.Scopes {
		if s.Watched && s.UnwatchedAt.IsZero() && !watching(scopeOfKey(key)) {
			s.UnwatchedAt, s.Revision = now, m.revise()
		}
	}
}

// scopeOfKey undoes Scope.Key: project IDs and job names hold no "/".
func scopeOfKey(key string) Scope {
	project, rest := splitJobKey(key)
	job, region := splitJobKey(rest)
	return Scope{Project: project, Job: job, Region: region}
}

// Adopt gives a scope new to the memory (first seen in a listing of every
// job of its project and region, or first named in a listing of its own
// there) the watching of that region's listing of every job (parent: that
// listing's scope, job "-"), as of when it was learned: a job that first
// shows up is learned like the rest of the listing was, so what it ran
// before the listing was learned is history, and what ends after is news.
// A scope the app watches already, a parent not remembered, or one not
// learned before now (its first listing, which learns everything in it),
// is left alone. A scope only runwatch status saw (it learns what it
// lists) is the app's as of the parent's learning too: what status took
// for history but ended after that is news again.
func (m *Memory) Adopt(scope, parent Scope, now time.Time, by Observer) {
	p := m.Scopes[parent.Key()]
	if p == nil || !p.LearnedAt.Before(now) {
		return
	}
	s := m.Scopes[scope.Key()]
	switch {
	case s == nil:
		m.Scopes[scope.Key()] = &ScopeState{LearnedAt: p.LearnedAt, Watched: p.Watched, UnwatchedAt: p.UnwatchedAt, Revision: p.Revision}
	case by == ByApp && !s.Watched && p.Watched && p.UnwatchedAt.IsZero():
		for _, r := range m.job(scope.jobKey()).Records {
			if r.Region == scope.Region && r.Learned && r.Kind == "" && !r.end().Before(p.LearnedAt.Add(-SkewAllowance)) {
				r.Learned, r.Announced = false, false
			}
		}
		s.LearnedAt, s.Watched, s.UnwatchedAt, s.Revision = p.LearnedAt, true, time.Time{}, m.revise()
	}
}

// ScopesIn returns the remembered scopes of a project's region, but for
// the one with job skip, sorted by job.
func (m *Memory) ScopesIn(project, region, skip string) []Scope {
	var out []Scope
	for key := range m.Scopes {
		s := scopeOfKey(key)
		if s.Project == project && s.Region == region && s.Job != skip {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Scope) int { return strings.Compare(a.Job, b.Job) })
	return out
}
