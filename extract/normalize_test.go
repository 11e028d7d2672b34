package extract

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestByteChecksAtEveryPosition puts each kind of byte the word-at-a-time
// checks look for at every position of lines of every length up to 20.
func TestByteChecksAtEveryPosition(t *testing.T) {
	specials := []string{"\x00", "\x1f", " ", "~", "\x7f", "\x80", "\xff", "é", "\uFFFD", "\xef\xbf", "\x1b[1m"}
	for n := range 21 {
		for p := 0; p < n; p++ {
			for _, sp := range specials {
				s := strings.Repeat("a", p) + sp + strings.Repeat("Z", n-p)
				var want flaw
				if !utf8.ValidString(s) {
					want |= flawInvalid
				}
				if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
					want |= flawControl
				}
				if utf8.ValidString(s) && strings.Contains(s, "\uFFFD") {
					want |= flawReplacement
				}
				if got := flawsOf(s); got != want {
					t.Errorf("flawsOf(%q) = %b, want %b", s, got, want)
				}
				if got := hasControl(s); got != (want&flawControl != 0) {
					t.Errorf("hasControl(%q) = %v", s, got)
				}
			}
		}
	}
}

func TestTrimSpaceIsStringsTrimSpace(t *testing.T) {
	for _, s := range []string{
		"", " ", " \t\v\f\r\n x \n", "\u00a0x\u0085", "\u2003🚨 x\u3000", "✅", "x\xff ", " \xc3", "\u200bx",
	} {
		if got, want := trimSpace(s), strings.TrimSpace(s); got != want {
			t.Errorf("trimSpace(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestPrefixParsersMatchTheirRegexps(t *testing.T) {
	for _, s := range append(prefixVariants,
		"2024-05-14 10:14:07", "2024-05-14T10:14:07.Z", "2024-05-14T10:14:07,123+0530x", "[2024-05-14T10:14:07-05:30",
		"2024-05-14T10:14:07+05:", "2024-05-14T10:14:07+0", "[x]  y: z", "[x] y:z", "[x] y", "[x-y.z_1] a.b: c") {
		wantTS := 0
		if loc := refTimestampPrefix.FindStringIndex(s); loc != nil {
			wantTS = loc[1]
		}
		if got := timestampLen(s); got != wantTS {
			t.Errorf("timestampLen(%q) = %d, want %d", s, got, wantTS)
		}
		wantRelay := 0
		if loc := refRelayPrefix.FindStringIndex(s); loc != nil {
			wantRelay = loc[1]
		}
		if got := relayLen(s); got != wantRelay {
			t.Errorf("relayLen(%q) = %d, want %d", s, got, wantRelay)
		}
	}
}

func TestMessageFieldMatchesItsRegexp(t *testing.T) {
	for _, s := range []string{
		`"message": "x"`, `message: "x",`, `"message" :  "a\"b\\" , `, `"message": "x" ,x`, `"message": "x\`,
		`"message": "x\` + "\n" + `y"`, `message:"x"` + "\t", `"message :"x"`, `messagex: "y"`, `"message": x`,
		`message: ""`, `"message": "é \u00e9"`,
	} {
		want, wantOK := "", false
		if strings.HasPrefix(s, `"message"`) || strings.HasPrefix(s, "message") {
			if m := refMessageField.FindStringSubmatch(s); m != nil {
				want, wantOK = m[1], true
			}
		}
		if got, ok := messageField(s); got != want || ok != wantOK {
			t.Errorf("messageField(%q) = %q, %v; want %q, %v", s, got, ok, want, wantOK)
		}
	}
}
