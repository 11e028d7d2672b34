package ui

import (
	"runwatch/ui/view/viewtest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The shared fixtures under their short names.
var (
	now       = viewtest.Now
	execution = viewtest.Execution
	snapshot  = viewtest.Snapshot
	change    = viewtest.Change
	acked     = viewtest.Acked
)

func newTestUI(t *testing.T) (*UI, fyne.App, *int) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // settings saved here write no real autostart entry
	a := newTempApp(t)
	refreshes := 0
	u := New(a, Actions{RefreshNow: func() { refreshes++ }}, func() time.Time { return now })
	u.ShowWindow()
	return u, a, &refreshes
}

func menuItem(m *fyne.Menu, label string) *fyne.MenuItem {
	for _, item := range m.Items {
		if item.Label == label {
			return item
		}
	}
	return nil
}

func menuItemPrefix(m *fyne.Menu, prefix string) *fyne.MenuItem {
	for _, item := range m.Items {
		if strings.HasPrefix(item.Label, prefix) {
			return item
		}
	}
	return nil
}

// menuLabels lists a menu's labels, for failure messages.
func menuLabels(m *fyne.Menu) []string {
	var labels []string
	for _, item := range m.Items {
		labels = append(labels, item.Label)
	}
	return labels
}

// newTempApp is Fyne's test app with its storage in a directory of the
// test's own: the test app keeps it in os.TempDir(), so the settings'
// backup would otherwise outlive the test and reach the next one.
func newTempApp(t *testing.T) fyne.App {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	return test.NewTempApp(t)
}
