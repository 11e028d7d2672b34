package poller

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/poller/fakecloud"
	"runwatch/poller/lifecycle"
)

func TestTimeoutWithoutReasonOrLogsIsShownAtOnce(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.failed("us-central1", "slow", -time.Minute, fakecloud.TimeoutFailure())
	h.advance(2 * time.Minute)
	res := h.refresh(p)
	if announced(res) != "new_failure:slow" {
		t.Fatalf("announced %q, want the timeout at once", announced(res))
	}
	e := res.Snapshot.Executions[0]
	if e.Category != "timeout" || e.Source != "cloud_run" || !strings.Contains(e.Error, "timeout") || e.Logs != lifecycle.LogsSkipped {
		t.Fatalf("timeout shown as %q (%s, from %s, logs %q)", e.Error, e.Category, e.Source, e.Logs)
	}
	if n := len(h.cloud.LogRequests()); n != 0 {
		t.Fatalf("%d log requests for a timeout Cloud Run explained", n)
	}
}

func TestOOMKillIsCategorised(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.failed("us-central1", "big", -time.Minute, fakecloud.OOMFailure(512, 530))
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Category != "oom" || !strings.Contains(e.Error, "SIGKILL (9)") || !strings.Contains(e.Error, "Memory limit of 512 MiB exceeded") {
		t.Fatalf("OOM shown as %q (%s)", e.Error, e.Category)
	}
	if cr := e.CloudRun; cr == nil || cr.Signal != "SIGKILL (9)" || cr.TaskIndex == nil || cr.ExitCode != nil {
		t.Fatalf("Cloud Run's reason %+v", cr)
	}
}

func TestExitCodeShownUntilTheLogsSayMore(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	spec := h.failed("us-central1", "bad", -time.Minute, fakecloud.ExitFailure(3, 2))
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Source != "cloud_run" || !strings.Contains(e.Error, "exited with code 3 after 2 retries") || e.Logs != LogsPending {
		t.Fatalf("before logs: %q from %s (logs %q)", e.Error, e.Source, e.Logs)
	}
	h.cloud.SetLogs(testProject, testJob, "bad", []fakecloud.LogLine{{Time: spec.Created.Add(10 * time.Second), Text: "KeyError: 'lr'", Severity: "ERROR"}})
	h.advance(time.Minute)
	e = h.refresh(p).Snapshot.Executions[0]
	if e.Source != "logs" || e.Error != "KeyError: 'lr'" || e.CloudRun == nil || *e.CloudRun.ExitCode != 3 {
		t.Fatalf("after logs: %q from %s, Cloud Run %+v", e.Error, e.Source, e.CloudRun)
	}
}

func TestThreeFailuresOfOneRefreshAreReadInOneRequest(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	for i := range 3 {
		h.failWith("us-central1", fmt.Sprintf("bad-%d", i), -time.Duration(i+1)*time.Minute, fmt.Sprintf("ValueError: case %d", i))
	}
	h.advance(5 * time.Minute)
	res := h.refresh(p)
	if n := len(h.cloud.LogRequests()); n != 1 {
		t.Fatalf("%d log requests for three failures, want 1", n)
	}
	if n := len(h.cloud.ListTasksRequests()); n != 3 {
		t.Fatalf("%d ListTasks requests, want one per failure", n)
	}
	for _, e := range res.Snapshot.Executions {
		if e.Source != "logs" || !strings.HasPrefix(e.Error, "ValueError: case") {
			t.Fatalf("%s: %q from %s", e.Name, e.Error, e.Source)
		}
	}
}

// A Cloud Logging that answers one entry a page costs two requests for
// the refresh's one read: what came back is used, the rest read later.
func TestShortPagesCostAtMostTwoRequestsPerRead(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	for i := range 3 {
		h.failWith("us-central1", fmt.Sprintf("bad-%d", i), -time.Duration(i+1)*time.Minute, fmt.Sprintf("ValueError: case %d", i))
	}
	h.cloud.SetLogPaging(fakecloud.LogPaging{MaxEntries: 1})
	h.advance(5 * time.Minute)
	h.refresh(p)
	if n := len(h.cloud.LogRequests()); n > 2 {
		t.Fatalf("%d log requests, want at most 2", n)
	}
}

// A JSON log line without a Cloud Logging severity arrives as DEFAULT: its
// own "level" must still say it is an error.
func TestJSONLogLevelReachesTheExtractor(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	spec := h.put("us-central1", "json", fakecloud.Failed, -time.Minute)
	h.cloud.SetLogs(testProject, testJob, "json", []fakecloud.LogLine{
		{Time: spec.Created.Add(time.Second), JSON: map[string]any{"message": "starting", "level": "info"}},
		{Time: spec.Created.Add(2 * time.Second), JSON: map[string]any{"message": "ValueError: bad learning rate", "level": "error"}},
	})
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Error != "ValueError: bad learning rate" || e.Source != "logs" {
		t.Fatalf("error %q from %s, want the JSON line's message", e.Error, e.Source)
	}
}

// A log whose only error-like line is Cloud Run's own "Container called
// exit(1)." (the vague container_exit rule) says less than Cloud Run's "task
// 0 exited with code 1 after 2 retries": the reason stays the error.
// Found by the review of issue 8.
func TestVagueLogLineDoesNotReplaceCloudRunsReason(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	spec := h.failed("us-central1", "vague", -time.Minute, fakecloud.ExitFailure(1, 2))
	h.cloud.SetLogs(testProject, testJob, "vague", []fakecloud.LogLine{
		{Time: spec.Created.Add(10 * time.Second), Text: "Starting training"},
		{Time: spec.Created.Add(20 * time.Second), Text: "Container called exit(1)."},
	})
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Source != "cloud_run" || !strings.Contains(e.Error, "after 2 retries") {
		t.Fatalf("shown %q from %s (rule %s); Cloud Run's %q says more", e.Error, e.Source, e.Rule, e.CloudRun.Message)
	}
}

// A task that ran out of time has no exit code (Cloud Run gives exit_code 0
// and no signal: the timeout ended it): none is recorded (null in status
// --json), rather than 0, which reads as success.
// Found by the review of issue 8.
func TestTimeoutHasNoExitCode(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.failed("us-central1", "slow", -time.Minute, fakecloud.TimeoutFailure())
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if cr := e.CloudRun; cr == nil || cr.ExitCode != nil {
		t.Fatalf("timed-out task recorded with exit_code %d; want null (unknown), as nothing exited", *cr.ExitCode)
	}
}

// Cloud Run may report an OOM kill as exit code 137 with its "Memory limit
// … exceeded" words: it is an OOM kill by SIGKILL, whose logs are not read,
// and the memory keeps both the exit code and the signal.
func TestOOMKillReportedAsExitCode137IsCategorised(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	f := fakecloud.OOMFailure(2048, 2101)
	f.Signal, f.ExitCode = 0, 137
	h.failed("us-central1", "big", -time.Minute, f)
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Category != "oom" || !strings.Contains(e.Error, "code 137 (SIGKILL)") || !strings.Contains(e.Error, "Memory limit of 2048 MiB exceeded") {
		t.Fatalf("OOM with exit code 137 shown as %q (%s)", e.Error, e.Category)
	}
	if cr := e.CloudRun; cr == nil || cr.Signal != "SIGKILL (9)" || cr.ExitCode == nil || *cr.ExitCode != 137 {
		t.Fatalf("Cloud Run's reason %+v", cr)
	}
	if n := len(h.cloud.LogRequests()); n != 0 {
		t.Fatalf("%d log requests for an OOM kill Cloud Run explained", n)
	}
}

// A ListTasks refused for good (PERMISSION_DENIED) is not asked again for
// that execution: Cloud Run's condition is the answer, kept refresh after
// refresh.
func TestTasksRefusedForGoodAreNotAskedAgain(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.cloud.SetTasksError(status.Error(codes.PermissionDenied, "Permission 'run.tasks.list' denied on resource"))
	h.failed("us-central1", "bad", -time.Minute, fakecloud.ExitFailure(3, 0))
	h.failed("us-central1", "worse", -2*time.Minute, fakecloud.ExitFailure(4, 0))
	for range 40 { // 20 minutes of refreshes
		h.advance(30 * time.Second)
		res := h.refresh(p)
		for _, e := range res.Snapshot.Executions {
			if e.CloudRun == nil || e.CloudRun.Message != "The container exited with an error" || e.CloudRun.TasksRead {
				t.Fatalf("%s: Cloud Run's reason %+v, want the condition's", e.Name, e.CloudRun)
			}
		}
	}
	if n := len(h.cloud.ListTasksRequests()); n != 2 {
		t.Fatalf("%d ListTasks requests in 40 refreshes, want one per failure", n)
	}
}

// A ListTasks that failed for a while (UNAVAILABLE) is asked again with
// back-off, not every refresh, and its tasks are read once it answers.
func TestTasksUnavailableAreAskedAgainWithBackOff(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.cloud.SetTasksError(status.Error(codes.Unavailable, "try again"))
	h.failed("us-central1", "bad", -time.Minute, fakecloud.ExitFailure(3, 0))
	for range 20 { // 10 minutes of refreshes
		h.advance(30 * time.Second)
		h.refresh(p)
	}
	asked := len(h.cloud.ListTasksRequests())
	if asked < 2 || asked > 7 {
		t.Fatalf("%d ListTasks requests in 20 refreshes, want a few, backing off", asked)
	}
	h.cloud.SetTasksError(nil)
	var e Execution
	for range 12 { // at most lastRetry later
		h.advance(30 * time.Second)
		e = h.refresh(p).Snapshot.Executions[0]
	}
	if e.CloudRun == nil || !e.CloudRun.TasksRead || !strings.Contains(e.CloudRun.Message, "exited with code 3") {
		t.Fatalf("after Cloud Run answers again: %+v", e.CloudRun)
	}
	if n := len(h.cloud.ListTasksRequests()); n != asked+1 {
		t.Fatalf("%d ListTasks requests after it answered, want %d: asked once more, then never", n, asked+1)
	}
}
