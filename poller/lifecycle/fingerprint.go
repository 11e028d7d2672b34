package lifecycle

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// maskers replace what varies between two failures with the same cause,
// in order: URLs and paths before the numbers inside them.
var maskers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"<>)\]]+`), "<url>"},
	{regexp.MustCompile(`"[^"]*"|'[^']*'|` + "`[^`]*`"), "<q>"},
	// Paths, absolute or relative, whole: two slashes or more, or one
	// slash before a name with a file extension ("exp/model.pt"); "a/b
	// testing" or "and/or" are words.
	{regexp.MustCompile(`[\w.@+-]*(?:/[\w.@:+-]+){2,}/?|[\w.@+-]*/[\w@+-][\w.@+-]*\.[a-zA-Z][a-zA-Z0-9]{0,7}\b`), "<path>"},
	{regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`), "<id>"},
	{regexp.MustCompile(`\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\b`), "<hex>"},
	{regexp.MustCompile(`\b[\w-]*\d[\w-]*\b`), "<n>"},
}

// Masked is an error line with numbers, ids, hashes, quoted values, paths
// and URLs replaced by placeholders: two failures with the same cause have
// the same masked line. It is shown so a person sees why two errors were
// grouped.
func Masked(line string) string {
	for _, m := range maskers {
		line = m.re.ReplaceAllString(line, m.with)
	}
	return strings.Join(strings.Fields(line), " ")
}

// Fingerprint identifies a kind of error: the extractor rule that found
// the line and the masked line, hashed to a short stable string.
func Fingerprint(rule, line string) string {
	if line == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(rule + "\x00" + Masked(line)))
	return hex.EncodeToString(sum[:6])
}
