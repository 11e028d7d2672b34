package poller

import (
	"context"
	"strings"
	"testing"
	"time"

	run "cloud.google.com/go/run/apiv2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
)

func TestListFailedTasksIsOneRequest(t *testing.T) {
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	ctx := context.Background()
	client, err := run.NewTasksClient(ctx, clientOptions(cloud.RunAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })

	oom := fakecloud.OOMFailure(512, 530)
	oom.Task = 3
	spec := failedSpec("x-oom", 5, oom)
	cloud.Put(spec)
	failed, err := listFailedTasks(ctx, client, spec.Name(), 5, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].GetIndex() != 3 || failed[0].GetLastAttemptResult().GetTermSignal() != 9 {
		t.Errorf("failed tasks %v, want task 3", failed)
	}
	reqs := cloud.ListTasksRequests()
	if len(reqs) != 1 || reqs[0].GetPageSize() != 5 || reqs[0].GetParent() != spec.Name() {
		t.Errorf("requests %v, want one for a page of 5", reqs)
	}

	// A page shorter than the tasks is not followed: still one request.
	many := failedSpec("x-many", 150, fakecloud.ExitFailure(1, 0))
	many.Failure.Task = 149
	cloud.Put(many)
	if failed, err := listFailedTasks(ctx, client, many.Name(), 100, time.Second); err != nil || len(failed) != 0 {
		t.Errorf("first 100 of 150 tasks: %d failed, %v", len(failed), err)
	}
	if n := len(cloud.ListTasksRequests()); n != 2 {
		t.Errorf("%d requests in all, want 2", n)
	}

	cancelled := fakecloud.ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: "x-cancel",
		State: fakecloud.Cancelled, Created: t0, Tasks: 2}
	cloud.Put(cancelled)
	if failed, err := listFailedTasks(ctx, client, cancelled.Name(), 2, time.Second); err != nil || len(failed) != 0 {
		t.Errorf("cancelled execution: %d failed tasks, %v; want none", len(failed), err)
	}

	cloud.SetRegionError("us-west3", status.Error(codes.PermissionDenied, "run.tasks.list denied"))
	_, err = listFailedTasks(ctx, client, spec.Name(), 5, time.Second)
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "list tasks of x-oom") {
		t.Errorf("error %v, want PermissionDenied naming the execution", err)
	}
	cloud.ClearRegionFaults("us-west3")
	cloud.SetRegionHang("us-west3")
	start := time.Now()
	if _, err := listFailedTasks(ctx, client, spec.Name(), 5, 100*time.Millisecond); status.Code(err) != codes.DeadlineExceeded || time.Since(start) > 5*time.Second {
		t.Errorf("hanging region: %v after %v, want DeadlineExceeded after the timeout", err, time.Since(start))
	}
}
