package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"runwatch/poller"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
)

// stateCell returns the label of a row's state column, as the table fills it.
func stateCell(t *testing.T, u *UI, row int) *widget.Label {
	t.Helper()
	cell := u.Table.CreateCell()
	u.Table.UpdateCell(widget.TableCellID{Row: row, Col: 0}, cell)
	return cell.(*fyne.Container).Objects[0].(*widget.Label)
}

// A row of a region that stopped answering, last seen running, says when
// it was last seen in full, not the bare "running" of a run that still
// goes on.
func TestStaleRunningRowSaysWhenItWasLastSeen(t *testing.T) {
	u, _, _ := newTestUI(t)
	lastSeen := now.Add(-10 * time.Minute)
	snap := snapshot(
		viewtest.StaleSince(execution("us-east1", "e1", poller.StateRunning, 30*time.Minute), lastSeen),
		execution("us-west3", "e2", poller.StateRunning, time.Minute),
	)
	snap.RegionErrors = map[string]string{"us-east1": "no answer within 10s"}
	u.Apply(poller.Result{Snapshot: snap})
	want := "running (last seen " + lastSeen.Local().Format("15:04") + ")"
	label := stateCell(t, u, 0)
	if label.Text != want {
		t.Errorf("the stale running row's state shows %q, want %q", label.Text, want)
	}
	if got := stateCell(t, u, 1).Text; got != "running" {
		t.Errorf("a running row of an answering region shows %q, want running", got)
	}
	// The column holds it whole, icon and all, without an ellipsis, and the
	// Error column gives the room.
	cell := newCell().(*fyne.Container)
	whole, icon := cell.Objects[0].(*widget.Label), cell.Objects[1].(*widget.Icon)
	whole.Truncation = fyne.TextTruncateOff
	whole.SetText(want)
	icon.SetResource(IconOf(view.LookRunning))
	if need, has := cell.MinSize().Width, u.columns.stateWidth; need > has {
		t.Errorf("%q needs %v px, the State column has %v", want, need, has)
	}
	if u.columns.errorWidth < minErrorWidth {
		t.Errorf("the Error column is %v px", u.columns.errorWidth)
	}
	// Once the region answers again, the column is as narrow as before.
	u.Apply(poller.Result{Snapshot: snapshot(execution("us-east1", "e1", poller.StateRunning, 30*time.Minute))})
	if w := u.columns.stateWidth; w != columns[0].width {
		t.Errorf("without a stale row the State column stays %v px, want %v", w, columns[0].width)
	}
}
