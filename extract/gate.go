package extract

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A gate is a cheap test that a text must pass for a regexp to match it,
// derived from the regexp itself: the text contains one of the regexp's
// necessary literals, or starts with one of its necessary prefixes.
//
// Keywords already decide which rules a line is tried against; a gate only
// spares running a regexp that cannot match, so it never changes a result.
// Regexps are slow on long lines (a 4 KB JSON dump costs a regexp about
// 200 µs), and most lines that hold a keyword such as "error" hold nothing a
// rule's regexp needs.
type gate struct {
	always bool // no necessary literal found: run the regexp
	// contains: one of them occurs in every match. They are found by the
	// matcher, ignoring ASCII case.
	contains []literal
	// exact is contains when none of them folds case: the matcher's
	// case-blind hit is then checked with strings.Contains.
	exact []string
	// prefixes: for an anchored regexp, every match starts with one of them.
	prefixes []literal
}

// literal is a string a regexp matches, as written or, with fold, under
// Unicode simple case folding as (?i) does.
type literal struct {
	s    string
	fold bool
}

// maxLiterals bounds the sets built by combining literals, and
// maxLiteralBytes the literals given to the matcher: a part of a necessary
// literal is necessary too, and a small automaton is a fast one.
const (
	maxLiterals     = 64
	maxLiteralBytes = 32
)

// newGate analyses a compiled regexp's source.
func newGate(expr string) gate {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return gate{always: true}
	}
	g := gateOf(re.Simplify(), false)
	if g.always {
		return gate{always: true}
	}
	g.contains = minimal(shorten(g.contains))
	for _, l := range g.contains {
		if l.fold {
			g.exact = nil
			break
		}
		g.exact = append(g.exact, l.s)
	}
	return g
}

// shorten cuts literals to maxLiteralBytes, on a rune boundary.
func shorten(ls []literal) []literal {
	out := make([]literal, len(ls))
	for i, l := range ls {
		if n := len(l.s); n > maxLiteralBytes {
			n = maxLiteralBytes
			for !utf8.RuneStart(l.s[n]) {
				n--
			}
			l.s = l.s[:n]
		}
		out[i] = l
	}
	return out
}

// minimal drops the literals that contain another one, and duplicates:
// any text holding them holds the other.
func minimal(ls []literal) []literal {
	var out []literal
	for i, l := range ls {
		redundant := false
		for j, m := range ls {
			if i != j && covers(m, l) && (j < i || !covers(l, m)) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, l)
		}
	}
	return out
}

// covers reports whether every text that holds l also holds m.
func covers(m, l literal) bool {
	if m.fold {
		return strings.Contains(lowerASCII(l.s), lowerASCII(m.s))
	}
	return !l.fold && strings.Contains(l.s, m.s)
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

// gateOf finds what every match of re needs; anchored says that re must
// match at the start of the text.
func gateOf(re *syntax.Regexp, anchored bool) gate {
	switch re.Op {
	case syntax.OpCapture:
		return gateOf(re.Sub[0], anchored)
	case syntax.OpAlternate:
		return gateOfAny(re.Sub, anchored)
	case syntax.OpConcat:
		return gateOfConcat(re.Sub, anchored)
	}
	return gateOfNode(re, anchored)
}

// gateOfAny joins the gates of alternatives: a match needs what one of them needs.
func gateOfAny(subs []*syntax.Regexp, anchored bool) gate {
	var g gate
	for _, sub := range subs {
		h := gateOf(sub, anchored)
		if h.always {
			return gate{always: true}
		}
		g.contains = append(g.contains, h.contains...)
		g.prefixes = append(g.prefixes, h.prefixes...)
	}
	return g
}

// gateOfConcat handles a sequence: a leading ^ anchors the rest, and when
// anchored a leading alternation is distributed over what follows it, so
// that each alternative keeps its own prefix ("ERROR…" | "❌…" | ".*failed…").
func gateOfConcat(subs []*syntax.Regexp, anchored bool) gate {
	if len(subs) == 0 {
		return gate{always: true}
	}
	first, rest := subs[0], subs[1:]
	switch {
	case first.Op == syntax.OpBeginText:
		return gateOf(concat(rest), true)
	case anchored && first.Op == syntax.OpCapture:
		return gateOfConcat(append([]*syntax.Regexp{first.Sub[0]}, rest...), true)
	case anchored && first.Op == syntax.OpConcat:
		return gateOfConcat(append(append([]*syntax.Regexp(nil), first.Sub...), rest...), true)
	case anchored && first.Op == syntax.OpAlternate:
		alts := make([]*syntax.Regexp, len(first.Sub))
		for i, alt := range first.Sub {
			alts[i] = concat(append([]*syntax.Regexp{alt}, rest...))
		}
		return gateOfAny(alts, true)
	}
	return gateOfNode(concat(subs), anchored)
}

// gateOfNode is the gate of re taken whole: its prefixes when anchored,
// else its necessary literals.
func gateOfNode(re *syntax.Regexp, anchored bool) gate {
	if anchored {
		if p, ok := prefixesOf(re); ok {
			return gate{prefixes: p}
		}
	}
	if l, ok := literalsOf(re); ok {
		return gate{contains: l}
	}
	return gate{always: true}
}

func concat(subs []*syntax.Regexp) *syntax.Regexp {
	if len(subs) == 1 {
		return subs[0]
	}
	return &syntax.Regexp{Op: syntax.OpConcat, Sub: subs}
}

// literalsOf returns strings one of which occurs in every match of re.
func literalsOf(re *syntax.Regexp) ([]literal, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		l := literalOf(re)
		return []literal{l}, findable(l)
	case syntax.OpCapture, syntax.OpPlus:
		return literalsOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literalsOf(re.Sub[0])
		}
	case syntax.OpAlternate:
		var all []literal
		for _, sub := range re.Sub {
			l, ok := literalsOf(sub)
			if !ok {
				return nil, false
			}
			all = append(all, l...)
		}
		return all, true
	case syntax.OpConcat:
		return literalsOfConcat(re.Sub)
	}
	return nil, false
}

// literalsOfConcat picks the best literal set of a sequence, spelling out
// runs of parts with few strings ("E" followed by "rror|xit" is "Error|Exit").
func literalsOfConcat(subs []*syntax.Regexp) ([]literal, bool) {
	subs = flatten(subs)
	var best []literal
	consider := func(l []literal) {
		if allFindable(l) && better(l, best) {
			best = l
		}
	}
	run := []literal{{}}
	for _, sub := range subs {
		s, ok := stringsOf(sub)
		if ok && len(run)*len(s) <= maxLiterals {
			run = product(run, s)
			continue
		}
		consider(run)
		if ok {
			run = s
			continue
		}
		run = []literal{{}}
		if l, ok := literalsOf(sub); ok {
			consider(l)
		}
	}
	consider(run)
	return best, best != nil
}

func allFindable(ls []literal) bool {
	for _, l := range ls {
		if !findable(l) {
			return false
		}
	}
	return len(ls) > 0
}

// better prefers the set whose shortest literal is longest, as it is the
// rarest in a text; then the smaller set.
func better(a, b []literal) bool {
	if b == nil {
		return true
	}
	if sa, sb := shortest(a), shortest(b); sa != sb {
		return sa > sb
	}
	return len(a) < len(b)
}

func shortest(ls []literal) int {
	n := -1
	for _, l := range ls {
		if n < 0 || len(l.s) < n {
			n = len(l.s)
		}
	}
	return n
}

// prefixesOf returns strings one of which starts every match of re.
func prefixesOf(re *syntax.Regexp) ([]literal, bool) {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return prefixesOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return prefixesOf(re.Sub[0])
		}
		return nil, false
	case syntax.OpAlternate:
		var all []literal
		for _, sub := range re.Sub {
			p, ok := prefixesOf(sub)
			if !ok {
				return nil, false
			}
			all = append(all, p...)
		}
		return all, true
	case syntax.OpConcat:
		return prefixesOfConcat(re.Sub)
	}
	return nonEmpty(stringsOf(re))
}

// prefixesOfConcat spells out the leading parts of a sequence whose
// matches are few known strings, then adds the prefixes of the next part.
func prefixesOfConcat(subs []*syntax.Regexp) ([]literal, bool) {
	acc := []literal{{}}
	for _, sub := range flatten(subs) {
		if s, ok := stringsOf(sub); ok && len(acc)*len(s) <= maxLiterals {
			acc = product(acc, s)
			continue
		}
		if p, ok := prefixesOf(sub); ok && len(acc)*len(p) <= maxLiterals {
			acc = product(acc, p)
		}
		break
	}
	return nonEmpty(acc, true)
}

// flatten splices nested sequences ("\d{3}" is one) and groups into subs.
func flatten(subs []*syntax.Regexp) []*syntax.Regexp {
	var out []*syntax.Regexp
	for _, sub := range subs {
		for sub.Op == syntax.OpCapture {
			sub = sub.Sub[0]
		}
		if sub.Op == syntax.OpConcat {
			out = append(out, flatten(sub.Sub)...)
		} else {
			out = append(out, sub)
		}
	}
	return out
}

// stringsOf returns every string re can match, when they are few; an
// assertion such as \b counts as the empty string, which may only widen
// what a gate lets through.
func stringsOf(re *syntax.Regexp) ([]literal, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []literal{literalOf(re)}, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []literal{{}}, true
	case syntax.OpCapture:
		return stringsOf(re.Sub[0])
	case syntax.OpQuest:
		s, ok := stringsOf(re.Sub[0])
		return append(s, literal{}), ok
	case syntax.OpCharClass:
		return classStrings(re)
	case syntax.OpAlternate:
		var all []literal
		for _, sub := range re.Sub {
			s, ok := stringsOf(sub)
			if !ok || len(all)+len(s) > maxLiterals {
				return nil, false
			}
			all = append(all, s...)
		}
		return all, true
	case syntax.OpConcat:
		acc := []literal{{}}
		for _, sub := range re.Sub {
			s, ok := stringsOf(sub)
			if !ok || len(acc)*len(s) > maxLiterals {
				return nil, false
			}
			acc = product(acc, s)
		}
		return acc, true
	}
	return nil, false
}

// classStrings spells out a small character class such as [ _] or [0-9].
func classStrings(re *syntax.Regexp) ([]literal, bool) {
	var all []literal
	for i := 0; i+1 < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		if int(hi-lo)+1+len(all) > 10 {
			return nil, false
		}
		for r := lo; r <= hi; r++ {
			all = append(all, literal{s: string(r)})
		}
	}
	return all, len(all) > 0
}

func literalOf(re *syntax.Regexp) literal {
	return literal{s: string(re.Rune), fold: re.Flags&syntax.FoldCase != 0}
}

// product concatenates every string of a with every string of b; the
// result folds case if either part does, which may only widen it.
func product(a, b []literal) []literal {
	out := make([]literal, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, literal{s: x.s + y.s, fold: x.fold || y.fold})
		}
	}
	return out
}

// nonEmpty accepts a prefix set only if each prefix constrains something.
func nonEmpty(ls []literal, ok bool) ([]literal, bool) {
	if !ok || len(ls) == 0 {
		return nil, false
	}
	for _, l := range ls {
		if l.s == "" || strings.ContainsRune(l.s, utf8.RuneError) {
			return nil, false
		}
	}
	return ls, true
}

// findable reports whether the matcher, which folds ASCII letters only, can
// find l wherever the regexp would: a folded non-ASCII letter (é/É) cannot
// be. The ASCII letters that fold to non-ASCII runes (k → K, s → ſ) are
// handled by foldHazards.
func findable(l literal) bool {
	if l.s == "" || strings.ContainsRune(l.s, utf8.RuneError) {
		return false
	}
	if !l.fold {
		return true
	}
	for _, r := range l.s {
		if r >= utf8.RuneSelf && unicode.SimpleFold(r) != r {
			return false
		}
	}
	return true
}

// foldHazards returns the non-ASCII runes that (?i) equates with an ASCII
// letter of a case-folded literal: when a text holds one, the matcher may
// have missed the literal, so gates must let the text through.
func foldHazards(ls []literal) []string {
	seen := map[rune]bool{}
	var out []string
	for _, l := range ls {
		if !l.fold {
			continue
		}
		for _, r := range l.s {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				if f >= utf8.RuneSelf && !seen[f] {
					seen[f] = true
					out = append(out, string(f))
				}
			}
		}
	}
	return out
}

// admits reports whether s passes the gate; needed says the matcher found
// one of contains in s, or could not tell.
func (g *gate) admits(s string, needed bool) bool {
	if g.always {
		return true
	}
	if needed && g.holdsExact(s) {
		return true
	}
	for _, p := range g.prefixes {
		if hasPrefix(s, p) {
			return true
		}
	}
	return false
}

// holdsExact confirms a case-blind hit of case-sensitive literals.
func (g *gate) holdsExact(s string) bool {
	if len(g.exact) == 0 {
		return len(g.contains) > 0
	}
	for _, l := range g.exact {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// hasPrefix tests a prefix as the regexp would, folding case rune by rune.
func hasPrefix(s string, p literal) bool {
	if !p.fold {
		return strings.HasPrefix(s, p.s)
	}
	for _, pr := range p.s {
		if s == "" {
			return false
		}
		r, size := utf8.DecodeRuneInString(s)
		if r != pr && !foldEqual(r, pr) {
			return false
		}
		s = s[size:]
	}
	return true
}

// foldEqual reports whether a and b are in the same simple-folding orbit.
func foldEqual(a, b rune) bool {
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}
