package ui

import (
	"runwatch/poller"
	"strings"
	"testing"
	"time"

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
	if d.Error.Text != bad.Error || d.Category.Text != "python exception" {
		t.Errorf("error %q category %q", d.Error.Text, d.Category.Text)
	}
	if !strings.Contains(d.Tasks.Text, "1 tasks: 0 running, 0 succeeded, 1 failed") || !strings.Contains(d.Times.Text, "ran 1m30s") {
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
