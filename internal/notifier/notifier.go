// Package notifier turns what a refresh classified as news into desktop
// notifications and a person's clicks on them into actions.
//
// Announce is the one fan-out after a refresh, for the Linux tray process
// (internal/tray) and the one-process app (internal/single): it words the
// changes (package view) and hands each notification to a Sender. Desktop
// is the Sender that talks to the session bus's notification server
// (desktop/notify): a click opens the execution's details, buttons open its
// logs or acknowledge it, and one bubble is updated in place while fresh.
// It imports no toolkit.
package notifier

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"runwatch/desktop/busname"
	"runwatch/desktop/notify"
	"runwatch/poller"
	"runwatch/poller/lifecycle"
	"runwatch/ui/view"
)

// Sender shows one notification; an error means no server took it.
type Sender interface {
	Send(view.Notification) error
}

// Announce sends, unless notifications are paused, what a refresh's result
// calls for, of the kinds a person wants: one notification per change, a
// summary for several, one for what a snooze held back. Each is sent off
// the caller's goroutine: a hung notification server must not hold the
// poller or a window. done hears, on a goroutine of its own, for each, what
// it told of and whether a server took it; what a person chose not to hear
// (paused, a kind not wanted) counts as told at once.
func Announce(res poller.Result, prefs view.NotifyPrefs, s Sender, done func(Told, error)) {
	skipped := Told{Skipped: true}
	var changes, missed []lifecycle.Change
	for _, c := range res.Changes {
		if prefs.Paused || !prefs.Kinds.Wants(c.Kind) {
			skipped.Resources = append(skipped.Resources, c.Resource)
			continue
		}
		changes = append(changes, c)
	}
	for _, c := range res.Missed {
		if !prefs.Paused && prefs.Kinds.Wants(c.Kind) {
			missed = append(missed, c)
		}
	}
	if len(missed) == 0 {
		for _, c := range res.Missed {
			skipped.Missed = append(skipped.Missed, c.Resource)
		}
	}
	if len(skipped.Resources)+len(skipped.Missed) > 0 {
		go done(skipped, nil)
	}
	if len(changes) > 0 {
		told := Told{}
		for _, c := range changes {
			told.Resources = append(told.Resources, c.Resource)
		}
		for _, n := range view.NotificationsFor(changes, nil, 0) {
			go func() { done(told, s.Send(n)) }()
		}
	}
	if len(missed) > 0 {
		told := Told{}
		for _, c := range res.Missed {
			told.Missed = append(told.Missed, c.Resource)
		}
		for _, n := range view.NotificationsFor(nil, missed, res.MissedMore) {
			go func() { done(told, s.Send(n)) }()
		}
	}
}

// Told is what one notification told of: the changes' executions, or the
// executions in the summary of what a snooze held back.
type Told struct {
	Resources []string
	Missed    []string
	// Skipped: a person chose not to hear of them (paused, a kind not
	// wanted); no server was asked.
	Skipped bool
}

// Desktop sends notifications over D-Bus, with a click opening the
// execution's details and, for a failure, buttons to open its logs and
// acknowledge it. Each execution has a bubble of its own, updated in place
// by later news of the same execution: news of another never overwrites a
// failure a person has not seen. It connects when it first sends, and again
// after the server went away: a server that starts after runwatch is used.
type Desktop struct {
	appID   string
	clicks  chan notify.Invocation // from every connection
	sending sync.Mutex             // held for a whole send
	mu      sync.Mutex
	conn    *notify.Notifier  // nil until connected, and after a send failed
	owner   string            // the server process the bubbles below belong to
	byID    map[uint32]string // bubble → execution resource
	// byResource: execution resource → its bubble; order: bubbles, oldest
	// first, to forget the oldest.
	byResource map[string]uint32
	order      []uint32
}

// bubblesKept bounds the bubbles remembered for clicks and updates.
const bubblesKept = 200

// sendTimeout bounds connecting and one Notify call.
const sendTimeout = 5 * time.Second

// serverName is the notification server's D-Bus name.
const serverName = "org.freedesktop.Notifications"

// Action keys of a notification.
const (
	actionLogs = "logs"
	actionAck  = "ack"
)

// NewDesktop returns a Desktop that names the app by its desktop entry
// (appID); it connects when it first sends.
func NewDesktop(appID string) *Desktop {
	return &Desktop{appID: appID, clicks: make(chan notify.Invocation, 16), byID: map[uint32]string{}, byResource: map[string]uint32{}}
}

// Dial connects to the session bus's notification server at once, naming
// the app by its desktop entry (appID); an error means there is none now.
func Dial(ctx context.Context, appID string) (*Desktop, error) {
	d := NewDesktop(appID)
	if _, err := d.connect(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// connect returns the connection to the notification server, dialling it
// when there is none.
func (d *Desktop) connect(ctx context.Context) (*notify.Notifier, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		return d.conn, nil
	}
	conn, err := notify.DialSession(ctx, notify.Options{AppName: "runwatch", DesktopEntry: d.appID})
	if err != nil {
		return nil, err
	}
	d.conn = conn
	go func() {
		for inv := range conn.Invoked() {
			d.clicks <- inv
		}
	}()
	return conn, nil
}

// drop forgets a connection whose server did not answer.
func (d *Desktop) drop(conn *notify.Notifier) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn == conn {
		d.conn = nil
		_ = conn.Close()
	}
}

// Send shows one notification (plain text: the notifier escapes it only
// for servers that read markup); an error means no server took it.
func (d *Desktop) Send(n view.Notification) error {
	// One at a time: two notifications of one execution must not both miss
	// the bubble the first creates.
	d.sending.Lock()
	defer d.sending.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	conn, err := d.connect(ctx)
	if err != nil {
		return fmt.Errorf("no notification server: %w", err)
	}
	owner, err := conn.ServerOwner(ctx)
	if err != nil {
		d.drop(conn)
		return fmt.Errorf("no notification server: %w", err)
	}
	d.mu.Lock()
	if owner != d.owner {
		// Another server process (a restart) numbers its bubbles anew:
		// the ids of the last one mean other bubbles now.
		d.owner, d.byID, d.byResource, d.order = owner, map[uint32]string{}, map[string]uint32{}, nil
	}
	replaces := uint32(0)
	if n.Resource != "" {
		replaces = d.byResource[n.Resource]
	}
	d.mu.Unlock()
	note := notify.Notification{Title: n.Title, Body: n.Body, ReplacesID: replaces}
	if n.Resource != "" {
		note.Default = notify.Action{Key: notify.DefaultKey, Label: "Details"}
	}
	if n.Resource != "" && n.Acts() {
		note.Actions = []notify.Action{{Key: actionLogs, Label: "Open logs"}, {Key: actionAck, Label: "Acknowledge"}}
	}
	id, err := conn.Send(ctx, note)
	if err != nil {
		d.drop(conn)
		return fmt.Errorf("notify: %w", err)
	}
	d.remember(id, n.Resource)
	return nil
}

// ServerComes sends a value each time a notification server appears on
// the session bus, until ctx ends: news that waits for one can go out.
func ServerComes(ctx context.Context) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		defer close(out)
		for present := range busname.Watch(ctx, serverName) {
			if !present {
				continue
			}
			select {
			case out <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// remember keeps which execution a bubble tells of, forgetting the oldest
// bubbles beyond bubblesKept.
func (d *Desktop) remember(id uint32, resource string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, known := d.byID[id]; !known {
		d.order = append(d.order, id)
	}
	d.byID[id] = resource
	if resource != "" {
		d.byResource[resource] = id
	}
	for len(d.order) > bubblesKept {
		old := d.order[0]
		d.order = d.order[1:]
		if r := d.byID[old]; d.byResource[r] == old {
			delete(d.byResource, r)
		}
		delete(d.byID, old)
	}
}

// Clicks are what a click on a bubble can do.
type Clicks struct {
	Details     func(resource string) // show the execution's details
	OpenURL     func(*url.URL)        // open a link (a Cloud Console one, checked)
	Acknowledge func(resource string)
}

// HandleClicks acts on what a person chose on a bubble until ctx ends.
func (d *Desktop) HandleClicks(ctx context.Context, do Clicks) {
	for {
		select {
		case <-ctx.Done():
			return
		case inv := <-d.clicks:
			d.mu.Lock()
			resource := d.byID[inv.ID]
			d.mu.Unlock()
			if resource == "" {
				continue
			}
			switch inv.Action {
			case notify.DefaultKey:
				do.Details(resource)
			case actionAck:
				do.Acknowledge(resource)
			case actionLogs:
				if link, err := url.Parse(consoleLogsURL(resource)); err == nil && view.IsConsoleURL(link.String()) {
					do.OpenURL(link)
				}
			}
		}
	}
}

// consoleLogsURL returns an execution's logs in the Cloud Console, from
// its resource name projects/P/locations/R/jobs/J/executions/E.
func consoleLogsURL(resource string) string {
	parts := strings.Split(resource, "/")
	if len(parts) != 8 {
		return ""
	}
	project, region, execution := parts[1], parts[3], parts[7]
	return fmt.Sprintf("https://console.cloud.google.com/run/jobs/executions/details/%s/%s/logs?project=%s",
		url.PathEscape(region), url.PathEscape(execution), url.QueryEscape(project))
}
