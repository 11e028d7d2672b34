package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"runwatch/poller"
	"runwatch/ui/view"
)

// fakeCloudRun is a fake of the Actions that act on Cloud Run: it records
// each call and answers at once; the UI's updates wait in a queue the test
// runs, as Fyne's main thread would.
type fakeCloudRun struct {
	mu        sync.Mutex
	runs      []string // "RESOURCE with overrides" or "RESOURCE"
	cancels   []string
	asked     int // overrides read
	overrides string
	refuse    error
	updates   chan func()
}

func newActionUI(t *testing.T, overrides string) (*UI, *fakeCloudRun) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	f := &fakeCloudRun{overrides: overrides, updates: make(chan func(), 4)}
	u := New(newTempApp(t), Actions{RunAgain: f.runAgain, Cancel: f.cancel, Overrides: f.readOverrides}, func() time.Time { return now })
	u.do = func(fn func()) { f.updates <- fn }
	u.ShowWindow()
	return u, f
}

func (f *fakeCloudRun) runAgain(ctx context.Context, resource string, with bool) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		return "", errors.New("asked without a timeout")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if with {
		resource += " with overrides"
	}
	f.runs = append(f.runs, resource)
	if f.refuse != nil {
		return "", f.refuse
	}
	return "projects/p/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-ab12c", nil
}

func (f *fakeCloudRun) cancel(ctx context.Context, resource string) error {
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("asked without a timeout")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancels = append(f.cancels, resource)
	return f.refuse
}

func (f *fakeCloudRun) readOverrides(ctx context.Context, _ string) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		return "", errors.New("asked without a timeout")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	return f.overrides, nil
}

// update runs the UI's next update, as Fyne's main thread would.
func (f *fakeCloudRun) update(t *testing.T) {
	t.Helper()
	select {
	case fn := <-f.updates:
		fn()
	case <-time.After(5 * time.Second):
		t.Fatal("no answer reached the window")
	}
}

func (f *fakeCloudRun) calls() (runs, cancels []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.runs...), append([]string(nil), f.cancels...)
}

// openDetails shows e in the executions and opens its details.
func openDetails(u *UI, e poller.Execution) *Details {
	u.Apply(poller.Result{Snapshot: snapshot(e)})
	u.OpenDetails(e.Resource)
	return u.DetailsOf(e.Resource)
}

func TestDetailsOfferRunAgainForAFinishedExecutionAndCancelForARunningOne(t *testing.T) {
	u, _ := newActionUI(t, "")
	bad := openDetails(u, execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute))
	if !bad.RunAgain.Visible() || bad.Cancel.Visible() {
		t.Errorf("a failure: run again shown %v, cancel shown %v", bad.RunAgain.Visible(), bad.Cancel.Visible())
	}
	running := openDetails(u, execution("us-east1", "vertex-ai-launcher-a1b2c", poller.StateRunning, time.Minute))
	if running.RunAgain.Visible() || !running.Cancel.Visible() {
		t.Errorf("a running one: run again shown %v, cancel shown %v", running.RunAgain.Visible(), running.Cancel.Visible())
	}
}

// Confirming Run again runs the job once, as the job says (the overrides'
// check starts unchecked), and the details say which execution started.
func TestConfirmingRunAgainRunsTheJobOnceAndSaysWhichStarted(t *testing.T) {
	u, f := newActionUI(t, "args --epochs 3 · env LR=0.1")
	e := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	d := openDetails(u, e)
	test.Tap(d.RunAgain)
	if d.Confirmation == nil || d.Question.Text != "Run vertex-ai-launcher again in us-west3? (run again of vertex-ai-launcher-x7k2p)" {
		t.Fatalf("confirmation %v asking %q", d.Confirmation, d.Question.Text)
	}
	f.update(t) // the overrides read
	if !d.WithOverrides.Visible() || d.WithOverrides.Text != "with the same overrides: args --epochs 3 · env LR=0.1" || d.WithOverrides.Checked {
		t.Errorf("overrides check %q shown %v checked %v", d.WithOverrides.Text, d.WithOverrides.Visible(), d.WithOverrides.Checked)
	}
	d.Confirmation.Confirm()
	if d.ActionResult.Text != "starting vertex-ai-launcher in us-west3…" || !d.RunAgain.Disabled() {
		t.Errorf("while running: %q, run again disabled %v", d.ActionResult.Text, d.RunAgain.Disabled())
	}
	f.update(t)
	if d.ActionResult.Text != "started vertex-ai-launcher-ab12c" || d.ActionResult.Importance == widget.WarningImportance {
		t.Errorf("result %q (importance %v)", d.ActionResult.Text, d.ActionResult.Importance)
	}
	if runs, _ := f.calls(); len(runs) != 1 || runs[0] != e.Resource {
		t.Errorf("ran %q, want %s once without overrides", runs, e.Resource)
	}
	if d.RunAgain.Disabled() {
		t.Error("run again stays disabled after the action")
	}
}

func TestRunAgainWithTheOverridesCheckedRepeatsThem(t *testing.T) {
	u, f := newActionUI(t, "args --epochs 3")
	e := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	d := openDetails(u, e)
	test.Tap(d.RunAgain)
	f.update(t)
	d.WithOverrides.SetChecked(true)
	d.Confirmation.Confirm()
	f.update(t)
	if runs, _ := f.calls(); len(runs) != 1 || runs[0] != e.Resource+" with overrides" {
		t.Errorf("ran %q", runs)
	}
}

// An execution that ran as its job says offers no overrides' check.
func TestRunAgainOffersNoOverridesWhereThereWereNone(t *testing.T) {
	u, f := newActionUI(t, "")
	d := openDetails(u, execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateSucceeded, time.Minute))
	test.Tap(d.RunAgain)
	f.update(t)
	if d.WithOverrides.Visible() || d.OverridesNote.Visible() {
		t.Errorf("check %q shown, note %q shown %v", d.WithOverrides.Text, d.OverridesNote.Text, d.OverridesNote.Visible())
	}
}

func TestConfirmingCancelCancelsOnce(t *testing.T) {
	u, f := newActionUI(t, "")
	e := execution("us-east1", "vertex-ai-launcher-a1b2c", poller.StateRunning, time.Minute)
	d := openDetails(u, e)
	test.Tap(d.Cancel)
	if d.Confirmation == nil || d.Question.Text != "Cancel vertex-ai-launcher-a1b2c in us-east1? Its running tasks are stopped." {
		t.Fatalf("confirmation %v asking %q", d.Confirmation, d.Question.Text)
	}
	d.Confirmation.Confirm()
	f.update(t)
	if _, cancels := f.calls(); len(cancels) != 1 || cancels[0] != e.Resource {
		t.Errorf("cancelled %q", cancels)
	}
	if d.ActionResult.Text != "cancelled vertex-ai-launcher-a1b2c" {
		t.Errorf("result %q", d.ActionResult.Text)
	}
}

func TestDismissingTheConfirmationAsksNothing(t *testing.T) {
	u, f := newActionUI(t, "")
	bad := openDetails(u, execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute))
	test.Tap(bad.RunAgain)
	f.update(t) // the overrides read, which changes nothing
	bad.Confirmation.Dismiss()
	running := openDetails(u, execution("us-east1", "vertex-ai-launcher-a1b2c", poller.StateRunning, time.Minute))
	test.Tap(running.Cancel)
	running.Confirmation.Dismiss()
	time.Sleep(50 * time.Millisecond)
	if runs, cancels := f.calls(); len(runs)+len(cancels) != 0 {
		t.Errorf("dismissed, yet ran %q and cancelled %q", runs, cancels)
	}
	if bad.Confirmation != nil || running.Confirmation != nil || bad.ActionResult.Visible() || running.ActionResult.Visible() {
		t.Error("a dismissed confirmation left something behind")
	}
}

// A refusal shows Cloud Run's reason in the one result line, plain text,
// as a warning.
func TestARefusedRunAgainShowsThePermissionItNeeds(t *testing.T) {
	u, f := newActionUI(t, "")
	const refusal = "permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.run (roles/run.invoker or roles/run.developer)"
	f.refuse = errors.New(refusal)
	d := openDetails(u, execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute))
	test.Tap(d.RunAgain)
	f.update(t)
	d.Confirmation.Confirm()
	f.update(t)
	if d.ActionResult.Text != refusal || d.ActionResult.Importance != widget.WarningImportance {
		t.Errorf("result %q (importance %v), want %q as a warning", d.ActionResult.Text, d.ActionResult.Importance, refusal)
	}
	f.refuse = fmt.Errorf("vertex-ai-launcher-a1b2c %w (succeeded 1m ago); only a running or pending execution can be cancelled", poller.ErrAlreadyFinished)
	running := openDetails(u, execution("us-east1", "vertex-ai-launcher-a1b2c", poller.StateRunning, time.Minute))
	test.Tap(running.Cancel)
	running.Confirmation.Confirm()
	f.update(t)
	if running.ActionResult.Text != f.refuse.Error() {
		t.Errorf("result %q", running.ActionResult.Text)
	}
}

// The tray menu's Run … again… and Cancel … (the one-process app's Fyne
// tray) open the details with the confirmation shown.
func TestMenuItemsOpenDetailsWithTheConfirmation(t *testing.T) {
	u, f := newActionUI(t, "")
	bad := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	running := execution("us-east1", "vertex-ai-launcher-a1b2c", poller.StateRunning, 30*time.Second)
	u.Apply(poller.Result{Snapshot: snapshot(running, bad)})
	u.menuAction(view.MenuLine{Action: view.ActRunAgain, Resource: bad.Resource})()
	d := u.DetailsOf(bad.Resource)
	if d == nil || d.Confirmation == nil || d.Question.Text != view.RunAgainQuestion(bad) {
		t.Fatalf("run again from the menu: details %v", d)
	}
	f.update(t)
	u.menuAction(view.MenuLine{Action: view.ActCancel, Resource: running.Resource})()
	if d := u.DetailsOf(running.Resource); d == nil || d.Confirmation == nil || d.Question.Text != view.CancelQuestion(running) {
		t.Fatalf("cancel from the menu: details %v", d)
	}
	if runs, cancels := f.calls(); len(runs)+len(cancels) != 0 {
		t.Errorf("the menu acted unconfirmed: ran %q, cancelled %q", runs, cancels)
	}
}

func TestCopyGcloudCommandCopiesTheDescribeAndLogsCommands(t *testing.T) {
	u, _ := newActionUI(t, "")
	e := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	d := openDetails(u, e)
	test.Tap(d.CopyCommand)
	if got, want := u.app.Clipboard().Content(), "gcloud run jobs executions describe vertex-ai-launcher-x7k2p --region us-west3 --project p"; got != want {
		t.Errorf("clipboard %q, want %q", got, want)
	}
	test.Tap(d.CopyLogsCommand)
	if got, want := u.app.Clipboard().Content(), "gcloud beta run jobs executions logs read vertex-ai-launcher-x7k2p --region us-west3 --project p"; got != want {
		t.Errorf("clipboard %q, want %q", got, want)
	}
}

// A run again under way is shown in the execution's details however they
// are opened: closed and opened again before Cloud Run answered, they say
// it is under way and do not offer Run again… a second time (a second
// confirmation started a second execution).
func TestDetailsOpenedAgainWhileRunAgainIsUnderWayDoNotRunItTwice(t *testing.T) {
	u, f := newActionUI(t, "")
	e := execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Minute)
	d := openDetails(u, e)
	test.Tap(d.RunAgain)
	f.update(t) // the overrides read
	d.Confirmation.Confirm()
	waitForCalls(t, f, 1)
	// Cloud Run has not answered yet (its answer waits in f.updates); the
	// person closes the details and opens them again from the row.
	d.Window.Close()
	again := openDetails(u, e)
	if again == d {
		t.Fatal("the closed details were reused")
	}
	underWay := again.RunAgain.Disabled() || !again.RunAgain.Visible()
	said := again.ActionResult.Text
	if !again.ActionResult.Visible() {
		said = ""
	}
	test.Tap(again.RunAgain)
	if again.Confirmation != nil {
		again.Confirmation.Confirm()
	}
	time.Sleep(100 * time.Millisecond)
	if runs, _ := f.calls(); len(runs) != 1 {
		t.Fatalf("ran %d times (%q): the details opened again offered Run again… while the first was under way (they said %q, the button enabled %v)",
			len(runs), runs, said, !underWay)
	}
}

// waitForCalls waits until f was asked n run agains.
func waitForCalls(t *testing.T, f *fakeCloudRun, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if runs, _ := f.calls(); len(runs) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not asked %d run agains within 5 s", n)
		}
	}
}
