package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func execution(region, name string, state poller.State, age time.Duration) poller.Execution {
	created := now.Add(-age)
	e := poller.Execution{
		Region: region, Name: name, State: state, Created: created, Started: created.Add(5 * time.Second),
		Resource: "projects/p/locations/" + region + "/jobs/vertex-ai-launcher/executions/" + name,
		LogURI:   "https://console.cloud.google.com/run/jobs/executions/details/" + region + "/" + name + "/tasks?project=p",
		Tasks:    1,
	}
	if state.Terminal() {
		e.Completed = created.Add(95 * time.Second)
	}
	if state == poller.StateFailed {
		e.Failed = 1
		e.Error = "ModuleNotFoundError: No module named 'transformers'"
		e.Category = "python_exception"
		e.Logs = poller.LogsRead
		e.Context = []string{"[vertex] Traceback (most recent call last):", "ModuleNotFoundError: No module named 'transformers'", "Container called exit(1)."}
		e.Matched = 1
	}
	return e
}

func snapshot(execs ...poller.Execution) poller.Snapshot {
	return poller.Snapshot{Project: "p", Job: "vertex-ai-launcher", Executions: execs, RegionErrors: map[string]string{}, RegionsAsked: 18, TakenAt: now}
}

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
		{"recently stale region's failure", Status{HasSnapshot: true, Snapshot: snapshot(staleSince(execution("a", "1", poller.StateFailed, time.Minute), now.Add(-30*time.Second)), execution("b", "0", poller.StateSucceeded, time.Hour)), LastSuccess: now, Interval: 30 * time.Second}, LookFailed},
	}
	for _, c := range cases {
		if got := TrayLookOf(c.st, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
		if IconOf(c.want) == nil {
			t.Errorf("%s: no icon", c.want)
		}
	}
	icons := map[string]TrayLook{}
	for _, look := range []TrayLook{LookRunning, LookSucceeded, LookFailed, LookAcked, LookCancelled, LookPending, LookStale, LookOffline, LookCredentials} {
		name := IconOf(look).Name()
		if other, dup := icons[name]; dup {
			t.Errorf("%s and %s share the icon %s", look, other, name)
		}
		icons[name] = look
	}
}

func acked(e poller.Execution) poller.Execution {
	e.Acknowledged = true
	return e
}

func staleSince(e poller.Execution, listed time.Time) poller.Execution {
	e.Stale, e.ListedAt = true, listed
	return e
}

// change is a classified failure of the test job.
func change(kind lifecycle.Kind, region, name, line string) lifecycle.Change {
	return lifecycle.Change{
		Kind: kind, Scope: lifecycle.Scope{Project: "p", Job: "vertex-ai-launcher", Region: region},
		Resource: "projects/p/locations/" + region + "/jobs/vertex-ai-launcher/executions/" + name,
		Record: lifecycle.Record{Region: region, State: poller.StateFailed, Completed: now,
			Error: lifecycle.ErrorInfo{Line: line, Logs: lifecycle.LogsRead}},
		Occurrences: 1, First: now,
	}
}

func TestNotificationWording(t *testing.T) {
	bad := change(lifecycle.NewFailure, "us-west3", "e2", `ValueError: bad <b>config</b> & more`)
	ns := NotificationsFor([]lifecycle.Change{bad}, nil, 0)
	if len(ns) != 1 || ns[0].Title != "vertex-ai-launcher failed in us-west3" || ns[0].Body != "ValueError: bad <b>config</b> & more" || ns[0].Resource != bad.Resource {
		t.Fatalf("%+v", ns)
	}
	again := change(lifecycle.SameError, "us-west3", "e3", "ValueError: bad")
	again.Occurrences, again.First = 4, now.Add(-time.Hour)
	ns = NotificationsFor([]lifecycle.Change{again}, nil, 0)
	if len(ns) != 1 || ns[0].Title != "vertex-ai-launcher still failing in us-west3" ||
		!strings.Contains(ns[0].Body, "same error as 3 earlier failures (first "+now.Add(-time.Hour).Local().Format("15:04")+")") {
		t.Fatalf("same error: %+v", ns)
	}
	kind := change(lifecycle.NewKindOfError, "us-east1", "e4", "ImagePullBackOff")
	if ns = NotificationsFor([]lifecycle.Change{kind}, nil, 0); ns[0].Title != "vertex-ai-launcher failed with a new kind of error in us-east1" {
		t.Fatalf("new kind: %+v", ns)
	}
	fixed := lifecycle.Change{Kind: lifecycle.Fixed, Scope: bad.Scope, Resource: bad.Resource + "-ok", Fixes: bad.Resource}
	if ns = NotificationsFor([]lifecycle.Change{fixed}, nil, 0); ns[0].Title != "vertex-ai-launcher fixed in us-west3" || ns[0].Body != "e2-ok succeeded after e2 failed" {
		t.Fatalf("fixed: %+v", ns)
	}
	ns = NotificationsFor([]lifecycle.Change{bad, again, fixed}, []lifecycle.Change{kind}, 0)
	if len(ns) != 2 || ns[0].Title != "vertex-ai-launcher: 1 failed, 1 still failing, 1 fixed" || strings.Count(ns[0].Body, "\n") != 2 {
		t.Fatalf("summary: %+v", ns)
	}
	if ns[1].Title != "While notifications were snoozed: vertex-ai-launcher: 1 new kind of error" {
		t.Fatalf("snooze summary: %+v", ns[1])
	}
	if ns := NotificationsFor(nil, nil, 0); len(ns) != 0 {
		t.Fatal("a notification for nothing")
	}
	if got := EscapeMarkup("<b>&"); got != "&lt;b&gt;&amp;" {
		t.Fatalf("escaped %q", got)
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

func newTestUI(t *testing.T) (*UI, fyne.App, *int) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // settings saved here write no real autostart entry
	a := test.NewTempApp(t)
	refreshes := 0
	u := New(a, Actions{RefreshNow: func() { refreshes++ }}, func() time.Time { return now })
	u.notify = a.SendNotification // synchronous, for AssertNotificationSent
	u.ShowWindow()
	return u, a, &refreshes
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
	for _, want := range []string{"runwatch: newest running", "▶ us-east1 · e1 · running · 2m", "✖ us-west3 · e2 · failed · 3h", "Show executions", "Refresh now", "Pause notifications", "Settings…", "Quit"} {
		if !strings.Contains(joined, want) {
			t.Errorf("tray menu %q lacks %q", joined, want)
		}
	}
	if u.Look() != LookRunning {
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

func TestNotificationSentForEachChangeOnly(t *testing.T) {
	u, _, _ := newTestUI(t)
	bad := execution("us-west3", "e2", poller.StateFailed, time.Minute)
	old := snapshot(execution("us-east1", "e1", poller.StateSucceeded, time.Hour))
	test.AssertNotificationSent(t, nil, func() { u.Apply(poller.Result{Snapshot: old}) })
	c := change(lifecycle.NewFailure, "us-west3", "e2", "ModuleNotFoundError: No module named 'x' <b>")
	test.AssertNotificationSent(t, fyne.NewNotification("vertex-ai-launcher failed in us-west3", "ModuleNotFoundError: No module named 'x' &lt;b&gt;"), func() {
		u.Apply(poller.Result{Snapshot: snapshot(bad), Changes: []lifecycle.Change{c}})
	})
	// The next refresh classifies nothing new: no notification.
	test.AssertNotificationSent(t, nil, func() { u.Apply(poller.Result{Snapshot: snapshot(bad)}) })
}

func TestPauseNotifications(t *testing.T) {
	u, a, _ := newTestUI(t)
	u.PauseItem.Action()
	if !u.PauseItem.Checked || LoadSettings(a.Preferences()).Notifications {
		t.Fatal("pause not remembered")
	}
	bad := execution("us-west3", "e2", poller.StateFailed, time.Minute)
	test.AssertNotificationSent(t, nil, func() {
		u.Apply(poller.Result{Snapshot: snapshot(bad), Changes: []lifecycle.Change{change(lifecycle.NewFailure, "us-west3", "e2", "x")}})
	})
}

func TestAcknowledgeAndSnoozeFromTrayAndDetails(t *testing.T) {
	a := test.NewTempApp(t)
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
	if u.Look() != LookAcked || menuItem(u.TrayMenu, "Acknowledge e2's error") != nil {
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

func menuItem(m *fyne.Menu, label string) *fyne.MenuItem {
	for _, item := range m.Items {
		if item.Label == label {
			return item
		}
	}
	return nil
}

func menuItemPrefix(m *fyne.Menu, prefix string) *fyne.MenuItem {
	for _, item := range m.Items {
		if strings.HasPrefix(item.Label, prefix) {
			return item
		}
	}
	return nil
}

func TestSelectingARowOpensItsDetails(t *testing.T) {
	u, a, _ := newTestUI(t)
	bad := execution("us-west3", "e2", poller.StateFailed, time.Minute)
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-east1", "e1", poller.StateRunning, 30*time.Second), bad)})
	u.Table.Select(widget.TableCellID{Row: 1, Col: 2})
	d := u.DetailsOf(bad.Resource)
	if d == nil {
		t.Fatal("no details window")
	}
	if d.Resource.Text != bad.Resource || d.Region.Text != "us-west3" || d.State.Text != "failed" {
		t.Errorf("details: %q %q %q", d.Resource.Text, d.Region.Text, d.State.Text)
	}
	if d.Error.Text != bad.Error || d.Category.Text != "python exception" {
		t.Errorf("error %q category %q", d.Error.Text, d.Category.Text)
	}
	if !strings.Contains(d.Tasks.Text, "1 tasks: 0 running, 0 succeeded, 1 failed") || !strings.Contains(d.Times.Text, "ran 1m30s") {
		t.Errorf("tasks %q times %q", d.Tasks.Text, d.Times.Text)
	}
	if !strings.Contains(d.Context.Text, "→ ModuleNotFoundError") {
		t.Errorf("context %q", d.Context.Text)
	}
	if d.OpenLogs.Disabled() {
		t.Error("console link disabled")
	}
	test.Tap(d.CopyError)
	if got := a.Clipboard().Content(); got != bad.Error {
		t.Errorf("clipboard %q", got)
	}
}

func TestConsoleLinkOnlyForCloudConsole(t *testing.T) {
	for url, want := range map[string]bool{
		"https://console.cloud.google.com/run/jobs/executions/details/us-east1/e/tasks?project=p": true,
		"http://console.cloud.google.com/run":                                                     false,
		"https://console.cloud.google.com.evil.example/run":                                       false,
		"https://user@console.cloud.google.com/run":                                               false,
		"javascript:alert(1)":                                                                     false,
		"":                                                                                        false,
	} {
		if got := IsConsoleURL(url); got != want {
			t.Errorf("%q: %v", url, got)
		}
	}
	u, _, _ := newTestUI(t)
	e := execution("us-east1", "e1", poller.StateSucceeded, time.Minute)
	e.LogURI = "https://evil.example/"
	u.Apply(poller.Result{Snapshot: snapshot(e)})
	u.OpenDetails(e.Resource)
	if !u.DetailsOf(e.Resource).OpenLogs.Disabled() {
		t.Error("a non-console link can be opened")
	}
}

func TestSettingsSavedAndApplied(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // the autostart entry is written there
	a := test.NewTempApp(t)
	var saved []Settings
	u := New(a, Actions{SettingsSaved: func(s Settings) { saved = append(saved, s) }}, func() time.Time { return now })
	u.ShowSettings()
	f := u.settings
	f.Project.SetText("acme-ml-prod")
	for r, check := range f.Regions {
		check.SetChecked(r == "us-central1" || r == "europe-west4")
	}
	f.ExtraRegions.SetText("me-west1")
	f.Interval.SetText("60")
	f.Top.SetText("7")
	f.Notifications.SetChecked(false)
	test.Tap(f.Save)
	if len(saved) != 1 {
		t.Fatalf("settings applied %d times", len(saved))
	}
	got := LoadSettings(a.Preferences())
	if got.Project != "acme-ml-prod" || strings.Join(got.Regions, ",") != "us-central1,europe-west4,me-west1" || got.Interval != time.Minute || got.Top != 7 || got.Notifications {
		t.Fatalf("saved %+v", got)
	}
	if !u.PauseItem.Checked {
		t.Error("notifications off in settings but not paused in the tray")
	}
	u.ShowSettings()
	f = u.settings
	if f.Project.Text != "acme-ml-prod" || !f.Regions["europe-west4"].Checked || f.Regions["us-east1"].Checked || f.ExtraRegions.Text != "me-west1" {
		t.Fatalf("reopened settings do not show the saved ones")
	}
	f.Interval.SetText("0")
	if u.saveSettings(f) || len(saved) != 1 {
		t.Error("an invalid interval was applied")
	}
}

func TestSettingsLockWhatFlagsSet(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, Actions{FlagsGiven: map[string]bool{"project": true, "regions": true}}, func() time.Time { return now })
	u.ShowSettings()
	f := u.settings
	if !f.Project.Disabled() || !f.Regions["us-east1"].Disabled() || !f.ExtraRegions.Disabled() {
		t.Fatal("fields set by flags are editable")
	}
	if f.Job.Disabled() || f.Interval.Disabled() || f.Top.Disabled() {
		t.Fatal("fields no flag sets are locked")
	}
	if got := f.label("Project", "project"); got != "Project (--project)" {
		t.Fatalf("label %q", got)
	}
}

// Defect 8 of issue 7: Fyne rewrites preferences.json in place, so a crash
// mid-write lost the settings. A backup written atomically brings them back.
func TestSettingsLostByThePreferencesAreRestored(t *testing.T) {
	a := test.NewTempApp(t)
	saved := Settings{Project: "acme", Job: "nightly-eval", Regions: []string{"asia-east1"}, Interval: time.Minute, Top: 7, Notifications: false}
	if err := saveSettings(a, saved); err != nil {
		t.Fatal(err)
	}
	if RestoreSettings(a) {
		t.Fatal("restored settings the preferences still had")
	}
	for _, key := range []string{keyProject, keyJob, keyRegions, keyIntervalSec, keyTop, keyNotifications} {
		a.Preferences().RemoveValue(key) // what a cut preferences.json loads as
	}
	if !RestoreSettings(a) {
		t.Fatal("settings not restored from the backup")
	}
	got := LoadSettings(a.Preferences())
	if got.Project != "acme" || got.Job != "nightly-eval" || got.Top != 7 || got.Interval != time.Minute || got.Notifications || len(got.Regions) != 1 {
		t.Fatalf("restored %+v, want %+v", got, saved)
	}
}

func TestStartAtLoginWritesAndRemovesTheAutostartEntry(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	a := test.NewTempApp(t)
	u := New(a, Actions{}, func() time.Time { return now })
	u.ShowSettings()
	if u.settings.StartAtLogin.Checked {
		t.Fatal("start at login ticked without an autostart entry")
	}
	u.settings.StartAtLogin.SetChecked(true)
	test.Tap(u.settings.Save)
	entry := filepath.Join(config, "autostart", "io.runwatch.app.desktop")
	data, err := os.ReadFile(entry)
	if err != nil || !strings.Contains(string(data), "Exec=") {
		t.Fatalf("autostart entry %q: %v", data, err)
	}
	u.ShowSettings()
	if !u.settings.StartAtLogin.Checked {
		t.Fatal("reopened settings do not show start at login")
	}
	u.settings.StartAtLogin.SetChecked(false)
	test.Tap(u.settings.Save)
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Fatalf("autostart entry still there: %v", err)
	}
}

func TestSettingsReadFromThePreferencesFileWithoutFyne(t *testing.T) {
	want := Settings{Project: "p9", Job: "j", Regions: []string{"us-east1"}, Interval: 45 * time.Second, Top: 7, Notifications: true}
	dir := t.TempDir()
	p := PreferencesFile{}
	want.Save(p)
	if got := LoadSettings(p); got.Project != "p9" || got.Interval != 45*time.Second || got.Top != 7 || !got.Notifications {
		t.Fatalf("from the map: %+v", got)
	}
	if err := SaveNotifications(dir, false); err != nil {
		t.Fatal(err)
	}
	read, err := ReadPreferencesFile(dir)
	if err != nil || LoadSettings(read).Notifications {
		t.Fatalf("paused notifications not saved: %v %+v", err, LoadSettings(read))
	}
}

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
