//go:build !linux

package notify

import (
	"context"

	"github.com/godbus/dbus/v5"
)

// Notifier is unavailable on this system: Dial reports ErrUnsupported.
type Notifier struct{}

// Dial reports ErrUnsupported: use Fyne's notifications here.
func Dial(context.Context, *dbus.Conn, Options) (*Notifier, error) { return nil, ErrUnsupported }

// DialSession reports ErrUnsupported: use Fyne's notifications here.
func DialSession(context.Context, Options) (*Notifier, error) { return nil, ErrUnsupported }

// Capabilities are none.
func (*Notifier) Capabilities() Capabilities { return Capabilities{} }

// Send reports ErrUnsupported.
func (*Notifier) Send(context.Context, Notification) (uint32, error) { return 0, ErrUnsupported }

// CloseNotification reports ErrUnsupported.
func (*Notifier) CloseNotification(context.Context, uint32) error { return ErrUnsupported }

// Invoked is nil: it never delivers.
func (*Notifier) Invoked() <-chan Invocation { return nil }

// Close does nothing.
func (*Notifier) Close() error { return nil }

// ServerOwner reports ErrUnsupported.
func (*Notifier) ServerOwner(context.Context) (string, error) { return "", ErrUnsupported }
