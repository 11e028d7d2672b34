package extract

import (
	"regexp"
	"regexp/syntax"
)

// matchOnly returns a regexp that matches the same texts as re, for
// MatchString only: re without capture groups and without what its matches
// may start or end with but need not (".*",
// "(?:google\.api_core\.exceptions\.)?"). Go's regexp engines work on
// every position a thread can be at, and a leading ".*" keeps one alive over
// the whole text; without it deciding that a line matches costs about half.
//
// Dropping the ends keeps the texts matched, as a search finds a match
// anywhere: if A B matches at p, B matches where A ends, and where B
// matches, an A that can be empty matches before it (likewise at the end).
func matchOnly(re *regexp.Regexp) *regexp.Regexp {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return re
	}
	slim, err := regexp.Compile(trim(uncapture(tree.Simplify())).String())
	if err != nil {
		return re
	}
	return slim
}

// uncapture replaces every capture group of tree by what it holds.
func uncapture(tree *syntax.Regexp) *syntax.Regexp {
	for tree.Op == syntax.OpCapture {
		tree = tree.Sub[0]
	}
	if len(tree.Sub) == 0 {
		return tree
	}
	out := *tree
	out.Sub = make([]*syntax.Regexp, len(tree.Sub))
	for i, sub := range tree.Sub {
		out.Sub[i] = uncapture(sub)
	}
	return &out
}

// trim drops the optional parts at both ends of tree and of each of its
// alternatives.
func trim(tree *syntax.Regexp) *syntax.Regexp {
	switch tree.Op {
	case syntax.OpAlternate:
		alt := *tree
		alt.Sub = make([]*syntax.Regexp, len(tree.Sub))
		for i, sub := range tree.Sub {
			alt.Sub[i] = trim(sub)
		}
		return &alt
	case syntax.OpConcat:
		subs := tree.Sub
		for len(subs) > 1 && optional(subs[0]) {
			subs = subs[1:]
		}
		for len(subs) > 1 && optional(subs[len(subs)-1]) {
			subs = subs[:len(subs)-1]
		}
		if len(subs) == 1 {
			return trim(subs[0])
		}
		cat := *tree
		cat.Sub = subs
		return &cat
	}
	return tree
}

// optional reports whether tree can match the empty string anywhere.
func optional(tree *syntax.Regexp) bool {
	switch tree.Op {
	case syntax.OpStar, syntax.OpQuest, syntax.OpEmptyMatch:
		return true
	case syntax.OpRepeat:
		return tree.Min == 0
	}
	return false
}
