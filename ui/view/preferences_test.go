package view

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSettingsReadFromThePreferencesFileWithoutFyne(t *testing.T) {
	want := Settings{Project: "p9", Job: "j", Regions: []string{"us-east1"}, Interval: 45 * time.Second, Top: 7, Notifications: true, Team: true}
	dir := t.TempDir()
	p := PreferencesFile{}
	want.Save(p)
	if got := LoadSettings(p); got.Project != "p9" || got.Interval != 45*time.Second || got.Top != 7 || !got.Notifications || !got.Team || !got.Config().Team {
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

// A settings backup written before a setting existed restores it at its
// default: every kind of change notifies, a failure shows for 24 h.
func TestAnOldBackupRestoresNewSettingsAtTheirDefaults(t *testing.T) {
	dir := t.TempDir()
	old := `{"Project":"p","Job":"j","Regions":["us-east1"],"Interval":30000000000,"Top":5,"Notifications":true}`
	if err := os.WriteFile(filepath.Join(dir, settingsBackupFile), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	p := PreferencesFile{}
	if !RestoreSettings(p, dir) {
		t.Fatal("not restored")
	}
	got := LoadSettings(p)
	if got.Notify != AllKinds || got.FailureShownFor != DefaultFailureLimit || got.Job != "j" {
		t.Fatalf("restored %+v", got)
	}
}
