// Package extract finds, in the log lines of a failed Cloud Run job
// execution, the one line a person needs to know why it failed.
//
// It knows nothing of Google Cloud clients or of the desktop: lines in, one
// Result out. Rules are data (see rules.go); this file decides between the
// lines they match.
package extract

import (
	"math/bits"
	"regexp"
	"strings"
	"unicode/utf8"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// MaxMessageRunes is the longest message Extract returns.
const MaxMessageRunes = 200

// The launcher wrapper bails out with "🚨 FATAL ERROR DETECTED" and
// "❌ Killing agent"; the cause is searched this many lines around them.
const (
	windowBefore = 20
	windowAfter  = 80
)

// Result is what Extract found.
type Result struct {
	Found    bool     // false: no line looked like an error
	Message  string   // one line, at most MaxMessageRunes runes, valid UTF-8, no ANSI codes
	Category Category // what kind of failure; empty when not found
	Rule     string   // name of the rule that matched
	Line     int      // index of the matched line in the input; -1 when not found
}

// candidate is a line a rule matched; seg is the part of a line holding a
// traceback escaped with literal "\n".
type candidate struct {
	line, seg, rule int
}

// scan is what one pass of the keyword automaton saw in a line.
type scan struct {
	rules  uint64 // bit i: a keyword of rules[i] occurs
	marker bool   // the wrapper's bailout marker
	info   bool   // an info phrase ("monitoring for", "errors: 0")
	noise  bool   // part of an error report that is never its cause
}

// scanner finds every keyword the extractor cares about in one pass over a
// line, so most lines cost no regular expression at all.
type scanner struct {
	ac   ahocorasick.AhoCorasick
	mark []func(*scan) // pattern index → what it marks
}

// keywords is built once from the rule table and never changed.
var keywords = newScanner()

func newScanner() scanner {
	var sc scanner
	var patterns []string
	add := func(p string, mark func(*scan)) {
		patterns = append(patterns, p)
		sc.mark = append(sc.mark, mark)
	}
	for i, r := range rules {
		for _, k := range r.keywords {
			add(k, func(s *scan) { s.rules |= 1 << i })
		}
	}
	for _, p := range markerPhrases {
		add(p, func(s *scan) { s.marker = true })
	}
	for _, p := range infoPhrases {
		add(p, func(s *scan) { s.info = true })
	}
	for _, p := range noisePhrases {
		add(p, func(s *scan) { s.noise = true })
	}
	builder := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{
		AsciiCaseInsensitive: true,
		MatchKind:            ahocorasick.StandardMatch,
		DFA:                  true,
	})
	sc.ac = builder.Build(patterns)
	return sc
}

func (sc scanner) scan(s string) scan {
	var found scan
	it := sc.ac.IterOverlapping(s)
	for m := it.Next(); m != nil; m = it.Next() {
		sc.mark[m.Pattern()](&found)
	}
	return found
}

// markerPhrases are the launcher wrapper's bailout lines
// ("🚨 FATAL ERROR DETECTED: …", "❌ Killing agent (PID 88)...").
var markerPhrases = []string{"fatal error detected", "killing agent"}

// noisePhrases mark lines that belong to an error report but never are its cause.
var noisePhrases = []string{
	"traceback (most recent call last)",
	"the above exception was the direct cause",
	"during handling of the above exception",
	"debug_error_string",
	"see above output for details",
}

// noisePrefixes start traceback frames and the status fields of error
// dumps ("status": "RESOURCE_EXHAUSTED"), whose message is on another line.
var noisePrefixes = []string{`File "`, `"status":`, `"code":`, `status:`, `code:`, `status = StatusCode.`}

// Extract returns the most useful error line of an execution's log, given
// in chronological order.
func Extract(lines []string) Result {
	var cands []candidate
	var markers []int
	texts := make([]string, len(lines))
	for i, raw := range lines {
		text, quiet := normalize(raw)
		texts[i] = text
		found := keywords.scan(text)
		if found.marker {
			markers = append(markers, i)
		}
		if quiet || found.info || found.rules == 0 || hasInfoPrefix(text) {
			continue
		}
		if !strings.Contains(text, `\n`) {
			if found.noise {
				continue
			}
			if r := classify(text, found.rules); r >= 0 {
				cands = append(cands, candidate{line: i, rule: r})
			}
			continue
		}
		for seg, part := range segments(text) {
			if f := keywords.scan(part); f.noise {
				continue
			} else if r := classify(part, f.rules); r >= 0 {
				cands = append(cands, candidate{line: i, seg: seg, rule: r})
			}
		}
	}

	best, ok := pick(cands, func(c candidate) bool { return inWindow(c.line, markers) })
	if !ok {
		best, ok = pick(cands, func(candidate) bool { return true })
	}
	if !ok {
		return Result{Line: -1}
	}
	r := rules[best.rule]
	text := segments(texts[best.line])[best.seg]
	return Result{
		Found:    true,
		Message:  clip(messageOf(r, text)),
		Category: r.category,
		Rule:     r.name,
		Line:     best.line,
	}
}

// pick returns the candidate of the most specific rule among those keep
// accepts; between equals the latest, since a traceback ends with its cause.
func pick(cands []candidate, keep func(candidate) bool) (candidate, bool) {
	var best candidate
	found := false
	for _, c := range cands {
		if !keep(c) {
			continue
		}
		if !found || c.rule <= best.rule {
			best, found = c, true
		}
	}
	return best, found
}

func inWindow(line int, markers []int) bool {
	for _, m := range markers {
		if line >= m-windowBefore && line <= m+windowAfter {
			return true
		}
	}
	return false
}

// segments splits a line holding a traceback escaped into one line with
// literal "\n" into its parts; any other line is one segment.
func segments(s string) []string {
	if !strings.Contains(s, `\n`) {
		return []string{s}
	}
	parts := strings.Split(s, `\n`)
	for i, p := range parts {
		parts[i] = strings.TrimSpace(strings.Trim(strings.TrimSpace(p), `"'`))
	}
	return parts
}

// classify returns the index of the first rule matching s among those whose
// keywords it holds, or -1.
func classify(s string, hit uint64) int {
	if s == "" || isNoise(s) {
		return -1
	}
	for hit != 0 {
		i := bits.TrailingZeros64(hit)
		hit &^= 1 << i
		if rules[i].re.MatchString(s) {
			return i
		}
	}
	return -1
}

func isNoise(s string) bool {
	for _, p := range noisePrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// messageOf builds the message a rule reports for the line it matched.
func messageOf(r rule, s string) string {
	m := r.re.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	if r.format != nil {
		return r.format(m)
	}
	if i := r.re.SubexpIndex("msg"); i > 0 && m[i] != "" {
		return m[i]
	}
	return m[0]
}

// modulePath is the dotted Python module before an exception's class name
// ("google.api_core.exceptions."), which tells a person nothing.
var modulePath = regexp.MustCompile(`^(?:[a-z_][a-z0-9_]*\.)+([A-Z]\w*:)`)

// clip makes a message one tidy line of at most MaxMessageRunes runes.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = modulePath.ReplaceAllString(s, "$1")
	s = strings.TrimRight(s, ` ,`)
	if strings.Count(s, `"`)%2 == 1 {
		s = strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`)
		s = strings.TrimSpace(s)
	}
	if runeLen(s) <= MaxMessageRunes {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == MaxMessageRunes-1 {
			cut = i
			break
		}
		n++
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
