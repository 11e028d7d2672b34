package fakecloud

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// SetActionError makes method fail with err before it changes anything:
// "RunJob", "CancelExecution" or "GetJob" (typically a status.Error such as
// codes.PermissionDenied). Nil clears it.
func (c *Cloud) SetActionError(method string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		delete(c.actionErrs, method)
		return
	}
	c.actionErrs[method] = err
}

// actionError returns what SetActionError injected for method.
func (c *Cloud) actionError(method string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.actionErrs[method]
}

// RunJobRequests returns copies of every RunJob request received, in
// arrival order, including the ones that failed.
func (c *Cloud) RunJobRequests() []*runpb.RunJobRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneAll(c.runReqs)
}

// CancelExecutionRequests returns copies of every CancelExecution request
// received, in arrival order, including the ones that failed.
func (c *Cloud) CancelExecutionRequests() []*runpb.CancelExecutionRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneAll(c.cancelReqs)
}

// RunJob starts a new execution of the job, running from now, with the
// job's template and the request's overrides, and returns its operation as
// Cloud Run does: not done while the execution runs (the operation ends
// when the execution does), the new execution in its metadata. It runs
// until cancelled, unless a demo runs (RunDemo), which ends it as it ends
// its own.
func (s *jobsServer) RunJob(ctx context.Context, req *runpb.RunJobRequest) (*longrunningpb.Operation, error) {
	c := s.cloud
	c.mu.Lock()
	c.runReqs = append(c.runReqs, proto.CloneOf(req))
	c.mu.Unlock()
	j, ok := parseJobName(req.GetName())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "name %q is not of the form projects/{project}/locations/{location}/jobs/{job}", req.GetName())
	}
	if err := c.regionDelay(ctx, j.region); err != nil {
		return nil, err
	}
	if err := c.actionError("RunJob"); err != nil {
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	tmpl, ok := c.jobTemplate(j)
	if !ok {
		return nil, jobNotFound(j)
	}
	if tmpl.Template == nil {
		tmpl.Template = taskTemplate(j.project, j.job)
	}
	if err := applyOverrides(tmpl, req.GetOverrides()); err != nil {
		return nil, err
	}
	id := c.newExecutionID(j)
	now := time.Now()
	spec := ExecutionSpec{Project: j.project, Region: j.region, Job: j.job, ID: id, State: Running,
		Created: now, Started: now, Tasks: max(tmpl.GetTaskCount(), 1)}
	e := spec.Build()
	e.Template = tmpl.GetTemplate()
	if p := tmpl.GetParallelism(); p > 0 {
		e.Parallelism = p
	}
	c.executions[e.GetName()] = e
	for _, t := range spec.BuildTasks() {
		t.Timeout = e.GetTemplate().GetTimeout()
		t.Containers = cloneAll(e.GetTemplate().GetContainers())
		c.tasks[t.GetName()] = t
	}
	if c.ran != nil {
		go c.ran(spec) // it takes c.mu to finish the execution
	}
	return c.operation(j, e)
}

// newExecutionID returns a Cloud Run execution ID the Cloud does not have
// yet: the job's name and five random letters or digits. The caller holds
// c.mu.
func (c *Cloud) newExecutionID(j jobName) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	for {
		b := make([]byte, 5)
		for i := range b {
			b[i] = alphabet[rand.IntN(len(alphabet))]
		}
		id := j.job + "-" + string(b)
		if _, taken := c.executions[j.String()+"/executions/"+id]; !taken {
			return id
		}
	}
}

// applyOverrides changes t as RunJob's overrides say, as Cloud Run does:
// a container's args are replaced (or cleared), its env merged by name;
// the task count and timeout replaced when given.
func applyOverrides(t *runpb.ExecutionTemplate, o *runpb.RunJobRequest_Overrides) error {
	containers := t.GetTemplate().GetContainers()
	for _, co := range o.GetContainerOverrides() {
		i := slices.IndexFunc(containers, func(c *runpb.Container) bool { return c.GetName() == co.GetName() })
		if i < 0 && co.GetName() == "" && len(containers) > 0 {
			i = 0
		}
		if i < 0 {
			return status.Errorf(codes.InvalidArgument, "container override names %q, which the job does not have", co.GetName())
		}
		c := containers[i]
		if len(co.GetArgs()) > 0 || co.GetClearArgs() {
			c.Args = slices.Clone(co.GetArgs())
		}
		for _, env := range co.GetEnv() {
			k := slices.IndexFunc(c.Env, func(e *runpb.EnvVar) bool { return e.GetName() == env.GetName() })
			if k < 0 {
				c.Env = append(c.Env, proto.CloneOf(env))
			} else {
				c.Env[k] = proto.CloneOf(env)
			}
		}
	}
	if o.GetTaskCount() < 0 {
		return status.Errorf(codes.InvalidArgument, "task_count must not be negative, got %d", o.GetTaskCount())
	}
	if n := o.GetTaskCount(); n > 0 {
		t.TaskCount = n
	}
	if d := o.GetTimeout(); d != nil {
		t.Template.Timeout = proto.CloneOf(d)
	}
	return nil
}

// CancelExecution cancels a pending or running execution as Cloud Run
// does (its unfinished tasks cancelled, the Completed condition failed with
// reason CANCELLED) and returns a done operation with it; a finished
// execution is a FailedPrecondition.
func (s *runServer) CancelExecution(ctx context.Context, req *runpb.CancelExecutionRequest) (*longrunningpb.Operation, error) {
	c := s.cloud
	c.mu.Lock()
	c.cancelReqs = append(c.cancelReqs, proto.CloneOf(req))
	c.mu.Unlock()
	j, id, ok := parseExecutionName(req.GetName())
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "name %q is not of the form projects/{project}/locations/{location}/jobs/{job}/executions/{execution}", req.GetName())
	}
	if err := c.regionDelay(ctx, j.region); err != nil {
		return nil, err
	}
	if err := c.actionError("CancelExecution"); err != nil {
		return nil, err
	}

	c.mu.Lock()
	op, end, err := c.cancelExecution(req.GetName(), j, id)
	c.mu.Unlock()
	c.route(end) // as Cloud Run writes a cancelled execution's end
	return op, err
}

// cancelExecution cancels execution name and returns its operation and the audit
// entry of its end. The caller holds c.mu.
func (c *Cloud) cancelExecution(name string, j jobName, id string) (*longrunningpb.Operation, *loggingpb.LogEntry, error) {
	e, ok := c.executions[name]
	if !ok {
		return nil, nil, status.Errorf(codes.NotFound, "Resource '%s' of kind 'EXECUTION' in region '%s' in project '%s' does not exist.", id, j.region, j.project)
	}
	if e.GetCompletionTime() != nil {
		// Cloud Run's wording here is not documented; this says the same.
		return nil, nil, status.Errorf(codes.FailedPrecondition, "Execution %s has already completed and cannot be cancelled.", id)
	}
	now := timestamppb.Now()
	e.CancelledCount = e.GetTaskCount() - e.GetSucceededCount() - e.GetFailedCount()
	e.RunningCount = 0
	e.Reconciling = false
	e.CompletionTime, e.UpdateTime = now, now
	cancelled := func(c *runpb.Condition, message string) {
		c.State = runpb.Condition_CONDITION_FAILED
		c.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_CANCELLED}
		c.Message = message
		c.LastTransitionTime = now
	}
	for _, cond := range e.GetConditions() {
		if cond.GetType() == "Completed" {
			cancelled(cond, "The execution was cancelled.")
		}
	}
	for name, t := range c.tasks {
		if exec, _, _, ok := parseTaskName(name); !ok || exec != e.GetName() || t.GetCompletionTime() != nil {
			continue
		}
		t.Reconciling = false
		t.CompletionTime, t.UpdateTime = now, now
		for _, cond := range t.GetConditions() {
			if cond.GetType() == "Completed" {
				cancelled(cond, "Task was cancelled.")
			}
		}
	}
	op, err := c.operation(j, e)
	return op, ended(nil, e), err
}

// operation records a new long-running operation about execution e and
// returns it as it stands now. The caller holds c.mu.
func (c *Cloud) operation(j jobName, e *runpb.Execution) (*longrunningpb.Operation, error) {
	name := fmt.Sprintf("projects/%s/locations/%s/operations/%08x-%04x-%04x-%04x-%012x", j.project, j.region,
		rand.Uint32(), rand.Uint32()&0xffff, rand.Uint32()&0xffff, rand.Uint32()&0xffff, rand.Uint64()&0xffffffffffff)
	c.operations[name] = e.GetName()
	return c.operationState(name)
}
