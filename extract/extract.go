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
// its keywords, and only until the best line is known (compareTries).
//
// Files: rules.go, the rule table and the phrases that mark lines as no
// cause; extract.go, which line wins; normalize.go, a raw line to text;
// keywords.go, the scan; message.go, the winning line to a message.
package extract

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
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
	// Vague: the rule says that something failed, not why ("ERROR: …",
	// an exit status), so a more specific reason from elsewhere says more.
	Vague bool
	// Specificity says how much Message tells (see Specificity): the app
	// compares it with Specificity of Cloud Run's own reason.
	Specificity int
}

// unit is a line, or a part of a line holding a traceback escaped with
// literal "\n", that holds a keyword of some rule: a candidate for the
// error line. Which rule it matches is only worked out when needed.
type unit struct {
	line    int
	text    string
	rules   uint64 // bit i: the text holds a keyword of rules[i]
	near    bool   // within the window of a bailout marker
	bailout bool   // the reason the wrapper gave for bailing out
	demoted bool   // a line that will be retried, a quiet one, or an exception a chained one follows
	retried bool   // a line that says it will be retried
	level   level  // the line's level; an exception's is levelError
	weak    bool   // a WARNING while an ERROR or exception exists
	// shape: 1 + the index in crashShapes of the runtime whose crash
	// report this is; 0 for any other line.
	shape int
	// platform: Cloud Run's own record of the container's end, which only
	// stands when nothing the program printed says more.
	platform bool
	stream   Stream
	// tells: a line calling itself an error whose message says how
	// ("ERROR: relation "orders" does not exist"), not only that something
	// failed or exited.
	tells bool
	// loud: an exit line that names a kill ("status of 137", "signal 9"),
	// which says as much as a line that tells how.
	loud bool
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
	add(hits{flags: flagFrame}, `file "`)
	add(hits{flags: flagCount}, retryCountWords...)
	add(hits{flags: flagShape}, shapeWords()...)
	add(hits{flags: flagBare}, bareWords...)
	return words
}

// Extract returns the most useful error line of an execution's log, given
// in chronological order.
func Extract(lines []string) Result {
	return extract(lines, nil)
}

// Stream is the output stream a line was written to, as Cloud Logging
// records it (run.googleapis.com/stderr or …/stdout).
type Stream uint8

// The streams a Line can name.
const (
	StreamUnknown Stream = iota
	StreamStdout
	StreamStderr
)

// Line is one log line and the stream it came from.
type Line struct {
	Text   string
	Stream Stream
}

// ExtractLines is Extract for lines whose stream is known: of two lines
// that say as much, the one on standard error is taken; the stream never
// decides more than that.
func ExtractLines(lines []Line) Result {
	texts := make([]string, len(lines))
	streams := make([]Stream, len(lines))
	for i, l := range lines {
		texts[i], streams[i] = l.Text, l.Stream
	}
	return extract(texts, streams)
}

// extract is Extract; streams, when not nil, holds each line's stream.
func extract(lines []string, streams []Stream) Result {
	var units []unit
	var markers []int                     // lines with the wrapper's bailout marker, ascending
	frame := -frameReach - 1              // the last traceback frame
	read := -1                            // the last line a crash shape read as its message
	last := make([]int, len(crashShapes)) // each shape's last crash unit, or -1
	for k := range last {
		last[k] = -1
	}
	for i, raw := range lines {
		if i <= read {
			continue
		}
		s := clean(raw)
		// A line without a keyword is chatter, unless JSON escapes hide
		// one or it may end a traceback.
		found := keywords.find(s)
		if found.has(flagFrame) {
			frame = i
		}
		afterFrame := i-frame <= frameReach
		if found.rules == 0 && found.flags&(flagMarker|flagShape) == 0 && !afterFrame && !strings.Contains(s, `\u`) {
			continue
		}
		// A stack frame of Node, the JVM or .NET ("    at Foo.bar(Foo.java:12)")
		// is never a cause, whatever its names hold.
		if strings.HasPrefix(s, "at ") && raw != "" && (raw[0] == ' ' || raw[0] == '\t') {
			continue
		}
		// Stripping prefixes (timestamps, tags, levels) drops no keyword
		// that matters; a decoded message is scanned anew.
		text, lv := parse(s)
		if !strings.HasSuffix(s, text) {
			found = keywords.find(text)
		}
		// A runtime's crash report: its link makes the exception before it
		// context, its head gives the message (see crashShapes).
		if found.has(flagShape) || found.rules&framedWords != 0 {
			if k, u, at, ok := readCrash(text, lines, i, found, units, last); ok {
				n := len(units)
				if units = addUnit(units, u); len(units) > n {
					last[k] = n
				}
				read = at
				continue
			}
		}
		ends := afterFrame && exceptionLine.MatchString(text) // a traceback's exception
		if ends {
			found.rules |= ruleBit(rulePythonException)
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
				n := len(units)
				if units = addUnit(units, newUnit(i, text, found, lv, ends)); ends && len(units) > n {
					units[n].shape, last[pythonShape] = pythonShape+1, n
				}
			}
			continue
		}
		for part := range strings.SplitSeq(text, `\n`) {
			part, l := parse(strings.TrimSpace(strings.Trim(strings.TrimSpace(part), `"`)))
			if l == levelUnknown || lv == levelQuiet {
				l = lv
			}
			if f := keywords.find(part); !f.has(flagNoise) {
				units = addUnit(units, newUnit(i, part, f, l, false))
			}
		}
	}
	// A WARNING that will be retried is no error when nothing after it
	// says that the run failed: the retry worked.
	failedLater := false
	for j := len(units) - 1; j >= 0; j-- {
		u := &units[j]
		if u.retried && u.level == levelWarning && !failedLater {
			u.rules = 0
		}
		failedLater = failedLater || !u.demoted && u.level != levelWarning
	}
	// A WARNING did not end the run when an ERROR line or an exception
	// says what did: it ranks as vague and retried (see compareTries).
	weak := slices.ContainsFunc(units, func(u unit) bool { return u.level == levelWarning }) && hasError(units)
	for j := range units {
		u := &units[j]
		u.near = inWindow(u.line, markers)
		if weak && u.level == levelWarning {
			u.weak, u.demoted = true, true
		}
		u.platform = strings.HasPrefix(u.text, "Container ") && platformLine.MatchString(u.text)
		u.loud = (u.platform || u.rules&exitStatusBit != 0) && mayNameKill(u.text) && signalWords.MatchString(u.text)
		if streams != nil {
			u.stream = streams[u.line]
		}
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
			res := Result{
				Found:    true,
				Message:  clip(withBodyMessage(withContinued(messageOf(rules[t.r], t.u.text), lines, t.u.line), lines, t.u.line)),
				Category: rules[t.r].category,
				Rule:     rules[t.r].name,
				Line:     t.u.line,
				Vague:    rules[t.r].vague,
			}
			if t.u.shape > 0 && t.r == fallback(t.u.shape-1) {
				res.Category = crashShapes[t.u.shape-1].category
			}
			res.Specificity = SpecificityCause
			if res.Vague {
				res.Specificity = Specificity(res.Message)
			}
			return res
		}
	}
	return Result{Line: -1}
}

// readCrash reads line i as a runtime's crash report (see crashShapes):
// when it links a further exception to a report, the shape's last crash
// unit is marked as only context; when it starts one, it returns the
// shape's index, the unit of its message, and the last line it read.
func readCrash(text string, lines []string, i int, found hits, units []unit, last []int) (k int, u unit, at int, ok bool) {
	framed := -1 // whether a stack frame follows line i: -1 not yet known
	for k := range crashShapes {
		sh := &crashShapes[k]
		// A link follows its exception with no other candidate between.
		if sh.link != nil && found.has(flagShape) && last[k] >= 0 && last[k] == len(units)-1 && sh.link.MatchString(text) {
			units[last[k]].demoted = true
			last[k] = -1
		}
		// A shape's words gate its head; a framed head may hold none
		// ("TypeError: …" above Node's frames), only an exception's.
		if !found.has(flagShape) {
			if !sh.framed || found.rules&framedWords == 0 {
				continue
			}
			if framed < 0 {
				framed = 0
				if framedBelow(lines, i) {
					framed = 1
				}
			}
			if framed == 0 {
				continue
			}
		}
		msg, at, ok := sh.crashAt(text, lines, i)
		if !ok {
			continue
		}
		msg = strings.TrimSpace(msg)
		rules := keywords.find(msg).rules&^shapeRules | 1<<fallback(k)
		return k, unit{line: at, text: msg, rules: rules, level: levelError, shape: k + 1}, at, true
	}
	return 0, unit{}, i, false
}

// platformLine matches Cloud Run's record of a container's end, which is
// the answer only when nothing the program printed says more.
var platformLine = regexp.MustCompile(`^Container (?:called exit\(\d+\)|terminated on signal \d+)`)

// shapeRules are the rules that read a line by who printed it: a
// runtime's crash by its shape, or a shell's words ("syntax error"); a
// crash message of another runtime is neither. framedWords are the
// keywords of a line that a stack trace may follow.
var (
	shapeRules  = ruleBit(rulePythonException) | ruleBit("go_panic") | ruleBit("node_error") | ruleBit(ruleCrash) | ruleBit("shell")
	framedWords = ruleBit(rulePythonException)
)

// newUnit makes a unit of a line's text, or of a part of it; a quiet
// line (DEBUG, INFO) counts only when it is an exception, and a line that
// will be retried or is quiet ranks low (see compareTries). The exception
// that ends a traceback is of ERROR level whatever its line says.
func newUnit(line int, text string, found hits, lv level, ends bool) unit {
	quiet := lv == levelQuiet
	if quiet && !exceptionLine.MatchString(text) {
		return unit{}
	}
	if ends && !quiet {
		lv = levelError
	}
	retried := found.has(flagRetry) || found.has(flagCount) && retryCount.MatchString(text)
	tells := found.rules&genericErrorBit != 0 && found.rules&exitStatusBit == 0 && !found.has(flagBare)
	return unit{line: line, text: text, rules: found.rules, level: lv, demoted: quiet || retried, retried: retried, tells: tells}
}

// retryCount marks a line as retried by its count: "retry 1/3", "attempt
// 2 of 5"; retryCountWords gate it.
var (
	retryCount      = regexp.MustCompile(`(?i)\b(?:retry|retries|attempt) \d+ ?(?:/|of) ?\d+`)
	retryCountWords = []string{"retry ", "retries ", "attempt "}
)

// hasError reports whether a unit is of ERROR level, or an exception (not
// a quiet one), which a WARNING yields to (see compareTries).
func hasError(units []unit) bool {
	return slices.ContainsFunc(units, func(u unit) bool {
		return !u.bailout && (u.level == levelError || u.level == levelUnknown && exceptionLine.MatchString(u.text))
	})
}

// maxUnitBytes bounds the text the rules read: a regexp costs in
// proportion to it, and a message is one line of MaxMessageRunes anyway.
// A long line still gives all its escaped parts (up to maxLineBytes).
const maxUnitBytes = 4 << 10

func addUnit(units []unit, u unit) []unit {
	if u.rules == 0 || u.text == "" || hasPrefix(u.text, noisePrefixes) || detailField.MatchString(u.text) {
		return units
	}
	if len(u.text) > maxUnitBytes {
		u.text = strings.ToValidUTF8(u.text[:maxUnitBytes], "")
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
//     final traceback's exception beats a generic platform line. A
//     WARNING, when an ERROR line or an exception exists, ranks as vague:
//     the program went on after it.
//  3. A line that says it failed before one that will be retried, is
//     quiet (DEBUG, INFO) or is such a WARNING: a warning the program
//     retried from did not end the run; yet one that names a cause says
//     more than a vague line.
//  4. The program's lines before the platform's.
//  5. Of vague lines, one that says much — a line calling itself an error
//     that says how ("ERROR: bucket … belongs to another project"), or an
//     exit that names a kill ("status of 137") — before a bare exit status
//     ("The replica … exited with a non-zero status of 1"); between the two
//     kinds, the table decides.
//  6. The more specific rule, higher in the table.
//  7. Any line before the wrapper's bailout reason, which restates the
//     cause at best.
//  8. The later line, since a traceback ends with its cause.
func compareTries(a, b try) int {
	return cmp.Or(
		compareBool(!a.u.near, !b.u.near),
		compareBool(rules[a.r].vague || a.u.weak, rules[b.r].vague || b.u.weak),
		compareBool(a.u.demoted, b.u.demoted),
		compareBool(a.u.platform, b.u.platform),
		compareBool(!a.saysMuch(), !b.saysMuch()),
		cmp.Compare(a.r, b.r),
		compareBool(a.u.bailout, b.u.bailout),
		compareBool(a.u.stream != StreamStderr, b.u.stream != StreamStderr),
		cmp.Compare(b.j, a.j),
	)
}

// saysMuch reports whether the try is the generic error rule on a line
// whose message says how it failed, or an exit line that names a kill.
func (t try) saysMuch() bool { return t.u.tells && t.r == genericErrorRule || t.u.loud }

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

// frameReach: a traceback's exception follows its last frame within this
// many lines (the frame's code, a blank line), whatever its class is
// called: "pyarrow.lib.ArrowInvalid: …" holds no keyword.
const frameReach = 3

// wrapperFatal is the rule bit of the wrapper's bailout reason.
var wrapperFatal = ruleBit(ruleWrapperFatal)

// The generic error rule (its index and bit) and the exit status rule's bit.
var (
	genericErrorRule = slices.IndexFunc(rules, func(r rule) bool { return r.name == "generic_error" })
	genericErrorBit  = ruleBit("generic_error")
	exitStatusBit    = ruleBit("exit_status")
)

// ruleBit is the bit of the named rule in a unit's rule set.
func ruleBit(name string) uint64 {
	return 1 << slices.IndexFunc(rules, func(r rule) bool { return r.name == name })
}

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
	// A tool's lowercase "error: " leads a count too: "error: 0 errors, 2 warnings".
	rest := strings.TrimPrefix(text, "error: ")
	for _, p := range infoPhrases {
		if hasPrefixFold(text, p) || hasPrefixFold(rest, p) {
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
