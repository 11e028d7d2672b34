package lifecycle

import (
	"fmt"
	"testing"
	"time"
)

func TestMergeLosesNothing(t *testing.T) {
	app, status := New(), New()
	app.Observe(scopeA, []Sighting{sighting("f1", Failed, t0)}, t0, ByApp)
	status.Observe(scopeA, []Sighting{sighting("f1", Failed, t0)}, t0.Add(-time.Hour), ByStatus)
	status.Observe(scopeB, nil, t0, ByStatus)
	settle(status, scopeA, "f1", "boom")
	app.Observe(scopeA, []Sighting{sighting("f2", Failed, t0.Add(time.Minute))}, t0.Add(time.Minute), ByApp)
	settle(app, scopeA, "f2", "bang")
	app.Classify(t0.Add(time.Minute))
	app.Merge(status)
	// The app's watching of scopeA is the newer change: it stands.
	if !app.Learned(scopeB) || !app.Scopes[scopeA.Key()].LearnedAt.Equal(t0) || !app.Scopes[scopeA.Key()].Watched {
		t.Fatalf("scopes not joined: %+v", app.Scopes)
	}
	r, _ := app.Record(scopeA, "f1")
	if r.Error.Line != "boom" {
		t.Fatalf("f1's error from the other copy lost: %+v", r)
	}
	status.Merge(app)
	if r, _ := status.Record(scopeA, "f2"); !r.Announced {
		t.Fatalf("f2 announced by the app is not announced after the merge: %+v", r)
	}
}

// The app and a runwatch status run that learn the same new scope at once
// (status a moment later) leave it watched by the app: the app's next
// failure there is news, not learned silently because status's unwatched
// copy was the later one.
// Found by the review of issue 13, item 5.
func TestConcurrentStatusLearningAScopeKeepsItWatched(t *testing.T) {
	app, status := New(), New()
	app.Observe(scopeA, nil, t0, ByApp)
	status.Observe(scopeA, nil, t0.Add(time.Second), ByStatus)
	// The app saves first; status joins the file in and saves; the app
	// catches status's file at its next refresh.
	status.Merge(copyOf(t, app))
	app.Merge(copyOf(t, status))
	if s := app.Scopes[scopeA.Key()]; !s.Watched || !s.LearnedAt.Equal(t0) || !s.UnwatchedAt.IsZero() {
		t.Fatalf("after the merge the scope is %+v, want watched since %s", s, t0)
	}
	now := t0.Add(time.Minute)
	app.Observe(scopeA, []Sighting{sighting("f1", Failed, now)}, now, ByApp)
	settle(app, scopeA, "f1", "boom")
	equal(t, kinds(app.Classify(now)), []string{"new_failure:f1"})
}

// Watching a scope again after the app stopped watching it stands against
// an older copy that still holds the unwatching, and the reverse.
func TestMergeOrdersUnwatchingAndWatchingAgain(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.Unwatch(func(Scope) bool { return false }, t0.Add(time.Hour))
	unwatched := copyOf(t, m)
	m.Observe(scopeA, nil, t0.Add(2*time.Hour), ByApp)
	rewatched := copyOf(t, m)
	for name, pair := range map[string][2]*Memory{"old into new": {copyOf(t, rewatched), unwatched}, "new into old": {copyOf(t, unwatched), rewatched}} {
		pair[0].Merge(pair[1])
		if s := pair[0].Scopes[scopeA.Key()]; !s.Watched || !s.UnwatchedAt.IsZero() || !s.LearnedAt.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("%s: %+v, want watched again since %s", name, s, t0.Add(2*time.Hour))
		}
	}
	// Unwatched again later: that stands against the copy watching again.
	m.Unwatch(func(Scope) bool { return false }, t0.Add(3*time.Hour))
	again := copyOf(t, rewatched)
	again.Merge(copyOf(t, m))
	if s := again.Scopes[scopeA.Key()]; !s.UnwatchedAt.Equal(t0.Add(3 * time.Hour)) {
		t.Fatalf("unwatched again lost: %+v", s)
	}
}

// A copy from before the memory let a record go (a status run that loaded
// the file earlier) does not bring it back unannounced: it is not
// announced again.
func TestMergeBringsBackNothingTheMemoryLetGo(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.Observe(scopeB, nil, t0, ByApp)
	at := t0.Add(time.Minute)
	m.Observe(scopeB, []Sighting{sighting("b-old", Failed, at)}, at, ByApp)
	stale := copyOf(t, m) // status loads the file: b-old not announced yet
	settle(m, scopeB, "b-old", "boom")
	equal(t, kinds(m.Classify(at)), []string{"new_failure:b-old"})
	// Fixed in its region: b-old is no longer B's verdict, which bounding
	// would keep.
	fix := at.Add(30 * time.Second)
	m.Observe(scopeB, []Sighting{sighting("b-old", Failed, at), sighting("b-fix", Succeeded, fix)}, fix, ByApp)
	equal(t, kinds(m.Classify(fix)), []string{"fixed:b-fix"})
	m.Delivered([]string{"b-old", "b-fix"}) // undelivered news is never bounded away
	var now time.Time
	for i := range maxRecordsPerJob + 10 {
		now = at.Add(time.Duration(i+1) * time.Minute)
		m.Observe(scopeA, []Sighting{sighting(fmt.Sprintf("a%04d", i), Succeeded, now)}, now, ByApp)
		m.Classify(now)
		m.Prune(now)
	}
	if _, ok := m.Record(scopeB, "b-old"); ok {
		t.Fatal("b-old was not let go: the test proves nothing")
	}
	stale.Merge(copyOf(t, m)) // status saves, joining the file in
	m.Merge(stale)            // the app catches status's file
	settle(m, scopeB, "b-old", "boom")
	if got := kinds(m.Classify(now.Add(AnnounceAfter))); len(got) != 0 {
		t.Fatalf("announced %q: b-old came back from a stale copy", got)
	}
}

// Watching a scope again after the wall clock stepped back behind the
// unwatching stands against the file this process wrote when it unwatched
// it: the app's watching is ordered by the memory's revision too.
func TestWatchingAgainAfterTheClockStepsBackStands(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.Unwatch(func(Scope) bool { return false }, t0.Add(2*time.Hour))
	disk := copyOf(t, m)
	back := t0.Add(time.Hour)
	m.Observe(scopeA, nil, back, ByApp) // settings name it again
	m.Merge(disk)
	if s := m.Scopes[scopeA.Key()]; !s.UnwatchedAt.IsZero() || !s.LearnedAt.Equal(back) {
		t.Fatalf("watching again was undone: %+v", s)
	}
	now := back.Add(time.Minute)
	m.Observe(scopeA, []Sighting{sighting("f1", Failed, now)}, now, ByApp)
	settle(m, scopeA, "f1", "boom")
	equal(t, kinds(m.Classify(now)), []string{"new_failure:f1"})
}
