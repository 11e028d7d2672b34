package lifecycle

import (
	"fmt"
	"testing"
	"time"
)

func TestAcknowledgementCoversTheSameErrorUntilFixedOrExpired(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	fail := func(name string, at time.Time, line string) {
		m.Observe(scopeA, []Sighting{sighting(name, Failed, at)}, at, ByApp)
		settle(m, scopeA, name, line)
		m.Classify(at)
	}
	fail("f1", t0, "Quota exceeded: 8 > 4")
	m.Acknowledge(scopeA, "f1", t0)
	fail("f2", t0.Add(time.Minute), "Quota exceeded: 9 > 4")
	fail("f3", t0.Add(2*time.Minute), "ImagePullBackOff for image x")
	if !m.Acknowledged(scopeA, "f2", t0.Add(time.Minute)) {
		t.Fatal("the same error again is not covered by the acknowledgement")
	}
	if m.Acknowledged(scopeA, "f3", t0.Add(2*time.Minute)) {
		t.Fatal("a new kind of error is covered by an acknowledgement of another")
	}
	if m.Acknowledged(scopeA, "f2", t0.Add(AckFor+time.Minute)) {
		t.Fatal("an acknowledgement outlived AckFor")
	}
	m.Observe(scopeA, []Sighting{sighting("ok", Succeeded, t0.Add(3*time.Minute))}, t0.Add(3*time.Minute), ByApp)
	m.Classify(t0.Add(3 * time.Minute))
	fail("f4", t0.Add(4*time.Minute), "Quota exceeded: 10 > 4")
	if m.Acknowledged(scopeA, "f4", t0.Add(4*time.Minute)) {
		t.Fatal("an acknowledgement survived the job being fixed")
	}
}

// A resume and an acknowledgement made after the wall clock stepped back
// stand against the file this same process wrote a moment before, with
// the clock ahead: what a person did is ordered by the memory's revision,
// not by wall time.
// Found by the review of issue 13, item 6.
func TestResumeAndAcknowledgementStandAfterTheClockStepsBack(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	for i, line := range []string{"Quota exceeded: 8 > 4", "ImagePullBackOff for image x"} {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		name := fmt.Sprintf("f%d", i+1)
		m.Observe(scopeA, []Sighting{sighting(name, Failed, at)}, at, ByApp)
		settle(m, scopeA, name, line)
		m.Classify(at)
	}
	ahead := t0.Add(time.Hour)
	m.SnoozeUntil(ahead.Add(time.Hour), ahead)
	m.Acknowledge(scopeA, "f1", ahead)
	disk := copyOf(t, m) // saved after the snooze
	back := ahead.Add(-30 * time.Minute)
	m.SnoozeUntil(time.Time{}, back)
	m.Acknowledge(scopeA, "f2", back)
	m.Merge(disk) // saving joins in the file first
	if until := m.SnoozedUntil(back); !until.IsZero() {
		t.Fatalf("the resume was undone: snoozed until %s", until)
	}
	if !m.Acknowledged(scopeA, "f2", back) {
		t.Fatal("the acknowledgement made after the clock stepped back was undone")
	}
	// The other way round: the file holds the newer act, this copy the older.
	old := copyOf(t, disk)
	old.Merge(copyOf(t, m))
	if !old.SnoozedUntil(back).IsZero() || !old.Acknowledged(scopeA, "f2", back) {
		t.Fatal("a copy from before the acts took its own state over the newer file")
	}
}
