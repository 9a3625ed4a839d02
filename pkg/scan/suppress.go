package scan

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// Inline suppression. A developer covers a line finding with a comment
//
//	key := "..." // pushguard:allow generic-token -- test fixture, not a real key
//
// on the line itself, or alone on the line above. The comment names one or
// more rule ids (separated by commas or spaces) and must give a reason
// after "--" of at least Options.MinReasonLength visible characters. A
// finding it covers is kept, marked Suppressed with the reason, and does
// not count for the decision.
//
// A directive is a change under review like any other, so it only counts
// where the same commit adds it: on an added line carrying the finding, or
// alone on the added line right above it. A directive already in the file
// (reviewed for the line it was written for) never covers a line added
// below it later.
//
// Secret rules (tag SecretTag) are not suppressible unless the server
// configuration lists them (Options.Suppressible); a rule with
// suppressible: false never is. A directive that cannot suppress (no or too
// short a reason, an unknown rule, a rule it may not suppress) is itself
// reported as a warning of the built-in rule AllowRuleID, and the finding
// it meant to cover stays.

// directiveToken starts an inline suppression.
const directiveToken = "pushguard:allow"

// AllowRuleID is the id of the built-in rule that reports inline
// suppressions that suppress nothing.
const AllowRuleID = "pushguard-inline-allow"

// newAllowRule returns the built-in rule reporting bad inline suppressions.
// It applies to every file content rules look at, and cannot itself be
// suppressed.
func newAllowRule() *ruleset.Rule {
	return &ruleset.Rule{
		ID:          AllowRuleID,
		Description: "An inline pushguard:allow comment that cannot suppress anything.",
		Severity:    ruleset.SeverityWarn,
		Message:     "This pushguard:allow comment suppresses nothing.",
		Help: "Write `pushguard:allow RULE-ID -- why this is safe` in a comment on the line, or alone on the line above.\n" +
			"The reason after -- is required; it is recorded with the finding.",
		Tags:   []string{"pushguard", "suppression"},
		Source: "built-in",
		Index:  -1,
	}
}

// commentLeaders start a comment in common languages; a directive must
// follow one of them (only blanks in between), so that the token in data
// or prose is not taken for one.
var commentLeaders = []string{"<!--", "{{/*", "{#", "//", "/*", "#", "--", ";", "%", "*"}

// commentClosers may end the comment that holds a directive.
var commentClosers = []string{"*/}}", "*/", "-->", "#}"}

// directive is a parsed inline suppression.
type directive struct {
	ids    []string
	reason string
	// alone: nothing but the comment is on its line, so it covers the next
	// line too.
	alone bool
	col   int // 1-based character column of the token
}

// parseDirective finds an inline suppression in line.
func parseDirective(line []byte) (directive, bool) {
	i := bytes.Index(line, []byte(directiveToken))
	if i < 0 {
		return directive{}, false
	}
	before := strings.TrimRight(string(line[:i]), " \t")
	leader := ""
	for _, l := range commentLeaders {
		if strings.HasSuffix(before, l) {
			leader = l
			break
		}
	}
	rest := string(line[i+len(directiveToken):])
	if leader == "" || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return directive{}, false // not in a comment, or another word (pushguard:allowed)
	}
	d := directive{
		alone: strings.TrimSpace(strings.TrimSuffix(before, leader)) == "",
		col:   utf8.RuneCount(line[:i]) + 1,
	}
	ids, reason, _ := strings.Cut(rest, "--")
	reason = strings.TrimSpace(reason)
	for _, c := range commentClosers {
		reason = strings.TrimSpace(strings.TrimSuffix(reason, c))
	}
	d.reason = reason
	d.ids = strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(d.ids) > 0 && reason == "" { // "id */" without a reason
		last := d.ids[len(d.ids)-1]
		for _, c := range commentClosers {
			if last == c {
				d.ids = d.ids[:len(d.ids)-1]
				break
			}
		}
	}
	return d, true
}

// DefaultMinReasonLength is the visible characters a directive's reason
// needs when Options.MinReasonLength is 0.
const DefaultMinReasonLength = 10

// DefaultSuppressible is the Options.Suppressible of an engine given none:
// the rule's own suppressible flag, and never a secret rule.
func DefaultSuppressible(r *ruleset.Rule) bool {
	return r.Suppressible && !IsSecret(r)
}

// SuppressibleSecrets returns an Options.Suppressible that also lets the
// secret rules named in allowed be suppressed: each entry is a rule id or
// "tag:NAME" for every rule with that tag. A rule with suppressible: false
// stays unsuppressible.
func SuppressibleSecrets(allowed []string) func(*ruleset.Rule) bool {
	ids := map[string]bool{}
	tags := map[string]bool{}
	for _, a := range allowed {
		if t, ok := strings.CutPrefix(a, "tag:"); ok {
			tags[t] = true
		} else {
			ids[a] = true
		}
	}
	return func(r *ruleset.Rule) bool {
		if !r.Suppressible {
			return false
		}
		if !IsSecret(r) || ids[r.ID] {
			return true
		}
		for _, t := range r.Tags {
			if tags[t] {
				return true
			}
		}
		return false
	}
}

// VisibleLength counts the characters of s a reader sees: control (Cc),
// format (Cf, the zero-width characters among them), private-use,
// surrogate and unassigned code points, separators (Z*, spaces included),
// combining marks and the blank "filler" letters are not counted, nor are
// bytes that are not UTF-8.
func VisibleLength(s string) int {
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsGraphic(r) || unicode.In(r, unicode.Cf, unicode.Co, unicode.Cs, unicode.Z, unicode.Mn, unicode.Me) || isBlankLetter(r) {
			continue
		}
		n++
	}
	return n
}

// isBlankLetter reports the code points that are letters or symbols by
// category but print as blank space.
func isBlankLetter(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0, // Hangul fillers
		0x2800: // braille pattern blank
		return true
	}
	return false
}

// names reports whether d names rule id.
func (d directive) names(id string) bool {
	for _, x := range d.ids {
		if x == id {
			return true
		}
	}
	return false
}

// covers reports whether d suppresses findings of r: it names r, gives a
// long enough reason, and r may be suppressed.
func (e *Engine) covers(d directive, r *ruleset.Rule) bool {
	return d.names(r.ID) && VisibleLength(d.reason) >= e.opts.MinReasonLength && e.opts.Suppressible(r)
}

// directiveIn parses the directive on an added line, if any.
func (e *Engine) directiveIn(l diff.Line) (directive, bool) {
	if !bytes.Contains(l.Text, []byte(directiveToken)) {
		return directive{}, false
	}
	return parseDirective(l.Text)
}

// checkDirective reports a directive on an added line that cannot
// suppress everything it names: one warning naming every problem.
func (e *Engine) checkDirective(d directive, l diff.Line) []lineMatch {
	var problems []string
	switch n := VisibleLength(d.reason); {
	case d.reason == "":
		problems = append(problems, "suppression without reason: write `pushguard:allow RULE-ID -- <why this is safe>`")
	case n < e.opts.MinReasonLength:
		problems = append(problems, fmt.Sprintf("the reason has %d visible characters; at least %d are needed", n, e.opts.MinReasonLength))
	}
	if len(d.ids) == 0 {
		problems = append(problems, "it names no rule")
	}
	for _, id := range d.ids {
		switch r := e.rules.Lookup(id); {
		case r == nil:
			problems = append(problems, fmt.Sprintf("unknown rule %q", id))
		case !r.Suppressible:
			problems = append(problems, fmt.Sprintf("rule %q cannot be suppressed inline (suppressible: false)", id))
		case !e.opts.Suppressible(r) && IsSecret(r):
			problems = append(problems, fmt.Sprintf("rule %q is a secret rule: it cannot be suppressed inline unless the server configuration allows it (inline_suppression.secret_rules)", id))
		case !e.opts.Suppressible(r):
			problems = append(problems, fmt.Sprintf("rule %q cannot be suppressed inline on this server", id))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return []lineMatch{{
		rule: e.allowRule, line: l.No, col: d.col, match: directiveToken,
		txt: capLine(l.Text), detail: strings.Join(problems, "; "),
	}}
}

// suppress marks the matches that a directive covers: one on the match's
// own line, or alone on the line right above it, where both lines are
// added (directives holds the directives of added lines only).
func (e *Engine) suppress(matches []lineMatch, directives map[int]directive) {
	for i := range matches {
		m := &matches[i]
		if m.rule == e.allowRule {
			continue
		}
		if d, ok := directives[m.line]; ok && e.covers(d, m.rule) {
			m.suppressed, m.reason = true, d.reason
			continue
		}
		if d, ok := directives[m.line-1]; ok && d.alone && e.covers(d, m.rule) {
			m.suppressed, m.reason = true, d.reason
		}
	}
}

// capLine returns the line capped at maxLineText bytes.
func capLine(b []byte) string {
	if len(b) > maxLineText {
		b = b[:maxLineText]
	}
	return string(b)
}
