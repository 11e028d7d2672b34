package startup

import (
	"io"
	"strings"
	"sync"
)

// FyneLog is the standard logger's output in a Fyne process (the window
// process, the one-process app). It passes every line on, except one known
// race of Fyne's at exit: Fyne saves preferences.json at exit in place
// (truncating it first) while its watcher of the storage directory, which
// no longer waits for the stopped main loop, loads the file the truncation
// just emptied, and logs "Preferences load error" with "Cause: EOF"
// (fyne.io/fyne/v2 app/preferences.go, internal/driver/glfw/loop.go). Once
// Stopping is called (from the app's OnStopped, which Fyne runs before that
// save), that error, its Cause and its At lines are dropped.
type FyneLog struct {
	out io.Writer

	mu       sync.Mutex
	stopping bool
	dropping bool // inside a dropped error's lines
}

// NewFyneLog returns a FyneLog writing to out.
func NewFyneLog(out io.Writer) *FyneLog { return &FyneLog{out: out} }

// Stopping says the app is stopping: Fyne's exit save follows.
func (l *FyneLog) Stopping() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopping = true
}

// Write passes a log line on, or drops it (the standard logger writes one
// line a call).
func (l *FyneLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	line := string(p)
	switch {
	case l.stopping && strings.Contains(line, "Fyne error:") && strings.Contains(line, "Preferences load error"):
		l.dropping = true
	case l.dropping && (strings.Contains(line, "  Cause:") || strings.Contains(line, "  At:")):
	default:
		l.dropping = false
		l.mu.Unlock()
		return l.out.Write(p)
	}
	l.mu.Unlock()
	return len(p), nil
}
