package provenance

// multiLit finds which of up to 64 literals occur in a text in one pass
// over it: an Aho-Corasick automaton compiled to a DFA over byte classes
// (bytes that occur in no literal share one class). Matching is exact and
// case-sensitive: bit i of find's result is set if and only if
// strings.Contains(text, lits[i]).
type multiLit struct {
	class  [256]uint8 // byte → class; 0 for the bytes of no literal
	nclass int
	next   []uint16 // state*nclass + class → state; state 0 is the root
	out    []uint64 // state → the literals that end at it
}

// Bounds of a multiLit: the literals are bits of a uint64, and the DFA
// table stays small (the shipped file globs need about 400 states of 30
// classes). newMultiLit returns nil beyond them.
const (
	maxMultiLits  = 64
	maxMultiTable = 1 << 20 // entries of next
)

// newMultiLit builds the automaton of lits, none of them empty; nil when
// there are none, or too many or too long for its bounds.
func newMultiLit(lits []string) *multiLit {
	if len(lits) == 0 || len(lits) > maxMultiLits {
		return nil
	}
	m := &multiLit{nclass: 1}
	total := 1
	for _, l := range lits {
		if l == "" {
			return nil
		}
		total += len(l)
		for i := 0; i < len(l); i++ {
			if m.class[l[i]] == 0 {
				m.class[l[i]] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	if total > 1<<16 || total*m.nclass > maxMultiTable {
		return nil
	}
	// The trie, in next: while a state's row is not yet complete, a
	// non-zero entry is an edge (no edge leads back to the root).
	m.next = make([]uint16, total*m.nclass)
	m.out = make([]uint64, 1, total)
	states := 1
	for i, l := range lits {
		s := 0
		for j := 0; j < len(l); j++ {
			e := s*m.nclass + int(m.class[l[j]])
			if m.next[e] == 0 {
				m.next[e] = uint16(states)
				states++
				m.out = append(m.out, 0)
			}
			s = int(m.next[e])
		}
		m.out[s] |= 1 << i
	}
	m.next = m.next[:states*m.nclass]
	// Breadth first, each state's row keeps its trie edges and takes
	// elsewhere the transitions of its failure state (the longest proper
	// suffix of its text that is a trie state), which is shallower and so
	// complete. The root's row is complete as built.
	fail := make([]uint16, states)
	queue := make([]uint16, 0, states)
	for c := 0; c < m.nclass; c++ {
		if t := m.next[c]; t != 0 {
			queue = append(queue, t) // fail[t] = 0, the root
		}
	}
	for len(queue) > 0 {
		s := int(queue[0])
		queue = queue[1:]
		f := int(fail[s])
		m.out[s] |= m.out[f]
		row, frow := m.next[s*m.nclass:(s+1)*m.nclass], m.next[f*m.nclass:(f+1)*m.nclass]
		for c, t := range row {
			if t != 0 {
				fail[t] = frow[c]
				queue = append(queue, t)
			} else {
				row[c] = frow[c]
			}
		}
	}
	return m
}

// find returns the set of the literals that occur in s (bit i: lits[i]).
func (m *multiLit) find(s string) uint64 {
	var found uint64
	state := 0
	for i := 0; i < len(s); i++ {
		state = int(m.next[state*m.nclass+int(m.class[s[i]])])
		found |= m.out[state]
	}
	return found
}
