package view

import (
	"fmt"
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
		// Known to have none (issue 14): neutral, not "?".
		{"no executions", Status{HasSnapshot: true, Snapshot: snapshot(), LastSuccess: now}, LookPending},
		{"no executions, long ago", Status{HasSnapshot: true, Snapshot: snapshot(), LastSuccess: now.Add(-5 * time.Minute), Interval: 30 * time.Second}, LookStale},
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

// One short line says which regions failed, the first few named; when none
// answered, one line says so, since when (issue 14: 18 regions named in
// three orange lines).
func TestRegionProblemsSummary(t *testing.T) {
	some := map[string]string{
		"us-west3":   "list executions in us-west3: permission denied: Permission 'run.executions.list' denied",
		"asia-east1": "list executions in asia-east1: no answer within 10s",
	}
	many := map[string]string{}
	all := map[string]string{}
	for i := range 18 {
		r := fmt.Sprintf("region-%02d", i)
		all[r] = "list executions in " + r + ": unavailable: connection refused"
		if i < 5 {
			many[r] = all[r]
		}
	}
	since := now.Add(-4 * time.Minute)
	sinceClock := since.Local().Format("15:04")
	cases := []struct {
		name   string
		errs   map[string]string
		unauth bool
		since  time.Time
		execs  []poller.Execution
		want   string
	}{
		{"none", nil, false, time.Time{}, nil, ""},
		{"two", some, false, time.Time{}, nil, "2 of 18 regions failed: asia-east1 no answer within 10s, us-west3 permission denied"},
		{"five", many, false, time.Time{}, nil, "5 of 18 regions failed: region-00 unavailable, region-01 unavailable, region-02 unavailable, 2 more"},
		{"all, with what was known", all, false, since, []poller.Execution{execution("region-01", "e1", poller.StateRunning, time.Hour)},
			"Can't reach Cloud Run (all 18 regions) since " + sinceClock + " — showing the last known state"},
		{"all, nothing known", all, false, since, nil, "Can't reach Cloud Run (all 18 regions) since " + sinceClock},
		{"all refuse the credentials", all, true, time.Time{}, nil, "Cloud Run refused the credentials (all 18 regions)"},
	}
	for _, c := range cases {
		s := snapshot(c.execs...)
		s.RegionErrors, s.Unauthenticated, s.OfflineSince = c.errs, c.unauth, c.since
		if got := RegionProblems(s); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// When no region answered, the rows do not each say "(stale)" (the line
// above says it once), and a row last seen running does not count its
// duration up as if it still ran; a row of one silent region among
// answering ones is marked.
func TestRowsOfAStaleSnapshot(t *testing.T) {
	lastSeen := now.Add(-10 * time.Minute)
	running := staleSince(execution("us-east1", "e1", poller.StateRunning, 30*time.Minute), lastSeen)
	s := snapshot(running, staleSince(execution("us-west3", "e0", poller.StateSucceeded, time.Hour), lastSeen))
	s.RegionsAsked = 2
	s.RegionErrors = map[string]string{"us-east1": "x", "us-west3": "y"}
	rows := Rows(s, now)
	if rows[0].Stale || rows[1].Stale {
		t.Errorf("offline: rows marked stale one by one: %+v", rows)
	}
	if r := rows[0]; r.Duration != "19m55s" || r.StateText != "running (last seen "+lastSeen.Local().Format("15:04")+")" {
		t.Errorf("row last seen running: duration %q, state %q", r.Duration, r.StateText)
	}
	s.RegionErrors = map[string]string{"us-east1": "x"}
	if rows := Rows(s, now); !rows[0].Stale {
		t.Errorf("one silent region of two: its row not marked stale")
	}
}

// A refresh that reached regions and found nothing says so in the menu's
// first line and the window's header, and names the jobs that do exist
// where the watched one does not (issue 14: an empty table and "stale").
func TestNoExecutionsSaysWhy(t *testing.T) {
	cases := []struct {
		name     string
		missing  bool
		others   []string
		failed   int
		want     string
		wantMenu string
	}{
		{"a job that has not run", false, nil, 0, "No executions of vertex-ai-launcher in 18 regions", "runwatch: no executions of vertex-ai-launcher in 18 regions — refreshed "},
		{"some regions failed", false, nil, 2, "No executions of vertex-ai-launcher in 16 of 18 regions", "runwatch: no executions of vertex-ai-launcher in 16 of 18 regions"},
		{"a mistyped job", true, []string{"my-etl-job", "nightly-train"}, 0, "No job vertex-ai-launcher in p; jobs here: my-etl-job, nightly-train", "runwatch: no job vertex-ai-launcher in p; jobs here: my-etl-job, nightly-train"},
		{"many jobs", true, []string{"a", "b", "c", "d", "e", "f", "g"}, 0, "No job vertex-ai-launcher in p; jobs here: a, b, c, d, e and 2 more", ""},
		{"no jobs at all", true, nil, 0, "No job vertex-ai-launcher in p; no jobs in 18 regions", ""},
	}
	for _, c := range cases {
		s := snapshot()
		s.JobMissing, s.OtherJobs = c.missing, c.others
		for i := range c.failed {
			s.RegionErrors[fmt.Sprintf("r%d", i)] = "unavailable"
		}
		st := Status{HasSnapshot: true, Snapshot: s, LastSuccess: now, Interval: 30 * time.Second}
		if got := Header(st, now); !strings.HasPrefix(got, c.want+" — refreshed ") {
			t.Errorf("%s: header %q, want %q first", c.name, got, c.want)
		}
		if got := TraySummary(st, now); !strings.HasPrefix(got, c.wantMenu) {
			t.Errorf("%s: menu's first line %q, want %q first", c.name, got, c.wantMenu)
		}
		if look := TrayLookOf(st, now); look != LookPending {
			t.Errorf("%s: look %s, want %s", c.name, look, LookPending)
		}
	}
	if got := NoExecutions(snapshot(execution("a", "1", poller.StateRunning, time.Minute))); got != "" {
		t.Errorf("with an execution: %q", got)
	}
}

// Offline, the menu's first line says since when; "Refresh now" shows
// until its refresh ends.
func TestTraySummaryOfflineAndRefreshing(t *testing.T) {
	s := snapshot()
	s.RegionErrors = map[string]string{}
	for i := range 18 {
		s.RegionErrors[fmt.Sprintf("r%d", i)] = "unavailable"
	}
	s.OfflineSince = now.Add(-time.Hour)
	st := Status{HasSnapshot: true, Snapshot: s, LastSuccess: now.Add(-2 * time.Hour)}
	if got, want := TraySummary(st, now), "runwatch: can't reach Cloud Run since "+s.OfflineSince.Local().Format("15:04"); got != want {
		t.Errorf("offline: %q, want %q", got, want)
	}
	st.Refreshing = true
	if got := TraySummary(st, now); got != "runwatch: refreshing…" {
		t.Errorf("refreshing: %q", got)
	}
}

// The next tick is when an age shown passes its next minute (or the status
// turns stale, …), so the menu and the window change together and at once;
// never later than TickEvery.
func TestNextTickIsWhenAnAgeChanges(t *testing.T) {
	cases := []struct {
		name string
		st   Status
		want time.Time
	}{
		{"nothing known", Status{}, now.Add(TickEvery)},
		{"an execution 12m50s old", Status{HasSnapshot: true, LastSuccess: now.Add(-20 * time.Second), Snapshot: snapshot(execution("a", "1", poller.StateRunning, 12*time.Minute+50*time.Second))}, now.Add(10 * time.Second)},
		{"refreshed 55s ago", Status{HasSnapshot: true, LastSuccess: now.Add(-55 * time.Second), Snapshot: snapshot()}, now.Add(5 * time.Second)},
		{"stale in 2s", Status{HasSnapshot: true, LastSuccess: now.Add(-10 * time.Second), Interval: 6 * time.Second, Snapshot: snapshot()}, now.Add(2*time.Second + time.Nanosecond)},
		{"nothing changes soon", Status{HasSnapshot: true, LastSuccess: now.Add(-5 * time.Second), Snapshot: snapshot(execution("a", "1", poller.StateRunning, 3*time.Hour+20*time.Minute))}, now.Add(TickEvery)},
	}
	for _, c := range cases {
		if got := NextTick(c.st, now); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got.Sub(now), c.want.Sub(now))
		}
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

// In --demo the tray's tooltip and its menu's first line start as the
// windows' title does; otherwise they start "runwatch: " as before.
func TestTraySummarySaysDemo(t *testing.T) {
	running := Status{HasSnapshot: true, Snapshot: snapshot(execution("us-east1", "e1", poller.StateRunning, time.Minute)), LastSuccess: now, Interval: 30 * time.Second}
	problem := Status{Problem: "no Google Cloud project"}
	for _, c := range []struct {
		name string
		st   Status
		demo bool
		want string
	}{
		{"watching", running, false, "runwatch: newest running — refreshed " + now.Local().Format("15:04:05")},
		{"demo", running, true, "runwatch — demo (simulated Cloud Run): newest running — refreshed " + now.Local().Format("15:04:05")},
		{"a problem", problem, false, "runwatch: no Google Cloud project"},
		{"a problem in the demo", problem, true, "runwatch — demo (simulated Cloud Run): no Google Cloud project"},
	} {
		c.st.Demo = c.demo
		if got := TraySummary(c.st, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		if got := TrayMenuOf(c.st, now, false)[0].Label; got != c.want {
			t.Errorf("%s: the menu's first line is %q, want %q", c.name, got, c.want)
		}
		if c.demo && !strings.HasPrefix(c.want, DemoTitle) {
			t.Errorf("%s: %q does not start with the windows' title", c.name, c.want)
		}
	}
}

// The menu says how long a running execution has run ("running for 9m"),
// counted from when it started: NextTick is the moment that changes too,
// not up to TickEvery later.
func TestNextTickWhenARunningExecutionsRunTimeReachesItsNextMinute(t *testing.T) {
	started := time.Date(2026, 3, 2, 9, 0, 40, 0, time.UTC)
	e := poller.Execution{Region: "us-west3", Name: "j-a1", Resource: "projects/p/locations/us-west3/jobs/j/executions/j-a1",
		State: poller.StateRunning, Created: started.Add(-40 * time.Second), Started: started, Running: 1}
	st := Status{Snapshot: poller.Snapshot{Job: "j", Executions: []poller.Execution{e}, TakenAt: started.Add(9 * time.Minute)}, HasSnapshot: true}
	now := started.Add(9*time.Minute + 50*time.Second)
	before := MenuEntries(st.Snapshot, now)[0].Label
	next := NextTick(st, now)
	if after := MenuEntries(st.Snapshot, started.Add(10*time.Minute))[0].Label; before == after || !strings.Contains(after, "running for 10m") {
		t.Fatalf("menu line %q then %q: want it to change at 10 minutes", before, after)
	}
	if want := started.Add(10 * time.Minute); next.After(want) {
		t.Fatalf("NextTick %v after the menu's %q becomes 10m at %v", next.Sub(now), before, want.Sub(now))
	}
}

// In team mode, a Pub/Sub that cannot be reached is the menu's first line,
// with the interval the polling fell back to; live events change nothing.
func TestTraySummarySaysTeamModeCannotReachPubSub(t *testing.T) {
	st := Status{HasSnapshot: true, Snapshot: snapshot(), LastSuccess: now.Add(-5 * time.Second), Interval: 30 * time.Second}
	st.Snapshot.Team = poller.TeamState{Mode: poller.TeamUnreachable, Problem: "connection refused"}
	if got, want := TraySummary(st, now), "runwatch: team mode: can't reach Pub/Sub — polling every 30s"; got != want {
		t.Errorf("unreachable: %q, want %q", got, want)
	}
	st.Interval = 10 * time.Minute
	if got := TraySummary(st, now); !strings.HasSuffix(got, "polling every 10m") {
		t.Errorf("unreachable, 10 min: %q", got)
	}
	st.Snapshot.Team.Mode = poller.TeamLive
	if got := TraySummary(st, now); strings.Contains(got, "Pub/Sub") {
		t.Errorf("live: %q", got)
	}
}
