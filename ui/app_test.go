package ui

import (
	"runwatch/poller"
	"runwatch/ui/view"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestEveryLookHasItsOwnIcon(t *testing.T) {
	icons := map[string]view.TrayLook{}
	for _, look := range []view.TrayLook{view.LookRunning, view.LookSucceeded, view.LookFailed, view.LookAcked, view.LookCancelled, view.LookPending, view.LookStale, view.LookOffline, view.LookCredentials,
		view.LookFailedRunning, view.LookAckedRunning, view.LookSucceededRunning, view.LookCancelledRunning} {
		name := IconOf(look).Name()
		if other, dup := icons[name]; dup {
			t.Errorf("%s and %s share the icon %s", look, other, name)
		}
		icons[name] = look
	}
}

func TestWindowRowsAndTrayMenu(t *testing.T) {
	u, _, refreshes := newTestUI(t)
	u.Apply(poller.Result{Snapshot: snapshot(
		execution("us-east1", "e1", poller.StateRunning, 2*time.Minute),
		execution("us-west3", "e2", poller.StateFailed, 3*time.Hour),
	)})
	if got := len(u.rows); got != 2 {
		t.Fatalf("%d rows", got)
	}
	if !strings.HasPrefix(u.Window.Title(), "runwatch") {
		t.Errorf("title %q", u.Window.Title())
	}
	if !strings.Contains(u.Header.Text, "p / vertex-ai-launcher") {
		t.Errorf("header %q", u.Header.Text)
	}
	var labels []string
	for _, item := range u.TrayMenu.Items {
		labels = append(labels, item.Label)
	}
	joined := strings.Join(labels, "|")
	for _, want := range []string{"runwatch: vertex-ai-launcher failed in us-west3", "▶ us-east1 · e1 · running for 1m", "✖ us-west3 · e2 · failed 2h ago", "Show executions", "Refresh now", "Pause notifications", "Settings…", "Quit"} {
		if !strings.Contains(joined, want) {
			t.Errorf("tray menu %q lacks %q", joined, want)
		}
	}
	if u.Look() != view.LookFailedRunning {
		t.Errorf("look %s", u.Look())
	}
	for _, item := range u.TrayMenu.Items {
		if item.Label == "Refresh now" {
			item.Action()
		}
	}
	if *refreshes != 1 {
		t.Errorf("refresh now asked %d times", *refreshes)
	}
}

func TestPauseNotificationsIsRemembered(t *testing.T) {
	u, a, _ := newTestUI(t)
	u.PauseItem.Action()
	if !u.PauseItem.Checked || view.LoadSettings(a.Preferences()).Notifications {
		t.Fatal("pause not remembered")
	}
	if !u.Paused() {
		t.Fatal("the UI does not say notifications are paused")
	}
}

func TestAcknowledgeAndSnoozeFromTrayAndDetails(t *testing.T) {
	a := newTempApp(t)
	var ackedNames []string
	var snoozed []time.Time
	u := New(a, Actions{
		Acknowledge: func(r string) { ackedNames = append(ackedNames, r) },
		Snooze:      func(t time.Time) { snoozed = append(snoozed, t) },
	}, func() time.Time { return now })
	bad := execution("us-west3", "e2", poller.StateFailed, time.Minute)
	u.Apply(poller.Result{Snapshot: snapshot(bad)})
	item := menuItem(u.TrayMenu, "Acknowledge e2's error")
	if item == nil {
		t.Fatalf("no acknowledge item in %q", menuLabels(u.TrayMenu))
	}
	item.Action()
	snooze := menuItem(u.TrayMenu, "Snooze notifications")
	if snooze == nil || snooze.ChildMenu == nil {
		t.Fatalf("no snooze submenu in %q", menuLabels(u.TrayMenu))
	}
	menuItem(snooze.ChildMenu, "For 1 hour").Action()
	menuItem(snooze.ChildMenu, "Until tomorrow 08:00").Action()
	if len(ackedNames) != 1 || ackedNames[0] != bad.Resource || len(snoozed) != 2 || !snoozed[0].Equal(now.Add(time.Hour)) || snoozed[1].Local().Hour() != 8 {
		t.Fatalf("acked %v, snoozed %v", ackedNames, snoozed)
	}
	// The poller answers with the failure acknowledged: not red, no menu item.
	snap := snapshot(acked(bad))
	snap.SnoozedUntil = now.Add(time.Hour)
	u.ShowSnapshot(snap)
	if u.Look() != view.LookAcked || menuItem(u.TrayMenu, "Acknowledge e2's error") != nil {
		t.Fatalf("look %s, menu %q", u.Look(), menuLabels(u.TrayMenu))
	}
	resume := menuItemPrefix(u.TrayMenu, "Resume notifications")
	if resume == nil {
		t.Fatalf("no resume item in %q", menuLabels(u.TrayMenu))
	}
	resume.Action()
	if len(snoozed) != 3 || !snoozed[2].IsZero() {
		t.Fatalf("resume asked %v", snoozed)
	}
	// From the details window too.
	u.Apply(poller.Result{Snapshot: snapshot(bad)})
	u.OpenDetails(bad.Resource)
	d := u.DetailsOf(bad.Resource)
	test.Tap(d.Acknowledge)
	if len(ackedNames) != 2 {
		t.Fatalf("details Acknowledge asked %v", ackedNames)
	}
}

// After settings switch to another project whose regions all refuse (say
// permission denied), the header does not name the new project with the
// old project's last refresh.
// Found by the review of issue 7.
func TestHeaderSaysNeverRefreshedAfterSwitchingToAProjectThatNeverAnswered(t *testing.T) {
	u, _, _ := newTestUI(t)
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-east1", "e1", poller.StateSucceeded, time.Hour))})
	other := poller.Snapshot{Project: "other-project", Job: "vertex-ai-launcher", RegionErrors: map[string]string{}, RegionsAsked: 2, TakenAt: now.Add(time.Minute)}
	for _, r := range []string{"us-east1", "us-west3"} {
		other.RegionErrors[r] = "list executions in " + r + ": permission denied"
	}
	u.Apply(poller.Result{Snapshot: other})
	if !strings.Contains(u.Header.Text, "never refreshed") {
		t.Fatalf("header %q: other-project never answered", u.Header.Text)
	}
}
