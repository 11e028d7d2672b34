// Package trayhost tells whether a tray host (a StatusNotifierWatcher: a
// panel's system tray) runs on the session bus: without one, a tray icon
// is invisible, so runwatch shows its window instead.
//
// The tray process and the one-process app ask it; it talks to the session
// bus only, each call bounded by its context and by a timeout of its own.
// Never call it under a lock or on a toolkit's main thread.
package trayhost

import (
	"context"
	"time"

	"github.com/godbus/dbus/v5"
)

// watcherName is the D-Bus name a tray host owns.
const watcherName = "org.kde.StatusNotifierWatcher"

// askTimeout bounds Present when ctx has no earlier deadline.
const askTimeout = 3 * time.Second

// Present reports whether a tray host runs on the session bus; false when
// there is no session bus or it does not answer in time.
func Present(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, askTimeout)
	defer cancel()
	conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
	if err != nil {
		return false
	}
	defer conn.Close()
	return hasOwner(ctx, conn)
}

func hasOwner(ctx context.Context, conn *dbus.Conn) bool {
	var owned bool
	err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&owned)
	return err == nil && owned
}

// Watch sends whether a tray host runs on the session bus: at once, then
// at each change, until ctx ends, when it closes the channel. Without a
// session bus it sends false once.
func Watch(ctx context.Context) <-chan bool {
	out := make(chan bool, 1)
	go func() {
		defer close(out)
		send := func(present bool) bool {
			select {
			case out <- present:
				return true
			case <-ctx.Done():
				return false
			}
		}
		conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
		if err != nil {
			send(false)
			return
		}
		defer conn.Close()
		signals := make(chan *dbus.Signal, 8)
		conn.Signal(signals)
		if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchInterface("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"),
			dbus.WithMatchArg(0, watcherName)); err != nil {
			send(false)
			return
		}
		present := hasOwner(ctx, conn)
		if !send(present) {
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case sig, ok := <-signals:
				if !ok {
					return
				}
				if len(sig.Body) != 3 {
					continue
				}
				owner, _ := sig.Body[2].(string)
				if now := owner != ""; now != present {
					present = now
					if !send(present) {
						return
					}
				}
			}
		}
	}()
	return out
}
