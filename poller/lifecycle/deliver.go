package lifecycle

import (
	"maps"
	"slices"
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
