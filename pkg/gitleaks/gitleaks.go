// Package gitleaks converts a gitleaks configuration (gitleaks.toml) into a
// pushguard rule file, and a .gitleaksignore file into a pushguard baseline.
// It does no I/O of its own: callers pass the bytes, and a function that
// reads a file at a commit for the baseline.
//
// What converts, and how:
//   - a rule becomes a block rule with id PREFIX+id, its description as
//     message, tags secret, gitleaks and its own;
//   - regex → content.regex (gitleaks uses Go's RE2 syntax too; a regex Go
//     cannot compile, or one that matches the empty string, is not
//     converted); keywords → content.keywords;
//   - secretGroup → content.secret_group (the finding is the group, and
//     stopwords and allowlists look at it, as in gitleaks); without
//     secretGroup, gitleaks takes the first non-empty group: when group 1
//     takes part in every match, that is group 1; otherwise the converted
//     rule reports the whole match (and notes it);
//   - entropy → content.entropy on the secret;
//   - path (a regex on the file path) → paths globs when the regex has a
//     form globs can express (see pathGlobs), else the rule is not
//     converted; a rule with a path and no regex becomes a file rule;
//   - allowlists (the rule's, and the global ones, targeted or not) →
//     the rule's allowlist: commits, paths (as globs), regexes (on the
//     secret) and stopwords. What cannot be expressed is left out and
//     noted: regexTarget "match" or "line", condition AND, paths that are
//     no globs. Leaving an allowlist entry out only ever reports more.
//
// What does not convert, reported per rule: composite rules (required),
// skipReport rules, regexes Go rejects, path regexes globs cannot express,
// and [extend] (convert the base configuration as well).
package gitleaks

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/ruleset"
)

// Config is a gitleaks configuration, as gitleaks.toml writes it.
type Config struct {
	Title       string      `toml:"title"`
	Description string      `toml:"description"`
	MinVersion  string      `toml:"minVersion"`
	Extend      *Extend     `toml:"extend"`
	Rules       []Rule      `toml:"rules"`
	Allowlist   *Allowlist  `toml:"allowlist"`  // the older, single form
	Allowlists  []Allowlist `toml:"allowlists"` // may target rules
}

// Extend is gitleaks' [extend] table.
type Extend struct {
	Path          string   `toml:"path"`
	URL           string   `toml:"url"`
	UseDefault    bool     `toml:"useDefault"`
	DisabledRules []string `toml:"disabledRules"`
}

// Rule is one [[rules]] entry.
type Rule struct {
	ID          string      `toml:"id"`
	Description string      `toml:"description"`
	Path        string      `toml:"path"`
	Regex       string      `toml:"regex"`
	SecretGroup int         `toml:"secretGroup"`
	Entropy     float64     `toml:"entropy"`
	Keywords    []string    `toml:"keywords"`
	Tags        []string    `toml:"tags"`
	Allowlist   *Allowlist  `toml:"allowlist"`
	Allowlists  []Allowlist `toml:"allowlists"`
	Required    []Required  `toml:"required"`
	SkipReport  bool        `toml:"skipReport"`
}

// Required is a component of a composite rule.
type Required struct {
	ID            string `toml:"id"`
	WithinLines   *int   `toml:"withinLines"`
	WithinColumns *int   `toml:"withinColumns"`
}

// Allowlist is a gitleaks allowlist (of a rule, or global).
type Allowlist struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	Commits     []string `toml:"commits"`
	Paths       []string `toml:"paths"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	TargetRules []string `toml:"targetRules"`
}

// Options tune the conversion.
type Options struct {
	// Prefix is put before every gitleaks rule id ("gitleaks-" when
	// empty), so that imported rules never replace a pushguard rule of the
	// same id.
	Prefix string
	// Examples is how many match examples to generate per rule (2 when
	// 0; negative: none).
	Examples int
}

// RuleResult says what became of one gitleaks rule.
type RuleResult struct {
	ID        string   // the gitleaks id
	NewID     string   // the pushguard id, when converted
	Converted bool     //
	Reason    string   // why not, when not converted
	Notes     []string // what was approximated or left out
	Examples  int      // generated match examples
}

// Result is a conversion.
type Result struct {
	// YAML is the pushguard rule file.
	YAML []byte
	// Rules has one entry per gitleaks rule, in the configuration's order.
	Rules []RuleResult
	// Notes are about the configuration as a whole.
	Notes []string
}

// Converted returns the results of the converted rules.
func (r *Result) Converted() []RuleResult { return r.filter(true) }

// NotConverted returns the results of the rules that were not converted.
func (r *Result) NotConverted() []RuleResult { return r.filter(false) }

func (r *Result) filter(converted bool) []RuleResult {
	var out []RuleResult
	for _, x := range r.Rules {
		if x.Converted == converted {
			out = append(out, x)
		}
	}
	return out
}

// Parse decodes a gitleaks configuration. Keys it does not know are
// returned as notes (gitleaks ignores them too).
func Parse(data []byte) (*Config, []string, error) {
	var cfg Config
	var notes []string
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&cfg)
	var strict *toml.StrictMissingError
	switch {
	case errors.As(err, &strict):
		for _, e := range strict.Errors {
			notes = append(notes, fmt.Sprintf("unknown key %s ignored", strings.Join(e.Key(), ".")))
		}
		cfg = Config{}
		if err := toml.Unmarshal(data, &cfg); err != nil {
			return nil, nil, fmt.Errorf("gitleaks config: %w", err)
		}
	case err != nil:
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, nil, fmt.Errorf("gitleaks config: line %d, column %d: %s", row, col, de.Error())
		}
		return nil, nil, fmt.Errorf("gitleaks config: %w", err)
	}
	return &cfg, notes, nil
}

// Convert converts a gitleaks configuration into a pushguard rule file.
// The YAML it returns passes `pushguard rules validate` and `rules test`:
// Convert loads it with pkg/ruleset and runs its tests before returning.
func Convert(data []byte, opts Options) (*Result, error) {
	cfg, notes, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if opts.Prefix == "" {
		opts.Prefix = "gitleaks-"
	}
	if opts.Examples == 0 {
		opts.Examples = 2
	}
	res := &Result{Notes: notes}
	if e := cfg.Extend; e != nil && (e.Path != "" || e.URL != "" || e.UseDefault) {
		res.Notes = append(res.Notes, "[extend] is not followed: convert the configuration it extends as well (for useDefault, gitleaks' own config/gitleaks.toml) and load both files")
	}

	// Global allowlists: untargeted ones apply to every rule, targeted
	// ones to their rules.
	global := &allowOut{}
	targeted := map[string][]Allowlist{}
	var globals []Allowlist
	if cfg.Allowlist != nil {
		globals = append(globals, *cfg.Allowlist)
	}
	globals = append(globals, cfg.Allowlists...)
	for i, a := range globals {
		if len(a.TargetRules) > 0 {
			for _, id := range a.TargetRules {
				targeted[id] = append(targeted[id], a)
			}
			continue
		}
		for _, n := range global.add(a) {
			res.Notes = append(res.Notes, fmt.Sprintf("global allowlist %d: %s", i+1, n))
		}
	}

	var out []outRule
	var usesGlobal []bool
	for _, gr := range cfg.Rules {
		rr, o, ok := convertRule(gr, opts.Prefix, targeted[gr.ID], global)
		if ok {
			out = append(out, o.rule)
			usesGlobal = append(usesGlobal, o.globalOnly)
		}
		res.Rules = append(res.Rules, rr)
	}
	if opts.Examples > 0 {
		if err := addExamples(out, res, opts.Examples); err != nil {
			return nil, err
		}
	}
	y, err := encode(cfg, out, usesGlobal)
	if err != nil {
		return nil, err
	}
	// The file must load and its tests pass.
	rules, err := ruleset.Parse("imported.yml", y)
	if err != nil {
		return nil, fmt.Errorf("converted rules do not load (a bug in the converter): %w", err)
	}
	if fails := ruleset.NewSet(rules).RunTests(); len(fails) > 0 {
		return nil, fmt.Errorf("converted rules fail their tests (a bug in the converter): rule %s: %s", fails[0].Rule.ID, fails[0].Reason)
	}
	res.YAML = y
	return res, nil
}

// converted is one converted rule.
type converted struct {
	rule       outRule
	globalOnly bool // its allowlist is exactly the global one
}

// convertRule converts one gitleaks rule.
func convertRule(gr Rule, prefix string, targeted []Allowlist, global *allowOut) (RuleResult, converted, bool) {
	rr := RuleResult{ID: gr.ID}
	fail := func(format string, args ...any) (RuleResult, converted, bool) {
		rr.Reason = fmt.Sprintf(format, args...)
		return rr, converted{}, false
	}
	switch {
	case gr.ID == "":
		return fail("no id")
	case len(gr.Required) > 0:
		return fail("composite rule (required: %s): pushguard has no rule that needs other rules' findings nearby", requiredIDs(gr.Required))
	case gr.SkipReport:
		return fail("skipReport: gitleaks reports it only as part of a composite rule")
	case gr.Regex == "" && gr.Path == "":
		return fail("neither regex nor path")
	}
	id := prefix + gr.ID
	if !idPattern().MatchString(id) {
		return fail("id %q is not a valid pushguard id (letters, digits, '.', '_', '-'; up to 100)", id)
	}
	r := outRule{
		ID: id, Description: gr.Description, Severity: "block",
		Message: message(gr), Help: "Imported from gitleaks rule " + gr.ID + ". Remove the secret from your commits, revoke it, and push again.",
		Tags: append([]string{"secret", "gitleaks"}, nonEmpty(gr.Tags)...),
	}
	if gr.Path != "" {
		globs, err := pathGlobs(gr.Path)
		if err != nil {
			return fail("path %q: %v", gr.Path, err)
		}
		r.Paths = &outGlobs{Include: globs}
	}
	if gr.Regex != "" {
		re, err := regexp.Compile(gr.Regex)
		if err != nil {
			return fail("regex: Go regexp rejects it: %v", err)
		}
		if re.MatchString("") {
			return fail("regex matches the empty string")
		}
		c := &outContent{Regex: gr.Regex, Keywords: lowerNonEmpty(gr.Keywords)}
		group := gr.SecretGroup
		switch {
		case group > re.NumSubexp():
			return fail("secretGroup %d does not exist: the regex has %d group(s)", group, re.NumSubexp())
		case group == 0 && re.NumSubexp() > 0 && mandatoryGroup(gr.Regex, 1):
			group = 1 // gitleaks takes the first non-empty group: this one
		case group == 0 && re.NumSubexp() > 0:
			rr.Notes = append(rr.Notes, "the secret is the whole match: group 1 is optional, and gitleaks' \"first non-empty group\" cannot be expressed")
		}
		c.SecretGroup = group
		if gr.Entropy > 0 {
			c.Entropy = &outEntropy{Min: min(gr.Entropy, 8), Group: group}
		}
		if spansLines(gr.Regex) {
			rr.Notes = append(rr.Notes, "the regex contains a line break: pushguard matches one line at a time, so only its one-line matches are found")
		}
		r.Content = c
	}
	// Allowlists.
	own := &allowOut{}
	var lists []Allowlist
	if gr.Allowlist != nil {
		lists = append(lists, *gr.Allowlist)
	}
	lists = append(lists, gr.Allowlists...)
	lists = append(lists, targeted...)
	for i, a := range lists {
		for _, n := range own.add(a) {
			rr.Notes = append(rr.Notes, fmt.Sprintf("allowlist %d: %s", i+1, n))
		}
	}
	globalOnly := false
	switch {
	case own.empty() && !global.empty():
		r.Allowlist = global
		globalOnly = true
	case !own.empty():
		merged := own.union(global)
		r.Allowlist = merged
	}
	if r.Content == nil && r.Allowlist != nil && len(r.Allowlist.Commits)+len(r.Allowlist.Paths) == 0 {
		r.Allowlist = nil // a file rule has no matched text to allow
		globalOnly = false
	}
	rr.NewID, rr.Converted = id, true
	return rr, converted{rule: r, globalOnly: globalOnly}, true
}

var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`) })

func message(gr Rule) string {
	if d := strings.TrimSpace(gr.Description); d != "" {
		return d
	}
	return "gitleaks rule " + gr.ID + " matched."
}

func requiredIDs(rs []Required) string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, ", ")
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func lowerNonEmpty(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range list {
		s = strings.ToLower(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// mandatoryGroup reports whether capture group idx takes part in every
// match of re.
func mandatoryGroup(re string, idx int) bool {
	parsed, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return false
	}
	var walk func(*syntax.Regexp) bool
	walk = func(r *syntax.Regexp) bool {
		switch r.Op {
		case syntax.OpCapture:
			return r.Cap == idx || walk(r.Sub[0])
		case syntax.OpConcat:
			for _, s := range r.Sub {
				if walk(s) {
					return true
				}
			}
		case syntax.OpAlternate:
			for _, s := range r.Sub {
				if !walk(s) {
					return false
				}
			}
			return len(r.Sub) > 0
		case syntax.OpPlus:
			return walk(r.Sub[0])
		case syntax.OpRepeat:
			return r.Min > 0 && walk(r.Sub[0])
		}
		return false
	}
	return walk(parsed)
}

// spansLines reports whether re has a literal line break.
func spansLines(re string) bool {
	parsed, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return false
	}
	var walk func(*syntax.Regexp) bool
	walk = func(r *syntax.Regexp) bool {
		if r.Op == syntax.OpLiteral && strings.ContainsAny(string(r.Rune), "\n\r") {
			return true
		}
		for _, s := range r.Sub {
			if walk(s) {
				return true
			}
		}
		return false
	}
	return walk(parsed)
}

// allowOut is a pushguard allowlist being built.
type allowOut struct {
	Paths     []string `yaml:"paths,omitempty"`
	Regexes   []string `yaml:"regexes,omitempty"`
	Stopwords []string `yaml:"stopwords,omitempty"`
	Commits   []string `yaml:"commits,omitempty"`
}

var commitPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-fA-F]{7,40}$`) })

// add adds what a gitleaks allowlist allows, and returns notes on what it
// left out.
func (o *allowOut) add(a Allowlist) []string {
	var notes []string
	kinds := 0
	for _, n := range []int{len(a.Commits), len(a.Paths), len(a.Regexes), len(a.StopWords)} {
		if n > 0 {
			kinds++
		}
	}
	if strings.EqualFold(a.Condition, "AND") && kinds > 1 {
		return []string{"condition AND is not supported: the allowlist is left out (more findings, never fewer)"}
	}
	for _, c := range a.Commits {
		if commitPattern().MatchString(c) {
			o.Commits = appendNew(o.Commits, strings.ToLower(c))
		} else {
			notes = append(notes, fmt.Sprintf("commit %q is no commit id: left out", c))
		}
	}
	for _, p := range a.Paths {
		globs, err := pathGlobs(p)
		if err != nil {
			notes = append(notes, fmt.Sprintf("path %q: %v: left out", p, err))
			continue
		}
		for _, g := range globs {
			o.Paths = appendNew(o.Paths, g)
		}
	}
	if len(a.Regexes) > 0 {
		switch t := strings.ToLower(a.RegexTarget); t {
		case "", "secret":
			for _, re := range a.Regexes {
				if _, err := regexp.Compile(re); err != nil {
					notes = append(notes, fmt.Sprintf("regex %q: Go regexp rejects it: left out", re))
					continue
				}
				o.Regexes = appendNew(o.Regexes, re)
			}
		default:
			notes = append(notes, fmt.Sprintf("%d regex(es) with regexTarget %q left out: pushguard allowlist regexes look at the secret", len(a.Regexes), a.RegexTarget))
		}
	}
	for _, s := range a.StopWords {
		if s != "" {
			o.Stopwords = appendNew(o.Stopwords, strings.ToLower(s))
		}
	}
	return notes
}

func (o *allowOut) empty() bool {
	return len(o.Paths)+len(o.Regexes)+len(o.Stopwords)+len(o.Commits) == 0
}

func (o *allowOut) union(b *allowOut) *allowOut {
	out := &allowOut{}
	for _, x := range []*allowOut{o, b} {
		for _, p := range x.Paths {
			out.Paths = appendNew(out.Paths, p)
		}
		for _, p := range x.Regexes {
			out.Regexes = appendNew(out.Regexes, p)
		}
		for _, p := range x.Stopwords {
			out.Stopwords = appendNew(out.Stopwords, p)
		}
		for _, p := range x.Commits {
			out.Commits = appendNew(out.Commits, p)
		}
	}
	return out
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// The output schema: the subset of pushguard's rule schema the converter
// writes, with empty keys left out.
type (
	outFile struct {
		Rules []outRule `yaml:"rules"`
	}
	outRule struct {
		ID          string      `yaml:"id"`
		Description string      `yaml:"description,omitempty"`
		Severity    string      `yaml:"severity"`
		Tags        []string    `yaml:"tags,omitempty"`
		Message     string      `yaml:"message"`
		Help        string      `yaml:"help,omitempty"`
		Paths       *outGlobs   `yaml:"paths,omitempty"`
		Content     *outContent `yaml:"content,omitempty"`
		Allowlist   *allowOut   `yaml:"allowlist,omitempty"`
		Tests       *outTests   `yaml:"tests,omitempty"`
	}
	outGlobs struct {
		Include []string `yaml:"include"`
	}
	outContent struct {
		Regex       string      `yaml:"regex"`
		Keywords    []string    `yaml:"keywords,omitempty"`
		SecretGroup int         `yaml:"secret_group,omitempty"`
		Entropy     *outEntropy `yaml:"entropy,omitempty"`
	}
	outEntropy struct {
		Min   float64 `yaml:"min"`
		Group int     `yaml:"group,omitempty"`
	}
	outTests struct {
		Path  string   `yaml:"path,omitempty"`
		Match []string `yaml:"match,omitempty"`
	}
)

// addExamples generates match examples for the content rules without
// paths, keeping those the converted rule really matches.
func addExamples(out []outRule, res *Result, per int) error {
	y, err := yaml.Marshal(outFile{Rules: out})
	if err != nil {
		return fmt.Errorf("encode rules: %w", err)
	}
	rules, err := ruleset.Parse("imported.yml", y)
	if err != nil {
		return fmt.Errorf("converted rules do not load (a bug in the converter): %w", err)
	}
	set := ruleset.NewSet(rules)
	m := set.NewLineMatcher()
	active := make([]bool, len(set.Rules))
	byID := map[string]*RuleResult{}
	for i := range res.Rules {
		byID[res.Rules[i].NewID] = &res.Rules[i]
	}
	for i := range out {
		o := &out[i]
		r := set.Lookup(o.ID)
		if r == nil {
			continue
		}
		if o.Content == nil { // a file rule: its examples are paths
			if p := globSample(o.Paths.Include[0]); p != "" {
				o.Tests = &outTests{Match: []string{p}}
				if rr := byID[o.ID]; rr != nil {
					rr.Examples = 1
				}
			}
			continue
		}
		path := ""
		if o.Paths != nil {
			if path = globSample(o.Paths.Include[0]); path == "" {
				continue
			}
		}
		h := fnv.New64a()
		h.Write([]byte(o.ID))
		active[r.Index] = true
		var got []string
		for _, cand := range candidates(o.Content.Regex, 200, h.Sum64()) {
			if strings.ContainsAny(cand, "\n\r") {
				continue
			}
			// The keyword prefilter needs a keyword in the line: put the
			// first one before a candidate that has none.
			if kws := o.Content.Keywords; len(kws) > 0 && !containsAny(strings.ToLower(cand), kws) {
				cand = kws[0] + " = " + cand
			}
			found := false
			m.MatchLine([]byte(cand), 1, active, func(lm ruleset.LineMatch) {
				if lm.Rule == r && !set.Allowlisted(r, "", path, cand[lm.Start:lm.End]) {
					found = true
				}
			})
			if found {
				got = appendNew(got, cand)
				if len(got) == per {
					break
				}
			}
		}
		active[r.Index] = false
		if len(got) > 0 {
			o.Tests = &outTests{Path: path, Match: got}
		}
		if rr := byID[o.ID]; rr != nil {
			rr.Examples = len(got)
		}
	}
	return nil
}

// encode writes the rule file, the untargeted global allowlist written
// once (a YAML anchor) and referred to by the rules that have no other.
func encode(cfg *Config, out []outRule, usesGlobal []bool) ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(outFile{Rules: out}); err != nil {
		return nil, fmt.Errorf("encode rules: %w", err)
	}
	var anchor *yaml.Node
	if len(doc.Content) > 0 {
		seq := doc.Content[1] // doc is the mapping {rules: [...]}
		for i, rn := range seq.Content {
			if i >= len(usesGlobal) || !usesGlobal[i] {
				continue
			}
			for j := 0; j+1 < len(rn.Content); j += 2 {
				if rn.Content[j].Value != "allowlist" {
					continue
				}
				if anchor == nil {
					anchor = rn.Content[j+1]
					anchor.Anchor = "gitleaks-global-allowlist"
				} else {
					rn.Content[j+1] = &yaml.Node{Kind: yaml.AliasNode, Alias: anchor, Value: anchor.Anchor}
				}
			}
		}
	}
	var b bytes.Buffer
	title := strings.TrimSpace(cfg.Title)
	if title == "" {
		title = "gitleaks config"
	}
	fmt.Fprintf(&b, "# Converted from a gitleaks configuration (%s) by pushguard rules import-gitleaks.\n", oneLine(title))
	b.WriteString("# Every rule blocks. Review the conversion report for what was approximated or left out.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode rules: %w", err)
	}
	return b.Bytes(), nil
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// SortedReasons groups the not-converted rules by reason, for reports.
func (r *Result) SortedReasons() []string {
	var out []string
	for _, x := range r.NotConverted() {
		out = append(out, x.ID+": "+x.Reason)
	}
	sort.Strings(out)
	return out
}
