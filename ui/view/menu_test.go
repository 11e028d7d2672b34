package view

import (
	"runwatch/poller"
	"strings"
	"testing"
	"time"
)

func TestTrayMenuDecidedWithoutFyne(t *testing.T) {
	st := Status{HasSnapshot: true, Snapshot: snapshot(execution("us-west3", "e2", poller.StateFailed, time.Minute)), LastSuccess: now, Interval: 30 * time.Second}
	lines := TrayMenuOf(st, now, true)
	var labels []string
	for _, l := range lines {
		labels = append(labels, l.Label)
	}
	got := strings.Join(labels, "|")
	for _, want := range []string{"✖ us-west3 · e2 · failed · 1m", "Acknowledge e2's error", "Snooze notifications", "Show executions", "Refresh now", "Pause notifications", "Settings…", "Quit"} {
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
