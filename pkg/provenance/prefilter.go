package provenance

import (
	"regexp/syntax"
	"slices"
	"strings"
)

// prefilter holds literals that every match of a regular expression
// contains: checking them first is much cheaper than running the regexp
// on text that cannot match. all is a conjunction of alternatives: for
// each entry, a match contains at least one of its literals. An empty
// prefilter lets every text through.
//
// The literals are those of a concatenation (each one), of a group or a
// repetition of at least one, and of an alternation (one literal of each
// alternative, any of which may occur). Under (?i) a literal is matched
// case-insensitively: it is kept lower-case (ASCII only) and searched in
// the folded text (haystack.lower).
type prefilter struct {
	all [][]lit
	// need and needFold are bytes every text that passes holds, as
	// written and folded (see byteSet): a text lacking one is ruled out
	// without a search.
	need, needFold byteSet
	// key identifies the prefilter, to share one check among signals.
	key string
}

// lit is one literal of a prefilter.
type lit struct {
	s    string
	b    []byte // s
	fold bool   // s is lower-case ASCII, searched in the folded text
}

// maxPrefilterAll bounds the literals of a concatenation a prefilter
// keeps: the longest ones, which rule out the most.
const maxPrefilterAll = 4

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
	for _, alts := range required(re.Simplify()) {
		if !slices.ContainsFunc(all, func(x []lit) bool { return slices.Equal(litKeys(x), litKeys(alts)) }) {
			all = append(all, alts)
		}
	}
	// The most selective first (longest shortest literal), at most
	// maxPrefilterAll of them.
	slices.SortStableFunc(all, func(a, b []lit) int { return shortest(b) - shortest(a) })
	if len(all) > maxPrefilterAll {
		all = all[:maxPrefilterAll]
	}
	p := prefilter{all: all}
	var key strings.Builder
	for _, alts := range all {
		key.WriteString("&")
		for _, k := range litKeys(alts) {
			key.WriteString("|")
			key.WriteString(k)
		}
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
	p.key = key.String()
	return p
}

// litKeys returns the literals of alts as strings, "i:" or "s:" and the
// literal.
func litKeys(alts []lit) []string {
	keys := make([]string, len(alts))
	for i, l := range alts {
		keys[i] = "s:" + l.s
		if l.fold {
			keys[i] = "i:" + l.s
		}
	}
	return keys
}

// shortest returns the length of the shortest literal of alts.
func shortest(alts []lit) int {
	n := len(alts[0].s)
	for _, l := range alts[1:] {
		n = min(n, len(l.s))
	}
	return n
}

// required returns what every match of re contains (see prefilter), nil
// when nothing is certain.
func required(re *syntax.Regexp) [][]lit {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase == 0 {
			return [][]lit{{{s: s, b: []byte(s)}}}
		}
		if !isASCII(s) {
			return nil
		}
		s = strings.ToLower(s)
		return [][]lit{{{s: s, b: []byte(s), fold: true}}}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var all [][]lit
		for _, sub := range re.Sub {
			all = append(all, required(sub)...)
		}
		return all
	case syntax.OpAlternate:
		// Each alternative's most selective entry; a match holds one of
		// their literals.
		var alts []lit
		for _, sub := range re.Sub {
			all := required(sub)
			if len(all) == 0 {
				return nil
			}
			best := all[0]
			for _, a := range all[1:] {
				if shortest(a) > shortest(best) {
					best = a
				}
			}
			for _, l := range best {
				if !slices.ContainsFunc(alts, func(x lit) bool { return x.s == l.s && x.fold == l.fold }) {
					alts = append(alts, l)
				}
			}
		}
		return [][]lit{alts}
	}
	return nil
}
