package view

import (
	"cmp"
	"fmt"
	"runwatch/assets"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
	// Refreshing: a refresh a person asked for ("Refresh now") is under way.
	Refreshing bool
	// Demo: the app watches --demo's simulated Cloud Run; the tray says so.
	Demo bool
}

// TickEvery is the longest wait before what shows ages ("12m ago") and
// staleness is drawn again between refreshes; NextTick says when it
// changes sooner.
const TickEvery = 15 * time.Second

// NextTick returns when what shows of st next changes with the clock alone,
// TickEvery after now at the latest: an age or "refreshed … ago" reaching
// its next minute, hour or day, the status turning stale, a region's rows
// no longer trusted, a failure no longer colouring the tray, a snooze
// ending. The tray and the window draw again then, so both show the same
// ages at the same moment, the moment they change.
func NextTick(st Status, now time.Time) time.Time {
	next := now.Add(TickEvery)
	at := func(t time.Time) {
		if t.After(now) && t.Before(next) {
			next = t
		}
	}
	age := func(ref time.Time) {
		if !ref.IsZero() {
			at(nextAgeChange(ref, now))
		}
	}
	age(st.LastSuccess)
	if st.Interval > 0 && !st.LastSuccess.IsZero() {
		at(st.LastSuccess.Add(2*st.Interval + time.Nanosecond))
	}
	limit := cmp.Or(st.FailureLimit, DefaultFailureLimit)
	for _, e := range slices.Concat(st.Snapshot.Executions, st.Snapshot.Failing) {
		age(e.Created)
		age(e.Completed)
		if e.Completed.IsZero() {
			age(e.Started) // "running for 9m" counts from its start
		} else {
			at(e.Completed.Add(limit + time.Nanosecond))
		}
		if e.Stale && st.Interval > 0 {
			at(e.ListedAt.Add(2*st.Interval + time.Nanosecond))
		}
	}
	at(st.Snapshot.SnoozedUntil)
	return next
}

// nextAgeChange returns when poller.FormatAge of the time since ref next
// changes its minutes, hours or days (seconds are left to TickEvery).
func nextAgeChange(ref, now time.Time) time.Time {
	d := now.Sub(ref)
	unit := time.Minute
	switch {
	case d < 0:
		return ref
	case d >= 48*time.Hour:
		unit = 24 * time.Hour
	case d >= time.Hour:
		unit = time.Hour
	}
	return ref.Add((d/unit + 1) * unit)
}

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
	case base == "" && NoExecutions(st.Snapshot) != "":
		return LookPending // known to have none: nothing is wrong, nothing has run
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

// lastFinished returns the last finished result, of a region that
// answered within two intervals: with the jobs' states known, the worst of
// each job's last finished execution (CCMenu's rule: failed before
// cancelled before succeeded), so a job's result is never hidden by
// another job's newer success; else the execution in view that ended last.
func lastFinished(st Status, now time.Time) (poller.Execution, bool) {
	var last poller.Execution
	found := false
	for _, j := range st.Snapshot.Jobs {
		e := j.Last
		if !e.State.Terminal() || !trusted(st, e, now) {
			continue
		}
		if !found || worse(e, last) {
			last, found = e, true
		}
	}
	if found {
		return last, true
	}
	for _, e := range st.Snapshot.Executions {
		if e.State.Terminal() && trusted(st, e, now) && (!found || e.Completed.After(last.Completed)) {
			last, found = e, true
		}
	}
	return last, found
}

// severity ranks the finished states, the worst highest.
var severity = map[poller.State]int{poller.StateSucceeded: 1, poller.StateCancelled: 2, poller.StateFailed: 3}

// worse reports whether a is a worse result than b, or as bad and newer.
func worse(a, b poller.Execution) bool {
	if sa, sb := severity[a.State], severity[b.State]; sa != sb {
		return sa > sb
	}
	return a.Completed.After(b.Completed)
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
	return s.NoneAnswered()
}

// TraySummary is the tray menu's first line and the tray's tooltip (Fyne
// sets none on Linux): "runwatch: " and what is the matter; in --demo
// "runwatch — demo (simulated Cloud Run): ", as the windows' title
// (DemoTitle), so a simulation is never taken for a real project.
func TraySummary(st Status, now time.Time) string {
	name := "runwatch"
	if st.Demo {
		name = DemoTitle
	}
	return name + ": " + trayState(st, now)
}

// trayState says what TraySummary is about: a problem, the failure that
// colours the tray, else the newest state, and when it was refreshed.
func trayState(st Status, now time.Time) string {
	look := TrayLookOf(st, now)
	switch {
	case st.Problem != "":
		return st.Problem
	case st.Snapshot.Unauthenticated:
		return "credentials refused — run gcloud auth application-default login"
	case st.Refreshing:
		return "refreshing…"
	}
	switch look {
	case LookOffline:
		out := "can't reach Cloud Run"
		if since := st.Snapshot.OfflineSince; !since.IsZero() {
			out += " since " + clockOrDay(since, now)
		}
		return out
	}
	if st.Snapshot.Team.Mode == poller.TeamUnreachable {
		return TeamUnreachable(st.Interval)
	}
	if !st.HasSnapshot || st.LastSuccess.IsZero() {
		return "first refresh…"
	}
	refreshed := "refreshed " + st.LastSuccess.Local().Format("15:04:05")
	if look == LookStale {
		refreshed = "stale: last refreshed " + poller.FormatAge(now.Sub(st.LastSuccess)) + " ago"
	}
	if until := st.Snapshot.SnoozedUntil; !until.IsZero() {
		refreshed += " — snoozed until " + until.Local().Format("Mon 15:04")
	}
	if failures := Colouring(st, now); len(failures) > 0 {
		return failureSummary(failures, now) + " — " + refreshed
	}
	if none := NoExecutions(st.Snapshot); none != "" {
		return strings.ToLower(none[:1]) + none[1:] + " — " + refreshed
	}
	newest, ok := st.Snapshot.Newest()
	if !ok {
		return fmt.Sprintf("no executions of %s — %s", st.Snapshot.Job, refreshed)
	}
	word := StateWord(newest.State)
	if newest.State == poller.StateFailed && newest.Acknowledged {
		word = "failed (acknowledged)"
	}
	return fmt.Sprintf("newest %s — %s", word, refreshed)
}

// TeamUnreachable says that team mode cannot read Pub/Sub and polls every
// interval instead: "team mode: can't reach Pub/Sub — polling every 30s".
func TeamUnreachable(interval time.Duration) string {
	out := "team mode: can't reach Pub/Sub"
	if interval > 0 {
		out += " — polling every " + intervalWord(interval)
	}
	return out
}

// intervalWord says an interval in its largest whole unit: "30s", "10m",
// "1h", else "90s".
func intervalWord(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
}

// NoExecutions says why a refresh that reached some region shows no
// execution (see poller.Snapshot.NoExecutions).
func NoExecutions(s poller.Snapshot) string { return s.NoExecutions() }

// regionCount says how many of the regions asked answered (see
// poller.RegionCount).
func regionCount(answered, asked int) string { return poller.RegionCount(answered, asked) }

// failureSummary names the failures that colour the tray, the newest
// first: "vertex-ai-launcher failed in us-west3 12m ago (and 2 more
// regions)", "(acknowledged)" when every one is; with several jobs
// failing, each of them: "nightly-train, etl-daily failed — newest in
// us-west3 12m ago".
func failureSummary(failures []poller.Execution, now time.Time) string {
	f := failures[0]
	for _, e := range failures {
		if !e.Acknowledged {
			f = e
			break
		}
	}
	if jobs := failingJobs(failures); len(jobs) > 1 {
		out := strings.Join(jobs[:min(len(jobs), jobsNamed)], ", ")
		if n := len(jobs) - jobsNamed; n > 0 {
			out += fmt.Sprintf(" and %d more jobs", n)
		}
		out += fmt.Sprintf(" failed — newest in %s %s ago", f.Region, poller.FormatAge(now.Sub(f.Completed)))
		if f.Acknowledged {
			out += " (acknowledged)"
		}
		return out
	}
	out := fmt.Sprintf("%s failed in %s %s ago", jobLabel(f, failures), f.Region, poller.FormatAge(now.Sub(f.Completed)))
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

// jobsNamed bounds the failing jobs a summary names.
const jobsNamed = 3

// failingJobs names the jobs of failures, the first failure's first: by
// job, or as project/job where two projects have a job of that name.
func failingJobs(failures []poller.Execution) []string {
	var out []string
	for _, e := range failures {
		if name := jobLabel(e, failures); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// jobLabel names e's job: its name, or project/job where others holds a
// job of that name in another project.
func jobLabel(e poller.Execution, others []poller.Execution) string {
	job := cmp.Or(e.Job, jobOf(e.Resource))
	for _, o := range others {
		if cmp.Or(o.Job, jobOf(o.Resource)) == job && o.Project != e.Project {
			return e.Project + "/" + job
		}
	}
	return job
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

// Bounds of the tray menu's execution lines: a short menu whatever Top
// (the window shows them all), each line short enough to read at a glance.
const (
	MenuRowsMax  = 5
	menuLabelMax = 80
)

// MenuEntries lists the newest executions for the tray menu, at most
// MenuRowsMax: "✖ us-west3 · x7k2p · failed 12m ago · Quota exceeded for
// CPUS…", the execution named without its job's name (the menu's first
// line names it), a failure followed by the start of its error.
func MenuEntries(s poller.Snapshot, now time.Time) []MenuEntry {
	var out []MenuEntry
	for _, e := range s.Executions[:min(len(s.Executions), MenuRowsMax)] {
		name := e.Name
		if !s.AllJobs && !strings.Contains(s.Job, ",") {
			name = ShortName(e.Name, s.Job) // the menu's first line names the one job
		}
		label := fmt.Sprintf("%s %s · %s · %s", stateDot[e.State], e.Region, name, menuState(e, now))
		if line := ErrorLine(e); line != "" {
			label = clip(label+" · "+line, menuLabelMax)
		}
		out = append(out, MenuEntry{Label: label, Resource: e.Resource})
	}
	return out
}

// ShortName returns an execution's name without its job's: "x7k2p" of
// "my-etl-job-x7k2p".
func ShortName(name, job string) string {
	if short, ok := strings.CutPrefix(name, job+"-"); ok && short != "" {
		return short
	}
	return name
}

// menuState says an execution's state and when, as the menu does: "failed
// 12m ago", "running for 3m", "running (last seen 02:16)".
func menuState(e poller.Execution, now time.Time) string {
	switch {
	case e.Stale && !e.State.Terminal():
		return shownState(e) + " (last seen " + clockOrDay(e.ListedAt, now) + ")"
	case e.State.Terminal():
		return shownState(e) + " " + ago(now.Sub(cmp.Or(e.Completed, e.Created)))
	case e.State == poller.StateRunning && !e.Started.IsZero():
		return shownState(e) + " for " + poller.FormatAge(now.Sub(e.Started))
	}
	return shownState(e) + ", created " + ago(now.Sub(e.Created))
}

// ago says how long ago, coarsely, as the menu does: "just now" under a
// minute (so the menu, which closes when redrawn, changes once a minute).
func ago(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return poller.FormatAge(d) + " ago"
}

// clip cuts s to at most n characters, at a space when one is near the
// end, marking the cut with "…".
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > 0 && utf8.RuneCountInString(cut[i:]) <= clipSpaceNear {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ·:,") + "…"
}

// clipSpaceNear: clip cuts at a space at most this many characters back.
const clipSpaceNear = 16

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
	State poller.State
	// StateText says the state in words: "failed (acknowledged)",
	// "running (last seen 02:16)" for a row of a region that stopped
	// answering.
	StateText string
	Region    string
	Name      string
	Age       string
	Duration  string
	Error     string
	// Seen says whether the error came before (SeenShort): "4th time since
	// 09:12", "different error".
	Seen string
	// Stale: its region did not answer the last refresh while others did
	// (when none did, RegionProblems says so once, not each row).
	Stale bool
	// Acknowledged: a failure a person acknowledged.
	Acknowledged bool
	Resource     string
}

// Rows turns a snapshot into the executions table. A row of a region
// that stopped answering keeps its last known duration: it does not count
// up as if it were seen running.
func Rows(s poller.Snapshot, now time.Time) []Row {
	offline := allRegionsFailed(s)
	var out []Row
	for _, e := range s.Executions {
		text, until := shownState(e), now
		if e.Stale && !e.State.Terminal() {
			text += " (last seen " + clockOrDay(e.ListedAt, now) + ")"
			until = e.ListedAt
		}
		out = append(out, Row{
			State:        e.State,
			StateText:    text,
			Region:       e.Region,
			Name:         e.Name,
			Age:          poller.FormatAge(now.Sub(e.Created)) + " ago",
			Duration:     poller.FormatDuration(e.Duration(until)),
			Error:        ErrorLine(e),
			Seen:         SeenShort(e),
			Stale:        e.Stale && !offline,
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
	refreshed := fmt.Sprintf("refreshed %s (%s ago)", st.LastSuccess.Local().Format("15:04:05"), poller.FormatAge(now.Sub(st.LastSuccess)))
	if none := NoExecutions(s); none != "" {
		return none + " — " + refreshed
	}
	return fmt.Sprintf("%s / %s — %d regions — %s", s.Project, s.Job, s.RegionsAsked, refreshed)
}

// regionsNamed bounds the failed regions RegionProblems names.
const regionsNamed = 3

// RegionProblems says in one line which regions could not be listed: "2 of
// 18 regions failed: us-west3 permission denied, asia-east1 no answer
// within 10s", the first few named; when none answered, "Can't reach Cloud
// Run (all 18 regions) since 02:16 — showing the last known state".
func RegionProblems(s poller.Snapshot) string {
	if len(s.RegionErrors) == 0 {
		return ""
	}
	if allRegionsFailed(s) {
		out := "Can't reach Cloud Run (all " + regionCount(s.PlacesAsked(), s.PlacesAsked()) + ")"
		if s.Unauthenticated {
			out = "Cloud Run refused the credentials (all " + regionCount(s.PlacesAsked(), s.PlacesAsked()) + ")"
		}
		if !s.OfflineSince.IsZero() {
			out += " since " + clockOrDay(s.OfflineSince, s.TakenAt)
		}
		if len(s.Executions) > 0 {
			out += " — showing the last known state"
		}
		return out
	}
	regions := make([]string, 0, len(s.RegionErrors))
	for r := range s.RegionErrors {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	var parts []string
	for _, r := range regions[:min(len(regions), regionsNamed)] {
		parts = append(parts, r+" "+shortReason(s.RegionErrors[r]))
	}
	if more := len(regions) - regionsNamed; more > 0 {
		parts = append(parts, fmt.Sprintf("%d more", more))
	}
	asked := max(s.PlacesAsked(), len(regions))
	return fmt.Sprintf("%d of %s failed: %s", len(regions), regionCount(asked, asked), strings.Join(parts, ", "))
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
