// Package extract finds, in the log lines of a failed Cloud Run job
// execution, the one line a person needs to know why it failed.
//
// It knows nothing of Google Cloud clients or of the desktop: lines in, one
// Result out. Rules are data (see rules.go); this file decides between the
// lines they match.
//
// Most of a log is chatter, so a line costs little unless it may matter: it
// is cleaned (normalize.go), then one pass of a keyword automaton
// (matcher.go) finds every rule keyword and phrase in it. Regexps run only
// on lines that hold a rule's keyword and pass the gate derived from its
// regexp (gate.go), and only until the best line is known (collector.best).
package extract

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxMessageRunes is the longest message Extract returns.
const MaxMessageRunes = 200

// The launcher wrapper bails out with "🚨 FATAL ERROR DETECTED" and
// "❌ Killing agent"; the cause is searched this many lines around them.
// The "20 before, 80 after" counts as `gcloud logging read` lists,
// newest first: in time, the cause comes up to 80 lines before the marker
// (a torchrun dump or a relayed traceback is that long) and lines up to 20
// after it can still belong to it.
const (
	windowBefore = 80
	windowAfter  = 20
)

// Result is what Extract found.
type Result struct {
	Found    bool     // false: no line looked like an error
	Message  string   // one line, at most MaxMessageRunes runes, valid UTF-8, no ANSI codes
	Category Category // what kind of failure; empty when not found
	Rule     string   // name of the rule that matched
	Line     int      // index of the matched line in the input; -1 when not found
}

// unit is a line, or a part of a line holding a traceback escaped with
// literal "\n", that holds a keyword of some rule: a candidate for the
// error line. Which rule it matches is only worked out when needed.
type unit struct {
	line, seg int
	text      string
	found     hits
	near      bool // within the window of a bailout marker
}

// scanner finds every keyword the extractor cares about in one pass over a
// line, so most lines cost no regular expression at all.
type scanner struct {
	*matcher
	gates []gate           // gates[i] spares running rules[i].re where it cannot match
	match []*regexp.Regexp // match[i] tells whether rules[i].re matches, faster
}

// keywords is built once from the rule table and never changed.
var keywords = newScanner()

func newScanner() scanner {
	var words []keyword
	add := func(mark hits, texts ...string) {
		for _, t := range texts {
			words = append(words, keyword{text: t, mark: mark})
		}
	}
	gates := make([]gate, len(rules))
	match := make([]*regexp.Regexp, len(rules))
	var needed []literal
	for i, r := range rules {
		add(hits{rules: 1 << i}, r.keywords...)
		match[i] = matchOnly(r.re)
		gates[i] = newGate(r.re.String())
		for _, l := range gates[i].contains {
			add(hits{needs: 1 << i}, l.s)
		}
		needed = append(needed, gates[i].contains...)
	}
	add(hits{flags: flagMarker}, markerPhrases...)
	add(hits{flags: flagInfo}, infoPhrases...)
	add(hits{flags: flagNoise}, noisePhrases...)
	add(hits{flags: flagFold}, foldHazards(needed)...)
	add(hits{flags: flagEscape}, `\n`)
	return scanner{matcher: newMatcher(words), gates: gates, match: match}
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
var noisePrefixes = []string{`File "`, `"status":`, `"code":`, `"reason":`, `"domain":`, `"@type":`, `status:`, `code:`, `status = StatusCode.`,
	// gcloud's YAML dump of an error's details repeats the ERROR line.
	`- description:`, `description:`, `- '@type':`, `- field:`, `field:`,
	// Python's exit after an error was printed: the error is the cause.
	`SystemExit:`}

// Extract returns the most useful error line of an execution's log, given
// in chronological order.
func Extract(lines []string) Result {
	var c collector
	// Lines are cleaned and scanned a batch at a time, which lets the
	// scanner work on several at once (see scanEach) without keeping them all.
	const batch = 64
	var (
		texts [batch]string
		quiet [batch]bool
		found [batch]hits
	)
	for start := 0; start < len(lines); start += batch {
		chunk := lines[start:min(start+batch, len(lines))]
		for j, raw := range chunk {
			texts[j], quiet[j] = normalize(raw)
		}
		keywords.scanEach(texts[:len(chunk)], found[:len(chunk)])
		for j := range chunk {
			c.add(start+j, texts[j], quiet[j], found[j])
		}
	}
	for j := range c.units {
		c.units[j].near = inWindow(c.units[j].line, c.markers)
	}

	// Near a bailout the cause is looked for first; units there that
	// matched nothing need no second look.
	best, r := c.best(func(u *unit) bool { return u.near })
	if r < 0 {
		best, r = c.best(func(u *unit) bool { return !u.near })
	}
	if r < 0 {
		return Result{Line: -1}
	}
	return Result{
		Found:    true,
		Message:  clip(withBodyMessage(withContinued(messageOf(rules[r], best.text), lines, best.line), lines, best.line)),
		Category: rules[r].category,
		Rule:     rules[r].name,
		Line:     best.line,
	}
}

// withContinued joins a message that continues the line before it (": No
// such object: …", as a logging system splits a long line) to that line.
func withContinued(msg string, lines []string, line int) string {
	if line == 0 || !strings.HasPrefix(msg, ":") {
		return msg
	}
	prev, _ := normalize(lines[line-1])
	return prev + msg
}

// bodyLines is how far below an error line that opens a JSON body ("…: {")
// its "message" field is looked for.
const bodyLines = 15

// statusPrefix is the class and status of a Google API exception
// ("NotFound: 404"), kept when its message comes from the body.
var statusPrefix = regexp.MustCompile(`^(?:[a-z_][a-z0-9_]*\.)*([A-Z]\w*: \d{3}) `)

// withBodyMessage replaces a message that only opens a JSON error body
// ("NotFound: 404 POST https://…: {") by the body's "message" field,
// which says what went wrong, keeping the class and status.
func withBodyMessage(msg string, lines []string, line int) string {
	if !strings.HasSuffix(strings.TrimSpace(msg), "{") {
		return msg
	}
	for _, raw := range lines[line+1 : min(line+1+bodyLines, len(lines))] {
		text, _ := normalize(raw)
		if text == "" || !hasBodyField(raw) {
			continue
		}
		if m := statusPrefix.FindStringSubmatch(msg); m != nil {
			return m[1] + " " + text
		}
		return text
	}
	return msg
}

// hasBodyField reports whether a raw line is a JSON body's "message" field.
func hasBodyField(raw string) bool {
	_, ok := messageField(stripPrefixes(trimSpace(raw)))
	return ok
}

// collector gathers, line by line, what Extract chooses from.
type collector struct {
	units   []unit
	markers []int // lines with the wrapper's bailout marker, ascending
}

// add records line i, cleaned to text, in which the scanner found found.
func (c *collector) add(i int, text string, quiet bool, found hits) {
	if found.has(flagMarker) {
		c.markers = append(c.markers, i)
	}
	if quiet || found.has(flagInfo) || found.rules == 0 || hasInfoPrefix(text) {
		return
	}
	if !found.has(flagEscape) || !strings.Contains(text, `\n`) {
		if !found.has(flagNoise) {
			c.addUnit(unit{line: i, text: text, found: found})
		}
		return
	}
	seg := 0
	for part := range strings.SplitSeq(text, `\n`) {
		part = trimSegment(part)
		if f := keywords.scan(part); !f.has(flagNoise) {
			c.addUnit(unit{line: i, seg: seg, text: part, found: f})
		}
		seg++
	}
}

func (c *collector) addUnit(u unit) {
	if u.found.rules != 0 && u.text != "" && !isNoise(u.text) {
		c.units = append(c.units, u)
	}
}

// best returns, among the units keep accepts, one that the most specific
// rule matches and that rule, or -1; between equals the latest, since a
// traceback ends with its cause.
//
// A unit is classified by the first rule in table order that it matches.
// Trying the rules one after another over all units, latest first, finds
// the same unit as classifying every unit would, and stops at the first
// match: most regexps never run.
func (c *collector) best(keep func(*unit) bool) (*unit, int) {
	for r := range rules {
		bit := uint64(1) << r
		for j := len(c.units) - 1; j >= 0; j-- {
			u := &c.units[j]
			if u.found.rules&bit != 0 && keep(u) && matches(u.text, u.found, r) {
				return u, r
			}
		}
	}
	return nil, -1
}

// inWindow reports whether line is near a bailout marker; markers is sorted.
func inWindow(line int, markers []int) bool {
	i, _ := slices.BinarySearch(markers, line-windowAfter)
	return i < len(markers) && markers[i] <= line+windowBefore
}

// trimSegment removes the blanks and quotes around a part of an escaped traceback.
func trimSegment(p string) string {
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(p), `"`))
}

// matches reports whether rules[r] matches s, in which the scanner found found.
func matches(s string, found hits, r int) bool {
	needed := found.needs&(1<<r) != 0 || found.has(flagFold)
	return keywords.gates[r].admits(s, needed) && keywords.match[r].MatchString(s)
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
