package extract

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

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
var statusPrefix = regexp.MustCompile(`(?:^|\s)(?:[a-z_][a-z0-9_]*\.)*([A-Z]\w*: \d{3}) `)

// statusOnly matches a message that ends with a bare HTTP status, as the
// Java client's "GoogleJsonResponseException: 404 Not Found", whose body
// follows on the lines below (after the request's method and URL).
var statusOnly = regexp.MustCompile(`: \d{3}(?: [A-Z][a-z]+)*$`)

// bodyBelow reports whether a JSON body opens on one of the two lines
// after line.
func bodyBelow(lines []string, line int) bool {
	for _, raw := range lines[line+1 : min(line+3, len(lines))] {
		if clean(raw) == "{" {
			return true
		}
	}
	return false
}

// withBodyMessage replaces a message that only opens a JSON error body
// ("NotFound: 404 POST https://…: {") by the body's "message" field,
// which says what went wrong, keeping the class and status.
func withBodyMessage(msg string, lines []string, line int) string {
	if !strings.HasSuffix(strings.TrimSpace(msg), "{") && !(statusOnly.MatchString(msg) && bodyBelow(lines, line)) {
		return msg
	}
	for _, raw := range lines[line+1 : min(line+1+bodyLines, len(lines))] {
		field, _ := stripPrefixes(clean(raw))
		text, ok := fieldMessage(field)
		if text = cleanDecoded(text); !ok || text == "" {
			continue
		}
		if m := statusPrefix.FindStringSubmatch(msg); m != nil {
			return m[1] + " " + text
		}
		return text
	}
	return msg
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
	return shorten(s)
}

// objectRepr is a Python object's default repr ("<urllib3.connection.
// HTTPConnection object at 0x7f2c1a3b5e50>"), which a long message can
// spare.
var objectRepr = regexp.MustCompile(`<[\w.]+ object at 0x[0-9a-fA-F]+>`)

// shorten makes a message of more than MaxMessageRunes runes fit: it
// drops object reprs, then cuts it, saying so with "…". A long line's
// reason is mostly at its start, but the last cause of a chain told in
// one line ("… (Caused by NewConnectionError(…: Connection refused))") is
// kept; where a runtime puts the reason at the end (a Node rejection's),
// its crash shape reads it (see crashShapes).
func shorten(s string) string {
	s = objectRepr.ReplaceAllString(s, "")
	if runeLen(s) <= MaxMessageRunes {
		return s
	}
	if i := strings.LastIndex(lowerASCII(s), "caused by"); i > 0 {
		// The last cause says why; the start says what was being done.
		cause := []rune(s[i:])
		cause = cause[max(0, len(cause)-causeRunes):]
		head, sep := cutRunes(strings.TrimRight(s[:i], " ("), MaxMessageRunes-len(cause)-3), " … "
		if strings.HasSuffix(head, "…") {
			sep = " "
		}
		return head + sep + string(cause)
	}
	return cutRunes(s, MaxMessageRunes)
}

// causeRunes is the most of a long message's last cause shorten keeps.
const causeRunes = 110

// cutRunes cuts s to at most n runes, saying so with "…".
func cutRunes(s string, n int) string {
	if runeLen(s) <= n {
		return s
	}
	cut, k := 0, 0
	for i := range s {
		if k == n-1 {
			cut = i
			break
		}
		k++
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
