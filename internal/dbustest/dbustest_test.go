package dbustest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/godbus/dbus/v5"
)

const (
	notificationsName = "org.freedesktop.Notifications"
	notificationsPath = "/org/freedesktop/Notifications"
)

// installNotificationService puts a .service file for
// org.freedesktop.Notifications in a data dir of the test's own and points
// XDG_DATA_HOME and XDG_DATA_DIRS there, where a stock session bus started
// after it looks for services. The service touches the returned marker file
// when it is started, and fails at once (exit 1: a service that exits 0 may
// have forked, and the bus would wait two minutes for it to take the name).
func installNotificationService(t *testing.T) (marker string) {
	t.Helper()
	data := t.TempDir()
	marker = filepath.Join(t.TempDir(), "activated")
	script := filepath.Join(t.TempDir(), "notification-daemon")
	if err := os.WriteFile(script, fmt.Appendf(nil, "#!/bin/sh\ntouch '%s'\nexit 1\n", marker), 0o755); err != nil {
		t.Fatalf("write the service's script: %v", err)
	}
	services := filepath.Join(data, "dbus-1", "services")
	if err := os.MkdirAll(services, 0o755); err != nil {
		t.Fatalf("make the services dir: %v", err)
	}
	service := fmt.Sprintf("[D-BUS Service]\nName=%s\nExec=/bin/sh %s\n", notificationsName, script)
	if err := os.WriteFile(filepath.Join(services, "x.service"), []byte(service), 0o644); err != nil {
		t.Fatalf("write the .service file: %v", err)
	}
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("XDG_DATA_DIRS", data)
	return marker
}

// activatable returns the names the bus of conn can start.
func activatable(t *testing.T, conn *dbus.Conn) []string {
	t.Helper()
	var names []string
	if err := conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&names); err != nil {
		t.Fatalf("ListActivatableNames: %v", err)
	}
	return names
}

// errorName returns the D-Bus error name of err, "" if it has none.
func errorName(err error) string {
	var value dbus.Error
	if errors.As(err, &value) {
		return value.Name
	}
	var pointer *dbus.Error
	if errors.As(err, &pointer) {
		return pointer.Name
	}
	return ""
}

func TestPrivateBusActivatesNoService(t *testing.T) {
	marker := installNotificationService(t)
	conn := Connect(t, Start(t))

	if names := activatable(t, conn); slices.Contains(names, notificationsName) {
		t.Errorf("the private bus can activate %s: activatable names %v", notificationsName, names)
	}
	// Flags 0: the call asks the bus to start the name's service if it can.
	err := conn.Object(notificationsName, notificationsPath).Call(notificationsName+".GetServerInformation", 0).Err
	if name := errorName(err); name != "org.freedesktop.DBus.Error.ServiceUnknown" {
		t.Errorf("calling %s on the private bus: error %v (%q), want ServiceUnknown", notificationsName, err, name)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the private bus started the %s service: %s exists", notificationsName, marker)
	}
}

// TestStockSessionBusActivatesTheInstalledService shows that the service
// TestPrivateBusActivatesNoService installs is one a stock session bus (the
// config dbus-daemon --session reads, as the private buses had before)
// starts: the other test's pass is not for want of a working .service file.
func TestStockSessionBusActivatesTheInstalledService(t *testing.T) {
	marker := installNotificationService(t)
	conn := Connect(t, start(t, "--session"))

	if names := activatable(t, conn); !slices.Contains(names, notificationsName) {
		t.Errorf("the stock session bus cannot activate %s: activatable names %v", notificationsName, names)
	}
	// The script exits without taking the name, so the call itself fails.
	err := conn.Object(notificationsName, notificationsPath).Call(notificationsName+".GetServerInformation", 0).Err
	if _, statErr := os.Stat(marker); statErr != nil {
		t.Errorf("the stock session bus did not start the test's service (call error %v): %v", err, statErr)
	}
}
