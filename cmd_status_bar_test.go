package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/report"
	"runwatch/internal/testenv"
	"runwatch/poller"
	"runwatch/poller/fakecloud"
	"runwatch/ui/view"
)

// endpointFlags watch the fake cloud's project p1 in regions.
func endpointFlags(c *fakecloud.Cloud, regions string) []string {
	return []string{"--project", "p1", "--regions", regions, "--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr()}
}

// waybarLine decodes one line of `status --waybar`.
func waybarLine(t *testing.T, out string) report.WaybarLine {
	t.Helper()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("stdout %q: want one line", out)
	}
	var line report.WaybarLine
	if err := json.Unmarshal([]byte(out), &line); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	return line
}

func TestStatusWaybarNamesTheFailingJobAndEscapesItsLogLine(t *testing.T) {
	c := startCloud(t)
	putExecution(c, "us-east1", "e-fail", fakecloud.Failed, 10*time.Minute, "RuntimeError: <b>boom</b> & more")
	putExecution(c, "us-east1", "e-old", fakecloud.Succeeded, time.Hour, "")
	code, out, errOut := runCmd(t, "", append([]string{"status", "--waybar"}, endpointFlags(c, "us-east1")...)...)
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	line := waybarLine(t, out)
	if line.Text != "✖ vertex-ai-launcher failed" || !slices.Equal(line.Class, []string{"failed"}) || line.Alt != "failed" {
		t.Fatalf("line %+v", line)
	}
	if !strings.HasPrefix(line.Tooltip, "runwatch: vertex-ai-launcher failed in us-east1 ") {
		t.Fatalf("tooltip %q: not the tray menu's first line", line.Tooltip)
	}
	if !strings.Contains(line.Tooltip, "✖ us-east1 · e-fail · failed · ") ||
		!strings.Contains(line.Tooltip, "RuntimeError: &lt;b&gt;boom&lt;/b&gt; &amp; more") {
		t.Fatalf("tooltip %q: no escaped error line under the failure", line.Tooltip)
	}
}

// Waybar hides a module whose command exits non-zero: offline and refused
// credentials are a line with their class, and exit 0.
func TestStatusWaybarExits0WithItsClassWhenNoRegionAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, class string
		err         error
	}{
		{"unavailable", "offline", status.Error(codes.Unavailable, "down")},
		{"credentials refused", "credentials", status.Error(codes.Unauthenticated, "token expired")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startCloud(t)
			c.SetRegionError("us-central1", tc.err)
			c.SetRegionError("us-east1", tc.err)
			code, out, errOut := runCmd(t, "", append([]string{"status", "--waybar"}, endpointFlags(c, "us-central1,us-east1")...)...)
			if code != 0 {
				t.Fatalf("code %d, stderr %q: Waybar would hide the module", code, errOut)
			}
			if line := waybarLine(t, out); line.Text != tc.class || !slices.Equal(line.Class, []string{tc.class}) {
				t.Fatalf("line %+v, want class %q", line, tc.class)
			}
		})
	}
}

func TestStatusOnelinePrintsTheBarTextAlone(t *testing.T) {
	c := startCloud(t)
	putExecution(c, "us-east1", "e-run", fakecloud.Running, time.Minute, "")
	code, out, errOut := runCmd(t, "", append([]string{"status", "--oneline"}, endpointFlags(c, "us-east1")...)...)
	if code != 0 || out != "▶ running\n" {
		t.Fatalf("code %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestStatusBarFlagsThatDoNotGoTogetherExit2(t *testing.T) {
	for _, args := range [][]string{{"status", "--json", "--waybar"}, {"status", "--waybar", "--oneline"}, {"status", "--follow"},
		{"status", "--json", "--follow"}, {"status", "--waybar", "--interval", "5s"}} {
		if code, out, errOut := runCmd(t, "", args...); code != 2 || out != "" || !strings.HasPrefix(errOut, "runwatch status: ") {
			t.Errorf("%q: code %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// followStatus runs `runwatch status args...` until the test ends or stop
// is called, and returns its lines as they come and stop, which returns
// the exit code.
func followStatus(t *testing.T, args ...string) (lines <-chan string, stop func() int) {
	t.Helper()
	r, w := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	var errOut strings.Builder
	go func() {
		code <- runStatusUntil(ctx, args, w, &errOut)
		w.Close()
	}()
	out := make(chan string)
	go func() {
		defer close(out)
		scanner := bufio.NewScanner(r)
		for scanner.Scan() {
			out <- scanner.Text()
		}
	}()
	stopped := false
	stop = func() int {
		stopped = true
		cancel()
		c := <-code
		r.Close()
		if errOut.Len() > 0 {
			t.Logf("stderr: %s", errOut.String())
		}
		return c
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return out, stop
}

// nextBarLine returns the next line followStatus printed, within 20 s.
func nextBarLine(t *testing.T, lines <-chan string) report.WaybarLine {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("status --follow ended")
		}
		return waybarLine(t, l+"\n")
	case <-time.After(20 * time.Second):
		t.Fatal("no line within 20 s")
	}
	return report.WaybarLine{}
}

// With no app running, --follow refreshes every interval and prints a line
// when what it says changes; cancelling it ends it with exit 0.
func TestStatusWaybarFollowPrintsASecondLineWhenAnExecutionFails(t *testing.T) {
	c := startCloud(t)
	testenv.PrivateDirs(t)
	putExecution(c, "us-east1", "e-1", fakecloud.Running, time.Minute, "")
	args := append([]string{"--waybar", "--follow", "--interval", "2s"}, endpointFlags(c, "us-east1")...)
	lines, stop := followStatus(t, args...)
	if first := nextBarLine(t, lines); first.Alt != "running" {
		t.Fatalf("first line %+v", first)
	}
	listed := len(c.ListExecutionsRequests())
	putExecution(c, "us-east1", "e-1", fakecloud.Failed, time.Minute, "KeyError: 'lr'")
	second := nextBarLine(t, lines)
	if second.Alt != "failed" || second.Text != "✖ vertex-ai-launcher failed" {
		t.Fatalf("second line %+v, want the failure", second)
	}
	if len(c.ListExecutionsRequests()) == listed {
		t.Fatal("the second line came without a refresh")
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d after cancelling", code)
	}
}

// With the tray app running, --follow prints what its tray shows, each
// time it changes, from the app's long poll: no API call of its own.
func TestStatusWaybarFollowFollowsTheRunningApp(t *testing.T) {
	testenv.PrivateDirs(t)
	hub := ipc.NewHub(nil)
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = ipc.Serve(ctx, srv, ipc.Handlers{State: hub.WaitNewer, Status: hub.Snapshot})
	}()
	t.Cleanup(func() { cancel(); srv.Close(); <-served })
	snapshot := func(state poller.State) poller.Snapshot {
		return poller.Snapshot{Project: "p1", Job: "nightly-train", RegionsAsked: 1, RegionErrors: map[string]string{}, TakenAt: time.Now(),
			Executions: []poller.Execution{{Region: "us-east1", Name: "nightly-train-x1", State: state, Created: time.Now().Add(-time.Minute),
				Resource: "projects/p1/locations/us-east1/jobs/nightly-train/executions/nightly-train-x1"}}}
	}
	hub.Update(func(s *ipc.State) { s.Status.Interval = time.Minute; s.Status.Take(snapshot(poller.StateRunning)) })

	lines, stop := followStatus(t, "--waybar", "--follow")
	if first := nextBarLine(t, lines); first.Alt != "running" || !strings.Contains(first.Tooltip, "nightly-train-x1") {
		t.Fatalf("first line %+v: not the app's", first)
	}
	failed := snapshot(poller.StateFailed)
	failed.Executions[0].Completed = time.Now()
	failed.Failing = failed.Executions
	hub.Update(func(s *ipc.State) { s.Status.Take(failed) })
	if second := nextBarLine(t, lines); second.Text != "✖ nightly-train failed" || !slices.Equal(second.Class, []string{"failed"}) {
		t.Fatalf("second line %+v, want the app's failure", second)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d after cancelling", code)
	}
}

// The one-shot line from a running app is what its tray shows, the
// credentials problem included (exit 0).
func TestStatusWaybarAsksTheRunningAppForWhatItsTrayShows(t *testing.T) {
	testenv.PrivateDirs(t)
	hub := ipc.NewHub(nil)
	hub.Update(func(s *ipc.State) { s.Status.Problem = "no credentials: run gcloud auth application-default login" })
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = ipc.Serve(ctx, srv, ipc.Handlers{State: hub.WaitNewer, Status: hub.Snapshot})
	}()
	t.Cleanup(func() { cancel(); srv.Close(); <-served })
	code, out, errOut := runCmd(t, "", "status", "--waybar")
	line := waybarLine(t, out)
	if code != 0 || line.Alt != string(view.LookCredentials) || !strings.Contains(line.Tooltip, "no credentials") {
		t.Fatalf("code %d, line %+v, stderr %q", code, line, errOut)
	}
}

// Where the app's socket cannot be used (a socket path longer than unix
// allows, a socket directory that is not the user's; on Windows every
// call says ErrUnsupported), the app runs alone and a one-shot `status
// --waybar` refreshes itself. --follow must do the same: it may not wait
// for an app it can never reach, retrying every second and printing
// nothing, for as long as the bar runs.
func TestStatusWaybarFollowRefreshesItselfWhenTheAppCannotBeReached(t *testing.T) {
	testenv.PrivateDirs(t)
	long := filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), strings.Repeat("d", 100))
	if err := os.MkdirAll(filepath.Join(long, "runwatch"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", long)
	if _, err := instance.Listen(ipc.App(true).Name()); err == nil || errors.Is(err, instance.ErrRunning) {
		t.Fatalf("Listen: %v, want the socket refused (the app then runs alone)", err)
	}
	if code, out, errOut := runCmd(t, "", "status", "--waybar", "--demo"); code != 0 || waybarLine(t, out).Alt == "" {
		t.Fatalf("one-shot: code %d, stdout %q, stderr %q", code, out, errOut)
	}

	lines, stop := followStatus(t, "--waybar", "--follow", "--demo")
	if first := nextBarLine(t, lines); first.Alt == "" {
		t.Fatalf("first line %+v", first)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d after cancelling", code)
	}
}

// A failure keeps the log lines around its error (up to 30 lines of 500
// characters): a few failures of a job that logs JSON lines make the
// app's State more than the 64 KiB an IPC reply may be. The bar must still
// show what the tray shows: one-shot may not refresh itself beside the
// running app (here: "credentials" while the tray is red), --follow may not
// retry every second, printing nothing, for as long as the app runs.
func TestStatusWaybarShowsAnAppWhoseFailuresKeepLongLogContext(t *testing.T) {
	testenv.PrivateDirs(t)
	hub := ipc.NewHub(nil)
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = ipc.Serve(ctx, srv, ipc.Handlers{State: hub.WaitNewer, Status: hub.Snapshot})
	}()
	t.Cleanup(func() { cancel(); srv.Close(); <-served })

	now := time.Now()
	snap := poller.Snapshot{Project: "p1", Job: "nightly-train", RegionsAsked: 4, RegionErrors: map[string]string{}, TakenAt: now}
	for i, region := range []string{"us-east1", "us-west3", "europe-west4", "asia-east1"} {
		id := fmt.Sprintf("nightly-train-f%04d", i)
		var context []string
		for k := range 30 {
			context = append(context, fmt.Sprintf(`{"severity":"INFO","step":%d,"message":"%s"}`, k, strings.Repeat("x", 400)))
		}
		snap.Executions = append(snap.Executions, poller.Execution{Project: "p1", Job: "nightly-train", Region: region, Name: id,
			Resource: "projects/p1/locations/" + region + "/jobs/nightly-train/executions/" + id, State: poller.StateFailed,
			Created: now.Add(-time.Hour), Completed: now.Add(-time.Duration(i+1) * time.Minute), Error: "(no error line in the logs)",
			Logs: poller.LogsRead, Context: context, Matched: -1, ListedAt: now})
	}
	snap.Failing = snap.Executions
	hub.Update(func(s *ipc.State) { s.Status.Interval = time.Minute; s.Status.Take(snap) })
	b, err := json.Marshal(hub.Get())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the app's State is %d bytes", len(b))

	// No credentials here: a status that refreshed itself beside the app
	// would say "credentials", not what the tray shows.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/credentials.json")
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	t.Setenv("CLOUDSDK_CONFIG", t.TempDir())
	if code, out, errOut := runCmd(t, "", "status", "--waybar"); code != 0 || waybarLine(t, out).Text != "✖ nightly-train failed" {
		t.Errorf("one-shot: code %d, stdout %q, stderr %q: want the app's failure", code, out, errOut)
	}

	lines, stop := followStatus(t, "--waybar", "--follow")
	if first := nextBarLine(t, lines); first.Text != "✖ nightly-train failed" {
		t.Fatalf("first line %+v, want the app's failure", first)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d after cancelling", code)
	}
}

// An app started before the binary was upgraded (runwatch before the
// state long poll: it answers "show" and "status", the snapshot without a
// version, and "unknown command" to anything else) is ErrOlderApp to
// status. --follow must say so or refresh itself, at the pace of an idle
// bar: not ask it again the moment it answered, in a loop that keeps a
// core (and the app) busy for as long as both run, printing nothing.
func TestStatusWaybarFollowOfAnOlderAppNeitherSpinsNorStaysSilent(t *testing.T) {
	testenv.PrivateDirs(t)
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ctx, func(_ context.Context, req instance.Request) (any, error) {
			asked.Add(1)
			if req.Cmd == "status" {
				return poller.Snapshot{Project: "p1", Job: "nightly-train", RegionsAsked: 1, TakenAt: time.Now()}, nil
			}
			return nil, fmt.Errorf("unknown command %q", req.Cmd)
		})
	}()
	t.Cleanup(func() { cancel(); srv.Close(); <-served })

	lines, stop := followStatus(t, "--waybar", "--follow")
	printed := false
	select {
	case _, printed = <-lines:
	case <-time.After(3 * time.Second):
	}
	n := asked.Load()
	if code := stop(); code != 0 {
		t.Errorf("exit %d after cancelling", code)
	}
	if n > 20 {
		t.Errorf("the older app was asked %d times in 3 s", n)
	}
	if !printed {
		t.Errorf("no line in 3 s")
	}
}
