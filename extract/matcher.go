package extract

// hits is what a matcher saw in a text: the union of the marks of every
// keyword found. Being a set, it lets a state's marks be merged once, when
// the automaton is built, instead of once per match.
type hits struct {
	rules uint64 // bit i: a keyword of rules[i]
	needs uint64 // bit i: a literal the regexp of rules[i] needs (see gate)
	flags flag
}

// flag marks keywords that are not tied to a rule.
type flag uint8

const (
	flagMarker flag = 1 << iota // the wrapper's bailout marker
	flagInfo                    // an info phrase ("monitoring for", "errors: 0")
	flagNoise                   // part of an error report that is never its cause
	flagFold                    // a rune that (?i) folds to ASCII (K, ſ): needs is unreliable
	flagEscape                  // `\n` or `\N`: maybe a traceback escaped into one line
)

func (h *hits) add(o hits) {
	h.rules |= o.rules
	h.needs |= o.needs
	h.flags |= o.flags
}

func (h hits) has(f flag) bool { return h.flags&f != 0 }

// matcher is an Aho-Corasick automaton compiled to a DFA over byte classes:
// one table look-up per byte of text, no allocation, every keyword found
// even where keywords overlap, ASCII letters compared without case.
type matcher struct {
	class [256]uint8 // byte → its class; a letter and its other case share one
	width uint32     // number of classes, the row length of delta
	// delta maps state+class to the next state. A state is the offset of
	// its row; the states where keywords end come last, from marked on, so
	// one comparison per byte tells whether there is anything to record.
	delta  []uint32
	marked uint32
	marks  []hits // (state-marked)/width → the marks of the keywords ending there
}

// keyword is one pattern of a matcher and what finding it marks.
type keyword struct {
	text string
	mark hits
}

// newMatcher builds the automaton for keywords.
func newMatcher(keywords []keyword) *matcher {
	m := &matcher{}
	m.width = m.assignClasses(keywords)
	t := buildTrie(keywords, m)
	m.compile(t)
	return m
}

// assignClasses gives every byte that occurs in a keyword a class of its
// own, ASCII letters folded; all other bytes share class 0.
func (m *matcher) assignClasses(keywords []keyword) uint32 {
	n := 1
	for _, k := range keywords {
		for i := 0; i < len(k.text); i++ {
			b := lower(k.text[i])
			if m.class[b] != 0 {
				continue
			}
			if n > 255 {
				panic("extract: keywords use more than 255 distinct bytes")
			}
			m.class[b] = uint8(n)
			n++
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		m.class[b] = m.class[b+'a'-'A']
	}
	return uint32(n)
}

// trie is the goto function of the automaton under construction.
type trie struct {
	next  [][]int32 // state → class → child state, -1 for none
	marks []hits
}

func buildTrie(keywords []keyword, m *matcher) *trie {
	t := &trie{}
	t.newState(m.width)
	for _, k := range keywords {
		if k.text == "" {
			panic("extract: empty keyword") // it would mark every text
		}
		s := int32(0)
		for i := 0; i < len(k.text); i++ {
			c := m.class[k.text[i]]
			if t.next[s][c] < 0 {
				t.next[s][c] = t.newState(m.width)
			}
			s = t.next[s][c]
		}
		t.marks[s].add(k.mark)
	}
	return t
}

func (t *trie) newState(width uint32) int32 {
	row := make([]int32, width)
	for i := range row {
		row[i] = -1
	}
	t.next = append(t.next, row)
	t.marks = append(t.marks, hits{})
	return int32(len(t.next) - 1)
}

// compile computes the failure links breadth first and turns the trie into
// the DFA: a missing edge leads where the failure state's edge leads, and a
// state inherits the marks of its failure state (the keywords that are
// suffixes of its own).
func (m *matcher) compile(t *trie) {
	next := t.next
	fail := make([]int32, len(next))
	var queue []int32
	for c, child := range next[0] {
		if child < 0 {
			next[0][c] = 0
		} else {
			queue = append(queue, child)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		t.marks[s].add(t.marks[fail[s]])
		for c, child := range next[s] {
			via := next[fail[s]][c]
			if child < 0 {
				next[s][c] = via
				continue
			}
			fail[child] = via
			queue = append(queue, child)
		}
	}
	// Renumber the states so that those with marks come last, then
	// premultiply by the row length.
	order := make([]int32, 0, len(next))
	for _, marked := range []bool{false, true} {
		for s, mk := range t.marks {
			if (mk != hits{}) == marked {
				order = append(order, int32(s))
			}
		}
	}
	offset := make([]uint32, len(next))
	m.marked = uint32(len(order)) * m.width
	for i, s := range order {
		offset[s] = uint32(i) * m.width
		if mk := t.marks[s]; mk != (hits{}) {
			if m.marks == nil {
				m.marked = offset[s]
			}
			m.marks = append(m.marks, mk)
		}
	}
	m.delta = make([]uint32, len(next)*int(m.width))
	for s, row := range next {
		for c, to := range row {
			m.delta[offset[s]+uint32(c)] = offset[to]
		}
	}
}

// scan returns the marks of every keyword occurring in s.
func (m *matcher) scan(s string) hits {
	return m.resume(s, 0, hits{})
}

// resume goes on scanning s from state, with found seen so far.
func (m *matcher) resume(s string, state uint32, found hits) hits {
	delta, class, marked := m.delta, &m.class, m.marked
	for i := 0; i < len(s); i++ {
		state = delta[state+uint32(class[s[i]])]
		if state >= marked {
			found.add(m.marks[(state-marked)/m.width])
		}
	}
	return found
}

// scanEach sets found[i] to the marks of the keywords in texts[i].
//
// A scan is a chain of table look-ups, each waiting for the one before, so
// scanEach runs two: one through each half of texts, side by side, which
// the processor overlaps. Lines are short, so the two chains do not keep
// to line pairs but each moves on to its next text as soon as it is done.
func (m *matcher) scanEach(texts []string, found []hits) {
	h := len(texts) / 2
	a := cursor{texts: texts[:h], found: found[:h]}
	b := cursor{texts: texts[h:], found: found[h:]}
	for a.settle() && b.settle() {
		ta, tb := a.texts[a.i][a.at:], b.texts[b.i][b.at:]
		n := min(len(ta), len(tb))
		a.state, b.state, a.seen, b.seen = m.resume2(ta[:n], tb[:n], a.state, b.state, a.seen, b.seen)
		a.at += n
		b.at += n
	}
	for _, c := range []*cursor{&a, &b} {
		for c.settle() {
			c.seen = m.resume(c.texts[c.i][c.at:], c.state, c.seen)
			c.at = len(c.texts[c.i])
		}
	}
}

// resume2 is resume for two texts of the same length at once.
func (m *matcher) resume2(a, b string, sa, sb uint32, ha, hb hits) (uint32, uint32, hits, hits) {
	delta, class, marked := m.delta, &m.class, m.marked
	b = b[:len(a)]
	for i := 0; i < len(a); i++ {
		sa = delta[sa+uint32(class[a[i]])]
		sb = delta[sb+uint32(class[b[i]])]
		if sa >= marked {
			ha.add(m.marks[(sa-marked)/m.width])
		}
		if sb >= marked {
			hb.add(m.marks[(sb-marked)/m.width])
		}
	}
	return sa, sb, ha, hb
}

// cursor is where one chain of scanEach is.
type cursor struct {
	texts []string
	found []hits
	i, at int    // byte at of texts[i] is next
	state uint32 // the automaton's state after texts[i][:at]
	seen  hits   // marks in texts[i][:at]
}

// settle records the texts the cursor is through with, and reports
// whether some text has bytes left.
func (c *cursor) settle() bool {
	for c.i < len(c.texts) && c.at == len(c.texts[c.i]) {
		c.found[c.i] = c.seen
		c.i, c.at, c.state, c.seen = c.i+1, 0, 0, hits{}
	}
	return c.i < len(c.texts)
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
