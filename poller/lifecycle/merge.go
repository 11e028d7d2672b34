package lifecycle

import (
	"cmp"
	"slices"
	"time"
)

// Merge joins another copy of the memory into this one, as when another
// process wrote the same file: nothing either knows is lost. Records and
// scopes are joined field by field (announced wins, a settled error wins,
// the app's watching is sticky, see mergeWatching), and a record this copy
// let go of (pruned, bounded) is not brought back; acknowledgements and
// snoozes, which a person sets, are taken from whichever copy changed them
// last, by the memory's revision (not the wall clock, which may step back).
func (m *Memory) Merge(o *Memory) {
	for key, os := range o.Scopes {
		s := m.Scopes[key]
		if s == nil {
			s = &ScopeState{}
			m.Scopes[key] = s
		}
		mergeWatching(s, os)
		if os.ForgotUpTo.After(s.ForgotUpTo) {
			s.ForgotUpTo = os.ForgotUpTo
		}
		for name, at := range os.Unfollowed {
			if s.Unfollowed == nil {
				s.Unfollowed = map[string]time.Time{}
			}
			s.Unfollowed[name] = at
		}
		for name, since := range os.Following {
			if m.unfollowed(since) {
				continue
			}
			if s.Following == nil {
				s.Following = map[string]time.Time{}
			}
			if cur, ok := s.Following[name]; !ok || since.Before(cur) {
				s.Following[name] = since
			}
		}
		for name := range s.Unfollowed {
			delete(s.Following, name)
		}
	}
	for key, oj := range o.Jobs {
		j := m.job(key)
		for name, or := range oj.Records {
			r := j.Records[name]
			if r == nil && (m.forgotten(or) || m.letGoOf(key, or)) {
				continue
			}
			if r == nil {
				cp := *or
				j.Records[name] = &cp
				continue
			}
			mergeRecord(r, or)
		}
		if laterAct(oj.AcksRevision, oj.AcksChanged, j.AcksRevision, j.AcksChanged) {
			j.Acks, j.AcksChanged, j.AcksRevision = slices.Clone(oj.Acks), oj.AcksChanged, oj.AcksRevision
		}
	}
	// A followed execution another copy saw end is followed no more.
	for key, s := range m.Scopes {
		project, rest := splitJobKey(key)
		job, _ := splitJobKey(rest)
		j := m.Jobs[project+"/"+job]
		for name := range s.Following {
			if j != nil && j.Records[name] != nil {
				delete(s.Following, name)
			}
		}
	}
	if o.PrunedAt.After(m.PrunedAt) {
		m.PrunedAt = o.PrunedAt
	}
	m.bound()
	m.Revision = max(m.Revision, o.Revision)
	switch {
	case laterAct(o.Snooze.Revision, o.Snooze.Changed, m.Snooze.Revision, m.Snooze.Changed):
		m.Snooze = Snooze{Until: o.Snooze.Until, Revision: o.Snooze.Revision, Changed: o.Snooze.Changed, Missed: slices.Clone(o.Snooze.Missed), Dropped: o.Snooze.Dropped}
	case o.Snooze.Revision == m.Snooze.Revision && o.Snooze.Changed.Equal(m.Snooze.Changed):
		for _, c := range o.Snooze.Missed {
			if !slices.ContainsFunc(m.Snooze.Missed, func(x Change) bool { return x.Resource == c.Resource && x.Kind == c.Kind }) {
				m.Snooze.Missed = append(m.Snooze.Missed, c)
			}
		}
	}
}

// mergeWatching joins two copies' watching of a scope into s. Watched is
// sticky: status's copy never unwatches what the app watches, nor moves
// when the app learned it. Between two copies the app watched, the one
// that changed the watching last (unwatched it, or watched it again) wins,
// by the revision that stamped the change, then by time.
func mergeWatching(s, o *ScopeState) {
	switch {
	case o.Watched && (!s.Watched || laterAct(o.Revision, o.watchingChanged(), s.Revision, s.watchingChanged())):
		s.LearnedAt, s.UnwatchedAt = o.LearnedAt, o.UnwatchedAt
	case !s.Watched && !o.Watched:
		s.LearnedAt = earlier(s.LearnedAt, o.LearnedAt)
	}
	s.Watched = s.Watched || o.Watched
	s.Revision = max(s.Revision, o.Revision)
}

// earlier is the earlier of two times, a zero one counting as unknown.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// mergeRecord joins what two copies know of one execution into r.
func mergeRecord(r, o *Record) {
	switch {
	case o.Announced && !r.Announced:
		r.Announced, r.Kind, r.Undelivered, r.Fixes = true, o.Kind, o.Undelivered, o.Fixes
	case o.Announced:
		r.Undelivered = r.Undelivered && o.Undelivered // taken by a server in either copy
	}
	r.Learned = r.Learned || o.Learned
	if o.FirstSeen.Before(r.FirstSeen) {
		r.FirstSeen = o.FirstSeen
	}
	r.SeenRevision = min(r.SeenRevision, o.SeenRevision)
	if o.LastSeen.After(r.LastSeen) {
		r.LastSeen = o.LastSeen
	}
	if betterError(o.Error, r.Error) {
		r.Error = o.Error
	}
}

// betterError: a settled error beats a pending one; one from the logs beats
// Cloud Run's summary.
func betterError(a, b ErrorInfo) bool {
	rank := func(e ErrorInfo) int {
		n := 0
		if e.Settled() {
			n += 2
		}
		if e.Line != "" {
			n++
		}
		if e.Source == "logs" {
			n += 4
		}
		return n
	}
	return cmp.Compare(rank(a), rank(b)) > 0
}
