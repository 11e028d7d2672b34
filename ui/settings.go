package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"runwatch/autostart"
	"runwatch/poller"
)

// Preference keys of the settings.
const (
	keyProject       = "settings.project"
	keyJob           = "settings.job"
	keyRegions       = "settings.regions"
	keyIntervalSec   = "settings.interval_seconds"
	keyTop           = "settings.top"
	keyNotifications = "settings.notifications"
)

// Settings are what a person can change without a restart.
type Settings struct {
	Project       string
	Job           string
	Regions       []string
	Interval      time.Duration
	Top           int
	Notifications bool
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
		Project:       p.String(keyProject),
		Job:           p.StringWithFallback(keyJob, poller.DefaultJob),
		Regions:       poller.ParseRegions(p.String(keyRegions)),
		Interval:      time.Duration(p.IntWithFallback(keyIntervalSec, int(poller.DefaultInterval/time.Second))) * time.Second,
		Top:           p.IntWithFallback(keyTop, poller.DefaultTop),
		Notifications: p.BoolWithFallback(keyNotifications, true),
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
	p.SetString(keyRegions, strings.Join(s.Regions, ","))
	p.SetInt(keyIntervalSec, int(s.Interval/time.Second))
	p.SetInt(keyTop, s.Top)
	p.SetBool(keyNotifications, s.Notifications)
}

// settingsBackupFile keeps a copy of the settings beside Fyne's
// preferences.json, written atomically: Fyne rewrites its file in place, so
// a crash in the middle of a save can leave it empty or cut short.
const settingsBackupFile = "settings.json"

func settingsBackupPath(a fyne.App) string {
	return filepath.Join(a.Storage().RootURI().Path(), settingsBackupFile)
}

// saveSettings saves the settings in the preferences and backs them up.
func saveSettings(a fyne.App, s Settings) error {
	s.Save(a.Preferences())
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("back up settings: %w", err)
	}
	if err := poller.WriteAtomically(settingsBackupPath(a), data); err != nil {
		return fmt.Errorf("back up settings: %w", err)
	}
	return nil
}

// RestoreSettings puts the backed-up settings back when the preferences
// lost them (a crash while Fyne rewrote its file); it reports whether it did.
func RestoreSettings(a fyne.App) bool {
	p := a.Preferences()
	if p.String(keyJob) != "" {
		return false
	}
	data, err := os.ReadFile(settingsBackupPath(a))
	if err != nil {
		return false
	}
	var s Settings
	if json.Unmarshal(data, &s) != nil || s.Job == "" {
		return false
	}
	s.Save(p)
	return true
}

// Config is the poller configuration of these settings.
func (s Settings) Config() poller.Config {
	return poller.Config{Project: s.Project, Job: s.Job, Regions: s.Regions, Top: s.Top, Interval: s.Interval}.WithDefaults()
}

// settingsForm holds the settings dialog's widgets by name, for tests.
type settingsForm struct {
	Project       *widget.Entry
	Job           *widget.Entry
	Regions       map[string]*widget.Check // one per known region
	ExtraRegions  *widget.Entry
	Interval      *widget.Entry
	Top           *widget.Entry
	Notifications *widget.Check
	// StartAtLogin mirrors the autostart entry, not a preference: the file
	// is what the desktop reads.
	StartAtLogin *widget.Check
	Save         *widget.Button
	Cancel       *widget.Button
	flagged      map[string]bool // flags given on the command line
}

func newSettingsForm(s Settings) *settingsForm {
	f := &settingsForm{
		Project:       widget.NewEntry(),
		Job:           widget.NewEntry(),
		Regions:       map[string]*widget.Check{},
		ExtraRegions:  widget.NewEntry(),
		Interval:      widget.NewEntry(),
		Top:           widget.NewEntry(),
		Notifications: widget.NewCheck("notify me of new failures", nil),
		StartAtLogin:  widget.NewCheck("start runwatch when I log in", nil),
	}
	f.Project.SetText(s.Project)
	f.Project.SetPlaceHolder("GOOGLE_CLOUD_PROJECT or the credentials' project")
	f.Job.SetText(s.Job)
	var extra []string
	for _, r := range poller.DefaultRegions() {
		f.Regions[r] = widget.NewCheck(r, nil)
	}
	for _, r := range s.Regions {
		if check, known := f.Regions[r]; known {
			check.SetChecked(true)
		} else {
			extra = append(extra, r)
		}
	}
	f.ExtraRegions.SetText(strings.Join(extra, ", "))
	f.ExtraRegions.SetPlaceHolder("other regions, comma-separated")
	f.Interval.SetText(strconv.Itoa(int(s.Interval / time.Second)))
	f.Top.SetText(strconv.Itoa(s.Top))
	f.Notifications.SetChecked(s.Notifications)
	f.StartAtLogin.SetChecked(autostart.Enabled())
	return f
}

// settings reads the form, or says what is wrong with it.
func (f *settingsForm) settings() (Settings, error) {
	interval, err := strconv.Atoi(strings.TrimSpace(f.Interval.Text))
	if err != nil || time.Duration(interval)*time.Second < poller.MinInterval {
		return Settings{}, fmt.Errorf("interval: a whole number of seconds, at least %d", int(poller.MinInterval/time.Second))
	}
	top, err := strconv.Atoi(strings.TrimSpace(f.Top.Text))
	if err != nil || top < 1 || top > 50 {
		return Settings{}, fmt.Errorf("executions shown: a number from 1 to 50")
	}
	var chosen []string
	for _, r := range poller.DefaultRegions() {
		if f.Regions[r].Checked {
			chosen = append(chosen, r)
		}
	}
	regions := poller.ParseRegions(strings.Join(chosen, ",") + "," + f.ExtraRegions.Text)
	if len(regions) == 0 {
		return Settings{}, fmt.Errorf("choose at least one region")
	}
	s := Settings{
		Project:       strings.TrimSpace(f.Project.Text),
		Job:           strings.TrimSpace(f.Job.Text),
		Regions:       regions,
		Interval:      time.Duration(interval) * time.Second,
		Top:           top,
		Notifications: f.Notifications.Checked,
	}
	if s.Job == "" {
		return Settings{}, fmt.Errorf("job: the Cloud Run job's name")
	}
	return s, nil
}

// lockFlagged disables the fields that command-line flags set for this run,
// saying so, since what is typed there would not apply until a restart
// without the flag.
func (f *settingsForm) lockFlagged(flags map[string]bool) {
	lock := func(flag string, w fyne.Disableable) {
		if flags[flag] {
			w.Disable()
		}
	}
	lock("project", f.Project)
	lock("job", f.Job)
	lock("interval", f.Interval)
	lock("top", f.Top)
	if flags["regions"] {
		f.ExtraRegions.Disable()
		for _, c := range f.Regions {
			c.Disable()
		}
	}
	f.flagged = flags
}

// label names a field, noting when a flag sets it for this run.
func (f *settingsForm) label(text, flag string) string {
	if f.flagged[flag] {
		return text + " (--" + flag + ")"
	}
	return text
}

// regionGrid lays the region checkboxes out in three columns.
func (f *settingsForm) regionGrid() fyne.CanvasObject {
	grid := container.NewGridWithColumns(3)
	for _, r := range poller.DefaultRegions() {
		grid.Add(f.Regions[r])
	}
	return grid
}

func (f *settingsForm) items() []*widget.FormItem {
	return []*widget.FormItem{
		widget.NewFormItem(f.label("Project", "project"), f.Project),
		widget.NewFormItem(f.label("Job", "job"), f.Job),
		widget.NewFormItem(f.label("Regions", "regions"), f.regionGrid()),
		widget.NewFormItem("More regions", f.ExtraRegions),
		widget.NewFormItem(f.label("Refresh every (s)", "interval"), f.Interval),
		widget.NewFormItem(f.label("Executions shown", "top"), f.Top),
		widget.NewFormItem("Notifications", f.Notifications),
		widget.NewFormItem("Start at login", f.StartAtLogin),
	}
}
