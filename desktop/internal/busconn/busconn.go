// Package busconn opens a D-Bus connection within a context: godbus's own
// connect functions take none, and a bus that accepts the socket but never
// answers would otherwise hang the caller.
package busconn

import (
	"context"

	"github.com/godbus/dbus/v5"
)

// Open runs connect (dbus.ConnectSessionBus, dbus.ConnectSystemBus) until
// ctx ends. A connection that arrives after that is closed.
func Open(ctx context.Context, connect func(...dbus.ConnOption) (*dbus.Conn, error)) (*dbus.Conn, error) {
	type result struct {
		conn *dbus.Conn
		err  error
	}
	connected := make(chan result, 1)
	go func() {
		conn, err := connect()
		connected <- result{conn, err}
	}()
	select {
	case r := <-connected:
		return r.conn, r.err
	case <-ctx.Done():
		go func() {
			if r := <-connected; r.conn != nil {
				r.conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
}
