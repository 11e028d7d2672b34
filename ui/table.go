package ui

import (
	"runwatch/ui/view"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// columns of the executions table, with their widths.
var columns = []struct {
	title string
	width float32
}{
	{"State", 120}, {"Region", 185}, {"Execution", 215}, {"Created", 85}, {"Duration", 85}, {"Error", 400}, {"Seen", 110},
}

// newExecutionsTable shows *rows; selecting a row opens its details.
func newExecutionsTable(rows *[]view.Row, open func(resource string)) *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(*rows), len(columns) },
		func() fyne.CanvasObject {
			icon := widget.NewIcon(nil)
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, icon, nil, label)
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
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
		})
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
	return t
}

// cellText is the text of one cell and, for the state column, its icon.
func cellText(r view.Row, col int) (string, view.TrayLook) {
	switch col {
	case 0:
		if r.Acknowledged {
			return "acknowledged", view.LookAcked
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
	case 5:
		return r.Error, ""
	default:
		return r.Seen, ""
	}
}
