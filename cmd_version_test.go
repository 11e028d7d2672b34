package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionNamesTheModuleVersionAndTheCommit(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	for _, tc := range []struct {
		info debug.BuildInfo
		want string
	}{
		{info: debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, want: "runwatch v1.4.0"},
		{info: debug.BuildInfo{}, want: "runwatch (devel)"},
		{info: debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: setting("vcs.revision", "0123456789abcdef0123", "vcs.modified", "true", "vcs.time", "2026-12-07T05:30:00Z")},
			want: "runwatch (devel) 0123456789ab (modified) 2026-12-07T05:30:00Z"},
		{info: debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: setting("vcs.revision", "abc", "vcs.modified", "false")},
			want: "runwatch v1.4.0 abc"},
	} {
		if got := versionLine(&tc.info); got != tc.want {
			t.Errorf("versionLine = %q, want %q", got, tc.want)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if code, out, errOut := runCmd(t, "", args...); code != 0 || !strings.HasPrefix(out, "runwatch ") || strings.Count(out, "\n") != 1 || errOut != "" {
			t.Errorf("%q: code %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

func TestHelpCommandPrintsWhatHelpFlagDoes(t *testing.T) {
	code, viaCommand, _ := runCmd(t, "", "help")
	_, viaFlag, _ := runCmd(t, "", "--help")
	if code != 0 || viaCommand != viaFlag || !strings.Contains(viaCommand, "-project") || strings.Contains(viaCommand, "endpoint") {
		t.Fatalf("code %d; help:\n%s\n--help:\n%s", code, viaCommand, viaFlag)
	}
}

// Issue 14: `runwatch extract` with nothing piped in waited without a word.
// A terminal on stdin is told what is expected; a pipe, a file or the null
// device is read in silence.
func TestExtractSaysItReadsStdinOnlyFromATerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(path, []byte("KeyError: 'lr'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := func(name string) *os.File {
		f, err := os.Open(name)
		if err != nil {
			t.Skipf("%s: %v", name, err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	if isTerminal(strings.NewReader("x")) || isTerminal(open(path)) || isTerminal(open(os.DevNull)) {
		t.Fatal("a reader, a file or the null device taken for a terminal")
	}
	if _, _, errOut := runCmd(t, "KeyError: 'lr'\n", "extract"); errOut != "" {
		t.Fatalf("piped stdin: stderr %q", errOut)
	}
	pty := open("/dev/ptmx") // a terminal device
	if !isTerminal(pty) {
		t.Fatal("a terminal device not taken for one")
	}
}
