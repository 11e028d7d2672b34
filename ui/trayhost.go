package ui

import (
	"github.com/godbus/dbus/v5"
)

// statusNotifierWatcher is the D-Bus name a tray host owns; without one,
// a tray icon is invisible.
const statusNotifierWatcher = "org.kde.StatusNotifierWatcher"

// TrayHostPresent reports whether a tray host runs on the session bus.
func TrayHostPresent() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var owned bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, statusNotifierWatcher).Store(&owned)
	return err == nil && owned
}
