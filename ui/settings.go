package ui

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"runwatch/autostart"
	"runwatch/poller"
	"runwatch/ui/view"
)

// saveSettings saves the settings in the preferences and backs them up.
func saveSettings(a fyne.App, s view.Settings) error {
	return view.SaveSettings(a.Preferences(), a.Storage().RootURI().Path(), s)
}

// RestoreSettings puts the backed-up settings back when the preferences
// lost them (a crash while Fyne rewrote its file), says so in the log, and
// reports whether it did.
func RestoreSettings(a fyne.App) bool {
	if !view.RestoreSettings(a.Preferences(), a.Storage().RootURI().Path()) {
		return false
	}
	log.Printf("runwatch: the preferences had lost the settings; restored them from their backup")
	return true
}

// settingsForm holds the settings dialog's widgets by name, for tests.
type settingsForm struct {
	Project       *keyEntry
	Job           *keyEntry
	AllJobs       *widget.Check
	Regions       map[string]*widget.Check // one per known region
	ExtraRegions  *keyEntry
	Interval      *keyEntry
	Top           *keyEntry
	Notifications *widget.Check
	FailureHours  *keyEntry
	// Team is team mode (events from Pub/Sub).
	Team *widget.Check
	// NotifyKinds: one check per kind of change that may notify.
	NotifyFailed, NotifyStillFailing, NotifyNewKind, NotifyFixed, NotifyCancelled *widget.Check
	// StartAtLogin mirrors the autostart entry, not a preference: the file
	// is what the desktop reads.
	StartAtLogin *widget.Check
	Save         *widget.Button
	Cancel       *widget.Button
	flagged      map[string]bool // flags given on the command line
	// accepted are region names taken before (saved, or given by
	// --regions and checked then, maybe by Cloud Run's Locations API): the
	// form does not refuse them for want of that API.
	accepted []string
	// loginAtOpen: the autostart entry existed when the form opened.
	loginAtOpen bool
}

func newSettingsForm(s view.Settings) *settingsForm {
	f := &settingsForm{
		Project:       newKeyEntry(),
		Job:           newKeyEntry(),
		AllJobs:       widget.NewCheck("every job of the project(s)", nil),
		Regions:       map[string]*widget.Check{},
		ExtraRegions:  newKeyEntry(),
		Interval:      newKeyEntry(),
		Top:           newKeyEntry(),
		Notifications: widget.NewCheck("notify me of new failures", nil),
		FailureHours:  newKeyEntry(),

		NotifyFailed:       widget.NewCheck("failed", nil),
		NotifyStillFailing: widget.NewCheck("still failing", nil),
		NotifyNewKind:      widget.NewCheck("failed with a different error", nil),
		NotifyFixed:        widget.NewCheck("fixed", nil),
		NotifyCancelled:    widget.NewCheck("cancelled", nil),
		StartAtLogin:       widget.NewCheck("start runwatch when I log in", nil),
		Team:               widget.NewCheck("Team mode (events from Pub/Sub)", nil),
	}
	f.accepted = slices.Clone(s.Regions)
	f.Project.SetText(s.Project)
	f.Project.SetPlaceHolder("GOOGLE_CLOUD_PROJECT or the credentials' project")
	f.Job.SetText(s.Job)
	f.Job.SetPlaceHolder("a job, or several: nightly-train, etl-daily")
	f.AllJobs.OnChanged = func(all bool) {
		if all || f.flagged["job"] {
			f.Job.Disable()
		} else {
			f.Job.Enable()
		}
	}
	f.AllJobs.SetChecked(s.AllJobs)
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
	f.FailureHours.SetText(strconv.Itoa(int(s.FailureShownFor / time.Hour)))
	f.NotifyFailed.SetChecked(s.Notify.Failed)
	f.NotifyStillFailing.SetChecked(s.Notify.StillFailing)
	f.NotifyNewKind.SetChecked(s.Notify.NewKind)
	f.NotifyFixed.SetChecked(s.Notify.Fixed)
	f.NotifyCancelled.SetChecked(s.Notify.Cancelled)
	f.Team.SetChecked(s.Team)
	f.loginAtOpen = autostart.Enabled()
	f.StartAtLogin.SetChecked(f.loginAtOpen)
	return f
}

// settings reads the form, or says what is wrong with it.
func (f *settingsForm) settings() (view.Settings, error) {
	interval, err := strconv.Atoi(strings.TrimSpace(f.Interval.Text))
	if err != nil || time.Duration(interval)*time.Second < poller.MinInterval {
		return view.Settings{}, fmt.Errorf("interval: a whole number of seconds, at least %d", int(poller.MinInterval/time.Second))
	}
	top, err := strconv.Atoi(strings.TrimSpace(f.Top.Text))
	if err != nil || top < 1 || top > 50 {
		return view.Settings{}, fmt.Errorf("executions shown: a number from 1 to 50")
	}
	hours, err := strconv.Atoi(strings.TrimSpace(f.FailureHours.Text))
	if err != nil || hours < 1 || hours > 24*30 {
		return view.Settings{}, fmt.Errorf("show a failure for: a number of hours from 1 to %d", 24*30)
	}
	var chosen []string
	for _, r := range poller.DefaultRegions() {
		if f.Regions[r].Checked {
			chosen = append(chosen, r)
		}
	}
	// The names typed are checked as the --regions flag's are, against the
	// built-in list only: the window process makes no API call of its own.
	// Names taken before stand; so does a field --regions locked (its
	// values are not saved).
	extra, err := poller.SplitRegions(f.ExtraRegions.Text)
	if err == nil && !f.flagged["regions"] {
		typed := slices.DeleteFunc(slices.Clone(extra), func(r string) bool { return slices.Contains(f.accepted, r) })
		err = poller.CheckRegions(context.Background(), typed, nil)
	}
	if err != nil {
		return view.Settings{}, fmt.Errorf("more regions: %w", err)
	}
	regions := poller.ParseRegions(strings.Join(append(chosen, extra...), ","))
	if len(regions) == 0 {
		return view.Settings{}, fmt.Errorf("choose at least one region")
	}
	s := view.Settings{
		Project:       strings.TrimSpace(f.Project.Text),
		Job:           strings.Join(poller.ParseList(f.Job.Text), ","),
		AllJobs:       f.AllJobs.Checked,
		Regions:       regions,
		Interval:      time.Duration(interval) * time.Second,
		Top:           top,
		Notifications: f.Notifications.Checked,

		FailureShownFor: time.Duration(hours) * time.Hour,
		Notify: view.NotifyKinds{Failed: f.NotifyFailed.Checked, StillFailing: f.NotifyStillFailing.Checked,
			NewKind: f.NotifyNewKind.Checked, Fixed: f.NotifyFixed.Checked, Cancelled: f.NotifyCancelled.Checked},
		Team: f.Team.Checked,
	}
	if s.Job == "" && !s.AllJobs {
		return view.Settings{}, fmt.Errorf("job: the Cloud Run job's name, or several, comma-separated")
	}
	if s.Job == "" {
		s.Job = poller.DefaultJob // kept for when every job is no longer watched
	}
	return s, nil
}

// lockFlagged disables the fields that command-line flags set for this run
// and shows in them the values in use (inUse: what the flags set), since
// what is typed there would not apply until a restart without the flag. A
// value the window process was not told is left empty, with a placeholder.
func (f *settingsForm) lockFlagged(flags map[string]bool, inUse poller.Config) {
	lock := func(flag string, e *keyEntry, value string) {
		if !flags[flag] {
			return
		}
		e.SetText(value)
		e.SetPlaceHolder("set by --" + flag)
		e.Disable()
	}
	lock("project", f.Project, inUse.Project)
	lock("job", f.Job, inUse.Job)
	if flags["job"] || flags["all-jobs"] {
		f.AllJobs.SetChecked(inUse.AllJobs)
		f.AllJobs.Disable()
	}
	interval := ""
	if inUse.Interval > 0 {
		interval = strconv.Itoa(int(inUse.Interval / time.Second))
	}
	lock("interval", f.Interval, interval)
	top := ""
	if inUse.Top > 0 {
		top = strconv.Itoa(inUse.Top)
	}
	lock("top", f.Top, top)
	if flags["team"] {
		f.Team.SetChecked(inUse.Team)
		f.Team.Disable()
	}
	if flags["regions"] {
		var extra []string
		if len(inUse.Regions) > 0 {
			for _, c := range f.Regions {
				c.SetChecked(false)
			}
			for _, r := range inUse.Regions {
				if c, known := f.Regions[r]; known {
					c.SetChecked(true)
				} else {
					extra = append(extra, r)
				}
			}
		}
		lock("regions", f.ExtraRegions, strings.Join(extra, ", "))
		for _, c := range f.Regions {
			c.Disable()
		}
	}
	f.flagged = flags
}

// item is a field of the form, saying beside it when a flag sets it for
// this run.
func (f *settingsForm) item(text, flag string, w fyne.CanvasObject) *widget.FormItem {
	item := widget.NewFormItem(text, w)
	if f.flagged[flag] {
		item.HintText = "from --" + flag + ", this run"
	}
	return item
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
		f.item("Project", "project", f.Project),
		f.item("Job", "job", f.Job),
		f.item("", "all-jobs", f.AllJobs),
		f.item("Regions", "regions", f.regionGrid()),
		f.item("More regions", "regions", f.ExtraRegions),
		f.item("Refresh every (s)", "interval", f.Interval),
		f.item("Executions shown", "top", f.Top),
		f.item("Team", "team", f.Team),
		widget.NewFormItem("Notifications", f.Notifications),
		widget.NewFormItem("Notify when", container.NewHBox(f.NotifyFailed, f.NotifyStillFailing, f.NotifyNewKind, f.NotifyFixed, f.NotifyCancelled)),
		widget.NewFormItem("Show a failure for (h)", f.FailureHours),
		widget.NewFormItem("Start at login", f.StartAtLogin),
	}
}
