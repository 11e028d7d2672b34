package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"runwatch/internal/testenv"
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
