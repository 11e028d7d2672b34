// Package browser opens a link in the desktop's web browser and says why it
// could not. Fyne's App.OpenURL on Linux starts xdg-open and never waits
// for it, which leaves a zombie process per link and drops its failure
// (no browser set up); the tray process (no Fyne) and the windows both
// open links here instead.
package browser

import (
	"fmt"
	"net/url"
	"os/exec"
	"time"
)

// FailWait is how long Open waits for the opener to fail: without a
// browser xdg-open exits at once (status 3 or 4); with one it may run as
// long as the browser does.
const FailWait = 3 * time.Second

// Open opens link with the desktop's opener (xdg-open; open on macOS;
// rundll32's FileProtocolHandler on Windows, as Fyne does) and returns why
// it could not: no opener, or the opener failing within FailWait. The
// child is always waited for (on a goroutine when it runs on), so none is
// left a zombie.
func Open(link *url.URL) error {
	name, args := opener(link.String())
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", link, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s could not open %s (%w): is a web browser set up?", name, link, err)
		}
		return nil
	case <-time.After(FailWait):
		return nil
	}
}
