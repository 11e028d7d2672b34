package poller

import (
	"context"
	"fmt"
	"path"
	"time"

	run "cloud.google.com/go/run/apiv2"
	"cloud.google.com/go/run/apiv2/runpb"
	"github.com/googleapis/gax-go/v2"
)

// maxTasksPage is the most tasks listFailedTasks asks for in its one request.
const maxTasksPage = 1000

// listFailedTasks lists the failed tasks of an execution (its full resource
// name; taskCount its task_count) in ONE ListTasks request, within timeout,
// the client's retries off. The page asks for taskCount tasks (at most
// maxTasksPage): a job with more tasks, or a server answering with a short
// page, may leave failed tasks out; they are not fetched, since Cloud Run's
// condition already says why the execution failed and the first failed task
// is only its detail.
func listFailedTasks(ctx context.Context, client *run.TasksClient, executionResource string, taskCount int32, timeout time.Duration) ([]*runpb.Task, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	size := int(min(max(taskCount, 1), maxTasksPage))
	req := &runpb.ListTasksRequest{Parent: executionResource, PageSize: int32(size)}
	it := client.ListTasks(ctx, req, gax.WithRetry(func() gax.Retryer { return nil }))
	// InternalFetch sends exactly one request (see logReader.fetch).
	tasks, _, err := it.InternalFetch(size, "")
	if err != nil {
		return nil, fmt.Errorf("list tasks of %s: %w", path.Base(executionResource), err)
	}
	var failed []*runpb.Task
	for _, t := range tasks {
		if taskFailed(t) {
			failed = append(failed, t)
		}
	}
	return failed, nil
}

// taskFailed: the task's Completed condition failed for a reason other than
// a cancellation, or, without conditions, its last attempt did not succeed.
func taskFailed(t *runpb.Task) bool {
	for _, c := range t.GetConditions() {
		if c.GetType() != completedCondition {
			continue
		}
		if c.GetState() != runpb.Condition_CONDITION_FAILED {
			return false
		}
		r := c.GetExecutionReason()
		return r != runpb.Condition_CANCELLED && r != runpb.Condition_CANCELLING
	}
	res := t.GetLastAttemptResult()
	return res != nil && (res.GetStatus().GetCode() != 0 || res.GetExitCode() != 0 || res.GetTermSignal() != 0)
}
