package view

import (
	"testing"
	"time"
)

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
