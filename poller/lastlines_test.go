package poller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"runwatch/poller/fakecloud"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A timeout is announced from Cloud Run's reason alone, without reading
// its logs; its details then ask for the last lines, once.
func TestTimeoutsLastLinesReadOnceOnDemand(t *testing.T) {
	h := newHarness(t)
	spec := h.failed("us-west3", "x-time", 10*time.Minute, fakecloud.TimeoutFailure())
	var logs []fakecloud.LogLine
	for i := range 50 {
		logs = append(logs, fakecloud.LogLine{Time: spec.Created.Add(time.Duration(i) * time.Second), Text: fmt.Sprintf("step %d/5000 loss=0.%d", i, i)})
	}
	h.cloud.SetLogs(testProject, testJob, "x-time", logs)
	p := h.poller("us-west3")
	snap := h.refresh(p).Snapshot
	if n := len(h.cloud.LogRequests()); n != 0 {
		t.Fatalf("a timeout's refresh read its logs (%d requests); Cloud Run's reason is the whole answer", n)
	}
	if e := snap.Executions[0]; e.TaskTimeout != fakecloud.TaskTimeout || e.MemoryLimit != "512Mi" {
		t.Fatalf("limits read from the template: timeout %v, memory %q; want %v, 512Mi", e.TaskTimeout, e.MemoryLimit, fakecloud.TaskTimeout)
	}
	resource := snap.Executions[0].Resource
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lines, err := p.LastLines(ctx, resource)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != lastLinesKept || lines[len(lines)-1] != "step 49/5000 loss=0.49" || lines[0] != "step 20/5000 loss=0.20" {
		t.Fatalf("last lines %q: want steps 20 to 49", lines)
	}
	again, err := p.LastLines(ctx, resource)
	if err != nil || strings.Join(again, "\n") != strings.Join(lines, "\n") {
		t.Fatalf("second call: %q, %v", again, err)
	}
	if n := len(h.cloud.LogRequests()); n != 1 {
		t.Fatalf("%d log requests for two calls: want 1", n)
	}
	// Remembered across a restart, and the error stays Cloud Run's.
	p2 := h.poller("us-west3")
	e := h.refresh(p2).Snapshot.Executions[0]
	if len(e.Context) != lastLinesKept || e.Matched >= 0 || e.Source != "cloud_run" || !strings.Contains(e.Error, "timeout") {
		t.Fatalf("after a restart: context %d lines, matched %d, error %q from %q", len(e.Context), e.Matched, e.Error, e.Source)
	}
	if n := len(h.cloud.LogRequests()); n != 1 {
		t.Fatalf("%d log requests after a restart: want still 1", n)
	}
}

// A failed read is an error, never remembered as the lines: the next call
// reads again.
func TestLastLinesFailedReadIsRetried(t *testing.T) {
	h := newHarness(t)
	spec := h.failed("us-west3", "x-time", 10*time.Minute, fakecloud.TimeoutFailure())
	h.cloud.SetLogs(testProject, testJob, "x-time", []fakecloud.LogLine{{Time: spec.Created.Add(time.Second), Text: "epoch 1"}})
	p := h.poller("us-west3")
	resource := h.refresh(p).Snapshot.Executions[0].Resource
	h.cloud.SetLoggingError(status.Error(codes.Unavailable, "down"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if lines, err := p.LastLines(ctx, resource); err == nil {
		t.Fatalf("a failed read gave %q", lines)
	}
	h.cloud.SetLoggingError(nil)
	lines, err := p.LastLines(ctx, resource)
	if err != nil || len(lines) != 1 || lines[0] != "epoch 1" {
		t.Fatalf("after Cloud Logging came back: %q, %v", lines, err)
	}
	// No entries at all says so.
	h.failed("us-west3", "x-quiet", 5*time.Minute, fakecloud.TimeoutFailure())
	quiet := h.refresh(p).Snapshot.Executions[0].Resource
	if _, err := p.LastLines(ctx, quiet); !errors.Is(err, ErrNoLogs) {
		t.Fatalf("no entries: %v, want ErrNoLogs", err)
	}
}

// When Cloud Run's reason says more than the log's line, the reason is
// shown, and so are the log lines: the context is never dropped with the
// line.
func TestLogContextKeptWhenCloudRunsReasonWins(t *testing.T) {
	h := newHarness(t)
	spec := h.failed("us-west3", "x-exit", 10*time.Minute, fakecloud.ExitFailure(1, 2))
	at := spec.Created.Add(10 * time.Second)
	h.cloud.SetLogs(testProject, testJob, "x-exit", []fakecloud.LogLine{
		{Time: at, Text: "epoch 1 loss=0.9"},
		{Time: at.Add(time.Second), Text: "epoch 2 loss=0.8"},
		{Time: at.Add(2 * time.Second), Text: "Container called exit(1)."},
	})
	p := h.poller("us-west3")
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Source != "cloud_run" || !strings.Contains(e.Error, "exited with code 1") {
		t.Fatalf("error %q from %q: want Cloud Run's reason", e.Error, e.Source)
	}
	if len(e.Context) != 3 || e.Context[0] != "epoch 1 loss=0.9" || e.Matched != 2 {
		t.Fatalf("context %q (matched %d): want the three log lines, the exit line marked", e.Context, e.Matched)
	}
}

// Issue 15's specific-line-wins: a launcher whose Vertex replica was killed
// (status 137), relayed by the wrapper's "wandb: ERROR message:" line, exits
// 1 after 3 retries. The replica's line says more than Cloud Run's "task 0
// exited with code 1 after 3 retries", and is shown; Cloud Run's reason
// stays beside it.
func TestReplicaKilledLineBeatsCloudRunsExitCode(t *testing.T) {
	h := newHarness(t)
	spec := h.failed("us-west3", "x-137", 10*time.Minute, fakecloud.ExitFailure(1, 3))
	at := spec.Created.Add(10 * time.Second)
	replica := "The replica workerpool0-0 exited with a non-zero status of 137. Termination reason: Error."
	h.cloud.SetLogs(testProject, testJob, "x-137", []fakecloud.LogLine{
		{Time: at, Text: "wandb: launch: Launching run in Vertex AI: projects/123/locations/us-central1/customJobs/456"},
		{Time: at.Add(time.Second), Text: "wandb: ERROR Job failed: JobState.JOB_STATE_FAILED"},
		{Time: at.Add(2 * time.Second), Text: "wandb: ERROR message: " + replica, Severity: "ERROR"},
		{Time: at.Add(3 * time.Second), Text: "Container called exit(1)."},
	})
	p := h.poller("us-west3")
	e := h.refresh(p).Snapshot.Executions[0]
	if e.Source != "logs" || !strings.Contains(e.Error, "exited with a non-zero status of 137") {
		t.Fatalf("error %q from %q: want the replica's line", e.Error, e.Source)
	}
	if e.CloudRun == nil || !strings.Contains(e.CloudRun.Message, "exited with code 1") {
		t.Fatalf("Cloud Run's reason %+v: want it kept for details", e.CloudRun)
	}
}

// Clients rebuilt (credentials refreshed) while a details window's read of
// last lines waits for the budget: the read and the swap do not race over
// the log reader's client (run with -race, as make test does).
func TestLastLinesDoesNotRaceClientsBeingReplaced(t *testing.T) {
	h := newHarness(t)
	h.failed("us-west3", "x-time", 10*time.Minute, fakecloud.TimeoutFailure())
	p := h.poller("us-west3")
	resource := h.refresh(p).Snapshot.Executions[0].Resource
	h.cloud.SetLoggingError(status.Error(codes.Unavailable, "down"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range 4 { // the budget's burst: the next read waits its turn
		if _, err := p.LastLines(ctx, resource); err == nil {
			t.Fatal("a failed read gave lines")
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = p.LastLines(ctx, resource)
	}()
	time.Sleep(300 * time.Millisecond)
	p.SetClients(h.clients)
	<-done
}

// Refresh now rebuilds the clients: the watcher closes the old ones and
// connects again, which may take seconds (credentials, the project). A
// details window's read of the last lines, waiting for the log budget
// meanwhile, must not be sent on the closed client and fail with "the
// client connection is closing": it is asked once per window, so its
// answer would be lost.
func TestLastLinesSurvivesRefreshNowRebuildingTheClients(t *testing.T) {
	h := newHarness(t)
	spec := h.failed("us-west3", "x-time", 10*time.Minute, fakecloud.TimeoutFailure())
	h.cloud.SetLogs(testProject, testJob, "x-time", []fakecloud.LogLine{{Time: spec.Created.Add(time.Second), Text: "step 7/5000"}})
	view := newRecordingView()
	var connects atomic.Int32
	connect := func(ctx context.Context, cfg Config) (Config, Clients, error) {
		if connects.Add(1) > 1 {
			time.Sleep(3 * time.Second) // a slow reconnect: credentials refreshed, the project looked up
		}
		clients, err := NewClients(ctx, Endpoints{Run: h.cloud.RunAddr(), Logging: h.cloud.LoggingAddr()})
		return cfg, clients, err
	}
	w := NewWatcher(view, connect, h.store, Options{LogReadTimeout: 2 * time.Second, LogRequestsPerMinute: 30})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx, Config{Project: testProject, Job: testJob, Regions: []string{"us-west3"}, Interval: time.Hour})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	res := next(t, view.results, "first result")
	resource := res.Snapshot.Executions[0].Resource

	read, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	h.cloud.SetLoggingError(status.Error(codes.Unavailable, "down"))
	for range 4 { // the budget's burst: the next read waits its turn (2 s)
		_, _ = w.LastLines(read, resource)
	}
	h.cloud.SetLoggingError(nil)
	type answer struct {
		lines []string
		err   error
	}
	got := make(chan answer, 1)
	go func() {
		lines, err := w.LastLines(read, resource)
		got <- answer{lines, err}
	}()
	time.Sleep(100 * time.Millisecond)
	w.RefreshNow() // F5 in the details window
	a := <-got
	if a.err != nil || len(a.lines) == 0 {
		t.Fatalf("last lines read across Refresh now: %q, %v", a.lines, a.err)
	}
}
