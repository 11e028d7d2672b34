// Package extract finds, in the log lines of a failed Cloud Run job
// execution, the one line a person needs to know why it failed.
//
// It knows nothing of Google Cloud clients or of the desktop: lines in, one
// Result out. Rules are data (see rules.go); this file decides between the
// lines they match.
//
// Most of a log is chatter, so a line costs little unless it may matter:
// one pass of a keyword scan (keywords.go) over the cleaned line finds
// every rule keyword in it; only lines that hold one are parsed further
// (normalize.go), and a rule's regexp only runs on lines that hold one of
// its keywords, and only until the best line is known (bestUnit).
package extract

import (
	"cmp"
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
	rules     uint64 // bit i: the text holds a keyword of rules[i]
	near      bool   // within the window of a bailout marker
	bailout   bool   // the reason the wrapper gave for bailing out
	demoted   bool   // a line that will be retried, or a quiet one
}

// keywords finds, in one pass over a line, every rule keyword and phrase.
var keywords = newKeywordSet(keywordList())

func keywordList() []keyword {
	var words []keyword
	add := func(mark hits, texts ...string) {
		for _, t := range texts {
			words = append(words, keyword{text: t, mark: mark})
		}
	}
	for i, r := range rules {
		add(hits{rules: 1 << i}, r.keywords...)
	}
	add(hits{flags: flagMarker}, markerPhrases...)
	add(hits{flags: flagWarning}, pythonWarnings...)
	add(hits{flags: flagNoise}, noisePhrases...)
	add(hits{flags: flagRetry}, retryPhrases...)
	return words
}

// markerPhrases are the launcher wrapper's bailout lines
// ("🚨 FATAL ERROR DETECTED: …", "❌ Killing agent (PID 88)...").
var markerPhrases = []string{"fatal error detected", "killing agent"}

// infoPrefixes start the lines that the launcher wrapper prints as progress:
// they can contain "error" ("⏳ Monitoring for fatal errors...") but never
// report one.
var infoPrefixes = []string{"⏱", "⏳", "ℹ", "🔍", "💓", "✅", "🚀", "▶", "🧹", "📜", "🛑", "🔄", "📦", "🐍"}

// infoPhrases start lines that talk about errors without having one
// ("Errors: 0", "Watching for errors in the agent output"). Inside a line
// they say nothing: "AssertionError: expected 0 errors, got 5" is an error.
var infoPhrases = []string{
	"monitoring for", "checking for", "watching for", "looking for", "scanning for",
	"errors: 0", "error_count: 0", "0 errors", "no errors", "retrying on error", "without error",
	"error rate: 0", "errors=0",
}

// pythonWarnings mark Python's warnings ("…/_default.py:76: UserWarning: …
// quota exceeded …"), which never end a run.
var pythonWarnings = []string{"userwarning:", "deprecationwarning:", "futurewarning:", "runtimewarning:", "resourcewarning:", "pendingdeprecationwarning:"}

// retryPhrases mark a line that will be retried, so did not end the run:
// "503 Connect Failed; will retry in 1.4s", urllib3's "Retrying (Retry(total=4…".
var retryPhrases = []string{"will retry", "will be retried", "retrying", "retry in ", "retry after", "retry attempt"}

// noisePhrases mark lines that belong to an error report but never are its cause.
var noisePhrases = []string{
	"traceback (most recent call last)",
	"the above exception was the direct cause",
	"during handling of the above exception",
	"debug_error_string",
	"see above output for details",
}

// noisePrefixes start traceback frames, gRPC status dumps and Python's
// exit after an error was printed, whose cause is on another line.
var noisePrefixes = []string{`File "`, `status = StatusCode.`, `SystemExit:`}

// detailField matches the fields of an error dump that name the error's
// kind, not its cause: JSON's "status": "RESOURCE_EXHAUSTED", gcloud's YAML
// "- '@type': …", "reason: IAM_PERMISSION_DENIED", "domain: …". They never
// outrank the line they detail; a "message" field is read as a message.
var detailField = regexp.MustCompile(`^(?:- )?['"]?(?:@type|reason|domain|metadata|status|code|field|description|fieldViolations|violations|subject|locale)['"]?\s*:`)

// Extract returns the most useful error line of an execution's log, given
// in chronological order.
func Extract(lines []string) Result {
	var units []unit
	var markers []int // lines with the wrapper's bailout marker, ascending
	for i, raw := range lines {
		s := clean(raw)
		// A line without a keyword is chatter, unless JSON escapes hide one.
		found := keywords.find(s)
		if found.rules == 0 && !found.has(flagMarker) && !strings.Contains(s, `\u`) {
			continue
		}
		// Stripping prefixes (timestamps, tags, levels) drops no keyword
		// that matters; a decoded message is scanned anew.
		text, quiet := parse(s)
		if !strings.HasSuffix(s, text) {
			found = keywords.find(text)
		}
		if found.has(flagMarker) {
			// The wrapper's bailout lines are not causes; the reason it gives
			// is one, which yields to its context (see compareTries).
			markers = append(markers, i)
			if reason, ok := bailoutReason(text); ok {
				units = addUnit(units, unit{line: i, text: reason, rules: keywords.find(reason).rules | wrapperFatal, bailout: true})
			}
			continue
		}
		if found.has(flagWarning) || found.rules == 0 || isInfo(text) {
			continue
		}
		if !strings.Contains(text, `\n`) {
			if !found.has(flagNoise) {
				units = addUnit(units, newUnit(i, 0, text, found, quiet))
			}
			continue
		}
		for seg, part := range strings.Split(text, `\n`) {
			part, q := parse(strings.TrimSpace(strings.Trim(strings.TrimSpace(part), `"`)))
			if f := keywords.find(part); !f.has(flagNoise) {
				units = addUnit(units, newUnit(i, seg, part, f, quiet || q))
			}
		}
	}
	for j := range units {
		units[j].near = inWindow(units[j].line, markers)
	}

	// Every rule a unit holds a keyword of is a try; the best try whose
	// regexp matches wins, and most regexps never run.
	var tries []try
	for j := range units {
		for r := range rules {
			if units[j].rules&(1<<r) != 0 {
				tries = append(tries, try{&units[j], j, r})
			}
		}
	}
	slices.SortFunc(tries, compareTries)
	for _, t := range tries {
		if rules[t.r].re.MatchString(t.u.text) {
			return Result{
				Found:    true,
				Message:  clip(withBodyMessage(withContinued(messageOf(rules[t.r], t.u.text), lines, t.u.line), lines, t.u.line)),
				Category: rules[t.r].category,
				Rule:     rules[t.r].name,
				Line:     t.u.line,
			}
		}
	}
	return Result{Line: -1}
}

// newUnit makes a unit of a line's text, or of part seg of it; a quiet
// line (DEBUG, INFO) counts only when it is an exception, and a line that
// will be retried or is quiet ranks low (see compareTries).
func newUnit(line, seg int, text string, found hits, quiet bool) unit {
	if quiet && !exceptionLine.MatchString(text) {
		return unit{}
	}
	return unit{line: line, seg: seg, text: text, rules: found.rules, demoted: quiet || found.has(flagRetry)}
}

// exceptionLine matches a line that starts as an error report does: with an
// exception's class ("ValueError: …", "google.api_core.exceptions.NotFound:
// 404 …") or gcloud's command ("(gcloud.run.jobs.execute) …"), as gcloud
// --verbosity=debug prints the error it is about to report.
var exceptionLine = regexp.MustCompile(`^(?:(?:(?:[a-z_]\w*\.)+[A-Z]\w*|[A-Z]\w*(?:Error|Exception)): |\(gcloud[\w.-]*\) )`)

func addUnit(units []unit, u unit) []unit {
	if u.rules == 0 || u.text == "" || hasPrefix(u.text, noisePrefixes) || detailField.MatchString(u.text) {
		return units
	}
	return append(units, u)
}

// try is a unit and a rule it may match; j is the unit's place in the log.
type try struct {
	u    *unit
	j, r int
}

// compareTries orders tries best first:
//
//  1. A line near the wrapper's bailout before any other, as the bailout
//     follows its cause.
//  2. A rule that names a cause before a vague one ("exited with a
//     non-zero status", "ERROR: …", the wrapper's own words), so that the
//     final traceback's exception beats a generic platform line.
//  3. A line that says it failed before one that will be retried or is
//     quiet (DEBUG, INFO): a warning the program retried from did not end
//     the run; yet one that names a cause says more than a vague line.
//  4. The more specific rule, higher in the table.
//  5. Any line before the wrapper's bailout reason, which restates the
//     cause at best.
//  6. The later line, since a traceback ends with its cause.
func compareTries(a, b try) int {
	return cmp.Or(
		compareBool(!a.u.near, !b.u.near),
		compareBool(rules[a.r].vague, rules[b.r].vague),
		compareBool(a.u.demoted, b.u.demoted),
		cmp.Compare(a.r, b.r),
		compareBool(a.u.bailout, b.u.bailout),
		cmp.Compare(b.j, a.j),
	)
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// wrapperFatal is the rule bit of the wrapper's bailout reason.
var wrapperFatal = uint64(1) << slices.IndexFunc(rules, func(r rule) bool { return r.name == ruleWrapperFatal })

// bailoutReason returns what follows "FATAL ERROR DETECTED" in a line.
func bailoutReason(text string) (string, bool) {
	const marker = "fatal error detected"
	i := strings.Index(lowerASCII(text), marker)
	if i < 0 {
		return "", false
	}
	reason := strings.TrimSpace(strings.TrimLeft(text[i+len(marker):], ": "))
	return reason, reason != ""
}

// inWindow reports whether line is near a bailout marker; markers is sorted.
func inWindow(line int, markers []int) bool {
	i, _ := slices.BinarySearch(markers, line-windowAfter)
	return i < len(markers) && markers[i] <= line+windowBefore
}

// isInfo reports whether a line is the wrapper's progress or starts as
// talk about errors.
func isInfo(text string) bool {
	if hasPrefix(text, infoPrefixes) {
		return true
	}
	for _, p := range infoPhrases {
		if hasPrefixFold(text, p) {
			return true
		}
	}
	return false
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
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
	text, _ := stripPrefixes(clean(raw))
	_, ok := fieldMessage(text)
	return ok
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
