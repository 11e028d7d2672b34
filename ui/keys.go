package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// windowKeys are what the keys do in one window: Esc and Ctrl+W close
// it, Enter opens (the executions window's selected row), F5 and Ctrl+R
// refresh, Ctrl+Q quits (Cmd on macOS: fyne.KeyModifierShortcutDefault).
// A nil action leaves its keys to the focused widget.
type windowKeys struct {
	close, enter, refresh, quit func()
}

// bind makes the keys work in w while no widget has the focus; a focused
// widget passes them on itself (keyEntry, keyTable).
func (k *windowKeys) bind(w fyne.Window) {
	c := w.Canvas()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { k.typedKey(ev) })
	for _, key := range []fyne.KeyName{fyne.KeyW, fyne.KeyR, fyne.KeyQ} {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault},
			func(s fyne.Shortcut) { k.shortcut(s) })
	}
}

// run calls action if there is one, and reports whether there was.
func run(action func()) bool {
	if action == nil {
		return false
	}
	action()
	return true
}

// typedKey does what a key without a modifier does, and reports whether it
// did anything.
func (k *windowKeys) typedKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyEscape:
		return run(k.close)
	case fyne.KeyReturn, fyne.KeyEnter:
		return run(k.enter)
	case fyne.KeyF5:
		return run(k.refresh)
	}
	return false
}

// shortcut does what Ctrl+W, Ctrl+R or Ctrl+Q does, and reports whether
// it did anything.
func (k *windowKeys) shortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	switch cs.KeyName {
	case fyne.KeyW:
		return run(k.close)
	case fyne.KeyR:
		return run(k.refresh)
	case fyne.KeyQ:
		return run(k.quit)
	}
	return false
}

// keyEntry is an entry that leaves the window's keys to the window: a
// focused entry gets every key and shortcut, so Esc would not close the
// settings otherwise.
type keyEntry struct {
	widget.Entry
	keys *windowKeys // nil until the entry's window binds its keys
}

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey lets the window have Esc (Enter stays the entry's).
func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.keys != nil && ev.Name == fyne.KeyEscape && e.keys.typedKey(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedShortcut lets the window have Ctrl+W, Ctrl+R and Ctrl+Q.
func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if e.keys != nil && e.keys.shortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}
