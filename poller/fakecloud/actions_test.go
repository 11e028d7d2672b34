package fakecloud

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	run "cloud.google.com/go/run/apiv2"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func jobsClient(t *testing.T, c *Cloud) *run.JobsClient {
	t.Helper()
	jc, err := run.NewJobsClient(context.Background(), clientOptions(c.RunAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jc.Close() })
	return jc
}

func actionContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// launcherTemplate is a job template with args and env, for overrides to
// change.
func launcherTemplate() *runpb.ExecutionTemplate {
	tmpl := taskTemplate(testProject, testJob)
	tmpl.Containers[0].Args = []string{"--queue", "default"}
	tmpl.Containers[0].Env = []*runpb.EnvVar{{Name: "LR", Values: &runpb.EnvVar_Value{Value: "0.01"}}}
	return &runpb.ExecutionTemplate{TaskCount: 1, Template: tmpl}
}

// RunJob, through the real client, starts a running execution of the job
// named JOB-xxxxx with the job's template and the request's overrides; its
// operation carries the execution at once and ends when the execution does.
func TestRunJobStartsARunningExecutionWithTheOverrides(t *testing.T) {
	c := startCloud(t)
	jc, rc := jobsClient(t, c), runClient(t, c)
	ctx := actionContext(t)
	c.SetJobTemplate(testProject, "us-west3", testJob, launcherTemplate())

	before := time.Now()
	op, err := jc.RunJob(ctx, &runpb.RunJobRequest{
		Name: parent("us-west3"),
		Overrides: &runpb.RunJobRequest_Overrides{
			ContainerOverrides: []*runpb.RunJobRequest_Overrides_ContainerOverride{{
				Args: []string{"--epochs", "3"},
				Env:  []*runpb.EnvVar{{Name: "LR", Values: &runpb.EnvVar_Value{Value: "0.1"}}, {Name: "SEED", Values: &runpb.EnvVar_Value{Value: "7"}}},
			}},
			TaskCount: 4,
			Timeout:   durationpb.New(20 * time.Minute),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	started, err := op.Metadata()
	if err != nil || started == nil {
		t.Fatalf("metadata %v, %v: want the new execution", started, err)
	}
	if op.Done() {
		t.Fatal("the operation is done while its execution runs")
	}
	if !regexp.MustCompile(`^` + parent("us-west3") + `/executions/` + testJob + `-[a-z0-9]{5}$`).MatchString(started.GetName()) {
		t.Fatalf("new execution %q", started.GetName())
	}
	got, err := rc.GetExecution(ctx, &runpb.GetExecutionRequest{Name: started.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetCreateTime().AsTime().Before(before.Add(-time.Second)) || got.GetRunningCount() != 4 || got.GetTaskCount() != 4 || got.GetCompletionTime() != nil {
		t.Fatalf("new execution: created %v, running %d of %d, completed %v", got.GetCreateTime().AsTime(), got.GetRunningCount(), got.GetTaskCount(), got.GetCompletionTime())
	}
	container := got.GetTemplate().GetContainers()[0]
	env := map[string]string{}
	for _, e := range container.GetEnv() {
		env[e.GetName()] = e.GetValue()
	}
	if !slices.Equal(container.GetArgs(), []string{"--epochs", "3"}) || len(env) != 2 || env["LR"] != "0.1" || env["SEED"] != "7" ||
		got.GetTemplate().GetTimeout().AsDuration() != 20*time.Minute {
		t.Fatalf("template: args %q, env %v, timeout %v", container.GetArgs(), env, got.GetTemplate().GetTimeout().AsDuration())
	}
	if reqs := c.RunJobRequests(); len(reqs) != 1 || reqs[0].GetName() != parent("us-west3") {
		t.Fatalf("requests %v", reqs)
	}

	// The operation ends when the execution does, with it as its response.
	got.CompletionTime = timestamppb.Now()
	c.PutExecution(got)
	done, err := op.Wait(ctx)
	if err != nil || done.GetName() != got.GetName() || done.GetCompletionTime() == nil {
		t.Fatalf("wait: %v, %v", done, err)
	}
}

// A RunJob without overrides copies the job's template as it is.
func TestRunJobWithoutOverridesCopiesTheJobsTemplate(t *testing.T) {
	c := startCloud(t)
	jc := jobsClient(t, c)
	ctx := actionContext(t)
	c.SetJobTemplate(testProject, "us-west3", testJob, launcherTemplate())
	op, err := jc.RunJob(ctx, &runpb.RunJobRequest{Name: parent("us-west3")})
	if err != nil {
		t.Fatal(err)
	}
	e, err := op.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(e.GetTemplate(), launcherTemplate().GetTemplate()) || e.GetTaskCount() != 1 {
		t.Fatalf("template %v, %d tasks", e.GetTemplate(), e.GetTaskCount())
	}
	job, err := jc.GetJob(ctx, &runpb.GetJobRequest{Name: parent("us-west3")})
	if err != nil || !proto.Equal(job.GetTemplate(), launcherTemplate()) {
		t.Fatalf("GetJob: %v, %v", job, err)
	}
}

// Running or getting a job the fake does not know is NotFound.
func TestRunJobOfAnUnknownJobIsNotFound(t *testing.T) {
	c := startCloud(t)
	jc := jobsClient(t, c)
	ctx := actionContext(t)
	putFinished(c, "us-west3", testJob+"-aaaaa", base)
	if _, err := jc.RunJob(ctx, &runpb.RunJobRequest{Name: parent("us-east1")}); status.Code(err) != codes.NotFound {
		t.Fatalf("RunJob of an unknown job: %v", err)
	}
	if _, err := jc.GetJob(ctx, &runpb.GetJobRequest{Name: parent("us-east1")}); status.Code(err) != codes.NotFound {
		t.Fatalf("GetJob of an unknown job: %v", err)
	}
	// A job with executions exists, with the default template.
	job, err := jc.GetJob(ctx, &runpb.GetJobRequest{Name: parent("us-west3")})
	if err != nil || job.GetTemplate().GetTemplate().GetTimeout().AsDuration() != TaskTimeout {
		t.Fatalf("GetJob of a job with executions: %v, %v", job, err)
	}
}

// CancelExecution of a running execution cancels it and its tasks, as
// Cloud Run shows a cancelled execution, and its operation is done.
func TestCancelExecutionCancelsARunningExecution(t *testing.T) {
	c := startCloud(t)
	rc, tc := runClient(t, c), tasksClient(t, c)
	ctx := actionContext(t)
	spec := ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: testJob + "-x7k2p", State: Running, Created: time.Now().Add(-time.Minute), Tasks: 2}
	c.Put(spec)

	op, err := rc.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: spec.Name()})
	if err != nil {
		t.Fatal(err)
	}
	e, err := op.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rc.GetExecution(ctx, &runpb.GetExecutionRequest{Name: spec.Name()})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(e, got) {
		t.Fatalf("the operation's execution %v differs from GetExecution's %v", e, got)
	}
	want := spec
	want.State = Cancelled
	completed := want.Build().GetConditions()[0]
	cond := got.GetConditions()[0]
	if got.GetCancelledCount() != 2 || got.GetRunningCount() != 0 || got.GetCompletionTime() == nil ||
		cond.GetState() != completed.GetState() || cond.GetExecutionReason() != runpb.Condition_CANCELLED || cond.GetMessage() != completed.GetMessage() {
		t.Fatalf("cancelled execution: cancelled %d, running %d, completed %v, condition %v", got.GetCancelledCount(), got.GetRunningCount(), got.GetCompletionTime(), cond)
	}
	tasks, err := drain(tc.ListTasks(ctx, &runpb.ListTasksRequest{Parent: spec.Name()}).Next)
	if err != nil || len(tasks) != 2 {
		t.Fatalf("tasks %v, %v", tasks, err)
	}
	for _, task := range tasks {
		if task.GetCompletionTime() == nil || task.GetConditions()[0].GetExecutionReason() != runpb.Condition_CANCELLED {
			t.Errorf("task %s not cancelled: %v", task.GetName(), task.GetConditions())
		}
	}
	if reqs := c.CancelExecutionRequests(); len(reqs) != 1 || reqs[0].GetName() != spec.Name() {
		t.Fatalf("requests %v", reqs)
	}
}

// Cancelling a finished execution is refused and changes nothing.
func TestCancelExecutionOfAFinishedExecutionIsAFailedPrecondition(t *testing.T) {
	c := startCloud(t)
	rc := runClient(t, c)
	ctx := actionContext(t)
	e := putFinished(c, "us-west3", testJob+"-done1", base)
	_, err := rc.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: e.GetName()})
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("cancel of a finished execution: %v", err)
	}
	got, err := rc.GetExecution(ctx, &runpb.GetExecutionRequest{Name: e.GetName()})
	if err != nil || !proto.Equal(got, e) {
		t.Fatalf("the finished execution changed: %v, %v", got, err)
	}
	if _, err := rc.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: parent("us-west3") + "/executions/nope"}); status.Code(err) != codes.NotFound {
		t.Fatalf("cancel of an unknown execution: %v", err)
	}
}

// SetActionError makes the named method fail, after the request is
// recorded, and nil clears it.
func TestSetActionErrorFailsThatMethodOnly(t *testing.T) {
	c := startCloud(t)
	jc, rc := jobsClient(t, c), runClient(t, c)
	ctx := actionContext(t)
	spec := ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: testJob + "-r1", State: Running, Created: time.Now()}
	c.Put(spec)
	c.SetActionError("RunJob", status.Error(codes.PermissionDenied, "Permission 'run.jobs.run' denied on resource"))
	if _, err := jc.RunJob(ctx, &runpb.RunJobRequest{Name: parent("us-west3")}); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("RunJob: %v", err)
	}
	if len(c.RunJobRequests()) != 1 {
		t.Fatalf("the refused request was not recorded: %v", c.RunJobRequests())
	}
	if _, err := jc.GetJob(ctx, &runpb.GetJobRequest{Name: parent("us-west3")}); err != nil {
		t.Fatalf("GetJob failed with RunJob's error: %v", err)
	}
	c.SetActionError("RunJob", nil)
	if _, err := jc.RunJob(ctx, &runpb.RunJobRequest{Name: parent("us-west3")}); err != nil {
		t.Fatalf("RunJob after clearing: %v", err)
	}
	c.SetActionError("CancelExecution", status.Error(codes.PermissionDenied, "denied"))
	if _, err := rc.CancelExecution(ctx, &runpb.CancelExecutionRequest{Name: spec.Name()}); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("CancelExecution: %v", err)
	}
	if got, _ := rc.GetExecution(ctx, &runpb.GetExecutionRequest{Name: spec.Name()}); got.GetCompletionTime() != nil {
		t.Fatal("a refused cancel cancelled the execution")
	}
}
