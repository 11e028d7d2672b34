// Package ui renders what the poller reports: the tray icon and menu, the
// executions window, the details window and notifications. Its decisions
// are the plain functions of this file; the widgets only display them. It
// never calls a Google API.
package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"runwatch/poller"
)

// Status is everything the UI knows: the latest snapshot and how the
// polling goes.
type Status struct {
	Snapshot    poller.Snapshot
	HasSnapshot bool
	// LastSuccess is when a refresh last had at least one region answer.
	LastSuccess time.Time
	Interval    time.Duration
	// Problem stops polling altogether, such as missing credentials.
	Problem string
}

// TrayLook is which icon the tray shows.
type TrayLook string

// The tray looks: one per execution state, and the ones for not knowing.
const (
	LookRunning     TrayLook = "running"
	LookSucceeded   TrayLook = "succeeded"
	LookFailed      TrayLook = "failed"
	LookCancelled   TrayLook = "cancelled"
	LookPending     TrayLook = "pending"
	LookStale       TrayLook = "stale"       // no refresh for two intervals, or nothing known yet
	LookOffline     TrayLook = "offline"     // the last refresh reached no region
	LookCredentials TrayLook = "credentials" // polling cannot start
)

var lookOfState = map[poller.State]TrayLook{
	poller.StateRunning:   LookRunning,
	poller.StateSucceeded: LookSucceeded,
	poller.StateFailed:    LookFailed,
	poller.StateCancelled: LookCancelled,
	poller.StatePending:   LookPending,
}

// TrayLookOf decides the tray icon: the newest execution's state, unless the
// picture cannot be trusted.
func TrayLookOf(st Status, now time.Time) TrayLook {
	switch {
	case st.Problem != "" || st.Snapshot.Unauthenticated:
		return LookCredentials
	case !st.HasSnapshot:
		return LookStale
	case allRegionsFailed(st.Snapshot):
		return LookOffline
	case st.Interval > 0 && now.Sub(st.LastSuccess) > 2*st.Interval:
		return LookStale
	}
	newest, ok := st.Snapshot.Newest()
	if !ok {
		return LookStale
	}
	return lookOfState[newest.State]
}

func allRegionsFailed(s poller.Snapshot) bool {
	return s.RegionsAsked > 0 && len(s.RegionErrors) >= s.RegionsAsked
}

// TraySummary is the tray menu's first line, which stands in for a tooltip
// (Fyne sets none on Linux).
func TraySummary(st Status, now time.Time) string {
	look := TrayLookOf(st, now)
	switch {
	case st.Problem != "":
		return "runwatch: " + st.Problem
	case st.Snapshot.Unauthenticated:
		return "runwatch: credentials refused — run gcloud auth application-default login"
	}
	switch look {
	case LookOffline:
		return "runwatch: offline — no region answered"
	}
	if !st.HasSnapshot {
		return "runwatch: first refresh…"
	}
	refreshed := "refreshed " + st.LastSuccess.Local().Format("15:04:05")
	if look == LookStale {
		refreshed = "stale: last refreshed " + poller.FormatAge(now.Sub(st.LastSuccess)) + " ago"
	}
	newest, ok := st.Snapshot.Newest()
	if !ok {
		return fmt.Sprintf("runwatch: no executions of %s — %s", st.Snapshot.Job, refreshed)
	}
	return fmt.Sprintf("runwatch: newest %s — %s", stateWord(newest.State), refreshed)
}

// MenuEntry is one execution in the tray menu.
type MenuEntry struct {
	Label    string
	Resource string
}

// MenuEntries lists the newest executions for the tray menu.
func MenuEntries(s poller.Snapshot, now time.Time) []MenuEntry {
	var out []MenuEntry
	for _, e := range s.Executions {
		out = append(out, MenuEntry{
			Label:    fmt.Sprintf("%s %s · %s · %s · %s", stateDot[e.State], e.Region, e.Name, stateWord(e.State), poller.FormatAge(now.Sub(e.Created))),
			Resource: e.Resource,
		})
	}
	return out
}

// stateDot is a coloured mark per state for the menu, where icons are not
// available: the shape differs too.
var stateDot = map[poller.State]string{
	poller.StateRunning:   "▶",
	poller.StateSucceeded: "✔",
	poller.StateFailed:    "✖",
	poller.StateCancelled: "■",
	poller.StatePending:   "…",
}

func stateWord(s poller.State) string { return strings.ToLower(string(s)) }

// Row is one line of the executions table.
type Row struct {
	State    poller.State
	Region   string
	Name     string
	Age      string
	Duration string
	Error    string
	Resource string
}

// Rows turns a snapshot into the executions table.
func Rows(s poller.Snapshot, now time.Time) []Row {
	var out []Row
	for _, e := range s.Executions {
		out = append(out, Row{
			State:    e.State,
			Region:   e.Region,
			Name:     e.Name,
			Age:      poller.FormatAge(now.Sub(e.Created)) + " ago",
			Duration: poller.FormatDuration(e.Duration(now)),
			Error:    ErrorLine(e),
			Resource: e.Resource,
		})
	}
	return out
}

// ErrorLine is the one-line error of a failed execution, or why it is not
// known yet.
func ErrorLine(e poller.Execution) string { return e.ErrorLine() }

// Header is the executions window's first line.
func Header(st Status, now time.Time) string {
	if st.Problem != "" {
		return st.Problem
	}
	if !st.HasSnapshot {
		return "Refreshing…"
	}
	s := st.Snapshot
	return fmt.Sprintf("%s / %s — %d regions — refreshed %s (%s ago)", s.Project, s.Job, s.RegionsAsked,
		st.LastSuccess.Local().Format("15:04:05"), poller.FormatAge(now.Sub(st.LastSuccess)))
}

// RegionProblems summarises the regions that could not be listed:
// "2 regions failed: us-west3 permission denied, asia-east1 no answer within 10s".
func RegionProblems(s poller.Snapshot) string {
	if len(s.RegionErrors) == 0 {
		return ""
	}
	regions := make([]string, 0, len(s.RegionErrors))
	for r := range s.RegionErrors {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	parts := make([]string, len(regions))
	for i, r := range regions {
		parts[i] = r + " " + shortReason(s.RegionErrors[r])
	}
	noun := "regions"
	if len(regions) == 1 {
		noun = "region"
	}
	return fmt.Sprintf("%d %s failed: %s", len(regions), noun, strings.Join(parts, ", "))
}

// shortReason keeps the gist of "list executions in R: permission denied: detail".
func shortReason(msg string) string {
	parts := strings.SplitN(msg, ": ", 3)
	if len(parts) >= 2 {
		return parts[1]
	}
	return msg
}

// Notification is a desktop notification's text.
type Notification struct {
	Title string
	Body  string
}

// maxNotified bounds the lines of a summary notification.
const maxNotified = 5

// NotificationFor turns the failures a refresh reported as new into one
// notification: one failure names its region and error; several become a
// summary. Text from logs is escaped, as notification servers read markup.
func NotificationFor(job string, fresh []poller.Execution) (Notification, bool) {
	switch len(fresh) {
	case 0:
		return Notification{}, false
	case 1:
		e := fresh[0]
		return Notification{
			Title: EscapeMarkup(fmt.Sprintf("%s failed in %s", job, e.Region)),
			Body:  EscapeMarkup(notifiedError(e)),
		}, true
	}
	var lines []string
	for _, e := range fresh[:min(len(fresh), maxNotified)] {
		lines = append(lines, EscapeMarkup(e.Region+": "+notifiedError(e)))
	}
	if more := len(fresh) - maxNotified; more > 0 {
		lines = append(lines, fmt.Sprintf("and %d more", more))
	}
	return Notification{
		Title: EscapeMarkup(fmt.Sprintf("%d new failures of %s", len(fresh), job)),
		Body:  strings.Join(lines, "\n"),
	}, true
}

// FixedNotification says the job works again: the newest execution
// succeeded where the one before it, last refresh, had failed.
func FixedNotification(job string, before, after poller.Snapshot) (Notification, bool) {
	prev, ok1 := before.Newest()
	cur, ok2 := after.Newest()
	if !ok1 || !ok2 || prev.State != poller.StateFailed || cur.State != poller.StateSucceeded || cur.Resource == prev.Resource {
		return Notification{}, false
	}
	return Notification{
		Title: EscapeMarkup(fmt.Sprintf("%s fixed in %s", job, cur.Region)),
		Body:  EscapeMarkup(fmt.Sprintf("%s succeeded after %s failed", cur.Name, prev.Name)),
	}, true
}

func notifiedError(e poller.Execution) string {
	if e.Error != "" {
		return e.Error
	}
	return e.Name + " " + ErrorLine(e)
}

var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeMarkup makes untrusted text plain for notification servers that
// read the body as markup (dunst, GNOME, KDE).
func EscapeMarkup(s string) string { return markupEscaper.Replace(s) }
