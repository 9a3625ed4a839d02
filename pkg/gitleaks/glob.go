package gitleaks

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"
)

// maxGlobs bounds the globs one path regex may expand to.
const maxGlobs = 64

// pathGlobs converts a gitleaks path regex into pushguard path globs (the
// syntax of paths: a pattern without a slash matches a base name at any
// depth, a leading slash anchors at the repository root). It handles the
// forms gitleaks configurations use: literals, character classes,
// alternations and optional parts (expanded), (?i), [^/]+ and .* within a
// name, a start anchor ^ or (?:^|/), an end anchor $, and a trailing
// (?:/.*)? for "this directory and below". Anything else is an error: the
// caller reports the regex as not converted. A regex without $ matches
// names that go on (gitleaks\.toml → *gitleaks.toml*); one without a start
// anchor matches names that begin earlier.
func pathGlobs(re string) ([]string, error) {
	parsed, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("invalid regex: %w", err)
	}
	parsed = parsed.Simplify()
	var parts []*syntax.Regexp
	if parsed.Op == syntax.OpConcat {
		parts = parsed.Sub
	} else {
		parts = []*syntax.Regexp{parsed}
	}
	for len(parts) > 0 && parts[0].Op == syntax.OpCapture {
		parts = append(flatten(parts[0].Sub[0]), parts[1:]...)
	}

	// Start anchor.
	start := "none"
	if len(parts) > 0 {
		switch p := parts[0]; {
		case p.Op == syntax.OpBeginText || p.Op == syntax.OpBeginLine:
			start, parts = "root", parts[1:]
		case isSegmentStart(p):
			start, parts = "segment", parts[1:]
		}
	}
	// End anchor and a trailing "(?:/.*)?".
	end := false
	below := false
	if n := len(parts); n > 0 && (parts[n-1].Op == syntax.OpEndText || parts[n-1].Op == syntax.OpEndLine) {
		end, parts = true, parts[:n-1]
	}
	if n := len(parts); n > 0 && isDirBelow(parts[n-1]) {
		below, parts = true, parts[:n-1]
	}
	bodies := []string{""}
	for _, p := range parts {
		alts, err := globPart(p)
		if err != nil {
			return nil, err
		}
		var next []string
		for _, b := range bodies {
			for _, a := range alts {
				next = append(next, b+a)
			}
		}
		if len(next) > maxGlobs {
			return nil, fmt.Errorf("expands to more than %d globs", maxGlobs)
		}
		bodies = next
	}
	var out []string
	for _, b := range bodies {
		if strings.Trim(b, "*?") == "" {
			return nil, fmt.Errorf("matches every path")
		}
		slash := strings.Contains(strings.TrimPrefix(b, "/"), "/")
		g := b
		switch start {
		case "root":
			g = "/" + strings.TrimPrefix(b, "/")
		case "segment":
			if slash {
				g = "**/" + b
			}
		default:
			if slash {
				g = "**/*" + b
			} else {
				g = "*" + b
			}
		}
		if !end && !below {
			g += "*"
		}
		if below {
			out = append(out, g, g+"/")
		} else {
			out = append(out, g)
		}
	}
	for _, g := range out {
		if !doublestar.ValidatePattern(strings.TrimPrefix(g, "/")) {
			return nil, fmt.Errorf("gives the invalid glob %q", g)
		}
	}
	return out, nil
}

// flatten returns the parts of a concatenation, or re itself.
func flatten(re *syntax.Regexp) []*syntax.Regexp {
	if re.Op == syntax.OpConcat {
		return re.Sub
	}
	return []*syntax.Regexp{re}
}

// isSegmentStart reports whether re is (?:^|/).
func isSegmentStart(re *syntax.Regexp) bool {
	if re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpAlternate || len(re.Sub) != 2 {
		return false
	}
	anchor := func(r *syntax.Regexp) bool { return r.Op == syntax.OpBeginText || r.Op == syntax.OpBeginLine }
	slash := func(r *syntax.Regexp) bool {
		return (r.Op == syntax.OpLiteral && string(r.Rune) == "/") ||
			(r.Op == syntax.OpCharClass && len(r.Rune) == 2 && r.Rune[0] == '/' && r.Rune[1] == '/')
	}
	return (anchor(re.Sub[0]) && slash(re.Sub[1])) || (slash(re.Sub[0]) && anchor(re.Sub[1]))
}

// isDirBelow reports whether re is (?:/.*)? or (?:/.+)? (everything below).
func isDirBelow(re *syntax.Regexp) bool {
	if re.Op != syntax.OpQuest {
		return false
	}
	sub := re.Sub[0]
	if sub.Op == syntax.OpCapture {
		sub = sub.Sub[0]
	}
	parts := flatten(sub)
	if len(parts) == 2 && parts[0].Op == syntax.OpLiteral && len(parts[0].Rune) == 1 && parts[0].Rune[0] == '/' {
		p := parts[1]
		return (p.Op == syntax.OpStar || p.Op == syntax.OpPlus) && (p.Sub[0].Op == syntax.OpAnyCharNotNL || p.Sub[0].Op == syntax.OpAnyChar)
	}
	return false
}

// globPart returns the glob alternatives of one regex part.
func globPart(re *syntax.Regexp) ([]string, error) {
	switch re.Op {
	case syntax.OpLiteral:
		var b strings.Builder
		for _, r := range re.Rune {
			b.WriteString(globRune(r, re.Flags&syntax.FoldCase != 0))
		}
		return []string{b.String()}, nil
	case syntax.OpCharClass:
		return []string{globClass(re.Rune)}, nil
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return []string{"?"}, nil
	case syntax.OpCapture:
		return globConcat(flatten(re.Sub[0]))
	case syntax.OpConcat:
		return globConcat(re.Sub)
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			alts, err := globPart(s)
			if err != nil {
				return nil, err
			}
			out = append(out, alts...)
		}
		return out, nil
	case syntax.OpQuest:
		alts, err := globPart(re.Sub[0])
		if err != nil {
			return nil, err
		}
		return append([]string{""}, alts...), nil
	case syntax.OpStar, syntax.OpPlus:
		sub := re.Sub[0]
		if sub.Op == syntax.OpAnyCharNotNL || sub.Op == syntax.OpAnyChar || (sub.Op == syntax.OpCharClass && excludesSlash(sub.Rune)) {
			if re.Op == syntax.OpPlus {
				return []string{"?*"}, nil
			}
			return []string{"*"}, nil
		}
	case syntax.OpRepeat:
		if re.Max >= 0 && re.Max <= 3 {
			alts, err := globPart(re.Sub[0])
			if err != nil {
				return nil, err
			}
			var out []string
			for n := re.Min; n <= re.Max; n++ {
				cur := []string{""}
				for range n {
					var next []string
					for _, c := range cur {
						for _, a := range alts {
							next = append(next, c+a)
						}
					}
					cur = next
				}
				out = append(out, cur...)
			}
			if len(out) <= maxGlobs {
				return out, nil
			}
		}
	case syntax.OpEmptyMatch:
		return []string{""}, nil
	}
	return nil, fmt.Errorf("has %s, which a path glob cannot express", describeOp(re))
}

func globConcat(parts []*syntax.Regexp) ([]string, error) {
	out := []string{""}
	for _, p := range parts {
		alts, err := globPart(p)
		if err != nil {
			return nil, err
		}
		var next []string
		for _, o := range out {
			for _, a := range alts {
				next = append(next, o+a)
			}
		}
		if len(next) > maxGlobs {
			return nil, fmt.Errorf("expands to more than %d globs", maxGlobs)
		}
		out = next
	}
	return out, nil
}

// globRune writes r for a glob, escaped, as [xX] when folding case.
func globRune(r rune, fold bool) string {
	if fold {
		lo, up := unicode.ToLower(r), unicode.ToUpper(r)
		if lo != up {
			return "[" + string(lo) + string(up) + "]"
		}
	}
	if strings.ContainsRune(`*?[]{}\!^,`, r) {
		return `\` + string(r)
	}
	return string(r)
}

// globClass writes a character class (pairs of rune ranges) for a glob.
func globClass(ranges []rune) string {
	neg := len(ranges) > 0 && ranges[0] == 0 && ranges[len(ranges)-1] == unicode.MaxRune
	if neg { // write the complement
		var comp []rune
		prev := rune(0)
		for i := 0; i < len(ranges); i += 2 {
			if ranges[i] > prev {
				comp = append(comp, prev, ranges[i]-1)
			}
			prev = ranges[i+1] + 1
		}
		ranges = comp
	}
	var b strings.Builder
	b.WriteByte('[')
	if neg {
		b.WriteByte('^')
	}
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		b.WriteString(classRune(lo))
		if hi > lo {
			b.WriteByte('-')
			b.WriteString(classRune(hi))
		}
	}
	b.WriteByte(']')
	return b.String()
}

func classRune(r rune) string {
	if strings.ContainsRune(`]\-^!`, r) {
		return `\` + string(r)
	}
	return string(r)
}

// excludesSlash reports whether a character class does not match '/'.
func excludesSlash(ranges []rune) bool {
	for i := 0; i < len(ranges); i += 2 {
		if ranges[i] <= '/' && '/' <= ranges[i+1] {
			return false
		}
	}
	return true
}

func describeOp(re *syntax.Regexp) string {
	s := re.String()
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}
