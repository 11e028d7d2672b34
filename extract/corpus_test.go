package extract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusCase is one file of testdata/corpus (format in its README.md).
type corpusCase struct {
	ID                string   `json:"id"`
	Order             string   `json:"order"`
	Lines             []string `json:"lines"`
	LinesFile         string   `json:"lines_file"`
	ExpectContains    []string `json:"expect_contains"`
	ExpectContainsAny []string `json:"expect_contains_any"`
	ExpectNotContains []string `json:"expect_not_contains"`
	ExpectNone        bool     `json:"expect_none"`
	Category          string   `json:"category"`
}

// loadCorpus reads every case of the public corpus, in chronological order.
func loadCorpus(t testing.TB) []corpusCase { return loadCases(t, "testdata/corpus") }

// loadCases reads every case in dir (format in testdata/corpus/README.md).
// testdata/extra holds cases written for this project, without looking at
// the rules, to check that they generalise.
func loadCases(t testing.TB, dir string) []corpusCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus cases found: %v", err)
	}
	var cases []corpusCase
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c corpusCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if c.LinesFile != "" {
			raw, err := os.ReadFile(filepath.Join(dir, c.LinesFile))
			if err != nil {
				t.Fatal(err)
			}
			for l := range bytes.Lines(raw) {
				c.Lines = append(c.Lines, strings.TrimRight(string(l), "\n"))
			}
		}
		if c.Order == "newest_first" {
			slices.Reverse(c.Lines)
		}
		cases = append(cases, c)
	}
	return cases
}

func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	for _, dir := range []string{"testdata/extra", "testdata/extra2", "testdata/extra3", "testdata/extra4", "testdata/extra5", "testdata/extra6", "testdata/extra7", "testdata/extra8", "testdata/extra9", "testdata/classes"} {
		cases = append(cases, loadCases(t, dir)...)
	}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			got := Extract(c.Lines)
			if c.ExpectNone {
				if got.Found {
					t.Fatalf("want no error, got %q (rule %s, line %d)", got.Message, got.Rule, got.Line)
				}
				return
			}
			if !got.Found {
				t.Fatalf("want an error, found none")
			}
			lower := strings.ToLower(got.Message)
			for _, want := range c.ExpectContains {
				if !strings.Contains(lower, strings.ToLower(want)) {
					t.Errorf("message %q lacks %q (rule %s)", got.Message, want, got.Rule)
				}
			}
			if len(c.ExpectContainsAny) > 0 && !slices.ContainsFunc(c.ExpectContainsAny, func(w string) bool {
				return strings.Contains(lower, strings.ToLower(w))
			}) {
				t.Errorf("message %q has none of %q", got.Message, c.ExpectContainsAny)
			}
			for _, bad := range c.ExpectNotContains {
				if strings.Contains(lower, strings.ToLower(bad)) {
					t.Errorf("message %q contains %q", got.Message, bad)
				}
			}
			if string(got.Category) != c.Category {
				t.Errorf("category %q, want %q (message %q, rule %s)", got.Category, c.Category, got.Message, got.Rule)
			}
			if got.Line < 0 || got.Line >= len(c.Lines) {
				t.Errorf("line index %d outside the log", got.Line)
			}
		})
	}
}
