package report

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// The reports of `pushguard scan` (text for people, JSON, SARIF 2.1.0 and
// JUnit XML for CI) share ScanOptions: how matches are redacted, which
// rules exist, what was scanned.

// KeepRuleRedaction is the ScanOptions.Redact value that keeps each rule's
// own redaction (the default).
const KeepRuleRedaction = -1

// DefaultMaxLocations is how many locations the scan text lists per rule.
const DefaultMaxLocations = 10

// ScanOptions tune the reports of `pushguard scan`.
type ScanOptions struct {
	// Redact: KeepRuleRedaction (or any negative value) redacts the matches
	// of rules that ask for it; N >= 0 redacts every match, showing at most
	// N leading characters (and never more than half of it).
	Redact int
	// ShowRefs lists, in JSON, the refs that reach each commit.
	ShowRefs bool
	// MaxLocations caps the locations listed per rule in the text (0:
	// DefaultMaxLocations, negative: all).
	MaxLocations int
	// Rules is the rule set the scan applied: SARIF describes every rule,
	// JUnit has one test case per rule.
	Rules []*ruleset.Rule
	// Version is pushguard's version (SARIF tool.driver.version).
	Version string
	// Scanned says what was scanned, for the text summary: "2007 commits",
	// "12 files in ./site".
	Scanned string
	// Revision is the commit the scan's range ends at, RepositoryURI where
	// the repository lives (credentials removed), Branch the ref the
	// commits are headed to: SARIF run properties and
	// versionControlProvenance (written only with a RepositoryURI).
	Revision, RepositoryURI, Branch string
	// ExitCode is the exit code the scan ends with, named in the text.
	ExitCode int
	// Hidden counts the findings below the minimum severity (FilterSeverity).
	Hidden int
}

// RedactN hides all of s but at most n leading characters, and never more
// than half of them.
func RedactN(s string, n int) string {
	keep := min(max(n, 0), utf8.RuneCountInString(s)/2)
	i := 0
	for k := 0; k < keep && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "***"
}

// shownMatch is a finding's match as a report may show it: redacted as
// the options and the rule say, control and invisible characters escaped.
func (o ScanOptions) shownMatch(f scan.Finding) string {
	m := f.Match
	if m == "" {
		return ""
	}
	switch {
	case o.Redact >= 0:
		m = RedactN(m, o.Redact)
	case f.Rule.Redact:
		m = Redact(m)
	}
	return textsafe.Clean(m, maxField)
}

// FilterSeverity returns a copy of v that keeps only the findings of at
// least min (suppressed ones too), with its counts recomputed, and how many
// counted findings it left out. The decision is v's: a lower minimum never
// hides a blocking finding.
func FilterSeverity(v *verdict.Verdict, min ruleset.Severity) (*verdict.Verdict, int) {
	out := *v
	out.Findings, out.Suppressed = nil, nil
	out.Counts = map[ruleset.Severity]int{}
	hidden := 0
	for _, f := range v.Findings {
		if f.Rule.Severity.Rank() < min.Rank() {
			hidden++
			continue
		}
		out.Findings = append(out.Findings, f)
		out.Counts[f.Rule.Severity]++
	}
	for _, f := range v.Suppressed {
		if f.Rule.Severity.Rank() >= min.Rank() {
			out.Suppressed = append(out.Suppressed, f)
		}
	}
	return &out, hidden
}

// ruleGroup is the findings of one rule.
type ruleGroup struct {
	rule     *ruleset.Rule
	findings []scan.Finding
}

// groupByRule groups findings by rule id: most severe first, then most
// findings, then id. Within a group the findings keep their order.
func groupByRule(fs []scan.Finding) []*ruleGroup {
	index := map[string]*ruleGroup{}
	var out []*ruleGroup
	for _, f := range fs {
		g := index[f.Rule.ID]
		if g == nil {
			g = &ruleGroup{rule: f.Rule}
			index[f.Rule.ID] = g
			out = append(out, g)
		}
		g.findings = append(g.findings, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := a.rule.Severity.Rank(), b.rule.Severity.Rank(); ra != rb {
			return ra > rb
		}
		if len(a.findings) != len(b.findings) {
			return len(a.findings) > len(b.findings)
		}
		return a.rule.ID < b.rule.ID
	})
	return out
}

// distinct counts the distinct paths and commits of a group's findings.
func (g *ruleGroup) distinct() (files, commits int) {
	paths := map[string]bool{}
	hashes := map[string]bool{}
	for _, f := range g.findings {
		if f.Path != "" {
			paths[f.Path] = true
		}
		if !f.Commit.IsZero() {
			hashes[f.Commit.String()] = true
		}
	}
	return len(paths), len(hashes)
}

// Fingerprint identifies a finding across runs: the rule, what it points
// at (kind, path, metadata field, commit) and where (line, column). The
// matched text is left out, so that the fingerprint reveals nothing of a
// secret. Two scans of the same content give the same fingerprints.
func Fingerprint(f scan.Finding) string {
	h := sha256.New()
	commit := ""
	if !f.Commit.IsZero() {
		commit = f.Commit.String()
	}
	for _, s := range []string{f.Rule.ID, string(f.Kind), f.Path, f.Field, commit, strconv.Itoa(f.Line), strconv.Itoa(f.Column)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// allRules returns the rules of the set and, after them, the rules of
// findings that the set does not hold (built-in rules, a manifest that did
// not parse), each id once.
func allRules(set []*ruleset.Rule, fs ...[]scan.Finding) []*ruleset.Rule {
	seen := map[string]bool{}
	var out []*ruleset.Rule
	for _, r := range set {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	for _, list := range fs {
		for _, f := range list {
			if !seen[f.Rule.ID] {
				seen[f.Rule.ID] = true
				out = append(out, f.Rule)
			}
		}
	}
	return out
}

// level is a severity as SARIF names it.
func level(s ruleset.Severity) string {
	switch s {
	case ruleset.SeverityBlock:
		return "error"
	case ruleset.SeverityWarn:
		return "warning"
	}
	return "note"
}
