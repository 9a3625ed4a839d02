package ruleset

import (
	"regexp"
	"regexp/syntax"
	"sync"
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

// requiredRun is a condition's byteRun, computed at first use (parsing the
// regex costs about as much as compiling it, which a lazily decoded rule
// also does only at first use).
type requiredRun struct {
	once sync.Once
	run  *byteRun // nil: none worth checking
}

// get returns the run every match of re must hold, nil when there is none
// of at least minRequiredRun bytes.
func (q *requiredRun) get(re *regexp.Regexp) *byteRun {
	q.once.Do(func() { q.run = regexRun(re.String()) })
	return q.run
}

// regexRun returns the longest run of one character class that every match
// of expr holds, as bytes, or nil when there is none of at least
// minRequiredRun characters (or expr does not parse, which cannot happen
// for a compiled regex).
func regexRun(expr string) *byteRun {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	var best *syntax.Regexp
	bestN := minRequiredRun - 1
	var walk func(re *syntax.Regexp)
	walk = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpConcat:
			// Every part of a concatenation is in every match.
			for _, sub := range re.Sub {
				walk(sub)
			}
		case syntax.OpCapture:
			walk(re.Sub[0])
		case syntax.OpPlus:
			walk(re.Sub[0])
		case syntax.OpRepeat:
			if re.Min < 1 {
				return
			}
			if sub := re.Sub[0]; (sub.Op == syntax.OpCharClass || sub.Op == syntax.OpAnyCharNotNL) && re.Min > bestN {
				best, bestN = sub, re.Min
			}
			walk(re.Sub[0])
		}
		// Alternations, optional parts, literals and the rest: no
		// run is required (a literal is the keywords' business).
	}
	walk(re)
	if best == nil {
		return nil
	}
	r := &byteRun{n: bestN}
	if best.Op == syntax.OpAnyCharNotNL {
		for b := range r.set {
			r.set[b] = b != '\n'
		}
		return r
	}
	// Every character of the class is one or more bytes, each of them in
	// set: the ASCII characters of the class themselves, and every byte
	// from 0x80 up when the class has a character from U+0080 up (those
	// are encoded in such bytes only; an invalid byte reads as U+FFFD).
	for i := 0; i+1 < len(best.Rune); i += 2 {
		lo, hi := best.Rune[i], best.Rune[i+1]
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
