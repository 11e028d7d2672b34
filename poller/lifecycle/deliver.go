package lifecycle

import (
	"maps"
	"slices"
	"time"
)

// Undelivered returns the changes announced but not yet taken by a
// notification server, oldest end first. The app offers them again at each
// refresh until Delivered: news that found no server waits in the memory,
// across restarts, and goes out when one takes it.
func (m *Memory) Undelivered() []Change {
	var out []Change
	for _, key := range slices.Sorted(maps.Keys(m.Jobs)) {
		project, job := splitJobKey(key)
		for name, r := range m.Jobs[key].Records {
			if !r.Undelivered || r.Kind == "" {
				continue
			}
			c := Change{Kind: r.Kind, Scope: Scope{Project: project, Job: job, Region: r.Region}, Resource: name, Record: *r, Fixes: r.Fixes}
			if r.State == Failed {
				c.Occurrences, c.First = m.Occurrences(c.Scope, name)
			}
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Change) int {
		if newer(&a.Record, a.Resource, &b.Record, b.Resource) {
			return 1
		}
		return -1
	})
	return out
}

// Delivered records that a notification server took the news of these
// executions; it reports whether any was waiting.
func (m *Memory) Delivered(resources []string) bool {
	changed := false
	for _, j := range m.Jobs {
		for _, name := range resources {
			if r := j.Records[name]; r != nil && r.Undelivered {
				r.Undelivered = false
				changed = true
			}
		}
	}
	return changed
}

// MissedDelivered records that a notification server took the summary of
// what a snooze held back that told of these executions: they are offered
// no more. The later revision wins over a copy still holding them.
func (m *Memory) MissedDelivered(resources []string, now time.Time) bool {
	before := len(m.Snooze.Missed)
	m.Snooze.Missed = slices.DeleteFunc(m.Snooze.Missed, func(c Change) bool { return slices.Contains(resources, c.Resource) })
	if len(m.Snooze.Missed) == before && (len(m.Snooze.Missed) > 0 || m.Snooze.Dropped == 0) {
		return false
	}
	if len(m.Snooze.Missed) == 0 {
		m.Snooze.Dropped = 0
	}
	m.Snooze.Changed, m.Snooze.Revision = now, m.revise()
	return true
}
