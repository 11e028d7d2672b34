package report

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"runwatch/poller"
	"runwatch/ui/view"
	"runwatch/ui/view/viewtest"
)

// refreshedNow is the status of a refresh at viewtest.Now that listed execs.
func refreshedNow(execs ...poller.Execution) view.Status {
	st := view.Status{Interval: 30 * time.Second}
	st.Take(viewtest.Snapshot(execs...))
	return st
}

func TestWaybarClassAndTextForEachLook(t *testing.T) {
	now := viewtest.Now
	failed := viewtest.Execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, 12*time.Minute)
	etl := viewtest.Execution("us-east4", "etl-q1", poller.StateFailed, 30*time.Minute)
	etl.Resource = "projects/p/locations/us-east4/jobs/etl/executions/etl-q1"
	nightly := viewtest.Execution("us-east5", "nightly-q2", poller.StateFailed, 40*time.Minute)
	nightly.Resource = "projects/p/locations/us-east5/jobs/nightly/executions/nightly-q2"
	running := viewtest.Execution("us-east1", "vertex-ai-launcher-r1", poller.StateRunning, time.Minute)
	succeeded := viewtest.Execution("us-east1", "vertex-ai-launcher-s1", poller.StateSucceeded, time.Hour)
	cancelled := viewtest.Execution("us-east1", "vertex-ai-launcher-c1", poller.StateCancelled, time.Hour)
	pending := viewtest.Execution("us-east1", "vertex-ai-launcher-p1", poller.StatePending, time.Minute)

	offline := refreshedNow(succeeded)
	offline.Snapshot.RegionsAsked = 1
	offline.Snapshot.RegionErrors = map[string]string{"us-east1": "list executions in us-east1: unavailable"}
	refused := offline
	refused.Snapshot.Unauthenticated = true
	stale := refreshedNow(succeeded)
	stale.LastSuccess = now.Add(-5 * time.Minute)
	demo := refreshedNow(succeeded)
	demo.Demo = true

	for _, tc := range []struct {
		name  string
		st    view.Status
		text  string
		class []string
		alt   string
	}{
		{"failed", refreshedNow(failed, succeeded), "✖ vertex-ai-launcher failed", []string{"failed"}, "failed"},
		{"three jobs failing", refreshedNow(failed, etl, nightly), "✖ vertex-ai-launcher +2 failed", []string{"failed"}, "failed"},
		{"failed with a run on top", refreshedNow(running, failed), "✖ vertex-ai-launcher failed ▶", []string{"failed", "running"}, "failed+running"},
		{"acknowledged", refreshedNow(viewtest.Acked(failed)), "○ vertex-ai-launcher acknowledged", []string{"acknowledged"}, "acknowledged"},
		{"acknowledged with a run on top", refreshedNow(running, viewtest.Acked(failed)), "○ vertex-ai-launcher acknowledged ▶", []string{"acknowledged", "running"}, "acknowledged+running"},
		{"running", refreshedNow(running), "▶ running", []string{"running"}, "running"},
		{"succeeded", refreshedNow(succeeded), "✔ ok", []string{"succeeded"}, "succeeded"},
		{"succeeded with a run on top", refreshedNow(running, succeeded), "✔ ok ▶", []string{"succeeded", "running"}, "succeeded+running"},
		{"cancelled", refreshedNow(cancelled), "■ cancelled", []string{"cancelled"}, "cancelled"},
		{"pending", refreshedNow(pending), "◷ pending", []string{"pending"}, "pending"},
		{"no executions", refreshedNow(), "◷ pending", []string{"pending"}, "pending"},
		{"stale", stale, "? stale", []string{"stale"}, "stale"},
		{"before the first refresh", view.Status{}, "? stale", []string{"stale"}, "stale"},
		{"offline", offline, "offline", []string{"offline"}, "offline"},
		{"credentials refused", refused, "credentials", []string{"credentials"}, "credentials"},
		{"credentials missing", view.Status{Problem: "no credentials: run gcloud auth application-default login"}, "credentials", []string{"credentials"}, "credentials"},
		{"demo", demo, "✔ ok (demo)", []string{"succeeded"}, "succeeded"},
	} {
		got := Waybar(tc.st, now)
		if got.Text != tc.text || !slices.Equal(got.Class, tc.class) || got.Alt != tc.alt {
			t.Errorf("%s: text %q class %q alt %q, want %q %q %q", tc.name, got.Text, got.Class, got.Alt, tc.text, tc.class, tc.alt)
		}
	}
}

func TestWaybarTooltipIsTheMenusFirstLineThenTheNewestExecutionsWithTheirErrors(t *testing.T) {
	now := viewtest.Now
	failed := viewtest.Execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, 12*time.Minute+95*time.Second)
	running := viewtest.Execution("us-east1", "vertex-ai-launcher-r1", poller.StateRunning, 30*time.Second)
	st := refreshedNow(running, failed)
	got := Waybar(st, now).Tooltip
	want := view.TraySummary(st, now) + "\n" +
		"▶ us-east1 · vertex-ai-launcher-r1 · running · &lt;1m\n" +
		"✖ us-west3 · vertex-ai-launcher-x7k2p · failed · 12m\n" +
		"    ModuleNotFoundError: No module named 'transformers'"
	if got != want {
		t.Fatalf("tooltip\n%s\nwant\n%s", got, want)
	}
	if !strings.HasPrefix(got, "runwatch: vertex-ai-launcher failed in us-west3 12m ago") {
		t.Fatalf("tooltip starts %q, not with the failure that colours the tray", got)
	}
}

func TestWaybarTooltipCutsALongErrorLineAndKeepsItOnOneLine(t *testing.T) {
	failed := viewtest.Execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Hour)
	failed.Error = "RuntimeError: " + strings.Repeat("x", 300) + "\nsecond line"
	lines := strings.Split(Waybar(refreshedNow(failed), viewtest.Now).Tooltip, "\n")
	last := lines[len(lines)-1]
	if n := len([]rune(strings.TrimSpace(last))); n != tooltipErrorMax || !strings.HasSuffix(last, "…") {
		t.Fatalf("error line of %d characters: %q", n, last)
	}
	if len(lines) != 3 {
		t.Fatalf("%d tooltip lines, want 3 (summary, row, error): %q", len(lines), lines)
	}
}

// Waybar reads text and tooltip as Pango markup: a log line is plain text
// and must not become markup (nor break it with a bare &).
func TestWaybarEscapesMarkupFromLogs(t *testing.T) {
	failed := viewtest.Execution("us-west3", "vertex-ai-launcher-x7k2p", poller.StateFailed, time.Hour)
	failed.Error = "ValueError: expected <b>bold</b> & got <i>"
	var out strings.Builder
	if _, err := NewLinePrinter(&out, FormatWaybar).Print(Waybar(refreshedNow(failed), viewtest.Now)); err != nil {
		t.Fatal(err)
	}
	var got WaybarLine
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatalf("%q: %v", out.String(), err)
	}
	if !strings.Contains(got.Tooltip, "ValueError: expected &lt;b&gt;bold&lt;/b&gt; &amp; got &lt;i&gt;") {
		t.Fatalf("tooltip %q: the log line is not escaped", got.Tooltip)
	}
	if strings.Contains(got.Tooltip, "<") || strings.Contains(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(got.Tooltip, "&amp;", ""), "&lt;", ""), "&gt;", ""), "&") {
		t.Fatalf("tooltip %q keeps markup", got.Tooltip)
	}
}

func TestLinePrinterWritesOneJSONLineOnlyWhenItChanges(t *testing.T) {
	var out strings.Builder
	p := NewLinePrinter(&out, FormatWaybar)
	line := WaybarLine{Text: "✔ ok", Tooltip: "a\nb", Class: []string{"succeeded"}, Alt: "succeeded"}
	for i, want := range []bool{true, false} {
		if wrote, err := p.Print(line); err != nil || wrote != want {
			t.Fatalf("print %d: wrote %v, %v; want %v", i, wrote, err, want)
		}
	}
	line.Class = []string{"failed"}
	if wrote, _ := p.Print(line); !wrote {
		t.Fatal("a changed line was not written")
	}
	want := `{"text":"✔ ok","tooltip":"a\nb","class":["succeeded"],"alt":"succeeded"}` + "\n" +
		`{"text":"✔ ok","tooltip":"a\nb","class":["failed"],"alt":"succeeded"}` + "\n"
	if out.String() != want {
		t.Fatalf("wrote\n%s\nwant\n%s", out.String(), want)
	}
}

func TestLinePrinterInTextFormatWritesThePlainText(t *testing.T) {
	var out strings.Builder
	if _, err := NewLinePrinter(&out, FormatText).Print(WaybarLine{Text: "✖ a&amp;b failed", Tooltip: "x"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "✖ a&b failed\n" {
		t.Fatalf("wrote %q", out.String())
	}
}

type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestLinePrinterSaysWhenTheLineCouldNotBeWritten(t *testing.T) {
	p := NewLinePrinter(brokenPipe{}, FormatWaybar)
	line := WaybarLine{Text: "✔ ok"}
	if _, err := p.Print(line); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("err %v", err)
	}
	// Not written, so not the last line written: the next try writes it.
	var out strings.Builder
	p.w = &out
	if wrote, err := p.Print(line); !wrote || err != nil {
		t.Fatalf("wrote %v, %v after a failed write", wrote, err)
	}
}

// Offline, the first line says Cloud Run cannot be reached; the next ones
// say why, region by region, a few of them.
func TestWaybarTooltipSaysWhyNoRegionAnswered(t *testing.T) {
	st := refreshedNow()
	st.Snapshot.RegionsAsked = 4
	st.Snapshot.RegionErrors = map[string]string{}
	for _, r := range []string{"us-west3", "us-east1", "asia-east1", "europe-west4"} {
		st.Snapshot.RegionErrors[r] = "list executions in " + r + ": unavailable: connection refused"
	}
	got := strings.Split(Waybar(st, viewtest.Now).Tooltip, "\n")
	want := []string{
		view.TraySummary(st, viewtest.Now),
		"list executions in asia-east1: unavailable: connection refused",
		"list executions in europe-west4: unavailable: connection refused",
		"list executions in us-east1: unavailable: connection refused",
		"… and 1 more region",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("tooltip\n%q\nwant\n%q", got, want)
	}
}

// Some regions failing are one line, as the window's header says them.
func TestWaybarTooltipNamesTheRegionsThatDidNotAnswer(t *testing.T) {
	st := refreshedNow(viewtest.Execution("us-east1", "vertex-ai-launcher-s1", poller.StateSucceeded, time.Hour))
	st.Snapshot.RegionErrors = map[string]string{"us-west3": "list executions in us-west3: permission denied: no"}
	lines := strings.Split(Waybar(st, viewtest.Now).Tooltip, "\n")
	if len(lines) < 2 || lines[1] != "1 of 18 regions failed: us-west3 permission denied" {
		t.Fatalf("tooltip %q", lines)
	}
}
