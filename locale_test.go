package main

// The built binary, run as a user runs it, writes nothing to standard error
// but its own lines in any locale: Fyne before 2.8 printed "Error parsing
// user locale C" under LANG=C from its lang package's init.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildBinary is runwatch built by `go build` (no -race, no test harness)
// into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "runwatch")
	if out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return path
}

// localeEnv is the environment with LANG=lang and no other locale variable.
func localeEnv(t *testing.T, lang string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "LANG" || k == "LANGUAGE" || strings.HasPrefix(k, "LC_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LANG="+lang, "XDG_CONFIG_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
}

func TestNoForeignLinesOnStderrInAnyLocale(t *testing.T) {
	bin := buildBinary(t)
	log := "Traceback (most recent call last):\n  File \"train.py\", line 1, in <module>\nModuleNotFoundError: No module named 'torch'\n"
	for _, lang := range []string{"C", "C.UTF-8", "en_US.UTF-8"} {
		for _, args := range [][]string{{"status", "--demo"}, {"extract"}, {"extract", "--json"}} {
			cmd := exec.Command(bin, args...)
			cmd.Env = localeEnv(t, lang)
			cmd.Stdin = strings.NewReader(log)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Errorf("LANG=%s runwatch %s: %v\nstderr:\n%s", lang, strings.Join(args, " "), err, stderr.String())
				continue
			}
			if stdout.Len() == 0 {
				t.Errorf("LANG=%s runwatch %s printed nothing", lang, strings.Join(args, " "))
			}
			for _, line := range strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n") {
				if line != "" && !strings.HasPrefix(line, "runwatch ") {
					t.Errorf("LANG=%s runwatch %s: a line on stderr that is not runwatch's: %q", lang, strings.Join(args, " "), line)
				}
			}
		}
	}
}
