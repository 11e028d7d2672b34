package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExtractCommandReadsFileAndStdin(t *testing.T) {
	log := "⏳ Monitoring for fatal errors...\nModuleNotFoundError: No module named 'torch'\nContainer called exit(1).\n"
	path := filepath.Join(t.TempDir(), "exec.log")
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "", "extract", path)
	if code != 0 || out != "ModuleNotFoundError: No module named 'torch'\n" {
		t.Fatalf("file: code %d, out %q", code, out)
	}
	code, out, _ = runCmd(t, log, "extract")
	if code != 0 || !strings.Contains(out, "No module named 'torch'") {
		t.Fatalf("stdin: code %d, out %q", code, out)
	}
}

func TestExtractCommandJSONNewestFirst(t *testing.T) {
	newestFirst := "Container called exit(1).\nModuleNotFoundError: No module named 'torch'\n⏳ Monitoring for fatal errors...\n"
	code, out, _ := runCmd(t, newestFirst, "extract", "--newest-first", "--json")
	if code != 0 {
		t.Fatalf("code %d", code)
	}
	var got extractOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	want := extractOutput{Found: true, Message: "ModuleNotFoundError: No module named 'torch'", Category: "python_exception", Rule: "python_exception", Line: 2}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestExtractCommandNothingFound(t *testing.T) {
	code, out, _ := runCmd(t, "all fine\n", "extract")
	if code != 0 || out != "no error found\n" {
		t.Fatalf("code %d, out %q", code, out)
	}
	code, out, _ = runCmd(t, "", "extract", "--json")
	if code != 0 || !strings.Contains(out, `"found":false`) || !strings.Contains(out, `"line":0`) {
		t.Fatalf("code %d, out %q", code, out)
	}
}

func TestExtractCommandBadInputExits2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"extract", "--bogus"},
		{"extract", filepath.Join(t.TempDir(), "missing.log")},
		{"extract", "a", "b"},
		{"extract", t.TempDir()},
	} {
		code, out, errOut := runCmd(t, "", args...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || errOut == "" {
			t.Errorf("%q: code %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := runCmd(t, "", "--help")
	for _, cmd := range []string{"runwatch [flags]", "status", "extract"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("help lacks %q", cmd)
		}
	}
	if code != 0 {
		t.Errorf("code %d", code)
	}
}

// BenchmarkExtractCommand20MB runs `runwatch extract` on a 20 MB log made of
// the public corpus's logs, from reading the input to printing the line;
// go test prints its MB/s. Target: at least 50 MB/s.
func BenchmarkExtractCommand20MB(b *testing.B) {
	paths, err := filepath.Glob("extract/testdata/corpus/*.json")
	if err != nil || len(paths) == 0 {
		b.Fatalf("no corpus: %v", err)
	}
	var log bytes.Buffer
	for log.Len() < 20<<20 {
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			var c struct{ Lines []string }
			if err := json.Unmarshal(data, &c); err != nil {
				b.Fatal(err)
			}
			for _, l := range c.Lines {
				log.WriteString(l + "\n")
			}
		}
	}
	b.SetBytes(int64(log.Len()))
	for b.Loop() {
		if code := runExtract(nil, bytes.NewReader(log.Bytes()), io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
