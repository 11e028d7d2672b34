package lifecycle

import (
	"fmt"
	"testing"
	"time"
)

// The memory stays bounded when nothing is announced, as when runwatch
// status runs alone from a script or CI: a job that fails every minute
// keeps at most maxRecordsPerJob records, not a month of them.
// Found by the review of issue 7.
func TestMemoryStaysBoundedWhenNothingIsAnnounced(t *testing.T) {
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
