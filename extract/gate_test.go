package extract

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
)

func TestGateOfSmallRegexps(t *testing.T) {
	literals := func(ls []literal) []string {
		var out []string
		for _, l := range ls {
			if l.fold {
				l.s = lowerASCII(l.s)
			}
			out = append(out, l.s)
		}
		return out
	}
	for _, c := range []struct {
		expr               string
		always             bool
		contains, prefixes []string
		exact              bool
	}{
		{expr: `.*`, always: true},
		{expr: `(?i)x.*(?:out of memory|oom-?kill)`, contains: []string{"out of memory", "oom-kill", "oomkill"}},
		{expr: `(?i)(?:InvalidArgument|BadRequest): x`, contains: []string{"invalidargument: x", "badrequest: x"}},
		{expr: `^(?:ERROR|E\d) .*|.*\bfailed: .+$`, contains: []string{"failed: "}, exact: true,
			prefixes: []string{"ERROR ", "E0 ", "E1 ", "E2 ", "E3 ", "E4 ", "E5 ", "E6 ", "E7 ", "E8 ", "E9 "}},
		{expr: `Container called exit\([1-9]\d*\)`, exact: true, contains: []string{
			"Container called exit(1", "Container called exit(2", "Container called exit(3", "Container called exit(4",
			"Container called exit(5", "Container called exit(6", "Container called exit(7", "Container called exit(8",
			"Container called exit(9"}},
		{expr: `(?i)^permission\b`, prefixes: []string{"permission"}},
		{expr: `(?i)x|é`, always: true}, // é folds to É, which the matcher cannot find
	} {
		g := newGate(c.expr)
		if g.always != c.always || !slices.Equal(literals(g.contains), c.contains) ||
			!slices.Equal(literals(g.prefixes), c.prefixes) || (g.exact != nil) != c.exact {
			t.Errorf("newGate(%q) = %+v", c.expr, g)
		}
	}
}

// TestGatesAndMatchOnlyAgreeWithRules: a gate lets through every line its
// rule's regexp matches, and the match-only regexp matches the same lines.
func TestGatesAndMatchOnlyAgreeWithRules(t *testing.T) {
	pool := linePool(t)
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 800 {
		line := pool[i%len(pool)]
		if i >= len(pool) {
			line = mutate(r, pool, line)
		}
		text, _ := normalize(line)
		if len(text) > 1024 {
			continue // regexps are slow on long lines; Extract's tests have them
		}
		found := keywords.scan(text)
		for j, rule := range rules {
			want := rule.re.MatchString(text)
			if got := keywords.match[j].MatchString(text); got != want {
				t.Fatalf("%s: match-only regexp says %v on %q", rule.name, got, text)
			}
			needed := found.needs&(1<<j) != 0 || found.has(flagFold)
			if want && !keywords.gates[j].admits(text, needed) {
				t.Fatalf("%s: gate refuses %q, which its regexp matches", rule.name, text)
			}
		}
	}
}

func TestMatchOnlyDropsOnlyOptionalEnds(t *testing.T) {
	for expr, want := range map[string]string{
		`(?i)(?:x\.)?(?P<msg>.*(?:a|b).*)`: `[ABab]`,
		`^(?P<m>a.*)$`:                     `(?-ms:\Aa.*$)`,
		`.*\bquota\b.*`:                    `\bquota\b`,
		`x?`:                               `x?`,
	} {
		if got := matchOnly(regexp.MustCompile(expr)).String(); got != want {
			t.Errorf("matchOnly(%q) = %q, want %q", expr, got, want)
		}
	}
}
