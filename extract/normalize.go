package extract

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxLineBytes bounds how much of one log line is looked at, so a line of
// megabytes (a dumped tensor, a base64 blob) costs no more than a normal one.
const maxLineBytes = 16 << 10

// ansiEscape matches CSI/OSC escape sequences and the bare "[1m" remnants
// left when a log pipeline drops the ESC byte.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]`)

// timestampPrefix matches the timestamps wrappers and loggers put before a
// line, so that numbers inside them (…10:05:03.503) are never read as statuses.
var timestampPrefix = regexp.MustCompile(`^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?\s*`)

// relayPrefix matches the prefixes of lines relayed from elsewhere:
// "[vertex] workerpool0-0: ", "[vertex] service: ".
var relayPrefix = regexp.MustCompile(`^\[[\w.-]+\] [\w.-]+: ?`)

// messageField matches a "message" field printed on a line of its own, as in
// the JSON body of a Google API error or a protobuf text dump.
var messageField = regexp.MustCompile(`^"?message"?\s*:\s*("(?:[^"\\]|\\.)*")\s*,?$`)

// infoPrefixes start the lines that the launcher wrapper prints as progress:
// they can contain "error" ("⏳ Monitoring for fatal errors...") but never
// report one.
var infoPrefixes = []string{"⏱", "⏳", "ℹ", "🔍", "💓", "✅", "🚀", "▶", "🧹", "📜", "🛑", "🔄", "📦", "🐍"}

// infoPhrases mark lines that talk about errors without having one.
var infoPhrases = []string{
	"monitoring for", "checking for", "watching for", "looking for", "scanning for", "waiting for",
	"errors: 0", "error_count: 0", "0 errors", "no errors", "retrying on error", "without error",
	"error rate: 0", "errors=0",
}

// loggerInfoPrefixes are Python logging and glog prefixes of non-error levels.
var loggerInfoPrefixes = []string{"INFO:", "DEBUG:", "INFO ", "DEBUG "}

// quietSeverities are Cloud Logging severities below WARNING.
var quietSeverities = map[string]bool{"DEFAULT": true, "DEBUG": true, "INFO": true, "NOTICE": true}

// normalize turns one raw log line into text ready for the rules: valid
// UTF-8, no ANSI codes or control characters, known prefixes removed, a JSON
// line's message decoded. quiet reports a JSON line of a severity below WARNING.
func normalize(raw string) (text string, quiet bool) {
	s := raw
	if len(s) > maxLineBytes {
		s = s[:maxLineBytes]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = ansiEscape.ReplaceAllString(s, "")
	}
	s = stripControl(s)
	s = strings.TrimSpace(s)

	if strings.HasPrefix(s, "{") {
		if msg, severity, ok := decodeJSONLine(s); ok {
			s = strings.TrimSpace(msg)
			quiet = quietSeverities[strings.ToUpper(severity)]
		}
	}
	s = stripPrefixes(s)
	if strings.HasPrefix(s, `"message"`) || strings.HasPrefix(s, "message") {
		if m := messageField.FindStringSubmatch(s); m != nil {
			var msg string
			if json.Unmarshal([]byte(m[1]), &msg) == nil {
				s = strings.TrimSpace(msg)
			}
		}
	}
	return s, quiet
}

// stripPrefixes removes timestamps, relay tags and the W&B CLI's "wandb: "
// and "wandb: ERROR " prefixes, so rules see the message itself.
func stripPrefixes(s string) string {
	for {
		before := s
		if len(s) > 10 && (s[0] == '[' || s[0] >= '0' && s[0] <= '9') {
			if loc := timestampPrefix.FindStringIndex(s); loc != nil {
				s = s[loc[1]:]
			}
		}
		if strings.HasPrefix(s, "[") {
			if loc := relayPrefix.FindStringIndex(s); loc != nil {
				s = s[loc[1]:]
			}
		}
		if rest, ok := strings.CutPrefix(s, "wandb: "); ok {
			s = rest
			if rest, ok := strings.CutPrefix(s, "ERROR "); ok {
				s = rest
			}
			s = strings.TrimLeft(s, " \t")
		}
		if s == before {
			return s
		}
	}
}

// hasInfoPrefix reports whether a cleaned line starts as progress chatter.
func hasInfoPrefix(s string) bool {
	for _, p := range infoPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	for _, p := range loggerInfoPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// decodeJSONLine reads the message and severity of a structured log line.
func decodeJSONLine(s string) (message, severity string, ok bool) {
	var entry struct {
		Message  *string `json:"message"`
		Msg      *string `json:"msg"`
		Severity string  `json:"severity"`
		Level    string  `json:"level"`
	}
	if json.Unmarshal([]byte(s), &entry) != nil {
		return "", "", false
	}
	switch {
	case entry.Message != nil:
		message = *entry.Message
	case entry.Msg != nil:
		message = *entry.Msg
	default:
		return "", "", false
	}
	severity = entry.Severity
	if severity == "" {
		severity = entry.Level
	}
	return message, severity, true
}

// stripControl replaces control characters (NUL, BEL, CR, tabs) by spaces
// and drops the Unicode replacement character, so a message prints on one
// line of a terminal or a notification.
func stripControl(s string) string {
	clean := !strings.Contains(s, "\uFFFD")
	for i := 0; clean && i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			clean = false
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
