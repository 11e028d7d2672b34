package lifecycle

import (
	"slices"
	"testing"
	"time"
)

// What a snooze held back is news like any other (invariant 1): when the
// snooze ends and no notification server takes its summary, it must wait
// in the memory until one does, across a restart, as Undelivered news
// does. Today Classify hands the summary out once, empties Snooze.Missed,
// and never marks the held-back records Undelivered: a tray process that
// restarts (or a single app whose Send failed) before a server comes
// tells the person nothing of the failures the snooze held back.
func TestSnoozeSummaryWaitsInTheMemoryUntilAServerTakesIt(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.SnoozeUntil(t0.Add(time.Hour), t0)
	m.Observe(scopeA, []Sighting{sighting("f1", Failed, t0.Add(time.Minute))}, t0.Add(time.Minute), ByApp)
	settle(m, scopeA, "f1", "boom")
	m.Classify(t0.Add(time.Minute)) // held back
	a := m.Classify(t0.Add(time.Hour))
	if len(a.Missed) != 1 || a.Missed[0].Resource != "f1" {
		t.Fatalf("after the snooze: %+v, want f1 in the summary", a)
	}
	// No server took the summary; the process restarts.
	m = copyOf(t, m)
	offered := slices.ContainsFunc(m.Undelivered(), func(c Change) bool { return c.Resource == "f1" }) ||
		slices.ContainsFunc(m.Snooze.Missed, func(c Change) bool { return c.Resource == "f1" })
	if !offered {
		t.Fatalf("after a restart, f1 (held back by a snooze, never delivered) is offered nowhere: undelivered %+v, snooze %+v",
			m.Undelivered(), m.Snooze)
	}
}
