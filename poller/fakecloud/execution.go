package fakecloud

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"maps"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/genproto/googleapis/api"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
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
	// Failure says how a failed execution failed; nil means its task 0
	// exited with code 1 (ExitFailure(1, 0)).
	Failure *Failure
	// FailureMessage overrides the Completed condition's message of a failed
	// execution.
	FailureMessage string
}

// Failure is how a failed execution failed, in Cloud Run's own terms: the
// Completed condition's reason and the failed task's last attempt.
type Failure struct {
	Task     int32 // index of the task that failed
	Retries  int32 // how often that task was retried before it failed for good
	ExitCode int32 // the last attempt's exit code, or 0
	Signal   int32 // the signal that ended the last attempt, or 0
	// Code is the last attempt's status code (google.rpc.Code); 0 means 2
	// (UNKNOWN).
	Code int32
	// Message is the last attempt's status message, or, when no task ran
	// (Reason set), the Completed condition's message.
	Message string
	// ExecutionReason or Reason (at most one) is the Completed condition's
	// reason; a timeout carries neither. A Reason means no task ever ran.
	ExecutionReason runpb.Condition_ExecutionReason
	Reason          runpb.Condition_CommonReason
}

// ExitFailure: the task's container exited with code after retries.
func ExitFailure(code, retries int32) *Failure {
	return &Failure{Retries: retries, ExitCode: code, Message: "The container exited with an error.",
		ExecutionReason: runpb.Condition_NON_ZERO_EXIT_CODE}
}

// OOMFailure: Cloud Run killed the task's container with SIGKILL for using
// more than its memory limit (MiB).
func OOMFailure(limit, used int) *Failure {
	return &Failure{Signal: 9, Code: 8, // RESOURCE_EXHAUSTED
		Message:         fmt.Sprintf("Memory limit of %d MiB exceeded with %d MiB used. Consider increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits", limit, used),
		ExecutionReason: runpb.Condition_NON_ZERO_EXIT_CODE}
}

// TaskTimeout is every fake execution's task timeout, as its template says.
const TaskTimeout = 10 * time.Minute

// TimeoutFailure: the task ran past the job's task timeout. Cloud Run gives
// no reason for it, only the words.
func TimeoutFailure() *Failure {
	return &Failure{Code: 4, Message: "The configured timeout was reached."} // DEADLINE_EXCEEDED
}

// ImageMissingFailure: the job's container image does not exist, so no task
// ran.
func ImageMissingFailure(image string) *Failure {
	return &Failure{Message: fmt.Sprintf("Image '%s' not found.", image), Reason: runpb.Condition_CONTAINER_MISSING}
}

// SecretsFailure: the job's service account may not read a secret it
// mounts, so no task ran.
func SecretsFailure(secret, account string) *Failure {
	return &Failure{
		Message: fmt.Sprintf("Permission denied on secret: %s for Revision service account %s. The service account used must be granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) at the secret, project or higher level.", secret, account),
		Reason:  runpb.Condition_SECRETS_ACCESS_CHECK_FAILED}
}

// failure is the spec's Failure, defaulted.
func (s ExecutionSpec) failure() *Failure {
	if s.Failure != nil {
		return s.Failure
	}
	return ExitFailure(1, 0)
}

// ranNoTask: the failure stopped the execution before any task started.
func (f *Failure) ranNoTask() bool { return f.Reason != runpb.Condition_COMMON_REASON_UNDEFINED }

// conditionMessage is the Completed condition's message for the failure of
// execution id.
func (f *Failure) conditionMessage(id string) string {
	if f.ranNoTask() {
		return f.Message
	}
	return fmt.Sprintf("Task %s-task%d failed with message: %s", id, f.Task, f.Message)
}

// setReason puts the failure's reason, if any, on a condition.
func (f *Failure) setReason(c *runpb.Condition) {
	switch {
	case f.ExecutionReason != runpb.Condition_EXECUTION_REASON_UNDEFINED:
		c.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: f.ExecutionReason}
	case f.ranNoTask():
		c.Reasons = &runpb.Condition_Reason{Reason: f.Reason}
	}
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
		Etag:     fmt.Sprintf(`"%x"`, sum[16:24]),
		Template: taskTemplate(s.Project, s.Job),
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
		f := s.failure()
		e.FailedCount, e.SucceededCount = 1, tasks-1
		if f.ranNoTask() {
			e.FailedCount, e.SucceededCount = tasks, 0
		}
		e.RetriedCount = f.Retries
		completedCond.State = runpb.Condition_CONDITION_FAILED
		completedCond.Severity = runpb.Condition_ERROR
		f.setReason(completedCond)
		completedCond.Message = cmp.Or(s.FailureMessage, f.conditionMessage(s.ID))
	case Cancelled:
		e.CancelledCount = tasks
		completedCond.State = runpb.Condition_CONDITION_FAILED
		completedCond.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_CANCELLED}
		completedCond.Message = "The execution was cancelled."
	}
	return e
}

// taskTemplate is the task template of every fake job, and so of the
// executions ExecutionSpec builds: one container, 3 retries, TaskTimeout.
func taskTemplate(project, job string) *runpb.TaskTemplate {
	return &runpb.TaskTemplate{
		Containers: []*runpb.Container{{
			Image:     fmt.Sprintf("us-docker.pkg.dev/%s/launcher/%s:latest", project, job),
			Resources: &runpb.ResourceRequirements{Limits: map[string]string{"cpu": "1", "memory": "512Mi"}},
		}},
		Retries:              &runpb.TaskTemplate_MaxRetries{MaxRetries: 3},
		Timeout:              durationpb.New(TaskTimeout),
		ExecutionEnvironment: runpb.ExecutionEnvironment_EXECUTION_ENVIRONMENT_GEN2,
	}
}

// TaskName is the full resource name of the execution's task index.
func (s ExecutionSpec) TaskName(index int32) string {
	return fmt.Sprintf("%s/tasks/%s-task%d", s.Name(), s.ID, index)
}

// BuildTasks returns the execution's tasks as the Run v2 Tasks API shows
// them: all pending, running or succeeded with the execution; for a failed
// one the Failure's task failed (or, when no task ran, every task) and the
// others succeeded; for a cancelled one every task was cancelled.
func (s ExecutionSpec) BuildTasks() []*runpb.Task {
	e := s.Build()
	n := e.GetTaskCount()
	out := make([]*runpb.Task, n)
	for i := range n {
		out[i] = s.buildTask(e, i)
	}
	return out
}

// buildTask builds task index of the execution e that s built.
func (s ExecutionSpec) buildTask(e *runpb.Execution, index int32) *runpb.Task {
	sum := sha256.Sum256([]byte(s.TaskName(index)))
	t := &runpb.Task{
		Name:                 s.TaskName(index),
		Uid:                  fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16]),
		Generation:           1,
		ObservedGeneration:   1,
		Labels:               maps.Clone(s.Labels),
		CreateTime:           e.GetCreateTime(),
		ScheduledTime:        e.GetCreateTime(),
		UpdateTime:           e.GetUpdateTime(),
		Job:                  s.Job,
		Execution:            s.ID,
		Containers:           []*runpb.Container{{Image: fmt.Sprintf("us-docker.pkg.dev/%s/launcher/%s:latest", s.Project, s.Job)}},
		MaxRetries:           3,
		Timeout:              durationpb.New(TaskTimeout),
		ServiceAccount:       "123456789012-compute@developer.gserviceaccount.com",
		ExecutionEnvironment: runpb.ExecutionEnvironment_EXECUTION_ENVIRONMENT_GEN2,
		Index:                index,
		LogUri:               e.GetLogUri(),
		Etag:                 fmt.Sprintf(`"%x"`, sum[16:24]),
	}
	cond := func(typ string, st runpb.Condition_State, ts *timestamppb.Timestamp) *runpb.Condition {
		return &runpb.Condition{Type: typ, State: st, LastTransitionTime: ts}
	}
	ok := runpb.Condition_CONDITION_SUCCEEDED
	succeed := func() {
		t.StartTime, t.CompletionTime = e.GetStartTime(), e.GetCompletionTime()
		t.LastAttemptResult = &runpb.TaskAttemptResult{Status: &spb.Status{}}
		t.Conditions = []*runpb.Condition{cond("Completed", ok, t.CompletionTime), cond("Started", ok, t.StartTime)}
	}
	switch s.State {
	case Pending:
		t.Reconciling = true
		t.Conditions = []*runpb.Condition{cond("Completed", runpb.Condition_CONDITION_PENDING, e.GetCreateTime()),
			cond("Started", runpb.Condition_CONDITION_PENDING, e.GetCreateTime())}
	case Running:
		t.Reconciling = true
		t.StartTime = e.GetStartTime()
		t.Conditions = []*runpb.Condition{cond("Completed", runpb.Condition_CONDITION_RECONCILING, t.StartTime),
			cond("Started", ok, t.StartTime)}
	case Succeeded:
		succeed()
	case Cancelled:
		t.StartTime, t.CompletionTime = e.GetStartTime(), e.GetCompletionTime()
		done := cond("Completed", runpb.Condition_CONDITION_FAILED, t.CompletionTime)
		done.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_CANCELLED}
		done.Message = "Task was cancelled."
		t.Conditions = []*runpb.Condition{done, cond("Started", ok, t.StartTime)}
	case Failed:
		f := s.failure()
		if !f.ranNoTask() && index != f.Task {
			succeed()
			break
		}
		done := cond("Completed", runpb.Condition_CONDITION_FAILED, e.GetCompletionTime())
		done.Severity = runpb.Condition_ERROR
		done.Message = f.Message
		f.setReason(done)
		if f.ranNoTask() {
			t.Conditions = []*runpb.Condition{done, cond("Started", runpb.Condition_CONDITION_FAILED, e.GetCompletionTime())}
			t.Conditions[1].Reasons = done.Reasons
			break
		}
		t.StartTime, t.CompletionTime = e.GetStartTime(), e.GetCompletionTime()
		t.Retried = f.Retries
		t.LastAttemptResult = &runpb.TaskAttemptResult{
			Status:     &spb.Status{Code: cmp.Or(f.Code, 2), Message: f.Message},
			ExitCode:   f.ExitCode,
			TermSignal: f.Signal,
		}
		t.Conditions = []*runpb.Condition{done, cond("Started", ok, t.StartTime)}
	}
	return t
}
