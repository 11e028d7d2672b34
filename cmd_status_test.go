package main

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/report"
	"runwatch/internal/startup"
	"runwatch/internal/testenv"
	"runwatch/poller"
	"runwatch/poller/fakecloud"
	"runwatch/ui/view"
)

func startCloud(t *testing.T) *fakecloud.Cloud {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	return cloud
}

func putExecution(c *fakecloud.Cloud, region, id string, state fakecloud.State, ago time.Duration, logLine string) {
	created := time.Now().Add(-ago)
	spec := fakecloud.ExecutionSpec{Project: "p1", Region: region, Job: "vertex-ai-launcher", ID: id, State: state, Created: created}
	c.Put(spec)
	if logLine != "" {
		c.SetLogs("p1", "vertex-ai-launcher", id, []fakecloud.LogLine{{Time: created.Add(3 * time.Second), Text: logLine}})
	}
}

func TestStatusJSONAgainstEndpoints(t *testing.T) {
	c := startCloud(t)
	putExecution(c, "us-central1", "e-old", fakecloud.Succeeded, time.Hour, "")
	putExecution(c, "us-east1", "e-fail", fakecloud.Failed, 10*time.Minute, "ModuleNotFoundError: No module named 'torch'")
	putExecution(c, "europe-west4", "e-run", fakecloud.Running, time.Minute, "")
	c.SetRegionError("us-west3", status.Error(codes.PermissionDenied, "denied"))
	args := []string{"status", "--json", "--project", "p1", "--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr()}

	code, out, errOut := runCmd(t, "", args...)
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	var got report.Output
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if len(got.Executions) != 3 || got.Executions[0].Name != "e-run" || got.Executions[1].Name != "e-fail" || got.Executions[2].Name != "e-old" {
		t.Fatalf("executions %+v", got.Executions)
	}
	fail := got.Executions[1]
	if fail.State != "FAILED" || fail.Error != "ModuleNotFoundError: No module named 'torch'" || fail.Category != "python_exception" || fail.Region != "us-east1" {
		t.Fatalf("failed execution %+v", fail)
	}
	if fail.Fingerprint == "" || fail.Occurrences != 1 || fail.Acknowledged || fail.Source != "logs" || fail.Stale {
		t.Fatalf("failed execution's memory fields %+v", fail)
	}
	if fail.ExitCode == nil || *fail.ExitCode != 1 || fail.TaskIndex == nil || *fail.TaskIndex != 0 || fail.Reason != "NON_ZERO_EXIT_CODE" || fail.Signal != "" {
		t.Fatalf("failed execution's Cloud Run fields: exit %v task %v reason %q signal %q", fail.ExitCode, fail.TaskIndex, fail.Reason, fail.Signal)
	}
	if !strings.HasSuffix(fail.Resource, "/executions/e-fail") || fail.Created == nil || fail.Completed == nil || fail.Duration <= 0 {
		t.Fatalf("failed execution fields %+v", fail)
	}
	if run := got.Executions[0]; run.State != "RUNNING" || run.Completed != nil || run.Error != "" {
		t.Fatalf("running execution %+v", run)
	}
	if !strings.Contains(got.RegionErrors["us-west3"], "permission denied") || !strings.Contains(errOut, "us-west3") {
		t.Fatalf("region errors %v, stderr %q", got.RegionErrors, errOut)
	}
	if _, err := time.Parse(time.RFC3339, got.RefreshedAt); err != nil {
		t.Fatalf("refreshed_at %q", got.RefreshedAt)
	}

	// The memory is shared: a second run reads no logs.
	before := len(c.LogRequests())
	if code, _, _ := runCmd(t, "", args...); code != 0 || len(c.LogRequests()) != before {
		t.Fatalf("second run: code %d, %d more log reads", code, len(c.LogRequests())-before)
	}
}

// Every key of status --json is there, with null (not absent) where a
// value is unknown, for scripts.
func TestStatusJSONKeepsEveryField(t *testing.T) {
	c := startCloud(t)
	putExecution(c, "us-east1", "e-run", fakecloud.Running, time.Minute, "")
	code, out, errOut := runCmd(t, "", "status", "--json", "--project", "p1", "--regions", "us-east1",
		"--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr())
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	var raw struct {
		Executions []map[string]any `json:"executions"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil || len(raw.Executions) != 1 {
		t.Fatalf("%q: %v", out, err)
	}
	for _, key := range []string{"region", "name", "resource", "state", "created", "started", "completed", "duration_s", "error",
		"category", "log_uri", "fingerprint", "occurrences", "acknowledged", "exit_code", "signal", "task_index", "reason", "source"} {
		if _, ok := raw.Executions[0][key]; !ok {
			t.Errorf("key %q missing from %v", key, raw.Executions[0])
		}
	}
}

// Defect 1 of issue 7: --demo wrote its simulated records into the real
// memory. It writes nothing under the user's configuration.
func TestStatusDemoWritesNoMemory(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	if code, _, errOut := runCmd(t, "", "status", "--demo", "--regions", "us-central1,us-east1"); code != 0 {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	var files []string
	filepath.WalkDir(config, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("--demo wrote %v", files)
	}
}

func TestStatusExits1WhenNoRegionAnswers(t *testing.T) {
	c := startCloud(t)
	c.SetRegionError("us-central1", status.Error(codes.Unavailable, "down"))
	c.SetRegionError("us-east1", status.Error(codes.PermissionDenied, "denied"))
	code, out, errOut := runCmd(t, "", "status", "--project", "p1", "--regions", "us-central1,us-east1",
		"--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr())
	if code != 1 || !strings.Contains(errOut, "no region answered") {
		t.Fatalf("code %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestStatusTable(t *testing.T) {
	c := startCloud(t)
	putExecution(c, "us-east1", "e-fail", fakecloud.Failed, 10*time.Minute, "KeyError: 'lr'")
	code, out, _ := runCmd(t, "", "status", "--project", "p1", "--regions", "us-east1",
		"--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr())
	if code != 0 || !strings.Contains(out, "REGION") || !strings.Contains(out, "e-fail") || !strings.Contains(out, "KeyError: 'lr'") || !strings.Contains(out, "10m") {
		t.Fatalf("code %d, out %q", code, out)
	}
}

func TestStatusBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{{"status", "--top", "0"}, {"status", "--run-endpoint", "x:1"}, {"status", "--nope"},
		{"status", "--regions", "us-east1,a/b"}, {"status", "--job", "a/b"}, {"status", "--job", " , "}, {"status", "--job", "a", "--all-jobs"}} {
		if code, _, errOut := runCmd(t, "", args...); code != 2 || !strings.HasPrefix(errOut, "runwatch status: ") {
			t.Errorf("%q: code %d, stderr %q", args, code, errOut)
		}
	}
}

// `runwatch status` with the app running answers from the app: no API
// call, no write to the memory. Before the app's first refresh (a slow
// first refresh, or the app still starting) it waits for the app's
// snapshot rather than polling beside it.
// Found by the review of issue 9.
func TestStatusWaitsForTheRunningAppsFirstRefreshInsteadOfPolling(t *testing.T) {
	config := testenv.PrivateDirs(t)
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ready := time.Now().Add(time.Second) // the app's first refresh ends then
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ipc.Serve(ctx, srv, ipc.Handlers{Status: func() (poller.Snapshot, error) {
		if time.Now().Before(ready) {
			return poller.Snapshot{}, errors.New("no refresh yet")
		}
		snap := poller.Snapshot{Project: "p1", Job: "vertex-ai-launcher", RegionsAsked: 1, RegionErrors: map[string]string{}, TakenAt: time.Now(),
			Executions: []poller.Execution{{Region: "us-east1", Name: "e-from-the-app", State: poller.StateSucceeded}}}
		return snap, nil
	}})

	code, out, errOut := runCmd(t, "", "status", "--json")
	if code != 0 || !strings.Contains(out, "e-from-the-app") {
		t.Fatalf("code %d, stdout %q, stderr %q: not the running app's answer", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(config, "fyne", startup.AppID, poller.MemoryFileName)); !os.IsNotExist(err) {
		t.Fatalf("status wrote the memory beside the running app: %v", err)
	}
}

// With no flag naming what to watch and no app running, status watches
// what the app's saved settings name: their job in their regions, one
// listing, exit 0 (issue 13's bar status-uses-settings; before, it polled
// the default job in 18 regions and exited 1).
func TestStatusWatchesWhatTheSavedSettingsName(t *testing.T) {
	c := startCloud(t)
	config := os.Getenv("XDG_CONFIG_HOME")
	dir := filepath.Join(config, "fyne", startup.AppID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	prefs := view.PreferencesFile{}
	view.Settings{Project: "p1", Job: "nightly-train", Regions: []string{"europe-west4"}, Top: 5, Interval: time.Minute, Notifications: true}.Save(prefs)
	data, err := json.Marshal(prefs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "preferences.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	c.Put(fakecloud.ExecutionSpec{Project: "p1", Region: "europe-west4", Job: "nightly-train", ID: "nightly-train-x1", State: fakecloud.Succeeded, Created: time.Now().Add(-time.Hour)})

	code, out, errOut := runCmd(t, "", "status", "--json", "--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr())
	if code != 0 || !strings.Contains(out, "nightly-train-x1") {
		t.Fatalf("code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := len(c.ListExecutionsRequests()); n != 1 {
		t.Fatalf("%d listings, want 1 (the saved job in its one region)", n)
	}
}

// fakeAppWithoutSnapshot listens as the running tray app and answers
// status with "no refresh yet", as the app does before its first refresh.
// Closing the returned server is the app quitting.
func fakeAppWithoutSnapshot(t *testing.T) *instance.Server {
	t.Helper()
	testenv.PrivateDirs(t)
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = ipc.Serve(ctx, srv, ipc.Handlers{Status: func() (poller.Snapshot, error) {
			return poller.Snapshot{}, errors.New("no refresh yet")
		}})
		close(done)
	}()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })
	return srv
}

// Once the running app answered "no refresh yet", status ends with exit 1
// and the app's reason even when the app then goes away; it never falls
// back to a refresh of its own (API calls, a write to the memory).
// Found by the review of issue 12.
func TestStatusGivesUpWhenTheAppQuitsWhileItWaitsForItsFirstRefresh(t *testing.T) {
	srv := fakeAppWithoutSnapshot(t)
	go func() {
		time.Sleep(time.Second) // status has been told "no refresh yet" a few times
		srv.Close()             // the app quits
	}()
	_, running, err := snapshotFromApp()
	if !running || err == nil {
		t.Fatalf("running %v, err %v: status would now refresh on its own instead of saying the running app had no snapshot (exit 1)", running, err)
	}
}

// After waiting 20 s for the running app's first refresh, status names the
// app's own reason ("no refresh yet"), not the deadline of its wait.
// Found by the review of issue 12.
func TestStatusNamesTheRunningAppsReasonWhenItNeverRefreshes(t *testing.T) {
	fakeAppWithoutSnapshot(t)
	code, _, errOut := runCmd(t, "", "status")
	if code != 1 || !strings.Contains(errOut, "no refresh yet") {
		t.Fatalf("code %d, stderr %q: want exit 1 naming the app's reason, no refresh yet", code, errOut)
	}
}

// The running tray app outlives an upgrade of the binary; `runwatch
// status` then asks the app started before it, whose answer has another
// shape. Status says so instead of reading it as an empty snapshot ("no
// region answered (0 asked)").
// Found by the review of issue 12.
func TestStatusDoesNotMisreadTheAnswerOfAnAppStartedBeforeTheUpgrade(t *testing.T) {
	testenv.PrivateDirs(t)
	srv, err := instance.Listen(ipc.App(false).Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		// a281f29's answer to cmdStatus (appStatus in app_desktop.go).
		_ = srv.Serve(ctx, func(context.Context, instance.Request) (any, error) {
			return map[string]any{
				"json": map[string]any{
					"refreshed_at":  "2026-12-07T03:00:00Z",
					"executions":    []map[string]any{{"region": "us-east1", "name": "e-from-the-app", "state": "SUCCEEDED"}},
					"region_errors": map[string]string{},
				},
				"table":         "REGION    EXECUTION       STATE      AGE  DURATION  ERROR\nus-east1  e-from-the-app  SUCCEEDED  1m   10s\n",
				"none_answered": false,
			}, nil
		})
		close(done)
	}()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })

	code, out, errOut := runCmd(t, "", "status")
	if code != 1 || !strings.Contains(errOut, "older version") || strings.Contains(out, "No executions of") {
		t.Fatalf("code %d, stdout %q, stderr %q: want exit 1 saying the running app is older", code, out, errOut)
	}
}

// Issue 14: any region text was accepted. A region Cloud Run does not
// know is a bad flag, named, before any listing; one missing from the
// built-in list that Cloud Run's Locations API lists is watched.
func TestStatusChecksRegionsAgainstCloudRun(t *testing.T) {
	c := startCloud(t)
	endpoints := []string{"--project", "p1", "--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr()}
	code, _, errOut := runCmd(t, "", append([]string{"status", "--regions", "us-central1,mars-north1"}, endpoints...)...)
	if code != 2 || !strings.Contains(errOut, "unknown Cloud Run region mars-north1") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	if n := len(c.ListExecutionsRequests()); n != 0 {
		t.Fatalf("%d listings before the bad flag was named", n)
	}
	c.SetLocations("us-central1", "moon-south1")
	putExecution(c, "moon-south1", "e-moon", fakecloud.Succeeded, time.Minute, "")
	code, out, errOut := runCmd(t, "", append([]string{"status", "--regions", "us-central1,moon-south1"}, endpoints...)...)
	if code != 0 || !strings.Contains(out, "e-moon") {
		t.Fatalf("a region Cloud Run lists: code %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// Issue 14: `status --demo` simulated a world of its own beside the
// running --demo app. It asks that app, as `status` asks the real one; the
// real app does not answer for --demo.
func TestStatusDemoAsksTheRunningDemoApp(t *testing.T) {
	testenv.PrivateDirs(t)
	serve := func(demo bool, name string) {
		srv, err := instance.Listen(ipc.App(demo).Name())
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = ipc.Serve(ctx, srv, ipc.Handlers{Status: func() (poller.Snapshot, error) {
				return poller.Snapshot{Project: "runwatch-demo", Job: "vertex-ai-launcher", RegionsAsked: 1, RegionErrors: map[string]string{}, TakenAt: time.Now(),
					Executions: []poller.Execution{{Region: "us-east1", Name: name, State: poller.StateSucceeded}}}, nil
			}})
		}()
		t.Cleanup(func() { cancel(); <-done; srv.Close() })
	}
	serve(false, "e-from-the-real-app")
	serve(true, "e-from-the-demo-app")
	code, out, errOut := runCmd(t, "", "status", "--demo", "--json")
	if code != 0 || !strings.Contains(out, "e-from-the-demo-app") {
		t.Fatalf("code %d, stdout %q, stderr %q: not the running demo app's answer", code, out, errOut)
	}
	code, out, _ = runCmd(t, "", "status", "--json")
	if code != 0 || !strings.Contains(out, "e-from-the-real-app") {
		t.Fatalf("code %d, stdout %q: not the running app's answer", code, out)
	}
}
