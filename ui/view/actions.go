package view

import (
	"path"
	"regexp"
	"strings"

	"runwatch/poller"
)

// Confirmation is which action's confirmation a details window opens with
// (from the tray menu); "" opens none.
type Confirmation string

// The confirmations a details window can open with.
const (
	ConfirmRunAgain Confirmation = "run-again" // run the execution's job again
	ConfirmCancel   Confirmation = "cancel"    // cancel the running or pending execution
)

// Offered reports whether the details of e offer the action c: Run again
// for a finished execution (whatever its state), Cancel for a running or
// pending one.
func Offered(e poller.Execution, c Confirmation) bool {
	switch c {
	case ConfirmRunAgain:
		return e.State.Terminal()
	case ConfirmCancel:
		return e.State == poller.StateRunning || e.State == poller.StatePending
	}
	return false
}

// nameOf reads project, region, job and ID from e's resource name, falling
// back on e's own fields where it does not parse.
func nameOf(e poller.Execution) poller.ExecutionName {
	if n, err := poller.ParseExecution(e.Resource); err == nil {
		return n
	}
	return poller.ExecutionName{Project: e.Project, Region: e.Region, Job: e.Job, ID: e.Name}
}

// RunAgainQuestion asks whether to run e's job again: "Run
// vertex-ai-launcher again in us-west3? (run again of
// vertex-ai-launcher-x7k2p)".
func RunAgainQuestion(e poller.Execution) string {
	n := nameOf(e)
	return "Run " + n.Job + " again in " + n.Region + "? (run again of " + n.ID + ")"
}

// CancelQuestion asks whether to cancel e: "Cancel
// vertex-ai-launcher-x7k2p in us-west3? Its running tasks are stopped."
func CancelQuestion(e poller.Execution) string {
	n := nameOf(e)
	return "Cancel " + n.ID + " in " + n.Region + "? Its running tasks are stopped."
}

// OverridesChoice words the choice to run again with the overrides an
// execution ran with ("args --epochs 3 · env LR=0.1", poller.Overrides'
// words): "with the same overrides: args --epochs 3 · env LR=0.1"; "" when
// it ran with none.
func OverridesChoice(overrides string) string {
	if overrides == "" {
		return ""
	}
	return "with the same overrides: " + overrides
}

// RunningAgain says a run again is under way: "starting vertex-ai-launcher
// in us-west3…".
func RunningAgain(e poller.Execution) string {
	n := nameOf(e)
	return "starting " + n.Job + " in " + n.Region + "…"
}

// Cancelling says a cancel is under way: "cancelling
// vertex-ai-launcher-x7k2p…".
func Cancelling(e poller.Execution) string { return "cancelling " + nameOf(e).ID + "…" }

// Started says which execution a run again started: "started
// vertex-ai-launcher-ab12c" (of its resource name).
func Started(newExecution string) string { return "started " + path.Base(newExecution) }

// Cancelled says e was cancelled: "cancelled vertex-ai-launcher-x7k2p".
func Cancelled(e poller.Execution) string { return "cancelled " + nameOf(e).ID }

// ActionFailed is the one line saying why an action did not take: the
// error's first line, as plain text.
func ActionFailed(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// shellSafe is what a shell takes without quotes.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9._:/=@%+,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// GcloudDescribe is the gcloud command that describes e: "gcloud run jobs
// executions describe vertex-ai-launcher-x7k2p --region us-west3 --project
// my-project".
func GcloudDescribe(e poller.Execution) string {
	n := nameOf(e)
	return "gcloud run jobs executions describe " + shellQuote(n.ID) + " --region " + shellQuote(n.Region) + " --project " + shellQuote(n.Project)
}

// GcloudLogs is the gcloud command that reads e's logs: "gcloud beta run
// jobs executions logs read vertex-ai-launcher-x7k2p --region us-west3
// --project my-project" (beta in gcloud; documented at
// cloud.google.com/sdk/gcloud/reference/beta/run/jobs/executions/logs).
func GcloudLogs(e poller.Execution) string {
	n := nameOf(e)
	return "gcloud beta run jobs executions logs read " + shellQuote(n.ID) + " --region " + shellQuote(n.Region) + " --project " + shellQuote(n.Project)
}
