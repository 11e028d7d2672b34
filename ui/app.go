package ui

import (
	"fmt"
	"log"
	"os"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"runwatch/assets"
	"runwatch/autostart"
	"runwatch/poller"
	"runwatch/ui/view"
)

// Actions are what the UI asks of the rest of the app.
type Actions struct {
	RefreshNow func()
	// SettingsSaved is called with settings a person saved; they are in the
	// preferences already.
	SettingsSaved func(view.Settings)
	// FlagsGiven are the command-line flags that win over the settings for
	// this run ("project", "job", "regions", "interval", "top").
	FlagsGiven map[string]bool
	// LoginArgs are the command-line flags that name what the app watches
	// (startup.Flags.WatchArgs): Start at login writes them into the
	// autostart entry, so the app started at login is this one.
	LoginArgs []string
	// Acknowledge marks a failure as seen by a person.
	Acknowledge func(resource string)
	// Snooze holds notifications back until a time (zero: resume now).
	Snooze func(until time.Time)
	// ExecutionsClosed is called when a window-only UI's executions window
	// closes (NewWindows).
	ExecutionsClosed func()
}

// UI is the tray, the executions window and the details windows. Its
// methods run on Fyne's main thread (fyne.Do from other goroutines).
type UI struct {
	app     fyne.App
	actions Actions
	now     func() time.Time

	status         view.Status
	rows           []view.Row
	byName         map[string]poller.Execution
	details        map[string]*Details
	settings       *settingsForm // the open settings window's form
	settingsWindow fyne.Window

	// Named widgets, for tests and updates; nil until the window is first shown.
	// (Tests reach them; the rest of the app does not.)
	Window   fyne.Window
	Table    *widget.Table
	Header   *widget.Label
	Problems *widget.Label

	tray        desktop.App // nil where there is no tray
	TrayMenu    *fyne.Menu
	PauseItem   *fyne.MenuItem
	currentLook view.TrayLook
	menuShown   string // the view.MenuKey of the menu the tray has, to skip resending it
	touched     bool   // a person used the window or the tray's actions
	trayHost    bool   // a tray host shows the tray icon (SetTrayHost)
	notifyKinds view.NotifyKinds
	windowsOnly bool // no tray: another process has it (NewWindows)
}

// New builds the UI: the tray now, the window when first shown, since a
// hidden Fyne window still costs a GL context and fonts (about 19 MB).
func New(a fyne.App, actions Actions, now func() time.Time) *UI {
	if now == nil {
		now = time.Now
	}
	u := &UI{app: a, actions: actions, now: now, byName: map[string]poller.Execution{}, details: map[string]*Details{}}
	if d, ok := a.(desktop.App); ok {
		u.tray = d
	}
	u.PauseItem = fyne.NewMenuItem("Pause notifications", u.togglePause)
	saved := view.LoadSettings(a.Preferences())
	u.PauseItem.Checked = !saved.Notifications
	u.status.FailureLimit, u.notifyKinds = saved.FailureShownFor, saved.Notify
	u.render()
	return u
}

// NewWindows builds a UI of windows only, for a process that shows them
// while another keeps the tray: its windows close rather than hide, so the
// process ends with its last one, and its status comes from SetStatus.
func NewWindows(a fyne.App, actions Actions, now func() time.Time) *UI {
	if now == nil {
		now = time.Now
	}
	u := &UI{app: a, actions: actions, now: now, byName: map[string]poller.Execution{}, details: map[string]*Details{}, windowsOnly: true}
	u.PauseItem = fyne.NewMenuItem("Pause notifications", nil)
	return u
}

// SetStatus shows a status another process decided (NewWindows).
func (u *UI) SetStatus(st view.Status) {
	u.status = st
	u.index(st.Snapshot)
	u.render()
}

// HasWindows reports whether any of the UI's windows is open.
func (u *UI) HasWindows() bool {
	return u.Window != nil || len(u.details) > 0 || u.settingsWindow != nil
}

func (u *UI) buildWindow() {
	u.Window = u.app.NewWindow("runwatch")
	u.Window.SetIcon(resourceOf(assets.AppIcon))
	u.Header = widget.NewLabel("Refreshing…")
	u.Header.TextStyle = fyne.TextStyle{Bold: true}
	u.Header.Truncation = fyne.TextTruncateEllipsis
	u.Problems = widget.NewLabel("")
	u.Problems.Wrapping = fyne.TextWrapWord
	u.Problems.Importance = widget.WarningImportance
	u.Problems.Hide()
	u.Table = newExecutionsTable(&u.rows, u.OpenDetails)
	refresh := widget.NewButton("Refresh now", u.refreshNow)
	settings := widget.NewButton("Settings…", u.ShowSettings)
	top := container.NewBorder(nil, u.Problems, nil, container.NewHBox(refresh, settings), u.Header)
	u.Window.SetContent(container.NewBorder(top, nil, nil, nil, u.Table))
	u.Window.Resize(fyne.NewSize(1220, 340))
	if u.windowsOnly {
		w := u.Window
		w.SetOnClosed(func() {
			if u.Window == w {
				u.Window = nil
			}
			if u.actions.ExecutionsClosed != nil {
				u.actions.ExecutionsClosed()
			}
		})
		return
	}
	u.Window.SetCloseIntercept(func() {
		if u.tray != nil && u.trayHost {
			u.Window.Hide() // the tray keeps the app
			return
		}
		u.app.Quit()
	})
}

// SetTrayHost records whether a tray host shows the tray icon: without one,
// closing the executions window quits, as nothing else would show the app.
func (u *UI) SetTrayHost(present bool) { u.trayHost = present }

// touch records that a person used the window, so it is not hidden for
// them when a tray host appears.
func (u *UI) touch() { u.touched = true }

// HideForcedWindow hides the executions window when it was only shown for
// want of a tray host and nobody used it: a tray host has appeared.
func (u *UI) HideForcedWindow() {
	switch {
	case u.Window == nil || u.touched:
	case u.windowsOnly:
		u.Window.Close()
	default:
		u.Window.Hide()
	}
}

// Present shows the executions window because a person asked (the tray
// menu, a second start).
func (u *UI) Present() {
	u.touch()
	u.ShowWindow()
}

// ShowWindow brings the executions window up, building it the first time.
func (u *UI) ShowWindow() {
	if u.Window == nil {
		u.buildWindow()
		u.render()
	}
	u.Window.Show()
	u.Window.RequestFocus()
}

func (u *UI) refreshNow() {
	u.touch()
	if u.actions.RefreshNow != nil {
		u.actions.RefreshNow()
	}
}

func (u *UI) togglePause() {
	u.PauseItem.Checked = !u.PauseItem.Checked
	s := view.LoadSettings(u.app.Preferences())
	s.Notifications = !u.PauseItem.Checked
	if err := saveSettings(u.app, s); err != nil {
		log.Printf("runwatch: %v", err)
	}
	u.renderTray()
}

// Apply shows a refresh's result; what it classified as news is
// announced by the caller (internal/notifier), unless Paused.
func (u *UI) Apply(res poller.Result) {
	u.status.Take(res.Snapshot)
	u.index(res.Snapshot)
	u.render()
}

// index keeps the snapshot's executions by resource for the details
// windows: those in view, and failures that colour the tray out of view.
func (u *UI) index(snap poller.Snapshot) {
	u.byName = map[string]poller.Execution{}
	for _, e := range slices.Concat(snap.Failing, snap.Executions) {
		u.byName[e.Resource] = e
	}
}

// Paused reports whether a person paused notifications.
func (u *UI) Paused() bool { return u.PauseItem.Checked }

// NotifyPrefs returns what a person chose about notifications: paused, and
// which kinds of change notify.
func (u *UI) NotifyPrefs() view.NotifyPrefs {
	return view.NotifyPrefs{Paused: u.PauseItem.Checked, Kinds: u.notifyKinds}
}

// ShowSnapshot shows a picture without news, as after an acknowledgement.
func (u *UI) ShowSnapshot(snap poller.Snapshot) {
	if !u.status.HasSnapshot {
		return
	}
	u.status.Snapshot = snap
	u.index(snap)
	u.render()
}

func (u *UI) acknowledge(resource string) {
	if u.actions.Acknowledge != nil {
		u.actions.Acknowledge(resource)
	}
}

func (u *UI) snooze(until time.Time) {
	if u.actions.Snooze != nil {
		u.actions.Snooze(until)
	}
}

// SetProblem shows a problem that stops polling, such as missing credentials.
func (u *UI) SetProblem(problem string) {
	u.status.Problem = problem
	u.render()
}

// SetInterval tells the UI how often refreshes come, to judge staleness.
func (u *UI) SetInterval(d time.Duration) { u.status.Interval = d }

// Tick re-renders ages and staleness between refreshes.
func (u *UI) Tick() { u.render() }

func (u *UI) render() {
	now := u.now()
	u.rows = view.Rows(u.status.Snapshot, now)
	if u.Window != nil {
		u.Header.SetText(view.Header(u.status, now))
		if p := view.RegionProblems(u.status.Snapshot); p != "" {
			u.Problems.SetText(p)
			u.Problems.Show()
		} else {
			u.Problems.Hide()
		}
		u.Table.Refresh()
	}
	for name, d := range u.details {
		if e, ok := u.byName[name]; ok {
			d.Show(e, now)
		}
	}
	u.renderTray()
}

// renderTray rebuilds the tray icon and menu.
func (u *UI) renderTray() {
	now := u.now()
	lines := view.TrayMenuOf(u.status, now, u.PauseItem.Checked)
	u.TrayMenu = fyne.NewMenu("runwatch", u.menuItems(lines)...)
	look := view.TrayLookOf(u.status, now)
	if u.tray == nil {
		u.currentLook = look
		return
	}
	// Resending an unchanged menu would reset one a person has open.
	if key := view.MenuKey(lines); key != u.menuShown {
		u.tray.SetSystemTrayMenu(u.TrayMenu)
		u.menuShown = key
	}
	if look != u.currentLook {
		u.tray.SetSystemTrayIcon(IconOf(look))
		u.currentLook = look
	}
}

// Look is the tray icon shown now.
func (u *UI) Look() view.TrayLook { return u.currentLook }

// menuItems turns the decided menu into Fyne's, with each action bound.
func (u *UI) menuItems(lines []view.MenuLine) []*fyne.MenuItem {
	items := make([]*fyne.MenuItem, 0, len(lines))
	for _, l := range lines {
		if l.Separator {
			items = append(items, fyne.NewMenuItemSeparator())
			continue
		}
		if l.Action == view.ActPause {
			items = append(items, u.PauseItem)
			continue
		}
		item := fyne.NewMenuItem(l.Label, u.menuAction(l))
		item.Disabled = l.Disabled
		item.IsQuit = l.Action == view.ActQuit
		if len(l.Children) > 0 {
			item.ChildMenu = fyne.NewMenu("", u.menuItems(l.Children)...)
		}
		items = append(items, item)
	}
	return items
}

func (u *UI) menuAction(l view.MenuLine) func() {
	switch l.Action {
	case view.ActDetails:
		return func() { u.OpenDetails(l.Resource) }
	case view.ActAcknowledge:
		return func() { u.acknowledge(l.Resource) }
	case view.ActSnoozeHour, view.ActSnoozeMorning, view.ActResume:
		return func() { u.snooze(view.SnoozeUntil(l.Action, u.now())) }
	case view.ActShow:
		return u.Present
	case view.ActRefresh:
		return u.refreshNow
	case view.ActSettings:
		return u.ShowSettings
	case view.ActQuit:
		return u.app.Quit
	}
	return nil
}

// IconOf is the tray icon of a look, as a Fyne resource.
func IconOf(look view.TrayLook) fyne.Resource { return resourceOf(view.IconOf(look)) }

// resourceOf wraps an embedded icon for Fyne.
func resourceOf(icon assets.Icon) fyne.Resource {
	return fyne.NewStaticResource(icon.Name(), icon.Content())
}

// ShowExecution opens an execution's details when it is in the picture,
// else the executions window (a notification's click on one pushed out).
func (u *UI) ShowExecution(resource string) {
	if _, ok := u.byName[resource]; ok {
		u.OpenDetails(resource)
		return
	}
	u.ShowWindow()
}

// OpenDetails opens (or brings up) the details window of an execution.
func (u *UI) OpenDetails(resource string) {
	u.touch()
	e, ok := u.byName[resource]
	if !ok {
		return
	}
	d := u.details[resource]
	if d == nil {
		d = newDetails(u.app, u.acknowledge, func() { delete(u.details, resource) })
		u.details[resource] = d
	}
	d.Show(e, u.now())
	d.Window.Show()
	d.Window.RequestFocus()
}

// DetailsOf returns the open details window of an execution, for tests.
func (u *UI) DetailsOf(resource string) *Details { return u.details[resource] }

// ShowSettings opens the settings window, or brings it up.
func (u *UI) ShowSettings() {
	u.touch()
	if u.settingsWindow != nil {
		u.settingsWindow.Show()
		u.settingsWindow.RequestFocus()
		return
	}
	form := newSettingsForm(view.LoadSettings(u.app.Preferences()))
	form.lockFlagged(u.actions.FlagsGiven)
	w := u.app.NewWindow("runwatch — settings")
	form.Save = widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), func() {
		if u.saveSettings(form) {
			w.Close()
		}
	})
	form.Save.Importance = widget.HighImportance
	form.Cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.Close)
	buttons := container.NewHBox(layout.NewSpacer(), form.Cancel, form.Save)
	w.SetContent(container.NewPadded(container.NewBorder(nil, buttons, nil, nil, widget.NewForm(form.items()...))))
	w.SetOnClosed(func() { u.settingsWindow, u.settings = nil, nil })
	u.settings, u.settingsWindow = form, w
	w.Show()
}

// setStartAtLogin writes or removes the autostart entry, for this binary
// with args, the flags that name what the running app watches.
func setStartAtLogin(on bool, args []string) error {
	if on == autostart.Enabled() {
		return nil
	}
	if !on {
		return autostart.Disable()
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("start at login: find this program: %w", err)
	}
	return autostart.Enable(exe, args...)
}

// saveSettings applies the form if it is valid, else says what is wrong.
func (u *UI) saveSettings(form *settingsForm) bool {
	s, err := form.settings()
	if err != nil {
		dialog.ShowError(err, u.settingsWindow)
		return false
	}
	if err := setStartAtLogin(form.StartAtLogin.Checked, u.actions.LoginArgs); err != nil {
		dialog.ShowError(err, u.settingsWindow)
		return false
	}
	if err := saveSettings(u.app, s); err != nil {
		log.Printf("runwatch: %v", err)
	}
	u.PauseItem.Checked = !s.Notifications
	u.status.FailureLimit, u.notifyKinds = s.FailureShownFor, s.Notify
	u.renderTray()
	if u.actions.SettingsSaved != nil {
		u.actions.SettingsSaved(s)
	}
	return true
}
