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
	"log"
	"net/url"
	"strings"
	"sync"
	"time"

	"runwatch/desktop/notify"
	"runwatch/poller"
	"runwatch/ui/view"
)

// Sender shows one notification. Title and body are plain text.
type Sender interface {
	Send(view.Notification)
}

// Announce sends, unless notifications are paused, what a refresh's result
// calls for, of the kinds a person wants: one notification per change, a
// summary for several, one for what a snooze held back. Each is sent off
// the caller's goroutine: a hung notification server must not hold the
// poller or a window.
func Announce(res poller.Result, prefs view.NotifyPrefs, s Sender) {
	if prefs.Paused {
		return
	}
	for _, n := range view.NotificationsFor(prefs.Kinds.Wanted(res.Changes), prefs.Kinds.Wanted(res.Missed), res.MissedMore) {
		go s.Send(n)
	}
}

// Logged is the Sender where no notification server is: each notification
// goes to the log.
type Logged struct{}

// Send logs n.
func (Logged) Send(n view.Notification) {
	log.Printf("runwatch: no notification server: %s: %s", n.Title, n.Body)
}

// Desktop sends notifications over D-Bus, with a click opening the
// execution's details and, for a failure, buttons to open its logs and
// acknowledge it. Each execution has a bubble of its own, updated in place
// by later news of the same execution: news of another never overwrites a
// failure a person has not seen.
type Desktop struct {
	n          *notify.Notifier
	sending    sync.Mutex // held for a whole send
	mu         sync.Mutex
	byID       map[uint32]string // bubble → execution resource
	byResource map[string]uint32 // execution resource → its bubble
	order      []uint32          // bubbles, oldest first, to forget the oldest
}

// bubblesKept bounds the bubbles remembered for clicks and updates.
const bubblesKept = 200

// sendTimeout bounds one Notify call.
const sendTimeout = 5 * time.Second

// Action keys of a notification.
const (
	actionLogs = "logs"
	actionAck  = "ack"
)

// Dial connects to the session bus's notification server, naming the app
// by its desktop entry (appID).
func Dial(ctx context.Context, appID string) (*Desktop, error) {
	n, err := notify.DialSession(ctx, notify.Options{AppName: "runwatch", DesktopEntry: appID})
	if err != nil {
		return nil, err
	}
	return &Desktop{n: n, byID: map[uint32]string{}, byResource: map[string]uint32{}}, nil
}

// Send shows one notification (plain text: the notifier escapes it only
// for servers that read markup).
func (d *Desktop) Send(n view.Notification) {
	// One at a time: two notifications of one execution must not both miss
	// the bubble the first creates.
	d.sending.Lock()
	defer d.sending.Unlock()
	d.mu.Lock()
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
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	id, err := d.n.Send(ctx, note)
	if err != nil {
		log.Printf("runwatch: notify: %v", err)
		return
	}
	d.remember(id, n.Resource)
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
		case inv, ok := <-d.n.Invoked():
			if !ok {
				return
			}
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
