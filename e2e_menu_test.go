package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Without credentials the tray menu's first line names
// GOOGLE_APPLICATION_CREDENTIALS: dbusmenu takes "_" for the access key's
// marker, so the tray sends each doubled (a tray host shows "_") and marks
// only "Show executions" with an access key (issue 14's bar
// menu-escapes-underscores; before: "GOOGLEAPPLICATIONCREDENTIALS").
func TestMenuLabelsKeepUnderscoresWithoutCredentials(t *testing.T) {
	requireDesktop(t)
	home := t.TempDir()
	// No credentials anywhere the Google library looks.
	t.Setenv("HOME", home)
	t.Setenv("CLOUDSDK_CONFIG", home)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	bus := startBus(t)
	startTrayHost(t, bus)
	app := startApp(t, bus.addr, t.TempDir(), "--project", "p1", "--regions", "us-central1")

	item := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", app.pid())
	var labels []string
	// The tray host may read the menu while it is being built: wait for
	// the whole of it (its Show executions item comes after the first line).
	waitUntil(t, app, time.Now().Add(30*time.Second), "a whole menu that asks for credentials", func() (bool, string) {
		var err error
		labels, err = bus.menuLabels(item)
		return err == nil && len(labels) > 0 && strings.Contains(labels[0], "CREDENTIALS") &&
				containsLabel(labels, func(l string) bool { return strings.HasSuffix(l, "Show executions") }),
			fmt.Sprintf("labels %q, err %v", labels, err)
	})
	if !strings.Contains(labels[0], "GOOGLE__APPLICATION__CREDENTIALS") {
		t.Errorf("first line %q: want GOOGLE__APPLICATION__CREDENTIALS (a tray host shows GOOGLE_APPLICATION_CREDENTIALS)", labels[0])
	}
	if !containsLabel(labels, func(l string) bool { return l == "_Show executions" }) {
		t.Errorf("no %q (Alt+S) in %q", "_Show executions", labels)
	}
	for _, l := range labels {
		if l != "_Show executions" && strings.Contains(strings.ReplaceAll(l, "__", ""), "_") {
			t.Errorf("label %q has a lone underscore: a tray host takes it for an access key", l)
		}
	}
}
