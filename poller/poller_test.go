package poller

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"runwatch/poller/fakecloud"
	"runwatch/poller/lifecycle"
)

func TestRefreshAsksEveryRegionAtOnce(t *testing.T) {
	h := newHarness(t)
	const latency = 200 * time.Millisecond
	regions := DefaultRegions()
	for i, r := range regions {
		h.cloud.SetRegionLatency(r, latency)
		h.put(r, fmt.Sprintf("exec-%02d", i), fakecloud.Succeeded, time.Duration(i+1)*time.Minute)
	}
	p := h.poller(regions...)
	start := time.Now()
	res := h.refresh(p)
	took := time.Since(start)
	if len(res.Snapshot.RegionErrors) != 0 {
		t.Fatalf("region errors: %v", res.Snapshot.RegionErrors)
	}
	// One at a time would take 18 × 200 ms = 3.6 s; the margin is for a busy
	// CI machine (the figure itself is BenchmarkRefresh18Regions').
	if took > 9*latency {
		t.Fatalf("refresh of 18 regions took %v; concurrent listing takes about %v", took, latency)
	}
	if got := len(h.cloud.ListExecutionsRequests()); got != len(regions) {
		t.Fatalf("%d list requests, want one per region (%d)", got, len(regions))
	}
}

func TestTopNIsNewestFirstAcrossRegions(t *testing.T) {
	h := newHarness(t)
	h.put("us-east1", "e-40m", fakecloud.Succeeded, 40*time.Minute)
	h.put("us-central1", "c-10m", fakecloud.Succeeded, 10*time.Minute)
	h.put("us-central1", "c-50m", fakecloud.Succeeded, 50*time.Minute)
	h.put("europe-west4", "w-5m", fakecloud.Running, 5*time.Minute)
	h.put("europe-west4", "w-30m", fakecloud.Cancelled, 30*time.Minute)
	h.put("us-east1", "e-20m", fakecloud.Succeeded, 20*time.Minute)
	h.put("asia-east1", "a-1h", fakecloud.Succeeded, time.Hour)
	res := h.refresh(h.poller("us-central1", "us-east1", "europe-west4", "asia-east1"))
	got := strings.Join(names(res.Snapshot.Executions), " ")
	if want := "w-5m c-10m e-20m w-30m e-40m"; got != want {
		t.Fatalf("top 5 = %s, want %s", got, want)
	}
	if e := res.Snapshot.Executions[0]; e.Region != "europe-west4" || e.Resource != "projects/acme-ml-prod/locations/europe-west4/jobs/vertex-ai-launcher/executions/w-5m" {
		t.Fatalf("newest: region %q resource %q", e.Region, e.Resource)
	}
}

func TestListingAsksForOnePageOfTopN(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 12; i++ {
		h.put("us-central1", fmt.Sprintf("e%02d", i), fakecloud.Succeeded, time.Duration(i+1)*time.Minute)
	}
	res := h.refresh(h.poller("us-central1"))
	reqs := h.cloud.ListExecutionsRequests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	if reqs[0].GetPageSize() != 5 || reqs[0].GetParent() != "projects/acme-ml-prod/locations/us-central1/jobs/vertex-ai-launcher" {
		t.Fatalf("request %v", reqs[0])
	}
	if got := strings.Join(names(res.Snapshot.Executions), " "); got != "e00 e01 e02 e03 e04" {
		t.Fatalf("got %s", got)
	}
}

func TestStateOfEveryKindOfExecution(t *testing.T) {
	ts := timestamppb.New(t0.Add(-time.Hour))
	completed := func(state runpb.Condition_State, reason runpb.Condition_ExecutionReason) []*runpb.Condition {
		return []*runpb.Condition{{Type: "Completed", State: state, Reasons: &runpb.Condition_ExecutionReason_{ExecutionReason: reason}}}
	}
	cases := []struct {
		name string
		exec *runpb.Execution
		want State
	}{
		{"succeeded", &runpb.Execution{StartTime: ts, CompletionTime: ts, TaskCount: 1, SucceededCount: 1,
			Conditions: completed(runpb.Condition_CONDITION_SUCCEEDED, 0)}, StateSucceeded},
		{"failed", &runpb.Execution{StartTime: ts, CompletionTime: ts, TaskCount: 1, FailedCount: 1,
			Conditions: completed(runpb.Condition_CONDITION_FAILED, runpb.Condition_NON_ZERO_EXIT_CODE)}, StateFailed},
		{"cancelled by reason", &runpb.Execution{StartTime: ts, CompletionTime: ts, TaskCount: 1,
			Conditions: completed(runpb.Condition_CONDITION_FAILED, runpb.Condition_CANCELLED)}, StateCancelled},
		{"only cancelled tasks", &runpb.Execution{StartTime: ts, CompletionTime: ts, TaskCount: 2, CancelledCount: 2,
			Conditions: completed(runpb.Condition_CONDITION_FAILED, 0)}, StateCancelled},
		{"no verdict, completed with a failed task", &runpb.Execution{StartTime: ts, CompletionTime: ts, TaskCount: 2, SucceededCount: 1, FailedCount: 1}, StateFailed},
		{"no verdict, completed, all succeeded", &runpb.Execution{StartTime: ts, CompletionTime: ts, TaskCount: 2, SucceededCount: 2}, StateSucceeded},
		{"no verdict, completed, cancelled", &runpb.Execution{StartTime: ts, CompletionTime: ts, TaskCount: 2, CancelledCount: 1, SucceededCount: 1}, StateCancelled},
		{"pending", &runpb.Execution{TaskCount: 1, Conditions: completed(runpb.Condition_CONDITION_PENDING, 0)}, StatePending},
		{"running, reconciling", &runpb.Execution{StartTime: ts, TaskCount: 1, RunningCount: 1,
			Conditions: completed(runpb.Condition_CONDITION_RECONCILING, 0)}, StateRunning},
		{"running before a start time", &runpb.Execution{TaskCount: 1, RunningCount: 1}, StateRunning},
	}
	h := newHarness(t)
	var want []State
	for i, c := range cases {
		c.exec.Name = fmt.Sprintf("projects/%s/locations/us-west1/jobs/%s/executions/x%02d", testProject, testJob, i)
		c.exec.CreateTime = timestamppb.New(t0.Add(-time.Duration(i+1) * time.Minute))
		h.cloud.PutExecution(c.exec)
		want = append(want, c.want)
	}
	p := New(Config{Project: testProject, Job: testJob, Regions: []string{"us-west1"}, Top: len(cases)},
		h.clients, h.store, Options{Now: h.clock, LogReadTimeout: 2 * time.Second})
	res := h.refresh(p)
	if len(res.Snapshot.Executions) != len(cases) {
		t.Fatalf("%d executions listed", len(res.Snapshot.Executions))
	}
	for i, e := range res.Snapshot.Executions {
		if e.State != want[i] {
			t.Errorf("%s: state %s, want %s", cases[i].name, e.State, want[i])
		}
	}
}

func TestFailedLogsReadOnceAcrossRestart(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "ok-1", fakecloud.Succeeded, 30*time.Minute)
	h.failWith("us-east1", "bad-1", 20*time.Minute, "google.api_core.exceptions.ResourceExhausted: 429 The following quota metrics exceed quota limits: aiplatform.googleapis.com/custom_model_training_cpus")
	regions := []string{"us-central1", "us-east1"}

	first := h.refresh(h.poller(regions...))
	if n := len(h.cloud.LogRequests()); n != 1 {
		t.Fatalf("%d log requests on the first refresh, want 1", n)
	}
	req := h.cloud.LogRequests()[0]
	for _, want := range []string{`resource.type="cloud_run_job"`, `resource.labels.job_name="vertex-ai-launcher"`,
		`labels."run.googleapis.com/execution_name"="bad-1"`, `timestamp>=`, `timestamp<=`} {
		if !strings.Contains(req.GetFilter(), want) {
			t.Errorf("filter %q lacks %q", req.GetFilter(), want)
		}
	}
	if req.GetPageSize() != 300 || req.GetOrderBy() != "timestamp desc" || req.GetResourceNames()[0] != "projects/acme-ml-prod" {
		t.Errorf("request: page %d, order %q, resources %v", req.GetPageSize(), req.GetOrderBy(), req.GetResourceNames())
	}
	bad := first.Snapshot.Executions[0]
	if bad.State != StateFailed || !strings.Contains(bad.Error, "custom_model_training_cpus") || bad.Category != "quota" {
		t.Fatalf("first refresh: %+v", bad)
	}
	if len(bad.Context) == 0 || !strings.Contains(bad.Context[bad.Matched], "custom_model_training_cpus") {
		t.Fatalf("context %q, matched %d", bad.Context, bad.Matched)
	}

	h.refresh(h.poller(regions...)) // a restart, sharing the store
	second := h.refresh(h.poller(regions...))
	if n := len(h.cloud.LogRequests()); n != 1 {
		t.Fatalf("%d log requests after restarts, want still 1", n)
	}
	if got := second.Snapshot.Executions[0]; got.Error != bad.Error || got.Category != bad.Category {
		t.Fatalf("after restart: %q/%s, want %q/%s", got.Error, got.Category, bad.Error, bad.Category)
	}
}

// Failures outside the top N are not read, but for a region's last
// finished execution where it failed: it colours the tray, which says why
// (issue 13). A failure its region's later successes fixed is never read.
func TestFailuresOutsideTopNAreReadOnlyWhereTheyColourTheTray(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 5; i++ {
		h.put("us-central1", fmt.Sprintf("new-%d", i), fakecloud.Succeeded, time.Duration(i+1)*time.Minute)
	}
	h.failWith("us-central1", "old-failure", 3*time.Hour, "ValueError: old")
	h.failWith("us-east1", "older-failure", 4*time.Hour, "ValueError: older")
	res := h.refresh(h.poller("us-central1", "us-east1"))
	reqs := h.cloud.LogRequests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].GetFilter(), "older-failure") || strings.Contains(reqs[0].GetFilter(), "old-failure\"") {
		t.Fatalf("%d log requests (%v), want one for us-east1's failure only", len(reqs), reqs)
	}
	if f := res.Snapshot.Failing; len(f) != 1 || f[0].Error != "ValueError: older" {
		t.Fatalf("failing %+v", f)
	}
}

func TestFailedReadIsRetriedNotRemembered(t *testing.T) {
	h := newHarness(t)
	h.failWith("us-central1", "bad-1", 10*time.Minute, "ModuleNotFoundError: No module named 'torch'")
	h.cloud.SetLoggingError(status.Error(codes.Unavailable, "logging is down"))
	p := h.poller("us-central1")
	res := h.refresh(p)
	e := res.Snapshot.Executions[0]
	if e.Source == "logs" || e.Logs != LogsPending || !strings.Contains(e.LogsProblem, "logs not read yet") {
		t.Fatalf("after a failed read: error %q, logs %q, problem %q", e.Error, e.Logs, e.LogsProblem)
	}
	// A restart must not take the failed read for the answer.
	if strings.Contains(h.memoryFile(), "torch") {
		t.Fatal("memory holds an error it never read")
	}

	h.cloud.SetLoggingError(nil)
	h.refresh(p) // too early: back-off
	if n := len(h.cloud.LogRequests()); n != 1 {
		t.Fatalf("%d requests before the back-off passed, want 1", n)
	}
	h.advance(time.Minute)
	res = h.refresh(p)
	if n := len(h.cloud.LogRequests()); n != 2 {
		t.Fatalf("%d requests, want a retry (2)", n)
	}
	if e := res.Snapshot.Executions[0]; e.Error != "ModuleNotFoundError: No module named 'torch'" || e.Logs != LogsRead {
		t.Fatalf("after the retry: %q (%s)", e.Error, e.Logs)
	}
}

func TestNoEntriesYetIsRetriedThenRememberedAsNoLogs(t *testing.T) {
	h := newHarness(t)
	spec := h.put("us-central1", "quiet", fakecloud.Failed, 2*time.Minute) // ended a minute ago, no logs
	p := h.poller("us-central1")
	res := h.refresh(p)
	if e := res.Snapshot.Executions[0]; e.Logs != LogsPending || e.Source == "logs" {
		t.Fatalf("first: %+v", e)
	}
	h.advance(time.Minute)
	h.refresh(p)
	if n := len(h.cloud.LogRequests()); n != 2 {
		t.Fatalf("%d requests, want a retry", n)
	}
	// The lines arrive late: they are read.
	h.cloud.SetLogs(testProject, testJob, "quiet", []fakecloud.LogLine{{Time: spec.Created.Add(time.Second), Text: "KeyError: 'lr'"}})
	h.advance(2 * time.Minute)
	if e := h.refresh(p).Snapshot.Executions[0]; e.Error != "KeyError: 'lr'" {
		t.Fatalf("late lines: %+v", e)
	}

	// Another that never gets lines is remembered as having none after about 10 minutes.
	h.put("us-central1", "silent", fakecloud.Failed, 0)
	for i := 0; i < 17; i++ { // back-off up to 5 min, past 10 min from when it was first seen
		h.advance(time.Minute)
		h.refresh(p)
	}
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Name != "silent" || e.Logs != LogsNone {
		t.Fatalf("silent: %s logs %q", e.Name, e.Logs)
	}
	before := len(h.cloud.LogRequests())
	h.advance(time.Hour)
	h.refresh(h.poller("us-central1"))
	if after := len(h.cloud.LogRequests()); after != before {
		t.Fatalf("%d more reads of a remembered execution", after-before)
	}
}

func TestQuotaExhaustedReadsAreNotRememberedAndResumeExactly(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 3; i++ {
		h.failWith("us-central1", fmt.Sprintf("bad-%d", i), time.Duration(i+5)*time.Minute, fmt.Sprintf("ValueError: case %d", i))
	}
	h.cloud.SetLoggingError(status.Error(codes.ResourceExhausted, "Quota exceeded for quota metric 'Read requests'"))
	p := h.poller("us-central1")
	res := h.refresh(p)
	for _, e := range res.Snapshot.Executions {
		if e.Source == "logs" || e.Logs != LogsPending {
			t.Fatalf("%s remembered %q while the quota was exhausted", e.Name, e.Error)
		}
	}
	refused := len(h.cloud.LogRequests())
	if refused > logReadsAtOnce {
		t.Fatalf("%d reads sent after the first RESOURCE_EXHAUSTED; only those already in flight (%d) should be", refused, logReadsAtOnce)
	}
	h.advance(20 * time.Second) // inside the pause: no request at all
	h.refresh(p)
	if n := len(h.cloud.LogRequests()); n != refused {
		t.Fatalf("%d reads during the quota pause", n-refused)
	}
	h.cloud.SetLoggingError(nil)
	h.advance(2 * time.Minute)
	res = h.refresh(h.poller("us-central1")) // also across a restart
	// The three missing are read together, in one request.
	reqs := h.cloud.LogRequests()[refused:]
	if len(reqs) != 1 {
		t.Fatalf("%d requests after the quota returned, want 1 for the 3 missing", len(reqs))
	}
	for i := 0; i < 3; i++ {
		if !strings.Contains(reqs[0].GetFilter(), fmt.Sprintf("%q", fmt.Sprintf("bad-%d", i))) {
			t.Fatalf("the read %q misses bad-%d", reqs[0].GetFilter(), i)
		}
	}
	for _, e := range res.Snapshot.Executions {
		if !strings.HasPrefix(e.Error, "ValueError: case") {
			t.Fatalf("%s: %q", e.Name, e.Error)
		}
	}
}

func TestFailingRegionsHideNoOther(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "good-1", fakecloud.Succeeded, time.Minute)
	h.put("europe-west4", "good-2", fakecloud.Running, 2*time.Minute)
	h.put("us-west3", "hidden", fakecloud.Succeeded, 3*time.Minute)
	h.cloud.SetRegionError("us-west3", status.Error(codes.PermissionDenied, "Permission 'run.executions.list' denied"))
	h.cloud.SetRegionError("us-west2", status.Error(codes.NotFound, "Resource 'vertex-ai-launcher' was not found"))
	h.cloud.SetRegionError("us-east4", status.Error(codes.Unavailable, "connection reset"))
	h.cloud.SetRegionHang("asia-east1")
	p := h.pollerWith(Options{ListTimeout: 3 * time.Second}, "us-central1", "europe-west4", "us-west3", "us-west2", "us-east4", "asia-east1") // room for a busy machine; asia-east1 hangs that long
	res := h.refresh(p)
	if got := strings.Join(names(res.Snapshot.Executions), " "); got != "good-1 good-2" {
		t.Fatalf("listed %s", got)
	}
	want := map[string]string{"us-west3": "permission denied", "us-west2": "job not found", "us-east4": "unavailable", "asia-east1": "no answer within"}
	for region, words := range want {
		if !strings.Contains(res.Snapshot.RegionErrors[region], words) || !strings.Contains(res.Snapshot.RegionErrors[region], region) {
			t.Errorf("%s: %q, want %q", region, res.Snapshot.RegionErrors[region], words)
		}
	}
	if len(res.Snapshot.RegionErrors) != 4 {
		t.Errorf("region errors %v", res.Snapshot.RegionErrors)
	}
}

func TestRegionFailingLaterKeepsItsLastListing(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "a", fakecloud.Succeeded, time.Minute)
	h.put("us-east1", "b", fakecloud.Succeeded, 2*time.Minute)
	p := h.poller("us-central1", "us-east1")
	h.refresh(p)
	h.cloud.SetRegionError("us-east1", status.Error(codes.Unavailable, "blip"))
	res := h.refresh(p)
	if got := strings.Join(names(res.Snapshot.Executions), " "); got != "a b" {
		t.Fatalf("listed %s after us-east1 failed", got)
	}
	if res.Snapshot.RegionErrors["us-east1"] == "" {
		t.Fatal("the failure of us-east1 is not reported")
	}
}

func TestFirstAnswerLearnsThenEveryNewFailureOnce(t *testing.T) {
	h := newHarness(t)
	h.failWith("us-central1", "old", 30*time.Minute, "ValueError: old")
	p := h.poller("us-central1", "us-east1")
	if res := h.refresh(p); announced(res) != "" {
		t.Fatalf("first refresh announced %s", announced(res))
	}
	h.failWith("us-east1", "fresh", 0, "KeyError: 'lr'")
	h.advance(time.Minute)
	res := h.refresh(p)
	// The old failure is us-central1's: in us-east1 the job was not failing,
	// so this is a new failure there (a job fails per region).
	if announced(res) != "new_failure:fresh" || res.Changes[0].Record.Error.Line != "KeyError: 'lr'" {
		t.Fatalf("second refresh: %s %+v", announced(res), res.Changes)
	}
	if res = h.refresh(p); announced(res) != "" {
		t.Fatalf("announced again: %s", announced(res))
	}
	// While the app was closed, another failed: a restart announces it, and only it.
	h.failWith("us-central1", "while-closed", 0, "RuntimeError: CUDA out of memory")
	h.advance(time.Minute)
	if res = h.refresh(h.poller("us-central1", "us-east1")); announced(res) != "new_kind:while-closed" {
		t.Fatalf("after restart: %s", announced(res))
	}
}

func TestFailureWhoseLogsCannotBeReadIsAnnouncedOnceLater(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p) // learns an empty job
	h.failWith("us-central1", "bad", 0, "ValueError: x")
	h.cloud.SetLoggingError(status.Error(codes.Unavailable, "down"))
	h.advance(time.Minute)
	if res := h.refresh(p); announced(res) != "" {
		t.Fatalf("announced before its error was known: %s", announced(res))
	}
	h.advance(lifecycle.AnnounceAfter)
	res := h.refresh(p)
	if announced(res) != "new_failure:bad" || res.Snapshot.Executions[0].LogsProblem == "" {
		t.Fatalf("want one announcement without the error, got %s", announced(res))
	}
	h.cloud.SetLoggingError(nil)
	h.advance(10 * time.Minute)
	if res := h.refresh(p); announced(res) != "" || res.Snapshot.Executions[0].Error != "ValueError: x" {
		t.Fatalf("second announcement or no error: %s %q", announced(res), res.Snapshot.Executions[0].Error)
	}
}

// Defect 5 of issue 7: a corrupt memory was never repaired, so every later
// run remembered nothing.
func TestCorruptMemoryIsMovedAsideAndReplaced(t *testing.T) {
	for name, content := range map[string]string{
		"empty":     "",
		"truncated": `{"version":1,"scopes":{"acme-ml-prod/vertex-ai-launcher/us-cen`,
		"garbage":   "\x00\x00\x00\x00",
		"wrong":     `[1,2,3]`,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.failWith("us-central1", "bad", 10*time.Minute, "ValueError: x")
			if err := os.WriteFile(h.store.Path(), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			res := h.refresh(h.poller("us-central1"))
			if !strings.Contains(res.Warning, "unreadable") {
				t.Errorf("warning %q, want one about the unreadable memory", res.Warning)
			}
			if announced(res) != "" {
				t.Fatalf("a fresh start announced %s", announced(res))
			}
			aside, _ := filepath.Glob(h.store.Path() + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("corrupt file kept as %v, want one copy", aside)
			}
			before := len(h.cloud.LogRequests())
			res = h.refresh(h.poller("us-central1")) // a restart
			if res.Warning != "" || announced(res) != "" || res.Snapshot.Executions[0].Error != "ValueError: x" {
				t.Fatalf("after restart: warning %q, announced %s, error %q", res.Warning, announced(res), res.Snapshot.Executions[0].Error)
			}
			if n := len(h.cloud.LogRequests()) - before; n != 0 {
				t.Fatalf("%d log reads after the repaired memory was reloaded", n)
			}
		})
	}
}

func TestMemoryForgetsWhatWasNotSeenFor30Days(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "a", fakecloud.Succeeded, time.Minute)
	h.put("us-central1", "b", fakecloud.Succeeded, 2*time.Minute)
	h.refresh(h.poller("us-central1"))
	if !strings.Contains(h.memoryFile(), "/executions/b") {
		t.Fatal("not remembered")
	}
	// b leaves the top N (five newer ones), and 31 days pass.
	for i := 0; i < 5; i++ {
		h.put("us-central1", fmt.Sprintf("n%d", i), fakecloud.Succeeded, -time.Duration(i+1)*time.Minute)
	}
	h.advance(31 * 24 * time.Hour)
	h.refresh(h.poller("us-central1"))
	if strings.Contains(h.memoryFile(), "/executions/b\"") {
		t.Fatal("an execution unseen for 31 days is still remembered")
	}
}

func TestLearningWaitsForARegionToAnswer(t *testing.T) {
	h := newHarness(t)
	h.failWith("us-central1", "old", 30*time.Minute, "ValueError: old")
	h.cloud.SetRegionError("us-central1", status.Error(codes.Unavailable, "down"))
	p := h.poller("us-central1")
	if res := h.refresh(p); announced(res) != "" {
		t.Fatalf("announced while offline: %s", announced(res))
	}
	h.cloud.ClearRegionFaults("us-central1")
	h.advance(time.Minute)
	if res := h.refresh(p); announced(res) != "" {
		t.Fatalf("first answer announced %s", announced(res))
	}
}

func TestAddedRegionIsLearnedSilently(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "ok", fakecloud.Succeeded, time.Hour)
	h.refresh(h.poller("us-central1"))
	h.failWith("europe-west4", "old-elsewhere", 30*time.Minute, "ValueError: old")
	h.failWith("us-central1", "new-here", 0, "KeyError: 'lr'")
	h.advance(time.Minute)
	res := h.refresh(h.poller("us-central1", "europe-west4"))
	// The learned failure is europe-west4's; in us-central1 the job
	// succeeded last: a new failure there (a job fails per region).
	if got := announced(res); got != "new_failure:new-here" {
		t.Fatalf("announced %q, want only the failure in the region watched before", got)
	}
}

func TestLogsWithoutAnErrorLineYetAreReadAgain(t *testing.T) {
	h := newHarness(t)
	spec := h.put("us-central1", "slow-logs", fakecloud.Failed, 2*time.Minute)
	h.cloud.SetLogs(testProject, testJob, "slow-logs", []fakecloud.LogLine{{Time: spec.Created.Add(time.Second), Text: "⏳ Monitoring for fatal errors..."}})
	p := h.poller("us-central1")
	if e := h.refresh(p).Snapshot.Executions[0]; e.Logs != LogsPending || e.LogsProblem == "" {
		t.Fatalf("settled on logs without an error line: logs %q problem %q", e.Logs, e.LogsProblem)
	}
	h.cloud.SetLogs(testProject, testJob, "slow-logs", []fakecloud.LogLine{
		{Time: spec.Created.Add(time.Second), Text: "⏳ Monitoring for fatal errors..."},
		{Time: spec.Created.Add(2 * time.Second), Text: "RuntimeError: CUDA error: device-side assert triggered"},
	})
	h.advance(time.Minute)
	if e := h.refresh(p).Snapshot.Executions[0]; e.Error != "RuntimeError: CUDA error: device-side assert triggered" {
		t.Fatalf("late error line: %+v", e)
	}
}

func TestRefusedCredentialsEverywhereSayToSignIn(t *testing.T) {
	h := newHarness(t)
	for _, r := range []string{"us-central1", "us-east1"} {
		h.cloud.SetRegionError(r, status.Error(codes.Unauthenticated, "Request had invalid authentication credentials."))
	}
	res := h.refresh(h.poller("us-central1", "us-east1"))
	if !res.Snapshot.Unauthenticated || !strings.Contains(res.Snapshot.RegionErrors["us-east1"], "gcloud auth application-default login") {
		t.Fatalf("unauthenticated %v, errors %v", res.Snapshot.Unauthenticated, res.Snapshot.RegionErrors)
	}
	h.cloud.ClearRegionFaults("us-east1")
	if res := h.refresh(h.poller("us-central1", "us-east1")); res.Snapshot.Unauthenticated {
		t.Fatal("one region answering is not a credentials problem")
	}
}

// A project or job watched for the first time, across a restart, learns its
// old failures silently: it announces none of them.
// Found in the first lifecycle: issue 7, defect 1.
func TestNewProjectOrJobAcrossRestartIsLearned(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "ok", fakecloud.Succeeded, time.Hour)
	h.refresh(h.poller("us-central1"))
	// Another job of the project failed two days ago.
	old := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: "nightly-eval", ID: "old-eval",
		State: fakecloud.Failed, Created: t0.Add(-48 * time.Hour), Completed: t0.Add(-47 * time.Hour)}
	h.cloud.PutExecution(old.Build())
	h.advance(time.Minute)
	cfg := Config{Project: testProject, Job: "nightly-eval", Regions: []string{"us-central1"}, Top: 5}
	p := New(cfg, h.clients, h.store, Options{Now: h.clock, LogReadTimeout: 2 * time.Second})
	if res := h.refresh(p); announced(res) != "" {
		t.Fatalf("a newly watched job announced %s", announced(res))
	}
}

// Failed, then running, then succeeded, with the run longer than the
// interval, says fixed.
// Found in the first lifecycle: issue 7, defect 2a.
func TestFixedAfterALongRun(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	h.failWith("us-central1", "bad", -time.Minute, "ValueError: x")
	h.advance(2 * time.Minute)
	if res := h.refresh(p); announced(res) != "new_failure:bad" {
		t.Fatalf("failure: %s", announced(res))
	}
	long := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: "long", State: fakecloud.Running, Created: h.clock()}
	h.cloud.PutExecution(long.Build())
	for range 5 {
		h.advance(time.Minute)
		if res := h.refresh(p); announced(res) != "" {
			t.Fatalf("while running: %s", announced(res))
		}
	}
	long.State, long.Completed = fakecloud.Succeeded, h.clock()
	h.cloud.PutExecution(long.Build())
	h.advance(time.Minute)
	if res := h.refresh(p); announced(res) != "fixed:long" {
		t.Fatalf("after the long run: %q, want fixed:long", announced(res))
	}
}

// A failure leaving the picture (its region removed, or not answering after a
// settings change) does not make an older success say fixed.
// Found in the first lifecycle: issue 7, defect 2b.
func TestFailureLeavingThePictureFixesNothing(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "old-ok", fakecloud.Succeeded, time.Hour)
	p := h.poller("us-central1", "us-east1")
	h.refresh(p)
	h.failWith("us-east1", "bad", -time.Minute, "ValueError: x")
	h.advance(2 * time.Minute)
	if res := h.refresh(p); announced(res) != "new_failure:bad" {
		t.Fatalf("failure: %s", announced(res))
	}
	h.advance(time.Minute)
	if res := h.refresh(h.poller("us-central1")); announced(res) != "" {
		t.Fatalf("region removed: %s", announced(res))
	}
	h.cloud.SetRegionError("us-east1", status.Error(codes.Unavailable, "down"))
	h.advance(time.Minute)
	if res := h.refresh(h.poller("us-central1", "us-east1")); announced(res) != "" {
		t.Fatalf("region not answering: %s", announced(res))
	}
}

// A failure pushed out of the newest N before it was announced (logs not
// readable yet; newer executions started everywhere) is still announced,
// with its error.
// Found in the first lifecycle: issue 7, defect 3a.
func TestFailurePushedOutOfViewIsStillAnnounced(t *testing.T) {
	h := newHarness(t)
	regions := []string{"us-central1", "us-east1", "europe-west4"}
	p := h.poller(regions...)
	h.refresh(p)
	h.failWith("us-central1", "bad", -time.Minute, "ValueError: x")
	h.cloud.SetLoggingError(status.Error(codes.Unavailable, "down"))
	h.advance(2 * time.Minute)
	if res := h.refresh(p); announced(res) != "" {
		t.Fatalf("before its error is known: %s", announced(res))
	}
	for i := range 6 { // a launch over every region
		spec := fakecloud.ExecutionSpec{Project: testProject, Region: regions[i%3], Job: testJob, ID: fmt.Sprintf("new-%d", i),
			State: fakecloud.Running, Created: h.clock().Add(time.Duration(i) * time.Second)}
		h.cloud.PutExecution(spec.Build())
	}
	h.cloud.SetLoggingError(nil)
	h.advance(time.Minute)
	res := h.refresh(p)
	if announced(res) != "new_failure:bad" || res.Changes[0].Record.Error.Line != "ValueError: x" {
		t.Fatalf("out of view: %s", announced(res))
	}
	for _, e := range res.Snapshot.Executions {
		if e.Name == "bad" {
			t.Fatalf("bad should be out of the newest %d", len(res.Snapshot.Executions))
		}
	}
}

// A run seen running, pushed out of its region's listing by newer ones, is
// followed until it ends: its failure is announced, with its error.
// Found in the first lifecycle: issue 7, defect 3b.
func TestRunPushedOutOfItsListingIsFollowedUntilItEnds(t *testing.T) {
	h := newHarness(t)
	run := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: "slow", State: fakecloud.Running, Created: t0}
	h.cloud.PutExecution(run.Build())
	p := h.poller("us-central1")
	h.refresh(p)
	for i := range 5 {
		h.put("us-central1", fmt.Sprintf("quick-%d", i), fakecloud.Succeeded, -time.Duration(i+1)*time.Minute)
	}
	h.advance(10 * time.Minute)
	h.refresh(p)
	run.State, run.Completed = fakecloud.Failed, h.clock()
	h.cloud.PutExecution(run.Build())
	h.cloud.SetLogs(testProject, testJob, "slow", []fakecloud.LogLine{{Time: h.clock(), Text: "KeyError: 'lr'", Severity: "ERROR"}})
	h.advance(time.Minute)
	res := h.refresh(p)
	if announced(res) != "new_failure:slow" || res.Changes[0].Record.Error.Line != "KeyError: 'lr'" {
		t.Fatalf("followed run: %s", announced(res))
	}
}

// Raising --top / "Executions shown" announces no old failure.
// Found in the first lifecycle: issue 7, defect 4.
func TestShowingMoreRowsAnnouncesNothingOld(t *testing.T) {
	h := newHarness(t)
	for i := range 3 {
		h.put("us-central1", fmt.Sprintf("ok-%d", i), fakecloud.Succeeded, time.Duration(i+1)*time.Minute)
	}
	h.failWith("us-central1", "old-bad", 3*time.Hour, "ValueError: old")
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Top: 2}
	opts := Options{Now: h.clock, LogReadTimeout: 2 * time.Second}
	h.refresh(New(cfg, h.clients, h.store, opts))
	cfg.Top = 10
	h.advance(time.Minute)
	if res := h.refresh(New(cfg, h.clients, h.store, opts)); announced(res) != "" {
		t.Fatalf("more rows announced %s", announced(res))
	}
}

// A region that stops answering keeps its last listing, marked stale and
// dated by its last answer.
// Found in the first lifecycle: issue 7, defect 7.
func TestRegionThatStopsAnsweringIsMarkedStale(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "a", fakecloud.Succeeded, time.Minute)
	h.put("us-east1", "b", fakecloud.Failed, 2*time.Minute)
	p := h.poller("us-central1", "us-east1")
	first := h.refresh(p)
	h.cloud.SetRegionError("us-east1", status.Error(codes.Unavailable, "blip"))
	h.advance(time.Minute)
	res := h.refresh(p)
	for _, e := range res.Snapshot.Executions {
		want := e.Region == "us-east1"
		if e.Stale != want {
			t.Fatalf("%s stale=%v, want %v", e.Name, e.Stale, want)
		}
		if want && !e.ListedAt.Equal(first.Snapshot.TakenAt) {
			t.Fatalf("%s listed at %v, want the last answer %v", e.Name, e.ListedAt, first.Snapshot.TakenAt)
		}
	}
}

// Idle costs close to nothing: a refresh that learns nothing new does not
// rewrite the memory (no write, no fsync every 30 s all day).
// Added when idle refreshes stopped rewriting the memory (commit b6084e4).
func TestIdleRefreshWritesNothing(t *testing.T) {
	h := newHarness(t)
	h.put("us-central1", "ok", fakecloud.Succeeded, time.Hour)
	h.failWith("us-central1", "bad", 2*time.Hour, "ValueError: x")
	p := h.poller("us-central1")
	h.refresh(p)
	h.advance(30 * time.Second)
	h.refresh(p)
	before, err := os.Stat(h.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		h.advance(30 * time.Second)
		h.refresh(p)
	}
	after, err := os.Stat(h.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Fatal("idle refreshes rewrote the memory")
	}
}

// The memory keeps at most 400 records of a job, yet the listings may show
// more (Top x regions over 400; --top 450 here): bounding the memory never
// makes a listed failure new again, so none is announced twice, nor are its
// settled logs read again.
// Found by the review of issue 7.
func TestBoundedMemoryDoesNotReannounceListedFailures(t *testing.T) {
	h := newHarness(t)
	cfg := Config{Project: testProject, Job: testJob, Regions: []string{"us-central1"}, Top: 450}
	opts := Options{Now: h.clock, LogReadTimeout: 2 * time.Second, LogRequestsPerMinute: 1_000_000}
	p := New(cfg, h.clients, h.store, opts)
	h.refresh(p) // the region is learned, empty
	for i := range 420 {
		created := t0.Add(time.Duration(i) * time.Second)
		spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: fmt.Sprintf("f-%03d", i),
			State: fakecloud.Failed, Created: created, Started: created.Add(time.Second), Completed: created.Add(30 * time.Second)}
		h.cloud.PutExecution(spec.Build())
	}
	h.advance(time.Hour)
	announcedNow := len(h.refresh(p).Changes)
	h.advance(lifecycle.AnnounceAfter) // no logs: announced without their error
	if announcedNow += len(h.refresh(p).Changes); announcedNow != 420 {
		t.Fatalf("%d failures announced, want 420", announcedNow)
	}
	h.advance(giveUpOnLogsAfter) // no logs, ever: settled as such
	if res := h.refresh(p); len(res.Changes) != 0 {
		t.Fatalf("settling their logs announced %d again", len(res.Changes))
	}
	logReads := len(h.cloud.LogRequests())
	for i := range 3 {
		h.advance(time.Minute)
		res := h.refresh(p)
		if len(res.Changes) != 0 {
			got := strings.Fields(announced(res))
			t.Fatalf("refresh %d after all were announced announced %d again (e.g. %v)", i+2, len(res.Changes), got[:min(3, len(got))])
		}
	}
	if n := len(h.cloud.LogRequests()) - logReads; n != 0 {
		t.Fatalf("%d more log requests for failures whose logs were settled", n)
	}
}

// Poller.Acknowledge (run by Watcher.Acknowledge on its own goroutine)
// annotates a copy of the picture: the Snapshot a Refresh already handed to
// the UI, which Fyne's thread renders, is never written (and -race reports
// no data race).
// Found by the review of issue 7.
func TestAcknowledgeLeavesTheSnapshotHandedOutUnchanged(t *testing.T) {
	h := newHarness(t)
	bad := h.failWith("us-central1", "bad", time.Minute, "ValueError: x")
	p := h.poller("us-central1")
	res := h.refresh(p) // handed to the UI (fyne.Do(ui.Apply(res)))
	shown := res.Snapshot
	done := make(chan struct{})
	go func() { // Fyne's thread rendering rows and the tray from the snapshot it holds
		defer close(done)
		for range 200 {
			for _, e := range shown.Executions {
				_ = e.Acknowledged
				_ = e.Error
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	if _, err := p.Acknowledge(bad.Build().GetName()); err != nil { // the watcher's goroutine
		t.Fatal(err)
	}
	<-done
	if shown.Executions[0].Acknowledged {
		t.Fatal("Acknowledge wrote into the Executions of a Snapshot already handed to the UI (p.last shares its array)")
	}
}

// A followed execution Cloud Run no longer has (GetExecution: NOT_FOUND) is
// followed no more, though the copy on disk that each save merges in still
// follows it: it is not fetched again every refresh for 8 days.
// Found by the review of issue 7.
func TestGoneFollowedExecutionIsFollowedNoMore(t *testing.T) {
	h := newHarness(t)
	scope := lifecycle.Scope{Project: testProject, Job: testJob, Region: "us-central1"}
	ghost := "projects/" + testProject + "/locations/us-central1/jobs/" + testJob + "/executions/ghost"
	mem := lifecycle.New()
	mem.Observe(scope, []lifecycle.Sighting{{Resource: ghost, State: lifecycle.Running, Created: t0.Add(-time.Hour)}}, t0.Add(-time.Hour), lifecycle.ByApp)
	if err := h.store.Save(mem); err != nil {
		t.Fatal(err)
	}
	p := h.poller("us-central1")
	for i := range 3 {
		h.advance(time.Minute)
		h.refresh(p) // GetExecution(ghost) -> NOT_FOUND -> Unfollow; Save merges it back
		if f := p.mem.Following(scope); len(f) != 0 {
			t.Fatalf("refresh %d: still following %v after Cloud Run said NOT_FOUND (GetExecution again next refresh)", i+1, f)
		}
	}
}

// Whether a failure ended before its scope was learned allows for the local
// clock being ahead of Cloud Run's: with it two minutes ahead, a run that
// starts after the first refresh and fails within one interval (never seen
// running) is announced, not taken for history.
// Found by the review of issue 7.
func TestQuickFailureIsAnnouncedWithTheLocalClockAhead(t *testing.T) {
	h := newHarness(t)
	const skew = 2 * time.Minute // the local clock is ahead of Cloud Run's
	p := h.poller("us-central1")
	h.refresh(p) // learned at local t0 = Cloud Run's t0-2m
	h.advance(30 * time.Second)
	cloudNow := h.clock().Add(-skew)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: "quick", State: fakecloud.Failed,
		Created: cloudNow, Started: cloudNow.Add(2 * time.Second), Completed: cloudNow.Add(20 * time.Second)}
	h.cloud.PutExecution(spec.Build())
	h.cloud.SetLogs(testProject, testJob, "quick", []fakecloud.LogLine{{Time: cloudNow.Add(10 * time.Second), Text: "ValueError: x", Severity: "ERROR"}})
	var got []string
	for range 6 {
		h.advance(time.Minute)
		if a := announced(h.refresh(p)); a != "" {
			got = append(got, a)
		}
	}
	if strings.Join(got, " ") != "new_failure:quick" {
		t.Fatalf("a failure that ended 50 s after the first refresh (Cloud Run's clock %v behind ours): announced %q, want new_failure:quick", skew, got)
	}
}

// A region watched before, dropped from the settings and added again days
// later announces nothing of what ended while it was not watched (issue 7,
// item 1: a 48-hour-old failure was reported as new).
// Found by the review of issue 7.
func TestRegionAddedAgainAnnouncesNothingFromWhileUnwatched(t *testing.T) {
	h := newHarness(t)
	h.put("us-east1", "ok", fakecloud.Succeeded, time.Hour)
	h.refresh(h.poller("us-central1", "us-east1"))
	h.advance(time.Minute)
	h.refresh(h.poller("us-central1")) // us-east1 removed in Settings
	old := fakecloud.ExecutionSpec{Project: testProject, Region: "us-east1", Job: testJob, ID: "while-unwatched", State: fakecloud.Failed,
		Created: t0.Add(24 * time.Hour), Started: t0.Add(24*time.Hour + time.Second), Completed: t0.Add(24*time.Hour + time.Minute)}
	h.cloud.PutExecution(old.Build())
	h.advance(72 * time.Hour)
	if a := announced(h.refresh(h.poller("us-central1", "us-east1"))); a != "" {
		t.Fatalf("us-east1 added back: announced %q, a failure 48 h old that ended while us-east1 was not watched", a)
	}
}

// The app announces only the job it watches: a failure of another job that
// `runwatch status --job nightly-eval` (which records, never announces) left
// unannounced in the memory is not announced by the app, whose notifications
// would word it with the watched job's name.
// Found by the review of issue 7.
func TestAppAnnouncesOnlyTheJobItWatches(t *testing.T) {
	h := newHarness(t)
	app := h.poller("us-central1")
	h.refresh(app)
	statusCfg := Config{Project: testProject, Job: "nightly-eval", Regions: []string{"us-central1"}, Top: 5}
	statusOpts := Options{Now: h.clock, LogReadTimeout: 2 * time.Second, ReadOnly: true}
	h.refresh(New(statusCfg, h.clients, h.store, statusOpts)) // `runwatch status --job nightly-eval`
	h.advance(time.Minute)
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: "nightly-eval", ID: "eval-bad", State: fakecloud.Failed,
		Created: h.clock(), Started: h.clock().Add(time.Second), Completed: h.clock().Add(time.Minute)}
	h.cloud.PutExecution(spec.Build())
	h.advance(5 * time.Minute)
	h.refresh(New(statusCfg, h.clients, h.store, statusOpts)) // again, from cron
	var changes []lifecycle.Change
	for range 5 { // the first save merges status's records in; later refreshes classify them
		h.advance(time.Minute)
		changes = append(changes, h.refresh(app).Changes...)
	}
	for _, c := range changes {
		if c.Scope.Job != testJob {
			t.Fatalf("the app watching %s announced %s of job %s (it will be worded %q)", testJob, shortName(c.Resource), c.Scope.Job, testJob+" failed in "+c.Scope.Region)
		}
	}
}

// A failure status saw first, in a scope the app watches, is still the
// app's to announce once: status announces nothing (the README says so).
// Added when acting on the review of issue 7.
func TestFailureFirstSeenByStatusIsAnnouncedByTheApp(t *testing.T) {
	h := newHarness(t)
	app := h.poller("us-central1")
	h.refresh(app)
	h.failWith("us-central1", "seen-by-status", -time.Minute, "ValueError: x")
	h.advance(5 * time.Minute)
	status := h.pollerWith(Options{ReadOnly: true}, "us-central1")
	if a := announced(h.refresh(status)); a != "" {
		t.Fatalf("status announced %q", a)
	}
	h.advance(time.Minute)
	if a := announced(h.refresh(app)); a != "new_failure:seen-by-status" {
		t.Fatalf("the app announced %q, want the failure status saw first", a)
	}
}

// Giving up on logs allows for the local clock being ahead of Cloud Run's:
// with it 15 minutes ahead, an empty first read of a failure that just ended
// (Cloud Logging lags by seconds) is retried, not remembered as "no logs",
// and the error that arrives a moment later is read.
// Found by the review of issue 7.
func TestEmptyReadJustAfterTheEndIsRetriedWithTheLocalClockAhead(t *testing.T) {
	h := newHarness(t)
	const skew = 15 * time.Minute
	p := h.poller("us-central1")
	h.refresh(p)
	h.advance(20 * time.Minute)
	cloudNow := h.clock().Add(-skew) // after the first refresh by both clocks
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-central1", Job: testJob, ID: "fresh", State: fakecloud.Failed,
		Created: cloudNow.Add(-time.Minute), Started: cloudNow.Add(-59 * time.Second), Completed: cloudNow}
	h.cloud.PutExecution(spec.Build())
	h.advance(10 * time.Second)
	h.refresh(p) // Cloud Logging has nothing yet
	h.cloud.SetLogs(testProject, testJob, "fresh", []fakecloud.LogLine{{Time: cloudNow.Add(-30 * time.Second), Text: "ValueError: x", Severity: "ERROR"}})
	var res Result
	for range 4 {
		h.advance(time.Minute)
		res = h.refresh(p)
	}
	for _, e := range res.Snapshot.Executions {
		if e.Name == "fresh" && e.Error != "ValueError: x" {
			t.Fatalf("fresh: error %q, logs %q: one empty read 10 s after it ended was remembered as final", e.Error, e.Logs)
		}
	}
}

// A region's failure stays in the snapshot's Failing, with its error, while
// newer running, pending or cancelled executions (of any region) push it
// out of view, and a success in another region does not clear it; only a
// later success in its own region does (issue 13, item 0).
func TestFailingKeepsEachRegionsFailureUntilASuccessThere(t *testing.T) {
	h := newHarness(t)
	p := h.pollerWith(Options{}, "us-west3", "us-east1")
	p.cfg.Top = 2
	h.failWith("us-west3", "quota", 50*time.Minute, "google.api_core.exceptions.ResourceExhausted: 429 Quota exceeded")
	h.put("us-east1", "ok-east", fakecloud.Succeeded, 40*time.Minute)
	if got := names(h.refresh(p).Snapshot.Failing); !slices.Equal(got, []string{"quota"}) {
		t.Fatalf("failing %v, want [quota]", got)
	}
	h.put("us-east1", "run-east", fakecloud.Running, 10*time.Minute)
	h.put("us-west3", "cancelled-west", fakecloud.Cancelled, 5*time.Minute)
	h.put("us-west3", "pending-west", fakecloud.Pending, time.Minute)
	h.put("us-east1", "ok-east-2", fakecloud.Succeeded, 2*time.Minute)
	h.advance(time.Minute)
	res := h.refresh(p)
	if got := names(res.Snapshot.Executions); slices.Contains(got, "quota") {
		t.Fatalf("the failure is still in view (%v): the test shows nothing", got)
	}
	if got := names(res.Snapshot.Failing); !slices.Equal(got, []string{"quota"}) {
		t.Fatalf("failing %v, want [quota]", got)
	}
	if f := res.Snapshot.Failing[0]; !strings.Contains(f.Error, "429 Quota exceeded") || f.Region != "us-west3" {
		t.Fatalf("the failure out of view has no error: %+v", f)
	}
	h.put("us-west3", "ok-west", fakecloud.Succeeded, 30*time.Second)
	h.advance(time.Minute)
	if got := names(h.refresh(p).Snapshot.Failing); len(got) != 0 {
		t.Fatalf("failing %v after a success in the failure's region", got)
	}
}

// The log lines kept around the error (shown in details, stored in the
// memory) are cleaned as the error line is: no ANSI codes, no carriage
// returns or other control characters; a traceback keeps its indentation.
func TestContextLinesAreCleanedAsTheErrorLine(t *testing.T) {
	h := newHarness(t)
	p := h.poller("us-central1")
	h.refresh(p)
	spec := h.put("us-central1", "tty", fakecloud.Failed, -time.Minute)
	at := spec.Created.Add(10 * time.Second)
	h.cloud.SetLogs(testProject, testJob, "tty", []fakecloud.LogLine{
		{Time: at, Text: "\x1b[32mepoch 1\x1b[0m 10%\r 50%\r100%"},
		{Time: at.Add(time.Second), Text: "Traceback (most recent call last):"},
		{Time: at.Add(2 * time.Second), Text: "  File \"train.py\", line 3, in <module>\r"},
		{Time: at.Add(3 * time.Second), Text: "\x1b[1;31mValueError: bad learning rate\x1b[0m\r", Severity: "ERROR"},
	})
	h.advance(2 * time.Minute)
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Error != "ValueError: bad learning rate" || len(e.Context) != 4 {
		t.Fatalf("error %q, context %q", e.Error, e.Context)
	}
	if e.Context[e.Matched] != e.Error {
		t.Errorf("context's matched line %q, want the error line %q", e.Context[e.Matched], e.Error)
	}
	if e.Context[2] != `  File "train.py", line 3, in <module>` {
		t.Errorf("traceback line %q, want its indentation kept and its carriage return gone", e.Context[2])
	}
	for _, line := range e.Context {
		if strings.ContainsAny(line, "\x1b\r") {
			t.Errorf("context line %q keeps an ANSI code or a carriage return", line)
		}
	}
	if file := h.memoryFile(); strings.Contains(file, `\u001b`) || strings.Contains(file, `\r`) {
		t.Errorf("the memory keeps ANSI codes or carriage returns:\n%s", file)
	}
}

// Issue 15: the program's own error line says more than Cloud Run's "task
// 0 exited with code 1 after 2 retries" — it names what went wrong (a
// missing table, a disk that is full), not just that the process exited —
// so it is the error shown, Cloud Run's reason kept beside it.
func TestProgramsErrorLineBeatsCloudRunsExitCode(t *testing.T) {
	for _, line := range []string{
		`ERROR: relation "orders" does not exist`,
		"CRITICAL: disk /data is full",
	} {
		h := newHarness(t)
		spec := h.failed("us-west3", "x-db", 10*time.Minute, fakecloud.ExitFailure(1, 2))
		at := spec.Created.Add(10 * time.Second)
		h.cloud.SetLogs(testProject, testJob, "x-db", []fakecloud.LogLine{
			{Time: at, Text: "loading orders for 2026-01-04"},
			{Time: at.Add(time.Second), Text: line, Severity: "ERROR"},
			{Time: at.Add(2 * time.Second), Text: "Container called exit(1)."},
		})
		p := h.poller("us-west3")
		e := h.refresh(p).Snapshot.Executions[0]
		if e.Source != "logs" || e.Error != line {
			t.Errorf("error %q from %q: want the program's line %q", e.Error, e.Source, line)
		}
	}
}

// A launcher's line that gives only the job's failed state says no more
// than that it failed ("ERROR Job failed: JOB_STATE_FAILED" is graded so):
// Cloud Run's kill of the task, exit code 137 (SIGKILL), says more and
// stays the error shown.
func TestFailedStateLineDoesNotReplaceCloudRunsKill(t *testing.T) {
	h := newHarness(t)
	spec := h.failed("us-west3", "x-kill", 10*time.Minute, fakecloud.ExitFailure(137, 0))
	at := spec.Created.Add(10 * time.Second)
	h.cloud.SetLogs(testProject, testJob, "x-kill", []fakecloud.LogLine{
		{Time: at, Text: "wandb: launch: Launching run in Vertex AI: projects/123/locations/us-central1/customJobs/456"},
		{Time: at.Add(time.Second), Text: "ERROR: Vertex job ended in state JOB_STATE_FAILED", Severity: "ERROR"},
		{Time: at.Add(2 * time.Second), Text: "Container called exit(137)."},
	})
	p := h.poller("us-west3")
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Source != "cloud_run" {
		t.Errorf("error %q from %q: want Cloud Run's kill %+v", e.Error, e.Source, e.CloudRun)
	}
}
