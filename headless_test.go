package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// headlessBuild is the build the relay's Dockerfile makes (CGO_ENABLED=0
// go build -trimpath -o OUT .); TestTheDockerfileBuildsWhatTheTestBuilds
// holds them to the same.
var headlessBuild = []string{"build", "-trimpath", "-o"}

// buildHeadless builds the module root with CGO_ENABLED=0, as the
// Dockerfile does, into a temporary directory and returns the binary.
func buildHeadless(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "runwatch-relay")
	args := append(append([]string{}, headlessBuild...), bin, ".")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// runBinary runs bin with args and returns its output and exit code.
func runBinary(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return out.String(), errOut.String(), code
}

func TestTheRootBuildsWithoutCgoAndItsHeadlessCommandsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module")
	}
	bin := buildHeadless(t)
	if out, errOut, code := runBinary(t, bin, "version"); code != 0 || !strings.HasPrefix(out, "runwatch ") {
		t.Errorf("version: exit %d, %q %q", code, out, errOut)
	}
	for _, cmd := range [][]string{{"status", "--help"}, {"extract", "--help"}, {"team", "--help"}} {
		if out, errOut, code := runBinary(t, bin, cmd...); code != 0 || out == "" {
			t.Errorf("%v: exit %d, %q %q", cmd, code, out, errOut)
		}
	}
	for _, cmd := range [][]string{{}, {"--interval", "1m"}, {"window"}} {
		_, errOut, code := runBinary(t, bin, cmd...)
		if code != 2 || !strings.Contains(errOut, "built without cgo: it has no tray app; run `runwatch relay`") {
			t.Errorf("%v: exit %d, %q", cmd, code, errOut)
		}
	}
}

func TestTheDockerfileBuildsWhatTheTestBuilds(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	want := "RUN CGO_ENABLED=0 go " + strings.Join(headlessBuild, " ") + " /out/runwatch-relay .\n"
	if !strings.Contains(string(data), want) {
		t.Errorf("the Dockerfile has no line %q", want)
	}
	for _, line := range []string{"FROM gcr.io/distroless/static:nonroot\n", `ENTRYPOINT ["/runwatch-relay", "relay"]` + "\n"} {
		if !strings.Contains(string(data), line) {
			t.Errorf("the Dockerfile has no line %q", line)
		}
	}
}
