// Package viewtest builds the executions, snapshots and changes that the
// tests of the view decisions and of what displays them (ui, internal/tray)
// share: one failed launcher execution looks the same in all of them.
package viewtest

import (
	"slices"
	"time"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
)

// Now is the tests' fixed present.
var Now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// Execution is an execution of the launcher job created age before Now; a
// failed one carries a Python error read from its logs.
func Execution(region, name string, state poller.State, age time.Duration) poller.Execution {
	created := Now.Add(-age)
	e := poller.Execution{
		Region: region, Name: name, State: state, Created: created, Started: created.Add(5 * time.Second),
		Resource: "projects/p/locations/" + region + "/jobs/vertex-ai-launcher/executions/" + name,
		LogURI:   "https://console.cloud.google.com/run/jobs/executions/details/" + region + "/" + name + "/tasks?project=p",
		Tasks:    1,
	}
	if state.Terminal() {
		e.Completed = created.Add(95 * time.Second)
	}
	if state == poller.StateFailed {
		e.Failed = 1
		e.Error = "ModuleNotFoundError: No module named 'transformers'"
		e.Category = "python_exception"
		e.Logs = poller.LogsRead
		e.Context = []string{"[vertex] Traceback (most recent call last):", "ModuleNotFoundError: No module named 'transformers'", "Container called exit(1)."}
		e.Matched = 1
	}
	return e
}

// Snapshot is a refresh at Now of 18 regions that listed execs; as the
// poller does, it names each region's last finished execution where it
// failed in Failing.
func Snapshot(execs ...poller.Execution) poller.Snapshot {
	last := map[string]poller.Execution{}
	for _, e := range execs {
		if e.State != poller.StateSucceeded && e.State != poller.StateFailed {
			continue
		}
		if l, ok := last[e.Region]; !ok || e.Completed.After(l.Completed) {
			last[e.Region] = e
		}
	}
	var failing []poller.Execution
	for _, e := range last {
		if e.State == poller.StateFailed {
			failing = append(failing, e)
		}
	}
	slices.SortFunc(failing, func(a, b poller.Execution) int { return b.Completed.Compare(a.Completed) })
	return poller.Snapshot{Project: "p", Job: "vertex-ai-launcher", Executions: execs, Failing: failing,
		RegionErrors: map[string]string{}, RegionsAsked: 18, TakenAt: Now}
}

// Acked returns e with its error acknowledged.
func Acked(e poller.Execution) poller.Execution {
	e.Acknowledged = true
	return e
}

// StaleSince returns e as last listed at listed by a region that stopped
// answering.
func StaleSince(e poller.Execution, listed time.Time) poller.Execution {
	e.Stale, e.ListedAt = true, listed
	return e
}

// Change is a classified failure of the test job.
func Change(kind lifecycle.Kind, region, name, line string) lifecycle.Change {
	return lifecycle.Change{
		Kind: kind, Scope: lifecycle.Scope{Project: "p", Job: "vertex-ai-launcher", Region: region},
		Resource: "projects/p/locations/" + region + "/jobs/vertex-ai-launcher/executions/" + name,
		Record: lifecycle.Record{Region: region, State: poller.StateFailed, Completed: Now,
			Error: lifecycle.ErrorInfo{Line: line, Logs: lifecycle.LogsRead}},
		Occurrences: 1, First: Now,
	}
}
