package lifecycle

// The lifecycle's invariants, and the helpers its tests share. The
// model-based test (poller/model_test.go) checks them over random sequences
// through the real poller; the tests beside each file of the package
// (observe_test.go, classify_test.go, actions_test.go, merge_test.go,
// prune_test.go and fingerprint_test.go) pin each one on a small case.
//
//  1. Every failure that ends while its scope (project, job, region) is
//     watched is announced exactly once: as a new failure, the same error
//     again, or a new kind of error; while snoozed, in the snooze's summary.
//  2. Nothing that ended before its scope first answered is announced
//     (learned silently), however many rows are shown later.
//  3. "Fixed" only for a success newer than the failure that was the job's
//     verdict in the same region, once; a failure leaving the listing never
//     fixes anything, and a success in one region fixes no other.
//  4. The kind of a failure is decided from the remembered, announced
//     records of its job in its region (the verdict and the streak of
//     fingerprints since the last success there), never from two listings.
//  5. Merging two copies of the memory loses nothing either knows:
//     announced stays announced, a settled error beats a pending one, and
//     a scope the app watches stays watched, learned when the app first
//     watched it, whatever runwatch status's copy says.
//  6. What a person did (acknowledge, snooze, resume, settings that stop or
//     start again watching a scope) stands until a later act undoes it:
//     acts are ordered by the memory's revision, never by the wall clock,
//     so a clock that steps back undoes nothing.
//  7. Forgetting never makes news: an execution the memory let go of
//     (bounded to maxRecordsPerJob, or not listed for a month) that is
//     listed again is history, whichever regions answered and with
//     whatever top.

import (
	"encoding/json"
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

// copyOf is the memory as another process reads it from the file: through
// JSON, so what is not stored is lost.
func copyOf(t *testing.T, m *Memory) *Memory {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := New()
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
	out.Normalize()
	return out
}
