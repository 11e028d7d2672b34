package ui

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
	"runwatch/ui/view"
)

// Details is the window with everything known of one execution. Its
// widgets are named for tests; all text is plain, never markup. A field
// with nothing to say is left out, and the window is as tall as what it
// shows, up to detailsMaxHeight, the log lines scrolling beyond it.
type Details struct {
	app    fyne.App
	Window fyne.Window

	Resource *widget.Label
	Region   *widget.Label
	State    *widget.Label
	Times    *widget.Label
	Tasks    *widget.Label
	Error    *widget.Label
	// Category is the kind of error in words, when the error line does not
	// say it already.
	Category *widget.Label
	// Limit is the template's limit a timeout or an OOM kill hit.
	Limit *widget.Label
	// CloudRun is what Cloud Run itself said, whatever the logs say.
	CloudRun *widget.Label
	// Recurrence says whether the error came before (view.Recurrence);
	// Grouping shows the masked line two errors are matched by, when there
	// are earlier ones.
	Recurrence *widget.Label
	Grouping   *widget.Label
	// LogsNote says why no log lines show: being read, none in Cloud
	// Logging, or the read's error.
	LogsNote    *widget.Label
	Context     *widget.Label
	Logs        *container.Scroll // the log lines; hidden when there are none
	Acknowledge *widget.Button
	OpenLogs    *widget.Button
	CopyError   *widget.Button
	// OpenFailed says why Open logs opened nothing (no browser set up).
	OpenFailed *widget.Label
	detailsActions

	names     map[*widget.Label]*widget.Label // each field's name
	fitted    string                          // the execution the window was last sized for, with its log length
	execution poller.Execution

	with detailsWith
	// The last lines, read on demand for a failure whose logs were not read
	// (a timeout, an OOM kill): asked once per window.
	stop     context.CancelFunc // ends the read when the window closes
	closed   bool
	asked    bool
	answered bool
	read     []string // what the read returned
	readErr  error
}

// detailsWith is what a details window works with.
type detailsWith struct {
	acknowledge func(resource string)
	// lastLines reads an execution's last log lines, off Fyne's main
	// thread (nil: details do not ask); do runs the answer's update on it.
	lastLines func(ctx context.Context, resource string) ([]string, error)
	do        func(func())
	now       func() time.Time
	// openURL opens a link in the browser, returning why it could not; it
	// may take seconds (browser.Open).
	openURL func(*url.URL) error
	// runAgain, cancel and overrides act on Cloud Run through whoever has
	// the clients (Actions); nil: the details do not offer them.
	runAgain  func(ctx context.Context, resource string, withOverrides bool) (string, error)
	cancel    func(ctx context.Context, resource string) error
	overrides func(ctx context.Context, resource string) (string, error)
	// board keeps the actions under way, shared by all details windows.
	board *actionBoard
}

// lastLinesWait bounds the details' read of the last lines: the tray
// process gives the read itself 40 s (it may wait for Cloud Logging's
// budget), the socket 45 s.
const lastLinesWait = 50 * time.Second

// The details window's width, and the height it grows to at most (within
// a 768 px screen with its panel).
const (
	detailsWidth     = 760
	detailsMaxHeight = 560
)

func newDetails(a fyne.App, with detailsWith, onClose func()) *Details {
	d := &Details{app: a, Window: a.NewWindow("runwatch — execution"), names: map[*widget.Label]*widget.Label{}, with: with}
	if d.with.board == nil { // details of their own (tests)
		d.with.board = &actionBoard{states: map[string]*actionState{}, open: func(string) *Details {
			if d.closed {
				return nil
			}
			return d
		}}
	}
	plain := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	d.Resource, d.Region, d.State, d.Times, d.Tasks = plain(), plain(), plain(), plain(), plain()
	d.Error, d.Category, d.Limit, d.Recurrence, d.Grouping, d.CloudRun = plain(), plain(), plain(), plain(), plain(), plain()
	d.LogsNote = plain()
	d.Error.TextStyle = fyne.TextStyle{Bold: true}
	d.Context = widget.NewLabel("")
	d.Context.TextStyle = fyne.TextStyle{Monospace: true}
	d.OpenLogs = widget.NewButton("Open logs in Cloud Console", d.openLogs)
	d.CopyError = widget.NewButton("Copy error", d.copyError)
	d.Acknowledge = widget.NewButton("Acknowledge", func() { with.acknowledge(d.execution.Resource) })
	fields := container.New(layout.NewFormLayout())
	for _, f := range []struct {
		name  string
		value *widget.Label
	}{
		{"Execution", d.Resource}, {"Region", d.Region}, {"State", d.State}, {"Times", d.Times},
		{"Tasks", d.Tasks}, {"Error", d.Error}, {"Kind of error", d.Category}, {"Limit", d.Limit}, {"Cloud Run says", d.CloudRun},
		{"History", d.Recurrence}, {"Matched as", d.Grouping}, {"Log lines", d.LogsNote},
	} {
		name := widget.NewLabel(f.name)
		name.TextStyle = fyne.TextStyle{Bold: true}
		d.names[f.value] = name
		fields.Add(name)
		fields.Add(f.value)
	}
	d.Logs = container.NewScroll(d.Context)
	d.Logs.SetMinSize(fyne.NewSize(0, 3*d.Context.MinSize().Height))
	d.OpenFailed = plain()
	d.OpenFailed.Importance = widget.WarningImportance
	d.OpenFailed.Hide()
	commands, act := d.newActions()
	buttons := container.NewVBox(d.OpenFailed, d.ActionResult, commands, act)
	d.Window.SetContent(container.NewBorder(fields, buttons, nil, nil, d.Logs))
	d.Window.SetOnClosed(func() {
		d.closed = true
		if d.stop != nil {
			d.stop()
		}
		onClose()
	})
	return d
}

// setField shows a field with its text, or leaves it out when it has none.
func (d *Details) setField(value *widget.Label, text string) {
	value.SetText(text)
	if text == "" {
		value.Hide()
		d.names[value].Hide()
		return
	}
	value.Show()
	d.names[value].Show()
}

// Show fills the window with an execution.
func (d *Details) Show(e poller.Execution, now time.Time) {
	d.execution = e
	d.Window.SetTitle("runwatch — " + e.Name)
	d.setField(d.Resource, e.Resource)
	d.setField(d.Region, e.Region)
	d.setField(d.State, view.StateWord(e.State))
	d.setField(d.Times, view.Times(e, now))
	d.setField(d.Tasks, view.TaskCounts(e))
	d.setField(d.Error, view.ErrorLine(e))
	d.setField(d.Category, view.ErrorKind(e))
	d.setField(d.Limit, view.LimitHit(e))
	d.setField(d.CloudRun, cloudRunText(e))
	d.setField(d.Recurrence, view.Recurrence(e.Occurrences, e.FirstOccurred, e.Completed, e.Kind))
	grouping := ""
	if e.Error != "" && e.Occurrences > 1 {
		grouping = lifecycle.Masked(e.Error)
	}
	d.setField(d.Grouping, grouping)
	d.askLastLines(e)
	lines, matched := d.logLines()
	d.setField(d.LogsNote, d.logsNote(e))
	d.Context.SetText(contextText(lines, matched))
	if len(lines) == 0 {
		d.Logs.Hide()
	} else {
		d.Logs.Show()
	}
	switch {
	case e.State != poller.StateFailed:
		d.Acknowledge.Hide()
	case e.Acknowledged:
		d.Acknowledge.SetText("Acknowledged")
		d.Acknowledge.Disable()
		d.Acknowledge.Show()
	default:
		d.Acknowledge.SetText("Acknowledge")
		d.Acknowledge.Enable()
		d.Acknowledge.Show()
	}
	if view.IsConsoleURL(e.LogURI) {
		d.OpenLogs.Enable()
	} else {
		d.OpenLogs.Disable()
	}
	if e.Error == "" {
		d.CopyError.Hide()
	} else {
		d.CopyError.Show()
	}
	d.showActions(e)
	if st := d.with.board.states[e.Resource]; st != nil && (d.ActionResult.Text != st.line || !d.ActionResult.Visible()) {
		d.showResult(st.line, st.failed)
	}
	d.fit()
}

// wantsLastLines reports whether details read e's last lines: a failure
// announced from Cloud Run's reason alone, whose logs the poller does not
// read (a timeout, an OOM kill, a cancellation). One whose logs are still
// being read is left to the poller, which reads them within its back-off.
func (d *Details) wantsLastLines(e poller.Execution) bool {
	return d.with.lastLines != nil && e.State == poller.StateFailed && len(e.Context) == 0 && e.Logs == poller.LogsSkipped
}

// askLastLines starts reading e's last lines, once in the window's life,
// when the details want them; the answer comes back through d.do.
func (d *Details) askLastLines(e poller.Execution) {
	if d.asked || !d.wantsLastLines(e) {
		return
	}
	d.asked = true
	ctx, cancel := context.WithTimeout(context.Background(), lastLinesWait)
	d.stop = cancel
	go func() {
		defer cancel()
		lines, err := d.with.lastLines(ctx, e.Resource)
		d.with.do(func() {
			d.answered, d.read, d.readErr = true, lines, err
			if !d.closed {
				d.Show(d.execution, d.with.now())
			}
		})
	}()
}

// logLines returns the log lines to show and which is the error line (-1:
// none): the execution's, else those read on demand.
func (d *Details) logLines() ([]string, int) {
	if len(d.execution.Context) > 0 {
		return d.execution.Context, d.execution.Matched
	}
	return d.read, -1
}

// logsNote says why the details show no log lines of e, while they want
// them: "" when they show some, or do not look for any.
func (d *Details) logsNote(e poller.Execution) string {
	switch {
	case len(e.Context) > 0 || !d.asked || len(d.read) > 0:
		return ""
	case !d.answered:
		return "Reading the last log lines…"
	case errors.Is(d.readErr, poller.ErrNoLogs), d.readErr == nil:
		return "No log entries in Cloud Logging"
	}
	return "Could not read the last log lines: " + d.readErr.Error()
}

// fit sizes the window to what it shows, once per execution and log
// length, so that a refresh does not undo a person's resizing: the fields
// and buttons in full, the log lines up to detailsMaxHeight.
func (d *Details) fit() {
	lines, _ := d.logLines()
	key := fmt.Sprintf("%s/%d/%q/%q", d.execution.Resource, len(lines), d.LogsNote.Text, d.ActionResult.Text)
	if key == d.fitted {
		return
	}
	d.fitted = key
	d.Window.Resize(fyne.NewSize(detailsWidth, 1)) // lays the wrapped fields out at this width
	height := d.Window.Content().MinSize().Height
	if d.Logs.Visible() {
		height += d.Context.MinSize().Height - d.Logs.MinSize().Height
	}
	d.Window.Resize(fyne.NewSize(detailsWidth, min(height, detailsMaxHeight)))
	d.scrollToMatched()
}

// scrollToMatched scrolls the log lines so the error line (marked →) is
// in the middle of the pane.
func (d *Details) scrollToMatched() {
	shown, matched := d.logLines()
	lines := len(shown) + 1 // the heading too
	switch {
	case !d.Logs.Visible():
		return
	case matched < 0 || matched >= len(shown):
		d.Logs.ScrollToBottom() // the last lines: the end is what matters
		return
	}
	lineHeight := d.Context.MinSize().Height / float32(lines)
	y := lineHeight*float32(matched+1) - d.Logs.Size().Height/2
	d.Logs.ScrollToOffset(fyne.NewPos(0, max(y, 0)))
}

// cloudRunText is Cloud Run's own reason: "task 0 exited with code 1
// after 2 retries (NON_ZERO_EXIT_CODE)"; "" for other states, or when
// the error line is Cloud Run's.
func cloudRunText(e poller.Execution) string {
	cr := e.CloudRun
	if e.State != poller.StateFailed || cr == nil || cr.Message == "" || cr.Message == view.ErrorLine(e) {
		return "" // nothing, or the error line already
	}
	if cr.Reason != "" {
		return cr.Message + " (" + cr.Reason + ")"
	}
	return cr.Message
}

// contextText shows log lines under a heading: around the error line,
// marked, when matched is one of them; else the last lines before the
// execution stopped, none marked.
func contextText(lines []string, matched int) string {
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	if matched >= 0 && matched < len(lines) {
		b.WriteString("Log lines around the error:")
	} else {
		b.WriteString("Last lines before it stopped:")
	}
	for i, l := range lines {
		mark := "  "
		if i == matched {
			mark = "→ "
		}
		b.WriteString("\n" + mark + l)
	}
	return b.String()
}

// openLogs opens the execution's page in the Cloud Console, off Fyne's
// thread (the opener is waited for), and says in the window when it could
// not.
func (d *Details) openLogs() {
	if !view.IsConsoleURL(d.execution.LogURI) {
		return
	}
	d.OpenFailed.Hide()
	link, err := url.Parse(d.execution.LogURI)
	if err != nil {
		d.openFailed(err)
		return
	}
	go func() {
		if err := d.with.openURL(link); err != nil {
			log.Printf("runwatch: %v", err)
			d.with.do(func() { d.openFailed(err) })
		}
	}()
}

// openFailed shows why Open logs opened nothing.
func (d *Details) openFailed(err error) {
	if d.closed {
		return
	}
	d.OpenFailed.SetText("Could not open the logs: " + err.Error())
	d.OpenFailed.Show()
}

func (d *Details) copyError() {
	if d.execution.Error != "" {
		d.app.Clipboard().SetContent(d.execution.Error)
	}
}
