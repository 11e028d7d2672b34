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

// ansiEscape matches CSI/OSC escape sequences and the bare "[1m" remnants
// left when a log pipeline drops the ESC byte.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]`)

// infoPrefixes start the lines that the launcher wrapper prints as progress:
// they can contain "error" ("⏳ Monitoring for fatal errors...") but never
// report one.
var infoPrefixes = []string{"⏱", "⏳", "ℹ", "🔍", "💓", "✅", "🚀", "▶", "🧹", "📜", "🛑", "🔄", "📦", "🐍"}

// infoPhrases mark lines that talk about errors without having one.
var infoPhrases = []string{
	"monitoring for", "checking for", "watching for", "looking for", "scanning for",
	"errors: 0", "error_count: 0", "0 errors", "no errors", "retrying on error", "without error",
	"error rate: 0", "errors=0",
	// Python warnings ("…/_default.py:76: UserWarning: … "quota exceeded" …") never end a run.
	"userwarning:", "deprecationwarning:", "futurewarning:", "runtimewarning:", "resourcewarning:", "pendingdeprecationwarning:",
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
	if flaws := flawsOf(s); flaws != 0 {
		s = sanitize(s, flaws)
	}
	s = trimSpace(s)

	if strings.HasPrefix(s, "{") {
		if msg, severity, ok := decodeJSONLine(s); ok {
			s = cleanDecoded(msg)
			quiet = quietSeverities[strings.ToUpper(severity)]
		}
	}
	s = stripPrefixes(s)
	if quoted, ok := messageField(s); ok {
		var msg string
		if json.Unmarshal([]byte(quoted), &msg) == nil {
			s = cleanDecoded(msg)
		}
	}
	return s, quiet
}

// cleanDecoded cleans a message decoded from JSON like a raw line. Its
// newlines become a literal "\n", so a traceback logged as one JSON
// message is split into its lines like one escaped by hand.
func cleanDecoded(msg string) string {
	msg = strings.ReplaceAll(msg, "\n", `\n`)
	if flaws := flawsOf(msg); flaws != 0 {
		msg = sanitize(msg, flaws)
	}
	return trimSpace(msg)
}

// flaw is something sanitize has to mend in a line.
type flaw uint8

const (
	flawInvalid     flaw = 1 << iota // invalid UTF-8
	flawControl                      // a control byte (below 0x20, or DEL), maybe of an ANSI code
	flawReplacement                  // U+FFFD
)

// flawsOf finds, in one pass, what sanitize has to mend in s: most lines
// are printable ASCII, which it checks eight bytes at a time.
func flawsOf(s string) flaw {
	var flaws flaw
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Above 0x7f, below 0x20 (borrows), or 0x7f (carries).
			if x := load64(s[i:]); (x|(x-0x20*ones)|(x+ones))&highs == 0 {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				flaws |= flawControl
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError {
			if n == 1 {
				flaws |= flawInvalid
			} else {
				flaws |= flawReplacement
			}
		}
		i += n
	}
	return flaws
}

// sanitize makes s, which has flaws, valid UTF-8 without ANSI codes or
// control characters.
func sanitize(s string, flaws flaw) string {
	if flaws&flawInvalid != 0 {
		s = strings.ToValidUTF8(s, "")
		flaws = flawsOf(s)
	}
	if flaws&flawControl != 0 && strings.IndexByte(s, 0x1b) >= 0 {
		s = ansiEscape.ReplaceAllString(s, "")
	}
	if flaws&(flawControl|flawReplacement) != 0 {
		s = stripControl(s)
	}
	return s
}

// trimSpace is strings.TrimSpace, without its slow path for the many lines
// that start or end with an emoji.
func trimSpace(s string) string {
	for s != "" {
		r, n := rune(s[0]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s)
		}
		if !isUnicodeSpace(r) {
			break
		}
		s = s[n:]
	}
	for s != "" {
		r, n := rune(s[len(s)-1]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeLastRuneInString(s)
		}
		if !isUnicodeSpace(r) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// isUnicodeSpace is unicode.IsSpace, with ASCII decided inline.
func isUnicodeSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	return unicode.IsSpace(r)
}

// messageField returns the quoted JSON string of a "message" field printed
// on a line of its own, as in the JSON body of a Google API error or a
// protobuf text dump: what `^"?message"?\s*:\s*("(?:[^"\\]|\\.)*")\s*,?$`
// captures, read by hand as it is tried on every line.
func messageField(s string) (string, bool) {
	if !strings.HasPrefix(s, `"message"`) && !strings.HasPrefix(s, "message") {
		return "", false // `"message :` would match, but never was tried
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, `"`), "message")
	s, ok := strings.CutPrefix(trimRegexpSpace(strings.TrimPrefix(s, `"`)), ":")
	if !ok {
		return "", false
	}
	s = trimRegexpSpace(s)
	n := quotedLen(s)
	if n == 0 {
		return "", false
	}
	if rest := strings.TrimPrefix(trimRegexpSpace(s[n:]), ","); rest != "" {
		return "", false
	}
	return s[:n], true
}

// quotedLen is the length of the double-quoted string, with backslash
// escapes, that starts s; 0 if none does.
func quotedLen(s string) int {
	if !strings.HasPrefix(s, `"`) {
		return 0
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			return i + 1
		case '\\':
			if i+1 == len(s) || s[i+1] == '\n' {
				return 0
			}
			i++
		}
	}
	return 0
}

// trimRegexpSpace removes the blanks a regexp's \s matches from the start of s.
func trimRegexpSpace(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

// stripPrefixes removes timestamps, relay tags and the W&B CLI's "wandb: "
// and "wandb: ERROR " prefixes, so rules see the message itself.
func stripPrefixes(s string) string {
	for {
		n := len(s)
		if len(s) > 10 && (s[0] == '[' || isDigit(s[0])) {
			s = s[timestampLen(s):]
		}
		if strings.HasPrefix(s, "[") {
			s = s[relayLen(s):]
		}
		if rest, ok := strings.CutPrefix(s, "wandb: "); ok {
			s = rest
			if rest, ok := strings.CutPrefix(s, "ERROR "); ok {
				s = rest
			}
			s = trimBlanks(s)
		}
		if len(s) == n {
			return s
		}
	}
}

// timestampLen is the length of the timestamp that wrappers and loggers put
// before a line, so that numbers inside it (…10:05:03.503) are never read
// as statuses; 0 if s starts with none. It reads what the regexp
// `^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?\s*`
// would match, without the cost of one on most lines.
func timestampLen(s string) int {
	if n := dateTimeLen(s); n > 0 {
		return n
	}
	return timeOnlyLen(s)
}

// dateTimeLen reads `\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d| UTC| GMT)?\]?\s*`.
func dateTimeLen(s string) int {
	i := 0
	if i < len(s) && s[i] == '[' {
		i++
	}
	// 'd' is a digit, 'T' a 'T' or a space; other bytes stand for themselves.
	const layout = "dddd-dd-ddTdd:dd:dd"
	if !fitsLayout(s[i:], layout) {
		return 0
	}
	i += len(layout)
	i += fractionLen(s[i:])
	i += zoneLen(s[i:])
	if i < len(s) && s[i] == ']' {
		i++
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// timeOnlyLen reads a clock time that wrappers print without a date,
// `\[?\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s+`: it must be followed by a blank.
func timeOnlyLen(s string) int {
	i := 0
	if i < len(s) && s[i] == '[' {
		i++
	}
	if !fitsLayout(s[i:], "dd:dd:dd") {
		return 0
	}
	i += len("dd:dd:dd")
	i += fractionLen(s[i:])
	if i < len(s) && s[i] == ']' {
		i++
	}
	start := i
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == start {
		return 0
	}
	return i
}

// fitsLayout reports whether s starts as layout says: 'd' a digit, 'T' a
// 'T' or a space, other bytes themselves.
func fitsLayout(s, layout string) bool {
	if len(s) < len(layout) {
		return false
	}
	for j := 0; j < len(layout); j++ {
		c := s[j]
		switch layout[j] {
		case 'd':
			if !isDigit(c) {
				return false
			}
		case 'T':
			if c != 'T' && c != ' ' {
				return false
			}
		default:
			if c != layout[j] {
				return false
			}
		}
	}
	return true
}

// fractionLen is the length of the fractional seconds (".536") that start s.
func fractionLen(s string) int {
	if len(s) < 2 || (s[0] != '.' && s[0] != ',') || !isDigit(s[1]) {
		return 0
	}
	i := 2
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// zoneLen is the length of the zone ("Z", "+02:00", "-0700", " UTC") that starts s, or 0.
func zoneLen(s string) int {
	switch {
	case s == "":
		return 0
	case strings.HasPrefix(s, " UTC") || strings.HasPrefix(s, " GMT"):
		return 4
	case s[0] == 'Z':
		return 1
	case s[0] != '+' && s[0] != '-' || !digits(s[1:], 2):
		return 0
	case len(s) > 3 && s[3] == ':' && digits(s[4:], 2):
		return 6
	case digits(s[3:], 2):
		return 5
	}
	return 0
}

// relayLen is the length of the prefix of a line relayed from elsewhere
// ("[vertex] workerpool0-0: ", "[vertex] service: "), or 0: what the regexp
// `^\[[\w.-]+\] [\w.-]+: ?` would match.
func relayLen(s string) int {
	if s == "" || s[0] != '[' {
		return 0
	}
	i := 1 + nameLen(s[1:])
	if i > 1 && strings.HasPrefix(s[i:], "]:") {
		// torch.distributed's rank tag: "[rank3]: ", "[default0]:".
		i += 2
		if i < len(s) && s[i] == ' ' {
			i++
		}
		return i
	}
	if i == 1 || !strings.HasPrefix(s[i:], "] ") {
		return 0
	}
	i += 2
	n := nameLen(s[i:])
	if n == 0 || !strings.HasPrefix(s[i+n:], ":") {
		return 0
	}
	i += n + 1
	if i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// nameLen is the length of the run of [\w.-] that starts s.
func nameLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && c != '_' && c != '.' && c != '-' {
			return i
		}
	}
	return len(s)
}

// trimBlanks removes the spaces and tabs that start s.
func trimBlanks(s string) string {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return s[i:]
}

// digits reports whether s starts with n ASCII digits.
func digits(s string, n int) bool {
	if len(s) < n {
		return false
	}
	for i := range n {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isSpace is the regexp class \s: ASCII blanks only.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// infoStarts holds the first bytes of infoPrefixes and loggerInfoPrefixes,
// so that most lines are cleared with one look-up.
var infoStarts = func() (starts [256]bool) {
	for _, p := range slices.Concat(infoPrefixes, loggerInfoPrefixes) {
		starts[p[0]] = true
	}
	return starts
}()

// hasInfoPrefix reports whether a cleaned line starts as progress chatter.
func hasInfoPrefix(s string) bool {
	if s == "" || !infoStarts[s[0]] {
		return false
	}
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
// line of a terminal or a notification. s must be valid UTF-8, where
// "\uFFFD" is the only U+FFFD and no byte of another rune is below 0x80.
func stripControl(s string) string {
	if !hasControl(s) && !strings.Contains(s, "\uFFFD") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			b = append(b, ' ')
		case c == 0xef && strings.HasPrefix(s[i:], "\uFFFD"):
			i += len("\uFFFD") - 1
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// Lines are checked eight bytes at a time, each byte reporting in its high
// bit; a borrow or carry across bytes only ever comes from a byte that
// reports, so a word reports exactly when one of its bytes does.
const ones, highs = 0x0101010101010101, 0x8080808080808080

// load64 reads the first eight bytes of s as one little-endian word.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// hasControl reports whether s holds a byte below 0x20 or DEL.
func hasControl(s string) bool {
	for ; len(s) >= 8; s = s[8:] {
		x := load64(s)
		del := x ^ 0x7f*ones
		// Below 0x20 (borrows, unless above 0x7f), or a zero byte of del.
		if ((x-0x20*ones)&^x|(del-ones)&^del)&highs != 0 {
			return true
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
