package ui

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
	"runwatch/ui/view"
)

// Details is the window with everything known of one execution. Its
// widgets are named for tests; all text is plain, never markup.
type Details struct {
	app    fyne.App
	Window fyne.Window

	Resource *widget.Label
	Region   *widget.Label
	State    *widget.Label
	Times    *widget.Label
	Tasks    *widget.Label
	Error    *widget.Label
	Category *widget.Label
	// CloudRun is what Cloud Run itself said, whatever the logs say.
	CloudRun *widget.Label
	// view.Recurrence says whether the error came before; Grouping shows the
	// masked line two errors are grouped by.
	Recurrence  *widget.Label
	Grouping    *widget.Label
	Context     *widget.Label
	Acknowledge *widget.Button
	OpenLogs    *widget.Button
	CopyError   *widget.Button

	execution poller.Execution
}

func newDetails(a fyne.App, acknowledge func(resource string), onClose func()) *Details {
	d := &Details{app: a, Window: a.NewWindow("runwatch — execution")}
	plain := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	d.Resource, d.Region, d.State, d.Times, d.Tasks = plain(), plain(), plain(), plain(), plain()
	d.Error, d.Category, d.Recurrence, d.Grouping, d.CloudRun = plain(), plain(), plain(), plain(), plain()
	d.Error.TextStyle = fyne.TextStyle{Bold: true}
	d.Context = widget.NewLabel("")
	d.Context.TextStyle = fyne.TextStyle{Monospace: true}
	d.OpenLogs = widget.NewButton("Open logs in Cloud Console", d.openLogs)
	d.CopyError = widget.NewButton("Copy error", d.copyError)
	d.Acknowledge = widget.NewButton("Acknowledge", func() { acknowledge(d.execution.Resource) })
	form := widget.NewForm(
		widget.NewFormItem("Execution", d.Resource),
		widget.NewFormItem("Region", d.Region),
		widget.NewFormItem("State", d.State),
		widget.NewFormItem("Times", d.Times),
		widget.NewFormItem("Tasks", d.Tasks),
		widget.NewFormItem("Error", d.Error),
		widget.NewFormItem("Category", d.Category),
		widget.NewFormItem("Cloud Run says", d.CloudRun),
		widget.NewFormItem("Seen before", d.Recurrence),
		widget.NewFormItem("Grouped as", d.Grouping),
	)
	logs := container.NewScroll(d.Context)
	logs.SetMinSize(fyne.NewSize(0, 200))
	buttons := container.NewHBox(d.OpenLogs, d.CopyError, d.Acknowledge)
	d.Window.SetContent(container.NewBorder(form, buttons, nil, nil, logs))
	d.Window.Resize(fyne.NewSize(900, 560))
	d.Window.SetOnClosed(onClose)
	return d
}

// Show fills the window with an execution.
func (d *Details) Show(e poller.Execution, now time.Time) {
	d.execution = e
	d.Window.SetTitle("runwatch — " + e.Name)
	d.Resource.SetText(e.Resource)
	d.Region.SetText(e.Region)
	d.State.SetText(view.StateWord(e.State))
	d.Times.SetText(fmt.Sprintf("created %s · started %s · completed %s · ran %s",
		clock(e.Created), clock(e.Started), clock(e.Completed), poller.FormatDuration(e.Duration(now))))
	d.Tasks.SetText(fmt.Sprintf("%d tasks: %d running, %d succeeded, %d failed, %d cancelled, %d retried",
		e.Tasks, e.Running, e.Succeeded, e.Failed, e.Cancelled, e.Retried))
	d.Error.SetText(cmp.Or(view.ErrorLine(e), "—"))
	d.Category.SetText(cmp.Or(strings.ReplaceAll(e.Category, "_", " "), "—"))
	d.CloudRun.SetText(cloudRunText(e))
	d.Recurrence.SetText(cmp.Or(view.Recurrence(e.Occurrences, e.FirstOccurred, e.Completed, e.Kind), "—"))
	d.Grouping.SetText("—")
	if e.Error != "" {
		d.Grouping.SetText(lifecycle.Masked(e.Error))
	}
	d.Context.SetText(contextText(e))
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
		d.CopyError.Disable()
	} else {
		d.CopyError.Enable()
	}
}

// cloudRunText is Cloud Run's own reason: "task 0 exited with code 1
// after 2 retries (NON_ZERO_EXIT_CODE)".
func cloudRunText(e poller.Execution) string {
	cr := e.CloudRun
	if e.State != poller.StateFailed || cr == nil || cr.Message == "" {
		return "—"
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
	b.WriteString("Log lines around the error:\n")
	for i, l := range e.Context {
		mark := "  "
		if i == e.Matched {
			mark = "→ "
		}
		b.WriteString(mark + l + "\n")
	}
	return b.String()
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04:05")
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
