package ui

import (
	"fmt"
	"runwatch/poller"
	"runwatch/poller/lifecycle"
	"strings"
	"testing"
	"time"

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
