package extract

import (
	"strings"
	"testing"
	"unicode"
)

func TestCleanLeavesOnePrintableLine(t *testing.T) {
	for raw, want := range map[string]string{
		"  plain  ":                            "plain",
		"\x1b[31mred\x1b[0m \x1b]0;title\x07x": "red x",
		"tab\there\r":                          "tab here",
		"bad \xff\xfebytes":                    "bad bytes",
		"repl\uFFFDaced":                       "replaced",
		"✅ emoji\u00a0":                        "✅ emoji",
		"\x1b[38:5:196mcolon\x1b[0m":           "colon",
		"rtl \u202egnp.exe\u200b\ufeff\u0085x": "rtl gnp.exex",
	} {
		if got := clean(raw); got != want {
			t.Errorf("clean(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestPrefixesAreStripped(t *testing.T) {
	for line, want := range map[string]string{
		"[2024-05-14 10:14:07.536] x":                  "x",
		"2024-05-14T10:14:07.536Z x":                   "x",
		"2024-05-14 10:14:07,5+05:30 x":                "x",
		"10:14:07 x":                                   "x",
		"[vertex] workerpool0-0: x":                    "x",
		"[rank3]: x":                                   "x",
		"wandb: ERROR x":                               "x",
		"[2024-05-14 10:14:07] wandb: [vertex] svc: x": "x",
		"2024-5-14 10:14:07 x":                         "2024-5-14 10:14:07 x",
		"404 Not Found":                                "404 Not Found",
		"[x] y":                                        "[x] y",
		"wandbx: y":                                    "wandbx: y",
		"2024-05-14T10:14:07Z" + strings.Repeat(" ", 80): "",
	} {
		if got, _ := stripPrefixes(line); strings.TrimSpace(got) != want {
			t.Errorf("stripPrefixes(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestMessageFieldIsDecoded(t *testing.T) {
	for line, want := range map[string]string{
		`"message": "quota \"x\" exceeded",`: `quota "x" exceeded`,
		`message: "a\nb"`:                    `a\nb`,
		`"message": 3`:                       `"message": 3`,
		`message: "cut \"short`:              `cut "short`,
		`message: 'single quoted'`:           `single quoted`,
		`"message":"x" ,`:                    `x`,
		`messages: "x"`:                      `messages: "x"`,
	} {
		if got, _ := parse(line); got != want {
			t.Errorf("parse(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestKeywordSetFindsEveryKeywordIgnoringCase(t *testing.T) {
	k := newKeywordSet([]keyword{{"error", hits{rules: 1}}, {"err", hits{rules: 2}}, {"❌ x", hits{rules: 4}}, {"quota", hits{flags: flagWarning}}})
	for text, want := range map[string]hits{
		"":                  {},
		"er":                {},
		"ERR":               {rules: 2},
		"an Error!":         {rules: 3},
		"❌ X then QUOTA@":   {rules: 4, flags: flagWarning},
		"e\x00rror ❌x quot": {},
	} {
		if got := k.find(text); got != want {
			t.Errorf("find(%q) = %+v, want %+v", text, got, want)
		}
	}
}

// The message is plain text on one line, safe from untrusted text: a log
// line's Unicode format controls (a right-to-left override reverses what
// follows on screen, as in "\u202egnp.exe") never reach a notification or
// the tray.
// Found by the review of issue 8.
func TestMessageHoldsNoFormatControls(t *testing.T) {
	got := Extract([]string{"ValueError: invalid file \u202egnp.exe\u200b\ufeff"})
	for _, r := range got.Message {
		if unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r) {
			t.Fatalf("message %q holds the control %U", got.Message, r)
		}
	}
}

// Clean, for the lines shown around the error, drops what clean drops
// (ANSI codes, carriage returns) but keeps a line's indentation.
func TestCleanKeepsIndentationAndDropsTerminalCodes(t *testing.T) {
	for raw, want := range map[string]string{
		"\x1b[1;31mValueError: bad\x1b[0m\r": "ValueError: bad",
		"  File \"train.py\", line 3\r":      `  File "train.py", line 3`,
		"\x1b[32mepoch 1\x1b[0m 10%\r100%":   "epoch 1 10% 100%",
		"    x = y  ":                        "    x = y",
		"plain":                              "plain",
	} {
		if got := Clean(raw); got != want {
			t.Errorf("Clean(%q) = %q, want %q", raw, got, want)
		}
		if got, want := Clean(raw), clean(raw); strings.TrimSpace(got) != want {
			t.Errorf("Clean(%q) = %q, but the error line would be %q", raw, got, want)
		}
	}
}
