package ui

import (
	"context"

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

// WaitForTrayHost returns when a StatusNotifierWatcher owns its name on the
// session bus (at once if one does), or false when ctx ends or there is no
// session bus.
func WaitForTrayHost(ctx context.Context) bool {
	conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
	if err != nil {
		return false
	}
	defer conn.Close()
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, statusNotifierWatcher)); err != nil {
		return false
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	var owned bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, statusNotifierWatcher).Store(&owned); err == nil && owned {
		return true
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case sig, ok := <-signals:
			if !ok {
				return false
			}
			if len(sig.Body) == 3 {
				if owner, _ := sig.Body[2].(string); owner != "" {
					return true
				}
			}
		}
	}
}
