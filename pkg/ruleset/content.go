package ruleset

import (
	"fmt"
	"math"
	"regexp"
	"sync"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
)

// contentCond is a compiled ContentSpec.
type contentCond struct {
	// re and allow are content.regex and content.allow, compiled. A
	// condition decoded lazily (DecodeOptions.Lazy) leaves them nil and
	// compiles them on first use: always read them through regexps.
	re        *regexp.Regexp
	allow     []*regexp.Regexp
	lazy      *lazyRegexps
	keywords  []string // lower-cased (ASCII)
	stopwords []string // lower-cased (ASCII)
	// entropyGroup is the capture group the entropy condition measures;
	// entropyMin <= 0 means no entropy condition.
	entropyGroup int
	entropyMin   float64
	// unicode, when set, replaces re: the condition matches hidden code
	// points (unicode.go).
	unicode *unicodeCond
	// providers, when set, replaces re: the condition matches values
	// assigned to keys that name a known provider (provider.go).
	providers *providerCond
	// secretGroup is the capture group reported as the match (0: the
	// whole match); stopwords and allow regexes look at it.
	secretGroup int
	// run is a run of characters every match of re holds, computed from
	// re at first use (required.go); not decoded, not serialised.
	run requiredRun
}

// each calls fn with every match of the rule r (whose condition c is) in
// line that survives the stopwords, allow and entropy filters. lineNo is the
// line's 1-based number in its file, 0 when unknown; path is the line's
// configuration path (see MatchLineIn), nil when unknown. names is the
// caller's DFA table for the provider names of content.providers (nil: the
// names are found without one).
func (c *contentCond) each(line []byte, lineNo int, path []byte, r *Rule, names *dfaTable, fn func(LineMatch)) {
	re, allow := c.regexps()
	if c.unicode != nil {
		c.unicode.each(line, lineNo, func(start, end int, detail string) {
			fn(LineMatch{Rule: r, Start: start, End: end, Detail: detail})
		})
		return
	}
	if c.providers != nil {
		c.providers.each(line, path, nil, names, func(start, end int, detail string) {
			if c.accept(line, allow, []int{start, end}, nil) {
				fn(LineMatch{Rule: r, Start: start, End: end, Detail: detail})
			}
		})
		return
	}
	if run := c.run.getFor(re, len(line)); run != nil && !run.in(line) {
		return // re cannot match line
	}
	if c.secretGroup > 0 || (c.entropyGroup > 0 && c.entropyMin > 0) {
		for _, loc := range re.FindAllSubmatchIndex(line, -1) {
			start, end := c.span(loc)
			if start < end && c.accept(line, allow, loc, nil) {
				fn(LineMatch{Rule: r, Start: start, End: end})
			}
		}
		return
	}
	for _, loc := range re.FindAllIndex(line, -1) {
		if loc[0] < loc[1] && c.accept(line, allow, loc, nil) {
			fn(LineMatch{Rule: r, Start: loc[0], End: loc[1]})
		}
	}
}

// accept applies the filters to one match; allow are the condition's
// allow regexes (see regexps). loc is a FindIndex or FindSubmatchIndex
// result. When the match is rejected and why is not nil, it says why.
func (c *contentCond) accept(line []byte, allow []*regexp.Regexp, loc []int, why *string) bool {
	start, end := c.span(loc)
	if start < 0 {
		explain(why, "secret_group %d did not take part in the match", c.secretGroup)
		return false
	}
	text := line[start:end]
	for _, s := range c.stopwords {
		if indexFold(text, s) >= 0 {
			explain(why, "match %s ignored: it contains stopword %q", yamlmsg.Quote(string(text)), s)
			return false
		}
	}
	for _, a := range allow {
		if a.Match(text) {
			explain(why, "match %s ignored: allowed by %s", yamlmsg.Quote(string(text)), yamlmsg.Quote(a.String()))
			return false
		}
	}
	if c.entropyMin > 0 {
		g := text
		if c.entropyGroup > 0 {
			i := 2 * c.entropyGroup
			if i+1 >= len(loc) || loc[i] < 0 {
				g = nil // the group did not take part in the match
			} else {
				g = line[loc[i]:loc[i+1]]
			}
		}
		if h := Entropy(g); h < c.entropyMin {
			explain(why, "match %s ignored: entropy %.2f of group %d is below %g",
				yamlmsg.Quote(string(text)), h, c.entropyGroup, c.entropyMin)
			return false
		}
	}
	return true
}

// span returns the offsets of what a match reports: the secret group, or
// the whole match; -1, -1 when the group did not take part.
func (c *contentCond) span(loc []int) (int, int) {
	if c.secretGroup > 0 {
		if i := 2 * c.secretGroup; i+1 < len(loc) {
			return loc[i], loc[i+1]
		}
		return -1, -1
	}
	return loc[0], loc[1]
}

// Entropy returns the Shannon entropy of b in bits per byte: 0 for empty or
// uniform input, at most 8.
func Entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	n := float64(len(b))
	h := 0.0
	for _, k := range counts {
		if k > 0 {
			p := float64(k) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// ErrLazyCompile is wrapped by the panic of a rule whose regexes, compiled
// on first use (DecodeOptions.Lazy), do not compile or break a check that
// loading makes. pkg/policy decodes lazily only rule files that this very
// build has validated in full before (their validation stamp), so this
// means a corrupted cache or a bug: matching cannot go on without the rule,
// and it must not go on as if the rule found nothing, so it stops. The hook
// recovers the panic as an internal error and rejects the push. It is
// provenance.ErrLazyCompile, which the AI-tool markers compiled on first
// use panic with, so that one test tells both.
var ErrLazyCompile = provenance.ErrLazyCompile

// lazyRegexps are the regexes of a condition decoded lazily, compiled once
// on first use, safe for concurrent use.
type lazyRegexps struct {
	source    string // the rule's file:line and id, for the error
	id        string
	expr      string // content.regex; "" for content.unicode or providers
	allowExpr []string
	// secretGroup and entropyGroup are checked against the regex's groups,
	// as an eager load does.
	secretGroup, entropyGroup int

	once  sync.Once
	re    *regexp.Regexp
	allow []*regexp.Regexp
	err   error
}

// regexps returns the condition's content.regex (nil for content.unicode
// and content.providers) and content.allow regexes, compiling them on
// first use when the condition was decoded lazily. When that compile
// fails it panics with an error wrapping ErrLazyCompile (fail closed).
func (c *contentCond) regexps() (*regexp.Regexp, []*regexp.Regexp) {
	l := c.lazy
	if l == nil {
		return c.re, c.allow
	}
	l.once.Do(l.compile)
	if l.err != nil {
		panic(l.err)
	}
	return l.re, l.allow
}

// compile compiles the regexes and makes the checks an eager load makes
// (compileContent), with its messages.
func (l *lazyRegexps) compile() {
	fail := func(key, format string, args ...any) {
		l.err = fmt.Errorf("%s: rule %q: %s: %s: %w", l.source, l.id, key, fmt.Sprintf(format, args...), ErrLazyCompile)
		l.re, l.allow = nil, nil
	}
	if l.expr != "" {
		re, err := regexp.Compile(l.expr)
		switch {
		case err != nil:
			fail("content.regex", "%s", regexError(err))
			return
		case re.MatchString(""):
			fail("content.regex", "matches the empty string, so it would fire on every line")
			return
		case l.entropyGroup > re.NumSubexp():
			fail("content.entropy.group", "group %d does not exist: the regex has %d capture group(s)", l.entropyGroup, re.NumSubexp())
			return
		case l.secretGroup > re.NumSubexp():
			fail("content.secret_group", "group %d does not exist: the regex has %d capture group(s)", l.secretGroup, re.NumSubexp())
			return
		}
		l.re = re
	}
	for i, expr := range l.allowExpr {
		re, err := regexp.Compile(expr)
		if err != nil {
			fail(fmt.Sprintf("content.allow[%d]", i), "%s", regexError(err))
			return
		}
		l.allow = append(l.allow, re)
	}
}
