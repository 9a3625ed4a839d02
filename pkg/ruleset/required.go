package ruleset

import (
	"math"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"slices"
	"sync"
	"sync/atomic"
	"unicode"
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
//
// The run is found in the regex's parse tree (requiredIn). Every
// sub-expression has a shape: a set of bytes that every byte of every one
// of its matches is in, and a least number of characters in a match. A
// concatenation's consecutive parts match consecutive text, so a block of
// them is a run over the union of their sets, as long as the sum of their
// least lengths: `[a-z]{4} [a-z]{4}` is a run of 9 bytes of [a-z ]. The
// run can also be bounded: the byte just before a block is the last byte of
// what the parts before it matched, the byte just after is the first of
// what the parts after it matched, so `["']([^"'\s]{12,})["']` needs a
// quote, 12 bytes that are neither quotes nor spaces, and a quote, in a
// row. Of the runs a regex must hold, the one checked is the one a line of
// code is least likely to hold (score); when it takes in bytes that only
// literals match (the _ of `re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}`), the best
// run of class bytes only is checked too, since those literals are the
// rule's keywords, common in the lines that reach the regex.

// minRequiredRun is the shortest run worth checking: shorter ones are in
// nearly every line. It counts the characters matched by classes (not by
// literals: the rule's keywords, which the line holds already).
const minRequiredRun = 8

// byteRun is a condition on a line: it holds n consecutive bytes of set;
// when pre is not nil, the byte just before them is in pre, and when post is
// not nil, the byte just after them is in post.
type byteRun struct {
	set       [256]bool
	n         int
	pre, post *[256]bool
	also      *byteRun // another run the line must hold, nil: none
}

// in reports whether line holds the run (and the next, also).
func (r *byteRun) in(line []byte) bool {
	for ; r != nil; r = r.also {
		if !r.in1(line) {
			return false
		}
	}
	return true
}

// in1 reports whether line holds the run r, not looking at r.also.
func (r *byteRun) in1(line []byte) bool {
	if len(line) < r.n {
		return false
	}
	if r.pre == nil && r.post == nil {
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
	// k is the length of the longest run of set bytes that ends here and
	// starts just after a byte of pre (anywhere when pre is nil), -1 when
	// there is none.
	k := -1
	if r.pre == nil {
		k = 0
	}
	for _, b := range line {
		if r.post != nil && k >= r.n && r.post[b] {
			return true
		}
		if k >= 0 && r.set[b] {
			k++
		} else {
			k = -1
		}
		if r.pre == nil || r.pre[b] {
			k = max(k, 0)
		}
		if r.post == nil && k >= r.n {
			return true
		}
	}
	return false
}

// requiredRun is a condition's byteRun, computed once the regex has run
// requiredRunAfter times (or on a long line): parsing and analysing the
// regex costs about as much as compiling it (0.1 ms for the long default
// ones), which only pays on many lines; a hook run on a small push matches
// few lines per rule.
type requiredRun struct {
	calls atomic.Int32
	once  sync.Once
	run   *byteRun // nil: none worth checking (or not computed yet)
}

// requiredRunAfter is how many lines a regex runs on before its required
// run is computed.
const requiredRunAfter = 16

// requiredRunLongLine is the length from which a line gets the run at
// once: the regex costs about 0.4 µs a byte on such lines (15 ms on a
// 40 KB line of minified CSS), the parse a fixed 0.1 ms.
const requiredRunLongLine = 1024

// getFor returns the run every match of re must hold, for a line of n
// bytes, nil when there is none worth checking or it is not computed yet:
// a long line gets the run at once.
func (q *requiredRun) getFor(re *regexp.Regexp, n int) *byteRun {
	if n >= requiredRunLongLine {
		q.calls.Store(requiredRunAfter) // and the lines after it
	}
	if q.calls.Load() < requiredRunAfter {
		if q.calls.Add(1) <= requiredRunAfter {
			return nil
		}
	}
	q.once.Do(func() { q.run = regexRun(re.String()) })
	return q.run
}

// regexRun returns a run of characters every match of expr holds, as
// bytes (the one with the best score; with the best pure one as also when
// it is not pure), or nil when there is none with at least minRequiredRun
// characters matched by classes (or expr does not parse, which cannot
// happen for a compiled regex).
func regexRun(expr string) *byteRun {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	runs := requiredIn(re).runs
	if runs.best == nil {
		return nil
	}
	r := runCandBytes(runs.best)
	if !runs.best.pure && runs.pure != nil {
		r.also = runCandBytes(runs.pure)
	}
	return r
}

// runCandBytes returns c as a byteRun.
func runCandBytes(c *runCand) *byteRun {
	r := &byteRun{n: c.n, set: c.set.bools()}
	if c.pre != nil {
		pre := c.pre.bools()
		r.pre = &pre
	}
	if c.post != nil {
		post := c.post.bools()
		r.post = &post
	}
	return r
}

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) union(t *byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|t[0], s[1]|t[1], s[2]|t[2], s[3]|t[3]
}
func (s *byteSet) addHigh()              { s[2], s[3] = ^uint64(0), ^uint64(0) }
func (s byteSet) with(t byteSet) byteSet { s.union(&t); return s }

// within reports whether every byte of s is in t.
func (s *byteSet) within(t *byteSet) bool {
	return s[0]&^t[0] == 0 && s[1]&^t[1] == 0 && s[2]&^t[2] == 0 && s[3]&^t[3] == 0
}

// bools returns s as a table.
func (s *byteSet) bools() [256]bool {
	var t [256]bool
	for b := range t {
		t[b] = s.has(byte(b))
	}
	return t
}

// allBytes is the set of every byte.
var allBytes = byteSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// addRuneBytes adds the bytes that the character c can be in the text:
// itself when it is ASCII, else every byte from 0x80 up (a character from
// U+0080 up is encoded in such bytes only, and an invalid byte, which is
// one of them, reads as U+FFFD).
func addRuneBytes(s *byteSet, c rune) {
	if c >= 0 && c < utf8.RuneSelf {
		s.add(byte(c))
		return
	}
	s.addHigh()
}

// addFoldedBytes adds the bytes of c and, when fold is set, of every
// character that matches c case-insensitively (k matches the Kelvin sign
// U+212A, whose bytes are from 0x80 up).
func addFoldedBytes(s *byteSet, c rune, fold bool) {
	addRuneBytes(s, c)
	if !fold {
		return
	}
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		addRuneBytes(s, f)
	}
}

// matchShape is what requiredIn knows of the matches of a sub-expression.
type matchShape struct {
	set byteSet // every byte of every match is in set
	cls byteSet // the bytes of set that a class can match
	// Every match has at least m characters (so bytes), at least k of
	// them matched by a class (not a literal).
	m, k int
	// first and last hold the first and last byte of every non-empty
	// match.
	first, last byteSet
	runs        runPair // runs every match holds
}

// runPair is the best run (nil: none) and the best pure one.
type runPair struct{ best, pure *runCand }

// offer makes c (nil: none) the best or best pure run when it is better.
func (p *runPair) offer(c *runCand) {
	if c == nil {
		return
	}
	p.best = better(p.best, c)
	if c.pure {
		p.pure = better(p.pure, c)
	}
}

// offerNew offers newRunCand(set, cls, n, k, pre, post), made only when
// it is better (most blocks of a concatenation are not).
func (p *runPair) offerNew(set, cls byteSet, n, k int, pre, post *byteSet) {
	if k < minRequiredRun {
		return
	}
	score := runScore(&set, k, pre, post)
	pure := set.within(&cls)
	if p.best != nil && score >= p.best.score && (!pure || p.pure != nil && score >= p.pure.score) {
		return
	}
	p.offer(&runCand{set: set, cls: cls, n: n, k: k, pre: pre, post: post, pure: pure, score: score})
}

// offerAll offers the runs of q.
func (p *runPair) offerAll(q runPair) {
	p.offer(q.best)
	p.offer(q.pure)
}

// runCand is a run every match of a sub-expression holds: n bytes of set
// (k of them matched by classes), just after a byte of pre and just before
// one of post (nil: any byte, or none). It is pure when every byte of set
// is one a class matches (cls): literals add none.
type runCand struct {
	set, cls  byteSet
	n, k      int
	pre, post *byteSet
	pure      bool
	score     float64
}

// maxCount caps the lengths requiredIn adds and multiplies.
const maxCount = 1 << 20

// requiredIn returns the shape of re's matches. A literal matches its
// characters (any case when it folds case), a class one of its characters;
// a repetition at least min times holds what its body holds, min times; an
// optional part (star, quest, a repetition that may be absent) may match
// nothing; a concatenation matches its parts one after the other, and an
// alternation one of its branches. Empty-width assertions (^ $ \b \B) and
// an empty regex match no character, so they sit inside runs without
// breaking them. An operator it does not know is any text.
//
// Its runs are the best and the best pure by score among: the runs of its
// parts (every match holds what its parts always hold), itself when it has
// at least minRequiredRun class characters, in a concatenation every block
// of consecutive parts (bounded by the bytes around it), and in an
// alternation the union of its branches' best runs, and of their best
// pure ones (as long as the shortest, bounded when all of them are), when
// every branch has one.
func requiredIn(re *syntax.Regexp) matchShape {
	var s matchShape
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpNoMatch,
		syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return s
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		for i, c := range re.Rune {
			addFoldedBytes(&s.set, c, fold)
			if i == 0 {
				addFoldedBytes(&s.first, c, fold)
			}
			if i == len(re.Rune)-1 {
				addFoldedBytes(&s.last, c, fold)
			}
		}
		s.m = min(len(re.Rune), maxCount)
		return s
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		s.set = classBytes(re)
		s.cls, s.first, s.last = s.set, s.set, s.set
		s.m, s.k = 1, 1
		return s
	case syntax.OpCapture:
		return requiredIn(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest, syntax.OpPlus, syntax.OpRepeat:
		lo, hi := repeatBounds(re)
		if hi == 0 {
			return s // matches the empty string only
		}
		body := requiredIn(re.Sub[0])
		s.set, s.cls, s.first, s.last = body.set, body.cls, body.first, body.last
		if lo < 1 {
			return s // may match nothing
		}
		s.m, s.k = min(body.m*lo, maxCount), min(body.k*lo, maxCount)
		s.runs = body.runs
		s.runs.offerNew(s.set, s.cls, s.m, s.k, nil, nil)
		return s
	case syntax.OpConcat:
		return concatShape(re.Sub)
	case syntax.OpAlternate:
		return alternateShape(re.Sub)
	}
	s.set, s.cls, s.first, s.last = allBytes, allBytes, allBytes, allBytes
	return s
}

// concatShape is the shape of the concatenation of subs.
func concatShape(subs []*syntax.Regexp) matchShape {
	parts := make([]matchShape, len(subs))
	for i, sub := range subs {
		parts[i] = requiredIn(sub)
	}
	var s matchShape
	for _, p := range parts {
		s.set.union(&p.set)
		s.cls.union(&p.cls)
		s.m, s.k = min(s.m+p.m, maxCount), min(s.k+p.k, maxCount)
		s.runs.offerAll(p.runs)
	}
	for _, p := range parts {
		s.first.union(&p.first)
		if p.m > 0 {
			break
		}
	}
	for i := len(parts) - 1; i >= 0; i-- {
		s.last.union(&parts[i].last)
		if parts[i].m > 0 {
			break
		}
	}
	// pre[i] holds the byte just before what parts[i] matches, post[j]
	// the byte just after what parts[j] matches; nil when the parts
	// before (after) may all match nothing.
	pre := make([]*byteSet, len(parts))
	post := make([]*byteSet, len(parts))
	bounds := make([]byteSet, 2*len(parts))
	for i := range parts {
		b := &bounds[i]
		for j := i - 1; j >= 0; j-- {
			b.union(&parts[j].last)
			if parts[j].m > 0 {
				pre[i] = b
				break
			}
		}
	}
	for i := range parts {
		b := &bounds[len(parts)+i]
		for j := i + 1; j < len(parts); j++ {
			b.union(&parts[j].first)
			if parts[j].m > 0 {
				post[i] = b
				break
			}
		}
	}
	for i := range parts {
		var set, cls byteSet
		m, k := 0, 0
		for j := i; j < len(parts); j++ {
			set.union(&parts[j].set)
			cls.union(&parts[j].cls)
			m, k = min(m+parts[j].m, maxCount), min(k+parts[j].k, maxCount)
			s.runs.offerNew(set, cls, m, k, pre[i], post[j])
		}
	}
	return s
}

// alternateShape is the shape of the alternation of subs.
func alternateShape(subs []*syntax.Regexp) matchShape {
	var s matchShape
	branches := make([]runPair, len(subs))
	for i, sub := range subs {
		b := requiredIn(sub)
		s.set.union(&b.set)
		s.cls.union(&b.cls)
		s.first.union(&b.first)
		s.last.union(&b.last)
		if i == 0 {
			s.m, s.k = b.m, b.k
		} else {
			s.m, s.k = min(s.m, b.m), min(s.k, b.k)
		}
		branches[i] = b.runs
	}
	// The union of the best runs, and of the best pure ones (the best
	// when a branch has no pure one).
	s.runs.offer(unionRuns(branches, func(p runPair) *runCand { return p.best }))
	s.runs.offer(unionRuns(branches, func(p runPair) *runCand {
		if p.pure != nil {
			return p.pure
		}
		return p.best
	}))
	s.runs.offerNew(s.set, s.cls, s.m, s.k, nil, nil)
	return s
}

// unionRuns returns the run that each branch's run (pick) is: the union of
// their sets, as long as the shortest, bounded by the union of their
// bounds when all of them are; nil when a branch has none.
func unionRuns(branches []runPair, pick func(runPair) *runCand) *runCand {
	var u runCand
	for i, p := range branches {
		c := pick(p)
		if c == nil {
			return nil
		}
		if i == 0 {
			u = *c
			continue
		}
		u.set.union(&c.set)
		u.cls.union(&c.cls)
		u.n, u.k = min(u.n, c.n), min(u.k, c.k)
		u.pre = unionOrNil(u.pre, c.pre)
		u.post = unionOrNil(u.post, c.post)
	}
	if len(branches) == 0 {
		return nil
	}
	return newRunCand(u.set, u.cls, u.n, u.k, u.pre, u.post)
}

// unionOrNil is the union of a and b, nil when either is (any byte).
func unionOrNil(a, b *byteSet) *byteSet {
	if a == nil || b == nil {
		return nil
	}
	u := a.with(*b)
	return &u
}

// classBytes is the set of the bytes the characters of the class re can be
// in the text (see addRuneBytes).
func classBytes(re *syntax.Regexp) byteSet {
	var s byteSet
	switch re.Op {
	case syntax.OpAnyChar:
		return allBytes
	case syntax.OpAnyCharNotNL:
		s = allBytes
		s['\n'>>6] &^= 1 << ('\n' & 63)
		return s
	}
	for i := 0; i+1 < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		for c := lo; c <= hi && c < utf8.RuneSelf; c++ {
			s.add(byte(c))
		}
		if hi >= utf8.RuneSelf {
			s.addHigh()
		}
	}
	if re.Flags&syntax.FoldCase != 0 {
		// The parser folds a class itself and the matcher does not
		// fold it again. Should it, the class would also match the
		// ASCII characters that fold to one of its characters (k for
		// the Kelvin sign) and the folds of its ASCII characters (the
		// Kelvin sign for k): add both, to be safe.
		for c := rune('A'); c <= 'z'; c++ { // no other ASCII character folds
			for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
				if classHas(re.Rune, f) {
					s.add(byte(c))
				}
				if classHas(re.Rune, c) {
					addRuneBytes(&s, f)
				}
			}
		}
	}
	return s
}

// classHas reports whether the class ranges r hold c.
func classHas(r []rune, c rune) bool {
	for i := 0; i+1 < len(r); i += 2 {
		if r[i] <= c && c <= r[i+1] {
			return true
		}
	}
	return false
}

// newRunCand returns the run of n bytes of set (k of them class
// characters, which can be the bytes cls) between pre and post, nil when
// k < minRequiredRun.
func newRunCand(set, cls byteSet, n, k int, pre, post *byteSet) *runCand {
	if k < minRequiredRun {
		return nil
	}
	return &runCand{set: set, cls: cls, n: n, k: k, pre: pre, post: post, pure: set.within(&cls), score: runScore(&set, k, pre, post)}
}

// runScore is the score of a run of k class characters of set between pre
// and post.
func runScore(set *byteSet, k int, pre, post *byteSet) float64 {
	return float64(k)*math.Log(prob(set)) + math.Log(probOrOne(pre)) + math.Log(probOrOne(post))
}

// better returns the one of a and b with the lower score (either may be
// nil), a on a tie.
func better(a, b *runCand) *runCand {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.score < a.score:
		return b
	}
	return a
}

// score: a run's score is the log of the estimated probability that a
// given position of a line of code starts it, each byte drawn on its own
// from byteWeight: k·log p(set) + log p(pre) + log p(post). The characters
// matched by literals do not count: they are the rule's keywords, which the
// lines that reach the regex hold anyway, so a run of literals filters
// nothing. The lower the score, the fewer lines hold the run.

// prob is the probability of a byte of s (at most 1).
func prob(s *byteSet) float64 {
	p := 0.0
	for _, c := range weightClasses {
		n := 0
		for i := range s {
			n += bits.OnesCount64(s[i] & c.bytes[i])
		}
		p += float64(n) * c.weight
	}
	return min(max(p, 1e-9), 1)
}

// weightClass is the bytes of one byteWeight.
type weightClass struct {
	bytes  byteSet
	weight float64
}

// weightClasses are the bytes by byteWeight, in the order of their first
// byte; it is not written after init.
var weightClasses = func() []weightClass {
	var cs []weightClass
	for b := range 256 {
		w := byteWeight(byte(b))
		i := slices.IndexFunc(cs, func(c weightClass) bool { return c.weight == w })
		if i < 0 {
			i = len(cs)
			cs = append(cs, weightClass{weight: w})
		}
		cs[i].bytes.add(byte(b))
	}
	return cs
}()

// probOrOne is prob(s), 1 for nil (any byte).
func probOrOne(s *byteSet) float64 {
	if s == nil {
		return 1
	}
	return prob(s)
}

// byteWeight is a rough probability of the byte b in a line of code:
// half the bytes are lower-case letters, 15% spaces, 20% punctuation,
// then upper-case letters, digits, tabs and the rest.
func byteWeight(b byte) float64 {
	switch {
	case b >= 'a' && b <= 'z':
		return 0.50 / 26
	case b == ' ':
		return 0.15
	case b >= 'A' && b <= 'Z':
		return 0.07 / 26
	case b >= '0' && b <= '9':
		return 0.04 / 10
	case b == '\t':
		return 0.03
	case b > ' ' && b < 0x7f:
		return 0.20 / 32
	case b >= utf8.RuneSelf:
		return 0.01 / 128
	}
	return 1e-6
}

// repeatBounds returns how many times the repetition re (a star, quest,
// plus or repeat) repeats its body: at least lo, at most hi (-1: no limit).
func repeatBounds(re *syntax.Regexp) (lo, hi int) {
	switch re.Op {
	case syntax.OpQuest:
		return 0, 1
	case syntax.OpPlus:
		return 1, -1
	case syntax.OpRepeat:
		return re.Min, re.Max
	}
	return 0, -1
}
