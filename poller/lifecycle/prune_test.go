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

// An old failure that a region still lists is never announced again after
// the memory was bounded without it, however that came about: a restart
// whose first refresh that region missed (what was listed recently is not
// stored), or runwatch status, with the app closed, listing a subset of
// the regions or a smaller top and saving the bounded file. A record older
// than what the memory forgot of its scope is history when listed again.
// Found by the review of issue 13, item 4.
func TestBoundedMemoryNeverAnnouncesAnOldFailureAgain(t *testing.T) {
	for _, tc := range []struct {
		name string
		// away is what happens between the app's last refresh and its
		// restart, on the copy the file holds.
		away func(m *Memory, now time.Time)
	}{
		{"region misses the first refresh after a restart", func(*Memory, time.Time) {}},
		{"status lists a subset of the regions", func(m *Memory, now time.Time) {
			m.Observe(scopeA, []Sighting{sighting("a-status", Succeeded, now)}, now, ByStatus)
			m.Prune(now)
		}},
		{"status lists a smaller top", func(m *Memory, now time.Time) {
			m.Observe(scopeA, []Sighting{sighting("a-status", Succeeded, now)}, now, ByStatus)
			m.Observe(scopeB, []Sighting{sighting("b-new", Succeeded, now)}, now, ByStatus) // top 1
			m.Prune(now)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			m.Observe(scopeA, nil, t0, ByApp)
			m.Observe(scopeB, nil, t0, ByApp)
			// Region B failed once, was fixed, and runs rarely: its listing
			// keeps the failure while region A ends more than the bound
			// since. (B's verdict, the fix, is never bounded away.)
			at := t0.Add(time.Minute)
			fix := at.Add(30 * time.Second)
			m.Observe(scopeB, []Sighting{sighting("b-old", Failed, at)}, at, ByApp)
			settle(m, scopeB, "b-old", "boom")
			equal(t, kinds(m.Classify(at)), []string{"new_failure:b-old"})
			m.Observe(scopeB, []Sighting{sighting("b-old", Failed, at), sighting("b-fix", Succeeded, fix)}, fix, ByApp)
			equal(t, kinds(m.Classify(fix)), []string{"fixed:b-fix"})
			m.Delivered([]string{"b-old", "b-fix"}) // undelivered news is never bounded away
			var now time.Time
			for i := range maxRecordsPerJob + 10 {
				now = at.Add(time.Duration(i+1) * time.Minute)
				m.Observe(scopeA, []Sighting{sighting(fmt.Sprintf("a%04d", i), Succeeded, now)}, now, ByApp)
				m.Observe(scopeB, []Sighting{sighting("b-old", Failed, at), sighting("b-fix", Succeeded, fix)}, now, ByApp)
				m.Classify(now)
				m.Prune(now)
			}
			if _, ok := m.Record(scopeB, "b-old"); !ok {
				t.Fatal("bounding dropped a failure its region lists")
			}
			file := copyOf(t, m)
			now = now.Add(time.Minute)
			tc.away(file, now)
			app := copyOf(t, file) // the app starts
			now = now.Add(time.Minute)
			app.Observe(scopeA, []Sighting{sighting("a-restart", Succeeded, now)}, now, ByApp) // region B does not answer
			app.Classify(now)
			app.Prune(now)
			now = now.Add(time.Minute)
			app.Observe(scopeB, []Sighting{sighting("b-new", Succeeded, now.Add(-time.Minute)), sighting("b-fix", Succeeded, fix), sighting("b-old", Failed, at)}, now, ByApp)
			settle(app, scopeB, "b-old", "boom") // as a log read would, once more
			if got := kinds(app.Classify(now.Add(AnnounceAfter))); len(got) != 0 {
				t.Fatalf("announced %q after the memory was bounded: b-old was announced long ago", got)
			}
			app.Prune(now)
			if n := len(app.Jobs[scopeA.jobKey()].Records); n > maxRecordsPerJob {
				t.Fatalf("%d records remembered, bound is %d", n, maxRecordsPerJob)
			}
		})
	}
}
