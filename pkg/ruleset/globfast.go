package ruleset

import (
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// globMatcher matches one compiled glob.
type globMatcher func(s string) bool

// globMetaChars are the characters that make a doublestar pattern more than
// a literal.
const globMetaChars = `*?[]{}\`

// fastGlob returns a matcher equivalent to doublestar.MatchUnvalidated(p, s)
// for the pattern shapes rule files use most, which doublestar matches
// component by component with far more work:
//
//	literal        (no meta character)            s == literal
//	**/name        (name literal)                  s is name or ends in "/name"
//	**/dir/**      (dir literal)                   s is dir, or has dir as a component
//	**/pre*suf     (pre, suf literal, no slash)    s's last component starts with pre, ends with suf
//	**/*.{a,b,c}   (literal extensions)            s's last component's extension is a, b or c
//	prefix/**      (prefix literal)                s starts with "prefix/" (or is "prefix")
//
// Any other pattern is left to doublestar. The equivalence is checked
// against doublestar by TestFastGlob.
func fastGlob(p string) globMatcher {
	if !strings.ContainsAny(p, globMetaChars) {
		return func(s string) bool { return s == p }
	}
	if rest, ok := strings.CutPrefix(p, "**/"); ok && rest != "" {
		if !strings.ContainsAny(rest, globMetaChars) {
			suffix := "/" + rest
			return func(s string) bool { return s == rest || strings.HasSuffix(s, suffix) }
		}
		if dir, ok := strings.CutSuffix(rest, "/**"); ok && dir != "" && !strings.ContainsAny(dir, globMetaChars) {
			// A directory of that name at any depth, and everything below.
			lead, mid, tail := dir+"/", "/"+dir+"/", "/"+dir
			return func(s string) bool {
				return s == dir || strings.HasPrefix(s, lead) || strings.Contains(s, mid) || strings.HasSuffix(s, tail)
			}
		}
		if prefix, suffix, ok := strings.Cut(rest, "*"); ok && !strings.ContainsAny(prefix+suffix, globMetaChars+"/") {
			// One star in the last component: a prefix and a suffix
			// that do not overlap.
			return func(s string) bool {
				base := s[strings.LastIndexByte(s, '/')+1:]
				return s != "" && len(base) >= len(prefix)+len(suffix) && strings.HasPrefix(base, prefix) && strings.HasSuffix(base, suffix)
			}
		}
		if list, ok := strings.CutPrefix(rest, "*.{"); ok && strings.HasSuffix(list, "}") {
			// An extension among a list: *.{go,py,js}.
			exts := map[string]bool{}
			for _, e := range strings.Split(strings.TrimSuffix(list, "}"), ",") {
				if e == "" || strings.ContainsAny(e, globMetaChars+"/.") {
					exts = nil
					break
				}
				exts[e] = true
			}
			if exts != nil {
				return func(s string) bool {
					base := s[strings.LastIndexByte(s, '/')+1:]
					dot := strings.LastIndexByte(base, '.')
					return dot >= 0 && exts[base[dot+1:]]
				}
			}
		}
	}
	if prefix, ok := strings.CutSuffix(p, "/**"); ok && prefix != "" && !strings.ContainsAny(prefix, globMetaChars) {
		dir := prefix + "/"
		return func(s string) bool { return s == prefix || strings.HasPrefix(s, dir) }
	}
	return func(s string) bool { return doublestar.MatchUnvalidated(p, s) }
}

// compiledGlobs is the fast form of a globSet, built once on first use.
type compiledGlobs struct {
	include, exclude []globMatcher
}

func compileGlobs(include, exclude []string) *compiledGlobs {
	c := &compiledGlobs{}
	for _, p := range include {
		c.include = append(c.include, fastGlob(p))
	}
	for _, p := range exclude {
		c.exclude = append(c.exclude, fastGlob(p))
	}
	return c
}

// match reports whether s matches an include (or there is none) and no
// exclude.
func (c *compiledGlobs) match(s string) bool {
	if len(c.include) > 0 {
		ok := false
		for _, m := range c.include {
			if m(s) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, m := range c.exclude {
		if m(s) {
			return false
		}
	}
	return true
}
