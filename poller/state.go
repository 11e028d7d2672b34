package poller

import (
	"cloud.google.com/go/run/apiv2/runpb"

	"runwatch/poller/lifecycle"
)

// State is what an execution is doing or did (the lifecycle's own word).
type State = lifecycle.State

// The states runwatch tells apart.
const (
	StatePending   = lifecycle.Pending
	StateRunning   = lifecycle.Running
	StateSucceeded = lifecycle.Succeeded
	StateFailed    = lifecycle.Failed
	StateCancelled = lifecycle.Cancelled
)

// LogStatus says how far the reading of a failed execution's logs got.
type LogStatus = lifecycle.LogStatus

// How far reading a failed execution's logs got.
const (
	LogsPending = lifecycle.LogsPending
	LogsRead    = lifecycle.LogsRead
	LogsNone    = lifecycle.LogsNone
	LogsSkipped = lifecycle.LogsSkipped
)

// completedCondition is the v2 condition that carries an execution's verdict.
const completedCondition = "Completed"

// stateOf reads a v2 Execution's state: the Completed condition's verdict
// when there is one, else the task counters once it has completed, else
// whether it has started.
func stateOf(e *runpb.Execution) State {
	for _, c := range e.GetConditions() {
		if c.GetType() != completedCondition {
			continue
		}
		switch c.GetState() {
		case runpb.Condition_CONDITION_SUCCEEDED:
			return StateSucceeded
		case runpb.Condition_CONDITION_FAILED:
			if c.GetExecutionReason() == runpb.Condition_CANCELLED || onlyCancelled(e) {
				return StateCancelled
			}
			return StateFailed
		}
	}
	if e.GetCompletionTime() != nil {
		switch {
		case e.GetFailedCount() > 0:
			return StateFailed
		case e.GetCancelledCount() > 0:
			return StateCancelled
		case e.GetSucceededCount() >= e.GetTaskCount():
			return StateSucceeded
		default:
			return StateFailed
		}
	}
	if e.GetStartTime() == nil && e.GetRunningCount() == 0 {
		return StatePending
	}
	return StateRunning
}

// onlyCancelled: tasks were cancelled and none failed.
func onlyCancelled(e *runpb.Execution) bool {
	return e.GetCancelledCount() > 0 && e.GetFailedCount() == 0
}
