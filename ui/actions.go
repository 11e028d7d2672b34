package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"runwatch/poller"
	"runwatch/ui/view"
)

// The details' bounds on an action asked of whoever has the clients (the
// tray process gives a run again or a cancel 70 s, the socket 75 s; the
// overrides 35 s in all).
const (
	actionWait    = 80 * time.Second
	overridesWait = 40 * time.Second
)

// detailsActions are the details' actions on Cloud Run and the commands
// they copy; their widgets are named for tests.
type detailsActions struct {
	RunAgain        *widget.Button
	Cancel          *widget.Button
	CopyCommand     *widget.Button // gcloud … executions describe
	CopyLogsCommand *widget.Button // gcloud beta … executions logs read
	// ActionResult says how the last action went, in one plain line:
	// "started vertex-ai-launcher-ab12c", or why it did not take.
	ActionResult *widget.Label

	// The open confirmation (nil: none), its question and, for Run again,
	// what reading the overrides says and the choice to repeat them.
	Confirmation  *dialog.ConfirmDialog
	Question      *widget.Label
	OverridesNote *widget.Label
	WithOverrides *widget.Check
}

// actionBoard keeps each execution's action under way and how the last one
// went, beyond the details window that asked: details closed and opened
// again show it, and offer no second one meanwhile. Used on Fyne's thread
// only.
type actionBoard struct {
	states map[string]*actionState // by resource
	// open returns the details of a resource open now (nil: none).
	open func(resource string) *Details
}

// actionState is an execution's action: under way, or its result line.
type actionState struct {
	busy   bool
	line   string
	failed bool
}

// busy reports whether an action on resource is under way.
func (b *actionBoard) busy(resource string) bool {
	st := b.states[resource]
	return st != nil && st.busy
}

// newActions makes the action widgets of d; its rows go under the log
// lines.
func (d *Details) newActions() (commands, act fyne.CanvasObject) {
	d.RunAgain = widget.NewButton("Run again…", func() { d.Confirm(view.ConfirmRunAgain) })
	d.Cancel = widget.NewButton("Cancel…", func() { d.Confirm(view.ConfirmCancel) })
	d.CopyCommand = widget.NewButton("Copy gcloud command", func() { d.copyText(view.GcloudDescribe(d.execution)) })
	d.CopyLogsCommand = widget.NewButton("Copy logs command", func() { d.copyText(view.GcloudLogs(d.execution)) })
	d.ActionResult = widget.NewLabel("")
	d.ActionResult.Wrapping = fyne.TextWrapWord
	d.ActionResult.Hide()
	return container.NewHBox(d.OpenLogs, d.CopyError, d.CopyCommand, d.CopyLogsCommand),
		container.NewHBox(d.Acknowledge, d.RunAgain, d.Cancel)
}

// showActions offers the actions e's state allows, none while one is
// under way or where nobody can do them (no clients at hand).
func (d *Details) showActions(e poller.Execution) {
	for _, b := range []struct {
		button  *widget.Button
		c       view.Confirmation
		present bool
	}{
		{d.RunAgain, view.ConfirmRunAgain, d.with.runAgain != nil},
		{d.Cancel, view.ConfirmCancel, d.with.cancel != nil},
	} {
		switch {
		case !b.present || !view.Offered(e, b.c):
			b.button.Hide()
		case d.with.board.busy(e.Resource):
			b.button.Disable()
			b.button.Show()
		default:
			b.button.Enable()
			b.button.Show()
		}
	}
}

// Confirm asks whether to do c to the execution shown, in a dialog over
// the details; confirming does it, dismissing does nothing. It asks
// nothing while another confirmation is open or an action is under way,
// or when the execution's state no longer allows c.
func (d *Details) Confirm(c view.Confirmation) {
	e := d.execution
	if d.Confirmation != nil || d.with.board.busy(e.Resource) || !view.Offered(e, c) {
		return
	}
	switch {
	case c == view.ConfirmRunAgain && d.with.runAgain != nil:
		d.confirmRunAgain(e)
	case c == view.ConfirmCancel && d.with.cancel != nil:
		d.confirmCancel(e)
	}
}

// confirmRunAgain asks whether to run e's job again. When e ran with
// overrides (read while the question shows), it offers to repeat them,
// unchecked: what reads as overrides includes whatever changed in the job
// since e ran (Cloud Run keeps no record of what was asked for), so
// repeating them could undo a later fix to the job, and running with
// overrides needs run.jobs.runWithOverrides (roles/run.developer), which
// a run.invoker lacks. Running as the job says now is the safe default.
func (d *Details) confirmRunAgain(e poller.Execution) {
	d.Question = widget.NewLabel(view.RunAgainQuestion(e))
	d.OverridesNote = widget.NewLabel("")
	d.OverridesNote.Hide()
	d.WithOverrides = widget.NewCheck("", nil)
	d.WithOverrides.Hide()
	content := container.NewVBox(d.Question, d.OverridesNote, d.WithOverrides)
	ctx, stop := context.WithTimeout(context.Background(), overridesWait)
	var dlg *dialog.ConfirmDialog
	dlg = dialog.NewCustomConfirm("Run again?", "Run again", "Don't run", content, func(ok bool) {
		stop()
		with := d.WithOverrides.Visible() && d.WithOverrides.Checked
		d.Confirmation = nil
		if ok {
			d.act(view.RunningAgain(e), func(ctx context.Context) (string, error) {
				started, err := d.with.runAgain(ctx, e.Resource, with)
				return view.Started(started), err
			})
		}
	}, d.Window)
	d.Confirmation = dlg
	dlg.Show()
	if d.with.overrides == nil {
		stop()
		return
	}
	d.OverridesNote.SetText("Reading what it ran with…")
	d.OverridesNote.Show()
	go func() {
		words, err := d.with.overrides(ctx, e.Resource)
		d.with.do(func() {
			if d.Confirmation != dlg {
				return // answered or closed meanwhile
			}
			d.showOverrides(words, err)
			dlg.Resize(dlg.MinSize())
		})
	}()
}

// showOverrides shows what reading the overrides said: the choice to
// repeat them, nothing when there were none, or why they are not known.
func (d *Details) showOverrides(words string, err error) {
	d.OverridesNote.Hide()
	switch choice := view.OverridesChoice(words); {
	case err != nil:
		d.OverridesNote.SetText("Its overrides could not be read (" + view.ActionFailed(err) + "); it runs as its job says.")
		d.OverridesNote.Show()
	case choice != "":
		d.WithOverrides.SetText(choice)
		d.WithOverrides.Show()
	}
}

// confirmCancel asks whether to cancel e.
func (d *Details) confirmCancel(e poller.Execution) {
	d.Question = widget.NewLabel(view.CancelQuestion(e))
	dlg := dialog.NewCustomConfirm("Cancel execution?", "Cancel execution", "Keep it running", d.Question, func(ok bool) {
		d.Confirmation = nil
		if ok {
			d.act(view.Cancelling(e), func(ctx context.Context) (string, error) {
				return view.Cancelled(e), d.with.cancel(ctx, e.Resource)
			})
		}
	}, d.Window)
	d.Confirmation = dlg
	dlg.Show()
}

// act does a confirmed action off Fyne's thread, saying doing meanwhile,
// then its result line or why it did not take, in the execution's details
// open then (these, or others opened since). Closing the window does not
// stop it: a person asked for it.
func (d *Details) act(doing string, call func(context.Context) (string, error)) {
	resource := d.execution.Resource
	st := &actionState{busy: true, line: doing}
	d.with.board.states[resource] = st
	d.showResult(doing, false)
	d.showActions(d.execution)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), actionWait)
		defer cancel()
		done, err := call(ctx)
		d.with.do(func() {
			st.busy, st.line = false, done
			if err != nil {
				st.line, st.failed = view.ActionFailed(err), true
			}
			if open := d.with.board.open(resource); open != nil {
				open.showResult(st.line, st.failed)
				open.showActions(open.execution)
			}
		})
	}()
}

// showResult shows the action's line, plain text, as a warning when it
// failed.
func (d *Details) showResult(line string, failed bool) {
	d.ActionResult.Importance = widget.MediumImportance
	if failed {
		d.ActionResult.Importance = widget.WarningImportance
	}
	d.ActionResult.SetText(line)
	d.ActionResult.Show()
	d.fit()
}

// copyText puts text on the clipboard.
func (d *Details) copyText(text string) { d.app.Clipboard().SetContent(text) }
