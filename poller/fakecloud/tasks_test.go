package fakecloud

import (
	"context"
	"slices"
	"strings"
	"testing"

	run "cloud.google.com/go/run/apiv2"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func tasksClient(t *testing.T, c *Cloud) *run.TasksClient {
	t.Helper()
	tc, err := run.NewTasksClient(context.Background(), clientOptions(c.RunAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tc.Close() })
	return tc
}

func listTasks(ctx context.Context, tc *run.TasksClient, parent string, pageSize int32) ([]*runpb.Task, error) {
	return drain(tc.ListTasks(ctx, &runpb.ListTasksRequest{Parent: parent, PageSize: pageSize}).Next)
}

// completed is a task's or an execution's Completed condition.
func completed(conds []*runpb.Condition) *runpb.Condition {
	for _, c := range conds {
		if c.GetType() == "Completed" {
			return c
		}
	}
	return nil
}

func TestTasksOfAnOOMKillPagedByIndex(t *testing.T) {
	c := startCloud(t)
	spec := ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: testJob + "-x7k2p",
		State: Failed, Created: base, Tasks: 5, Failure: OOMFailure(512, 530)}
	spec.Failure.Task = 3
	c.Put(spec)
	tc := tasksClient(t, c)

	got, err := listTasks(context.Background(), tc, spec.Name(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.ListTasksRequests()); n != 3 {
		t.Errorf("%d ListTasks requests for 5 tasks in pages of 2, want 3", n)
	}
	var indexes []int32
	for _, task := range got {
		indexes = append(indexes, task.GetIndex())
		if task.GetName() != spec.TaskName(task.GetIndex()) || task.GetExecution() != spec.ID || task.GetJob() != testJob {
			t.Errorf("task %d: name %q execution %q job %q", task.GetIndex(), task.GetName(), task.GetExecution(), task.GetJob())
		}
	}
	if !slices.Equal(indexes, []int32{0, 1, 2, 3, 4}) {
		t.Fatalf("task indexes %v, want 0…4 in order", indexes)
	}
	for _, task := range got {
		res, done := task.GetLastAttemptResult(), completed(task.GetConditions())
		if task.GetIndex() != 3 {
			if res.GetStatus().GetCode() != 0 || done.GetState() != runpb.Condition_CONDITION_SUCCEEDED {
				t.Errorf("task %d: %v, %v; want succeeded", task.GetIndex(), res, done)
			}
			continue
		}
		if res.GetTermSignal() != 9 || res.GetExitCode() != 0 || res.GetStatus().GetCode() == 0 ||
			!strings.HasPrefix(res.GetStatus().GetMessage(), "Memory limit of 512 MiB exceeded with 530 MiB used.") {
			t.Errorf("OOM task's last attempt: %v", res)
		}
		if done.GetState() != runpb.Condition_CONDITION_FAILED || done.GetExecutionReason() != runpb.Condition_NON_ZERO_EXIT_CODE {
			t.Errorf("OOM task's Completed condition: %v", done)
		}
	}

	e, err := runClient(t, c).GetExecution(context.Background(), &runpb.GetExecutionRequest{Name: spec.Name()})
	if err != nil {
		t.Fatal(err)
	}
	msg := completed(e.GetConditions()).GetMessage()
	if want := "Task " + spec.ID + "-task3 failed with message: Memory limit of 512 MiB exceeded"; !strings.HasPrefix(msg, want) {
		t.Errorf("execution's message %q, want it to start %q", msg, want)
	}
	if e.GetFailedCount() != 1 || e.GetSucceededCount() != 4 {
		t.Errorf("execution counts failed %d succeeded %d", e.GetFailedCount(), e.GetSucceededCount())
	}

	one, err := tc.GetTask(context.Background(), &runpb.GetTaskRequest{Name: spec.TaskName(3)})
	if err != nil || one.GetLastAttemptResult().GetTermSignal() != 9 {
		t.Errorf("GetTask: %v, %v", one, err)
	}
}

func TestFailuresAsCloudRunReportsThem(t *testing.T) {
	c := startCloud(t)
	for _, tc := range []struct {
		name     string
		failure  *Failure
		reason   string // the execution's Completed condition's reason, by enum name
		message  string // how the execution's message starts
		ran      bool   // the failed task has a last attempt
		exitCode int32
	}{
		{"default", nil, "NON_ZERO_EXIT_CODE", "Task vertex-ai-launcher-default-task0 failed with message: The container exited with an error.", true, 1},
		{"exit", ExitFailure(2, 3), "NON_ZERO_EXIT_CODE", "Task vertex-ai-launcher-exit-task0 failed with message: The container exited with an error.", true, 2},
		{"timeout", TimeoutFailure(), "", "Task vertex-ai-launcher-timeout-task0 failed with message: The configured timeout was reached.", true, 0},
		{"image", ImageMissingFailure("us-docker.pkg.dev/acme/launcher:v9"), "CONTAINER_MISSING", "Image 'us-docker.pkg.dev/acme/launcher:v9' not found.", false, 0},
		{"secret", SecretsFailure("projects/1/secrets/wandb/versions/latest", "sa@x.iam.gserviceaccount.com"), "SECRETS_ACCESS_CHECK_FAILED", "Permission denied on secret: projects/1/secrets/wandb/versions/latest", false, 0},
	} {
		spec := ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: testJob + "-" + tc.name,
			State: Failed, Created: base, Tasks: 2, Failure: tc.failure}
		c.Put(spec)
		e := spec.Build()
		done := completed(e.GetConditions())
		var reason string
		if r := done.GetExecutionReason(); r != 0 {
			reason = r.String()
		} else if r := done.GetReason(); r != 0 {
			reason = r.String()
		}
		if reason != tc.reason || !strings.HasPrefix(done.GetMessage(), tc.message) {
			t.Errorf("%s: condition %s %q, want %s %q", tc.name, reason, done.GetMessage(), tc.reason, tc.message)
		}
		tasks, err := listTasks(context.Background(), tasksClient(t, c), spec.Name(), 0)
		if err != nil || len(tasks) != 2 {
			t.Fatalf("%s: %d tasks, %v", tc.name, len(tasks), err)
		}
		first := tasks[0]
		if ran := first.GetLastAttemptResult() != nil; ran != tc.ran || first.GetLastAttemptResult().GetExitCode() != tc.exitCode {
			t.Errorf("%s: task 0 last attempt %v, want ran=%v exit %d", tc.name, first.GetLastAttemptResult(), tc.ran, tc.exitCode)
		}
		if state := completed(first.GetConditions()).GetState(); state != runpb.Condition_CONDITION_FAILED {
			t.Errorf("%s: task 0 is %v, want failed", tc.name, state)
		}
		if tc.failure != nil && tc.failure.Retries != first.GetRetried() {
			t.Errorf("%s: task 0 retried %d, want %d", tc.name, first.GetRetried(), tc.failure.Retries)
		}
		if !tc.ran && (e.GetFailedCount() != 2 || first.GetStartTime() != nil) {
			t.Errorf("%s: no task ran, yet %d failed, task 0 started %v", tc.name, e.GetFailedCount(), first.GetStartTime())
		}
	}
}

func TestListTasksFaultsAndBadRequests(t *testing.T) {
	c := startCloud(t)
	tc := tasksClient(t, c)
	ctx := context.Background()
	spec := ExecutionSpec{Project: testProject, Region: "us-east4", Job: testJob, ID: testJob + "-abc12", State: Succeeded, Created: base}
	c.PutExecution(spec.Build()) // no tasks stored

	if got, err := listTasks(ctx, tc, spec.Name(), 0); err != nil || len(got) != 0 {
		t.Errorf("an execution without tasks: %d tasks, %v", len(got), err)
	}
	if _, err := listTasks(ctx, tc, spec.Name()+"-gone", 0); status.Code(err) != codes.NotFound {
		t.Errorf("an unknown execution: %v, want NotFound", err)
	}
	for _, parent := range []string{"projects/p/locations/r/jobs/j", spec.Name() + "/tasks/x"} {
		if _, err := listTasks(ctx, tc, parent, 0); status.Code(err) != codes.InvalidArgument {
			t.Errorf("parent %q: %v, want InvalidArgument", parent, err)
		}
	}
	if _, err := tc.GetTask(ctx, &runpb.GetTaskRequest{Name: spec.TaskName(0)}); status.Code(err) != codes.NotFound {
		t.Errorf("GetTask of a task not stored: %v, want NotFound", err)
	}

	c.Put(spec)
	c.SetRegionError("us-east4", status.Error(codes.PermissionDenied, "run.tasks.list denied"))
	if _, err := listTasks(ctx, tc, spec.Name(), 0); status.Code(err) != codes.PermissionDenied {
		t.Errorf("region error: %v, want PermissionDenied", err)
	}
	c.ClearRegionFaults("us-east4")
	got, err := listTasks(ctx, tc, spec.Name(), 0)
	if err != nil || len(got) != 1 || completed(got[0].GetConditions()).GetState() != runpb.Condition_CONDITION_SUCCEEDED {
		t.Errorf("after clearing: %v, %v", got, err)
	}
}
