package ruleset

import (
	"errors"
	"fmt"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

// idPattern is the syntax of rule ids; trailerKeyPattern that of trailer
// keys. Both are immutable.
var (
	idPattern         = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`) })
	trailerKeyPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`) })
)

// compileRule checks a decoded rule and compiles it. n is the rule's
// mapping node. It returns nil when the rule has problems (recorded in d).
func (d *decoder) compileRule(spec *RuleSpec, n *yaml.Node) *Rule {
	start := len(d.errs)
	r := &Rule{
		ID:          spec.ID,
		Description: spec.Description,
		Message:     strings.TrimSpace(spec.Message),
		Help:        strings.TrimSpace(spec.Help),
		Severity:    Severity(spec.Severity),
		Tags:        spec.Tags,
		Disabled:    spec.Disabled,
		Source:      fmt.Sprintf("%s:%d", d.file, n.Line),
	}

	switch {
	case !d.has(&spec.ID):
		d.errorf(n, "", `missing required key "id"`)
	case d.ok(&spec.ID) && !idPattern().MatchString(spec.ID):
		d.errorf(d.node(&spec.ID), "id", "invalid id %s: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit", yamlmsg.Quote(spec.ID))
	}
	switch {
	case d.ok(&spec.Severity) && r.Severity.Rank() == 0:
		d.errorf(d.node(&spec.Severity), "severity", "invalid severity %s: must be one of block, warn, info", yamlmsg.Quote(spec.Severity))
	case !d.has(&spec.Severity) && !spec.Disabled:
		d.errorf(n, "", `missing required key "severity" (block, warn or info)`)
	}
	switch {
	case d.ok(&spec.Message) && r.Message == "":
		d.errorf(d.node(&spec.Message), "message", "must not be empty: it is what the pusher reads")
	case !d.has(&spec.Message) && !spec.Disabled:
		d.errorf(n, "", `missing required key "message" (what the pusher reads when the rule fires)`)
	}
	for i, t := range spec.Tags {
		if d.ok(&spec.Tags[i]) && strings.TrimSpace(t) == "" {
			d.errorf(d.at(&spec.Tags[i], n), fmt.Sprintf("tags[%d]", i), "empty tag")
		}
	}

	r.refs = d.compileGlobs(spec.Refs, "refs", n, false)
	r.paths = d.compileGlobs(spec.Paths, "paths", n, true)
	r.commit = d.compileCommit(spec.Commit, n)
	r.file = d.compileFile(spec.File, n)
	r.content = d.compileContent(spec.Content, n)
	if r.content != nil && r.content.lazy != nil {
		r.content.lazy.source, r.content.lazy.id = r.Source, r.ID
	}
	r.ai = d.compileAI(spec.AI, n)
	r.require = d.compileRequire(spec.Require, n)
	r.deps = d.compileDeps(spec.Dependencies, spec, n)

	level := d.specLevel(spec)
	if level == LevelCommit && !d.has(&spec.Commit) && !d.has(&spec.AI) && !d.has(&spec.Require) && !spec.Disabled {
		d.errorf(n, "", "no condition: a rule needs at least one of paths, file, commit, content, ai, require (refs alone would fire on every push)")
	}
	r.Redact = level == LevelLine && !d.has(&spec.Dependencies) // package names are not secrets
	if spec.Redact != nil {
		r.Redact = *spec.Redact
	}
	r.Bypassable = spec.Bypassable == nil || *spec.Bypassable
	r.Suppressible = spec.Suppressible == nil || *spec.Suppressible
	r.allow = d.compileAllowlist(spec.Allowlist, "allowlist", n)
	if spec.Tests != nil && !d.bad[spec.Tests] {
		if d.has(&spec.Dependencies) {
			r.tests = d.compileDepTests(spec.Tests, d.at(spec.Tests, n))
		} else {
			r.tests = d.compileTests(spec.Tests, d.at(spec.Tests, n), level)
		}
	}
	if len(d.errs) > start {
		return nil
	}
	return r
}

// compileGlobs validates and compiles a GlobSet.
func (d *decoder) compileGlobs(g *GlobSet, key string, rule *yaml.Node, paths bool) *globSet {
	if g == nil || d.bad[g] {
		return nil
	}
	n := d.at(g, rule)
	if len(g.Include) == 0 && len(g.Exclude) == 0 {
		d.errorf(n, key, "needs include or exclude patterns (or remove %s)", key)
		return nil
	}
	out := &globSet{}
	for _, list := range []struct {
		name string
		in   []string
		out  *[]string
	}{{"include", g.Include, &out.include}, {"exclude", g.Exclude, &out.exclude}} {
		for i, p := range list.in {
			k := fmt.Sprintf("%s.%s[%d]", key, list.name, i)
			pn := d.at(&list.in[i], n)
			if d.bad[&list.in[i]] {
				continue
			}
			if p == "" {
				d.errorf(pn, k, "empty pattern")
				continue
			}
			if !doublestar.ValidatePattern(p) {
				d.errorf(pn, k, "invalid glob %s: unbalanced [ ] or { }, or a trailing backslash", yamlmsg.Quote(p))
				continue
			}
			if paths {
				if p = pathPattern(p); p == "" {
					d.errorf(pn, k, "empty pattern")
					continue
				}
			} else if msg := checkRefPattern(p); msg != "" {
				d.errorf(pn, k, "%s", msg)
				continue
			}
			*list.out = append(*list.out, p)
		}
	}
	return out
}

// compileRegex compiles the regex field at ptr, when it was written.
func (d *decoder) compileRegex(ptr *string, key string, fallback *yaml.Node) *regexp.Regexp {
	if !d.ok(ptr) {
		return nil
	}
	n := d.at(ptr, fallback)
	if *ptr == "" {
		d.errorf(n, key, "empty regex")
		return nil
	}
	re, err := regexp.Compile(*ptr)
	if err != nil {
		d.errorf(n, key, "%s", regexError(err))
		return nil
	}
	return re
}

// regexError describes a regexp compile error for a rule author.
func regexError(err error) string {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return "invalid regex: " + err.Error()
	}
	msg := fmt.Sprintf("invalid regex (Go RE2 syntax): %s: %s", se.Code, yamlmsg.Quote(se.Expr))
	if se.Code == syntax.ErrInvalidPerlOp || se.Code == syntax.ErrInvalidEscape {
		msg += " (RE2 has no lookaround or backreferences)"
	}
	return msg
}

// compileCommit validates and compiles a CommitSpec.
func (d *decoder) compileCommit(c *CommitSpec, rule *yaml.Node) *commitCond {
	if c == nil || d.bad[c] {
		return nil
	}
	n := d.at(c, rule)
	out := &commitCond{
		message:        d.compileRegex(&c.Message, "commit.message", n),
		authorName:     d.compileRegex(&c.AuthorName, "commit.author_name", n),
		authorEmail:    d.compileRegex(&c.AuthorEmail, "commit.author_email", n),
		committerName:  d.compileRegex(&c.CommitterName, "commit.committer_name", n),
		committerEmail: d.compileRegex(&c.CommitterEmail, "commit.committer_email", n),
		present:        d.trailerKeys(c.TrailersAll, "commit.trailers_present", n),
		absent:         d.trailerKeys(c.TrailersAbsent, "commit.trailers_absent", n),
	}
	if !d.has(&c.Message) && !d.has(&c.AuthorName) && !d.has(&c.AuthorEmail) && !d.has(&c.CommitterName) &&
		!d.has(&c.CommitterEmail) && len(c.TrailersAll) == 0 && len(c.TrailersAbsent) == 0 {
		d.errorf(n, "commit", "needs at least one condition (message, trailers_present, trailers_absent, author_name, author_email, committer_name, committer_email)")
	}
	return out
}

// trailerKeys validates trailer keys and lower-cases them.
func (d *decoder) trailerKeys(keys []string, key string, fallback *yaml.Node) []string {
	out := make([]string, 0, len(keys))
	for i, k := range keys {
		if d.bad[&keys[i]] {
			continue
		}
		if !trailerKeyPattern().MatchString(k) {
			d.errorf(d.at(&keys[i], fallback), fmt.Sprintf("%s[%d]", key, i),
				"invalid trailer key %s: letters, digits and '-', without the colon (e.g. Signed-off-by)", yamlmsg.Quote(k))
			continue
		}
		out = append(out, lowerASCIIString(k))
	}
	return out
}

// compileFile validates and compiles a FileSpec.
func (d *decoder) compileFile(f *FileSpec, rule *yaml.Node) *fileCond {
	if f == nil || d.bad[f] {
		return nil
	}
	n := d.at(f, rule)
	out := &fileCond{sizeMin: -1, binary: f.Binary}
	if d.has(&f.Status) {
		if d.emptyList(&f.Status) {
			d.errorf(d.at(&f.Status, n), "file.status", "empty list (remove it for the default: added, modified, renamed)")
		}
		for i, s := range f.Status {
			bit := parseStatus(s)
			if bit == 0 && d.ok(&f.Status[i]) {
				d.errorf(d.at(&f.Status[i], n), fmt.Sprintf("file.status[%d]", i), "invalid status %s: must be one of %s", yamlmsg.Quote(s), statusNames)
			}
			out.status |= bit
		}
	}
	if d.ok(&f.SizeMin) {
		size, err := ParseSize(f.SizeMin)
		if err != nil {
			d.errorf(d.at(&f.SizeMin, n), "file.size_min", "%v", err)
		}
		out.sizeMin = size
	}
	if !d.has(&f.Status) && !d.has(&f.SizeMin) && f.Binary == nil {
		d.errorf(n, "file", "needs at least one condition (status, size_min, binary)")
	}
	return out
}

// compileContent validates and compiles a ContentSpec. Decoding lazily
// (decoder.lazy), it checks what it can without compiling the regexes and
// leaves them, with the checks that need them, to their first use
// (lazyRegexps).
func (d *decoder) compileContent(c *ContentSpec, rule *yaml.Node) *contentCond {
	if c == nil || d.bad[c] {
		return nil
	}
	n := d.at(c, rule)
	out := &contentCond{}
	var lazy *lazyRegexps
	if d.lazy {
		lazy = &lazyRegexps{}
	}
	hasRegex := false // content.regex applies (a regex condition)
	if d.has(&c.Unicode) {
		out.unicode = d.checkUnicodeContent(c, n)
	} else if d.has(&c.Providers) {
		out.providers = d.checkProvidersContent(c, n)
	} else if !d.has(&c.Regex) {
		d.errorf(n, "content", `missing required key "regex" (or "unicode")`)
	} else if lazy != nil {
		if d.lazyRegex(&c.Regex, "content.regex", n) {
			lazy.expr, hasRegex = c.Regex, true
		}
	} else {
		out.re = d.compileRegex(&c.Regex, "content.regex", n)
		hasRegex = out.re != nil
		if hasRegex && out.re.MatchString("") {
			d.errorf(d.at(&c.Regex, n), "content.regex", "matches the empty string, so it would fire on every line")
		}
	}
	out.keywords = d.words(c.Keywords, &c.Keywords, "content.keywords", n)
	if out.providers != nil {
		out.keywords = out.providers.keywords()
	}
	out.stopwords = d.words(c.Stopwords, &c.Stopwords, "content.stopwords", n)
	for i := range c.Allow {
		key := fmt.Sprintf("content.allow[%d]", i)
		if lazy != nil {
			if d.lazyRegex(&c.Allow[i], key, n) {
				lazy.allowExpr = append(lazy.allowExpr, c.Allow[i])
			}
		} else if re := d.compileRegex(&c.Allow[i], key, n); re != nil {
			out.allow = append(out.allow, re)
		}
	}
	// numSubexp is the number of capture groups of content.regex, -1 when
	// unknown yet (decoding lazily: checked on first use).
	numSubexp := -1
	if out.re != nil {
		numSubexp = out.re.NumSubexp()
	}
	if e := c.Entropy; e != nil && !d.bad[e] {
		en := d.at(e, n)
		switch {
		case !d.has(&e.Min):
			d.errorf(en, "content.entropy", `missing required key "min"`)
		case d.bad[&e.Min]:
		case e.Min < 0:
			d.errorf(d.at(&e.Min, en), "content.entropy.min", "must not be negative, got %g", e.Min)
		case e.Min > 8:
			d.errorf(d.at(&e.Min, en), "content.entropy.min", "%g can never be reached: entropy is at most 8 bits per byte", e.Min)
		}
		switch {
		case e.Group < 0:
			d.errorf(d.at(&e.Group, en), "content.entropy.group", "must not be negative, got %d", e.Group)
		case numSubexp >= 0 && e.Group > numSubexp:
			d.errorf(d.at(&e.Group, en), "content.entropy.group", "group %d does not exist: the regex has %d capture group(s)", e.Group, numSubexp)
		}
		out.entropyMin, out.entropyGroup = e.Min, e.Group
		if lazy != nil && hasRegex {
			lazy.entropyGroup = max(e.Group, 0)
		}
	}
	if d.ok(&c.SecretGroup) {
		switch g := c.SecretGroup; {
		case !hasRegex:
			d.errorf(d.at(&c.SecretGroup, n), "content.secret_group", "applies to content.regex only")
		case g < 0 || (numSubexp >= 0 && g > numSubexp):
			has := ""
			if numSubexp >= 0 {
				has = fmt.Sprintf(": the regex has %d capture group(s)", numSubexp)
			}
			d.errorf(d.at(&c.SecretGroup, n), "content.secret_group", "group %d does not exist%s", g, has)
		default:
			out.secretGroup = g
			if lazy != nil {
				lazy.secretGroup = g
			}
		}
	}
	if lazy != nil && (lazy.expr != "" || len(lazy.allowExpr) > 0) {
		out.lazy = lazy // compileRule names the rule
	}
	return out
}

// lazyRegex checks the regex field at ptr, when it was written, as far as
// it can without compiling it (decoding lazily), and reports whether it is
// to be compiled on first use.
func (d *decoder) lazyRegex(ptr *string, key string, fallback *yaml.Node) bool {
	if !d.ok(ptr) {
		return false
	}
	if *ptr == "" {
		d.errorf(d.at(ptr, fallback), key, "empty regex")
		return false
	}
	return true
}

// words validates a keyword or stopword list and lower-cases it.
func (d *decoder) words(list []string, ptr *[]string, key string, fallback *yaml.Node) []string {
	if d.emptyList(ptr) {
		d.errorf(d.at(ptr, fallback), key, "empty list (remove the key instead)")
	}
	out := make([]string, 0, len(list))
	for i, w := range list {
		if d.bad[&list[i]] {
			continue
		}
		if w == "" {
			d.errorf(d.at(&list[i], fallback), fmt.Sprintf("%s[%d]", key, i), "empty string")
			continue
		}
		out = append(out, lowerASCIIString(w))
	}
	return out
}

// specLevel is the level of a rule as written, known even when a condition
// is invalid.
func (d *decoder) specLevel(spec *RuleSpec) Level {
	switch {
	case d.has(&spec.Content) || d.has(&spec.Dependencies):
		return LevelLine
	case d.has(&spec.Paths) || d.has(&spec.File):
		return LevelFile
	}
	return LevelCommit
}
