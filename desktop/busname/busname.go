// Package busname tells whether a well-known name has an owner on the
// session bus, and follows it as owners come and go: a tray host
// (org.kde.StatusNotifierWatcher), a notification server
// (org.freedesktop.Notifications).
//
// desktop/trayhost and internal/notifier ask it; it talks to the session
// bus only, each connection and call bounded by a context. Never call it
// under a lock or on a toolkit's main thread.
package busname

import (
	"context"
	"time"

	"github.com/godbus/dbus/v5"

	"runwatch/desktop/internal/busconn"
)

// askTimeout bounds HasOwner when ctx has no earlier deadline.
const askTimeout = 3 * time.Second

// HasOwner reports whether name has an owner on the session bus; false
// when there is no session bus or it does not answer in time.
func HasOwner(ctx context.Context, name string) bool {
	ctx, cancel := context.WithTimeout(ctx, askTimeout)
	defer cancel()
	conn, err := busconn.Open(ctx, dbus.ConnectSessionBus)
	if err != nil {
		return false
	}
	defer conn.Close()
	return owned(ctx, conn, name)
}

func owned(ctx context.Context, conn *dbus.Conn, name string) bool {
	var yes bool
	err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, name).Store(&yes)
	return err == nil && yes
}

// Watch sends whether name has an owner on the session bus: at once, then
// at each change, until ctx ends, when it closes the channel. Without a
// session bus it sends false once.
func Watch(ctx context.Context, name string) <-chan bool {
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
		openCtx, cancel := context.WithTimeout(ctx, askTimeout)
		conn, err := busconn.Open(openCtx, dbus.ConnectSessionBus)
		cancel()
		if err != nil {
			send(false)
			return
		}
		defer conn.Close()
		signals := make(chan *dbus.Signal, 8)
		conn.Signal(signals)
		if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchInterface("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"),
			dbus.WithMatchArg(0, name)); err != nil {
			send(false)
			return
		}
		present := owned(ctx, conn, name)
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
