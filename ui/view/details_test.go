package view

import (
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/poller/lifecycle"
)

func TestTaskCountsNameOnlyWhatHappened(t *testing.T) {
	for _, c := range []struct {
		name                                             string
		tasks, running, succeeded, failed, cancelled, rt int32
		want                                             string
	}{
		{"no count from Cloud Run", 0, 0, 0, 0, 0, 0, ""},
		{"one failed", 1, 0, 0, 1, 0, 0, "1 task, failed"},
		{"one failed after a retry", 1, 0, 0, 1, 0, 1, "1 task, failed after 1 retry"},
		{"one not started", 1, 0, 0, 0, 0, 0, "1 task"},
		{"some of each", 3, 0, 2, 1, 0, 2, "3 tasks: 2 succeeded, 1 failed after 2 retries"},
		{"running", 4, 1, 3, 0, 0, 0, "4 tasks: 1 running, 3 succeeded"},
		{"retried but succeeded", 2, 0, 2, 0, 0, 3, "2 tasks: 2 succeeded, 3 retries"},
		{"cancelled", 2, 0, 0, 0, 2, 0, "2 tasks: 2 cancelled"},
	} {
		e := poller.Execution{Tasks: c.tasks, Running: c.running, Succeeded: c.succeeded, Failed: c.failed, Cancelled: c.cancelled, Retried: c.rt}
		if got := TaskCounts(e); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestTimesLeaveOutWhatHasNotHappened(t *testing.T) {
	clock := func(at time.Time) string { return at.Local().Format("15:04:05") }
	done := execution("us-east1", "e1", poller.StateFailed, time.Hour)
	pending := execution("us-east1", "e2", poller.StatePending, time.Minute)
	pending.Started = time.Time{}
	running := execution("us-east1", "e3", poller.StateRunning, time.Minute)
	for _, c := range []struct {
		name string
		e    poller.Execution
		want string
	}{
		{"finished", done, "created " + clock(done.Created) + " · started " + clock(done.Started) + " · ended " + clock(done.Completed) + " · ran 1m30s"},
		{"pending", pending, "created " + clock(pending.Created)},
		{"running", running, "created " + clock(running.Created) + " · started " + clock(running.Started) + " · ran 55s"},
	} {
		if got := Times(c.e, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	old := execution("us-east1", "e4", poller.StateSucceeded, 72*time.Hour)
	if got, want := Times(old, now), "created "+old.Created.Local().Format("Mon 2 Jan 2006 15:04:05"); got[:len(want)] != want {
		t.Errorf("an execution of another day: %q, want it to start %q", got, want)
	}
}

func TestErrorKindInWordsUnlessTheLineSaysIt(t *testing.T) {
	python := execution("us-east1", "e1", poller.StateFailed, time.Hour)
	timeout := python
	timeout.Error, timeout.Category = "The task timed out after 10m.", "timeout"
	unknown := python
	unknown.Category = "unknown"
	exit := python
	exit.Error, exit.Category = "task 0 exited with code 1 after 3 retries", "exit_code"
	oom := python
	oom.Error, oom.Category = "task 0 was killed: SIGKILL (9)", "oom"
	for _, c := range []struct {
		name string
		e    poller.Execution
		want string
	}{
		{"python", python, "a Python exception"},
		{"the line says it", timeout, ""},
		{"unknown", unknown, ""},
		{"exit code said", exit, ""},
		{"oom not said", oom, "out of memory"},
	} {
		if got := ErrorKind(c.e); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSeenShortInPlainWords(t *testing.T) {
	first := now.Add(-3 * time.Hour)
	again := execution("us-east1", "e1", poller.StateFailed, time.Minute)
	again.Occurrences, again.FirstOccurred = 4, first
	twice := again
	twice.Occurrences = 2
	different := execution("us-east1", "e2", poller.StateFailed, time.Minute)
	different.Kind = lifecycle.NewKindOfError
	for _, c := range []struct {
		name string
		e    poller.Execution
		want string
	}{
		{"fourth", again, "4th time since " + first.Local().Format("15:04")},
		{"second", twice, "2nd time since " + first.Local().Format("15:04")},
		{"different", different, "different error"},
		{"first failure", execution("us-east1", "e3", poller.StateFailed, time.Minute), ""},
		{"success", execution("us-east1", "e4", poller.StateSucceeded, time.Minute), ""},
	} {
		if got := SeenShort(c.e); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		if got := Ordinal(n); got != want {
			t.Errorf("Ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}
