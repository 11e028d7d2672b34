package poller

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"cloud.google.com/go/run/apiv2/runpb"

	"runwatch/extract"
)

// CloudRunReason is what Cloud Run itself says about a failed execution:
// its Completed condition and the last attempt of its failed tasks. It is
// often the whole answer (a timeout, an OOM kill, a missing image); for an
// exit code the logs say more.
type CloudRunReason struct {
	// Condition is the Completed condition's message, e.g. "Task
	// job-x7k2p-task0 failed with message: The container exited with an
	// error."
	Condition string
	// Reason is the condition's reason by its enum name: the execution
	// reason ("NON_ZERO_EXIT_CODE", "CANCELLED") or the common reason
	// ("CONTAINER_MISSING"); empty when it has none, as for a timeout.
	Reason string
	// Tasks are the failed tasks, by index.
	Tasks []TaskFailure
	// Category is the extractor's word for the kind of failure, or
	// CategoryCancelled / CategoryKilled.
	Category string
	// Message says in one line (at most reasonMessageMax bytes) why it
	// failed; empty when Cloud Run said nothing.
	Message string
}

// TaskFailure is one failed task's last attempt.
type TaskFailure struct {
	Index    int32
	ExitCode int32 // 0 when it ended on a signal, or neither is known
	Signal   int32 // 0 when it exited by itself
	Retries  int32
	Status   string // the attempt's status message
}

// Categories of Cloud Run's own reasons that the extractor has no word for.
const (
	CategoryCancelled = "cancelled"
	CategoryKilled    = "killed" // by a signal, not known to be for memory
)

// reasonMessageMax bounds CloudRunReason.Message.
const reasonMessageMax = 200

// categoryOfReason maps Cloud Run's reason enums, by name, to a category;
// NON_ZERO_EXIT_CODE is left to the failed task, which says more.
var categoryOfReason = map[string]string{
	runpb.Condition_CANCELLED.String():                                  CategoryCancelled,
	runpb.Condition_CANCELLING.String():                                 CategoryCancelled,
	runpb.Condition_DELETED.String():                                    CategoryCancelled,
	runpb.Condition_DELAYED_EXECUTION_EXCEEDING_DURATION_LIMIT.String(): string(extract.CategoryTimeout),
	runpb.Condition_JOB_STATUS_SERVICE_POLLING_ERROR.String():           string(extract.CategoryServiceUnavailable),
	runpb.Condition_CONTAINER_MISSING.String():                          string(extract.CategoryImagePull),
	runpb.Condition_CONTAINER_PERMISSION_DENIED.String():                string(extract.CategoryImagePull),
	runpb.Condition_CONTAINER_IMAGE_UNAUTHORIZED.String():               string(extract.CategoryImagePull),
	runpb.Condition_CONTAINER_IMAGE_AUTHORIZATION_CHECK_FAILED.String(): string(extract.CategoryImagePull),
	runpb.Condition_SECRETS_ACCESS_CHECK_FAILED.String():                string(extract.CategoryPermission),
	runpb.Condition_ENCRYPTION_KEY_PERMISSION_DENIED.String():           string(extract.CategoryPermission),
	runpb.Condition_ENCRYPTION_KEY_CHECK_FAILED.String():                string(extract.CategoryPermission),
	runpb.Condition_VPC_NETWORK_NOT_FOUND.String():                      string(extract.CategoryNotFound),
}

// timeoutWords: Cloud Run's words for a task that ran out of time, which
// come with no reason enum.
const timeoutWords = "The configured timeout was reached"

// memoryWords: Cloud Run's words for a task killed over its memory limit.
var memoryWords = []string{"Memory limit of", "out of memory"}

// cloudRunReason reads why a failed execution failed from its Completed
// condition and its failed tasks (listFailedTasks; nil when they could not
// be listed). Reasons are matched by their enum; words only where Cloud Run
// gives no enum: the timeout, and memory as the cause of a SIGKILL.
func cloudRunReason(e *runpb.Execution, failed []*runpb.Task) CloudRunReason {
	var r CloudRunReason
	for _, c := range e.GetConditions() {
		if c.GetType() == completedCondition {
			r.Condition, r.Reason = c.GetMessage(), reasonName(c)
			break
		}
	}
	for _, t := range failed {
		res := t.GetLastAttemptResult()
		r.Tasks = append(r.Tasks, TaskFailure{
			Index:    t.GetIndex(),
			ExitCode: res.GetExitCode(),
			Signal:   res.GetTermSignal(),
			Retries:  t.GetRetried(),
			Status:   res.GetStatus().GetMessage(),
		})
	}
	slices.SortFunc(r.Tasks, func(a, b TaskFailure) int { return cmp.Compare(a.Index, b.Index) })
	r.Category, r.Message = r.explain(e.GetTaskCount())
	r.Message = clip(r.Message, reasonMessageMax)
	return r
}

// reasonName is a condition's reason by its enum name, or "".
func reasonName(c *runpb.Condition) string {
	switch r := c.GetReasons().(type) {
	case *runpb.Condition_ExecutionReason_:
		if r.ExecutionReason != runpb.Condition_EXECUTION_REASON_UNDEFINED {
			return r.ExecutionReason.String()
		}
	case *runpb.Condition_Reason:
		if r.Reason != runpb.Condition_COMMON_REASON_UNDEFINED {
			return r.Reason.String()
		}
	}
	return ""
}

// explain picks the category and the one-line message.
func (r CloudRunReason) explain(taskCount int32) (category, message string) {
	said := conditionWords(r.Condition)
	if c, ok := categoryOfReason[r.Reason]; ok {
		return c, said
	}
	var first *TaskFailure
	if len(r.Tasks) > 0 {
		first = &r.Tasks[0]
	}
	more := ""
	if len(r.Tasks) > 1 {
		more = fmt.Sprintf(" (%d tasks failed)", len(r.Tasks))
	}
	switch {
	case strings.Contains(said, timeoutWords) || first != nil && strings.Contains(first.Status, timeoutWords):
		if first != nil && taskCount > 1 {
			return string(extract.CategoryTimeout), fmt.Sprintf("task %d: %s%s", first.Index, timeoutWords, more)
		}
		return string(extract.CategoryTimeout), timeoutWords
	case first == nil:
		if r.Reason == runpb.Condition_NON_ZERO_EXIT_CODE.String() {
			return string(extract.CategoryExitCode), said
		}
		return string(extract.CategoryUnknown), said
	}
	// Memory words make it an OOM kill whatever ended the task: Cloud Run
	// may report one as SIGKILL, as exit code 137, or by its words alone.
	oom := containsAny(first.Status, memoryWords)
	switch sig := first.signal(); {
	case sig != 0:
		category = CategoryKilled
		if first.Signal != 0 {
			message = fmt.Sprintf("task %d was killed by %s%s", first.Index, signalName(sig), retries(first.Retries))
		} else {
			message = fmt.Sprintf("task %d exited with code %d (%s)%s", first.Index, first.ExitCode, signalNames[sig], retries(first.Retries))
		}
		if s := firstSentence(first.Status); s != "" {
			message += ": " + s
		}
	case first.ExitCode != 0:
		category = string(extract.CategoryExitCode)
		message = fmt.Sprintf("task %d exited with code %d%s", first.Index, first.ExitCode, retries(first.Retries))
		if s := firstSentence(first.Status); oom && s != "" {
			message += ": " + s
		}
	case r.Reason == runpb.Condition_NON_ZERO_EXIT_CODE.String():
		category, message = string(extract.CategoryExitCode), said
	case first.Status != "":
		category, message = string(extract.CategoryUnknown), fmt.Sprintf("task %d: %s", first.Index, firstSentence(first.Status))
	default:
		category, message = string(extract.CategoryUnknown), said
	}
	if oom {
		category = string(extract.CategoryOOM)
	}
	if message == "" {
		return category, ""
	}
	return category, message + more
}

// exitSignals are the exit codes a container killed by a signal reports
// (128 + the signal), where Cloud Run gives no signal: SIGKILL (an OOM kill)
// and SIGTERM.
var exitSignals = map[int32]int32{137: 9, 143: 15}

// signal is the signal that ended the attempt, read from its exit code when
// Cloud Run gave none; 0 when it exited by itself.
func (t TaskFailure) signal() int32 {
	if t.Signal != 0 {
		return t.Signal
	}
	return exitSignals[t.ExitCode]
}

// conditionWords is the condition's message without Cloud Run's "Task … failed
// with message: " preamble and its final period.
func conditionWords(msg string) string {
	if _, after, ok := strings.Cut(msg, " failed with message: "); ok {
		msg = after
	}
	return strings.TrimSuffix(strings.TrimSpace(msg), ".")
}

// firstSentence keeps what a status message says before its advice: "Memory
// limit of 512 MiB exceeded with 530 MiB used. Consider increasing…".
func firstSentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, ". "); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSuffix(msg, ".")
}

func retries(n int32) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " after 1 retry"
	}
	return fmt.Sprintf(" after %d retries", n)
}

func containsAny(s string, words []string) bool {
	s = strings.ToLower(s)
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(s, strings.ToLower(w)) })
}

// signalNames are the Linux signals a container is likely to die of.
var signalNames = map[int32]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
	8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
	14: "SIGALRM", 15: "SIGTERM",
}

// signalName names a signal with its number: "SIGKILL (9)", "signal 42".
func signalName(n int32) string {
	if name, ok := signalNames[n]; ok {
		return fmt.Sprintf("%s (%d)", name, n)
	}
	return fmt.Sprintf("signal %d", n)
}

// clip cuts s to at most limit bytes, on a rune boundary, ending with "…".
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// logsCanSayMore reports whether reading the execution's logs may explain
// the failure better than Cloud Run did: not when Cloud Run's reason is the
// whole answer (a timeout, an OOM kill, a cancellation) or the container
// never ran (a missing image, a secret it may not read), so it wrote no logs.
func logsCanSayMore(r CloudRunReason) bool {
	switch r.Category {
	case string(extract.CategoryTimeout), string(extract.CategoryOOM), CategoryCancelled,
		string(extract.CategoryImagePull), string(extract.CategoryPermission), string(extract.CategoryNotFound):
		return false
	}
	return true
}
