package scan

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// Inline suppression. A developer covers a line finding with a comment
//
//	key := "..." // pushguard:allow generic-secret -- test fixture, not a real key
//
// on the line itself, or alone on the line above. The comment names one or
// more rule ids (separated by commas or spaces) and must give a reason
// after "--". A finding it covers is kept, marked Suppressed with the
// reason, and does not count for the decision. A comment that cannot
// suppress (no reason, an unknown rule, a rule with suppressible: false) is
// itself reported as a warning of the built-in rule AllowRuleID, when the
// push adds it.

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

// covers reports whether d suppresses findings of r: it names r, gives a
// reason, and r is suppressible.
func (d directive) covers(r *ruleset.Rule) bool {
	for _, id := range d.ids {
		if id == r.ID {
			return d.reason != "" && r.Suppressible
		}
	}
	return false
}

// checkDirectives reports a directive in an added line that cannot
// suppress anything: one warning naming every problem.
func (e *Engine) checkDirectives(l diff.Line) []lineMatch {
	if !bytes.Contains(l.Text, []byte(directiveToken)) {
		return nil
	}
	d, ok := parseDirective(l.Text)
	if !ok {
		return nil
	}
	var problems []string
	if d.reason == "" {
		problems = append(problems, "suppression without reason: write `pushguard:allow RULE-ID -- <why this is safe>`")
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

// suppress marks the matches that a directive on their line, or alone on
// the line above, covers. newer is the file's new content, where the line
// above is read even when the push did not add it.
func (e *Engine) suppress(matches []lineMatch, newer []byte) {
	var starts []int // lazily: the offset of each line of newer
	cache := map[int]*directive{}
	at := func(no int) *directive {
		if d, ok := cache[no]; ok {
			return d
		}
		if starts == nil {
			starts = append(starts, 0)
			for i, b := range newer {
				if b == '\n' {
					starts = append(starts, i+1)
				}
			}
		}
		var d *directive
		if no >= 1 && no <= len(starts) {
			end := len(newer)
			if no < len(starts) {
				end = starts[no] - 1
			}
			line := newer[starts[no-1]:end]
			if bytes.Contains(line, []byte(directiveToken)) {
				if p, ok := parseDirective(line); ok {
					d = &p
				}
			}
		}
		cache[no] = d
		return d
	}
	for i := range matches {
		m := &matches[i]
		if m.rule == e.allowRule {
			continue
		}
		if d := at(m.line); d != nil && d.covers(m.rule) {
			m.suppressed, m.reason = true, d.reason
			continue
		}
		if d := at(m.line - 1); d != nil && d.alone && d.covers(m.rule) {
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
