package ui

import (
	"fmt"
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
	Recurrence  *widget.Label
	Grouping    *widget.Label
	Context     *widget.Label
	Logs        *container.Scroll // the log lines; hidden when there are none
	Acknowledge *widget.Button
	OpenLogs    *widget.Button
	CopyError   *widget.Button

	names     map[*widget.Label]*widget.Label // each field's name
	fitted    string                          // the execution the window was last sized for, with its log length
	execution poller.Execution
}

// The details window's width, and the height it grows to at most (within
// a 768 px screen with its panel).
const (
	detailsWidth     = 760
	detailsMaxHeight = 560
)

func newDetails(a fyne.App, acknowledge func(resource string), onClose func()) *Details {
	d := &Details{app: a, Window: a.NewWindow("runwatch — execution"), names: map[*widget.Label]*widget.Label{}}
	plain := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	d.Resource, d.Region, d.State, d.Times, d.Tasks = plain(), plain(), plain(), plain(), plain()
	d.Error, d.Category, d.Limit, d.Recurrence, d.Grouping, d.CloudRun = plain(), plain(), plain(), plain(), plain(), plain()
	d.Error.TextStyle = fyne.TextStyle{Bold: true}
	d.Context = widget.NewLabel("")
	d.Context.TextStyle = fyne.TextStyle{Monospace: true}
	d.OpenLogs = widget.NewButton("Open logs in Cloud Console", d.openLogs)
	d.CopyError = widget.NewButton("Copy error", d.copyError)
	d.Acknowledge = widget.NewButton("Acknowledge", func() { acknowledge(d.execution.Resource) })
	fields := container.New(layout.NewFormLayout())
	for _, f := range []struct {
		name  string
		value *widget.Label
	}{
		{"Execution", d.Resource}, {"Region", d.Region}, {"State", d.State}, {"Times", d.Times},
		{"Tasks", d.Tasks}, {"Error", d.Error}, {"Kind of error", d.Category}, {"Limit", d.Limit}, {"Cloud Run says", d.CloudRun},
		{"History", d.Recurrence}, {"Matched as", d.Grouping},
	} {
		name := widget.NewLabel(f.name)
		name.TextStyle = fyne.TextStyle{Bold: true}
		d.names[f.value] = name
		fields.Add(name)
		fields.Add(f.value)
	}
	d.Logs = container.NewScroll(d.Context)
	d.Logs.SetMinSize(fyne.NewSize(0, 3*d.Context.MinSize().Height))
	buttons := container.NewHBox(d.OpenLogs, d.CopyError, d.Acknowledge)
	d.Window.SetContent(container.NewBorder(fields, buttons, nil, nil, d.Logs))
	d.Window.SetOnClosed(onClose)
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
	d.Context.SetText(contextText(e))
	if len(e.Context) == 0 {
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
	d.fit()
}

// fit sizes the window to what it shows, once per execution and log
// length, so that a refresh does not undo a person's resizing: the fields
// and buttons in full, the log lines up to detailsMaxHeight.
func (d *Details) fit() {
	key := fmt.Sprintf("%s/%d", d.execution.Resource, len(d.execution.Context))
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
	lines := len(d.execution.Context) + 1 // the heading too
	if !d.Logs.Visible() || d.execution.Matched < 0 || d.execution.Matched >= len(d.execution.Context) {
		return
	}
	lineHeight := d.Context.MinSize().Height / float32(lines)
	y := lineHeight*float32(d.execution.Matched+1) - d.Logs.Size().Height/2
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

// contextText shows the log lines around the error line, marking it.
func contextText(e poller.Execution) string {
	if len(e.Context) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Log lines around the error:")
	for i, l := range e.Context {
		mark := "  "
		if i == e.Matched {
			mark = "→ "
		}
		b.WriteString("\n" + mark + l)
	}
	return b.String()
}

func (d *Details) openLogs() {
	if !view.IsConsoleURL(d.execution.LogURI) {
		return
	}
	u, err := url.Parse(d.execution.LogURI)
	if err == nil {
		_ = d.app.OpenURL(u)
	}
}

func (d *Details) copyError() {
	if d.execution.Error != "" {
		d.app.Clipboard().SetContent(d.execution.Error)
	}
}
