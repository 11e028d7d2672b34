package view

import (
	"runwatch/poller"
	"runwatch/ui/view/viewtest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRowsOfSnapshot(t *testing.T) {
	s := snapshot(
		execution("us-east1", "e1", poller.StateRunning, 2*time.Minute),
		execution("us-west3", "e2", poller.StateFailed, 3*time.Hour),
	)
	rows := Rows(s, now)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	if r := rows[0]; r.Region != "us-east1" || r.Name != "e1" || r.Age != "2m ago" || r.Duration != "1m55s" || r.Error != "" {
		t.Errorf("running row %+v", r)
	}
	if r := rows[1]; r.Age != "3h ago" || r.Duration != "1m30s" || r.Error != "ModuleNotFoundError: No module named 'transformers'" {
		t.Errorf("failed row %+v", r)
	}
	pending := execution("us-east1", "e3", poller.StateFailed, time.Minute)
	pending.Error, pending.Logs, pending.LogsProblem = "", poller.LogsPending, "logs not read yet: quota exhausted"
	if got := ErrorLine(pending); got != "(logs not read yet: quota exhausted)" {
		t.Errorf("pending error line %q", got)
	}
}

func TestTrayLookPerState(t *testing.T) {
	cases := []struct {
		name string
		st   Status
		want TrayLook
	}{
		{"nothing yet", Status{}, LookStale},
		{"credentials", Status{Problem: "no Google Cloud credentials"}, LookCredentials},
		{"running", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "1", poller.StateRunning, time.Minute)), LastSuccess: now, Interval: 30 * time.Second}, LookRunning},
		{"succeeded", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "1", poller.StateSucceeded, time.Minute)), LastSuccess: now}, LookSucceeded},
		{"failed newest", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "1", poller.StateFailed, time.Minute), execution("a", "0", poller.StateSucceeded, time.Hour)), LastSuccess: now}, LookFailed},
		{"cancelled", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "1", poller.StateCancelled, time.Minute)), LastSuccess: now}, LookCancelled},
		{"pending", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "1", poller.StatePending, time.Minute)), LastSuccess: now}, LookPending},
		{"stale", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "1", poller.StateFailed, time.Minute)), LastSuccess: now.Add(-61 * time.Second), Interval: 30 * time.Second}, LookStale},
		{"no executions", Status{HasSnapshot: true, Snapshot: snapshot(), LastSuccess: now}, LookStale},
		{"offline", Status{HasSnapshot: true, Snapshot: poller.Snapshot{RegionsAsked: 2, RegionErrors: map[string]string{"a": "x", "b": "y"}}}, LookOffline},
		{"credentials refused", Status{HasSnapshot: true, Snapshot: poller.Snapshot{RegionsAsked: 1, RegionErrors: map[string]string{"a": "x"}, Unauthenticated: true}}, LookCredentials},
		{"acknowledged", Status{HasSnapshot: true, Snapshot: snapshot(acked(execution("a", "1", poller.StateFailed, time.Minute))), LastSuccess: now}, LookAcked},
		// A region that stopped answering long ago does not decide the colour.
		{"stale region's failure", Status{HasSnapshot: true, Snapshot: snapshot(staleSince(execution("a", "1", poller.StateFailed, time.Minute), now.Add(-5*time.Minute)), execution("b", "0", poller.StateSucceeded, time.Hour)), LastSuccess: now, Interval: 30 * time.Second}, LookSucceeded},
		// The last finished result, with a running mark on top (issue 13).
		{"failure, then a run elsewhere", Status{HasSnapshot: true, Snapshot: snapshot(execution("b", "2", poller.StateRunning, time.Minute), execution("a", "1", poller.StateFailed, time.Hour)), LastSuccess: now}, LookFailedRunning},
		{"failure, then a success elsewhere", Status{HasSnapshot: true, Snapshot: snapshot(execution("b", "2", poller.StateSucceeded, time.Minute), execution("a", "1", poller.StateFailed, time.Hour)), LastSuccess: now}, LookFailed},
		{"failure, then cancelled there", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "2", poller.StateCancelled, time.Minute), execution("a", "1", poller.StateFailed, time.Hour)), LastSuccess: now}, LookFailed},
		{"failure fixed in its region", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "2", poller.StateSucceeded, time.Minute), execution("a", "1", poller.StateFailed, time.Hour)), LastSuccess: now}, LookSucceeded},
		{"success with a run", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "2", poller.StatePending, time.Minute), execution("a", "1", poller.StateSucceeded, time.Hour)), LastSuccess: now}, LookSucceededRunning},
		{"failure past the limit", Status{HasSnapshot: true, Snapshot: snapshot(execution("a", "1", poller.StateFailed, 3*time.Hour)), LastSuccess: now, FailureLimit: time.Hour}, LookAcked},
		{"acknowledged, with a run", Status{HasSnapshot: true, Snapshot: snapshot(execution("b", "2", poller.StateRunning, time.Minute), acked(execution("a", "1", poller.StateFailed, time.Hour))), LastSuccess: now}, LookAckedRunning},
		{"one of two failures acknowledged", Status{HasSnapshot: true, Snapshot: snapshot(acked(execution("b", "2", poller.StateFailed, time.Minute)), execution("a", "1", poller.StateFailed, time.Hour)), LastSuccess: now}, LookFailed},
		{"recently stale region's failure", Status{HasSnapshot: true, Snapshot: snapshot(staleSince(execution("a", "1", poller.StateFailed, time.Minute), now.Add(-30*time.Second)), execution("b", "0", poller.StateSucceeded, time.Hour)), LastSuccess: now, Interval: 30 * time.Second}, LookFailed},
	}
	for _, c := range cases {
		if got := TrayLookOf(c.st, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestRegionProblemsSummary(t *testing.T) {
	s := snapshot()
	s.RegionErrors = map[string]string{
		"us-west3":   "list executions in us-west3: permission denied: Permission 'run.executions.list' denied",
		"asia-east1": "list executions in asia-east1: no answer within 10s",
	}
	if got := RegionProblems(s); got != "2 regions failed: asia-east1 no answer within 10s, us-west3 permission denied" {
		t.Fatalf("%q", got)
	}
}

// After a failure, a newer execution runs in another region: the first
// line of the menu speaks of the failure, and Acknowledge offers it (issue
// 13's bar icon-shows-failure; before: "newest running", no Acknowledge).
func TestTheMenusFirstLineAndAcknowledgeSpeakOfTheFailureThatColoursTheTray(t *testing.T) {
	st := Status{HasSnapshot: true, LastSuccess: now, Snapshot: snapshot(
		execution("us-east1", "e3", poller.StateRunning, time.Minute),
		execution("us-west3", "e2", poller.StateFailed, 20*time.Minute),
		execution("us-east1", "e1", poller.StateSucceeded, time.Hour))}
	lines := TrayMenuOf(st, now, false)
	if got := lines[0].Label; !strings.HasPrefix(got, "runwatch: vertex-ai-launcher failed in us-west3 18m ago") {
		t.Fatalf("first line %q", got)
	}
	if !slices.ContainsFunc(lines, func(l MenuLine) bool { return l.Action == ActAcknowledge && strings.HasSuffix(l.Resource, "/e2") }) {
		t.Fatalf("no Acknowledge for e2 in %+v", lines)
	}
	st.Snapshot = snapshot(execution("us-east1", "e3", poller.StateRunning, time.Minute), acked(execution("us-west3", "e2", poller.StateFailed, 20*time.Minute)))
	lines = TrayMenuOf(st, now, false)
	if got := lines[0].Label; !strings.HasSuffix(strings.Split(got, " — ")[0], "(acknowledged)") {
		t.Fatalf("first line %q does not say the failure is acknowledged", got)
	}
	if slices.ContainsFunc(lines, func(l MenuLine) bool { return l.Action == ActAcknowledge }) {
		t.Fatal("Acknowledge offered for an acknowledged failure")
	}
	if !slices.ContainsFunc(lines, func(l MenuLine) bool { return strings.Contains(l.Label, "e2 · failed (acknowledged)") }) {
		t.Fatal("the menu does not mark the acknowledged failure")
	}
}

// The look is the last finished result, not the newest created: in one
// region x failed at 11:31 and then y, created earlier (a long run),
// succeeded at 11:50: the region is fixed, the icon says succeeded (not the
// hollow ring of a failure nobody acknowledged).
// Found by the review of issue 13.
func TestTrayLookIsTheLastFinishedResultNotTheNewestCreated(t *testing.T) {
	x := viewtest.Execution("us-east1", "x", poller.StateFailed, 30*time.Minute) // ends 11:31:35
	y := viewtest.Execution("us-east1", "y", poller.StateSucceeded, 2*time.Hour)
	y.Completed = viewtest.Now.Add(-10 * time.Minute) // ends 11:50, after x
	st := Status{Snapshot: viewtest.Snapshot(x, y), HasSnapshot: true, LastSuccess: viewtest.Now, Interval: time.Minute}
	if len(st.Snapshot.Failing) != 0 {
		t.Fatalf("set-up: the region should be fixed, Failing %+v", st.Snapshot.Failing)
	}
	if got := TrayLookOf(st, viewtest.Now); got != LookSucceeded {
		t.Fatalf("look %q: want %q (the region's last finished execution succeeded)", got, LookSucceeded)
	}
}
