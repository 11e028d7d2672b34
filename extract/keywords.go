package extract

// hits is what a keyword scan found in a text: the rules whose keywords it
// holds, and flags for the phrases that are not tied to a rule.
type hits struct {
	rules uint64 // bit i: a keyword of rules[i]
	flags flag
}

type flag uint8

const (
	flagMarker  flag = 1 << iota // the wrapper's bailout marker
	flagWarning                  // a Python warning ("UserWarning:")
	flagNoise                    // part of an error report that is never its cause
	flagRetry                    // says it will be retried
	flagFrame                    // a traceback frame ("File \"…\", line 3")
	flagCount                    // may count its tries ("retry 1/3"): see retryCount
	flagShape                    // may start or link a runtime's crash report: see crashShapes
	flagBare                     // says that something failed or exited, not how: see bareWords
)

func (h hits) has(f flag) bool { return h.flags&f != 0 }

// keyword is a phrase to look for, lower case, and what finding it marks.
type keyword struct {
	text string
	mark hits
}

// keywordSet finds which of its keywords occur in a text, ignoring ASCII
// case, in one pass. Every keyword is at least three bytes long: a bitmap
// of the keywords' first three bytes, hashed, rules out almost every
// position of a text with one look-up, and only the keywords whose first
// three bytes hash like those at a remaining position are compared there.
type keywordSet struct {
	starts  [1 << 16 / 64]uint64
	bucket  [1 << 16]uint8 // hash of the first three bytes → 1 + index in buckets
	buckets [][]keyword
}

func newKeywordSet(words []keyword) *keywordSet {
	k := &keywordSet{}
	for _, w := range words {
		if len(w.text) < 3 {
			panic("extract: keyword shorter than three bytes: " + w.text)
		}
		w.text = lowerASCII(w.text)
		h := hash(fold(w.text[0])<<16 | fold(w.text[1])<<8 | fold(w.text[2]))
		if k.bucket[h] == 0 {
			k.buckets = append(k.buckets, nil)
			k.bucket[h] = uint8(len(k.buckets)) // a test keeps this under 256
		}
		k.starts[h/64] |= 1 << (h % 64)
		k.buckets[k.bucket[h]-1] = append(k.buckets[k.bucket[h]-1], w)
	}
	return k
}

// find returns the union of the marks of the keywords in s.
func (k *keywordSet) find(s string) hits {
	var found hits
	if len(s) < 3 {
		return found
	}
	t := fold(s[0])<<8 | fold(s[1])
	for i := 2; i < len(s); i++ {
		t = t<<8 | fold(s[i]) // the low three bytes: s[i-2:i+1]
		h := hash(t)
		if k.starts[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, w := range k.buckets[k.bucket[h]-1] {
			if hasPrefixFold(s[i-2:], w.text) {
				found.rules |= w.mark.rules
				found.flags |= w.mark.flags
			}
		}
	}
	return found
}

// fold lowers an ASCII letter, and merges a few other bytes with others,
// which only lets a few more positions through the bitmap.
func fold(c byte) uint32 { return uint32(c | 0x20) }

// hash spreads the low three bytes of t over the 16 bits of the bitmap
// (Fibonacci hashing); t<<8 drops the fourth.
func hash(t uint32) uint32 { return (t << 8) * 0x9e3779b1 >> 16 }

// hasPrefixFold reports whether s starts with lower, a lower-case keyword, ignoring ASCII case.
func hasPrefixFold(s, lower string) bool {
	if len(s) < len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		if lowerTable[s[i]] != lower[i] {
			return false
		}
	}
	return true
}

var lowerTable = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerTable[c]
	}
	return string(b)
}
