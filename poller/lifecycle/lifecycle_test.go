package lifecycle

// The lifecycle's invariants. The model-based test (poller/model_test.go)
// checks them over random sequences through the real poller; the tests here
// pin each one on a small case.
//
//  1. Every failure that ends while its scope (project, job, region) is
//     watched is announced exactly once: as a new failure, the same error
//     again, or a new kind of error; while snoozed, in the snooze's summary.
//  2. Nothing that ended before its scope first answered is announced
//     (learned silently), however many rows are shown later.
//  3. "Fixed" only for a success newer than the failure that was the job's
//     verdict, once; a failure leaving the listing never fixes anything.
//  4. The kind of a failure is decided from the remembered, announced
//     records of its job (the verdict and the streak of fingerprints since
//     the last success), never from two listings.
//  5. Merging two copies of the memory loses nothing either knows:
//     announced stays announced, the earlier learning wins, a settled error
//     beats a pending one.

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

var scopeA = Scope{Project: "p", Job: "j", Region: "us-east1"}
var scopeB = Scope{Project: "p", Job: "j", Region: "europe-west4"}

func sighting(name string, st State, ended time.Time) Sighting {
	s := Sighting{Resource: name, State: st, Created: ended.Add(-time.Minute)}
	if st.Terminal() {
		s.Completed = ended
	}
	return s
}

// settle gives a failure its error, as a log read would.
func settle(m *Memory, scope Scope, name, line string) {
	m.SetError(scope, name, ErrorInfo{Line: line, Rule: "r", Source: "logs", Logs: LogsRead})
}

func kinds(a Announcement) []string {
	var out []string
	for _, c := range a.Changes {
		out = append(out, string(c.Kind)+":"+c.Resource)
	}
	return out
}

func equal(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

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

func TestNewSameNewKindFixed(t *testing.T) {
	m := New()
	m.Observe(scopeA, []Sighting{sighting("ok0", Succeeded, t0)}, t0, ByApp)
	step := func(i int, name string, st State, line string) []string {
		now := t0.Add(time.Duration(i) * time.Minute)
		m.Observe(scopeA, []Sighting{sighting(name, st, now)}, now, ByApp)
		if line != "" {
			settle(m, scopeA, name, line)
		}
		return kinds(m.Classify(now))
	}
	equal(t, step(1, "f1", Failed, "Quota exceeded for A100 in us-east1: 8 > 4"), []string{"new_failure:f1"})
	equal(t, step(2, "f2", Failed, "Quota exceeded for A100 in us-east1: 16 > 4"), []string{"same_error:f2"})
	equal(t, step(3, "f3", Failed, "ModuleNotFoundError: No module named 'wandb'"), []string{"new_kind:f3"})
	equal(t, step(4, "c1", Cancelled, ""), []string{"cancelled:c1"})
	equal(t, step(5, "ok1", Succeeded, ""), []string{"fixed:ok1"})
	equal(t, step(6, "ok2", Succeeded, ""), nil)
	equal(t, step(7, "f4", Failed, "ModuleNotFoundError: No module named 'torch'"), []string{"new_failure:f4"})
	if n, _ := m.Occurrences(scopeA, "f4"); n != 2 {
		t.Fatalf("occurrences of f4 = %d, want 2 (f3 and f4 share a fingerprint)", n)
	}
}

func TestFailureThatLeavesTheListingFixesNothing(t *testing.T) {
	m := New()
	m.Observe(scopeA, []Sighting{sighting("ok0", Succeeded, t0)}, t0, ByApp)
	m.Observe(scopeB, nil, t0, ByApp)
	m.Observe(scopeB, []Sighting{sighting("f1", Failed, t0.Add(time.Minute))}, t0.Add(time.Minute), ByApp)
	settle(m, scopeB, "f1", "boom")
	equal(t, kinds(m.Classify(t0.Add(time.Minute))), []string{"new_failure:f1"})
	// Region B is no longer listed; A still lists its old success.
	m.Observe(scopeA, []Sighting{sighting("ok0", Succeeded, t0)}, t0.Add(2*time.Minute), ByApp)
	equal(t, kinds(m.Classify(t0.Add(2*time.Minute))), nil)
}

func TestFailedRunningSucceededSaysFixed(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.Observe(scopeA, []Sighting{sighting("f1", Failed, t0.Add(time.Minute)), sighting("r", Running, t0)}, t0.Add(time.Minute), ByApp)
	settle(m, scopeA, "f1", "boom")
	equal(t, kinds(m.Classify(t0.Add(time.Minute))), []string{"new_failure:f1"})
	for i := 2; i < 10; i++ { // runs longer than many intervals
		now := t0.Add(time.Duration(i) * time.Minute)
		m.Observe(scopeA, []Sighting{sighting("r", Running, now)}, now, ByApp)
		equal(t, kinds(m.Classify(now)), nil)
	}
	now := t0.Add(10 * time.Minute)
	m.Observe(scopeA, []Sighting{sighting("r", Succeeded, now)}, now, ByApp)
	equal(t, kinds(m.Classify(now)), []string{"fixed:r"})
}

func TestUnknownErrorWaitsThenHoldsBackLaterNews(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.Observe(scopeA, []Sighting{sighting("f1", Failed, t0.Add(time.Minute))}, t0.Add(time.Minute), ByApp)
	m.Observe(scopeB, nil, t0, ByApp)
	m.Observe(scopeB, []Sighting{sighting("ok", Succeeded, t0.Add(2*time.Minute))}, t0.Add(2*time.Minute), ByApp)
	equal(t, kinds(m.Classify(t0.Add(2*time.Minute))), nil)
	equal(t, kinds(m.Classify(t0.Add(time.Minute+AnnounceAfter))), []string{"new_failure:f1", "fixed:ok"})
}

func TestSnoozeHoldsBackThenSumsUp(t *testing.T) {
	m := New()
	m.Observe(scopeA, nil, t0, ByApp)
	m.SnoozeUntil(t0.Add(time.Hour), t0)
	m.Observe(scopeA, []Sighting{sighting("f1", Failed, t0.Add(time.Minute))}, t0.Add(time.Minute), ByApp)
	settle(m, scopeA, "f1", "boom")
	if a := m.Classify(t0.Add(time.Minute)); len(a.Changes)+len(a.Missed) != 0 {
		t.Fatalf("snoozed, yet announced %+v", a)
	}
	a := m.Classify(t0.Add(time.Hour))
	if len(a.Missed) != 1 || a.Missed[0].Resource != "f1" {
		t.Fatalf("after the snooze: %+v, want f1 in the summary", a)
	}
	if a := m.Classify(t0.Add(2 * time.Hour)); len(a.Missed) != 0 {
		t.Fatalf("summary given twice: %+v", a)
	}
}

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

func TestFingerprintMasksWhatVaries(t *testing.T) {
	same := [][2]string{
		{`Quota exceeded for quota metric 'A100 GPUs' in region us-central1: 8 > 4`, `Quota exceeded for quota metric 'H100 GPUs' in region europe-west4: 16 > 8`},
		{`FileNotFoundError: [Errno 2] No such file or directory: '/data/run-41/x.csv'`, `FileNotFoundError: [Errno 2] No such file or directory: '/data/run-42/y.csv'`},
		{`403 GET https://storage.googleapis.com/b/o?x=1: denied`, `403 GET https://storage.googleapis.com/c/d: denied`},
		{`job 7f3a9c2e1b failed at step 1200`, `job 0b1c2d3e4f failed at step 99`},
	}
	for _, p := range same {
		if Fingerprint("r", p[0]) != Fingerprint("r", p[1]) {
			t.Errorf("not grouped:\n %s → %s\n %s → %s", p[0], Masked(p[0]), p[1], Masked(p[1]))
		}
	}
	differ := [][2]string{
		{`ModuleNotFoundError: No module named 'x'`, `ImportError: cannot import name 'x'`},
		{`CUDA out of memory`, `Permission denied on bucket`},
	}
	for _, p := range differ {
		if Fingerprint("r", p[0]) == Fingerprint("r", p[1]) {
			t.Errorf("grouped: %q and %q", p[0], p[1])
		}
	}
	if Fingerprint("a", "x") == Fingerprint("b", "x") {
		t.Error("the rule is not part of the fingerprint")
	}
}
