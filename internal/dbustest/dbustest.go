// Package dbustest starts a private D-Bus daemon for a test, so the names a
// test owns (a notification server, a tray host, logind) clash neither with
// the desktop session nor with tests of other packages running at the same
// time. The tests of desktop/notify and desktop/wake use it, and so do the
// root package's end-to-end tests, which start the app on such a bus.
//
// Its buses never activate a service: their config, session.conf beside
// this file, names no service directory, so a notification daemon installed
// on the machine (dunst, a desktop's) cannot answer in a test's place.
// `make test` runs the tests on a dbus-run-session bus with the same file.
package dbustest

import (
	"bufio"
	"bytes"
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// sessionConfig is the config of every bus Start runs: a session bus with
// EXTERNAL auth, a policy that allows everything, and no service directory.
//
//go:embed session.conf
var sessionConfig []byte

// Start runs a dbus-daemon of the test's own with a copy of session.conf, listening
// on a socket in a temp dir, stops it at cleanup and returns its address.
// The test fails (never skips: CI installs dbus) where dbus-daemon is
// missing or does not start.
func Start(t testing.TB) string {
	t.Helper()
	config := filepath.Join(t.TempDir(), "session.conf")
	if err := os.WriteFile(config, sessionConfig, 0o644); err != nil {
		t.Fatalf("write the private bus's config: %v", err)
	}
	return start(t, "--config-file="+config)
}

// start runs dbus-daemon with args, on a socket in a temp dir of its own,
// stopped at cleanup, and returns its address.
func start(t testing.TB, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Fatalf("dbus-daemon not found (make test installs it; on Debian: apt-get install dbus): %v", err)
	}
	// Not t.TempDir: its path grows with the test's name, and a socket's
	// path must stay within 108 bytes.
	dir, err := os.MkdirTemp("", "dbustest")
	if err != nil {
		t.Fatalf("make a dir for the private bus's socket: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	args = append(args, "--address=unix:dir="+dir, "--nofork", "--nopidfile", "--print-address=1")
	cmd := exec.Command("dbus-daemon", args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("pipe dbus-daemon's output: %v", err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		s.Scan()
		line <- strings.TrimSpace(s.Text())
		for s.Scan() { // keep the pipe drained
		}
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatalf("dbus-daemon %s printed no address: %s", strings.Join(args, " "), stderr)
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatalf("dbus-daemon %s printed no address in 10 s: %s", strings.Join(args, " "), stderr)
	}
	return ""
}

// Connect opens a new connection to the bus at addr, closed at cleanup.
func Connect(t testing.TB, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Own takes name for conn, failing the test if it is taken.
func Own(t testing.TB, conn *dbus.Conn, name string) {
	t.Helper()
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: reply %v, err %v", name, reply, err)
	}
}

// lockedBuffer collects dbus-daemon's stderr while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p, as io.Writer does.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}
