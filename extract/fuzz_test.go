package extract

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzExtract checks that no input panics or yields a message that is not
// one valid UTF-8 line of at most MaxMessageRunes runes.
func FuzzExtract(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(strings.Join(c.Lines, "\n"))
	}
	f.Add("\x1b[31mValueError\x1b[0m: \xff\xfe")
	f.Add(`Traceback\nKeyError: 'x'\n`)
	f.Fuzz(func(t *testing.T, log string) {
		got := Extract(strings.Split(log, "\n"))
		if !utf8.ValidString(got.Message) {
			t.Fatalf("invalid UTF-8: %q", got.Message)
		}
		if n := utf8.RuneCountInString(got.Message); n > MaxMessageRunes {
			t.Fatalf("%d runes", n)
		}
		if i := strings.IndexFunc(got.Message, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }); i >= 0 {
			t.Fatalf("not one clean line: %q", got.Message)
		}
		if got.Found != (got.Message != "") {
			t.Fatalf("found=%v with message %q", got.Found, got.Message)
		}
	})
}
