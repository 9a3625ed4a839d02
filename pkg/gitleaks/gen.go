package gitleaks

import (
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// candidates returns up to n strings that the regex re may match, made by
// walking its syntax tree with random choices: a random branch of each
// alternation, random characters of each class, repetitions at their
// minimum (a few when unbounded) unless the minimum is 0 and the part is
// optional filler. They are candidates only: the caller keeps those that
// the converted rule really matches (anchors, word boundaries, entropy,
// stopwords and allowlists are checked there, not here). Deterministic for
// a given seed.
func candidates(re string, n int, seed uint64) []string {
	parsed, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil
	}
	parsed = parsed.Simplify()
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	out := make([]string, 0, n)
	for i := range n {
		var b strings.Builder
		g := generator{rng: rng, b: &b, long: i%2 == 1}
		g.gen(parsed, 0)
		if b.Len() <= 4096 && utf8.ValidString(b.String()) {
			out = append(out, b.String())
		}
	}
	return out
}

type generator struct {
	rng *rand.Rand
	b   *strings.Builder
	// long makes bounded repetitions with a minimum long (up to 24), so
	// that random values reach entropy thresholds.
	long bool
}

// filler is what unbounded "any character" parts produce.
const filler = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (g *generator) gen(re *syntax.Regexp, depth int) {
	if depth > 100 || g.b.Len() > 4096 {
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && g.rng.IntN(4) == 0 {
				r = flipCase(r)
			}
			g.b.WriteRune(r)
		}
	case syntax.OpCharClass:
		g.b.WriteRune(g.pick(re.Rune))
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		// An unescaped '.' is often meant as a dot (hooks.slack.com).
		if g.rng.IntN(2) == 0 {
			g.b.WriteByte('.')
		} else {
			g.b.WriteByte(filler[g.rng.IntN(len(filler))])
		}
	case syntax.OpCapture:
		g.gen(re.Sub[0], depth+1)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			g.gen(s, depth+1)
		}
	case syntax.OpAlternate:
		g.gen(re.Sub[g.rng.IntN(len(re.Sub))], depth+1)
	case syntax.OpQuest:
		if g.rng.IntN(2) == 0 {
			g.gen(re.Sub[0], depth+1)
		}
	case syntax.OpStar:
		for range g.rng.IntN(2) {
			g.gen(re.Sub[0], depth+1)
		}
	case syntax.OpPlus:
		for range 1 + g.rng.IntN(2) {
			g.gen(re.Sub[0], depth+1)
		}
	case syntax.OpRepeat:
		n := re.Min
		if re.Min == 0 {
			n = 0
			if re.Max > 0 && g.rng.IntN(3) == 0 {
				n = 1 + g.rng.IntN(min(re.Max, 3))
			}
		} else if g.long && (re.Max == -1 || re.Max > re.Min) {
			n = max(re.Min, 24)
			if re.Max >= 0 {
				n = min(n, re.Max)
			}
		}
		for range n {
			g.gen(re.Sub[0], depth+1)
		}
	}
	// Anchors, boundaries and empty matches write nothing.
}

// pick returns a random rune of a class, preferring printable ASCII other
// than space.
func (g *generator) pick(ranges []rune) rune {
	var ascii []rune
	for i := 0; i < len(ranges); i += 2 {
		for r := max(ranges[i], '!'); r <= min(ranges[i+1], '~'); r++ {
			ascii = append(ascii, r)
		}
	}
	if len(ascii) > 0 {
		return ascii[g.rng.IntN(len(ascii))]
	}
	if len(ranges) >= 2 {
		return ranges[0]
	}
	return 'x'
}

func flipCase(r rune) rune {
	switch {
	case 'a' <= r && r <= 'z':
		return r - 'a' + 'A'
	case 'A' <= r && r <= 'Z':
		return r - 'A' + 'a'
	}
	return r
}

// globSample returns a path that a pushguard path glob matches, for rule
// examples: "**/" is dropped, "*" and "?" become "x", a class becomes its
// first character; "" when the glob has a form this does not handle.
func globSample(g string) string {
	g = strings.TrimPrefix(g, "/")
	g = strings.ReplaceAll(g, "**/", "")
	var b strings.Builder
	for i := 0; i < len(g); i++ {
		switch c := g[i]; c {
		case '*', '?':
			b.WriteByte('x')
		case '\\':
			if i+1 < len(g) {
				i++
				b.WriteByte(g[i])
			}
		case '[':
			j := strings.IndexByte(g[i:], ']')
			if j < 2 || g[i+1] == '^' || g[i+1] == '!' || g[i+1] == '\\' {
				return ""
			}
			b.WriteByte(g[i+1])
			i += j
		case '{', '}':
			return ""
		default:
			b.WriteByte(c)
		}
	}
	if strings.HasSuffix(b.String(), "/") {
		b.WriteString("x")
	}
	return b.String()
}
