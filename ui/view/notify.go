package view

import (
	"fmt"
	"slices"
	"strings"

	"runwatch/poller/lifecycle"
)

// Notification is a desktop notification's text. Title and Body are plain;
// escape them (EscapeMarkup) where a server reads markup.
type Notification struct {
	Title string
	Body  string
	// Resource is the execution a click on it should open (one change only).
	Resource string
	// Kind is the change it tells of (one change only; "" for a summary).
	Kind lifecycle.Kind
}

// Acts reports whether a person can act on what the notification tells of
// (open its logs, acknowledge its error): a failure, not a fix or a
// cancellation.
func (n Notification) Acts() bool {
	switch n.Kind {
	case lifecycle.NewFailure, lifecycle.SameError, lifecycle.NewKindOfError:
		return true
	}
	return false
}

// NotifyPrefs are what a person chose about notifications.
type NotifyPrefs struct {
	Paused bool        // none at all
	Kinds  NotifyKinds // which kinds of change
}

// NotifyKinds are the kinds of change a person wants notified (Settings).
type NotifyKinds struct {
	Failed       bool // a new failure
	StillFailing bool // the same error again
	NewKind      bool // a new kind of error while failing
	Fixed        bool
	Cancelled    bool
}

// AllKinds notifies every kind of change.
var AllKinds = NotifyKinds{Failed: true, StillFailing: true, NewKind: true, Fixed: true, Cancelled: true}

// Wants reports whether changes of kind k are notified.
func (k NotifyKinds) Wants(kind lifecycle.Kind) bool {
	switch kind {
	case lifecycle.NewFailure:
		return k.Failed
	case lifecycle.SameError:
		return k.StillFailing
	case lifecycle.NewKindOfError:
		return k.NewKind
	case lifecycle.Fixed:
		return k.Fixed
	case lifecycle.WasCancelled:
		return k.Cancelled
	}
	return true
}

// Wanted returns the changes of the kinds a person wants notified.
func (k NotifyKinds) Wanted(changes []lifecycle.Change) []lifecycle.Change {
	var out []lifecycle.Change
	for _, c := range changes {
		if k.Wants(c.Kind) {
			out = append(out, c)
		}
	}
	return out
}

// maxNotified bounds the lines of a summary notification.
const maxNotified = 5

// NotificationsFor words what a refresh classified (see
// lifecycle.Memory.Classify): one change is one notification; several
// become one summary; what a snooze held back becomes one more summary.
// It decides nothing: what is news was decided before.
// missedMore counts what a snooze held beyond the changes it kept.
func NotificationsFor(changes, missed []lifecycle.Change, missedMore int) []Notification {
	var out []Notification
	switch len(changes) {
	case 0:
	case 1:
		out = append(out, single(changes[0]))
	default:
		out = append(out, summary(summaryTitle(changes, 0), changes, 0))
	}
	if len(missed) > 0 {
		out = append(out, summary("While notifications were snoozed: "+summaryTitle(missed, missedMore), missed, missedMore))
	}
	return out
}

// single words one change (of the job it belongs to, which may not be the
// one watched now: a failure classified after a settings change). The
// title leads with the job, what happened and the region, in words a
// person uses, so a notification server that cuts it keeps those; the
// body starts with the error line.
func single(c lifecycle.Change) Notification {
	n := Notification{Resource: c.Resource, Kind: c.Kind}
	job, region := c.Scope.Job, c.Scope.Region
	switch c.Kind {
	case lifecycle.NewFailure:
		n.Title = fmt.Sprintf("%s failed in %s", job, region)
	case lifecycle.SameError:
		n.Title = fmt.Sprintf("%s still failing in %s", job, region)
	case lifecycle.NewKindOfError:
		n.Title = fmt.Sprintf("%s failed in %s with a different error", job, region)
	case lifecycle.Fixed:
		n.Title = fmt.Sprintf("%s fixed in %s", job, region)
		n.Body = fmt.Sprintf("%s succeeded after %s failed", shortResource(c.Resource), shortResource(c.Fixes))
		return n
	case lifecycle.WasCancelled:
		n.Title = fmt.Sprintf("%s cancelled in %s", job, region)
		n.Body = shortResource(c.Resource) + " was cancelled"
		return n
	}
	lines := []string{changeError(c)}
	if r := Recurrence(c.Occurrences, c.First, c.Record.Completed, c.Kind); r != "" && c.Kind != lifecycle.NewKindOfError {
		lines = append(lines, r)
	}
	n.Body = strings.Join(lines, "\n")
	return n
}

// summary words several changes, one line each (naming the job when they
// are of several); uncounted more are told as a number.
func summary(title string, changes []lifecycle.Change, uncounted int) Notification {
	jobs := jobsOf(changes)
	var lines []string
	for _, c := range changes[:min(len(changes), maxNotified)] {
		where := c.Scope.Region
		if len(jobs) > 1 {
			where = changeJob(c, changes) + " in " + where
		}
		lines = append(lines, where+": "+kindWord[c.Kind]+changeDetail(c))
	}
	if more := len(changes) - maxNotified + uncounted; more > 0 {
		lines = append(lines, fmt.Sprintf("and %d more", more))
	}
	return Notification{Title: title, Body: strings.Join(lines, "\n")}
}

// summaryTitle counts changes by kind: "vertex-ai-launcher: 2 failed, 1
// fixed"; uncounted more are added to the count.
func summaryTitle(changes []lifecycle.Change, uncounted int) string {
	counts := map[lifecycle.Kind]int{}
	for _, c := range changes {
		counts[c.Kind]++
	}
	var parts []string
	for _, k := range []lifecycle.Kind{lifecycle.NewFailure, lifecycle.NewKindOfError, lifecycle.SameError, lifecycle.Fixed, lifecycle.WasCancelled} {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, kindWord[k]))
		}
	}
	if uncounted > 0 {
		parts = append(parts, fmt.Sprintf("%d more", uncounted))
	}
	return strings.Join(jobsOf(changes), ", ") + ": " + strings.Join(parts, ", ")
}

// jobsOf names the jobs of changes, in order of first appearance.
func jobsOf(changes []lifecycle.Change) []string {
	var jobs []string
	for _, c := range changes {
		if job := changeJob(c, changes); !slices.Contains(jobs, job) {
			jobs = append(jobs, job)
		}
	}
	return jobs
}

// changeJob names c's job: by name, or as project/job where another of
// changes is of a job of that name in another project.
func changeJob(c lifecycle.Change, changes []lifecycle.Change) string {
	for _, o := range changes {
		if o.Scope.Job == c.Scope.Job && o.Scope.Project != c.Scope.Project {
			return c.Scope.Project + "/" + c.Scope.Job
		}
	}
	return c.Scope.Job
}

// kindWord names a kind of change in a summary.
var kindWord = map[lifecycle.Kind]string{
	lifecycle.NewFailure:     "failed",
	lifecycle.SameError:      "still failing",
	lifecycle.NewKindOfError: "failed with a different error",
	lifecycle.Fixed:          "fixed",
	lifecycle.WasCancelled:   "cancelled",
}

// changeDetail is what follows the kind in a summary line.
func changeDetail(c lifecycle.Change) string {
	switch c.Kind {
	case lifecycle.Fixed, lifecycle.WasCancelled:
		return " (" + shortResource(c.Resource) + ")"
	}
	return ": " + changeError(c)
}

// changeError is a failure's error line, or why it is not known.
func changeError(c lifecycle.Change) string {
	if c.Record.Error.Line != "" {
		return c.Record.Error.Line
	}
	if c.Record.Error.Logs == lifecycle.LogsNone {
		return shortResource(c.Resource) + " (no logs found)"
	}
	return shortResource(c.Resource) + " (error not known yet)"
}

func shortResource(resource string) string {
	return resource[strings.LastIndexByte(resource, '/')+1:]
}

var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeMarkup makes untrusted text plain for notification servers that
// read the body as markup (dunst, GNOME, KDE).
func EscapeMarkup(s string) string { return markupEscaper.Replace(s) }
