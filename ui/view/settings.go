package view

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"runwatch/poller"
)

// Preference keys of the settings.
const (
	keyProject       = "settings.project"
	keyJob           = "settings.job"
	keyAllJobs       = "settings.all_jobs"
	keyRegions       = "settings.regions"
	keyIntervalSec   = "settings.interval_seconds"
	keyTop           = "settings.top"
	keyNotifications = "settings.notifications"
	keyFailureHours  = "settings.failure_hours"
	keyTeam          = "settings.team"
	keyNotifyPrefix  = "settings.notify_" // + the kind: failed, still_failing, new_kind, fixed, cancelled
)

// SettingsKeys are the preference keys the settings are saved under.
func SettingsKeys() []string {
	keys := []string{keyProject, keyJob, keyAllJobs, keyRegions, keyIntervalSec, keyTop, keyNotifications, keyFailureHours, keyTeam}
	for _, k := range notifyKinds(&NotifyKinds{}) {
		keys = append(keys, keyNotifyPrefix+k.name)
	}
	return keys
}

// Settings are what a person can change without a restart.
type Settings struct {
	// Project is one project or a comma-separated list; Job likewise,
	// unless AllJobs watches every job of each project.
	Project       string
	Job           string
	AllJobs       bool
	Regions       []string
	Interval      time.Duration
	Top           int
	Notifications bool
	// FailureShownFor: how long a failure keeps the tray red without a
	// later success in its region or an acknowledgement.
	FailureShownFor time.Duration
	// Notify: which kinds of change notify.
	Notify NotifyKinds
	// Team is team mode: execution ends come from Pub/Sub (runwatch team
	// setup), and the refreshes slow down while they do.
	Team bool
}

// notifyKinds names each field of k, as it is saved.
func notifyKinds(k *NotifyKinds) []struct {
	name string
	on   *bool
} {
	return []struct {
		name string
		on   *bool
	}{{"failed", &k.Failed}, {"still_failing", &k.StillFailing}, {"new_kind", &k.NewKind}, {"fixed", &k.Fixed}, {"cancelled", &k.Cancelled}}
}

// PreferenceReader is the part of fyne.Preferences settings are read
// with; PreferencesFile reads the same values without a Fyne app.
type PreferenceReader interface {
	String(key string) string
	StringWithFallback(key, fallback string) string
	IntWithFallback(key string, fallback int) int
	BoolWithFallback(key string, fallback bool) bool
}

// LoadSettings reads the saved settings, with defaults for what is missing.
func LoadSettings(p PreferenceReader) Settings {
	s := Settings{
		Project:         p.String(keyProject),
		Job:             p.StringWithFallback(keyJob, poller.DefaultJob),
		AllJobs:         p.BoolWithFallback(keyAllJobs, false),
		Regions:         poller.ParseRegions(p.String(keyRegions)),
		Interval:        time.Duration(p.IntWithFallback(keyIntervalSec, int(poller.DefaultInterval/time.Second))) * time.Second,
		Top:             p.IntWithFallback(keyTop, poller.DefaultTop),
		Notifications:   p.BoolWithFallback(keyNotifications, true),
		FailureShownFor: time.Duration(p.IntWithFallback(keyFailureHours, int(DefaultFailureLimit/time.Hour))) * time.Hour,
		Team:            p.BoolWithFallback(keyTeam, false),
	}
	if s.FailureShownFor <= 0 {
		s.FailureShownFor = DefaultFailureLimit
	}
	for _, k := range notifyKinds(&s.Notify) {
		*k.on = p.BoolWithFallback(keyNotifyPrefix+k.name, true)
	}
	if len(s.Regions) == 0 {
		s.Regions = poller.DefaultRegions()
	}
	return s
}

// PreferenceWriter is the part of fyne.Preferences settings are saved with.
type PreferenceWriter interface {
	SetString(key, value string)
	SetInt(key string, value int)
	SetBool(key string, value bool)
}

// Save writes the settings.
func (s Settings) Save(p PreferenceWriter) {
	p.SetString(keyProject, s.Project)
	p.SetString(keyJob, s.Job)
	p.SetBool(keyAllJobs, s.AllJobs)
	p.SetString(keyRegions, strings.Join(s.Regions, ","))
	p.SetInt(keyIntervalSec, int(s.Interval/time.Second))
	p.SetInt(keyTop, s.Top)
	p.SetBool(keyNotifications, s.Notifications)
	p.SetInt(keyFailureHours, int(s.FailureShownFor/time.Hour))
	p.SetBool(keyTeam, s.Team)
	for _, k := range notifyKinds(&s.Notify) {
		p.SetBool(keyNotifyPrefix+k.name, *k.on)
	}
}

// Config is the poller configuration of these settings.
func (s Settings) Config() poller.Config {
	return poller.Config{Project: s.Project, Job: s.Job, AllJobs: s.AllJobs, Regions: s.Regions, Top: s.Top, Interval: s.Interval, Team: s.Team}.WithDefaults()
}

// settingsBackupFile keeps a copy of the settings beside Fyne's
// preferences.json, written atomically: Fyne rewrites its file in place, so
// a crash in the middle of a save can leave it empty or cut short.
const settingsBackupFile = "settings.json"

// PreferenceReadWriter is the part of fyne.Preferences (or a
// PreferencesFile) settings are read and saved with.
type PreferenceReadWriter interface {
	PreferenceReader
	PreferenceWriter
}

// SaveSettings writes the settings into p and backs them up in dir, the
// app's storage directory.
func SaveSettings(p PreferenceWriter, dir string, s Settings) error {
	s.Save(p)
	return backUpSettings(s, dir)
}

// backUpSettings writes the settings' backup in dir atomically.
func backUpSettings(s Settings, dir string) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("back up settings: %w", err)
	}
	if err := poller.WriteAtomically(filepath.Join(dir, settingsBackupFile), data); err != nil {
		return fmt.Errorf("back up settings: %w", err)
	}
	return nil
}

// RestoreSettings puts the settings backed up in dir back into p when p
// lost them (a crash while Fyne rewrote its file); it reports whether it did.
func RestoreSettings(p PreferenceReadWriter, dir string) bool {
	if p.String(keyJob) != "" {
		return false
	}
	data, err := os.ReadFile(filepath.Join(dir, settingsBackupFile))
	if err != nil {
		return false
	}
	s := Settings{Notify: AllKinds, FailureShownFor: DefaultFailureLimit} // what a backup from before these settings lacks
	if json.Unmarshal(data, &s) != nil || s.Job == "" {
		return false
	}
	s.Save(p)
	return true
}
