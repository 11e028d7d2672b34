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
var statusPrefix = regexp.MustCompile(`^(?:[a-z_][a-z0-9_]*\.)*([A-Z]\w*: \d{3}) `)

// withBodyMessage replaces a message that only opens a JSON error body
// ("NotFound: 404 POST https://…: {") by the body's "message" field,
// which says what went wrong, keeping the class and status.
func withBodyMessage(msg string, lines []string, line int) string {
	if !strings.HasSuffix(strings.TrimSpace(msg), "{") {
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
