package extract

import (
	"encoding/json"
	"math/bits"
	"regexp"
	"strings"
	"unicode/utf8"
)

// This file keeps Extract as it was first written, plain and slow, as the
// oracle that the fast paths (the keyword automaton, the gates, the
// match-only regexps, the lazy classification and the hand-written prefix
// parsers) must agree with on every input. It shares the rule table, the
// phrase lists and the JSON decoding with the package, and nothing else.

var (
	refTimestampPrefix = regexp.MustCompile(`^(?:\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d| UTC| GMT)?\]?\s*|\[?\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s+)`)
	refRelayPrefix     = regexp.MustCompile(`^(?:\[[\w.-]+\] [\w.-]+: ?|\[[\w.-]+\]: ?)`)
	refMessageField    = regexp.MustCompile(`^"?message"?\s*:\s*("(?:[^"\\]|\\.)*")\s*,?$`)
)

// refScan is what the keyword scan of a line found.
type refScan struct {
	rules               uint64
	marker, info, noise bool
}

// refKeywordScan finds keywords the slow way, ignoring ASCII case.
func refKeywordScan(s string) refScan {
	lower := lowerASCII(s)
	var found refScan
	for i, r := range rules {
		for _, k := range r.keywords {
			if strings.Contains(lower, lowerASCII(k)) {
				found.rules |= 1 << i
			}
		}
	}
	has := func(phrases []string) bool {
		for _, p := range phrases {
			if strings.Contains(lower, lowerASCII(p)) {
				return true
			}
		}
		return false
	}
	found.marker = has(markerPhrases)
	found.info = has(infoPhrases)
	found.noise = has(noisePhrases)
	return found
}

func refNormalize(raw string) (string, bool) {
	s := raw
	quiet := false
	if len(s) > maxLineBytes {
		s = s[:maxLineBytes]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = ansiEscape.ReplaceAllString(s, "")
	}
	s = refStripControl(s)
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		if msg, severity, ok := decodeJSONLine(s); ok {
			s = refDecoded(msg)
			quiet = quietSeverities[strings.ToUpper(severity)]
		}
	}
	s = refStripPrefixes(s)
	if strings.HasPrefix(s, `"message"`) || strings.HasPrefix(s, "message") {
		if m := refMessageField.FindStringSubmatch(s); m != nil {
			var msg string
			if json.Unmarshal([]byte(m[1]), &msg) == nil {
				s = refDecoded(msg)
			}
		}
	}
	return s, quiet
}

func refDecoded(msg string) string {
	msg = strings.ReplaceAll(msg, "\n", `\n`)
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "")
	}
	if strings.IndexByte(msg, 0x1b) >= 0 {
		msg = ansiEscape.ReplaceAllString(msg, "")
	}
	return strings.TrimSpace(refStripControl(msg))
}

func refStripPrefixes(s string) string {
	for {
		before := s
		if len(s) > 10 && (s[0] == '[' || s[0] >= '0' && s[0] <= '9') {
			if loc := refTimestampPrefix.FindStringIndex(s); loc != nil {
				s = s[loc[1]:]
			}
		}
		if strings.HasPrefix(s, "[") {
			if loc := refRelayPrefix.FindStringIndex(s); loc != nil {
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

func refStripControl(s string) string {
	var b strings.Builder
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

func refSegments(s string) []string {
	if !strings.Contains(s, `\n`) {
		return []string{s}
	}
	parts := strings.Split(s, `\n`)
	for i, p := range parts {
		parts[i] = strings.TrimSpace(strings.Trim(strings.TrimSpace(p), `"`))
	}
	return parts
}

func refClassify(s string, hit uint64) int {
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

type refCandidate struct{ line, seg, rule int }

func refExtract(lines []string) Result {
	var cands []refCandidate
	var markers []int
	texts := make([]string, len(lines))
	for i, raw := range lines {
		text, quiet := refNormalize(raw)
		texts[i] = text
		found := refKeywordScan(text)
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
			if r := refClassify(text, found.rules); r >= 0 {
				cands = append(cands, refCandidate{line: i, rule: r})
			}
			continue
		}
		for seg, part := range refSegments(text) {
			if f := refKeywordScan(part); f.noise {
				continue
			} else if r := refClassify(part, f.rules); r >= 0 {
				cands = append(cands, refCandidate{line: i, seg: seg, rule: r})
			}
		}
	}
	near := func(c refCandidate) bool {
		for _, m := range markers {
			if c.line >= m-windowBefore && c.line <= m+windowAfter {
				return true
			}
		}
		return false
	}
	best, ok := refPick(cands, near)
	if !ok {
		best, ok = refPick(cands, func(refCandidate) bool { return true })
	}
	if !ok {
		return Result{Line: -1}
	}
	r := rules[best.rule]
	return Result{
		Found:    true,
		Message:  clip(withBodyMessage(withContinued(messageOf(r, refSegments(texts[best.line])[best.seg]), lines, best.line), lines, best.line)),
		Category: r.category,
		Rule:     r.name,
		Line:     best.line,
	}
}

func refPick(cands []refCandidate, keep func(refCandidate) bool) (refCandidate, bool) {
	var best refCandidate
	found := false
	for _, c := range cands {
		if keep(c) && (!found || c.rule <= best.rule) {
			best, found = c, true
		}
	}
	return best, found
}
