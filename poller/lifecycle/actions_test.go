package lifecycle

import (
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
