package ruleset

// Set is a merged, ordered list of rules ready to scan with. Build it with
// NewSet; do not modify Rules afterwards. A Set is safe for concurrent use
// (each goroutine takes its own LineMatcher).
type Set struct {
	// Rules are the enabled rules; Rules[i].Index == i.
	Rules []*Rule

	// lines is built by NewSet and shared by every LineMatcher.
	lines *lineIndex
	// global are the top-level allowlists of the merged files.
	global []*allowlist
}

// NewSet merges rule lists in order, such as the embedded defaults followed
// by an admin's rules:
//
//   - a rule whose id was seen before replaces the earlier rule, in the
//     earlier rule's position (admins override embedded defaults);
//   - a rule with disabled: true removes the earlier rule with its id (and
//     is itself not part of the set); a rule defined again after being
//     removed goes at the end;
//   - Index is set to each rule's position;
//   - the top-level allowlists of the files (GlobalAllowlist) apply to every
//     rule of the set.
//
// The order is deterministic: first definition order. The Rules of the Set
// are copies, so loaded lists can be shared by several Sets.
func NewSet(lists ...[]*Rule) *Set {
	return NewSetCached(nil, lists...)
}

// AutomatonCache keeps the keyword automaton of a Set between processes:
// building it is most of what NewSet costs, for the same keywords on every
// hook run. Get returns what Put stored under key, or "". The keys name
// the keywords and their rules' positions (and the encoding's version),
// not the build: an implementation that outlives the build must fold the
// build's identity into them (pkg/policy does). What Get returns is
// checked, and rebuilt when it does not hold.
type AutomatonCache interface {
	Get(key string) string
	Put(key string, data []byte)
}

// NewSetCached is NewSet with the keyword automaton taken from cache when
// it holds the one of these rules (nil: no cache).
func NewSetCached(cache AutomatonCache, lists ...[]*Rule) *Set {
	var slots []*Rule
	var global []*allowlist
	pos := make(map[string]int)
	for _, list := range lists {
		for _, r := range list {
			i, seen := pos[r.ID]
			switch {
			case r.global != nil:
				global = append(global, r.global)
			case r.Disabled:
				if seen {
					slots[i] = nil
					delete(pos, r.ID)
				}
			case seen:
				slots[i] = r
			default:
				pos[r.ID] = len(slots)
				slots = append(slots, r)
			}
		}
	}
	s := &Set{Rules: make([]*Rule, 0, len(pos)), global: global}
	for _, r := range slots {
		if r != nil {
			c := *r
			c.Index = len(s.Rules)
			s.Rules = append(s.Rules, &c)
		}
	}
	s.lines = newLineIndex(s.Rules, cache)
	return s
}

// Lookup returns the rule with the given id, or nil.
func (s *Set) Lookup(id string) *Rule {
	for _, r := range s.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}
