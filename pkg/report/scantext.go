package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// ScanText writes the report of `pushguard scan` for people: one section
// per rule that fired (its message and fix once, then where it fired, a
// file changed by many commits on one line), a summary table, and the
// result. It speaks of a scan, not of a push.
func ScanText(w io.Writer, v *verdict.Verdict, commits []scan.CommitInfo, o ScanOptions) error {
	if o.MaxLocations == 0 {
		o.MaxLocations = DefaultMaxLocations
	}
	subjects := subjectsOf(commits)
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	scanned := o.Scanned
	if scanned == "" {
		scanned = plural(v.Commits, "commit")
	}
	if len(v.Findings) == 0 {
		line("pushguard scan: no findings in %s", scanned)
	} else {
		line("pushguard scan: %s in %s", countWords(v.Counts), scanned)
	}
	if s := AISummaryLine(v); s != "" {
		line("  %s", strings.Replace(s, " new commit", " commit", 1))
	}
	if v.Err != nil {
		line("  The scan did not finish (%s); there may be more findings than these.", clip(textsafe.Clean(v.Err.Error(), 0), 300))
	}
	groups := groupByRule(v.Findings)
	for _, g := range groups {
		line("")
		writeGroup(line, g, subjects, o)
	}
	if len(groups) > 0 {
		line("")
		writeTable(line, groups)
	}
	line("")
	if o.Hidden > 0 {
		line("%s below the --severity minimum not shown.", plural(o.Hidden, "finding"))
	}
	if n := len(v.Suppressed); n > 0 {
		line("%s suppressed inline (pushguard:allow with a reason); not counted.", plural(n, "finding"))
	}
	writeScanSkips(line, v.Skipped)
	switch {
	case v.Enforced > 0:
		line("Result: FAILED: %s (exit code %d).", plural(v.Enforced, "blocking finding"), o.ExitCode)
	case v.AuditBlocked > 0:
		line("Result: passed: %s on refs in audit mode (recorded by the server, not enforced).", plural(v.AuditBlocked, "blocking finding"))
	default:
		line("Result: passed: no blocking findings.")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// subjectsOf maps each commit to its (redacted) subject.
func subjectsOf(commits []scan.CommitInfo) map[plumbing.Hash]string {
	out := make(map[plumbing.Hash]string, len(commits))
	for _, c := range commits {
		out[c.Hash] = c.Subject
	}
	return out
}

// countWords is "9 blocking findings, 266 warnings".
func countWords(c map[ruleset.Severity]int) string {
	var parts []string
	for _, s := range []ruleset.Severity{ruleset.SeverityBlock, ruleset.SeverityWarn, ruleset.SeverityInfo} {
		if n := c[s]; n > 0 {
			parts = append(parts, plural(n, label(s)))
		}
	}
	return strings.Join(parts, ", ")
}

// writeGroup writes one rule's section.
func writeGroup(line func(string, ...any), g *ruleGroup, subjects map[plumbing.Hash]string, o ScanOptions) {
	r := g.rule
	line("%-5s  %s: %s  [%s]", strings.ToUpper(string(r.Severity)), r.ID, textsafe.Clean(r.Message, maxField), plural(len(g.findings), "finding"))
	for i, h := range splitLines(r.Help) {
		if i == 0 {
			line("  fix: %s", h)
		} else {
			line("       %s", h)
		}
	}
	writeAIFix(line, g.findings[0], true)
	locs := locations(g.findings, subjects, o)
	for i, l := range locs {
		if o.MaxLocations > 0 && i == o.MaxLocations {
			line("  ... and %d more (--max-locations 0 lists all; --format json lists every finding)", len(locs)-i)
			break
		}
		line("  %s", l)
	}
}

// locations renders where a rule fired, one line each. File findings of
// one path in many commits share a line.
func locations(fs []scan.Finding, subjects map[plumbing.Hash]string, o ScanOptions) []string {
	var out []string
	filePaths := map[string]int{} // path → index in out
	fileCommits := map[string][]plumbing.Hash{}
	for _, f := range fs {
		switch {
		case f.Kind == scan.KindFile:
			if _, ok := filePaths[f.Path]; ok {
				fileCommits[f.Path] = append(fileCommits[f.Path], f.Commit)
				continue
			}
			filePaths[f.Path] = len(out)
			fileCommits[f.Path] = []plumbing.Hash{f.Commit}
			out = append(out, "")
		case f.Field != "":
			out = append(out, fmt.Sprintf("%s %s, line %d:%d  %s", objectWord(f), f.Field, f.Line, f.Column, o.shownMatch(f)))
		case f.Kind == scan.KindLine:
			m := o.shownMatch(f)
			if f.Detail != "" {
				m = textsafe.Clean(f.Detail, maxField)
			}
			out = append(out, strings.TrimRight(fmt.Sprintf("%s:%d:%d  %s%s", textsafe.Clean(f.Path, maxField), f.Line, f.Column, m, inCommit(f, subjects, false)), " "))
		default: // a commit or a tag
			out = append(out, strings.TrimSpace(objectWord(f)+inCommit(f, subjects, true)))
		}
	}
	for p, i := range filePaths {
		hs := fileCommits[p]
		l := textsafe.Clean(p, maxField)
		switch {
		case len(hs) == 1 && hs[0].IsZero():
		case len(hs) == 1:
			l += "  (commit " + hs[0].String()[:10] + ")"
		default:
			l += fmt.Sprintf("  (changed by %d commits, first %s, last %s)", len(hs), hs[0].String()[:10], hs[len(hs)-1].String()[:10])
		}
		out[i] = l
	}
	return out
}

// objectWord names the commit or tag object of a finding.
func objectWord(f scan.Finding) string {
	if f.Kind == scan.KindTag {
		return "tag object " + f.Commit.String()[:10]
	}
	return "commit " + f.Commit.String()[:10]
}

// inCommit is "  (commit 1234567890)" for a finding in a commit, with the
// subject when asked; "" for content outside git.
func inCommit(f scan.Finding, subjects map[plumbing.Hash]string, subject bool) string {
	if f.Commit.IsZero() {
		return ""
	}
	if subject {
		if s := subjects[f.Commit]; s != "" {
			return "  " + textsafe.Clean(s, 72)
		}
		return ""
	}
	return "  (commit " + f.Commit.String()[:10] + ")"
}

// writeTable writes one row per rule that fired; the commits column only
// when the findings are in commits.
func writeTable(line func(string, ...any), groups []*ruleGroup) {
	w := len("rule")
	inCommits := false
	for _, g := range groups {
		w = max(w, len(g.rule.ID))
		if _, commits := g.distinct(); commits > 0 {
			inCommits = true
		}
	}
	line("Summary")
	if inCommits {
		line("  %-*s  %-8s  %8s  %6s  %7s", w, "rule", "severity", "findings", "files", "commits")
	} else {
		line("  %-*s  %-8s  %8s  %6s", w, "rule", "severity", "findings", "files")
	}
	total := 0
	for _, g := range groups {
		files, commits := g.distinct()
		if inCommits {
			line("  %-*s  %-8s  %8d  %6d  %7d", w, g.rule.ID, g.rule.Severity, len(g.findings), files, commits)
		} else {
			line("  %-*s  %-8s  %8d  %6d", w, g.rule.ID, g.rule.Severity, len(g.findings), files)
		}
		total += len(g.findings)
	}
	line("  %-*s  %-8s  %8d", w, "total", "", total)
}

// writeScanSkips counts the files whose content was not scanned, by
// reason, and names the text files too large to read.
func writeScanSkips(line func(string, ...any), skips []scan.Skip) {
	if len(skips) == 0 {
		return
	}
	byReason := map[string]int{}
	var reasons []string
	for _, s := range skips {
		if byReason[s.Reason] == 0 {
			reasons = append(reasons, s.Reason)
		}
		byReason[s.Reason]++
	}
	sort.Strings(reasons)
	var parts []string
	for _, r := range reasons {
		parts = append(parts, fmt.Sprintf("%d %s", byReason[r], textsafe.Clean(r, maxField)))
	}
	line("Not scanned for content: %s (path and size rules still applied).", strings.Join(parts, ", "))
	large := unscanned(skips)
	for i, s := range large {
		if i == maxUnscannedListed {
			line("  ... and %d more too large.", len(large)-i)
			break
		}
		where := ""
		if !s.Commit.IsZero() {
			where = " in commit " + s.Commit.String()[:10]
		}
		line("  too large: %s%s", textsafe.Clean(s.Path, maxField), where)
	}
}
