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

func TestLimitHitNamesTheLimitATimeoutOrOOMRanInto(t *testing.T) {
	failed := func(category string, timeout time.Duration, memory string) poller.Execution {
		e := execution("us-west3", "e1", poller.StateFailed, time.Hour)
		e.Category, e.TaskTimeout, e.MemoryLimit = category, timeout, memory
		return e
	}
	succeeded := execution("us-west3", "e2", poller.StateSucceeded, time.Hour)
	succeeded.Category, succeeded.TaskTimeout = "timeout", 10*time.Minute
	for _, c := range []struct {
		name string
		e    poller.Execution
		want string
	}{
		{"a timeout", failed("timeout", 10*time.Minute, "512Mi"), "each task may run 10m"},
		{"a timeout of an hour and a half", failed("timeout", 90*time.Minute, ""), "each task may run 1h30m"},
		{"a timeout of hours", failed("timeout", 24*time.Hour, ""), "each task may run 24h"},
		{"a timeout in seconds", failed("timeout", 45*time.Second, ""), "each task may run 45s"},
		{"a timeout not known", failed("timeout", 0, "512Mi"), ""},
		{"an OOM kill", failed("oom", 10*time.Minute, "512Mi"), "each task may use 512Mi of memory"},
		{"an OOM kill, limit not known", failed("oom", 10*time.Minute, ""), ""},
		{"another failure", failed("python_exception", 10*time.Minute, "512Mi"), ""},
		{"not a failure", succeeded, ""},
	} {
		if got := LimitHit(c.e); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestLimitDurationLeavesOutTrailingZeroUnits(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Minute:                      "10m",
		90 * time.Minute:                      "1h30m",
		time.Hour:                             "1h",
		45 * time.Second:                      "45s",
		90 * time.Second:                      "1m30s",
		time.Hour + 5*time.Second:             "1h0m5s",
		10*time.Minute + 300*time.Millisecond: "10m",
	} {
		if got := LimitDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
