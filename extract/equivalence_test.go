package extract

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// linePool is every corpus line and rule example, the material variants
// are made of.
func linePool(t testing.TB) []string {
	pool := append([]string(nil), ruleExamples...)
	for _, c := range loadCorpus(t) {
		pool = append(pool, c.Lines...)
	}
	return pool
}

// prefixVariants are prefixes the cleaning code must strip, or must not.
var prefixVariants = []string{
	"[2024-05-14 10:14:07.536] ", "2024-05-14T10:14:07.536Z ", "2024-05-14T10:14:07Z", "[2024-05-14T10:14:07,5+05:30]  ",
	"2024-05-14 10:14:07.+0530 ", "2024-05-14 10:14:07+05:3 ", "2024-05-14 10:14:07-0530]\t", "[2024-05-14 10:14:07",
	"2024-05-14X10:14:07 ", "2024-5-14 10:14:07 ", "12345678901 ", "[vertex] workerpool0-0: ", "[vertex] service:",
	"[a.b-c] x_y: ", "[vertex]  w: ", "[] x: ", "wandb: ", "wandb: ERROR ", "wandb: ERROR  \t ", "wandb:ERROR ",
	"[2024-05-14 10:14:07.536] wandb: ERROR ", "wandb: [vertex] w: 2024-05-14T10:14:07Z ", "ERROR ", "E0514 ",
	"Error: ", "panic: ", "❌ ", "🚨 FATAL ERROR DETECTED: ", "INFO:", "ℹ️ ", `"message": `, "message: ", `"message :`,
	`  File "`, "status: ", "Traceback (most recent call last): ", "Container called exit(1). ",
}

// randomTimestamp is a timestamp, maybe slightly broken.
func randomTimestamp(r *rand.Rand) string {
	b := []byte([]string{"[2024-05-14T10:14:07.536+05:30] ", "2024-05-14 10:14:07,5Z\t", "2024-05-14T10:14:07-0700"}[r.IntN(3)])
	const alphabet = "0123456789-:T .,Z+[]\tx"
	for range r.IntN(4) {
		p := r.IntN(len(b))
		switch r.IntN(3) {
		case 0:
			b[p] = alphabet[r.IntN(len(alphabet))]
		case 1:
			b = append(b[:p], b[p+1:]...)
		default:
			b = append(b[:p], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[p:]...)...)
		}
		if len(b) == 0 {
			break
		}
	}
	return string(b)
}

// mutate changes a line the ways logs do: prefixes, JSON, case, escapes,
// control bytes, invalid UTF-8, runes that fold to ASCII, length.
func mutate(r *rand.Rand, pool []string, s string) string {
	for range 1 + r.IntN(3) {
		switch r.IntN(14) {
		case 0:
			s = prefixVariants[r.IntN(len(prefixVariants))] + s
		case 1:
			s = randomTimestamp(r) + s
		case 2:
			m := map[string]string{[]string{"message", "msg"}[r.IntN(2)]: s}
			if sev := []string{"", "INFO", "ERROR", "debug"}[r.IntN(4)]; sev != "" {
				m[[]string{"severity", "level"}[r.IntN(2)]] = sev
			}
			b, _ := json.Marshal(m)
			s = string(b)
		case 3:
			b, _ := json.Marshal(s)
			s = []string{`"message": `, `message: `, `"message" : `}[r.IntN(3)] + string(b) + []string{"", ",", " ,", "x"}[r.IntN(4)]
		case 4:
			s = strings.ToUpper(s)
		case 5:
			s = strings.NewReplacer("k", "\u212a", "s", "\u017f").Replace(s)
		case 6, 7:
			ins := []string{"\x1b[31m", "\x1b]0;t\x07", "\x00", "\t", "\x7f", "\xff", "\uFFFD", "\n", `\n`, `"`, "é"}[r.IntN(11)]
			p := r.IntN(len(s) + 1)
			s = s[:p] + ins + s[p:]
		case 8:
			pad := strings.Repeat(`{"name": "SHARD_007", "value": "gs://b/shard-7.jsonl"}, `, []int{10, 25, 60, 400}[r.IntN(4)])
			if r.IntN(2) == 0 {
				s = pad + s
			} else {
				s += " " + pad
			}
		case 9:
			sep := []string{`\n`, `\n  `, `"\n"`, "\\n'"}[r.IntN(4)]
			s += sep + pool[r.IntN(len(pool))]
		case 10:
			if s != "" {
				s = s[:r.IntN(len(s))]
			}
		case 11:
			o := pool[r.IntN(len(pool))]
			a := r.IntN(len(o) + 1)
			s += " " + o[a:a+r.IntN(len(o)-a+1)]
		case 12:
			b, _ := json.Marshal(map[string]string{"severity": "ERROR", "message": s + "\n" + pool[r.IntN(len(pool))]})
			s = string(b)
		default:
			s = "  " + s + " \t"
		}
	}
	return s
}

// TestNormalizeMatchesReference compares the cleaning of lines, prefix
// parsers included, with the regexps they replace.
func TestNormalizeMatchesReference(t *testing.T) {
	pool := linePool(t)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		line := pool[i%len(pool)]
		if i >= len(pool) {
			line = mutate(r, pool, line)
		}
		got, gotQuiet := normalize(line)
		want, wantQuiet := refNormalize(line)
		if got != want || gotQuiet != wantQuiet {
			t.Fatalf("normalize(%q) = %q, %v; want %q, %v", line, got, gotQuiet, want, wantQuiet)
		}
	}
}

// TestExtractMatchesReference compares Extract with its first, plain
// version on single lines and on logs of up to 300 of them.
func TestExtractMatchesReference(t *testing.T) {
	pool := linePool(t)
	for _, c := range loadCorpus(t) {
		checkReference(t, c.Lines)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var made []string
	for i := range 5000 {
		line := pool[i%len(pool)]
		if i >= len(pool) {
			line = mutate(r, pool, line)
		}
		made = append(made, line)
		checkReference(t, []string{line})
	}
	for range 200 {
		log := make([]string, 1+r.IntN(300))
		for j := range log {
			if r.IntN(3) == 0 {
				log[j] = made[r.IntN(len(made))]
			} else {
				log[j] = pool[r.IntN(len(pool))]
			}
		}
		checkReference(t, log)
	}
}

func checkReference(t *testing.T, lines []string) {
	t.Helper()
	if got, want := Extract(lines), refExtract(lines); got != want {
		t.Fatalf("%s\n got %+v\nwant %+v", shortLog(lines), got, want)
	}
}

// shortLog quotes a log for a failure message, the long ones in part.
func shortLog(lines []string) string {
	if len(lines) > 5 {
		return fmt.Sprintf("%d lines, from %q", len(lines), lines[:5])
	}
	return fmt.Sprintf("%q", lines)
}

// FuzzExtractMatchesReference: go test -fuzz FuzzExtractMatchesReference.
func FuzzExtractMatchesReference(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(strings.Join(c.Lines, "\n"))
	}
	for _, p := range prefixVariants {
		f.Add(p + "ValueError: x")
	}
	f.Add("meſſage: \"PermiſſionDenied: 403 \u212aey\"\n❌ Killing agent\nContainer called exit(2).")
	f.Fuzz(func(t *testing.T, log string) {
		lines := strings.Split(log, "\n")
		for _, l := range lines {
			got, gotQuiet := normalize(l)
			want, wantQuiet := refNormalize(l)
			if got != want || gotQuiet != wantQuiet {
				t.Fatalf("normalize(%q) = %q, %v; want %q, %v", l, got, gotQuiet, want, wantQuiet)
			}
		}
		checkReference(t, lines)
	})
}
