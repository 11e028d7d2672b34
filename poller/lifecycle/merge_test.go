package lifecycle

import (
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
