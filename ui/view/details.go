package view

import (
	"fmt"
	"strings"
	"time"

	"runwatch/poller"
)

// TaskCounts says how an execution's tasks went, naming only the counts
// that are not zero: "1 task, failed", "3 tasks: 2 succeeded, 1 failed
// after 2 retries"; "" when Cloud Run gave no task count.
func TaskCounts(e poller.Execution) string {
	if e.Tasks <= 0 {
		return ""
	}
	retries := ""
	switch {
	case e.Retried == 1:
		retries = " after 1 retry"
	case e.Retried > 1:
		retries = fmt.Sprintf(" after %d retries", e.Retried)
	}
	var parts []string
	add := func(n int32, word string) {
		if n <= 0 {
			return
		}
		if e.Tasks == 1 {
			parts = append(parts, word)
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", n, word))
		}
	}
	add(e.Running, "running")
	add(e.Succeeded, "succeeded")
	add(e.Failed, "failed"+retries)
	add(e.Cancelled, "cancelled")
	if e.Failed == 0 && retries != "" {
		parts = append(parts, strings.TrimPrefix(retries, " after "))
	}
	switch {
	case e.Tasks == 1 && len(parts) == 0:
		return "1 task"
	case e.Tasks == 1:
		return "1 task, " + strings.Join(parts, ", ")
	case len(parts) == 0:
		return fmt.Sprintf("%d tasks", e.Tasks)
	}
	return fmt.Sprintf("%d tasks: %s", e.Tasks, strings.Join(parts, ", "))
}

// Times says when an execution was created, started and ended, and how
// long it ran, leaving out what has not happened: "created 09:12:03 ·
// started 09:12:09 · ended 09:13:40 · ran 1m31s". The date comes first when
// the execution was not created today.
func Times(e poller.Execution, now time.Time) string {
	layout := "15:04:05"
	if c := e.Created.Local(); c.YearDay() != now.Local().YearDay() || c.Year() != now.Local().Year() {
		layout = "Mon 2 Jan 2006 15:04:05"
	}
	var parts []string
	for _, p := range []struct {
		word string
		at   time.Time
	}{{"created", e.Created}, {"started", e.Started}, {"ended", e.Completed}} {
		if !p.at.IsZero() {
			parts = append(parts, p.word+" "+p.at.Local().Format(layout))
			layout = "15:04:05" // the date once is enough
		}
	}
	if !e.Started.IsZero() {
		parts = append(parts, "ran "+poller.FormatDuration(e.Duration(now)))
	}
	return strings.Join(parts, " · ")
}

// LimitHit names the limit of the execution's template that a timeout or
// an OOM kill ran into: "each task may run 10m", "each task may use 512Mi
// of memory"; "" for any other failure, or when the template's limit is
// not known.
func LimitHit(e poller.Execution) string {
	if e.State != poller.StateFailed {
		return ""
	}
	switch {
	case e.Category == "timeout" && e.TaskTimeout > 0:
		return "each task may run " + LimitDuration(e.TaskTimeout)
	case e.Category == "oom" && e.MemoryLimit != "":
		return "each task may use " + e.MemoryLimit + " of memory"
	}
	return ""
}

// LimitDuration writes a configured limit as a person would type it, with
// no zero units at its end: "10m", "1h30m", "1h", "45s", "1h0m5s".
func LimitDuration(d time.Duration) string {
	s := d.Round(time.Second).String() // "1h30m0s", "1h0m0s", "45s"
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// errorKinds name the extractor's categories as a person says them, with
// the words by which an error line already says it.
var errorKinds = map[string]struct {
	words string
	said  []string
}{
	"quota":               {"quota exceeded", []string{"quota"}},
	"machine_type":        {"machine type not available", []string{"machine type"}},
	"permission":          {"permission denied", []string{"permission", "forbidden", "403"}},
	"not_found":           {"something it needs was not found", []string{"not found", "notfound", "404", "no such", "does not exist"}},
	"invalid_argument":    {"a request was rejected as invalid", []string{"invalid"}},
	"service_unavailable": {"a service was unavailable", []string{"unavailable", "503"}},
	"http_error":          {"an HTTP request failed", []string{"http"}},
	"image_pull":          {"the container image could not be pulled", []string{"image"}},
	"python_exception":    {"a Python exception", nil},
	"wandb":               {"a W&B error", []string{"wandb"}},
	"oom":                 {"out of memory", []string{"memory", "oom"}},
	"timeout":             {"timed out", []string{"timed out", "timeout"}},
	"exit_code":           {"the container exited with an error code", []string{"exit"}},
	"shell":               {"a shell command failed", nil},
}

// ErrorKind names the kind of an execution's error in words ("out of
// memory"), or "" when it is unknown or the error line says it already.
func ErrorKind(e poller.Execution) string {
	kind, ok := errorKinds[e.Category]
	if !ok {
		return ""
	}
	line := strings.ToLower(ErrorLine(e))
	for _, w := range append(kind.said, kind.words) {
		if strings.Contains(line, w) {
			return ""
		}
	}
	return kind.words
}

// Ordinal writes n as "1st", "2nd", "3rd", "4th", "11th", "22nd".
func Ordinal(n int) string {
	suffix := "th"
	switch n % 10 {
	case 1:
		suffix = "st"
	case 2:
		suffix = "nd"
	case 3:
		suffix = "rd"
	}
	if n%100 >= 11 && n%100 <= 13 {
		suffix = "th"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
