package ruleset

import (
	"regexp"
	"regexp/syntax"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Most secret rules end in the secret's shape: `[A-Za-z0-9]{64}`,
// `[a-f0-9]{32}`. A line can only match such a regex when it holds that many
// consecutive characters of the class, and most lines where the rule's
// keywords occur ("pat" in "path", "packet") hold no such run: one pass over
// the line with a byte table tells, where running the regex (whose engine
// tries a match at every position) costs far more. This is a necessary
// condition of the regex itself, so skipping the regex when it fails
// changes no result.

// minRequiredRun is the shortest run worth checking: shorter ones are in
// nearly every line.
const minRequiredRun = 8

// byteRun is a condition on a line: it holds n consecutive bytes of set.
type byteRun struct {
	set [256]bool
	n   int
}

// in reports whether line holds the run.
func (r *byteRun) in(line []byte) bool {
	if len(line) < r.n {
		return false
	}
	k := 0
	for _, b := range line {
		if !r.set[b] {
			k = 0
			continue
		}
		if k++; k >= r.n {
			return true
		}
	}
	return false
}

// requiredRun is a condition's byteRun, computed once the regex has run
// requiredRunAfter times: parsing the regex costs about as much as
// compiling it (0.1 ms for the long default ones), which only pays on
// many lines; a hook run on a small push matches few lines per rule.
type requiredRun struct {
	calls atomic.Int32
	once  sync.Once
	run   *byteRun // nil: none worth checking (or not computed yet)
}

// requiredRunAfter is how many lines a regex runs on before its required
// run is computed.
const requiredRunAfter = 16

// get returns the run every match of re must hold, nil when there is none
// of at least minRequiredRun bytes or it is not computed yet.
func (q *requiredRun) get(re *regexp.Regexp) *byteRun {
	if q.calls.Load() < requiredRunAfter {
		if q.calls.Add(1) <= requiredRunAfter {
			return nil
		}
	}
	q.once.Do(func() { q.run = regexRun(re.String()) })
	return q.run
}

// regexRun returns a run of characters every match of expr holds, as
// bytes (the longest it finds), or nil when there is none of at least
// minRequiredRun characters (or expr does not parse, which cannot happen
// for a compiled regex).
func regexRun(expr string) *byteRun {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	if r := requiredIn(re); r != nil && r.n >= minRequiredRun {
		return r
	}
	return nil
}

// requiredIn returns the longest run of characters of one class that every
// match of re holds, nil when it finds none: the parts of a concatenation
// are all in every match, a group or repetition (at least once) holds what
// its body does, a repetition of a character class at least n times is such
// a run, and an alternation holds a run of the union of its branches'
// classes as long as the shortest of their runs (when every branch has
// one). Optional parts and the rest hold none.
func requiredIn(re *syntax.Regexp) *byteRun {
	switch re.Op {
	case syntax.OpConcat:
		var best *byteRun
		for _, sub := range re.Sub {
			if r := requiredIn(sub); r != nil && (best == nil || r.n > best.n) {
				best = r
			}
		}
		return best
	case syntax.OpCapture, syntax.OpPlus:
		return requiredIn(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil
		}
		best := requiredIn(re.Sub[0])
		if r := classRun(re.Sub[0], re.Min); r != nil && (best == nil || r.n > best.n) {
			best = r
		}
		return best
	case syntax.OpAlternate:
		var union *byteRun
		for _, sub := range re.Sub {
			r := requiredIn(sub)
			if r == nil {
				return nil
			}
			if union == nil {
				c := *r
				union = &c
				continue
			}
			union.n = min(union.n, r.n)
			for b, in := range r.set {
				union.set[b] = union.set[b] || in
			}
		}
		return union
	}
	return nil
}

// classRun is the run of n characters of the character class re (nil when
// re is not a class).
func classRun(re *syntax.Regexp, n int) *byteRun {
	r := &byteRun{n: n}
	switch re.Op {
	case syntax.OpAnyCharNotNL:
		for b := range r.set {
			r.set[b] = b != '\n'
		}
		return r
	case syntax.OpCharClass:
		// Every character of the class is one or more bytes, each of
		// them in set: the ASCII characters of the class themselves, and
		// every byte from 0x80 up when the class has a character from
		// U+0080 up (those are encoded in such bytes only; an invalid
		// byte reads as U+FFFD).
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			for c := lo; c <= hi && c < utf8.RuneSelf; c++ {
				r.set[c] = true
			}
			if hi >= utf8.RuneSelf {
				for b := utf8.RuneSelf; b < len(r.set); b++ {
					r.set[b] = true
				}
			}
		}
		return r
	}
	return nil
}
