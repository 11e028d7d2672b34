package tray

import (
	"io"
	"strings"

	"fyne.io/systray"

	"runwatch/ui/view"
)

// systrayMenu draws the tray with fyne.io/systray (StatusNotifierItem and
// dbusmenu on Linux).
type systrayMenu struct {
	clicks chan view.MenuLine
	reset  chan struct{} // closed at Reset: the items' click goroutines end
}

func newSystrayMenu() *systrayMenu {
	return &systrayMenu{clicks: make(chan view.MenuLine), reset: make(chan struct{})}
}

func (m *systrayMenu) Reset() {
	close(m.reset)
	m.reset = make(chan struct{})
	systray.ResetMenu()
}

func (m *systrayMenu) AddItem(parent Item, l view.MenuLine) Item {
	checkable := l.Action == view.ActPause
	var item *systray.MenuItem
	p, _ := parent.(*systray.MenuItem)
	switch {
	case p == nil && checkable:
		item = systray.AddMenuItemCheckbox(l.Label, "", l.Checked)
	case p == nil:
		item = systray.AddMenuItem(l.Label, "")
	case checkable:
		item = p.AddSubMenuItemCheckbox(l.Label, "", l.Checked)
	default:
		item = p.AddSubMenuItem(l.Label, "")
	}
	if l.Disabled {
		item.Disable()
	}
	go m.forward(item, l, m.reset)
	return item
}

// forward delivers the item's clicks as its line until the menu is reset.
func (m *systrayMenu) forward(item *systray.MenuItem, l view.MenuLine, reset <-chan struct{}) {
	for {
		select {
		case _, ok := <-item.ClickedCh:
			if !ok {
				return
			}
			select {
			case m.clicks <- l:
			case <-reset:
				return
			}
		case <-reset:
			return
		}
	}
}

func (m *systrayMenu) AddSeparator(parent Item) {
	if p, _ := parent.(*systray.MenuItem); p != nil {
		p.AddSeparator()
		return
	}
	systray.AddSeparator()
}

func (m *systrayMenu) SetIcon(png []byte)           { systray.SetIcon(png) }
func (m *systrayMenu) SetTooltip(text string)       { systray.SetTooltip(text) }
func (m *systrayMenu) Clicks() <-chan view.MenuLine { return m.clicks }

// dropLines writes log lines on, except those that contain substr.
type dropLines struct {
	out    io.Writer
	substr string
}

func (d dropLines) Write(p []byte) (int, error) {
	if strings.Contains(string(p), d.substr) {
		return len(p), nil
	}
	return d.out.Write(p)
}
