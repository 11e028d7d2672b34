package wake

import (
	"context"

	"github.com/godbus/dbus/v5"

	"runwatch/desktop/internal/busconn"
)

const (
	logindName  = "org.freedesktop.login1"
	logindPath  = dbus.ObjectPath("/org/freedesktop/login1")
	logindIface = "org.freedesktop.login1.Manager"
	prepare     = logindIface + ".PrepareForSleep"
)

// listenLogind subscribes to logind's PrepareForSleep on the system bus and
// returns its argument (true: going to sleep, false: resumed) on a channel
// closed when the bus connection ends; stop unsubscribes. Without a system
// bus or a logind on it, the channel is nil.
func listenLogind(ctx context.Context, o Options) (<-chan bool, func()) {
	setup, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	conn, own := o.SystemBus, false
	if conn == nil {
		var err error
		if conn, err = busconn.Open(setup, dbus.ConnectSystemBus); err != nil {
			return nil, nil
		}
		own = true
	}
	fail := func() (<-chan bool, func()) {
		if own {
			conn.Close()
		}
		return nil, nil
	}
	var running bool
	err := conn.BusObject().CallWithContext(setup, "org.freedesktop.DBus.NameHasOwner", 0, logindName).Store(&running)
	if err != nil || !running {
		return fail()
	}
	match := []dbus.MatchOption{
		dbus.WithMatchSender(logindName),
		dbus.WithMatchObjectPath(logindPath),
		dbus.WithMatchInterface(logindIface),
		dbus.WithMatchMember("PrepareForSleep"),
	}
	if err := conn.AddMatchSignalContext(setup, match...); err != nil {
		return fail()
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)

	sleeps := make(chan bool)
	done := make(chan struct{})
	go func() {
		defer close(sleeps)
		for {
			var sig *dbus.Signal
			var ok bool
			select {
			case <-done:
				return
			case sig, ok = <-signals:
				if !ok {
					return
				}
			}
			if sig.Path != logindPath || sig.Name != prepare || len(sig.Body) != 1 {
				continue
			}
			sleeping, ok := sig.Body[0].(bool)
			if !ok {
				continue
			}
			select {
			case sleeps <- sleeping:
			case <-done:
				return
			}
		}
	}()
	stop := func() {
		close(done)
		conn.RemoveSignal(signals)
		if own {
			conn.Close()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		_ = conn.RemoveMatchSignalContext(ctx, match...)
	}
	return sleeps, stop
}
