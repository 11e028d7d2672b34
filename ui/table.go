package ui

import (
	"runwatch/ui/view"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// columns of the executions table, with their widths; the Error column
// takes what the others leave of the window's width (columnsLayout).
var columns = []struct {
	title string
	width float32
}{
	{"State", 125}, {"Region", 185}, {"Execution", 215}, {"Created", 85}, {"Duration", 85}, {"Error", minErrorWidth}, {"History", 195},
}

const (
	errorColumn   = 5
	historyColumn = 6
	minErrorWidth = 240
	// rowsWithoutScrolling is how many rows the window grows to show
	// before the table scrolls.
	rowsWithoutScrolling = 10
)

// newCell is a table cell: an icon (the state column's) and a label that
// ends in an ellipsis when its text is too long; details show it in full.
func newCell() fyne.CanvasObject {
	icon := widget.NewIcon(nil)
	label := widget.NewLabel("")
	label.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, icon, nil, label)
}

// columnsLayout fills its one object, the executions table, and gives
// the table's Error column the width the other columns leave.
type columnsLayout struct {
	table      *widget.Table
	errorWidth float32 // the Error column's width now
	stateWidth float32 // the State column's width now (0: columns[0]'s)
	// historyWidth: the History column's width now (0: its default); it
	// narrows to its header while no row has a history, leaving the room
	// to the error.
	historyWidth float32
}

// Layout sizes the table and widens or narrows its Error column to fit.
func (l *columnsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	padding := l.table.Theme().Size(theme.SizeNamePadding)
	spare := size.Width - padding*float32(len(columns)) // between columns, and at the end
	for i, c := range columns {
		switch {
		case i == 0:
			spare -= max(c.width, l.stateWidth)
		case i == historyColumn && l.historyWidth > 0:
			spare -= l.historyWidth
		case i != errorColumn:
			spare -= c.width
		}
	}
	if w := max(spare, minErrorWidth); w != l.errorWidth {
		l.errorWidth = w
		l.table.SetColumnWidth(errorColumn, w)
	}
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// fitState widens the State column to hold the longest state a row shows
// whole ("running (last seen 02:16)" of a region that stopped answering),
// or narrows it back; the Error column gives or takes the difference. It
// reports whether the width changed (the table is to be laid out again).
func (l *columnsLayout) fitState(rows []view.Row) bool {
	measure := newCell().(*fyne.Container)
	label, icon := measure.Objects[0].(*widget.Label), measure.Objects[1].(*widget.Icon)
	label.Truncation = fyne.TextTruncateOff
	width := columns[0].width
	for _, r := range rows {
		text, look := cellText(r, 0)
		label.SetText(text)
		icon.SetResource(IconOf(look))
		width = max(width, measure.MinSize().Width)
	}
	if width == max(columns[0].width, l.stateWidth) {
		return false
	}
	l.stateWidth = width
	l.table.SetColumnWidth(0, width)
	return true
}

// fitHistory narrows the History column to the widest history a row shows
// (at least its header, at most its default width), or widens it back; the
// Error column gives or takes the difference. It reports whether the width
// changed.
func (l *columnsLayout) fitHistory(rows []view.Row) bool {
	label := widget.NewLabel(columns[historyColumn].title)
	label.TextStyle = fyne.TextStyle{Bold: true}
	width := label.MinSize().Width
	label.TextStyle = fyne.TextStyle{}
	for _, r := range rows {
		text, _ := cellText(r, historyColumn)
		label.SetText(text)
		width = max(width, label.MinSize().Width)
	}
	width = min(width, columns[historyColumn].width)
	if width == l.historyWidth {
		return false
	}
	l.historyWidth = width
	l.table.SetColumnWidth(historyColumn, width)
	return true
}

// MinSize is the table's.
func (l *columnsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var size fyne.Size
	for _, o := range objects {
		size = size.Max(o.MinSize())
	}
	return size
}

// tableHeight is the height the table needs to show n rows and its
// header without scrolling.
func tableHeight(t *widget.Table, n int) float32 {
	padding := t.Theme().Size(theme.SizeNamePadding)
	header := widget.NewLabel("History")
	header.TextStyle = fyne.TextStyle{Bold: true}
	row := newCell().MinSize().Max(header.MinSize()).Height
	return float32(n+1)*(row+padding) + padding
}

// keyTable is the executions table, answering the window's keys while it
// has the focus: Enter opens the highlighted row (Space does in Fyne).
type keyTable struct {
	widget.Table
	keys *windowKeys
}

// TypedKey opens the highlighted row on Enter, leaves Esc and F5 to the
// window and the arrows to the table.
func (t *keyTable) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter:
		t.Table.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace}) // selects the highlighted row: opens it
	case t.keys != nil && t.keys.typedKey(ev):
	default:
		t.Table.TypedKey(ev)
	}
}

// newExecutionsTable shows *rows; selecting a row opens its details.
func newExecutionsTable(rows *[]view.Row, open func(resource string), keys *windowKeys) *keyTable {
	kt := &keyTable{keys: keys}
	kt.ExtendBaseWidget(kt)
	t := &kt.Table
	t.Length = func() (int, int) { return len(*rows), len(columns) }
	t.CreateCell = newCell
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row >= len(*rows) {
			return
		}
		cell := o.(*fyne.Container)
		label, icon := cell.Objects[0].(*widget.Label), cell.Objects[1].(*widget.Icon)
		text, look := cellText((*rows)[id.Row], id.Col)
		label.SetText(text) // plain text: log lines are never read as markup
		if look == "" {
			icon.Hide()
		} else {
			icon.SetResource(IconOf(look))
			icon.Show()
		}
	}
	t.ShowHeaderRow = true
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle = fyne.TextStyle{Bold: true}
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(columns) {
			o.(*widget.Label).SetText(columns[id.Col].title)
		}
	}
	for i, c := range columns {
		t.SetColumnWidth(i, c.width)
	}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(*rows) {
			open((*rows)[id.Row].Resource)
		}
		t.UnselectAll()
	}
	return kt
}

// cellText is the text of one cell and, for the state column, its icon.
func cellText(r view.Row, col int) (string, view.TrayLook) {
	switch col {
	case 0:
		switch {
		case r.Acknowledged:
			return "acknowledged", view.LookAcked // the column's shorter word for "failed (acknowledged)"
		case r.StateText != "":
			return r.StateText, view.LookOfState(r.State) // "running (last seen 02:16)"
		}
		return view.StateWord(r.State), view.LookOfState(r.State)
	case 1:
		if r.Stale {
			return r.Region + " (stale)", view.LookStale
		}
		return r.Region, ""
	case 2:
		return r.Name, ""
	case 3:
		return r.Age, ""
	case 4:
		return r.Duration, ""
	case errorColumn:
		return r.Error, ""
	default:
		return r.Seen, ""
	}
}
