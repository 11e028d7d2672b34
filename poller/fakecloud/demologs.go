package fakecloud

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"time"
)

// demoLogFiles are failed-execution logs from the extractor's corpus
// (/work/shared/corpus/public), so the demo shows failures the extractor is
// known to explain.
//
//go:embed demologs/*.json
var demoLogFiles embed.FS

// demoLog is one corpus file's lines in chronological order.
type demoLog struct {
	id    string
	lines []string
}

// loadDemoLogs reads every embedded corpus file, reversing the ones stored
// newest first (as `gcloud logging read` prints them).
func loadDemoLogs() ([]demoLog, error) {
	paths, err := fs.Glob(demoLogFiles, "demologs/*.json")
	if err != nil {
		return nil, fmt.Errorf("list demo logs: %w", err)
	}
	var logs []demoLog
	for _, p := range paths {
		b, err := demoLogFiles.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read demo log %s: %w", p, err)
		}
		var f struct {
			ID    string   `json:"id"`
			Order string   `json:"order"`
			Lines []string `json:"lines"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("parse demo log %s: %w", p, err)
		}
		switch f.Order {
		case "chronological":
		case "newest_first":
			slices.Reverse(f.Lines)
		default:
			return nil, fmt.Errorf("demo log %s: unknown order %q", p, f.Order)
		}
		if len(f.Lines) == 0 {
			return nil, fmt.Errorf("demo log %s has no lines", p)
		}
		logs = append(logs, demoLog{id: f.ID, lines: f.Lines})
	}
	if len(logs) == 0 {
		return nil, fmt.Errorf("no demo logs embedded")
	}
	return logs, nil
}

// stderrLine matches lines a failing Python/W&B container writes to stderr:
// traceback headers and frames, exception lines, and logger ERROR lines.
// Cloud Run gives stderr lines severity ERROR and stdout lines DEFAULT.
var stderrLine = regexp.MustCompile(`^Traceback \(most recent call last\)|^  File "|^[\w.]*(Error|Exception): |\bERROR\b`)

// printedStamp matches the time a wrapper prints at the start of its lines,
// "[2024-05-14 10:14:07.536] ", with the layout to print it again.
var printedStamp = regexp.MustCompile(`^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\]`)

const printedStampLayout = "[2006-01-02 15:04:05.000]"

// spreadLines gives lines evenly spaced timestamps strictly between from and
// to, in order; a time the line prints itself becomes its entry's, so the
// log reads as written during this run (the corpus's are from 2024).
func spreadLines(lines []string, from, to time.Time) []LogLine {
	step := to.Sub(from) / time.Duration(len(lines)+1)
	out := make([]LogLine, len(lines))
	for i, l := range lines {
		sev := "DEFAULT"
		if stderrLine.MatchString(l) {
			sev = "ERROR"
		}
		at := from.Add(step * time.Duration(i+1))
		if printedStamp.MatchString(l) {
			l = at.Local().Format(printedStampLayout) + l[len(printedStampLayout):]
		}
		out[i] = LogLine{Time: at, Text: l, Severity: sev}
	}
	return out
}
