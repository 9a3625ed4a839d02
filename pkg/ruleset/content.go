package ruleset

import (
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"math"
	"regexp"
)

// contentCond is a compiled ContentSpec.
type contentCond struct {
	re        *regexp.Regexp
	keywords  []string // lower-cased (ASCII)
	stopwords []string // lower-cased (ASCII)
	allow     []*regexp.Regexp
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
}

// each calls fn with every match of the rule r (whose condition c is) in
// line that survives the stopwords, allow and entropy filters. lineNo is the
// line's 1-based number in its file, 0 when unknown; path is the line's
// configuration path (see MatchLineIn), nil when unknown.
func (c *contentCond) each(line []byte, lineNo int, path []byte, r *Rule, fn func(LineMatch)) {
	if c.unicode != nil {
		c.unicode.each(line, lineNo, func(start, end int, detail string) {
			fn(LineMatch{Rule: r, Start: start, End: end, Detail: detail})
		})
		return
	}
	if c.providers != nil {
		c.providers.each(line, path, nil, func(start, end int, detail string) {
			if c.accept(line, []int{start, end}, nil) {
				fn(LineMatch{Rule: r, Start: start, End: end, Detail: detail})
			}
		})
		return
	}
	if c.secretGroup > 0 || (c.entropyGroup > 0 && c.entropyMin > 0) {
		for _, loc := range c.re.FindAllSubmatchIndex(line, -1) {
			start, end := c.span(loc)
			if start < end && c.accept(line, loc, nil) {
				fn(LineMatch{Rule: r, Start: start, End: end})
			}
		}
		return
	}
	for _, loc := range c.re.FindAllIndex(line, -1) {
		if loc[0] < loc[1] && c.accept(line, loc, nil) {
			fn(LineMatch{Rule: r, Start: loc[0], End: loc[1]})
		}
	}
}

// accept applies the filters to one match. loc is a FindIndex or
// FindSubmatchIndex result. When the match is rejected and why is not nil,
// it says why.
func (c *contentCond) accept(line []byte, loc []int, why *string) bool {
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
	for _, a := range c.allow {
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
