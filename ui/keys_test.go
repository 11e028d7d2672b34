package ui

import (
	"reflect"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"runwatch/poller"
)

// pressKey sends a key to w as the driver does: to the focused widget,
// else to the canvas.
func pressKey(t *testing.T, w fyne.Window, name fyne.KeyName) {
	t.Helper()
	ev := &fyne.KeyEvent{Name: name}
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if on := w.Canvas().OnTypedKey(); on != nil {
		on(ev)
	}
}

// pressShortcut sends Ctrl (Cmd on macOS) and a key to w as the driver
// does: to the focused widget when it takes shortcuts, else to the canvas.
func pressShortcut(t *testing.T, w fyne.Window, key fyne.KeyName) {
	t.Helper()
	s := &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
	if f, ok := w.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	c, ok := w.Canvas().(fyne.Shortcutable)
	if !ok { // Fyne's test canvas wraps the one that takes shortcuts
		wrapped := reflect.ValueOf(w.Canvas()).Elem().FieldByName("WindowlessCanvas")
		if wrapped.IsValid() {
			c, ok = wrapped.Interface().(fyne.Shortcutable)
		}
	}
	if !ok {
		t.Fatalf("the canvas %T takes no shortcuts", w.Canvas())
	}
	c.TypedShortcut(s)
}

func TestKeysOfTheExecutionsWindow(t *testing.T) {
	for _, c := range []struct {
		name      string
		press     func(t *testing.T, w fyne.Window)
		closed    bool
		refreshes int
		quits     int
	}{
		{"Esc hides it", func(t *testing.T, w fyne.Window) { pressKey(t, w, fyne.KeyEscape) }, true, 0, 0},
		{"Ctrl+W hides it", func(t *testing.T, w fyne.Window) { pressShortcut(t, w, fyne.KeyW) }, true, 0, 0},
		{"F5 refreshes", func(t *testing.T, w fyne.Window) { pressKey(t, w, fyne.KeyF5) }, false, 1, 0},
		{"Ctrl+R refreshes", func(t *testing.T, w fyne.Window) { pressShortcut(t, w, fyne.KeyR) }, false, 1, 0},
		{"Ctrl+Q quits", func(t *testing.T, w fyne.Window) { pressShortcut(t, w, fyne.KeyQ) }, false, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := newTempApp(t)
			refreshes, quits, closed := 0, 0, 0
			u := NewWindows(a, Actions{
				RefreshNow:       func() { refreshes++ },
				Quit:             func() { quits++ },
				ExecutionsClosed: func() { closed++ },
			}, func() time.Time { return now })
			u.ShowWindow()
			c.press(t, u.Window)
			if (closed == 1) != c.closed || refreshes != c.refreshes || quits != c.quits {
				t.Errorf("closed %d times, refreshed %d, quit %d; want closed %v, %d, %d", closed, refreshes, quits, c.closed, c.refreshes, c.quits)
			}
		})
	}
}

func TestEnterOpensTheHighlightedRow(t *testing.T) {
	u, _, _ := newTestUI(t)
	first := execution("us-east1", "e1", poller.StateFailed, time.Minute)
	second := execution("us-west3", "e2", poller.StateSucceeded, time.Hour)
	u.Apply(poller.Result{Snapshot: snapshot(first, second)})
	pressKey(t, u.Window, fyne.KeyReturn) // nothing focused: the first row
	if u.DetailsOf(first.Resource) == nil {
		t.Fatal("Enter did not open the first row")
	}
	pressKey(t, u.Window, fyne.KeyDown) // the table has the focus now
	pressKey(t, u.Window, fyne.KeyEnter)
	if u.DetailsOf(second.Resource) == nil {
		t.Fatal("Down and Enter did not open the second row")
	}
}

func TestEscAndCtrlWCloseDetailsAndSettings(t *testing.T) {
	for _, c := range []struct {
		name  string
		press func(t *testing.T, w fyne.Window)
	}{
		{"Esc", func(t *testing.T, w fyne.Window) { pressKey(t, w, fyne.KeyEscape) }},
		{"Ctrl+W", func(t *testing.T, w fyne.Window) { pressShortcut(t, w, fyne.KeyW) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, _, _ := newTestUI(t)
			bad := execution("us-west3", "e2", poller.StateFailed, time.Minute)
			u.Apply(poller.Result{Snapshot: snapshot(bad)})
			u.OpenDetails(bad.Resource)
			c.press(t, u.DetailsOf(bad.Resource).Window)
			if u.DetailsOf(bad.Resource) != nil {
				t.Error("the details are still open")
			}
			u.ShowSettings()
			w := u.settingsWindow
			w.Canvas().Focus(u.settings.Project) // typing in a field: the keys still close
			c.press(t, w)
			if u.settingsWindow != nil {
				t.Error("the settings are still open")
			}
		})
	}
}
