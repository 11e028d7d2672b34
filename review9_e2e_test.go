//go:build linux

package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// "No noise on standard error from any command in any locale, beyond
// runwatch's own messages": the autostart race (no tray host yet) is the
// usual start, and fyne.io/systray logs its own failure there.
func TestReview9NoForeignStderrWhenStartedBeforeThePanel(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startActionServer(t, bus)
	cloud, _, args := watchedCloud(t, "us-central1", "1h")
	config := t.TempDir()
	if err := os.Mkdir(config+"/cache", 0o700); err != nil { // as on a real desktop
		t.Fatal(err)
	}
	app := startApp(t, bus.addr, config, args...)
	waitRefreshes(t, app, cloud, "us-central1", 1, 60*time.Second)
	time.Sleep(3 * time.Second)
	var foreign []string
	for _, l := range strings.Split(app.out.String(), "\n") {
		if l != "" && !strings.Contains(l, "runwatch") {
			foreign = append(foreign, l)
		}
	}
	if len(foreign) > 0 {
		t.Fatalf("stderr lines not runwatch's own:\n%s", strings.Join(foreign, "\n"))
	}
}
