package view

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"runwatch/poller"
)

// JobLook is one watched job at a glance, for the window's per-job line.
type JobLook struct {
	Name string // the job, or project/job where two projects have one of that name
	// Look is the job's own look, by the rule for one job: failed while a
	// region's last finished execution failed (acknowledged when every one
	// is), else its last finished result; Running marks one running.
	Look    TrayLook
	Running bool
	// Text is "nightly-train failing since 09:12 (3×)", "etl-daily ok".
	Text string
}

// JobLooks returns each watched job's look, the failing first, then by
// name; none when one job is watched (the header names it).
func JobLooks(st Status, now time.Time) []JobLook {
	jobs := st.Snapshot.Jobs
	if len(jobs) < 2 {
		return nil
	}
	failures := Colouring(st, now)
	var refs []poller.Execution
	for _, j := range jobs {
		refs = append(refs, poller.Execution{Project: j.Project, Job: j.Job})
	}
	var out []JobLook
	for _, j := range jobs {
		name := jobLabel(poller.Execution{Project: j.Project, Job: j.Job}, refs)
		l := JobLook{Name: name, Running: j.Running}
		var mine []poller.Execution
		for _, f := range failures {
			if f.Project == j.Project && f.Job == j.Job {
				mine = append(mine, f)
			}
		}
		switch {
		case len(mine) > 0:
			l.Look, l.Text = failingText(name, mine, now)
		case j.Last.State.Terminal() && trusted(st, j.Last, now):
			l.Look = lookOfState[j.Last.State]
			l.Text = name + " " + map[poller.State]string{poller.StateSucceeded: "ok", poller.StateFailed: "failed (seen)", poller.StateCancelled: "cancelled"}[j.Last.State]
			if j.Last.State == poller.StateFailed {
				l.Look = LookAcked
			}
		default:
			l.Look, l.Text = LookPending, name+" no finished run in view"
		}
		if j.Running {
			l.Text += ", running"
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b JobLook) int {
		fa, fb := a.Look == LookFailed, b.Look == LookFailed
		if fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// failingText words a failing job: "nightly-train failing since 09:12
// (3×)", from its newest failure's streak; "(acknowledged)" when every
// failure is.
func failingText(name string, failures []poller.Execution, now time.Time) (TrayLook, string) {
	newest := failures[0]
	acked := true
	for _, f := range failures {
		acked = acked && f.Acknowledged
		if f.Completed.After(newest.Completed) {
			newest = f
		}
	}
	since := cmp.Or(newest.FirstOccurred, newest.Completed)
	text := name + " failing since " + clockOrDay(since, now)
	if n := newest.Occurrences; n > 1 {
		text += fmt.Sprintf(" (%d×)", n)
	}
	if len(failures) > 1 {
		text += fmt.Sprintf(" in %d regions", len(failures))
	}
	if acked {
		return LookAcked, text + " (acknowledged)"
	}
	return LookFailed, text
}

// JobsLine is the window's line of per-job summaries: "nightly-train
// failing since 09:12 (3×) · etl-daily ok · vertex-ai-launcher ok,
// running"; empty with one job.
func JobsLine(st Status, now time.Time) string {
	var parts []string
	for _, l := range JobLooks(st, now) {
		parts = append(parts, l.Text)
	}
	return strings.Join(parts, " · ")
}
