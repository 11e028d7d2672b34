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
	closed chan struct{} // closed by Close: clicks are no longer delivered
}

// clicksQueued is how many clicks wait for the loop before a forwarder
// waits too; none is ever dropped (systray drops a click its item's
// forwarder does not take at once).
const clicksQueued = 16

// newSystrayMenu returns the tray's menu; Close it when the tray goes.
func newSystrayMenu() *systrayMenu {
	return &systrayMenu{clicks: make(chan view.MenuLine, clicksQueued), closed: make(chan struct{})}
}

// Close stops delivering clicks.
func (m *systrayMenu) Close() { close(m.closed) }

// Reset removes every item; systray closes their click channels, which
// ends their forwarders once each has delivered what it took.
func (m *systrayMenu) Reset() { systray.ResetMenu() }

// AddItem adds a systray item for l, checkable for the pause line.
func (m *systrayMenu) AddItem(parent Item, l view.MenuLine) Item {
	checkable := l.Action == view.ActPause
	label := dbusmenuLabel(l)
	var item *systray.MenuItem
	p, _ := parent.(*systray.MenuItem)
	switch {
	case p == nil && checkable:
		item = systray.AddMenuItemCheckbox(label, "", l.Checked)
	case p == nil:
		item = systray.AddMenuItem(label, "")
	case checkable:
		item = p.AddSubMenuItemCheckbox(label, "", l.Checked)
	default:
		item = p.AddSubMenuItem(label, "")
	}
	if l.Disabled {
		item.Disable()
	}
	go m.forward(item, l)
	return item
}

// dbusmenuLabel returns l's label as dbusmenu reads it: "_" marks the
// next letter as the access key, so each "_" of the text (an environment
// variable, an error line) is doubled, and a Mnemonic line starts with
// one. fyne.io/systray sets the label property as given.
func dbusmenuLabel(l view.MenuLine) string {
	label := strings.ReplaceAll(l.Label, "_", "__")
	if l.Mnemonic && label != "" {
		label = "_" + label
	}
	return label
}

// forward delivers each click on item as its line until systray removes
// the item; a click it took is delivered even when the menu is redrawn
// meanwhile.
func (m *systrayMenu) forward(item *systray.MenuItem, l view.MenuLine) {
	for range item.ClickedCh {
		select {
		case m.clicks <- l:
		case <-m.closed:
			return
		}
	}
}

// AddSeparator adds a separator to the menu or to parent's submenu.
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
