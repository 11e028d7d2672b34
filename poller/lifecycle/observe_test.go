package lifecycle

import (
	"testing"
	"time"
)

func TestFirstAnswerLearnsSilently(t *testing.T) {
	m := New()
	m.Observe(scopeA, []Sighting{sighting("old-fail", Failed, t0.Add(-48*time.Hour)), sighting("run", Running, t0)}, t0, ByApp)
	equal(t, kinds(m.Classify(t0)), nil)
	// More rows later (a raised --top) show older failures: still history.
	m.Observe(scopeA, []Sighting{sighting("older-fail", Failed, t0.Add(-72*time.Hour))}, t0.Add(time.Minute), ByApp)
	equal(t, kinds(m.Classify(t0.Add(time.Minute))), nil)
	// The execution seen running fails: news.
	m.Observe(scopeA, []Sighting{sighting("run", Failed, t0.Add(2*time.Minute))}, t0.Add(2*time.Minute), ByApp)
	settle(m, scopeA, "run", "ValueError: bad")
	equal(t, kinds(m.Classify(t0.Add(2*time.Minute))), []string{"same_error:run"})
}
