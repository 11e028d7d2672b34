package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"runwatch/internal/testenv"
	"runwatch/poller/fakecloud"
)

// Issue 14: started over SSH, the app printed three Go panic traces from
// GLFW and kept running invisibly. Without a display it says so in one line
// and exits 1 at once, the tray app and the window process alike.
func TestWithoutADisplayTheAppSaysSoInOneLineAndExits1(t *testing.T) {
	testenv.PrivateDirs(t) // the children inherit them: no real runwatch is met
	for _, args := range [][]string{{}, {"--project", "p1"}, {"window"}, {"--demo"}} {
		encoded, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0])
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, e2eAppEnv+"=1", e2eArgsEnv+"="+string(encoded))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		started := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("%q: still running after 5 s; stderr %q", args, stderr.String())
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("%q: %v, want exit status 1", args, err)
		}
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "`runwatch status`") || !strings.Contains(lines[0], "DISPLAY") {
			t.Errorf("%q: stderr %q, want one line naming runwatch status", args, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: stdout %q", args, stdout.String())
		}
		t.Logf("%q: exit after %v", args, time.Since(started).Round(time.Millisecond))
	}
}

// Without a display, help and bad flags still come first: a bad flag is
// exit 2 naming it, not "needs a desktop session".
func TestWithoutADisplayBadFlagsAreStillBadFlags(t *testing.T) {
	testenv.PrivateDirs(t)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--top", "0"}, strings.NewReader(""), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "--top") || strings.Contains(stderr.String(), "desktop session") {
		t.Fatalf("exit %d, stderr %q: want 2 naming --top", code, stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"--help"}, strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "-project") {
		t.Fatalf("help: exit %d, stdout %q", code, stdout.String())
	}
}

// startFollow starts this binary as `runwatch status --waybar --follow
// --demo` (a simulated cloud, refreshed every 2 s) and returns it once it
// printed its first line, with the pipe of its standard output.
func startFollow(t *testing.T) (*exec.Cmd, io.ReadCloser, *bytes.Buffer) {
	t.Helper()
	testenv.PrivateDirs(t) // no running --demo app answers
	encoded, err := json.Marshal([]string{"status", "--waybar", "--follow", "--demo", "--regions", "us-central1,us-east1", "--interval", "2s"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), e2eAppEnv+"=1", e2eArgsEnv+"="+string(encoded))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if !strings.HasPrefix(line, `{"text":`) {
			t.Fatalf("first line %q, stderr %q", line, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no line within 30 s; stderr %q", stderr.String())
	}
	return cmd, stdout, &stderr
}

// waitExit waits up to 15 s for cmd to end and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode() // -1: killed by a signal
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15 s later; stderr %q", stderr.String())
	}
	return -1
}

// Waybar stops a module's command with SIGTERM; ^C is SIGINT: each ends
// `status --follow` with exit 0.
func TestStatusWaybarFollowEndsWith0OnSIGTERM(t *testing.T) {
	cmd, _, stderr := startFollow(t)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, stderr); code != 0 {
		t.Fatalf("exit %d after SIGTERM; stderr %q", code, stderr.String())
	}
}

// A restarted Waybar closes the pipe: at its next line `status --follow`
// ends with exit 0, not killed by SIGPIPE.
func TestStatusWaybarFollowEndsWith0WhenTheBarClosesThePipe(t *testing.T) {
	cmd, stdout, stderr := startFollow(t)
	stdout.Close()
	if code := waitExit(t, cmd, stderr); code != 0 {
		t.Fatalf("exit %d after the pipe closed (-1: killed by a signal); stderr %q", code, stderr.String())
	}
}

// A bar that dies without signalling its module (Waybar killed, `sh -c`
// between them) only closes the pipe. --follow says it ends then; with a
// line that does not change (offline: no age in it) it must still end,
// not refresh against Cloud Run every interval, unread, for as long as
// the session lasts.
func TestStatusWaybarFollowEndsWhenTheBarClosesThePipeWhileNothingChanges(t *testing.T) {
	testenv.PrivateDirs(t)
	c, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	c.SetRegionError("us-east1", status.Error(codes.Unavailable, "down"))
	encoded, err := json.Marshal([]string{"status", "--waybar", "--follow", "--interval", "2s",
		"--project", "p1", "--regions", "us-east1", "--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr()})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), e2eAppEnv+"=1", e2eArgsEnv+"="+string(encoded))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if !strings.Contains(line, `"class":["offline"]`) {
			t.Fatalf("first line %q, stderr %q", line, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no line within 30 s; stderr %q", stderr.String())
	}
	stdout.Close()
	closed := len(c.ListExecutionsRequests())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15 s after the bar closed the pipe, %d listings of Cloud Run since; stderr %q",
			len(c.ListExecutionsRequests())-closed, stderr.String())
	}
}
