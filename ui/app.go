package ui

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/exec"
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
	"runwatch/desktop/browser"
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
	// FlagValues are the values those flags set, shown in the settings in
	// place of the saved ones (a zero field: not known here).
	FlagValues poller.Config
	// Acknowledge marks a failure as seen by a person.
	Acknowledge func(resource string)
	// Snooze holds notifications back until a time (zero: resume now).
	Snooze func(until time.Time)
	// LastLines reads the last lines an execution logged, for the details
	// of a failure whose logs were not read (a timeout, an OOM kill); it
	// may block for the read, bounded by ctx; nil: details do not ask.
	// Its error wraps poller.ErrNoLogs when Cloud Logging has none.
	LastLines func(ctx context.Context, resource string) ([]string, error)
	// RunAgain starts an execution's job again (with the overrides it ran
	// with when withOverrides) and returns the new execution; Cancel
	// cancels a running or pending one; Overrides words what one ran with
	// beyond its job. Each may block for Cloud Run, bounded by ctx, and
	// refreshes once it took; nil: details do not offer it.
	RunAgain  func(ctx context.Context, resource string, withOverrides bool) (string, error)
	Cancel    func(ctx context.Context, resource string) error
	Overrides func(ctx context.Context, resource string) (string, error)
	// ExecutionsClosed is called when a window-only UI's executions window
	// closes (NewWindows).
	ExecutionsClosed func()
	// Quit ends the app (Ctrl+Q, Try the demo); nil: the Fyne app quits.
	// A window-only UI asks the tray process, which ends it in turn.
	Quit func()
}

// UI is the tray, the executions window and the details windows. Its
// methods run on Fyne's main thread (fyne.Do from other goroutines).
type UI struct {
	app     fyne.App
	actions Actions
	now     func() time.Time
	do      func(func()) // runs a function on Fyne's main thread: fyne.Do; tests queue it
	// openURL opens a link in the browser (browser.Open); tests replace it.
	openURL func(*url.URL) error
	// resetTick sets when to render again with the clock alone (StartTicking;
	// nil: not ticking).
	resetTick func(time.Duration)

	status         view.Status
	firstRunShown  bool // the window was shown for missing credentials once
	rows           []view.Row
	byName         map[string]poller.Execution
	details        map[string]*Details
	actionBoard    *actionBoard  // see board
	settings       *settingsForm // the open settings window's form
	settingsWindow fyne.Window

	// Named widgets, for tests and updates; nil until the window is first shown.
	// (Tests reach them; the rest of the app does not.)
	Window   fyne.Window
	Table    *widget.Table
	Header   *widget.Label
	Problems *widget.Label
	// Jobs sums each job up when several are watched ("nightly-train
	// failing since 09:12 (3×) · etl-daily ok").
	Jobs *widget.Label
	// FirstRun stands in for the table while there are no credentials:
	// what is missing, the command that gives them, the demo, the settings.
	FirstRun         *fyne.Container
	FirstRunProblem  *widget.Label
	CopyCommand      *widget.Button
	TryDemo          *widget.Button
	FirstRunSettings *widget.Button

	table     *keyTable
	tableBox  *fyne.Container // the table in its columnsLayout
	columns   *columnsLayout
	top       *fyne.Container // the header, the region problems and the buttons
	fittedFor int             // the rows the window's height was last fitted to; -1: the first-run panel
	demo      bool            // --demo: the windows say so
	// startProcess starts a program and lets it go (Try the demo); tests
	// replace it to see the command without running it.
	startProcess func(*exec.Cmd) error

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
	u := &UI{app: a, actions: actions, now: now, do: fyne.Do, openURL: browser.Open, byName: map[string]poller.Execution{}, details: map[string]*Details{}, startProcess: startDetached}
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
	u := &UI{app: a, actions: actions, now: now, do: fyne.Do, openURL: browser.Open, byName: map[string]poller.Execution{}, details: map[string]*Details{}, windowsOnly: true, startProcess: startDetached}
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

// SetDemo records that the app watches --demo's simulated Cloud Run: the
// executions window's title and header say so, and the tray menu's first
// line. Call it before the window is first shown.
func (u *UI) SetDemo(demo bool) {
	u.demo, u.status.Demo = demo, demo
	u.renderTray()
}

// Default size of the executions window: its width, with room for the
// fixed columns and an Error column of about 320 px (240 px, its minimum,
// while a stale row's state widens the State column).
const windowWidth = 1240

func (u *UI) buildWindow() {
	title := "runwatch"
	if u.demo {
		title = view.DemoTitle
	}
	u.Window = u.app.NewWindow(title)
	u.Window.SetIcon(resourceOf(assets.AppIcon))
	u.Header = widget.NewLabel("Refreshing…")
	u.Header.TextStyle = fyne.TextStyle{Bold: true}
	u.Header.Truncation = fyne.TextTruncateEllipsis
	u.Problems = widget.NewLabel("")
	u.Problems.Wrapping = fyne.TextWrapWord
	u.Problems.Importance = widget.WarningImportance
	u.Problems.Hide()
	u.Jobs = widget.NewLabel("")
	u.Jobs.Wrapping = fyne.TextWrapWord
	u.Jobs.Hide()
	keys := &windowKeys{close: u.closeExecutions, enter: u.openHighlighted, refresh: u.refreshNow, quit: u.quit}
	keys.bind(u.Window)
	u.table = newExecutionsTable(&u.rows, u.OpenDetails, keys)
	u.Table = &u.table.Table
	u.columns = &columnsLayout{table: u.Table}
	u.tableBox = container.New(u.columns, u.table)
	u.buildFirstRun()
	refresh := widget.NewButton("Refresh now", u.refreshNow)
	settings := widget.NewButton("Settings…", u.ShowSettings)
	u.top = container.NewBorder(nil, container.NewVBox(u.Jobs, u.Problems), nil, container.NewHBox(refresh, settings), u.Header)
	u.Window.SetContent(container.NewBorder(u.top, nil, nil, nil, container.NewStack(u.tableBox, u.FirstRun)))
	u.fittedFor = -2 // fitted to nothing yet
	u.Window.Resize(fyne.NewSize(windowWidth, 340))
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

// buildFirstRun builds the panel shown instead of the table while there
// are no credentials, as Gitify's sign-in page: what is missing, the
// command to copy, the demo, the settings.
func (u *UI) buildFirstRun() {
	title := widget.NewLabel("runwatch needs your Google Cloud credentials")
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.SizeName = theme.SizeNameSubHeadingText
	u.FirstRunProblem = widget.NewLabel("")
	u.FirstRunProblem.Wrapping = fyne.TextWrapWord
	u.FirstRunProblem.Importance = widget.WarningImportance
	how := widget.NewLabel("Sign in once in a terminal with the command below; runwatch finds the credentials at its next refresh, or at once with Refresh now.")
	how.Wrapping = fyne.TextWrapWord
	command := widget.NewLabel(view.SignInCommand)
	command.TextStyle = fyne.TextStyle{Monospace: true}
	command.Selectable = true
	u.CopyCommand = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(view.SignInCommand)
	})
	u.TryDemo = widget.NewButton("Try the demo", u.tryDemo)
	u.FirstRunSettings = widget.NewButton("Settings…", u.ShowSettings)
	demo := widget.NewLabel("Or look around first: the demo watches a simulated Cloud Run, with no Google account.")
	demo.Wrapping = fyne.TextWrapWord
	u.FirstRun = container.NewPadded(container.NewVBox(
		title, u.FirstRunProblem, how,
		container.NewHBox(command, u.CopyCommand),
		widget.NewSeparator(),
		demo,
		container.NewHBox(u.TryDemo, u.FirstRunSettings),
	))
	u.FirstRun.Hide()
}

// demoCommand is the command Try the demo runs: this program with --demo.
func demoCommand() (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("try the demo: find this program: %w", err)
	}
	return exec.Command(exe, "--demo"), nil
}

// startDetached starts cmd and lets it run on after this process ends.
func startDetached(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	return cmd.Process.Release()
}

// tryDemo starts runwatch --demo and quits this app, which can show
// nothing without credentials.
func (u *UI) tryDemo() {
	u.touch()
	cmd, err := demoCommand()
	if err == nil {
		err = u.startProcess(cmd)
	}
	if err != nil {
		dialog.ShowError(err, u.Window)
		return
	}
	u.quit()
}

// quit ends the app (Ctrl+Q).
func (u *UI) quit() {
	if u.actions.Quit != nil {
		u.actions.Quit()
		return
	}
	u.app.Quit()
}

// closeExecutions closes the executions window as its close button does:
// with a tray, the app keeps running there.
func (u *UI) closeExecutions() {
	if u.Window != nil {
		u.Window.Close()
	}
}

// openHighlighted opens the table's highlighted row (the first until the
// arrows move it), giving the table the focus for the arrows.
func (u *UI) openHighlighted() {
	u.Window.Canvas().Focus(u.table)
	u.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// fitHeight makes the executions window as tall as its rows need, up to
// rowsWithoutScrolling, or as its first-run panel needs; it does so when
// what it shows changes, so a person's resizing stays otherwise.
func (u *UI) fitHeight(firstRun bool) {
	n := min(len(u.rows), rowsWithoutScrolling)
	if firstRun {
		n = -1
	}
	if n == u.fittedFor {
		return
	}
	u.fittedFor = n
	width := u.Window.Canvas().Size().Width
	if width < 100 {
		width = windowWidth
	}
	body := u.FirstRun.MinSize().Height
	if !firstRun {
		body = tableHeight(u.Table, max(n, 1))
	}
	u.Window.Resize(fyne.NewSize(width, u.top.MinSize().Height+body+theme.Padding()))
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
	if !u.firstRunShown && view.NeedsCredentials(u.status) {
		// A first run without credentials shows the window that says what
		// to do, once (the one-process app; the tray process opens the
		// window process for the same reason).
		u.firstRunShown = true
		u.ShowWindow()
	}
}

// SetInterval tells the UI how often refreshes come, to judge staleness.
func (u *UI) SetInterval(d time.Duration) { u.status.Interval = d }

// Tick re-renders ages and staleness between refreshes.
func (u *UI) Tick() { u.render() }

// StartTicking renders again, until ctx ends, each time what shows changes
// with the clock alone (view.NextTick, reset after every render), so the
// windows' ages change when the tray process's menu's do; do runs the
// render on Fyne's main thread (fyne.Do).
func (u *UI) StartTicking(ctx context.Context, do func(func())) {
	timer := time.AfterFunc(view.TickEvery, func() {
		if ctx.Err() == nil {
			do(u.Tick)
		}
	})
	context.AfterFunc(ctx, func() { timer.Stop() })
	u.resetTick = func(d time.Duration) { timer.Reset(d) }
	u.render()
}

func (u *UI) render() {
	now := u.now()
	u.rows = view.Rows(u.status.Snapshot, now)
	if u.Window != nil {
		header := view.Header(u.status, now)
		if u.demo {
			header = "Demo (simulated Cloud Run): " + header
		}
		u.Header.SetText(header)
		if line := view.JobsLine(u.status, now); line != "" {
			u.Jobs.SetText(line)
			u.Jobs.Show()
		} else {
			u.Jobs.Hide()
		}
		if p := view.RegionProblems(u.status.Snapshot); p != "" {
			u.Problems.SetText(p)
			u.Problems.Show()
		} else {
			u.Problems.Hide()
		}
		firstRun := view.NeedsCredentials(u.status)
		if firstRun {
			u.Header.SetText("Not signed in to Google Cloud")
			u.FirstRunProblem.SetText(u.status.Problem)
			u.FirstRun.Show()
			u.tableBox.Hide()
		} else {
			u.FirstRun.Hide()
			u.tableBox.Show()
		}
		if state, history := u.columns.fitState(u.rows), u.columns.fitHistory(u.rows); state || history {
			u.tableBox.Refresh() // lays the columns out again
		}
		u.Table.Refresh()
		u.fitHeight(firstRun)
	}
	for name, d := range u.details {
		if e, ok := u.byName[name]; ok {
			d.Show(e, now)
		}
	}
	u.renderTray()
	if u.resetTick != nil {
		u.resetTick(view.NextTick(u.status, now).Sub(now))
	}
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
	case view.ActRunAgain:
		return func() { u.ConfirmExecution(l.Resource, view.ConfirmRunAgain) }
	case view.ActCancel:
		return func() { u.ConfirmExecution(l.Resource, view.ConfirmCancel) }
	case view.ActSnoozeHour, view.ActSnoozeMorning, view.ActResume:
		return func() { u.snooze(view.SnoozeUntil(l.Action, u.now())) }
	case view.ActShow:
		return u.Present
	case view.ActRefresh:
		return u.refreshNow
	case view.ActSettings:
		return u.ShowSettings
	case view.ActQuit:
		return u.quit
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
		with := detailsWith{acknowledge: u.acknowledge, lastLines: u.actions.LastLines, do: u.do, now: u.now, openURL: u.openURL,
			runAgain: u.actions.RunAgain, cancel: u.actions.Cancel, overrides: u.actions.Overrides, board: u.board()}
		d = newDetails(u.app, with, func() { delete(u.details, resource) })
		(&windowKeys{close: d.Window.Close, refresh: u.refreshNow, quit: u.quit}).bind(d.Window)
		u.details[resource] = d
	}
	d.Show(e, u.now())
	d.Window.Show()
	d.Window.RequestFocus()
}

// board returns the actions under way of every details window, made once.
func (u *UI) board() *actionBoard {
	if u.actionBoard == nil {
		u.actionBoard = &actionBoard{states: map[string]*actionState{}, open: func(resource string) *Details { return u.details[resource] }}
	}
	return u.actionBoard
}

// ConfirmExecution opens an execution's details with the confirmation of
// c (the tray menu's Run … again… and Cancel …), or the executions window
// when the execution is out of view.
func (u *UI) ConfirmExecution(resource string, c view.Confirmation) {
	u.ShowExecution(resource)
	if d := u.details[resource]; d != nil {
		d.Confirm(c)
	}
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
	form.lockFlagged(u.actions.FlagsGiven, u.flagValues())
	w := u.app.NewWindow("runwatch — settings")
	keys := &windowKeys{close: w.Close, refresh: u.refreshNow, quit: u.quit}
	keys.bind(w)
	for _, e := range []*keyEntry{form.Project, form.Job, form.ExtraRegions, form.Interval, form.Top, form.FailureHours} {
		e.keys = keys
	}
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

// flagValues returns the values the given flags set: as told, else as the
// status shows them (the project and job polled, the interval).
func (u *UI) flagValues() poller.Config {
	v := u.actions.FlagValues
	v.Project = cmp.Or(v.Project, u.status.Snapshot.Project)
	if !u.status.Snapshot.AllJobs {
		v.Job = cmp.Or(v.Job, u.status.Snapshot.Job)
	}
	v.AllJobs = v.AllJobs || u.status.Snapshot.AllJobs
	v.Interval = cmp.Or(v.Interval, u.status.Interval)
	return v
}

// keepSavedWhereFlagged returns s with the saved values of the fields a
// flag set for this run: the form shows the flags' values, which are not
// to be saved.
func keepSavedWhereFlagged(s, saved view.Settings, flags map[string]bool) view.Settings {
	if flags["project"] {
		s.Project = saved.Project
	}
	if flags["job"] || flags["all-jobs"] {
		s.Job, s.AllJobs = saved.Job, saved.AllJobs
	}
	if flags["regions"] {
		s.Regions = saved.Regions
	}
	if flags["interval"] {
		s.Interval = saved.Interval
	}
	if flags["top"] {
		s.Top = saved.Top
	}
	return s
}

// setStartAtLogin writes or removes the autostart entry, for this binary
// with args, the flags that name what the running app watches. An entry
// already there is written again (the flags may have changed since) only
// by the real app: the demo shares the entry, and a person saving the
// demo's settings did not ask for the simulation at login. Ticking the box
// writes it from either.
func setStartAtLogin(on, ticked, demo bool, args []string) error {
	if !on {
		if !autostart.Enabled() {
			return nil
		}
		return autostart.Disable()
	}
	if !ticked && demo && autostart.Enabled() {
		return nil
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
	s = keepSavedWhereFlagged(s, view.LoadSettings(u.app.Preferences()), u.actions.FlagsGiven)
	ticked := form.StartAtLogin.Checked && !form.loginAtOpen
	if err := setStartAtLogin(form.StartAtLogin.Checked, ticked, u.demo, u.actions.LoginArgs); err != nil {
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
