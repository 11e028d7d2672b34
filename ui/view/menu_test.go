package view

import (
	"fmt"
	"runwatch/poller"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestTrayMenuDecidedWithoutFyne(t *testing.T) {
	st := Status{HasSnapshot: true, Snapshot: snapshot(execution("us-west3", "e2", poller.StateFailed, time.Minute)), LastSuccess: now, Interval: 30 * time.Second}
	lines := TrayMenuOf(st, now, true)
	var labels []string
	for _, l := range lines {
		labels = append(labels, l.Label)
	}
	got := strings.Join(labels, "|")
	for _, want := range []string{"✖ us-west3 · e2 · failed just now · ModuleNotFoundError", "Acknowledge e2's error", "Snooze notifications", "Show executions", "Refresh now", "Pause notifications", "Settings…", "Quit"} {
		if !strings.Contains(got, want) {
			t.Errorf("menu %q lacks %q", got, want)
		}
	}
	for _, l := range lines {
		if l.Action == ActPause && !l.Checked {
			t.Errorf("pause not checked while paused")
		}
	}
}

// The menu stays short whatever "Executions shown" is: at most five
// execution lines (issue 14: 20 gave a wall of 20).
func TestMenuShowsAtMostFiveExecutions(t *testing.T) {
	for _, top := range []int{1, 5, 6, 20} {
		var execs []poller.Execution
		for i := range top {
			execs = append(execs, execution("us-east1", fmt.Sprintf("vertex-ai-launcher-e%d", i), poller.StateSucceeded, time.Duration(i+2)*time.Minute))
		}
		st := Status{HasSnapshot: true, Snapshot: snapshot(execs...), LastSuccess: now}
		n := 0
		for _, l := range TrayMenuOf(st, now, false) {
			if l.Action == ActDetails {
				n++
			}
		}
		if want := min(top, MenuRowsMax); n != want {
			t.Errorf("%d executions: %d menu lines, want %d", top, n, want)
		}
	}
}

// A menu line says where, which, what and when in a person's words, the
// job's name left to the first line, a failure's error cut to fit.
func TestMenuLineWording(t *testing.T) {
	quota := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, 13*time.Minute)
	quota.Error = "Quota exceeded for CPUS_PER_PROJECT_PER_REGION in us-west3: requested 8, limit 4, usage 4"
	running := execution("us-east1", "vertex-ai-launcher-a1b2c", poller.StateRunning, 4*time.Minute)
	lastSeen := now.Add(-3 * time.Minute)
	cases := []struct {
		name string
		e    poller.Execution
		want string
	}{
		{"failure with its error", quota, "✖ us-west3 · x7k2p · failed 11m ago · Quota exceeded for CPUS_PER_PROJECT_PER_R…"},
		{"running", running, "▶ us-east1 · a1b2c · running for 3m"},
		{"running, its region silent", staleSince(running, lastSeen), "▶ us-east1 · a1b2c · running (last seen " + lastSeen.Local().Format("15:04") + ")"},
		{"succeeded", execution("us-east1", "other-name", poller.StateSucceeded, 3*time.Hour), "✔ us-east1 · other-name · succeeded 2h ago"},
		{"acknowledged", acked(execution("us-west3", "vertex-ai-launcher-e2", poller.StateFailed, 20*time.Minute)), "✖ us-west3 · e2 · failed (acknowledged) 18m ago · ModuleNotFoundError: No…"},
		{"pending", execution("us-east1", "vertex-ai-launcher-p", poller.StatePending, 2*time.Minute), "… us-east1 · p · pending, created 2m ago"},
	}
	for _, c := range cases {
		got := MenuEntries(snapshot(c.e), now)[0].Label
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > 80 {
			t.Errorf("%s: %d characters", c.name, n)
		}
	}
}
