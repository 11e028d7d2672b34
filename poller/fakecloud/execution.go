package fakecloud

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/genproto/googleapis/api"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// State is the lifecycle phase of an execution built by ExecutionSpec.
type State int

const (
	Pending   State = iota // created, no task started yet
	Running                // a task is running
	Succeeded              // every task succeeded
	Failed                 // a task failed
	Cancelled              // cancelled while running
)

func (s State) String() string {
	switch s {
	case Pending:
		return "PENDING"
	case Running:
		return "RUNNING"
	case Succeeded:
		return "SUCCEEDED"
	case Failed:
		return "FAILED"
	case Cancelled:
		return "CANCELLED"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// ExecutionSpec describes an execution in the terms a test cares about; Build
// turns it into the runpb.Execution Cloud Run v2 would return, so tests of
// the poller and the demo share one notion of what real executions look like.
type ExecutionSpec struct {
	Project, Region, Job string
	ID                   string // short ID, e.g. "vertex-ai-launcher-abc12"
	State                State
	Created              time.Time
	Started              time.Time // zero: Created+2s once past Pending
	Completed            time.Time // zero: Started+30s once finished
	Tasks                int32     // zero: 1
	Labels               map[string]string
	// FailureMessage overrides the Completed condition's message of a failed
	// execution.
	FailureMessage string
}

// Name is the execution's full resource name.
func (s ExecutionSpec) Name() string {
	return jobName{s.Project, s.Region, s.Job}.String() + "/executions/" + s.ID
}

// Build returns the execution as the Run v2 API shows it.
func (s ExecutionSpec) Build() *runpb.Execution {
	tasks := s.Tasks
	if tasks == 0 {
		tasks = 1
	}
	started, completed := s.Started, s.Completed
	if started.IsZero() {
		started = s.Created.Add(2 * time.Second)
	}
	if completed.IsZero() {
		completed = started.Add(30 * time.Second)
	}
	sum := sha256.Sum256([]byte(s.Name()))
	e := &runpb.Execution{
		Name:               s.Name(),
		Uid:                fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16]),
		Generation:         1,
		ObservedGeneration: 1,
		Labels:             maps.Clone(s.Labels),
		CreateTime:         timestamppb.New(s.Created),
		UpdateTime:         timestamppb.New(s.Created),
		LaunchStage:        api.LaunchStage_GA,
		Job:                s.Job,
		Parallelism:        tasks,
		TaskCount:          tasks,
		LogUri: fmt.Sprintf("https://console.cloud.google.com/run/jobs/executions/details/%s/%s/tasks?project=%s",
			s.Region, s.ID, s.Project),
		Etag: fmt.Sprintf(`"%x"`, sum[16:24]),
	}
	if s.State != Pending {
		e.StartTime = timestamppb.New(started)
		e.UpdateTime = e.StartTime
	}
	cond := func(typ string, st runpb.Condition_State, at time.Time) *runpb.Condition {
		return &runpb.Condition{Type: typ, State: st, LastTransitionTime: timestamppb.New(at)}
	}
	ok := runpb.Condition_CONDITION_SUCCEEDED
	var completedCond *runpb.Condition
	switch s.State {
	case Pending:
		e.Reconciling = true
		completedCond = cond("Completed", runpb.Condition_CONDITION_PENDING, s.Created)
		e.Conditions = []*runpb.Condition{completedCond,
			cond("ResourcesAvailable", runpb.Condition_CONDITION_PENDING, s.Created),
			cond("Started", runpb.Condition_CONDITION_PENDING, s.Created)}
	case Running:
		e.Reconciling = true
		e.RunningCount = tasks
		completedCond = cond("Completed", runpb.Condition_CONDITION_RECONCILING, started)
		e.Conditions = []*runpb.Condition{completedCond,
			cond("ResourcesAvailable", ok, started), cond("Started", ok, started)}
	case Succeeded, Failed, Cancelled:
		e.CompletionTime = timestamppb.New(completed)
		e.UpdateTime = e.CompletionTime
		completedCond = cond("Completed", ok, completed)
		e.Conditions = []*runpb.Condition{completedCond,
			cond("ResourcesAvailable", ok, started), cond("Started", ok, started)}
	}
	switch s.State {
	case Succeeded:
		e.SucceededCount = tasks
	case Failed:
		e.FailedCount = 1
		e.SucceededCount = tasks - 1
		completedCond.State = runpb.Condition_CONDITION_FAILED
		completedCond.Severity = runpb.Condition_ERROR
		completedCond.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_NON_ZERO_EXIT_CODE}
		completedCond.Message = s.FailureMessage
		if completedCond.Message == "" {
			completedCond.Message = fmt.Sprintf("Task %s-task0 failed with message: The container exited with an error.", s.ID)
		}
	case Cancelled:
		e.CancelledCount = tasks
		completedCond.State = runpb.Condition_CONDITION_FAILED
		completedCond.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_CANCELLED}
		completedCond.Message = "The execution was cancelled."
	}
	return e
}
