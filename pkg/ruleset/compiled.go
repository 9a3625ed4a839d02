package ruleset

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// Compiled rules: the rules of one rule file in a byte form that decodes
// without YAML, for pkg/policy's compiled-rules cache. Decoding a rule
// file from YAML (parsing, checking every key, building the provider
// table and its automaton) costs tens of milliseconds for the embedded
// rules, on every hook run; decoding this form costs a fraction of one.
//
// The form holds what a lazy decode (DecodeOptions.Lazy) gives: the
// content regexes as their source, compiled on first use with the checks
// that need them, and no rule tests. The other regexes (commit
// conditions, trailer values, allowlists: few) are compiled by
// DecodeCompiled. It holds no positions but the rules' Source and the
// allowlists' source (file:line), which name the rule file: the same
// bytes under another name are another entry.
//
// The form is only ever read back by the build that wrote it (pkg/policy
// keys it by the build's identity), so it has no compatibility to keep:
// compiledVersion changes with it for clarity, not for migration.

// compiledVersion is the first string of an encoding.
const compiledVersion = "pushguard-compiled-rules-v2"

// EncodeCompiled encodes rules (as a decode of one rule file returns
// them, eager or lazy) into the compiled form.
func EncodeCompiled(rules []*Rule) []byte {
	w := &wireWriter{}
	w.str(compiledVersion)
	w.size(len(rules), rules == nil)
	for _, r := range rules {
		encodeRule(w, r)
	}
	return w.b
}

// DecodeCompiled decodes rules encoded by EncodeCompiled, as a lazy decode
// of their rule file gives them. It returns an error for an encoding that
// is truncated, malformed or of another version, or whose non-content
// regexes do not compile. The rules' strings share data's memory (a
// string, read once from the cache: no copy).
func DecodeCompiled(data string) (rules []*Rule, err error) {
	r := &wireReader{s: data}
	if v := r.str(); v != compiledVersion {
		return nil, fmt.Errorf("%w: version %q", errWire, v)
	}
	n := r.size()
	if n < 0 {
		if r.err != nil {
			return nil, r.err
		}
		return nil, r.end()
	}
	rules = make([]*Rule, 0, n)
	for range n {
		rule := decodeRule(r)
		if r.err != nil {
			return nil, r.err
		}
		rules = append(rules, rule)
	}
	return rules, r.end()
}

// end checks that the encoding was read to its end.
func (r *wireReader) end() error {
	if r.i != len(r.s) {
		return fmt.Errorf("%w: %d bytes after the rules", errWire, len(r.s)-r.i)
	}
	return nil
}

// present writes whether a pointer is set, and reports it.
func (w *wireWriter) present(set bool) bool {
	w.bool(set)
	return set
}

func encodeRule(w *wireWriter, r *Rule) {
	w.str(r.ID)
	w.str(r.Description)
	w.str(r.Message)
	w.str(r.Help)
	w.str(string(r.Severity))
	w.strs(r.Tags)
	w.bool(r.Redact)
	w.bool(r.Bypassable)
	w.bool(r.Suppressible)
	w.bool(r.Disabled)
	w.str(r.Source)
	w.int(int64(r.Index))
	encodeGlobs(w, r.refs)
	encodeGlobs(w, r.paths)
	if c := r.commit; w.present(c != nil) {
		for _, re := range []*regexp.Regexp{c.message, c.authorName, c.authorEmail, c.committerName, c.committerEmail} {
			encodeRegexp(w, re)
		}
		w.strs(c.present)
		w.strs(c.absent)
	}
	if f := r.file; w.present(f != nil) {
		w.uint(uint64(f.status))
		w.int(f.sizeMin)
		w.optBool(f.binary)
	}
	if c := r.content; w.present(c != nil) {
		encodeContent(w, c)
	}
	if a := r.ai; w.present(a != nil) {
		w.optBool(a.detected)
		w.strs(a.tools)
		w.optBool(a.declared)
		w.strs(a.agentTrailers)
		w.optBool(a.lines)
	}
	if d := r.deps; w.present(d != nil) {
		w.strs(d.ecosystems)
		w.size(len(d.allow), d.allow == nil)
		for _, eco := range slices.Sorted(maps.Keys(d.allow)) {
			w.str(eco)
			w.strs(d.allow[eco])
		}
	}
	if q := r.require; w.present(q != nil) {
		w.size(len(q.trailers), q.trailers == nil)
		for _, t := range q.trailers {
			w.str(t.key)
			w.str(t.display)
			encodeRegexp(w, t.value)
			w.bool(t.notAuthor)
			w.bool(t.human)
			w.str(t.example)
		}
		w.bool(q.signed)
		w.bool(q.humanAuthor)
	}
	encodeAllowlist(w, r.allow)
	encodeAllowlist(w, r.global)
}

func decodeRule(r *wireReader) *Rule {
	out := &Rule{
		ID:          r.str(),
		Description: r.str(),
		Message:     r.str(),
		Help:        r.str(),
		Severity:    Severity(r.str()),
		Tags:        r.strs(),
	}
	out.Redact = r.bool()
	out.Bypassable = r.bool()
	out.Suppressible = r.bool()
	out.Disabled = r.bool()
	out.Source = r.str()
	out.Index = int(r.int())
	out.refs = decodeGlobs(r)
	out.paths = decodeGlobs(r)
	if r.bool() {
		c := &commitCond{}
		for _, p := range []**regexp.Regexp{&c.message, &c.authorName, &c.authorEmail, &c.committerName, &c.committerEmail} {
			*p = decodeRegexp(r)
		}
		c.present = r.strs()
		c.absent = r.strs()
		out.commit = c
	}
	if r.bool() {
		out.file = &fileCond{status: statusSet(r.uint()), sizeMin: r.int(), binary: r.optBool()}
	}
	if r.bool() {
		out.content = decodeContent(r, out)
	}
	if r.bool() {
		out.ai = &aiCond{detected: r.optBool(), tools: r.strs(), declared: r.optBool(), agentTrailers: r.strs(), lines: r.optBool()}
	}
	if r.bool() {
		d := &depCond{ecosystems: r.strs()}
		if n := r.size(); n >= 0 {
			d.allow = make(map[string][]string, n)
			for range n {
				eco := r.str()
				d.allow[eco] = r.strs()
			}
		}
		out.deps = d
	}
	if r.bool() {
		q := &requireCond{}
		if n := r.size(); n >= 0 {
			q.trailers = make([]trailerReq, n)
			for i := range q.trailers {
				t := &q.trailers[i]
				t.key = r.str()
				t.display = r.str()
				t.value = decodeRegexp(r)
				t.notAuthor = r.bool()
				t.human = r.bool()
				t.example = r.str()
			}
		}
		q.signed = r.bool()
		q.humanAuthor = r.bool()
		out.require = q
	}
	out.allow = decodeAllowlist(r)
	out.global = decodeAllowlist(r)
	return out
}

func encodeGlobs(w *wireWriter, g *globSet) {
	if w.present(g != nil) {
		w.strs(g.include)
		w.strs(g.exclude)
	}
}

func decodeGlobs(r *wireReader) *globSet {
	if !r.bool() {
		return nil
	}
	return &globSet{include: r.strs(), exclude: r.strs()}
}

// encodeRegexp writes a compiled regex as its source.
func encodeRegexp(w *wireWriter, re *regexp.Regexp) {
	if w.present(re != nil) {
		w.str(re.String())
	}
}

func decodeRegexp(r *wireReader) *regexp.Regexp {
	if !r.bool() {
		return nil
	}
	return r.regexp()
}

// regexp reads a regex's source and compiles it; a source that does not
// compile is a malformed encoding.
func (r *wireReader) regexp() *regexp.Regexp {
	src := r.str()
	if r.err != nil {
		return nil
	}
	re, err := regexp.Compile(src)
	if err != nil {
		r.err = fmt.Errorf("%w: regex %q: %v", errWire, src, err)
		r.i = len(r.s)
		return nil
	}
	return re
}

func encodeRegexps(w *wireWriter, res []*regexp.Regexp) {
	w.size(len(res), res == nil)
	for _, re := range res {
		w.str(re.String())
	}
}

func encodeAllowlist(w *wireWriter, a *allowlist) {
	if !w.present(a != nil) {
		return
	}
	w.str(a.source)
	w.strs(a.paths)
	encodeRegexps(w, a.regexes)
	w.strs(a.stopwords)
	w.strs(a.commits)
}

func decodeAllowlist(r *wireReader) *allowlist {
	if !r.bool() {
		return nil
	}
	a := &allowlist{source: r.str(), paths: r.strs()}
	if n := r.size(); n >= 0 {
		a.regexes = make([]*regexp.Regexp, n)
		for i := range a.regexes {
			a.regexes[i] = r.regexp()
		}
	}
	a.stopwords = r.strs()
	a.commits = r.strs()
	return a
}

// encodeContent writes a content condition in its lazy form: the regexes
// as their source.
func encodeContent(w *wireWriter, c *contentCond) {
	expr, allow := "", []string(nil)
	switch {
	case c.lazy != nil:
		expr, allow = c.lazy.expr, c.lazy.allowExpr
	default:
		if c.re != nil {
			expr = c.re.String()
		}
		for _, a := range c.allow {
			allow = append(allow, a.String())
		}
	}
	w.str(expr)
	w.strs(allow)
	w.strs(c.keywords)
	w.strs(c.stopwords)
	w.int(int64(c.entropyGroup))
	w.float(c.entropyMin)
	w.int(int64(c.secretGroup))
	if u := c.unicode; w.present(u != nil) {
		w.size(len(u.ranges), u.ranges == nil)
		for _, rr := range u.ranges {
			w.int(int64(rr.lo))
			w.int(int64(rr.hi))
		}
		w.byteSet(&u.lead)
	}
	if p := c.providers; w.present(p != nil) {
		encodeProviders(w, p)
	}
}

// decodeContent reads a content condition of rule into its lazy form.
func decodeContent(r *wireReader, rule *Rule) *contentCond {
	expr, allow := r.str(), r.strs()
	c := &contentCond{
		keywords:     r.strs(),
		stopwords:    r.strs(),
		entropyGroup: int(r.int()),
		entropyMin:   r.float(),
		secretGroup:  int(r.int()),
	}
	if r.bool() {
		u := &unicodeCond{}
		if n := r.size(); n >= 0 {
			u.ranges = make([]runeRange, n)
			for i := range u.ranges {
				u.ranges[i] = runeRange{lo: rune(r.int()), hi: rune(r.int())}
			}
		}
		r.byteSet(&u.lead)
		c.unicode = u
	}
	if r.bool() {
		c.providers = decodeProviders(r)
	}
	if expr != "" || len(allow) > 0 {
		c.lazy = &lazyRegexps{
			source: rule.Source, id: rule.ID, expr: expr, allowExpr: allow,
			secretGroup: c.secretGroup, entropyGroup: c.entropyGroup,
		}
	}
	return c
}

func encodeProviders(w *wireWriter, p *providerCond) {
	// The character sets of shapes are few and shared by many shapes:
	// written once, then named by their index plus one (0 for none).
	var sets [][256]bool
	index := map[[256]bool]int{}
	for _, pr := range p.providers {
		for _, s := range pr.shapes {
			if s.chars != nil {
				if _, ok := index[*s.chars]; !ok {
					index[*s.chars] = len(sets)
					sets = append(sets, *s.chars)
				}
			}
		}
	}
	w.uint(uint64(len(sets)))
	for i := range sets {
		w.byteSet(&sets[i])
	}
	w.uint(uint64(len(p.providers)))
	for _, pr := range p.providers {
		w.str(pr.name)
		w.size(len(pr.shapes), pr.shapes == nil)
		for _, s := range pr.shapes {
			w.str(s.prefix)
			set := 0
			if s.chars != nil {
				set = index[*s.chars] + 1
			}
			w.uint(uint64(set))
			w.bool(s.hex)
			w.bool(s.uuid)
			w.int(int64(s.min))
			w.int(int64(s.max))
			w.int(int64(s.size))
		}
	}
	w.size(len(p.terms), p.terms == nil)
	for _, t := range p.terms {
		w.str(t.text)
		w.int(int64(t.provider))
	}
	encodeAutomaton(w, p.names)
	w.strs(p.cred)
	w.bools(p.password)
	w.strs(p.ignore)
	w.float(p.minH)
}

func decodeProviders(r *wireReader) *providerCond {
	p := &providerCond{}
	nsets := r.count()
	if nsets > (len(r.s)-r.i)/32 {
		r.fail()
		return nil
	}
	sets := make([][256]bool, nsets)
	for i := range sets {
		r.byteSet(&sets[i])
	}
	n := r.count()
	if n > len(r.s)-r.i {
		r.fail()
		return nil
	}
	p.providers = make([]provider, n)
	for i := range p.providers {
		pr := &p.providers[i]
		pr.name = r.str()
		if m := r.size(); m >= 0 {
			pr.shapes = make([]shape, m)
			for j := range pr.shapes {
				s := &pr.shapes[j]
				s.prefix = r.str()
				if set := r.count(); set > 0 {
					if set > len(sets) {
						r.fail()
						return nil
					}
					s.chars = &sets[set-1]
				}
				s.hex = r.bool()
				s.uuid = r.bool()
				s.min = int(r.int())
				s.max = int(r.int())
				s.size = int(r.int())
			}
		}
		if r.err != nil {
			return nil
		}
	}
	if m := r.size(); m >= 0 {
		p.terms = make([]providerTerm, m)
		for i := range p.terms {
			p.terms[i] = providerTerm{text: r.str(), provider: int32(r.int())}
		}
	}
	p.names = decodeAutomaton(r, len(p.terms))
	p.cred = r.strs()
	p.password = r.bools()
	p.ignore = r.strs()
	p.minH = r.float()
	return p
}

// encodeAutomaton writes a keyword automaton's tables.
func encodeAutomaton(w *wireWriter, a *automaton) {
	if !w.present(a != nil) {
		return
	}
	for _, c := range a.class {
		w.int(int64(c))
	}
	w.int(int64(a.width))
	for _, s := range [][]int32{a.first, a.sibling, a.edgeClass, a.edgeTo, a.root, a.fail, a.mark, a.outs} {
		w.int32sFixed(s)
	}
}

// decodeAutomaton reads a keyword automaton's tables whose outputs are
// below slots, and checks them (valid): a scan follows them without
// checks of its own.
func decodeAutomaton(r *wireReader, slots int) *automaton {
	if !r.bool() {
		return nil
	}
	a := &automaton{}
	for i := range a.class {
		a.class[i] = int32(r.int())
	}
	a.width = int32(r.int())
	for _, p := range []*[]int32{&a.first, &a.sibling, &a.edgeClass, &a.edgeTo, &a.root, &a.fail, &a.mark, &a.outs} {
		*p = r.int32sFixed()
	}
	if r.err == nil && !a.valid(slots) {
		r.err = fmt.Errorf("%w: inconsistent automaton", errWire)
		r.i = len(r.s)
	}
	if r.err != nil {
		return nil
	}
	return a
}

// valid checks the invariants the scans of a rely on, for a table read
// back rather than built: classes within width; states, edges and outputs
// within their tables; states numbered breadth-first (renumber), so that
// every failure link goes to an earlier state and every trie edge to a
// later one (step and the trie walks end), and every edge list is
// decreasing (so does each list); output lists ended, their slots below
// slots. One pass, no allocation.
func (a *automaton) valid(slots int) bool {
	states := int32(len(a.first))
	edges := int32(len(a.edgeTo))
	if a.width < 2 || states < 1 || int32(len(a.root)) != a.width || len(a.fail) != int(states) || len(a.mark) != int(states) ||
		len(a.sibling) != int(edges) || len(a.edgeClass) != int(edges) {
		return false
	}
	for _, c := range a.class {
		if c < 1 || c >= a.width {
			return false
		}
	}
	if a.fail[0] != 0 {
		return false
	}
	for s := range states {
		if f := a.fail[s]; s > 0 && (f < 0 || f >= s) {
			return false
		}
		if m := a.mark[s]; m < 0 || m > int32(len(a.outs)) {
			return false
		}
		for e := a.first[s]; e >= 0; e = a.sibling[e] {
			if e >= edges || a.sibling[e] >= e || a.sibling[e] < -1 {
				return false
			}
			if t := a.edgeTo[e]; t <= s || t >= states {
				return false
			}
			if c := a.edgeClass[e]; c < 1 || c >= a.width {
				return false
			}
		}
		if a.first[s] < -1 {
			return false
		}
	}
	for _, t := range a.root {
		if t < 0 || t >= states {
			return false
		}
	}
	for _, o := range a.outs {
		if o < -1 || int(o) >= slots {
			return false
		}
	}
	// Every output list ends with -1 before the end of outs.
	if len(a.outs) > 0 && a.outs[len(a.outs)-1] != -1 {
		return false
	}
	return true
}
