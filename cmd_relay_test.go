package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
	"runwatch/team"
)

func TestRelayRefusesBadFlagsWithExit2(t *testing.T) {
	for _, args := range [][]string{
		{"relay", "extra"},
		{"relay", "--nope"},
		{"relay", "--regions", "us-central2"},
		{"relay", "--regions", "us-central1 us-east1"},
	} {
		if code, _, errOut := runCmd(t, "", args...); code != 2 || !strings.HasPrefix(errOut, "runwatch relay: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	code, out, _ := runCmd(t, "", "relay", "--help")
	if code != 0 || !strings.Contains(out, "roles/pubsub.publisher on runwatch-errors") || strings.Contains(out, "endpoint") {
		t.Errorf("--help: exit %d, %q", code, out)
	}
}

func TestRelayWithoutTeamSetupExits1SayingToRunIt(t *testing.T) {
	_, ps, endpoints := teamCloud(t)
	code, _, errOut := runCmd(t, "", append([]string{"relay", "--project", "p1", "--pubsub-endpoint", ps.Addr()}, endpoints...)...)
	if code != 1 || !strings.Contains(errOut, "run `runwatch team setup --project p1` first") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// lockedBuffer is a process's standard error, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The relay half of the relay-reads-once bar, with the binary built as the
// Dockerfile builds it: one failure reaches an app's subscription to the
// errors topic once, with its error line, and Cloud Logging sees at most 2
// requests; the event delivered again publishes nothing; the relay
// heartbeats and stops on SIGTERM with exit 0.
func TestHeadlessRelayPublishesAFailuresErrorOnceAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module")
	}
	bin := buildHeadless(t)
	c, ps, endpoints := teamCloud(t)
	if code, out, errOut := runCmd(t, "", append([]string{"team", "setup", "--project", "p1"}, endpoints...)...); code != 0 {
		t.Fatalf("team setup: exit %d %s %s", code, out, errOut)
	}
	ctx := teamContext(t)
	client := pubsubClient(t, ps)
	sub, err := team.EnsureErrorsSubscription(ctx, client, "p1", team.NewInstallationID())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reports []team.ErrorReport
	var beats []team.Heartbeat
	recvCtx, stopRecv := context.WithCancel(ctx)
	recvDone := make(chan error, 1)
	go func() {
		recvDone <- team.ReceiveErrors(recvCtx, client, sub,
			func(r team.ErrorReport) { mu.Lock(); reports = append(reports, r); mu.Unlock() },
			func(h team.Heartbeat) { mu.Lock(); beats = append(beats, h); mu.Unlock() })
	}()
	defer func() { stopRecv(); <-recvDone }()
	counts := func() (int, int) { mu.Lock(); defer mu.Unlock(); return len(reports), len(beats) }

	var stderr lockedBuffer
	cmd := exec.CommandContext(ctx, bin, append([]string{"relay", "--project", "p1", "--regions", "us-west3,us-east1",
		"--pubsub-endpoint", ps.Addr(), "--state-dir", filepath.Join(t.TempDir(), "relay")}, endpoints...)...)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("timed out waiting for %s; relay said:\n%s", what, stderr.String())
			}
		}
	}
	wait("the relay's heartbeat", func() bool { _, h := counts(); return h >= 1 })

	created := time.Now().Add(-2 * time.Minute).Truncate(time.Second)
	spec := fakecloud.ExecutionSpec{Project: "p1", Region: "us-west3", Job: "nightly-train", ID: "nightly-train-q8z2m",
		State: fakecloud.Failed, Created: created, Failure: fakecloud.ExitFailure(1, 0)}
	c.SetLogs("p1", spec.Job, spec.ID, []fakecloud.LogLine{
		{Time: created.Add(10 * time.Second), Text: "loading shards"},
		{Time: created.Add(11 * time.Second), Text: "FileNotFoundError: [Errno 2] No such file or directory: 'gs-shard-7'", Severity: "ERROR"},
	})
	c.Put(spec)
	wait("the error report", func() bool { r, _ := counts(); return r >= 1 })
	mu.Lock()
	r := reports[0]
	mu.Unlock()
	if r.Execution != spec.Name() || !strings.Contains(r.Line, "FileNotFoundError") || r.Job != "nightly-train" || r.Source != "logs" {
		t.Errorf("report %+v", r)
	}

	// The sink's message again: nothing more is published or read.
	for _, m := range ps.Messages() {
		if ev, err := team.DecodeEvent(m.Data); err == nil && ev.Resource == spec.Name() {
			if err := ps.Publish(ctx, team.TopicName("p1", team.ExecutionsTopic), m.Data); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	time.Sleep(time.Second)
	if n := len(c.LogRequests()); n > 2 {
		t.Errorf("%d log requests, want at most 2", n)
	}
	if n, _ := counts(); n != 1 {
		t.Errorf("%d error reports, want 1", n)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("relay after SIGTERM: %v; it said:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the relay did not stop on SIGTERM; it said:\n%s", stderr.String())
	}
	if n := strings.Count(stderr.String(), "runwatch relay: published the error of "); n != 1 {
		t.Errorf("%d lines of published errors, want 1:\n%s", n, stderr.String())
	}
}
