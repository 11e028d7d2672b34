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
		for _, j := range m.Jobs {
			verdicts := j.verdicts()
			for name, r := range j.Records {
				if m.forgotten(r) && !verdicts[name] {
					delete(j.Records, name)
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

// bound keeps at most maxRecordsPerJob records per job, dropping the
// oldest first (announced ones before the rest); the verdicts and what was
// listed within keepListed of this process's last Observe stay, so
// bounding never makes a listed execution new again.
func (m *Memory) bound() {
	for _, j := range m.Jobs {
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
		for _, name := range names {
			if extra == 0 {
				break
			}
			r := j.Records[name]
			if verdicts[name] || r.Undelivered || (!r.listedAt.IsZero() && m.lastObserved.Sub(r.listedAt) < keepListed) {
				continue
			}
			delete(j.Records, name)
			extra--
		}
	}
}
