package extract

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxLineBytes bounds how much of one log line is looked at, so a line of
// megabytes (a dumped tensor, a base64 blob) costs no more than a normal one.
const maxLineBytes = 16 << 10

var (
	// ansiEscape matches CSI/OSC escape sequences and bare ESC pairs.
	ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]`)

	// linePrefix matches what loggers and relays put before a message, one
	// at a time: a timestamp ("[2024-05-14 10:05:03.503] ", "10:05:03 "), so
	// that its numbers are never read as statuses; a relay tag ("[vertex]
	// workerpool0-0: ", torch's "[rank3]: "); a quiet level ("INFO:root:",
	// "DEBUG: "). The W&B CLI's "wandb: ERROR " is cut by hand, being common.
	linePrefix = regexp.MustCompile(`^(?:` +
		`\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d| UTC| GMT)?\]?\s*` +
		`|\[?\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s+` +
		`|\[[\w.-]+\] [\w.-]+: ?|\[[\w.-]+\]: ?` +
		`|(DEBUG|INFO|NOTICE)(?::[\w.]*:|:|\s)\s*)`)

	// messageField is a "message" field on a line of its own, as in the JSON
	// body of a Google API error or a protobuf or YAML dump: `message: "…"`,
	// `"message": "…",`, `message: '…'`, also when a relay cut it short
	// before its closing quote.
	messageField = regexp.MustCompile(`^"?message"?\s*:\s*(?:"((?:[^"\\]|\\.)*)(?:"\s*,?)?|'([^']*)'?\s*,?)$`)
)

// quietLevels are the levels below WARNING. DEFAULT, Cloud Logging's
// severity for an entry that gave none, is unknown, not quiet.
var quietLevels = []string{"DEBUG", "INFO", "NOTICE", "TRACE"}

// normalize turns one raw log line into text ready for the rules: clean,
// known prefixes removed, a JSON line's message decoded; quiet says that
// its level is below WARNING.
func normalize(raw string) (text string, quiet bool) {
	return parse(clean(raw))
}

// clean makes a raw line valid UTF-8 of at most maxLineBytes, without ANSI
// codes, control characters or U+FFFD, and trims it. Most lines are
// printable ASCII, which one look at every byte tells.
func clean(s string) string {
	if len(s) > maxLineBytes {
		s = s[:maxLineBytes]
	}
	var high, junk bool
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			high = high || c >= utf8.RuneSelf
			junk = junk || c < utf8.RuneSelf
		}
	}
	if high {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "")
		}
		junk = junk || strings.Contains(s, "\uFFFD")
	}
	if junk {
		s = ansiEscape.ReplaceAllString(s, "")
		s = strings.Map(func(r rune) rune {
			switch {
			case r == utf8.RuneError:
				return -1
			case r < 0x20 || r == 0x7f:
				return ' '
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s)
}

// parse turns a cleaned line into the text the rules see.
func parse(s string) (text string, quiet bool) {
	if strings.HasPrefix(s, "{") {
		if msg, q, ok := decodeJSONLine(s); ok {
			s, quiet = cleanDecoded(msg), q
		}
	}
	s, q := stripPrefixes(s)
	if msg, ok := fieldMessage(s); ok {
		s = cleanDecoded(msg)
	}
	return s, quiet || q
}

// stripPrefixes removes every prefix that starts s; quiet says that one
// was a quiet level. A prefix is short: the regexp only reads the head of
// s, and only when s starts as a prefix can.
func stripPrefixes(s string) (_ string, quiet bool) {
	for s != "" {
		if rest, ok := strings.CutPrefix(s, "wandb: "); ok {
			s = strings.TrimLeft(strings.TrimPrefix(rest, "ERROR "), " \t")
			continue
		}
		if strings.IndexByte("[0123456789DIN", s[0]) < 0 {
			break
		}
		m := linePrefix.FindStringSubmatchIndex(s[:min(len(s), 64)])
		if m == nil || m[1] == 0 {
			break
		}
		quiet = quiet || m[2] >= 0
		s = s[m[1]:]
	}
	return s, quiet
}

// fieldMessage decodes the string of a line that is a "message" field.
func fieldMessage(s string) (string, bool) {
	if !strings.HasPrefix(s, "message") && !strings.HasPrefix(s, `"message"`) {
		return "", false
	}
	m := messageField.FindStringSubmatchIndex(s)
	switch {
	case m == nil:
		return "", false
	case m[4] >= 0: // single-quoted, as YAML has it
		return s[m[4]:m[5]], true
	}
	var msg string
	if json.Unmarshal([]byte(`"`+s[m[2]:m[3]]+`"`), &msg) != nil {
		return "", false
	}
	return msg, true
}

// cleanDecoded cleans a message decoded from JSON like a raw line. Its
// newlines become a literal "\n", so a traceback logged as one JSON
// message is split into its lines like one escaped by hand.
func cleanDecoded(msg string) string {
	return clean(strings.ReplaceAll(msg, "\n", `\n`))
}

// decodeJSONLine reads the message of a structured log line, and whether
// its severity (Cloud Logging), else its level or levelname (Python's and
// Go's JSON loggers), is quiet; a level that is not a string says nothing.
func decodeJSONLine(s string) (message string, quiet, ok bool) {
	var entry struct {
		Message, Msg               *string
		Severity, Level, Levelname any
	}
	if json.Unmarshal([]byte(s), &entry) != nil {
		return "", false, false
	}
	switch {
	case entry.Message != nil:
		message = *entry.Message
	case entry.Msg != nil:
		message = *entry.Msg
	default:
		return "", false, false
	}
	for _, l := range []any{entry.Severity, entry.Level, entry.Levelname} {
		if name, _ := l.(string); name != "" && !strings.EqualFold(name, "DEFAULT") {
			return message, slices.Contains(quietLevels, strings.ToUpper(name)), true
		}
	}
	return message, false, true
}
