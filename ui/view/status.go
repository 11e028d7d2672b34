package view

import (
	"cmp"
	"fmt"
	"runwatch/assets"
	"slices"
	"strings"
	"time"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
)

// Status is everything the UI knows: the latest snapshot and how the
// polling goes.
type Status struct {
	Snapshot    poller.Snapshot
	HasSnapshot bool
	// LastSuccess is when a refresh last had at least one region answer.
	LastSuccess time.Time
	Interval    time.Duration
	// FailureLimit: a failure older than this no longer colours the tray
	// (zero: DefaultFailureLimit).
	FailureLimit time.Duration
	// Problem stops polling altogether, such as missing credentials.
	Problem string
	// Undelivered counts the notifications no notification server took;
	// they go out when one does.
	Undelivered int
}

// TickEvery is how often what shows ages ("12m ago") and staleness is
// drawn again between refreshes.
const TickEvery = 15 * time.Second

// DefaultFailureLimit is how long a failure colours the tray when the
// settings say nothing.
const DefaultFailureLimit = 24 * time.Hour

// TrayLook is which icon the tray shows.
type TrayLook string

// The tray looks: one per execution state, and the ones for not knowing.
const (
	LookRunning   TrayLook = "running"
	LookSucceeded TrayLook = "succeeded"
	LookFailed    TrayLook = "failed"
	LookAcked     TrayLook = "acknowledged" // every failure that would colour the tray is acknowledged
	LookCancelled TrayLook = "cancelled"
	// The last finished result with a running mark on top: an execution
	// runs or waits to (CCMenu's failure+building).
	LookFailedRunning    TrayLook = "failed+running"
	LookAckedRunning     TrayLook = "acknowledged+running"
	LookSucceededRunning TrayLook = "succeeded+running"
	LookCancelledRunning TrayLook = "cancelled+running"
	LookPending          TrayLook = "pending"
	LookStale            TrayLook = "stale"       // no refresh for two intervals, or nothing known yet
	LookOffline          TrayLook = "offline"     // the last refresh reached no region
	LookCredentials      TrayLook = "credentials" // polling cannot start
)

// LookOfState is the icon of an execution state.
func LookOfState(s poller.State) TrayLook { return lookOfState[s] }

var lookOfState = map[poller.State]TrayLook{
	poller.StateRunning:   LookRunning,
	poller.StateSucceeded: LookSucceeded,
	poller.StateFailed:    LookFailed,
	poller.StateCancelled: LookCancelled,
	poller.StatePending:   LookPending,
}

// TrayLookOf decides the tray icon: the last finished result, with a
// running mark on top while an execution runs or waits to, unless the
// snapshot cannot be trusted. A region's failure keeps the tray red until a
// later success in the same region, an acknowledgement, or FailureLimit; a
// newer running, pending or cancelled execution does not hide it. Rows of a
// region that stopped answering more than two intervals ago decide nothing.
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
	var base TrayLook
	if failures := Colouring(st, now); len(failures) > 0 {
		base = LookAcked
		if slices.ContainsFunc(failures, func(e poller.Execution) bool { return !e.Acknowledged }) {
			base = LookFailed
		}
	} else if e, ok := lastFinished(st, now); ok {
		base = lookOfState[e.State]
		if e.State == poller.StateFailed {
			base = LookAcked // acknowledged, or older than the limit: seen, not urgent
		}
	}
	active, running := newestTrusted(st, now, func(e poller.Execution) bool { return !e.State.Terminal() })
	switch {
	case base == "" && running:
		return lookOfState[active.State]
	case base == "":
		return LookStale
	case running:
		return withRunningMark[base]
	}
	return base
}

// withRunningMark is each finished look with a running mark on top.
var withRunningMark = map[TrayLook]TrayLook{
	LookFailed:    LookFailedRunning,
	LookAcked:     LookAckedRunning,
	LookSucceeded: LookSucceededRunning,
	LookCancelled: LookCancelledRunning,
}

// Colouring returns the failures that colour the tray, newest end first:
// each region's last finished execution where it failed, its region
// answering within two intervals, ended within the failure limit.
func Colouring(st Status, now time.Time) []poller.Execution {
	limit := cmp.Or(st.FailureLimit, DefaultFailureLimit)
	var out []poller.Execution
	for _, e := range st.Snapshot.Failing {
		if trusted(st, e, now) && now.Sub(e.Completed) <= limit {
			out = append(out, e)
		}
	}
	return out
}

// trusted reports whether e's region answered within two intervals.
func trusted(st Status, e poller.Execution, now time.Time) bool {
	return !e.Stale || st.Interval == 0 || now.Sub(e.ListedAt) <= 2*st.Interval
}

// lastFinished returns the execution that ended last, of a region that
// answered within two intervals: the last finished result.
func lastFinished(st Status, now time.Time) (poller.Execution, bool) {
	var last poller.Execution
	found := false
	for _, e := range st.Snapshot.Executions {
		if e.State.Terminal() && trusted(st, e, now) && (!found || e.Completed.After(last.Completed)) {
			last, found = e, true
		}
	}
	return last, found
}

// newestTrusted returns the newest execution that keep accepts, of a
// region that answered within two intervals.
func newestTrusted(st Status, now time.Time, keep func(poller.Execution) bool) (poller.Execution, bool) {
	for _, e := range st.Snapshot.Executions {
		if keep(e) && trusted(st, e, now) {
			return e, true
		}
	}
	return poller.Execution{}, false
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
	if !st.HasSnapshot || st.LastSuccess.IsZero() {
		return "runwatch: first refresh…"
	}
	refreshed := "refreshed " + st.LastSuccess.Local().Format("15:04:05")
	if look == LookStale {
		refreshed = "stale: last refreshed " + poller.FormatAge(now.Sub(st.LastSuccess)) + " ago"
	}
	if until := st.Snapshot.SnoozedUntil; !until.IsZero() {
		refreshed += " — snoozed until " + until.Local().Format("Mon 15:04")
	}
	if failures := Colouring(st, now); len(failures) > 0 {
		return "runwatch: " + failureSummary(failures, now) + " — " + refreshed
	}
	newest, ok := st.Snapshot.Newest()
	if !ok {
		return fmt.Sprintf("runwatch: no executions of %s — %s", st.Snapshot.Job, refreshed)
	}
	word := StateWord(newest.State)
	if newest.State == poller.StateFailed && newest.Acknowledged {
		word = "failed (acknowledged)"
	}
	return fmt.Sprintf("runwatch: newest %s — %s", word, refreshed)
}

// failureSummary names the failures that colour the tray, the newest
// first: "vertex-ai-launcher failed in us-west3 12m ago (and 2 more
// regions)", "(acknowledged)" when every one is.
func failureSummary(failures []poller.Execution, now time.Time) string {
	f := failures[0]
	for _, e := range failures {
		if !e.Acknowledged {
			f = e
			break
		}
	}
	out := fmt.Sprintf("%s failed in %s %s ago", jobOf(f.Resource), f.Region, poller.FormatAge(now.Sub(f.Completed)))
	switch n := len(failures) - 1; {
	case n == 1:
		out += " (and 1 more region)"
	case n > 1:
		out += fmt.Sprintf(" (and %d more regions)", n)
	}
	if f.Acknowledged {
		out += " (acknowledged)"
	}
	return out
}

// jobOf returns the job of a resource projects/P/locations/R/jobs/J/executions/E.
func jobOf(resource string) string {
	parts := strings.Split(resource, "/")
	if len(parts) < 6 {
		return resource
	}
	return parts[5]
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
			Label:    fmt.Sprintf("%s %s · %s · %s · %s", stateDot[e.State], e.Region, e.Name, shownState(e), poller.FormatAge(now.Sub(e.Created))),
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

// shownState names an execution's state as a row and the menu show it: a
// failure a person acknowledged says so.
func shownState(e poller.Execution) string {
	if e.State == poller.StateFailed && e.Acknowledged {
		return "failed (acknowledged)"
	}
	return StateWord(e.State)
}

// StateWord names a state in the lower case of a sentence: "failed".
func StateWord(s poller.State) string { return strings.ToLower(string(s)) }

// Row is one line of the executions table.
type Row struct {
	State    poller.State
	Region   string
	Name     string
	Age      string
	Duration string
	Error    string
	// Seen says whether the error came before: "4× since 09:12", "new kind".
	Seen  string
	Stale bool // its region did not answer the last refresh
	// Acknowledged: a failure a person acknowledged.
	Acknowledged bool
	Resource     string
}

// Rows turns a snapshot into the executions table.
func Rows(s poller.Snapshot, now time.Time) []Row {
	var out []Row
	for _, e := range s.Executions {
		out = append(out, Row{
			State:        e.State,
			Region:       e.Region,
			Name:         e.Name,
			Age:          poller.FormatAge(now.Sub(e.Created)) + " ago",
			Duration:     poller.FormatDuration(e.Duration(now)),
			Error:        ErrorLine(e),
			Seen:         SeenShort(e),
			Stale:        e.Stale,
			Acknowledged: e.State == poller.StateFailed && e.Acknowledged,
			Resource:     e.Resource,
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
	if st.LastSuccess.IsZero() {
		return fmt.Sprintf("%s / %s — %d regions — never refreshed", s.Project, s.Job, s.RegionsAsked)
	}
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

// SeenShort says in a few words whether a failure's error came before:
// "4th time since 09:12", or "different error" when it broke a failing
// streak with an error unlike the one before.
func SeenShort(e poller.Execution) string {
	switch {
	case e.State != poller.StateFailed:
		return ""
	case e.Occurrences > 1:
		return fmt.Sprintf("%s time since %s", Ordinal(e.Occurrences), clockOrDay(e.FirstOccurred, e.Completed))
	case e.Kind == lifecycle.NewKindOfError:
		return "different error"
	}
	return ""
}

// Recurrence says in words whether an error came before: "same error as 3
// earlier failures (first 09:12)", "a different error from the failure
// before", or "".
func Recurrence(occurrences int, first, at time.Time, kind lifecycle.Kind) string {
	switch {
	case occurrences == 2:
		return "same error as 1 earlier failure (first " + clockOrDay(first, at) + ")"
	case occurrences > 2:
		return fmt.Sprintf("same error as %d earlier failures (first %s)", occurrences-1, clockOrDay(first, at))
	case kind == lifecycle.NewKindOfError:
		return "a different error from the failure before"
	}
	return ""
}

// clockOrDay is t's time of day when it is the same day as ref, else its date.
func clockOrDay(t, ref time.Time) string {
	t, ref = t.Local(), ref.Local()
	if t.YearDay() == ref.YearDay() && t.Year() == ref.Year() {
		return t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}

// IconOf is the tray icon of a look.
func IconOf(look TrayLook) assets.Icon {
	switch look {
	case LookRunning:
		return assets.Running
	case LookSucceeded:
		return assets.Succeeded
	case LookFailed:
		return assets.Failed
	case LookAcked:
		return assets.Acknowledged
	case LookFailedRunning:
		return assets.FailedRunning
	case LookAckedRunning:
		return assets.AcknowledgedRunning
	case LookSucceededRunning:
		return assets.SucceededRunning
	case LookCancelledRunning:
		return assets.CancelledRunning
	case LookCancelled:
		return assets.Cancelled
	case LookPending:
		return assets.Pending
	case LookOffline:
		return assets.Offline
	case LookCredentials:
		return assets.Credentials
	default:
		return assets.Stale
	}
}
