package provenance

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// prefilter holds literals that every match of a regular expression
// contains: checking them first is much cheaper than running the regexp
// on text that cannot match. all is a conjunction of alternatives: for
// each entry, a match contains at least one of its literals. An empty
// prefilter lets every text through.
//
// newPrefilter gives one entry (see required): the longest literal of a
// concatenation, group or repetition of at least one, and for an
// alternation one literal of each alternative, any of which may occur.
// (Every literal of a concatenation as an entry of its own would rule out
// a few more texts, but costs the hook more at compile time than it
// saves.) Under (?i) a literal is matched case-insensitively: it is kept
// lower-case (ASCII only) and searched in the folded text
// (haystack.lower).
type prefilter struct {
	all [][]lit
	// need and needFold are bytes every text that passes holds, as
	// written and folded (see byteSet): a text lacking one is ruled out
	// without a search.
	need, needFold byteSet
}

// String writes the prefilter as "&" before each entry, "|" before each
// of its literals, "i:" or "s:" (folded or not) and the literal.
func (p *prefilter) String() string {
	var b strings.Builder
	for _, alts := range p.all {
		b.WriteString("&")
		for _, l := range alts {
			if l.fold {
				b.WriteString("|i:")
			} else {
				b.WriteString("|s:")
			}
			b.WriteString(l.s)
		}
	}
	return b.String()
}

// same reports whether p and q require the same literals.
func (p *prefilter) same(q *prefilter) bool {
	return slices.EqualFunc(p.all, q.all, func(a, b []lit) bool { return slices.EqualFunc(a, b, sameLit) })
}

// lit is one literal of a prefilter.
type lit struct {
	s    string
	fold bool   // s is lower-case ASCII, searched in the folded text
	b    []byte // s, for the literals of message signals (Detector.messageLits)
}

// ok reports whether text h may match; false only when it cannot.
func (p *prefilter) ok(h *haystack) bool {
	if len(p.all) == 0 {
		return true
	}
	if !h.bytes(false).has(p.need) || !h.bytes(true).has(p.needFold) {
		return false
	}
	return p.eval(h.contains)
}

// eval reports whether, for each entry of p.all, contains is true for one
// of its literals.
func (p *prefilter) eval(contains func(lit) bool) bool {
	for _, alts := range p.all {
		if !slices.ContainsFunc(alts, contains) {
			return false
		}
	}
	return true
}

// contains reports whether the text holds l (folded when l.fold).
func (h *haystack) contains(l lit) bool {
	if l.fold {
		return strings.Contains(h.lower(), l.s)
	}
	return strings.Contains(h.s, l.s)
}

// newPrefilter derives the prefilter of expr; an empty one when expr does
// not parse or nothing is certain.
func newPrefilter(expr string) prefilter {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return prefilter{}
	}
	var all [][]lit
	if alts := required(re.Simplify()); alts != nil {
		all = [][]lit{alts}
	}
	p := prefilter{all: all}
	for _, alts := range all {
		// The bytes every literal of the entry holds (when they are all
		// searched alike) are bytes every passing text holds.
		common, fold := bytesOf(alts[0].s), alts[0].fold
		for _, l := range alts[1:] {
			if l.fold != fold {
				common = byteSet{}
				break
			}
			b := bytesOf(l.s)
			common = byteSet{common[0] & b[0], common[1] & b[1]}
		}
		if fold {
			p.needFold = p.needFold.add(common)
		} else {
			p.need = p.need.add(common)
		}
	}
	return p
}

// sameLit reports whether a and b are the same literal, searched alike.
func sameLit(a, b lit) bool { return a.s == b.s && a.fold == b.fold }

// shortest returns the length of the shortest literal of alts.
func shortest(alts []lit) int {
	n := len(alts[0].s)
	for _, l := range alts[1:] {
		n = min(n, len(l.s))
	}
	return n
}

// required returns a set of literals one of which every match of re
// contains (see prefilter), nil when nothing is certain: a literal; the
// most selective set of a concatenation's parts (the one whose shortest
// literal is the longest; the first of equals); one literal of each
// alternative of an alternation, from its own set.
func required(re *syntax.Regexp) []lit {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return []lit{{s: string(re.Rune)}}
		}
		// Folded: lower-case ASCII only (the parser keeps the smallest
		// rune of each case orbit, the upper case), in one allocation.
		var b strings.Builder
		b.Grow(len(re.Rune))
		for _, r := range re.Rune {
			switch {
			case r >= utf8.RuneSelf:
				return nil
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		}
		return []lit{{s: b.String(), fold: true}}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []lit
		for _, sub := range re.Sub {
			if alts := required(sub); alts != nil && (best == nil || shortest(alts) > shortest(best)) {
				best = alts
			}
		}
		return best
	case syntax.OpAlternate:
		var alts []lit
		for _, sub := range re.Sub {
			sa := required(sub)
			if sa == nil {
				return nil
			}
			for _, l := range sa {
				if !slices.ContainsFunc(alts, func(x lit) bool { return sameLit(x, l) }) {
					alts = append(alts, l)
				}
			}
		}
		return alts
	}
	return nil
}
