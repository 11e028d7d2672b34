package notify

import (
	"context"
	"fmt"
	"sync"

	"github.com/godbus/dbus/v5"

	"runwatch/desktop/internal/busconn"
)

const (
	busName   = "org.freedesktop.Notifications"
	busPath   = dbus.ObjectPath("/org/freedesktop/Notifications")
	busIface  = "org.freedesktop.Notifications"
	sigAction = busIface + ".ActionInvoked"
	sigClosed = busIface + ".NotificationClosed"

	// maxTracked bounds the ids remembered for a server that never says a
	// bubble closed.
	maxTracked = 256
)

// Notifier sends notifications to the session's notification server and
// reports the actions chosen on them. It is safe for concurrent use.
type Notifier struct {
	conn    *dbus.Conn
	ownConn bool // DialSession opened conn; Close closes it
	obj     dbus.BusObject
	opts    Options
	caps    Capabilities

	signals chan *dbus.Signal
	out     chan Invocation
	done    chan struct{}
	stopped chan struct{}
	close   sync.Once

	mu    sync.Mutex
	sent  map[uint32]string // open bubble → its Default.Key
	order []uint32          // sent's ids, oldest first
}

// DialSession connects to the session bus on a connection of its own, which
// Close closes, and dials its notification server.
func DialSession(ctx context.Context, opts Options) (*Notifier, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	conn, err := busconn.Open(ctx, dbus.ConnectSessionBus)
	if err != nil {
		return nil, fmt.Errorf("notifications: connect to the session bus: %w", err)
	}
	n, err := Dial(ctx, conn, opts)
	if err != nil {
		conn.Close()
		return nil, err
	}
	n.ownConn = true
	return n, nil
}

// Dial asks the notification server on conn for its capabilities, once, and
// starts listening for the actions chosen on this Notifier's bubbles. conn
// stays the caller's: Close does not close it. An error means there is no
// usable server; the caller falls back to Fyne's notifications.
func Dial(ctx context.Context, conn *dbus.Conn, opts Options) (*Notifier, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	obj := conn.Object(busName, busPath)
	var caps []string
	if err := obj.CallWithContext(ctx, busIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return nil, fmt.Errorf("notifications: ask the server for its capabilities: %w", err)
	}
	n := &Notifier{
		conn:    conn,
		obj:     obj,
		opts:    opts,
		caps:    parseCapabilities(caps),
		signals: make(chan *dbus.Signal, 64),
		out:     make(chan Invocation, 16),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
		sent:    map[uint32]string{},
	}
	if err := conn.AddMatchSignalContext(ctx, n.match()...); err != nil {
		return nil, fmt.Errorf("notifications: listen for actions: %w", err)
	}
	conn.Signal(n.signals)
	go n.listen()
	return n, nil
}

// match selects the server's signals: both the actions and the closings.
func (n *Notifier) match() []dbus.MatchOption {
	return []dbus.MatchOption{
		dbus.WithMatchSender(busName),
		dbus.WithMatchObjectPath(busPath),
		dbus.WithMatchInterface(busIface),
	}
}

// ServerOwner returns the unique bus name of the process that is the
// notification server now: it changes when the server restarts, which
// numbers its bubbles anew.
func (n *Notifier) ServerOwner(ctx context.Context) (string, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	var owner string
	if err := n.conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, busName).Store(&owner); err != nil {
		return "", fmt.Errorf("notifications: find the server: %w", err)
	}
	return owner, nil
}

// Capabilities are what the server announced at Dial.
func (n *Notifier) Capabilities() Capabilities { return n.caps }

// Send shows note, or updates the bubble note.ReplacesID in place, and
// returns the bubble's id. The body is escaped only where the server reads
// markup; actions are sent only where the server has them.
func (n *Notifier) Send(ctx context.Context, note Notification) (uint32, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	body := note.Body
	if n.caps.BodyMarkup {
		body = EscapeMarkup(body)
	}
	actions := []string{}
	if n.caps.Actions {
		if note.Default.Key != "" {
			actions = append(actions, DefaultKey, note.Default.Label)
		}
		for _, a := range note.Actions {
			actions = append(actions, a.Key, a.Label)
		}
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(note.Urgency.level())}
	if n.opts.DesktopEntry != "" {
		hints["desktop-entry"] = dbus.MakeVariant(n.opts.DesktopEntry)
	}
	expire := int32(-1)
	if note.Expire > 0 {
		expire = int32(note.Expire.Milliseconds())
	}
	var id uint32
	err := n.obj.CallWithContext(ctx, busIface+".Notify", 0,
		n.opts.AppName, note.ReplacesID, n.opts.AppIcon, note.Title, body, actions, hints, expire).Store(&id)
	if err != nil {
		return 0, fmt.Errorf("notify %q: %w", note.Title, err)
	}
	n.track(id, note.ReplacesID, note.Default.Key)
	return id, nil
}

// CloseNotification takes the bubble id away, e.g. once its failure was
// acknowledged in the window.
func (n *Notifier) CloseNotification(ctx context.Context, id uint32) error {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	if err := n.obj.CallWithContext(ctx, busIface+".CloseNotification", 0, id).Err; err != nil {
		return fmt.Errorf("close notification %d: %w", id, err)
	}
	return nil
}

// Invoked delivers the actions chosen on this Notifier's bubbles, and only
// those: other applications' bubbles share the signal. It is closed by
// Close, or when the bus connection ends.
func (n *Notifier) Invoked() <-chan Invocation { return n.out }

// Close stops listening. It does not close a connection the caller passed to
// Dial.
func (n *Notifier) Close() error {
	var err error
	n.close.Do(func() {
		close(n.done)
		n.conn.RemoveSignal(n.signals)
		<-n.stopped
		if n.ownConn {
			err = n.conn.Close()
			return
		}
		if !n.conn.Connected() {
			return // the caller closed it: nothing to remove
		}
		ctx, cancel := withTimeout(context.Background())
		defer cancel()
		err = n.conn.RemoveMatchSignalContext(ctx, n.match()...)
	})
	return err
}

// track remembers id as this Notifier's, forgetting the bubble it replaced
// if the server gave a new id, and the oldest beyond maxTracked.
func (n *Notifier) track(id, replaced uint32, defaultKey string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if replaced != 0 && replaced != id {
		n.forgetLocked(replaced)
	}
	if _, ok := n.sent[id]; !ok {
		n.order = append(n.order, id)
	}
	n.sent[id] = defaultKey
	for len(n.order) > maxTracked {
		delete(n.sent, n.order[0])
		n.order = n.order[1:]
	}
}

func (n *Notifier) forgetLocked(id uint32) {
	delete(n.sent, id)
	for i, o := range n.order {
		if o == id {
			n.order = append(n.order[:i], n.order[i+1:]...)
			break
		}
	}
}

// listen turns the server's signals into Invocations until Close or the
// connection's end.
func (n *Notifier) listen() {
	defer close(n.stopped)
	defer close(n.out)
	for {
		var sig *dbus.Signal
		var ok bool
		select {
		case <-n.done:
			return
		case sig, ok = <-n.signals:
			if !ok {
				return
			}
		}
		if sig.Path != busPath {
			continue
		}
		inv, ok := n.invocation(sig)
		if !ok {
			continue
		}
		select {
		case n.out <- inv:
		case <-n.done:
			return
		}
	}
}

// invocation reads an ActionInvoked signal for one of this Notifier's
// bubbles; a NotificationClosed one forgets the bubble.
func (n *Notifier) invocation(sig *dbus.Signal) (Invocation, bool) {
	if len(sig.Body) < 2 {
		return Invocation{}, false
	}
	id, ok := sig.Body[0].(uint32)
	if !ok {
		return Invocation{}, false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	defaultKey, ours := n.sent[id]
	if !ours {
		return Invocation{}, false
	}
	switch sig.Name {
	case sigClosed:
		n.forgetLocked(id)
	case sigAction:
		action, ok := sig.Body[1].(string)
		if !ok {
			return Invocation{}, false
		}
		if action == DefaultKey && defaultKey != "" {
			action = defaultKey
		}
		return Invocation{ID: id, Action: action}, true
	}
	return Invocation{}, false
}

// withTimeout bounds ctx by callTimeout unless it has a deadline already.
func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, callTimeout)
}
