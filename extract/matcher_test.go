package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMatcherFindsOverlappingKeywordsIgnoringCase(t *testing.T) {
	words := []keyword{
		{"he", hits{rules: 1}}, {"she", hits{rules: 2}}, {"his", hits{rules: 4}},
		{"hers", hits{rules: 8}}, {"❌", hits{flags: flagMarker}},
	}
	m := newMatcher(words)
	for _, c := range []struct {
		text  string
		rules uint64
		flags flag
	}{
		{"USHERS", 1 | 2 | 8, 0},
		{"this", 4, 0},
		{"h e r s", 0, 0},
		{"❌ sHe", 1 | 2, flagMarker},
		{"", 0, 0},
	} {
		if got := m.scan(c.text); got.rules != c.rules || got.flags != c.flags {
			t.Errorf("scan(%q) = %+v, want rules %b flags %b", c.text, got, c.rules, c.flags)
		}
	}
}

// TestScanMatchesPlainSearch checks the automaton, alone and two texts at
// a time, against strings.Contains on lowered text.
func TestScanMatchesPlainSearch(t *testing.T) {
	pool := linePool(t)
	r := rand.New(rand.NewPCG(5, 6))
	var texts []string
	for i := range 3000 {
		line := pool[i%len(pool)]
		if i >= len(pool) {
			line = mutate(r, pool, line)
		}
		text, _ := normalize(line)
		texts = append(texts, text, "")
	}
	for _, text := range texts {
		got, want := keywords.scan(text), refKeywordScan(text)
		if got.rules != want.rules || got.has(flagMarker) != want.marker ||
			got.has(flagInfo) != want.info || got.has(flagNoise) != want.noise ||
			got.has(flagEscape) != strings.Contains(lowerASCII(text), `\n`) {
			t.Fatalf("scan(%q) = %+v, want %+v", text, got, want)
		}
	}
	for n := 0; n < 70 && n <= len(texts); n++ {
		batch := texts[len(texts)-n:]
		found := make([]hits, len(batch))
		keywords.scanEach(batch, found)
		for i, text := range batch {
			if want := keywords.scan(text); found[i] != want {
				t.Fatalf("scanEach of %d texts: %q got %+v, want %+v", n, text, found[i], want)
			}
		}
	}
}
