package lifecycle

// Review of issue 7's change (branch review-7): each test here proves a
// defect of the current code and FAILS on it.

import (
	"fmt"
	"testing"
	"time"
)

// Invariant 1 ("while snoozed: once in the snooze summary"): Classify keeps
// at most maxMissed (100) changes for the summary and silently drops the
// oldest. A snooze "until tomorrow 08:00" over a job failing in many
// regions easily has more; the summary's title then counts 100 and the
// rest were never announced at all.
func TestReviewSnoozeSummaryHoldsEveryFailure(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.SnoozeUntil(t0.Add(16*time.Hour), t0)
	const failures = 130
	for i := range failures {
		now := t0.Add(time.Duration(i+1) * 5 * time.Minute)
		name := fmt.Sprintf("f%03d", i)
		m.Observe(scopeA, []Sighting{sighting(name, Failed, now)}, now, ByApp)
		settle(m, scopeA, name, "ValueError: x")
		if a := m.Classify(now); len(a.Changes)+len(a.Missed) != 0 {
			t.Fatalf("snoozed, yet announced %d", len(a.Changes)+len(a.Missed))
		}
	}
	a := m.Classify(t0.Add(16 * time.Hour))
	if len(a.Missed) != failures {
		t.Fatalf("snooze summary holds %d of the %d failures held back (the first is %s): the others are never announced", len(a.Missed), failures, a.Missed[0].Resource)
	}
}

// "Bounded in size (records pruned)": bound drops only announced records,
// and `runwatch status` (ReadOnly) never announces. Used alone, as in a
// script or CI check, every execution it ever lists stays for 30 days:
// a job running every minute leaves tens of thousands of records.
func TestReviewMemoryBoundedWithoutTheApp(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	for i := range 1000 { // one status run a minute, each seeing the newest run
		now := t0.Add(time.Duration(i+1) * time.Minute)
		m.Observe(scopeA, []Sighting{sighting(fmt.Sprintf("e%04d", i), Failed, now)}, now, ByApp)
		m.Prune(now)
	}
	if n := len(m.Jobs[scopeA.jobKey()].Records); n > maxRecordsPerJob {
		t.Fatalf("%d records of one job remembered, bound is %d", n, maxRecordsPerJob)
	}
}
