package ui

import (
	"os"
	"path/filepath"
	"runwatch/autostart"
	"runwatch/poller"
	"runwatch/ui/view"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestSettingsSavedAndApplied(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // the autostart entry is written there
	a := newTempApp(t)
	var saved []view.Settings
	u := New(a, Actions{SettingsSaved: func(s view.Settings) { saved = append(saved, s) }}, func() time.Time { return now })
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
	got := view.LoadSettings(a.Preferences())
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
	a := newTempApp(t)
	u := New(a, Actions{FlagsGiven: map[string]bool{"project": true, "regions": true}}, func() time.Time { return now })
	u.ShowSettings()
	f := u.settings
	if !f.Project.Disabled() || !f.Regions["us-east1"].Disabled() || !f.ExtraRegions.Disabled() {
		t.Fatal("fields set by flags are editable")
	}
	if f.Job.Disabled() || f.Interval.Disabled() || f.Top.Disabled() {
		t.Fatal("fields no flag sets are locked")
	}
}

func TestSettingsShowTheFlagsValuesInUseAndSaveTheSavedOnes(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	a := newTempApp(t)
	saved := view.Settings{Project: "saved-project", Job: "saved-job", Regions: []string{"us-east1"}, Interval: time.Minute, Top: 5, Notifications: true,
		FailureShownFor: 24 * time.Hour, Notify: view.NotifyKinds{Failed: true}}
	if err := saveSettings(a, saved); err != nil {
		t.Fatal(err)
	}
	var applied []view.Settings
	u := New(a, Actions{
		FlagsGiven:    map[string]bool{"project": true, "regions": true, "interval": true, "top": true},
		FlagValues:    poller.Config{Project: "flag-project", Regions: []string{"europe-west4", "me-central2"}, Interval: 90 * time.Second, Top: 8},
		SettingsSaved: func(s view.Settings) { applied = append(applied, s) },
	}, func() time.Time { return now })
	u.ShowSettings()
	f := u.settings
	for _, c := range []struct {
		name, got, want string
	}{
		{"project", f.Project.Text, "flag-project"},
		{"interval", f.Interval.Text, "90"},
		{"top", f.Top.Text, "8"},
		{"more regions", f.ExtraRegions.Text, "me-central2"},
		{"job (no flag)", f.Job.Text, "saved-job"},
	} {
		if c.got != c.want {
			t.Errorf("%s shows %q, want %q", c.name, c.got, c.want)
		}
	}
	if !f.Regions["europe-west4"].Checked || f.Regions["us-east1"].Checked {
		t.Error("the region checks show the saved regions, not those of --regions")
	}
	if item := f.item("Project", "project", f.Project); item.HintText != "from --project, this run" {
		t.Errorf("the project's hint is %q", item.HintText)
	}
	if item := f.item("Job", "job", f.Job); item.HintText != "" {
		t.Errorf("the job, set by no flag, has the hint %q", item.HintText)
	}
	f.Job.SetText("other-job")
	if !u.saveSettings(f) {
		t.Fatal("the settings were not saved")
	}
	got := view.LoadSettings(a.Preferences())
	if got.Project != "saved-project" || got.Top != 5 || got.Interval != time.Minute || !slices.Equal(got.Regions, []string{"us-east1"}) || got.Job != "other-job" {
		t.Errorf("saved %+v: the flags' values replaced the saved ones, or the job was not saved", got)
	}
	if len(applied) != 1 || applied[0].Job != "other-job" {
		t.Errorf("applied %+v", applied)
	}
}

// Defect 8 of issue 7: Fyne rewrites preferences.json in place, so a crash
// mid-write lost the settings. A backup written atomically brings them back.
func TestSettingsLostByThePreferencesAreRestored(t *testing.T) {
	a := newTempApp(t)
	saved := view.Settings{Project: "acme", Job: "nightly-eval", Regions: []string{"asia-east1"}, Interval: time.Minute, Top: 7, Notifications: false}
	if err := saveSettings(a, saved); err != nil {
		t.Fatal(err)
	}
	if RestoreSettings(a) {
		t.Fatal("restored settings the preferences still had")
	}
	for _, key := range view.SettingsKeys() {
		a.Preferences().RemoveValue(key) // what a cut preferences.json loads as
	}
	if !RestoreSettings(a) {
		t.Fatal("settings not restored from the backup")
	}
	got := view.LoadSettings(a.Preferences())
	if got.Project != "acme" || got.Job != "nightly-eval" || got.Top != 7 || got.Interval != time.Minute || got.Notifications || len(got.Regions) != 1 {
		t.Fatalf("restored %+v, want %+v", got, saved)
	}
}

func TestStartAtLoginWritesAndRemovesTheAutostartEntry(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	a := newTempApp(t)
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

// Which kinds of change notify is a setting, saved and read back, and an
// old backup without it restores every kind on (issue 13, item 2).
func TestSettingsChooseWhichKindsNotify(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	a := newTempApp(t)
	u := New(a, Actions{}, func() time.Time { return now })
	u.ShowSettings()
	u.settings.NotifyFixed.SetChecked(false)
	u.settings.NotifyCancelled.SetChecked(false)
	u.settings.FailureHours.SetText("6")
	test.Tap(u.settings.Save)
	got := view.LoadSettings(a.Preferences())
	want := view.NotifyKinds{Failed: true, StillFailing: true, NewKind: true}
	if got.Notify != want || got.FailureShownFor != 6*time.Hour {
		t.Fatalf("saved %+v, failure shown for %v", got.Notify, got.FailureShownFor)
	}
	if p := u.NotifyPrefs(); p.Kinds != want || p.Paused {
		t.Fatalf("the UI notifies %+v", p)
	}
}

// Issue 14: any text was taken as a region. The names typed under More
// regions are checked as --regions is.
func TestSettingsRejectUnknownRegionsNamingThem(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	a := newTempApp(t)
	u := New(a, Actions{}, func() time.Time { return now })
	u.ShowSettings()
	f := u.settings
	for _, tc := range []struct{ extra, want string }{
		{"mars-north1", "unknown Cloud Run region mars-north1"},
		{"us-centrall1", "did you mean us-central1?"},
		{"us central1", `"us central1"`},
		{"me-west1, europe-west9", ""},
	} {
		f.ExtraRegions.SetText(tc.extra)
		_, err := f.settings()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.extra, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one holding %q", tc.extra, err, tc.want)
		}
	}
}

// Issue 14: Start at login dropped the flags of the app that set it.
func TestStartAtLoginStartsTheAppWithItsFlags(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	a := newTempApp(t)
	u := New(a, Actions{LoginArgs: []string{"--project", "p1", "--demo"}}, func() time.Time { return now })
	u.ShowSettings()
	u.settings.StartAtLogin.SetChecked(true)
	test.Tap(u.settings.Save)
	data, err := os.ReadFile(filepath.Join(config, "autostart", "io.runwatch.app.desktop"))
	if err != nil || !strings.Contains(string(data), " --project p1 --demo\n") {
		t.Fatalf("autostart entry %q: %v", data, err)
	}
}

func TestSettingsOfTheWindowProcessShowWhatTheStatusTellsOfTheFlags(t *testing.T) {
	a := newTempApp(t)
	u := NewWindows(a, Actions{FlagsGiven: map[string]bool{"project": true, "top": true}}, func() time.Time { return now })
	st := view.Status{Snapshot: snapshot(), HasSnapshot: true}
	st.Snapshot.Project = "polled-project"
	u.SetStatus(st)
	u.ShowSettings()
	f := u.settings
	if f.Project.Text != "polled-project" || !f.Project.Disabled() {
		t.Errorf("project %q (disabled %v), want the project polled, locked", f.Project.Text, f.Project.Disabled())
	}
	if f.Top.Text != "" || f.Top.PlaceHolder != "set by --top" || !f.Top.Disabled() {
		t.Errorf("top %q, placeholder %q: a value not known must not show the saved one", f.Top.Text, f.Top.PlaceHolder)
	}
}

// --regions accepts a region Cloud Run's Locations API lists though the
// built-in list lacks it (a region opened since). The settings of that run
// show it locked under More regions, and must still save: changing the
// job, or the notifications, is not refused for a region the flag set.
func TestSettingsSaveWhileRegionsFlagNamesARegionCloudRunListed(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	a := newTempApp(t)
	u := New(a, Actions{
		FlagsGiven: map[string]bool{"regions": true},
		FlagValues: poller.Config{Regions: []string{"us-central1", "asia-southeast3"}},
	}, func() time.Time { return now })
	u.ShowSettings()
	f := u.settings
	if poller.KnownRegion("asia-southeast3") {
		t.Skip("the built-in list now has the region")
	}
	f.Job.SetText("other-job")
	if !u.saveSettings(f) {
		_, err := f.settings()
		t.Fatalf("settings not saved with --regions naming a region Cloud Run listed: %v", err)
	}
}

// The login entry is one file for every runwatch. A --demo run (Try the
// demo) shows Start at login ticked because the real app set it; saving
// its settings without touching that box must not turn the real app's
// login entry into one that starts the simulation.
func TestDemoSettingsSavedLeaveTheRealAppsLoginEntry(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	if err := autostart.Enable("/usr/local/bin/runwatch", "--project", "acme-ml-prod"); err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(config, "autostart", "io.runwatch.app.desktop")
	before, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	a := newTempApp(t)
	u := New(a, Actions{LoginArgs: []string{"--demo"}}, func() time.Time { return now })
	u.SetDemo(true)
	u.ShowSettings()
	if !u.settings.StartAtLogin.Checked {
		t.Fatal("Start at login not ticked though the entry exists")
	}
	u.settings.NotifyFixed.SetChecked(false) // a change that has nothing to do with login
	test.Tap(u.settings.Save)
	after, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("saving the demo's settings rewrote the login entry:\nbefore %q\nafter  %q", before, after)
	}
}
