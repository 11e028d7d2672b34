// Package testenv gives a test the directories of its own that runwatch
// reads from the environment, so that it never meets a real running
// runwatch, the user's settings or another test's files. Tests of the root
// package, internal/ipc and internal/single use it.
package testenv

import (
	"os"
	"testing"
)

// PrivateDirs sets XDG_RUNTIME_DIR (short: unix socket paths are limited
// to about 100 bytes), XDG_CONFIG_HOME and TMPDIR to new directories,
// removed at cleanup, and returns the config directory.
func PrivateDirs(t testing.TB) (configHome string) {
	t.Helper()
	rt, err := os.MkdirTemp("", "rw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	t.Setenv("XDG_RUNTIME_DIR", rt)
	configHome = t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", configHome)
	t.Setenv("TMPDIR", t.TempDir())
	return configHome
}
