package ruleset

import (
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
)

// globSet is a compiled GlobSet: validated doublestar patterns.
type globSet struct {
	include []string
	exclude []string
	// fast holds the patterns as matchers (fastGlob), built on first use.
	once sync.Once
	fast *compiledGlobs
}

// match reports whether s matches an include (or there is none) and no
// exclude.
func (g *globSet) match(s string) bool {
	g.once.Do(func() { g.fast = compileGlobs(g.include, g.exclude) })
	return g.fast.match(s)
}

// matchSlow is match through doublestar alone (the reference for tests).
func (g *globSet) matchSlow(s string) bool {
	if len(g.include) > 0 {
		ok := false
		for _, p := range g.include {
			if doublestar.MatchUnvalidated(p, s) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, p := range g.exclude {
		if doublestar.MatchUnvalidated(p, s) {
			return false
		}
	}
	return true
}

// pathPattern turns a paths pattern into the doublestar pattern that matches
// repository paths the way .gitignore does: without a slash it matches the
// base name at any depth, a leading slash anchors it at the root, a trailing
// slash matches everything below a directory.
func pathPattern(p string) string {
	body := strings.TrimSuffix(p, "/")
	anchored := strings.HasPrefix(p, "/") || strings.Contains(body, "/")
	p = strings.TrimPrefix(p, "/")
	if strings.HasSuffix(p, "/") {
		p += "**"
	}
	if !anchored {
		p = "**/" + p
	}
	return p
}

// checkRefPattern returns a problem with a refs pattern that can never match
// a full ref name, or "".
func checkRefPattern(p string) string {
	lit := p
	if i := strings.IndexAny(p, `*?[{\`); i >= 0 {
		lit = p[:i]
	}
	if strings.HasPrefix(lit, "refs/") || strings.HasPrefix("refs/", lit) {
		return ""
	}
	hint := "refs/heads/" + p
	if strings.HasPrefix(p, "heads/") || strings.HasPrefix(p, "tags/") {
		hint = "refs/" + p
	}
	return "pattern " + yamlmsg.Quote(p) + " can never match: refs are full names (did you mean " + yamlmsg.Quote(hint) + "?)"
}
