package view

import (
	"strings"
	"time"

	"runwatch/poller"
)

// FailingJobs returns the jobs whose failures colour the tray, each once,
// in the order the tray menu's first line takes them: the jobs with a
// failure not acknowledged (newest first), or, when every failure is
// acknowledged, all of them. A job is told apart by its project and named
// by itself.
func FailingJobs(st Status, now time.Time) []string {
	failures := Colouring(st, now)
	unacked := failures[:0:0]
	for _, f := range failures {
		if !f.Acknowledged {
			unacked = append(unacked, f)
		}
	}
	if len(unacked) > 0 {
		failures = unacked
	}
	var jobs []string
	seen := map[string]bool{}
	for _, f := range failures {
		if key := projectJobOf(f.Resource); !seen[key] {
			seen[key] = true
			jobs = append(jobs, jobOf(f.Resource))
		}
	}
	return jobs
}

// projectJobOf returns "P/J" of a resource
// projects/P/locations/R/jobs/J/executions/E (the resource itself when it
// has another shape).
func projectJobOf(resource string) string {
	parts := strings.Split(resource, "/")
	if len(parts) < 6 {
		return resource
	}
	return parts[1] + "/" + parts[5]
}

// StateMark returns the mark the tray menu puts before an execution of
// state s: "✖" for a failure, "▶" for a run.
func StateMark(s poller.State) string { return stateDot[s] }
