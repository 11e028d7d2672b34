package lifecycle

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// A change counts as told only once a notification server took it: until
// Delivered, it is offered again, across a restart (the memory's file),
// with what it needs to be worded (its kind, the failure a fix fixed).
func TestNewsIsOfferedAgainUntilAServerTakesIt(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.Observe(scopeA, []Sighting{sighting("f1", Failed, t0.Add(time.Minute))}, t0.Add(time.Minute), ByApp)
	settle(m, scopeA, "f1", "boom")
	equal(t, kinds(m.Classify(t0.Add(time.Minute))), []string{"new_failure:f1"})
	m.Observe(scopeA, []Sighting{sighting("f1", Failed, t0.Add(time.Minute)), sighting("ok", Succeeded, t0.Add(2*time.Minute))}, t0.Add(2*time.Minute), ByApp)
	equal(t, kinds(m.Classify(t0.Add(2*time.Minute))), []string{"fixed:ok"})

	data, err := json.Marshal(m) // a restart in between
	if err != nil {
		t.Fatal(err)
	}
	m = New()
	if err := json.Unmarshal(data, m); err != nil {
		t.Fatal(err)
	}
	m.Normalize()
	got := m.Undelivered()
	if len(got) != 2 || got[0].Resource != "f1" || got[0].Kind != NewFailure || got[1].Kind != Fixed || got[1].Fixes != "f1" || got[0].Scope != scopeA {
		t.Fatalf("undelivered %+v", got)
	}
	equal(t, kinds(m.Classify(t0.Add(3*time.Minute))), nil) // classified once only
	if !m.Delivered([]string{"f1"}) || m.Delivered([]string{"f1"}) {
		t.Fatal("Delivered reports wrongly whether news waited")
	}
	if got := m.Undelivered(); len(got) != 1 || got[0].Resource != "ok" {
		t.Fatalf("after f1 was delivered: %+v", got)
	}
}

// Two copies of the memory: what a server took in either copy stays taken.
func TestMergeKeepsWhatEitherCopyDelivered(t *testing.T) {
	a := New()
	a.Observe(scopeA, nil, t0, ByApp)
	a.Observe(scopeA, []Sighting{sighting("f1", Failed, t0.Add(time.Minute))}, t0.Add(time.Minute), ByApp)
	settle(a, scopeA, "f1", "boom")
	a.Classify(t0.Add(time.Minute))
	data, _ := json.Marshal(a)
	b := New()
	if err := json.Unmarshal(data, b); err != nil {
		t.Fatal(err)
	}
	b.Normalize()
	a.Delivered([]string{"f1"})
	b.Merge(a)
	if got := b.Undelivered(); len(got) != 0 {
		t.Fatalf("a delivered change came back: %+v", got)
	}
	a.Merge(b)
	if got := a.Undelivered(); len(got) != 0 {
		t.Fatalf("a delivered change came back: %+v", got)
	}
}

// What a snooze held back is news like any other: when the snooze ends and
// no notification server takes its summary, it waits in the memory until
// one does, across a restart, and is offered no more once one did.
// Found by the review of issue 13.
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
	if !m.MissedDelivered([]string{"f1"}, t0.Add(2*time.Hour)) {
		t.Fatal("the summary's delivery changed nothing")
	}
	if a := m.Classify(t0.Add(2 * time.Hour)); len(a.Missed) != 0 || a.MissedMore != 0 {
		t.Fatalf("offered again once delivered: %+v", a)
	}
}
