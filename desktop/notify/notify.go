// Package notify shows desktop notifications over D-Bus
// (org.freedesktop.Notifications) directly rather than through Fyne.
//
// It exists because Fyne's notifications cannot carry actions
// (fyne-io/fyne#4953), cannot update a bubble in place, and need Fyne's
// driver running, while runwatch wants a click on a failure to open that
// execution's details, "Open logs" and "Acknowledge" buttons, one bubble for a
// burst of failures, and a tray process that never starts Fyne. Only Linux
// (and other freedesktop systems on Linux) has this server; elsewhere Dial
// reports ErrUnsupported and the caller falls back to Fyne's notifications.
package notify

import (
	"errors"
	"strings"
	"time"
)

// ErrUnsupported is returned on systems without freedesktop notifications.
var ErrUnsupported = errors.New("desktop notifications over D-Bus are not supported on this system")

// DefaultKey is the action key of the spec's default action: a click on the
// bubble itself.
const DefaultKey = "default"

// Options say who is notifying; they are the same for every notification.
type Options struct {
	AppName      string // shown by most servers, e.g. "runwatch"
	AppIcon      string // an icon name or file:// URI; empty for none
	DesktopEntry string // the .desktop file's name without ".desktop", e.g. "io.runwatch.app"
}

// Action is a button on a notification.
type Action struct {
	Key   string // reported back in Invocation.Action
	Label string // what the button says
}

// Urgency is the notification's urgency hint. The zero value is normal.
type Urgency uint8

const (
	UrgencyNormal Urgency = iota
	UrgencyLow
	UrgencyCritical
)

// level is the spec's byte: 0 low, 1 normal, 2 critical.
func (u Urgency) level() byte {
	switch u {
	case UrgencyLow:
		return 0
	case UrgencyCritical:
		return 2
	default:
		return 1
	}
}

// Notification is one bubble. Title and Body are plain text: the body is
// escaped when the server reads it as markup.
type Notification struct {
	Title string
	Body  string
	// Default, when its Key is set, is what a click on the bubble itself
	// does; Invoked reports it with Default.Key. Its label is shown by the
	// few servers that show the default action as a button.
	Default Action
	// Actions are buttons; servers without the "actions" capability get
	// none, and the notification is shown without them.
	Actions []Action
	// ReplacesID, the id Send returned for an earlier notification, updates
	// that bubble in place instead of showing another.
	ReplacesID uint32
	Urgency    Urgency
	// Expire is how long the bubble stays; zero leaves it to the server.
	Expire time.Duration
}

// Invocation is an action the user chose on one of this Notifier's bubbles.
type Invocation struct {
	ID     uint32 // the id Send returned
	Action string // the Action's Key, or Default.Key for a click on the bubble
}

// Capabilities are what the server announced once, at Dial.
type Capabilities struct {
	BodyMarkup  bool     // "body-markup": the body is read as markup
	Actions     bool     // "actions": buttons and the default action work
	Persistence bool     // "persistence": bubbles stay until dismissed
	All         []string // everything the server announced
}

func parseCapabilities(caps []string) Capabilities {
	c := Capabilities{All: caps}
	for _, s := range caps {
		switch s {
		case "body-markup":
			c.BodyMarkup = true
		case "actions":
			c.Actions = true
		case "persistence":
			c.Persistence = true
		}
	}
	return c
}

// markupEscaper escapes the three characters the spec's markup gives meaning.
var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeMarkup makes text show as itself on a server that reads markup.
func EscapeMarkup(text string) string { return markupEscaper.Replace(text) }

// callTimeout bounds a D-Bus call whose context has no deadline of its own.
const callTimeout = 5 * time.Second
