// Package dbustest starts a private D-Bus daemon for a test, so the names a
// test owns (a notification server, logind) clash neither with the desktop
// session nor with tests of other packages running at the same time.
package dbustest

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Start runs `dbus-daemon --session` of the test's own, stopped at cleanup,
// and returns its address. The test is skipped where dbus-daemon is missing.
func Start(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon not installed (make test installs it)")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
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
			t.Fatal("dbus-daemon printed an empty address")
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon printed no address in 10 s")
	}
	return ""
}

// Connect opens a new connection to the bus at addr, closed at cleanup.
func Connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Own takes name for conn, failing the test if it is taken.
func Own(t *testing.T, conn *dbus.Conn, name string) {
	t.Helper()
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: reply %v, err %v", name, reply, err)
	}
}
