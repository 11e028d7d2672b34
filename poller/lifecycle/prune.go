package lifecycle

import (
	"maps"
	"slices"
	"time"
)

// Prune forgets what was not listed for a month, followed executions past
// Cloud Run's longest run and expired acknowledgements (at most every
// pruneEvery), and bounds each job's records.
func (m *Memory) Prune(now time.Time) {
	if now.Sub(m.PrunedAt) >= pruneEvery {
		m.PrunedAt = now
		for key, j := range m.Jobs {
			verdicts := j.verdicts()
			for name, r := range j.Records {
				if m.forgotten(r) && !verdicts[name] {
					m.letGo(key, j, name)
				}
			}
			j.Acks = slices.DeleteFunc(j.Acks, func(a Ack) bool { return now.Sub(a.At) >= AckFor })
		}
		for _, s := range m.Scopes {
			for name, since := range s.Following {
				if m.unfollowed(since) {
					delete(s.Following, name)
				}
			}
			for name, at := range s.Unfollowed {
				if m.unfollowed(at) {
					delete(s.Unfollowed, name)
				}
			}
		}
	}
	m.bound()
}

// forgotten: the record is older than the last prune keeps.
func (m *Memory) forgotten(r *Record) bool {
	return !m.PrunedAt.IsZero() && r.LastSeen.Before(m.PrunedAt.Add(-forgetAfter))
}

// unfollowed: an execution first seen at since is followed no more.
func (m *Memory) unfollowed(since time.Time) bool {
	return !m.PrunedAt.IsZero() && since.Before(m.PrunedAt.Add(-followFor))
}

// letGo drops a record of a job, raising its scope's ForgotUpTo so that
// the execution, listed again, is history, not news.
func (m *Memory) letGo(jobKey string, j *JobState, name string) {
	r := j.Records[name]
	delete(j.Records, name)
	project, job := splitJobKey(jobKey)
	if s := m.Scopes[Scope{Project: project, Job: job, Region: r.Region}.Key()]; s != nil && r.end().After(s.ForgotUpTo) {
		s.ForgotUpTo = r.end()
	}
}

// letGoOf reports whether a record of the job, not in this copy, is one
// this memory let go of (or one no later): a copy from before does not
// bring it back.
func (m *Memory) letGoOf(jobKey string, r *Record) bool {
	project, job := splitJobKey(jobKey)
	s := m.Scopes[Scope{Project: project, Job: job, Region: r.Region}.Key()]
	return s != nil && s.forgot(r)
}

// bound keeps at most maxRecordsPerJob records per job, dropping the
// oldest first (announced ones before the rest, undelivered news last);
// each region's verdict and what was listed within keepListed of this
// process's last Observe stay. What it drops raises its scope's ForgotUpTo, so that
// bounding never makes an execution listed again new (whichever region
// answered in this process, and with whatever top).
func (m *Memory) bound() {
	for key, j := range m.Jobs {
		extra := len(j.Records) - maxRecordsPerJob
		if extra <= 0 {
			continue
		}
		verdicts := j.verdicts()
		names := slices.SortedFunc(maps.Keys(j.Records), func(a, b string) int {
			ra, rb := j.Records[a], j.Records[b]
			if ra.Announced != rb.Announced {
				if ra.Announced {
					return -1
				}
				return 1
			}
			if newer(ra, a, rb, b) {
				return 1
			}
			return -1
		})
		// Undelivered news goes last, and only when nothing else can: with
		// no notification server for weeks, the bound still holds.
		for _, keepUndelivered := range []bool{true, false} {
			for _, name := range names {
				r := j.Records[name]
				if extra == 0 || r == nil {
					continue
				}
				if verdicts[name] || (keepUndelivered && r.Undelivered) || (!r.listedAt.IsZero() && m.lastObserved.Sub(r.listedAt) < keepListed) {
					continue
				}
				m.letGo(key, j, name)
				extra--
			}
		}
	}
}
