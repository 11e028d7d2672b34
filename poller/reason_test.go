package poller

import (
	"strings"
	"testing"

	"cloud.google.com/go/run/apiv2/runpb"
	spb "google.golang.org/genproto/googleapis/rpc/status"

	"runwatch/poller/fakecloud"
)

// failedOf keeps the failed tasks, as listFailedTasks does.
func failedOf(tasks []*runpb.Task) []*runpb.Task {
	var out []*runpb.Task
	for _, t := range tasks {
		if taskFailed(t) {
			out = append(out, t)
		}
	}
	return out
}

// failedTask is a task that failed with the given last attempt.
func failedTask(index, retried, exit, signal int32, msg string) *runpb.Task {
	return &runpb.Task{Index: index, Retried: retried,
		LastAttemptResult: &runpb.TaskAttemptResult{Status: &spb.Status{Code: 2, Message: msg}, ExitCode: exit, TermSignal: signal},
		Conditions:        []*runpb.Condition{{Type: "Completed", State: runpb.Condition_CONDITION_FAILED}}}
}

// withCondition is an execution of tasks tasks whose Completed condition
// failed with msg and reason (set by the caller on the returned condition).
func withCondition(tasks int32, msg string, set func(*runpb.Condition)) *runpb.Execution {
	c := &runpb.Condition{Type: "Completed", State: runpb.Condition_CONDITION_FAILED, Message: msg}
	if set != nil {
		set(c)
	}
	return &runpb.Execution{TaskCount: tasks, Conditions: []*runpb.Condition{c}}
}

func TestCloudRunReason(t *testing.T) {
	oom := fakecloud.OOMFailure(512, 530)
	oom.Task, oom.Retries = 3, 0
	oneRetry := fakecloud.ExitFailure(2, 1)
	// Cloud Run reports an OOM kill as exit code 137 too, with its memory
	// words in the attempt's status.
	oom137 := &fakecloud.Failure{ExitCode: 137, Retries: 1, ExecutionReason: runpb.Condition_NON_ZERO_EXIT_CODE,
		Message: "Memory limit of 2048 MiB exceeded with 2101 MiB used. Consider increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits"}
	long := strings.Repeat("é", 150) // 300 bytes
	secretWords := "Permission denied on secret: projects/1/secrets/wandb/versions/latest for Revision service account sa@p.iam.gserviceaccount.com. " +
		"The service account used must be granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) at the secret, project or higher level"
	for _, tc := range []struct {
		name     string
		e        *runpb.Execution
		tasks    []*runpb.Task
		reason   string
		category string
		message  string
		more     bool // logsCanSayMore
	}{
		{name: "exit code after retries",
			e:      failedSpec("x-exit", 1, fakecloud.ExitFailure(1, 2)).Build(),
			tasks:  failedOf(failedSpec("x-exit", 1, fakecloud.ExitFailure(1, 2)).BuildTasks()),
			reason: "NON_ZERO_EXIT_CODE", category: "exit_code", message: "task 0 exited with code 1 after 2 retries", more: true},
		{name: "exit code after one retry",
			e:      failedSpec("x-one", 1, oneRetry).Build(),
			tasks:  failedOf(failedSpec("x-one", 1, oneRetry).BuildTasks()),
			reason: "NON_ZERO_EXIT_CODE", category: "exit_code", message: "task 0 exited with code 2 after 1 retry", more: true},
		{name: "OOM kill reported as exit code 137",
			e:      failedSpec("x-137", 1, oom137).Build(),
			tasks:  failedOf(failedSpec("x-137", 1, oom137).BuildTasks()),
			reason: "NON_ZERO_EXIT_CODE", category: "oom",
			message: "task 0 exited with code 137 (SIGKILL) after 1 retry: Memory limit of 2048 MiB exceeded with 2101 MiB used"},
		{name: "exit code 137 not for memory is a SIGKILL",
			e:        withCondition(1, "", nil),
			tasks:    []*runpb.Task{failedTask(0, 0, 137, 0, "The container exited with an error.")},
			category: "killed", message: "task 0 exited with code 137 (SIGKILL): The container exited with an error", more: true},
		{name: "exit code 143 is a SIGTERM",
			e:        withCondition(1, "", nil),
			tasks:    []*runpb.Task{failedTask(0, 2, 143, 0, "")},
			category: "killed", message: "task 0 exited with code 143 (SIGTERM) after 2 retries", more: true},
		{name: "memory words with another exit code",
			e:        withCondition(1, "", nil),
			tasks:    []*runpb.Task{failedTask(0, 0, 1, 0, "Container ran out of memory. Check the logs")},
			category: "oom", message: "task 0 exited with code 1: Container ran out of memory"},
		{name: "OOM kill in task 3 of 5",
			e:      failedSpec("x-oom", 5, oom).Build(),
			tasks:  failedOf(failedSpec("x-oom", 5, oom).BuildTasks()),
			reason: "NON_ZERO_EXIT_CODE", category: "oom",
			message: "task 3 was killed by SIGKILL (9): Memory limit of 512 MiB exceeded with 530 MiB used"},
		{name: "timeout, no reason",
			e:        failedSpec("x-time", 1, fakecloud.TimeoutFailure()).Build(),
			tasks:    failedOf(failedSpec("x-time", 1, fakecloud.TimeoutFailure()).BuildTasks()),
			category: "timeout", message: "The configured timeout was reached"},
		{name: "timeout, tasks not listed",
			e:        failedSpec("x-time", 1, fakecloud.TimeoutFailure()).Build(),
			category: "timeout", message: "The configured timeout was reached"},
		{name: "timeout of one task of several",
			e:        withCondition(4, "Task x-task2 failed with message: The configured timeout was reached.", nil),
			tasks:    []*runpb.Task{failedTask(2, 0, 0, 0, "The configured timeout was reached.")},
			category: "timeout", message: "task 2: The configured timeout was reached"},
		{name: "image missing",
			e:      failedSpec("x-img", 1, fakecloud.ImageMissingFailure("us-docker.pkg.dev/acme/launcher:v9")).Build(),
			tasks:  failedOf(failedSpec("x-img", 1, fakecloud.ImageMissingFailure("us-docker.pkg.dev/acme/launcher:v9")).BuildTasks()),
			reason: "CONTAINER_MISSING", category: "image_pull", message: "Image 'us-docker.pkg.dev/acme/launcher:v9' not found"},
		{name: "secret not readable",
			e:      failedSpec("x-sec", 1, fakecloud.SecretsFailure("projects/1/secrets/wandb/versions/latest", "sa@p.iam.gserviceaccount.com")).Build(),
			reason: "SECRETS_ACCESS_CHECK_FAILED", category: "permission",
			message: secretWords[:reasonMessageMax-len("…")] + "…"},
		{name: "cancelled",
			e: withCondition(1, "The execution was cancelled.", func(c *runpb.Condition) {
				c.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_CANCELLED}
			}),
			reason: "CANCELLED", category: "cancelled", message: "The execution was cancelled"},
		{name: "killed by a signal, not for memory, two tasks failed",
			e: withCondition(3, "Task x-task1 failed with message: The container exited with an error.", func(c *runpb.Condition) {
				c.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_NON_ZERO_EXIT_CODE}
			}),
			tasks:  []*runpb.Task{failedTask(2, 0, 1, 0, ""), failedTask(1, 3, 0, 11, "")},
			reason: "NON_ZERO_EXIT_CODE", category: "killed", message: "task 1 was killed by SIGSEGV (11) after 3 retries (2 tasks failed)", more: true},
		{name: "unnamed signal",
			e:        withCondition(1, "", nil),
			tasks:    []*runpb.Task{failedTask(0, 0, 0, 42, "")},
			category: "killed", message: "task 0 was killed by signal 42", more: true},
		{name: "non-zero exit, tasks not listed",
			e: withCondition(1, "Task x-task0 failed with message: The container exited with an error.", func(c *runpb.Condition) {
				c.Reasons = &runpb.Condition_ExecutionReason_{ExecutionReason: runpb.Condition_NON_ZERO_EXIT_CODE}
			}),
			reason: "NON_ZERO_EXIT_CODE", category: "exit_code", message: "The container exited with an error", more: true},
		{name: "a reason the category table does not know",
			e: withCondition(1, "Internal error.", func(c *runpb.Condition) {
				c.Reasons = &runpb.Condition_Reason{Reason: runpb.Condition_INTERNAL}
			}),
			reason: "INTERNAL", category: "unknown", message: "Internal error", more: true},
		{name: "a long status message is clipped on a rune",
			e:        withCondition(1, "", nil),
			tasks:    []*runpb.Task{failedTask(0, 0, 0, 0, long)},
			category: "unknown", message: "task 0: " + long[:188] + "…", more: true}, // 8 + 188 + 3 bytes
		{name: "nothing said",
			e:        &runpb.Execution{},
			category: "unknown", more: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cloudRunReason(tc.e, tc.tasks)
			if got.Reason != tc.reason || got.Category != tc.category || got.Message != tc.message {
				t.Errorf("got %s / %s / %q,\nwant %s / %s / %q", got.Reason, got.Category, got.Message, tc.reason, tc.category, tc.message)
			}
			if len(got.Message) > reasonMessageMax {
				t.Errorf("message of %d bytes", len(got.Message))
			}
			if m := logsCanSayMore(got); m != tc.more {
				t.Errorf("logsCanSayMore %v, want %v", m, tc.more)
			}
		})
	}
}

func TestCloudRunReasonKeepsTheFailedTasks(t *testing.T) {
	oom := fakecloud.OOMFailure(512, 530)
	oom.Task, oom.Retries = 3, 2
	spec := failedSpec("x-oom", 5, oom)
	got := cloudRunReason(spec.Build(), failedOf(spec.BuildTasks()))
	if len(got.Tasks) != 1 {
		t.Fatalf("tasks %+v, want the one failed", got.Tasks)
	}
	task := got.Tasks[0]
	if task.Index != 3 || task.Signal != 9 || task.ExitCode != 0 || task.Retries != 2 || !strings.HasPrefix(task.Status, "Memory limit of 512 MiB") {
		t.Errorf("task %+v", task)
	}
	if !strings.HasPrefix(got.Condition, "Task x-oom-task3 failed with message: Memory limit") {
		t.Errorf("condition %q", got.Condition)
	}
	if want := "task 3 was killed by SIGKILL (9) after 2 retries: Memory limit of 512 MiB exceeded with 530 MiB used"; got.Message != want {
		t.Errorf("message %q, want %q", got.Message, want)
	}
}
