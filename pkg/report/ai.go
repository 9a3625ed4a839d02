package report

import (
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"io"
	"sort"
	"strings"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// maxEvidence caps the evidence lines shown under one AI-policy finding.
const maxEvidence = 3

// AISummaryLine returns "3 of 12 new commits AI-assisted: claude-code 2,
// cursor 1" (tools by count, then id), or "" when no new commit is
// AI-marked.
func AISummaryLine(v *verdict.Verdict) string {
	if v.AI.Commits == 0 {
		return ""
	}
	type tc struct {
		id string
		n  int
	}
	tools := make([]tc, 0, len(v.AI.Tools))
	for id, n := range v.AI.Tools {
		tools = append(tools, tc{id, n})
	}
	sort.Slice(tools, func(i, j int) bool {
		if tools[i].n != tools[j].n {
			return tools[i].n > tools[j].n
		}
		return tools[i].id < tools[j].id
	})
	parts := make([]string, len(tools))
	for i, t := range tools {
		parts[i] = fmt.Sprintf("%s %d", textsafe.Clean(t.id, 40), t.n)
	}
	noun := "new commits"
	if v.Commits == 1 {
		noun = "new commit"
	}
	return fmt.Sprintf("%d of %d %s AI-assisted: %s", v.AI.Commits, v.Commits, noun, strings.Join(parts, ", "))
}

// writeAIAccepted writes the provenance summary of an accepted push without
// findings; a push without AI-marked commits stays silent.
func writeAIAccepted(w io.Writer, v *verdict.Verdict, o TextOptions) error {
	s := AISummaryLine(v)
	if s == "" {
		return nil
	}
	_, err := fmt.Fprintf(w, "%spushguard: push accepted; %s\n", o.LinePrefix, s)
	return err
}

// writeAISummary writes the provenance summary under the verdict line.
func writeAISummary(line func(string, ...any), v *verdict.Verdict) {
	if s := AISummaryLine(v); s != "" {
		line("pushguard: %s", s)
	}
}

// writeAIEvidence writes, for a finding of an AI-policy rule, the strong
// evidence that classified its commit.
func writeAIEvidence(line func(string, ...any), f scan.Finding, ai *verdict.AISummary) {
	if ai == nil || !f.Rule.HasAI() {
		return
	}
	p, ok := ai.ByCommit[f.Commit]
	if !ok {
		return
	}
	shown := 0
	for _, e := range p.Evidence {
		if !e.Strong {
			continue
		}
		if shown == maxEvidence {
			line("  evidence: ... (see `pushguard scan --format json` for all)")
			break
		}
		line("  evidence: %s \"%s\" (%s)", textsafe.Clean(e.Kind, 20), textsafe.Clean(e.Text, maxField), textsafe.Clean(e.Tool, 40))
		shown++
	}
}

// writeAIFix writes the exact commands that add the trailers a rule
// requires: amending the commit when it is the last one, a rebase that
// amends every commit from it onwards otherwise.
func writeAIFix(line func(string, ...any), f scan.Finding, scanOnly bool) {
	trailers := f.Rule.RequiredTrailers()
	if len(trailers) == 0 || f.Kind == scan.KindTag {
		return
	}
	var args []string
	for _, t := range trailers {
		args = append(args, `--trailer "`+shellSafe(t)+`"`)
	}
	amend := "git commit --amend --no-edit " + strings.Join(args, " ")
	line("  add:  %s", amend)
	if !scanOnly {
		line("        (older commit: git rebase --exec '%s' %s~1)", amend, short(f))
	}
}

// shellSafe makes admin-written trailer text safe inside the double quotes
// of a suggested command.
func shellSafe(s string) string {
	return strings.NewReplacer(`"`, ``, `'`, ``, "`", ``, `$`, ``, `\`, ``).Replace(textsafe.Clean(s, maxField))
}

// aiOnlyRejection reports whether every blocking finding is an AI-policy
// finding: the generic "remove the blocked content" advice does not apply.
func aiOnlyRejection(v *verdict.Verdict) bool {
	n := 0
	for _, f := range v.Findings {
		if f.Rule.Severity != ruleset.SeverityBlock {
			continue
		}
		if !f.Rule.HasAI() {
			return false
		}
		n++
	}
	return n > 0
}

// writeAIHowTo is the closing advice of a push rejected by AI policy only.
func writeAIHowTo(line func(string, ...any)) {
	line("How to fix: amend each commit named above as its fix: and add: lines say, then push again.")
	line("Nothing from this push was accepted.")
}
