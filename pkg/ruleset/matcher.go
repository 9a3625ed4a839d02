package ruleset

import "slices"

// lineIndex is the immutable part of line matching for a Set: its content
// rules and the keyword automaton over all of their keywords.
type lineIndex struct {
	rules []*Rule // content rules in Index order; their position is their slot
	// always are the slots of the rules without keywords, which run on
	// every line, in increasing order.
	always []int32
	ac     *automaton
	// tiered is set when some rule yields to more specific ones (see
	// overlapTier): matches of a line are then gathered before they are
	// reported, so that overlapping ones can be dropped.
	tiered bool
}

// newLineIndex builds the line index of a set's rules.
func newLineIndex(rules []*Rule) *lineIndex {
	idx := &lineIndex{}
	var kws []keyword
	for _, r := range rules {
		if r.content == nil {
			continue
		}
		slot := int32(len(idx.rules))
		idx.rules = append(idx.rules, r)
		if len(r.content.keywords) == 0 {
			idx.always = append(idx.always, slot)
		}
		if overlapTier(r) > 0 {
			idx.tiered = true
		}
		for _, k := range r.content.keywords {
			kws = append(kws, keyword{text: k, slot: slot})
		}
	}
	if len(kws) > 0 {
		idx.ac = newAutomaton(kws)
	}
	return idx
}

// LineMatcher runs the content rules of a Set against added lines. The
// keyword prefilter runs once per line for all rules (an Aho-Corasick
// automaton, ASCII case-insensitive, allocation-free) and lists the rules
// whose keywords occur; only those run their condition, with the rules
// that have no keywords, so that the cost of a line does not grow with the
// number of rules. A LineMatcher is not safe for concurrent use: take one
// per goroutine.
type LineMatcher struct {
	idx *lineIndex
	// seen[slot] == epoch when a keyword of the slot's rule occurs in the
	// current line; bumping epoch clears the marks of the previous line.
	seen  []uint32
	epoch uint32
	// hits lists the slots marked in seen for the current line.
	hits []int32
	// buf gathers the matches of one line when the index is tiered.
	buf      []LineMatch
	gatherFn func(LineMatch) // m.gather, bound once
}

// NewLineMatcher returns a LineMatcher for the content rules of s.
func (s *Set) NewLineMatcher() *LineMatcher {
	idx := s.lines
	if idx == nil { // a Set not built by NewSet
		idx = newLineIndex(s.Rules)
	}
	m := &LineMatcher{idx: idx, seen: make([]uint32, len(idx.rules))}
	m.gatherFn = m.gather
	return m
}

// Match calls fn for every match in line of every content rule that applies,
// in rule order and, within a rule, from left to right; matches of one rule
// do not overlap. start and end are byte offsets in line. active[r.Index]
// tells which rules apply to the current file (nil: all; rules beyond
// len(active) do not apply). Matches hit by a stopword or an allow regex,
// or below the rule's entropy, are not reported.
func (m *LineMatcher) Match(line []byte, active []bool, fn func(r *Rule, start, end int)) {
	m.MatchLine(line, 0, active, func(lm LineMatch) { fn(lm.Rule, lm.Start, lm.End) })
}

// LineMatch is one match of a content rule in a line.
type LineMatch struct {
	Rule       *Rule
	Start, End int // byte offsets in the line
	// Detail describes the match for conditions that name what they found,
	// such as "U+202E RIGHT-TO-LEFT OVERRIDE at column 17" (content.unicode);
	// "" for regex matches. Reports show it instead of the matched text.
	Detail string
}

// MatchLine is Match with the line's 1-based number in its file (0 when
// unknown; content.unicode needs it to tell a byte order mark) and with the
// match's detail.
func (m *LineMatcher) MatchLine(line []byte, lineNo int, active []bool, fn func(LineMatch)) {
	m.MatchLineIn(line, lineNo, nil, active, fn)
}

// MatchLineIn is MatchLine for a line of a configuration file whose
// enclosing keys are path ("services.sendgrid" for the line
// "    api_key: …" of a YAML file; nil when unknown or at the top). Only
// provider-context conditions read it: a key naming no provider takes one
// that path names. Keywords found in path let the rules that have them
// look at the line (their regexes still match the line alone).
func (m *LineMatcher) MatchLineIn(line []byte, lineNo int, path []byte, active []bool, fn func(LineMatch)) {
	idx := m.idx
	hits := m.hits[:0]
	if idx.ac != nil {
		m.epoch++
		if m.epoch == 0 {
			clear(m.seen)
			m.epoch = 1
		}
		hits = idx.ac.collect(line, m.seen, m.epoch, hits)
		if len(path) > 0 {
			hits = idx.ac.collect(path, m.seen, m.epoch, hits)
		}
		sortSlots(hits)
	}
	m.hits = hits
	emit := fn
	if idx.tiered {
		emit = m.gatherFn
	}
	// The hit slots and the slots without keywords, merged in slot order
	// (rule order); the two lists are disjoint.
	always := idx.always
	for len(hits) > 0 || len(always) > 0 {
		var slot int32
		if len(always) == 0 || (len(hits) > 0 && hits[0] < always[0]) {
			slot, hits = hits[0], hits[1:]
		} else {
			slot, always = always[0], always[1:]
		}
		r := idx.rules[slot]
		if active != nil && (r.Index >= len(active) || !active[r.Index]) {
			continue
		}
		r.content.each(line, lineNo, path, r, emit)
	}
	if idx.tiered {
		m.flush(fn)
	}
}

// sortSlots sorts a short list of slots in place (insertion sort: a line
// hits few rules).
func sortSlots(s []int32) {
	if len(s) > 32 {
		slices.Sort(s)
		return
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// gather keeps a match of the current line until flush.
func (m *LineMatcher) gather(lm LineMatch) { m.buf = append(m.buf, lm) }

// flush reports the gathered matches in order, except those that yield to
// a more specific one (overlapping), and empties the buffer.
func (m *LineMatcher) flush(fn func(LineMatch)) {
	for _, lm := range m.buf {
		if !yields(lm, m.buf) {
			fn(lm)
		}
	}
	clear(m.buf) // drop references to rules and details
	m.buf = m.buf[:0]
}

// Overlap tiers: one secret gives one finding. A match of a generic rule
// (tag "generic") or of a provider-context rule (content.providers) is not
// reported when it overlaps, in the same line, a match of a more specific
// rule (a lower tier) that is at least as severe and applies to every ref
// and file (no refs, paths or file conditions: it is then reported wherever
// the yielding match would have been). So `const token = "ghp_…"` is one
// GitHub finding, not also a generic warning.
const (
	tierSpecific = iota
	tierProvider
	tierGeneric
)

// overlapTier returns the tier of a content rule.
func overlapTier(r *Rule) int {
	for _, t := range r.Tags {
		if t == "generic" {
			return tierGeneric
		}
	}
	if r.content != nil && r.content.providers != nil {
		return tierProvider
	}
	return tierSpecific
}

// yields reports whether lm is dropped in favour of another match of all.
func yields(lm LineMatch, all []LineMatch) bool {
	tier := overlapTier(lm.Rule)
	if tier == tierSpecific {
		return false
	}
	for _, o := range all {
		if o.Start < lm.End && lm.Start < o.End && overlapTier(o.Rule) < tier &&
			o.Rule.Severity.Rank() >= lm.Rule.Severity.Rank() &&
			o.Rule.refs == nil && o.Rule.paths == nil && o.Rule.file == nil {
			return true
		}
	}
	return false
}

// keyword is one lower-cased keyword of the rule in a slot.
type keyword struct {
	text string
	slot int32
}

// automaton is an Aho-Corasick automaton over lower-cased keywords, compiled
// to a full DFA so that the scan does one table lookup per input byte.
//
// Bytes are mapped to classes: one class per distinct keyword byte (an ASCII
// letter and its upper case share one, which makes the scan
// case-insensitive), and class 1 for every other byte. A state is a row of
// width columns in delta and is named by the offset of its row: column 0
// holds the state's output marker (0: none, else 1 + the index in outs of a
// list of slots ended by -1), column c the row offset of the next state on
// class c.
type automaton struct {
	class [256]int32
	width int32
	delta []int32
	outs  []int32
}

// newAutomaton builds the automaton for kws.
func newAutomaton(kws []keyword) *automaton {
	a := &automaton{}
	var assigned [256]bool
	next := int32(2)
	for i := range a.class {
		a.class[i] = 1
	}
	for _, k := range kws {
		for i := 0; i < len(k.text); i++ {
			b := k.text[i]
			if assigned[b] {
				continue
			}
			assigned[b], a.class[b] = true, next
			if 'a' <= b && b <= 'z' {
				up := b - 'a' + 'A'
				assigned[up], a.class[up] = true, next
			}
			next++
		}
	}
	w := next
	a.width = w

	// The trie, with sparse edges: edges of a state form a linked list
	// (first[state], then sibling[edge]), each edge a class and a target
	// state; and the slots of the keywords that end at a state, another
	// list (ownHead[state], then ownNext[i], in keyword order). States are
	// numbered from the root, 0. Everything is int32 and sized for the
	// most states there can be (one per keyword byte): nothing grows, and
	// the collector has no pointers to follow.
	maxStates := 1
	for _, k := range kws {
		maxStates += len(k.text)
	}
	first := make([]int32, 1, maxStates)
	first[0] = -1
	ownHead := make([]int32, 1, maxStates)
	ownHead[0] = -1
	ownTail := make([]int32, 1, maxStates)
	edgeClass := make([]int32, 0, maxStates)
	edgeTo := make([]int32, 0, maxStates)
	sibling := make([]int32, 0, maxStates)
	ownSlot := make([]int32, 0, len(kws))
	ownNext := make([]int32, 0, len(kws))
	for _, k := range kws {
		s := int32(0)
		for i := 0; i < len(k.text); i++ {
			c := a.class[k.text[i]]
			e := first[s]
			for e >= 0 && edgeClass[e] != c {
				e = sibling[e]
			}
			if e < 0 {
				t := int32(len(first))
				first = append(first, -1)
				ownHead = append(ownHead, -1)
				ownTail = append(ownTail, -1)
				e = int32(len(edgeTo))
				edgeClass, edgeTo, sibling = append(edgeClass, c), append(edgeTo, t), append(sibling, first[s])
				first[s] = e
			}
			s = edgeTo[e]
		}
		dup := false
		for i := ownHead[s]; i >= 0 && !dup; i = ownNext[i] {
			dup = ownSlot[i] == k.slot
		}
		if !dup {
			i := int32(len(ownSlot))
			ownSlot, ownNext = append(ownSlot, k.slot), append(ownNext, -1)
			if ownHead[s] < 0 {
				ownHead[s] = i
			} else {
				ownNext[ownTail[s]] = i
			}
			ownTail[s] = i
		}
	}

	// The DFA, in breadth-first order: a state's row is its failure
	// state's row (complete already: the failure state is shallower) with
	// the state's own edges written over it; the failure state of a child
	// on class c is where the failure state goes on c. A state outputs
	// its own slots and then those of its failure state; one without its
	// own shares its failure state's list. States are named by the offset
	// of their row.
	nStates := int32(len(first))
	a.delta = make([]int32, nStates*w)
	fail := make([]int32, nStates) // state numbers
	queue := make([]int32, 1, nStates)
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		f := fail[s]
		row := a.delta[s*w : (s+1)*w]
		if s != 0 {
			copy(row, a.delta[f*w:(f+1)*w]) // column 0 too: f's outputs
			if ownHead[s] >= 0 {
				inherited := row[0]
				start := int32(len(a.outs))
				for i := ownHead[s]; i >= 0; i = ownNext[i] {
					a.outs = append(a.outs, ownSlot[i])
				}
				if inherited != 0 {
					for j := inherited - 1; a.outs[j] >= 0; j++ {
						if !slices.Contains(a.outs[start:], a.outs[j]) {
							a.outs = append(a.outs, a.outs[j])
						}
					}
				}
				a.outs = append(a.outs, -1)
				row[0] = start + 1
			}
		}
		for e := first[s]; e >= 0; e = sibling[e] {
			c, t := edgeClass[e], edgeTo[e]
			if s != 0 {
				fail[t] = row[c] / w // row[c] is still f's edge on c
			}
			queue = append(queue, t)
		}
		for e := first[s]; e >= 0; e = sibling[e] {
			row[edgeClass[e]] = edgeTo[e] * w
		}
	}
	return a
}

// collect marks seen[slot] = epoch for the slot of every keyword that
// occurs in line, and appends to hits each slot it marks (once: a slot
// already marked with epoch is not appended again). It allocates only to
// grow hits.
func (a *automaton) collect(line []byte, seen []uint32, epoch uint32, hits []int32) []int32 {
	delta, outs := a.delta, a.outs
	s := int32(0)
	for _, b := range line {
		s = delta[s+a.class[b]]
		if o := delta[s]; o != 0 {
			for j := o - 1; outs[j] >= 0; j++ {
				if slot := outs[j]; seen[slot] != epoch {
					seen[slot] = epoch
					hits = append(hits, slot)
				}
			}
		}
	}
	return hits
}

// each calls fn with the end offset (exclusive) and the slot of every
// keyword occurrence in line, from left to right.
func (a *automaton) each(line []byte, fn func(end int, slot int32)) {
	delta, outs := a.delta, a.outs
	s := int32(0)
	for i, b := range line {
		s = delta[s+a.class[b]]
		if o := delta[s]; o != 0 {
			for j := o - 1; outs[j] >= 0; j++ {
				fn(i+1, outs[j])
			}
		}
	}
}
