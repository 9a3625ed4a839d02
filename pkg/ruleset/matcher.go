package ruleset

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
)

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

// newLineIndex builds the line index of a set's rules, its automaton from
// cache when it is there (nil: no cache).
func newLineIndex(rules []*Rule, cache AutomatonCache) *lineIndex {
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
		idx.ac = cachedAutomaton(cache, kws, len(idx.rules))
	}
	return idx
}

// automatonKeyVersion names the encoding of cached automata (compiled.go).
const automatonKeyVersion = "pushguard-automaton-v2"

// cachedAutomaton returns the automaton of kws, whose slots are below
// slots: from cache when it holds a valid one, else built (and stored).
func cachedAutomaton(cache AutomatonCache, kws []keyword, slots int) *automaton {
	if cache == nil {
		return newAutomaton(kws)
	}
	h := sha256.New()
	h.Write([]byte(automatonKeyVersion))
	var b []byte
	for _, k := range kws {
		b = binary.AppendUvarint(b[:0], uint64(len(k.text)))
		b = append(b, k.text...)
		b = binary.AppendUvarint(b, uint64(k.slot))
		h.Write(b)
	}
	key := hex.EncodeToString(h.Sum(nil))
	if data := cache.Get(key); data != "" {
		r := &wireReader{s: data}
		if a := decodeAutomaton(r, slots); a != nil && r.end() == nil {
			return a
		}
	}
	a := newAutomaton(kws)
	w := &wireWriter{}
	encodeAutomaton(w, a)
	cache.Put(key, w.b)
	return a
}

// LineMatcher runs the content rules of a Set against added lines. The
// keyword prefilter runs once per line for all rules (an Aho-Corasick
// automaton, ASCII case-insensitive, whose DFA table the matcher allocates
// once and fills as lines need it) and lists the rules
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
	// dfa is this matcher's table of the keyword automaton's DFA, built
	// as the scans need it (automaton.collect).
	dfa dfaTable
	// buf gathers the matches of one line when the index is tiered.
	buf      []LineMatch
	gatherFn func(LineMatch) // m.gather, bound once
	// batch is the last ScanLines (batch.go).
	batch scanBatch
	// asciiAlways are the slots of idx.always without a content.unicode
	// condition (what an ASCII line runs of them), set at the first line.
	asciiAlways []int32
	// names are the DFA tables of the provider names automatons of the
	// content.providers conditions (namesDFA).
	names map[*providerCond]*dfaTable
}

// NewLineMatcher returns a LineMatcher for the content rules of s.
func (s *Set) NewLineMatcher() *LineMatcher {
	idx := s.lines
	if idx == nil { // a Set not built by NewSet
		idx = newLineIndex(s.Rules, nil)
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
		m.nextEpoch()
		hits = idx.ac.collect(line, m.seen, m.epoch, hits, &m.dfa)
		if len(path) > 0 {
			hits = idx.ac.collect(path, m.seen, m.epoch, hits, &m.dfa)
		}
		sortSlots(hits)
	}
	m.hits = hits
	m.run(line, lineNo, path, active, fn, hits, false)
}

// namesDFA returns m's DFA table of the provider names automaton of p.
func (m *LineMatcher) namesDFA(p *providerCond) *dfaTable {
	if d, ok := m.names[p]; ok {
		return d
	}
	if m.names == nil {
		m.names = make(map[*providerCond]*dfaTable)
	}
	d := &dfaTable{}
	m.names[p] = d
	return d
}

// nextEpoch starts a new mark epoch in m.seen.
func (m *LineMatcher) nextEpoch() {
	m.epoch++
	if m.epoch == 0 {
		clear(m.seen)
		m.epoch = 1
	}
}

// run runs, on line, the conditions of the rules whose slots hits lists
// (sorted) and of the rules without keywords. knownASCII says the caller
// knows line has no byte >= 0x80 (false: not known).
func (m *LineMatcher) run(line []byte, lineNo int, path []byte, active []bool, fn func(LineMatch), hits []int32, knownASCII bool) {
	idx := m.idx
	// ascii: line has no byte >= 0x80 (known when asciiKnown), so that no
	// content.unicode condition can match it: they list only code points
	// from U+0080 up (parseRuneRange), and the line is not decoded.
	ascii, asciiKnown := knownASCII, knownASCII
	emit := fn
	if idx.tiered {
		emit = m.gatherFn
	}
	// The hit slots and the slots without keywords, merged in slot order
	// (rule order); the two lists are disjoint. An ASCII line skips the
	// content.unicode rules among the latter without looking at them.
	always := idx.always
	if len(always) > 0 {
		if m.asciiAlways == nil {
			m.asciiAlways = make([]int32, 0, len(always))
			for _, slot := range always {
				if idx.rules[slot].content.unicode == nil {
					m.asciiAlways = append(m.asciiAlways, slot)
				}
			}
		}
		if len(m.asciiAlways) < len(always) {
			if !asciiKnown {
				ascii, asciiKnown = isASCII(line), true
			}
			if ascii {
				always = m.asciiAlways
			}
		}
	}
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
		if r.content.unicode != nil {
			if !asciiKnown {
				ascii, asciiKnown = isASCII(line), true
			}
			if ascii {
				continue
			}
		}
		var names *dfaTable
		if p := r.content.providers; p != nil {
			names = m.namesDFA(p)
		}
		r.content.each(line, lineNo, path, r, names, emit)
	}
	if idx.tiered {
		m.flush(fn)
	}
}

// isASCII reports whether b has no byte >= 0x80.
func isASCII(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return false
		}
	}
	return true
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

// automaton is an Aho-Corasick automaton over lower-cased keywords.
//
// Bytes are mapped to classes: one class per distinct keyword byte (an ASCII
// letter and its upper case share one, which makes the scan
// case-insensitive), and class 1 for every other byte. The automaton is a
// trie with sparse edges, failure links and output lists; building it costs
// in proportion to the keywords' bytes. A full DFA, one table lookup per
// input byte, would be a row of width entries per state: megabytes for the
// hundreds of provider names, built on every hook run for a push that
// visits a few hundred states. So the DFA is built lazily instead, row entry
// by row entry as a scan first needs it, into a table each LineMatcher owns
// (dfa): collect scans through it; each walks the trie (it runs only on
// lines a keyword of its rule occurs in).
type automaton struct {
	class [256]int32
	width int32
	// The trie: the edges of state s are first[s], then sibling[e]; edge e
	// goes on class edgeClass[e] to state edgeTo[e]. State 0 is the root.
	first, sibling, edgeClass, edgeTo []int32
	// root[c] is where the root goes on class c (0 when it has no edge).
	root []int32
	// fail[s] is the failure state of s: the longest proper suffix of the
	// text of s that is a prefix of a keyword.
	fail []int32
	// mark[s] is 0 when no keyword ends at s, else 1 + the index in outs of
	// the list of the slots of the keywords that end there, ended by -1.
	mark []int32
	outs []int32
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

	// The trie, and the slots of the keywords that end at each state (a
	// list: ownHead[state], then ownNext[i], in keyword order). Everything
	// is int32 and sized for the most states there can be (one per keyword
	// byte): nothing grows, and the collector has no pointers to follow.
	maxStates := 1
	for _, k := range kws {
		maxStates += len(k.text)
	}
	a.first = make([]int32, 1, maxStates)
	a.first[0] = -1
	ownHead := make([]int32, 1, maxStates)
	ownHead[0] = -1
	ownTail := make([]int32, 1, maxStates)
	a.edgeClass = make([]int32, 0, maxStates)
	a.edgeTo = make([]int32, 0, maxStates)
	a.sibling = make([]int32, 0, maxStates)
	ownSlot := make([]int32, 0, len(kws))
	ownNext := make([]int32, 0, len(kws))
	// The root's edges are also in root (by class: the root has one edge
	// per keyword byte's class, too many for a list).
	a.root = make([]int32, w)
	for _, k := range kws {
		s := int32(0)
		for i := 0; i < len(k.text); i++ {
			c := a.class[k.text[i]]
			if s == 0 && a.root[c] != 0 {
				s = a.root[c]
				continue
			}
			e := a.first[s]
			for e >= 0 && a.edgeClass[e] != c {
				e = a.sibling[e]
			}
			if e < 0 {
				t := int32(len(a.first))
				a.first = append(a.first, -1)
				ownHead = append(ownHead, -1)
				ownTail = append(ownTail, -1)
				e = int32(len(a.edgeTo))
				a.edgeClass, a.edgeTo, a.sibling = append(a.edgeClass, c), append(a.edgeTo, t), append(a.sibling, a.first[s])
				a.first[s] = e
				if s == 0 {
					a.root[c] = t
				}
			}
			s = a.edgeTo[e]
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

	// Failure links and outputs, in breadth-first order: the failure
	// state of the child of s on class c is where the failure state of s
	// goes on c (computed already: it is shallower). A state outputs its
	// own slots and then those of its failure state; one without its own
	// shares its failure state's list.
	n := int32(len(a.first))
	a.fail = make([]int32, n)
	a.mark = make([]int32, n)
	queue := make([]int32, 1, n)
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		if s != 0 {
			inherited := a.mark[a.fail[s]]
			a.mark[s] = inherited
			if ownHead[s] >= 0 {
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
				a.mark[s] = start + 1
			}
		}
		for e := a.first[s]; e >= 0; e = a.sibling[e] {
			t := a.edgeTo[e]
			if s != 0 {
				a.fail[t] = a.step(a.fail[s], a.edgeClass[e])
			}
			queue = append(queue, t)
		}
	}
	a.renumber(queue)
	return a
}

// renumber numbers the states in breadth-first order (order, the order in
// which the failure links were computed): a state's failure state and the
// state its trie edge comes from are then numbered before it, which lets a
// table read back from a cache be checked in one pass (valid).
func (a *automaton) renumber(order []int32) {
	n := len(order)
	id := make([]int32, n)
	for i, s := range order {
		id[s] = int32(i)
	}
	first, fail, mark := make([]int32, n), make([]int32, n), make([]int32, n)
	for i, s := range order {
		first[i], fail[i], mark[i] = a.first[s], id[a.fail[s]], a.mark[s]
	}
	for e, t := range a.edgeTo {
		a.edgeTo[e] = id[t]
	}
	for c, t := range a.root {
		a.root[c] = id[t] // the root is first: id[0] == 0
	}
	a.first, a.fail, a.mark = first, fail, mark
}

// step returns the state the DFA goes to from state s on class c.
func (a *automaton) step(s, c int32) int32 {
	for s != 0 {
		for e := a.first[s]; e >= 0; e = a.sibling[e] {
			if a.edgeClass[e] == c {
				return a.edgeTo[e]
			}
		}
		s = a.fail[s]
	}
	return a.root[c]
}

// collect marks seen[slot] = epoch for the slot of every keyword that
// occurs in line, and appends to hits each slot it marks (once: a slot
// already marked with epoch is not appended again).
//
// It runs the DFA through d, the DFA table of one LineMatcher, which it
// fills as it goes (see dfaTable). Once the states a scan needs are
// computed, it allocates only to grow hits.
func (a *automaton) collect(line []byte, seen []uint32, epoch uint32, hits []int32, d *dfaTable) []int32 {
	t := d.init(a)
	outs := a.outs
	s := 0 // row offset
	for _, b := range line {
		c := int(d.class[b])
		v := t[s+c]
		if v&entryComputed == 0 {
			v = d.fill(a, s, c)
			t = d.t
		}
		s = int(v >> entryShift)
		if v&entryOut != 0 {
			for j := int32(t[s]) - 1; outs[j] >= 0; j++ {
				if slot := outs[j]; seen[slot] != epoch {
					seen[slot] = epoch
					hits = append(hits, slot)
				}
			}
		}
	}
	return hits
}

// dfaTable is a LineMatcher's table of the keyword automaton's DFA, built
// as the scans need it: a row of width entries for each state a scan has
// reached, in the order they were first reached. So the rows of the
// states that text reaches often (near the root, common prefixes) are few
// and close together, where the cache holds them, instead of scattered over
// a row for every state of the automaton (megabytes for the default rules:
// each byte of a scan would wait on a cache miss).
//
// The entry of the state at row offset s (its row index times width) on
// class c, t[s+c], is dfaEntry(the next state's row offset, whether the
// next state has outputs) once computed: the offset shifted left by two,
// with entryComputed and, when the next state has outputs, entryOut in the
// two low bits. So a step is a load, a test and a shift. The output flag
// spares a scan the load of the mark on the many bytes that complete no
// keyword: column 0 of the row of a state with outputs holds its mark (see
// automaton.mark; no byte has class 0). An entry without entryComputed is
// not computed: 0, or, after the first fill of its row listed the state's
// trie edges (a linked list: slow to search for every class), (1 + the
// child state) << 2 on the class of each edge.
type dfaTable struct {
	t     []uint32
	width int
	// class is the automaton's class table, unsigned (a load that needs no
	// sign extension in the hot loop).
	class [256]uint32
	// row[q] is 1 + the row offset of trie state q, 0 while it has none;
	// state[r] is the trie state of row r, and listed[r] whether its edges
	// are in its row.
	row    []int32
	state  []int32
	listed []bool
}

// The flags in the low bits of a DFA entry (see dfaTable).
const (
	entryOut      = 1
	entryComputed = 2
	entryShift    = 2
)

// init readies the table for a (the root's row first) and returns t.
func (d *dfaTable) init(a *automaton) []uint32 {
	if d.t == nil {
		d.width = int(a.width)
		for b, c := range a.class {
			d.class[b] = uint32(c)
		}
		d.row = make([]int32, len(a.fail))
		d.t = make([]uint32, 0, 64*d.width)
		d.addRow(a, 0)
	}
	return d.t
}

// addRow adds the row of trie state q and returns its offset.
func (d *dfaTable) addRow(a *automaton, q int32) int {
	off := len(d.t)
	d.t = append(d.t, make([]uint32, d.width)...)
	d.t[off] = uint32(a.mark[q])
	d.row[q] = int32(off) + 1
	d.state = append(d.state, q)
	d.listed = append(d.listed, false)
	return off
}

// offset returns the row offset of trie state q, adding its row if need be.
func (d *dfaTable) offset(a *automaton, q int32) int {
	if r := d.row[q]; r != 0 {
		return int(r - 1)
	}
	return d.addRow(a, q)
}

// dfaEntry is the DFA table entry (see dfaTable) of the state at row
// offset off.
func dfaEntry(off int, out bool) uint32 {
	v := uint32(off)<<entryShift | entryComputed
	if out {
		v |= entryOut
	}
	return v
}

// fill computes the entry, not computed yet, of the state at row offset s
// on class c (adding the row of the state it leads to when that has none
// yet), keeps it in the table and returns it. It may grow d.t: reload it.
// Where the trie has no edge on c, the entry is that of the state's
// failure state on c, computed (and kept) the same way: one edge list
// searched per row, not one per state of the failure chain and entry as
// automaton.step does.
func (d *dfaTable) fill(a *automaton, s, c int) uint32 {
	r := s / d.width
	q := d.state[r]
	next := a.root[c]
	if q != 0 {
		if !d.listed[r] {
			d.listed[r] = true
			for e := a.first[q]; e >= 0; e = a.sibling[e] {
				if i := s + int(a.edgeClass[e]); d.t[i] == 0 {
					d.t[i] = uint32(a.edgeTo[e]+1) << entryShift
				}
			}
		}
		// Not computed (why fill was called): no edge, or a listed one.
		v := d.t[s+c]
		if v == 0 { // no edge on c: as the failure state
			f := d.offset(a, a.fail[q])
			v := d.t[f+c]
			if v&entryComputed == 0 {
				v = d.fill(a, f, c)
			}
			d.t[s+c] = v
			return v
		}
		next = int32(v>>entryShift) - 1
	}
	v := dfaEntry(d.offset(a, next), a.mark[next] != 0)
	d.t[s+c] = v
	return v
}

// eachDFA is each through the DFA table d (see collect): the same calls in
// the same order, a table load per byte instead of edge-list searches.
func (a *automaton) eachDFA(line []byte, d *dfaTable, fn func(end int, slot int32)) {
	t := d.init(a)
	outs := a.outs
	s := 0
	for i, b := range line {
		c := int(d.class[b])
		v := t[s+c]
		if v&entryComputed == 0 {
			v = d.fill(a, s, c)
			t = d.t
		}
		s = int(v >> entryShift)
		if v&entryOut != 0 {
			for j := int32(t[s]) - 1; outs[j] >= 0; j++ {
				fn(i+1, outs[j])
			}
		}
	}
}

// each calls fn with the end offset (exclusive) and the slot of every
// keyword occurrence in line, from left to right. It walks the trie (no
// DFA table): it is for lines where a keyword is known to occur.
func (a *automaton) each(line []byte, fn func(end int, slot int32)) {
	outs := a.outs
	s := int32(0)
	for i, b := range line {
		s = a.step(s, a.class[b])
		if o := a.mark[s]; o != 0 {
			for j := o - 1; outs[j] >= 0; j++ {
				fn(i+1, outs[j])
			}
		}
	}
}
