package startup

import (
	"errors"
	"runtime"
)

// ErrNoDisplay is why the app does not start outside a desktop session
// (over SSH, in a console): its windows would fail in GLFW.
var ErrNoDisplay = errors.New("runwatch needs a desktop session (no DISPLAY or WAYLAND_DISPLAY); in a terminal use `runwatch status`")

// CheckDisplay returns ErrNoDisplay where windows are X11 or Wayland ones
// (Linux, the BSDs) and getenv names neither display; Windows and macOS
// always have theirs.
func CheckDisplay(goos string, getenv func(string) string) error {
	switch goos {
	case "windows", "darwin", "ios", "android":
		return nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	return nil
}

// CheckThisDisplay is CheckDisplay for this process.
func CheckThisDisplay(getenv func(string) string) error {
	return CheckDisplay(runtime.GOOS, getenv)
}
