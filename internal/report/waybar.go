package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"runwatch/poller"
	"runwatch/ui/view"
)

// WaybarLine is one line of a Waybar custom module with "return-type":
// "json". Waybar reads text and tooltip as Pango markup: both are escaped
// plain text here.
type WaybarLine struct {
	// Text is short: a mark and a word, the failing job for a failure
	// ("✖ vertex-ai-launcher failed").
	Text string `json:"text"`
	// Tooltip is the tray menu's first line, then the newest executions,
	// a failure's error line under it.
	Tooltip string `json:"tooltip"`
	// Class is the tray look as CSS classes: always an array (Waybar takes
	// a string or an array), one look, and "running" after it while an
	// execution runs on top of a finished result (["failed", "running"]).
	Class []string `json:"class"`
	// Alt is the tray look as one word for Waybar's format-icons:
	// "failed", "failed+running", "credentials".
	Alt string `json:"alt"`
}

// Bounds of the tooltip: the window shows 10 rows before it scrolls; an
// error line is cut (with "…") at this many characters.
const (
	tooltipRows     = 10
	tooltipErrorMax = 200
	regionsSaid     = 3 // the regions whose errors an offline tooltip says
)

// lookText is a status bar's short text for each look that names no job;
// failed and acknowledged name the failing job (failedText).
var lookText = map[view.TrayLook]string{
	view.LookRunning:     "▶ running",
	view.LookSucceeded:   "✔ ok",
	view.LookCancelled:   "■ cancelled",
	view.LookPending:     "◷ pending",
	view.LookStale:       "? stale",
	view.LookOffline:     "offline",
	view.LookCredentials: "credentials",
}

// runningMark ends the text of a finished result while an execution runs
// (the tray's small ▶ in the icon's corner).
const runningMark = " ▶"

// Waybar returns what a status bar shows of st at now: the tray's look,
// text and the tray menu's first line, from the same view decisions the
// tray uses (view.TrayLookOf, view.TraySummary, view.FailingJobs).
func Waybar(st view.Status, now time.Time) WaybarLine {
	look := view.TrayLookOf(st, now)
	class := strings.Split(string(look), "+")
	text := barText(st, now, view.TrayLook(class[0]))
	if len(class) > 1 {
		text += runningMark
	}
	if st.Demo {
		text += " (demo)"
	}
	return WaybarLine{
		Text:    view.EscapeMarkup(text),
		Tooltip: view.EscapeMarkup(tooltip(st, now)),
		Class:   class,
		Alt:     string(look),
	}
}

// barText is the short text of a look without its running mark: "✖
// vertex-ai-launcher failed", "✖ vertex-ai-launcher +2 failed" when
// three jobs fail, "○ vertex-ai-launcher acknowledged".
func barText(st view.Status, now time.Time, look view.TrayLook) string {
	if text, ok := lookText[look]; ok {
		return text
	}
	jobs := view.FailingJobs(st, now)
	switch {
	case len(jobs) == 0 && look == view.LookAcked:
		return "○ failed earlier" // a failure older than the limit: seen, not urgent
	case len(jobs) == 0:
		return "✖ failed"
	}
	name := jobs[0]
	if len(jobs) > 1 {
		name += fmt.Sprintf(" +%d", len(jobs)-1)
	}
	if look == view.LookAcked {
		return "○ " + name + " acknowledged"
	}
	return "✖ " + name + " failed"
}

// tooltip is the tray menu's first line, what went wrong with the regions
// (why, when none answered) or notifications, and the newest executions, one a line ("✖ us-west3 ·
// vertex-ai-launcher-x7k2p · failed · 12m"), a failure's error line
// indented under it. It is plain text, not yet escaped.
func tooltip(st view.Status, now time.Time) string {
	lines := []string{view.TraySummary(st, now)}
	switch {
	case st.Problem != "":
	case NoneAnswered(st.Snapshot) && st.Snapshot.RegionsAsked > 0:
		// The first line says Cloud Run cannot be reached: say why.
		lines = append(lines, regionErrors(st.Snapshot)...)
	case len(st.Snapshot.RegionErrors) > 0:
		lines = append(lines, view.RegionProblems(st.Snapshot))
	}
	switch n := st.Undelivered; {
	case n == 1:
		lines = append(lines, "1 notification not delivered (no notification server)")
	case n > 1:
		lines = append(lines, fmt.Sprintf("%d notifications not delivered (no notification server)", n))
	}
	if st.Problem != "" || !st.HasSnapshot {
		return strings.Join(lines, "\n")
	}
	execs := st.Snapshot.Executions
	for _, e := range execs[:min(len(execs), tooltipRows)] {
		lines = append(lines, tooltipRow(e, now))
		if e.State == poller.StateFailed {
			if line := oneLine(view.ErrorLine(e)); line != "" {
				lines = append(lines, "    "+clipRunes(line, tooltipErrorMax))
			}
		}
	}
	if more := len(execs) - tooltipRows; more > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more (runwatch status)", more))
	}
	return strings.Join(lines, "\n")
}

// regionErrors returns the errors of the first regionsSaid regions that
// did not answer, each on a line, and how many more there are.
func regionErrors(snap poller.Snapshot) []string {
	regions := slices.Sorted(maps.Keys(snap.RegionErrors))
	var lines []string
	for _, r := range regions[:min(len(regions), regionsSaid)] {
		lines = append(lines, clipRunes(oneLine(snap.RegionErrors[r]), tooltipErrorMax))
	}
	if more := len(regions) - regionsSaid; more > 0 {
		lines = append(lines, "… and "+Count(more, "more region"))
	}
	return lines
}

// tooltipRow says one execution: its mark, region, name, state and age
// (since it ended, for a finished one).
func tooltipRow(e poller.Execution, now time.Time) string {
	state := view.StateWord(e.State)
	if e.State == poller.StateFailed && e.Acknowledged {
		state += " (acknowledged)"
	}
	if e.Stale {
		state += " (stale)"
	}
	since := e.Created
	if e.State.Terminal() {
		since = cmp.Or(e.Completed, e.Created)
	}
	return fmt.Sprintf("%s %s · %s · %s · %s", view.StateMark(e.State), e.Region, e.Name, state, barAge(now.Sub(since)))
}

// barAge is an age to the minute ("<1m", "12m", "3h"), so that a line
// following the clock changes at most once a minute.
func barAge(d time.Duration) string {
	if d < time.Minute {
		return "<1m"
	}
	return poller.FormatAge(d)
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.ReplaceAll(s, "\r", " "), "\n", " ")), " ")
}

// clipRunes cuts s to at most n characters, the last one "…" when cut.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// BarFormat is how a LinePrinter writes a line.
type BarFormat int

// The formats of a status-bar line.
const (
	FormatWaybar BarFormat = iota // one JSON object (Waybar's "return-type": "json")
	FormatText                    // the text alone, unescaped (polybar, i3blocks, tmux)
)

// LinePrinter writes status-bar lines, each one only when it differs from
// the last one written, flushing after each.
type LinePrinter struct {
	w      io.Writer
	format BarFormat
	last   []byte
}

// NewLinePrinter returns a printer of lines to w in format.
func NewLinePrinter(w io.Writer, format BarFormat) *LinePrinter {
	return &LinePrinter{w: w, format: format}
}

// Print writes line, in one write, unless it is the same as the last line
// written; it reports whether it wrote.
func (p *LinePrinter) Print(line WaybarLine) (bool, error) {
	out, err := p.encode(line)
	if err != nil {
		return false, err
	}
	if p.last != nil && bytes.Equal(out, p.last) {
		return false, nil
	}
	if _, err := p.w.Write(out); err != nil {
		return false, fmt.Errorf("write the status line: %w", err)
	}
	if f, ok := p.w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return false, fmt.Errorf("flush the status line: %w", err)
		}
	}
	p.last = out
	return true, nil
}

// encode returns line as p writes it, with its newline.
func (p *LinePrinter) encode(line WaybarLine) ([]byte, error) {
	if p.format == FormatText {
		return []byte(unescapeMarkup(line.Text) + "\n"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "&lt;" stays readable: Waybar reads JSON, not HTML
	if err := enc.Encode(line); err != nil {
		return nil, fmt.Errorf("encode the status line: %w", err)
	}
	return buf.Bytes(), nil
}

var markupUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// unescapeMarkup undoes view.EscapeMarkup, for bars that show plain text.
func unescapeMarkup(s string) string { return markupUnescaper.Replace(s) }
