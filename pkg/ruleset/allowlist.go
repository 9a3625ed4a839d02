package ruleset

import (
	"fmt"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

// AllowlistSpec lists findings a rule (or, at the top level of a rule file,
// every rule of the set) must not report. Any one entry that matches drops
// the finding.
type AllowlistSpec struct {
	// Paths are globs (the syntax of paths) of files the findings are in.
	Paths []string `yaml:"paths"`
	// Regexes match the matched text of line findings.
	Regexes []string `yaml:"regexes"`
	// Stopwords: a line finding whose matched text contains one of these
	// (case-insensitive) is dropped.
	Stopwords []string `yaml:"stopwords"`
	// Commits are commit ids (7 to 40 hex digits, a prefix of the id) whose
	// findings are dropped.
	Commits []string `yaml:"commits"`
}

// allowlist is a compiled AllowlistSpec.
type allowlist struct {
	source    string // file:line, for explanations
	paths     []string
	regexes   []*regexp.Regexp
	stopwords []string // lower-cased (ASCII)
	commits   []string // lower-cased hex prefixes
}

// hexPattern is the syntax of a commit id prefix in an allowlist.
var hexPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-fA-F]{7,40}$`) })

// compileAllowlist validates and compiles an AllowlistSpec written at key
// ("allowlist") under node fallback.
func (d *decoder) compileAllowlist(a *AllowlistSpec, key string, fallback *yaml.Node) *allowlist {
	if a == nil || d.bad[a] {
		return nil
	}
	n := d.at(a, fallback)
	out := &allowlist{source: fmt.Sprintf("%s:%d", d.file, n.Line)}
	for i, p := range a.Paths {
		k := fmt.Sprintf("%s.paths[%d]", key, i)
		switch {
		case d.bad[&a.Paths[i]]:
		case p == "" || pathPattern(p) == "":
			d.errorf(d.at(&a.Paths[i], n), k, "empty pattern")
		case !doublestar.ValidatePattern(p):
			d.errorf(d.at(&a.Paths[i], n), k, "invalid glob %s: unbalanced [ ] or { }, or a trailing backslash", yamlmsg.Quote(p))
		default:
			out.paths = append(out.paths, pathPattern(p))
		}
	}
	for i := range a.Regexes {
		if re := d.compileRegex(&a.Regexes[i], fmt.Sprintf("%s.regexes[%d]", key, i), n); re != nil {
			out.regexes = append(out.regexes, re)
		}
	}
	if d.has(&a.Stopwords) {
		out.stopwords = d.words(a.Stopwords, &a.Stopwords, key+".stopwords", n)
	}
	for i, c := range a.Commits {
		if d.bad[&a.Commits[i]] {
			continue
		}
		if !hexPattern().MatchString(c) {
			d.errorf(d.at(&a.Commits[i], n), fmt.Sprintf("%s.commits[%d]", key, i), "invalid commit id %s: give 7 to 40 hexadecimal digits", yamlmsg.Quote(c))
			continue
		}
		out.commits = append(out.commits, strings.ToLower(c))
	}
	if len(a.Paths) == 0 && len(a.Regexes) == 0 && len(a.Stopwords) == 0 && len(a.Commits) == 0 {
		d.errorf(n, key, "needs at least one of paths, regexes, stopwords, commits")
	}
	return out
}

// allows reports whether the allowlist drops a finding in commit (hex id,
// "" when unknown) at path ("" for commit findings) with matched text match
// ("" unless a line finding). When it does and why is not nil, it says why.
func (a *allowlist) allows(commit, path, match string, why *string) bool {
	if a == nil {
		return false
	}
	for _, c := range a.commits {
		if commit != "" && strings.HasPrefix(strings.ToLower(commit), c) {
			explain(why, "commit %s is allowlisted (%s)", c, a.source)
			return true
		}
	}
	if path != "" {
		for _, p := range a.paths {
			if doublestar.MatchUnvalidated(p, path) {
				explain(why, "path %s is allowlisted by %s (%s)", yamlmsg.Quote(path), yamlmsg.Quote(p), a.source)
				return true
			}
		}
	}
	if match != "" {
		for _, s := range a.stopwords {
			if indexFold([]byte(match), s) >= 0 {
				explain(why, "match %s is allowlisted: it contains stopword %q (%s)", yamlmsg.Quote(match), s, a.source)
				return true
			}
		}
		for _, re := range a.regexes {
			if re.MatchString(match) {
				explain(why, "match %s is allowlisted by %s (%s)", yamlmsg.Quote(match), yamlmsg.Quote(re.String()), a.source)
				return true
			}
		}
	}
	return false
}

// GlobalAllowlist reports whether r is not a rule but the top-level
// allowlist of a rule file, as Parse returns it among the rules. NewSet
// takes it out of the rules and applies it to every rule of the set.
func (r *Rule) GlobalAllowlist() bool { return r.global != nil }

// Allowlisted reports whether the allowlist of rule r, or a global
// allowlist of the set, drops a finding of r in commit (hex id, "" when
// unknown) at path ("" for commit findings) with matched text match (""
// unless a line finding).
func (s *Set) Allowlisted(r *Rule, commit, path, match string) bool {
	if r.allow.allows(commit, path, match, nil) {
		return true
	}
	for _, g := range s.global {
		if g.allows(commit, path, match, nil) {
			return true
		}
	}
	return false
}

// globalAllowlist decodes the top-level allowlist of a rule file into the
// pseudo-rule that carries it (see GlobalAllowlist).
func (d *decoder) globalAllowlist(n *yaml.Node) *Rule {
	var spec AllowlistSpec
	start := len(d.errs)
	d.decode(n, reflect.ValueOf(&spec).Elem(), "allowlist")
	if len(d.errs) > start {
		return nil
	}
	a := d.compileAllowlist(&spec, "allowlist", n)
	if a == nil || len(d.errs) > start {
		return nil
	}
	return &Rule{Source: a.source, global: a, Disabled: false}
}
