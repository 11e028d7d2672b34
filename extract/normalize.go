package extract

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLineBytes bounds how much of one log line is looked at, so a line of
// megabytes (a dumped tensor, a base64 blob) costs no more than a normal one.
const maxLineBytes = 16 << 10

var (
	// ansiEscape matches CSI/OSC escape sequences and bare ESC pairs.
	// A CSI's parameters are any of 0-9 : ; < = > ?, so SGR written with
	// ECMA-48's ':' subparameters ("\x1b[38:5:196m") goes too.
	ansiEscape = regexp.MustCompile(`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]`)

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

// level is a line's severity, as far as the extractor cares.
type level uint8

const (
	levelUnknown level = iota // none given, or DEFAULT
	levelQuiet                // below WARNING: DEBUG, INFO, NOTICE
	levelWarning              // WARNING: the program went on
	levelError                // ERROR and above
)

// quietLevels are the levels below WARNING, warningLevels and errorLevels
// the others a JSON line can name. DEFAULT, Cloud Logging's severity for an
// entry that gave none, is unknown, not quiet.
var (
	quietLevels   = []string{"DEBUG", "INFO", "NOTICE", "TRACE"}
	warningLevels = []string{"WARNING", "WARN"}
	errorLevels   = []string{"ERROR", "ERR", "CRITICAL", "FATAL", "PANIC", "ALERT", "EMERGENCY"}
)

// levelOf names the level of a JSON line's severity, level or levelname.
func levelOf(name string) level {
	name = strings.ToUpper(name)
	switch {
	case slices.Contains(quietLevels, name):
		return levelQuiet
	case slices.Contains(warningLevels, name):
		return levelWarning
	case slices.Contains(errorLevels, name):
		return levelError
	}
	return levelUnknown
}

// textLevel matches the level a line starts with once its timestamps and
// tags are gone, which the rules still read: Python's "WARNING:root:",
// glog's "W1129 10:05:03…" and "E1129 …", "[WARN]", "ERROR: …".
var textLevel = regexp.MustCompile(`^\[?(?:(WARNING|WARN|W\d{4})|(ERROR|FATAL|CRITICAL|PANIC|[EF]\d{4}))\b`)

// normalize turns one raw log line into text ready for the rules: clean,
// known prefixes removed, a JSON line's message decoded, and its level.
func normalize(raw string) (string, level) {
	return parse(clean(raw))
}

// clean makes a raw line valid UTF-8 of at most maxLineBytes, without ANSI
// codes, control characters or U+FFFD, and trims it.
func clean(s string) string { return strings.TrimSpace(strip(s)) }

// Clean makes a raw log line fit to show a person as the error line is made
// (valid UTF-8 of at most 16 KiB, without ANSI codes, carriage returns or
// other control characters), but keeps its indentation, as a traceback's:
// for the lines shown around the error.
func Clean(s string) string { return strings.TrimRightFunc(strip(s), unicode.IsSpace) }

// strip makes a raw line valid UTF-8 of at most maxLineBytes, without ANSI
// codes, control characters (made spaces) or U+FFFD. Most lines are
// printable ASCII, which one look at every byte tells.
func strip(s string) string {
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
		junk = junk || strings.IndexFunc(s, unprintable) >= 0
	}
	if junk {
		s = ansiEscape.ReplaceAllString(s, "")
		s = strings.Map(func(r rune) rune {
			switch {
			case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029':
				return ' '
			case unprintable(r):
				return -1
			}
			return r
		}, s)
	}
	return s
}

// unprintable reports a rune that is not text: U+FFFD, what invalid bytes
// became; a non-ASCII control (C1); a format character (category Cf: the
// right-to-left override U+202E, the zero width space U+200B, U+FEFF),
// which could make a message show other than it reads; a line or paragraph
// separator. ASCII ones are handled apart.
func unprintable(r rune) bool {
	return r >= utf8.RuneSelf && (r == utf8.RuneError || r == '\u2028' || r == '\u2029' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r))
}

// parse turns a cleaned line into the text the rules see, and its level:
// a JSON line's, else a quiet prefix's, else the one its text starts with.
func parse(s string) (string, level) {
	lv := levelUnknown
	if strings.HasPrefix(s, "{") {
		if msg, l, ok := decodeJSONLine(s); ok {
			s, lv = cleanDecoded(msg), l
		}
	} else if strings.Contains(s, "msg=") {
		if msg, l, ok := decodeLogfmt(s); ok {
			s, lv = cleanDecoded(msg), l
		}
	}
	s, quiet := stripPrefixes(s)
	if msg, ok := fieldMessage(s); ok {
		s = cleanDecoded(msg)
	}
	switch {
	case quiet:
		lv = levelQuiet
	case lv != levelUnknown:
	case s == "" || strings.IndexByte("[WEFCP", s[0]) < 0:
	default:
		if m := textLevel.FindStringSubmatchIndex(s[:min(len(s), 16)]); m != nil {
			lv = levelError
			if m[2] >= 0 {
				lv = levelWarning
			}
		}
	}
	return s, lv
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

// decodeJSONLine reads the message of a structured log line and its
// level: its severity (Cloud Logging), else its level or levelname
// (Python's and Go's JSON loggers); a level that is not a string says
// nothing. When the message says no more than that something failed
// ("upload failed", "Unhandled exception"), the cause a logger puts in
// another field follows it: zap's and logrus's "error", "err", structlog's
// "exception", python-json-logger's "exc_info" (a traceback, whose lines
// are read like an escaped one's).
func decodeJSONLine(s string) (message string, lv level, ok bool) {
	var entry struct {
		Message, Msg               *string
		Severity, Level, Levelname any
		Error, Err, Exception      any
		ExcInfo                    any `json:"exc_info"`
	}
	if json.Unmarshal([]byte(s), &entry) != nil {
		return "", levelUnknown, false
	}
	switch {
	case entry.Message != nil:
		message = *entry.Message
	case entry.Msg != nil:
		message = *entry.Msg
	}
	cause := ""
	for _, c := range []any{entry.Error, entry.Err, entry.Exception, entry.ExcInfo} {
		if c := causeText(c); c != "" {
			cause = c
			break
		}
	}
	if cause == "" && entry.Message == nil && entry.Msg == nil {
		return "", levelUnknown, false
	}
	message = withCause(message, cause)
	for _, l := range []any{entry.Severity, entry.Level, entry.Levelname} {
		if name, _ := l.(string); name != "" && !strings.EqualFold(name, "DEFAULT") {
			return message, levelOf(name), true
		}
	}
	return message, levelUnknown, true
}

// causeText is the text of an error field: a string, or the message of an
// error object (pino's and winston's serializers: {"type": "Error",
// "message": "connect ECONNREFUSED …", "stack": "…"}).
func causeText(field any) string {
	switch c := field.(type) {
	case string:
		return strings.TrimSpace(c)
	case map[string]any:
		for _, key := range []string{"message", "msg", "error"} {
			if m, ok := c[key].(string); ok && strings.TrimSpace(m) != "" {
				return strings.TrimSpace(m)
			}
		}
	}
	return ""
}

// withCause follows a message that says no more than that something
// failed ("upload failed", "Unhandled exception") with the cause a logger
// gave in another field.
func withCause(message, cause string) string {
	if cause == "" || namesCause(message) {
		return message
	}
	sep := ": "
	if strings.Contains(cause, "\n") {
		sep = "\n"
	}
	message = strings.TrimRight(strings.TrimSpace(message), ".:") + sep + cause
	return strings.TrimPrefix(message, sep)
}

// logfmtPair matches one key=value of a logfmt line (Go's log/slog
// TextHandler, logrus, go-kit): value bare or double-quoted with escapes.
var logfmtPair = regexp.MustCompile(`(?:^|\s)([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)`)

// decodeLogfmt reads a logfmt line as decodeJSONLine reads a JSON one:
// "level=error msg="failed to pull" err="rpc error: code = …"" gives its
// msg, its err when msg names no cause, and its level. A line is logfmt
// when it has a msg and a level.
func decodeLogfmt(s string) (message string, lv level, ok bool) {
	var levelName, cause string
	var hasMsg bool
	for _, m := range logfmtPair.FindAllStringSubmatch(s, -1) {
		value := m[2]
		if strings.HasPrefix(value, `"`) {
			if json.Unmarshal([]byte(value), &value) != nil {
				value = strings.Trim(value, `"`)
			}
		}
		switch strings.ToLower(m[1]) {
		case "msg", "message":
			message, hasMsg = value, true
		case "level", "lvl", "severity":
			levelName = value
		case "err", "error", "exception":
			if cause == "" {
				cause = strings.TrimSpace(value)
			}
		}
	}
	if !hasMsg || levelName == "" {
		return "", levelUnknown, false
	}
	return withCause(message, cause), levelOf(levelName), true
}

// namesCause reports whether a message is an error line that a rule other
// than a vague one reads.
func namesCause(message string) bool {
	text, _ := stripPrefixes(cleanDecoded(message))
	found := keywords.find(text)
	for i, r := range rules {
		if found.rules&(1<<i) != 0 && !r.vague && r.re.MatchString(text) {
			return true
		}
	}
	return false
}
