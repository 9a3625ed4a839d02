package ruleset

import (
	"fmt"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/provenance"
)

// example is a compiled rule test case.
type example struct {
	want   bool
	source string // file:line of the example
	text   string // the example as shown in a failure
	line   string // the added line (content rules)
	// file and commit are nil when the example does not give those facts:
	// the matching conditions are then not checked.
	file   *FileInfo
	commit *CommitInfo
	ref    string
	hasRef bool
	dep    *depExample // dependencies rules (deps.go)
}

// TestFailure is a rule test case whose outcome differs from the expected
// one.
type TestFailure struct {
	Rule    *Rule
	Source  string // file:line of the example
	Example string // the example: a line, a path or a commit message
	Want    bool   // true: the rule should have matched and did not
	// Reason says why the rule did (not) match, for the rule author.
	Reason string
}

// String renders the failure as "file:line: rule "ID": ...".
func (f TestFailure) String() string {
	verb := "should not match"
	if f.Want {
		verb = "should match"
	}
	return fmt.Sprintf("%s: rule %q: %s %s: %s", f.Source, f.Rule.ID, verb, yamlmsg.Quote(f.Example), f.Reason)
}

// compileTests validates a rule's tests. level is the rule's level, known
// from which conditions were written.
func (d *decoder) compileTests(t *TestsSpec, n *yaml.Node, level Level) []example {
	if d.has(&t.Path) && level != LevelLine {
		d.errorf(d.at(&t.Path, n), "tests.path", "only applies to rules with a content condition (give the path in each example)")
	}
	if len(t.Match) == 0 && len(t.NoMatch) == 0 {
		d.errorf(n, "tests", "needs match or nomatch examples")
	}
	var out []example
	for _, group := range []struct {
		key  string
		want bool
		list []ExampleSpec
	}{{"tests.match", true, t.Match}, {"tests.nomatch", false, t.NoMatch}} {
		for i := range group.list {
			if d.bad[&group.list[i]] {
				continue
			}
			key := fmt.Sprintf("%s[%d]", group.key, i)
			if ex, ok := d.compileExample(&group.list[i], key, d.at(&group.list[i], n), level, t); ok {
				ex.want = group.want
				out = append(out, ex)
			}
		}
	}
	return out
}

// compileExample validates one example and turns it into facts.
func (d *decoder) compileExample(e *ExampleSpec, key string, n *yaml.Node, level Level, t *TestsSpec) (example, bool) {
	ex := example{source: fmt.Sprintf("%s:%d", d.file, n.Line)}
	start := len(d.errs)
	plain := n.Kind == yaml.ScalarNode || (n.Kind == yaml.AliasNode && n.Alias != nil && n.Alias.Kind == yaml.ScalarNode)
	fileFacts := d.has(&e.Path) || d.has(&e.Status) || d.has(&e.Size) || d.has(&e.Binary)
	commitFacts := d.has(&e.Message) || d.has(&e.AuthorName) || d.has(&e.AuthorEmail) ||
		d.has(&e.CommitterName) || d.has(&e.CommitterEmail) || d.has(&e.Signed)

	path := e.Path
	switch level {
	case LevelLine:
		ex.text, ex.line = e.Line, e.Line
		if plain {
			ex.text, ex.line = e.Text, e.Text
		} else if !d.has(&e.Line) {
			d.errorf(n, key, `missing required key "line" (the examples of a content rule are added lines)`)
		}
		if !d.has(&e.Path) && d.has(&t.Path) {
			path, fileFacts = t.Path, true
		} else if fileFacts && !d.has(&e.Path) {
			d.errorf(n, key, "status, size and binary need a path")
		}
	case LevelFile:
		ex.text = e.Path
		if plain {
			ex.text, path = e.Text, e.Text
		} else if !d.has(&e.Path) {
			d.errorf(n, key, `missing required key "path" (the examples of a file rule are paths)`)
		}
		fileFacts = true
	default:
		ex.text = e.Message
		if plain {
			ex.text, e.Message = e.Text, e.Text
		} else if !d.has(&e.Message) {
			d.errorf(n, key, `missing required key "message" (the examples of a commit rule are commit messages)`)
		}
		if fileFacts {
			d.errorf(n, key, "path, status, size and binary do not apply to a commit rule")
		}
		commitFacts, fileFacts = true, false
	}
	if d.has(&e.Line) && level != LevelLine {
		d.errorf(d.at(&e.Line, n), key+".line", "only applies to rules with a content condition")
	}

	if fileFacts {
		f := &FileInfo{Path: path, Status: "added", Binary: e.Binary}
		if d.ok(&e.Status) {
			if parseStatus(e.Status) == 0 {
				d.errorf(d.at(&e.Status, n), key+".status", "invalid status %s: must be one of %s", yamlmsg.Quote(e.Status), statusNames)
			}
			f.Status = e.Status
		}
		if d.ok(&e.Size) {
			size, err := ParseSize(e.Size)
			if err != nil {
				d.errorf(d.at(&e.Size, n), key+".size", "%v", err)
			}
			f.Size = size
		}
		ex.file = f
	}
	if commitFacts {
		ex.commit = &CommitInfo{
			Message:        e.Message,
			AuthorName:     e.AuthorName,
			AuthorEmail:    e.AuthorEmail,
			CommitterName:  e.CommitterName,
			CommitterEmail: e.CommitterEmail,
			Trailers:       parseTrailers(e.Message),
			Signed:         e.Signed,
		}
	}
	if d.ok(&e.Ref) {
		if !strings.HasPrefix(e.Ref, "refs/") {
			d.errorf(d.at(&e.Ref, n), key+".ref", "must be a full ref name such as refs/heads/main, got %s", yamlmsg.Quote(e.Ref))
		}
		ex.ref, ex.hasRef = e.Ref, true
	}
	return ex, len(d.errs) == start
}

// RunTests runs every rule's test examples and returns those whose outcome
// differs from the expected one, in rule order. Line examples go through the
// same LineMatcher (keyword prefilter included) that scans pushes.
func (s *Set) RunTests() []TestFailure { return s.RunTestsWith(nil) }

// RunTestsWith is RunTests with the AI-tool markers that classify the
// examples of rules with ai or require conditions (see withAI); without
// them, those examples fail.
func (s *Set) RunTestsWith(det *provenance.Detector) []TestFailure {
	m := s.NewLineMatcher()
	active := make([]bool, len(s.Rules))
	var out []TestFailure
	for _, r := range s.Rules {
		if r.Index >= 0 && r.Index < len(active) {
			active[r.Index] = true
		}
		for i := range r.tests {
			ex, why := r.withAI(&r.tests[i], det)
			if why != "" {
				out = append(out, TestFailure{Rule: r, Source: ex.source, Example: ex.text, Want: ex.want, Reason: why})
				continue
			}
			got, why := r.runExample(m, active, ex)
			if got != ex.want {
				out = append(out, TestFailure{Rule: r, Source: ex.source, Example: ex.text, Want: ex.want, Reason: why})
			}
		}
		if r.Index >= 0 && r.Index < len(active) {
			active[r.Index] = false
		}
	}
	return out
}

// runExample reports whether r fires on ex, and why (not).
func (r *Rule) runExample(m *LineMatcher, active []bool, ex *example) (bool, string) {
	var why string
	if ex.hasRef && !r.matchRef(ex.ref, &why) {
		return false, why
	}
	if ex.commit != nil && !r.matchCommit(ex.commit, &why) {
		return false, why
	}
	if ex.file != nil && !r.matchFile(ex.file, &why) {
		return false, why
	}
	path := ""
	if ex.file != nil {
		path = ex.file.Path
	}
	if ex.dep != nil {
		return r.runDepExample(ex)
	}
	if r.content == nil {
		if r.allow.allows("", path, "", &why) {
			return false, why
		}
		if why != "" { // a requirement that is not met (ai.go)
			return true, "all of the rule's conditions hold; " + why
		}
		return true, "all of the rule's conditions hold"
	}
	line := []byte(ex.line)
	matched, allowed := "", ""
	found := false
	// An example is line 1 of its file (content.unicode tells a byte order
	// mark by it).
	m.MatchLine(line, 1, active, func(lm LineMatch) {
		if lm.Rule != r || found {
			return
		}
		text := ex.line[lm.Start:lm.End]
		if r.allow.allows("", path, text, &allowed) {
			return
		}
		found, matched = true, yamlmsg.Quote(text)
		if lm.Detail != "" {
			matched = lm.Detail
		}
	})
	if found {
		return true, "the rule matches " + matched
	}
	if allowed != "" {
		return false, allowed
	}
	return false, r.content.explainNoMatch(line)
}

// explainNoMatch says why no match of the rule survives in line.
func (c *contentCond) explainNoMatch(line []byte) string {
	if c.providers != nil {
		return c.providers.explainNoMatch(line)
	}
	if len(c.keywords) > 0 && !hasKeyword(line, c.keywords) {
		return fmt.Sprintf("none of the keywords (%s) occurs in the line", strings.Join(c.keywords, ", "))
	}
	if c.unicode != nil {
		return "no hidden character of content.unicode outside legitimate text (emoji, byte order mark, joining scripts)"
	}
	re, allow := c.regexps()
	locs := re.FindAllSubmatchIndex(line, -1)
	var why string
	for _, loc := range locs {
		if loc[0] < loc[1] && !c.accept(line, allow, loc, &why) {
			return why
		}
	}
	if len(locs) == 0 || why == "" {
		return "the regex does not match"
	}
	return why
}

// parseTrailers reads the trailers of a commit message for rule tests: the
// lines "Key: value" of the last paragraph, when that paragraph is not the
// subject and every line of it is a trailer (or a continuation line starting
// with whitespace). Keys are lower-cased.
func parseTrailers(msg string) map[string][]string {
	paras := strings.Split(strings.TrimRight(strings.ReplaceAll(msg, "\r\n", "\n"), "\n \t"), "\n\n")
	if len(paras) < 2 {
		return nil
	}
	last := strings.Trim(paras[len(paras)-1], "\n")
	out := make(map[string][]string)
	lastKey := ""
	for _, l := range strings.Split(last, "\n") {
		if lastKey != "" && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			vals := out[lastKey]
			vals[len(vals)-1] += " " + strings.TrimSpace(l)
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		k = strings.TrimRight(k, " \t")
		if !ok || !trailerKeyPattern().MatchString(k) {
			return nil
		}
		lastKey = lowerASCIIString(k)
		out[lastKey] = append(out[lastKey], strings.TrimSpace(v))
	}
	return out
}
