package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/poller/lifecycle"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestSelectingARowOpensItsDetails(t *testing.T) {
	u, a, _ := newTestUI(t)
	bad := execution("us-west3", "e2", poller.StateFailed, time.Minute)
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-east1", "e1", poller.StateRunning, 30*time.Second), bad)})
	u.Table.Select(widget.TableCellID{Row: 1, Col: 2})
	d := u.DetailsOf(bad.Resource)
	if d == nil {
		t.Fatal("no details window")
	}
	if d.Resource.Text != bad.Resource || d.Region.Text != "us-west3" || d.State.Text != "failed" {
		t.Errorf("details: %q %q %q", d.Resource.Text, d.Region.Text, d.State.Text)
	}
	if d.Error.Text != bad.Error || d.Category.Text != "a Python exception" {
		t.Errorf("error %q category %q", d.Error.Text, d.Category.Text)
	}
	if d.Tasks.Text != "1 task, failed" || !strings.Contains(d.Times.Text, "ran 1m30s") {
		t.Errorf("tasks %q times %q", d.Tasks.Text, d.Times.Text)
	}
	if !strings.Contains(d.Context.Text, "→ ModuleNotFoundError") {
		t.Errorf("context %q", d.Context.Text)
	}
	if d.OpenLogs.Disabled() {
		t.Error("console link disabled")
	}
	test.Tap(d.CopyError)
	if got := a.Clipboard().Content(); got != bad.Error {
		t.Errorf("clipboard %q", got)
	}
}

func TestDetailsCannotOpenALinkOutsideTheCloudConsole(t *testing.T) {
	u, _, _ := newTestUI(t)
	e := execution("us-east1", "e1", poller.StateSucceeded, time.Minute)
	e.LogURI = "https://evil.example/"
	u.Apply(poller.Result{Snapshot: snapshot(e)})
	u.OpenDetails(e.Resource)
	if !u.DetailsOf(e.Resource).OpenLogs.Disabled() {
		t.Error("a non-console link can be opened")
	}
}

func TestDetailsLeaveOutWhatTheyDoNotKnow(t *testing.T) {
	u, _, _ := newTestUI(t)
	ok := execution("us-east1", "e1", poller.StateSucceeded, time.Minute)
	u.Apply(poller.Result{Snapshot: snapshot(ok)})
	u.OpenDetails(ok.Resource)
	d := u.DetailsOf(ok.Resource)
	for name, l := range map[string]*widget.Label{"error": d.Error, "kind": d.Category, "limit": d.Limit, "Cloud Run says": d.CloudRun, "history": d.Recurrence, "matched as": d.Grouping} {
		if l.Visible() || d.names[l].Visible() {
			t.Errorf("a success shows the %s field: %q", name, l.Text)
		}
	}
	if d.Logs.Visible() || d.CopyError.Visible() || d.Acknowledge.Visible() {
		t.Error("a success without log lines shows the log pane, Copy error or Acknowledge")
	}
}

func TestDetailsMatchedAsOnlyWithEarlierFailures(t *testing.T) {
	u, _, _ := newTestUI(t)
	first := execution("us-west3", "e1", poller.StateFailed, time.Minute)
	again := execution("us-west3", "e2", poller.StateFailed, time.Minute)
	again.Occurrences, again.FirstOccurred = 3, now.Add(-time.Hour)
	u.Apply(poller.Result{Snapshot: snapshot(first, again)})
	u.OpenDetails(first.Resource)
	u.OpenDetails(again.Resource)
	if d := u.DetailsOf(first.Resource); d.Grouping.Visible() || d.Recurrence.Visible() {
		t.Errorf("a first failure shows history %q, matched as %q", d.Recurrence.Text, d.Grouping.Text)
	}
	d := u.DetailsOf(again.Resource)
	if !d.Grouping.Visible() || !strings.Contains(d.Recurrence.Text, "same error as 2 earlier failures") {
		t.Errorf("a third failure shows history %q, matched as %q (visible %v)", d.Recurrence.Text, d.Grouping.Text, d.Grouping.Visible())
	}
}

func TestDetailsFitTheirContentWithinALaptopScreen(t *testing.T) {
	u, _, _ := newTestUI(t)
	timeout := execution("us-west3", "e1", poller.StateFailed, time.Minute)
	timeout.Error, timeout.Category, timeout.Context = "The task timed out after 10m.", "timeout", nil
	long := execution("us-west3", "e2", poller.StateFailed, time.Minute)
	for i := range 80 {
		long.Context = append(long.Context, fmt.Sprintf("log line %d", i))
	}
	u.Apply(poller.Result{Snapshot: snapshot(timeout, long)})
	u.OpenDetails(timeout.Resource)
	u.OpenDetails(long.Resource)
	short := u.DetailsOf(timeout.Resource).Window.Canvas().Size().Height
	if short > 400 {
		t.Errorf("the details of a timeout without logs are %v tall", short)
	}
	d := u.DetailsOf(long.Resource)
	size := d.Window.Canvas().Size()
	if size.Height > detailsMaxHeight || size.Height <= short {
		t.Errorf("the details of 80 log lines are %v tall, want more than %v and at most %v", size.Height, short, detailsMaxHeight)
	}
	t.Logf("timeout %v tall, 80 log lines %v", short, size)
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.Acknowledge)
	if bottom := at.Y + d.Acknowledge.Size().Height; bottom > size.Height || at.Y <= 0 || !d.Acknowledge.Visible() {
		t.Errorf("the buttons end at %v of %v", bottom, size.Height)
	}
}

func TestCloudRunSaysOnlyWhatTheErrorLineDoesNot(t *testing.T) {
	fromLogs := execution("us-west3", "e1", poller.StateFailed, time.Minute)
	fromLogs.CloudRun = &lifecycle.CloudRunReason{Message: "task 0 exited with code 1", Reason: "NON_ZERO_EXIT_CODE"}
	fromCloudRun := fromLogs
	fromCloudRun.Error = "task 0 exited with code 1"
	for _, c := range []struct {
		name string
		e    poller.Execution
		want string
	}{
		{"the logs' error", fromLogs, "task 0 exited with code 1 (NON_ZERO_EXIT_CODE)"},
		{"Cloud Run's error", fromCloudRun, ""},
	} {
		if got := cloudRunText(c.e); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// A timeout's details name the task timeout it ran into; an OOM kill's,
// the memory limit.
func TestDetailsNameTheLimitATimeoutOrOOMHit(t *testing.T) {
	u, _, _ := newTestUI(t)
	timeout := execution("us-west3", "e1", poller.StateFailed, time.Minute)
	timeout.Error, timeout.Category, timeout.TaskTimeout, timeout.MemoryLimit = "The configured timeout was reached", "timeout", 10*time.Minute, "512Mi"
	oom := execution("us-west3", "e2", poller.StateFailed, time.Minute)
	oom.Error, oom.Category, oom.TaskTimeout, oom.MemoryLimit = "Memory limit of 512 MiB exceeded", "oom", 10*time.Minute, "512Mi"
	u.Apply(poller.Result{Snapshot: snapshot(timeout, oom)})
	for _, c := range []struct {
		e    poller.Execution
		want string
	}{{timeout, "each task may run 10m"}, {oom, "each task may use 512Mi of memory"}} {
		u.OpenDetails(c.e.Resource)
		d := u.DetailsOf(c.e.Resource)
		if d.Limit.Text != c.want || !d.Limit.Visible() || d.names[d.Limit].Text != "Limit" || !d.names[d.Limit].Visible() {
			t.Errorf("%s: limit %q (shown %v), want %q", c.e.Category, d.Limit.Text, d.Limit.Visible(), c.want)
		}
	}
}

// lastLinesReader is a fake Actions.LastLines: it counts the calls and
// answers each with what the test sends; the UI's updates wait in a queue
// the test runs on its own goroutine, as Fyne's main thread would.
type lastLinesReader struct {
	mu      sync.Mutex
	calls   []string
	answers chan lastLinesAnswer
	updates chan func()
}

type lastLinesAnswer struct {
	lines []string
	err   error
}

func newLastLinesUI(t *testing.T) (*UI, *lastLinesReader) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	r := &lastLinesReader{answers: make(chan lastLinesAnswer, 1), updates: make(chan func(), 4)}
	u := New(newTempApp(t), Actions{LastLines: r.read}, func() time.Time { return now })
	u.do = func(f func()) { r.updates <- f }
	u.ShowWindow()
	return u, r
}

func (r *lastLinesReader) read(ctx context.Context, resource string) ([]string, error) {
	r.mu.Lock()
	r.calls = append(r.calls, resource)
	r.mu.Unlock()
	if _, ok := ctx.Deadline(); !ok {
		return nil, errors.New("asked without a timeout")
	}
	select {
	case a := <-r.answers:
		return a.lines, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (r *lastLinesReader) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// answer answers the read under way and runs the UI's update.
func (r *lastLinesReader) answer(t *testing.T, lines []string, err error) {
	t.Helper()
	r.answers <- lastLinesAnswer{lines, err}
	select {
	case f := <-r.updates:
		f()
	case <-time.After(5 * time.Second):
		t.Fatal("the answer never reached the window")
	}
}

// timedOut is a failure announced from Cloud Run's reason alone: its logs
// were not read, so it has no log lines.
func timedOut(name string) poller.Execution {
	e := execution("us-west3", name, poller.StateFailed, time.Minute)
	e.Error, e.Category, e.Context, e.Matched, e.Logs = "The configured timeout was reached", "timeout", nil, 0, lifecycle.LogsSkipped
	return e
}

// The details of a timeout read its last lines once, off the UI's thread,
// say so while they do, and show them under their own heading, no line
// marked; a refresh does not ask again.
func TestDetailsReadTheLastLinesOfAFailureWithoutLogLinesOnce(t *testing.T) {
	u, r := newLastLinesUI(t)
	e := timedOut("e1")
	u.Apply(poller.Result{Snapshot: snapshot(e)})
	u.OpenDetails(e.Resource) // returns at once: the read waits for the test's answer
	d := u.DetailsOf(e.Resource)
	if d.LogsNote.Text != "Reading the last log lines…" || !d.LogsNote.Visible() || d.Logs.Visible() {
		t.Errorf("while reading: note %q (shown %v), log pane shown %v", d.LogsNote.Text, d.LogsNote.Visible(), d.Logs.Visible())
	}
	u.Apply(poller.Result{Snapshot: snapshot(e)}) // a refresh while the read is under way
	r.answer(t, []string{"epoch 3/10", "saving checkpoint"}, nil)
	if want := "Last lines before it stopped:\n  epoch 3/10\n  saving checkpoint"; d.Context.Text != want || !d.Logs.Visible() {
		t.Errorf("after the read the log pane (shown %v) says %q, want %q", d.Logs.Visible(), d.Context.Text, want)
	}
	if d.LogsNote.Visible() {
		t.Errorf("the note %q stays beside the lines", d.LogsNote.Text)
	}
	u.Apply(poller.Result{Snapshot: snapshot(e)})
	u.OpenDetails(e.Resource)
	if n := r.count(); n != 1 {
		t.Errorf("asked %d times for one details window", n)
	}
	if !strings.Contains(d.Context.Text, "saving checkpoint") {
		t.Errorf("a refresh lost the lines read: %q", d.Context.Text)
	}
}

// What the details say when the read finds nothing, or fails.
func TestDetailsSayWhyTheyShowNoLastLines(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"no entries", fmt.Errorf("last lines of e1: %w", poller.ErrNoLogs), "No log entries in Cloud Logging"},
		{"a failed read", errors.New("last lines of e1: Cloud Logging quota exhausted"), "Could not read the last log lines: last lines of e1: Cloud Logging quota exhausted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, r := newLastLinesUI(t)
			e := timedOut("e1")
			u.Apply(poller.Result{Snapshot: snapshot(e)})
			u.OpenDetails(e.Resource)
			r.answer(t, nil, c.err)
			d := u.DetailsOf(e.Resource)
			if d.LogsNote.Text != c.want || !d.LogsNote.Visible() || d.Logs.Visible() {
				t.Errorf("note %q (shown %v), log pane shown %v; want %q", d.LogsNote.Text, d.LogsNote.Visible(), d.Logs.Visible(), c.want)
			}
			u.Apply(poller.Result{Snapshot: snapshot(e)})
			if n := r.count(); n != 1 {
				t.Errorf("asked %d times", n)
			}
		})
	}
}

// Details ask nothing of a failure with log lines, of one whose logs are
// known to be absent, or of a success; a later snapshot's lines replace
// the note.
func TestDetailsAskForLastLinesOnlyWhenTheyCanSayMore(t *testing.T) {
	u, r := newLastLinesUI(t)
	withLines := execution("us-west3", "e1", poller.StateFailed, time.Minute)
	noLogs := timedOut("e2")
	noLogs.Logs = poller.LogsNone
	ok := execution("us-west3", "e3", poller.StateSucceeded, time.Minute)
	pending := timedOut("e4")
	u.Apply(poller.Result{Snapshot: snapshot(withLines, noLogs, ok, pending)})
	for _, e := range []poller.Execution{withLines, noLogs, ok} {
		u.OpenDetails(e.Resource)
		if d := u.DetailsOf(e.Resource); d.LogsNote.Visible() {
			t.Errorf("%s: note %q", e.Name, d.LogsNote.Text)
		}
	}
	if n := r.count(); n != 0 {
		t.Errorf("asked %d times for executions whose lines are known or absent", n)
	}

	u.OpenDetails(pending.Resource)
	d := u.DetailsOf(pending.Resource)
	pending.Context, pending.Matched = []string{"read by another window"}, -1
	u.Apply(poller.Result{Snapshot: snapshot(withLines, noLogs, ok, pending)})
	if want := "Last lines before it stopped:\n  read by another window"; d.Context.Text != want || d.LogsNote.Visible() {
		t.Errorf("a snapshot with the lines: %q (note %q shown %v), want %q", d.Context.Text, d.LogsNote.Text, d.LogsNote.Visible(), want)
	}
	r.answer(t, []string{"late answer"}, nil)
	if strings.Contains(d.Context.Text, "late answer") {
		t.Errorf("the read's answer replaced the snapshot's lines: %q", d.Context.Text)
	}
}

// Closing the details window ends the read it started.
func TestClosingDetailsEndsTheirRead(t *testing.T) {
	u, r := newLastLinesUI(t)
	e := timedOut("e1")
	u.Apply(poller.Result{Snapshot: snapshot(e)})
	u.OpenDetails(e.Resource)
	u.DetailsOf(e.Resource).Window.Close()
	select {
	case f := <-r.updates:
		f() // the closed window is left alone
	case <-time.After(5 * time.Second):
		t.Fatal("the read outlived its window")
	}
}

// Open logs opens the console link through the opener that waits for its
// child, off Fyne's thread, and says in the window when no browser opened
// it; a later try that works clears the message.
func TestOpenLogsSaysWhenNoBrowserOpenedThem(t *testing.T) {
	u, _, _ := newTestUI(t)
	updates := make(chan func(), 1)
	u.do = func(f func()) { updates <- f }
	opened := make(chan string, 2)
	fail := errors.New("xdg-open could not open the link (exit status 3): is a web browser set up?")
	answer := fail
	u.openURL = func(link *url.URL) error { opened <- link.String(); return answer }
	e := execution("us-west3", "e1", poller.StateFailed, time.Minute)
	u.Apply(poller.Result{Snapshot: snapshot(e)})
	u.OpenDetails(e.Resource)
	d := u.DetailsOf(e.Resource)
	if d.OpenFailed.Visible() {
		t.Fatalf("before a click: %q", d.OpenFailed.Text)
	}
	test.Tap(d.OpenLogs)
	if got := <-opened; got != e.LogURI {
		t.Errorf("opened %q, want %q", got, e.LogURI)
	}
	select {
	case f := <-updates:
		f()
	case <-time.After(5 * time.Second):
		t.Fatal("the failure never reached the window")
	}
	if want := "Could not open the logs: " + fail.Error(); d.OpenFailed.Text != want || !d.OpenFailed.Visible() {
		t.Errorf("the window says %q (shown %v), want %q", d.OpenFailed.Text, d.OpenFailed.Visible(), want)
	}
	answer = nil
	test.Tap(d.OpenLogs)
	<-opened
	if d.OpenFailed.Visible() {
		t.Errorf("a second try still says %q", d.OpenFailed.Text)
	}
}

// A failure whose logs the poller is still reading (an exit code: "reading
// logs…", or a read backing off) is not one announced from Cloud Run's
// reason alone: its details do not send a read of their own beside the
// poller's, which would spend the log budget twice and skip its back-off.
func TestDetailsLeaveAFailureWhoseLogsArePendingToThePoller(t *testing.T) {
	u, r := newLastLinesUI(t)
	e := execution("us-west3", "e1", poller.StateFailed, time.Minute)
	e.Error, e.Context, e.Matched, e.Logs = "", nil, 0, poller.LogsPending
	u.Apply(poller.Result{Snapshot: snapshot(e)})
	u.OpenDetails(e.Resource)
	time.Sleep(200 * time.Millisecond) // the read, if any, starts off the UI's thread
	if n, d := r.count(), u.DetailsOf(e.Resource); n != 0 || d.LogsNote.Visible() {
		t.Errorf("details asked %d times for the last lines of a failure whose logs are being read (%q); note %q", n, e.ErrorLine(), d.LogsNote.Text)
	}
}
