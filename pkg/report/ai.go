package report

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pushguard/pushguard/pkg/textsafe"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// maxEvidence caps the evidence lines shown under one AI-policy finding.
const maxEvidence = 3

// AISummaryLine returns "3 of 12 new commits AI-assisted: claude-code 2,
// cursor 1" (tools by count, then id), followed by "; 40 lines AI-written
// by authorship records in 2 commits" when authorship records give line
// data, or "" when no new commit is AI-marked.
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
	line := fmt.Sprintf("%d of %d %s AI-assisted: %s", v.AI.Commits, v.Commits, noun, strings.Join(parts, ", "))
	attested, withLines := 0, 0
	for _, ai := range v.AI.ByCommit {
		if ai.Attribution == scan.AttributionLines {
			attested += ai.Lines
			withLines++
		}
	}
	if withLines > 0 {
		line += fmt.Sprintf("; %s AI-written by authorship records in %s", plural(attested, "line"), plural(withLines, "commit"))
	}
	return line
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
	writeAIFixFor(line, f, nil, scanOnly)
}

// writeAIFixFor is writeAIFix naming, in declared-use trailers, the tool
// that made the finding's commit (ai gives it; nil leaves the rule's
// example as written).
func writeAIFixFor(line func(string, ...any), f scan.Finding, ai *verdict.AISummary, scanOnly bool) {
	trailers := f.Rule.RequiredTrailers()
	if len(trailers) == 0 || f.Kind == scan.KindTag {
		return
	}
	var args []string
	for _, t := range trailers {
		args = append(args, `--trailer "`+shellSafe(toolHint(f.Rule, t, f, ai))+`"`)
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
func writeAIHowTo(line func(string, ...any), o TextOptions) {
	line("How to fix: amend each commit named above as its fix: and add: lines say, then push again.")
	line("%s", nothingDone(o))
}

// declareTrailer finds a declared-use trailer and the tool it names in
// fix advice: "Assisted-by: claude-code:claude-opus-4-5" (tool
// claude-code, model claude-opus-4-5), "Generated-by: AGENT:MODEL".
var declareTrailer = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b((?:assisted|generated|co-authored|written)-by|ai-assisted):(\s*)([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)(:[^\s"'\x60]+)?`)
})

// toolHint rewrites the tool named in a declared-use trailer of an
// AI-policy rule's advice to the tool that made the finding's commit: the
// rule's example may say claude-code, the commit was made with copilot.
// The model the example names goes with its tool, so it becomes MODEL.
// Advice for a commit whose tool is not known is left as written.
func toolHint(r *ruleset.Rule, text string, f scan.Finding, ai *verdict.AISummary) string {
	if ai == nil || !r.HasAI() {
		return text
	}
	p, ok := ai.ByCommit[f.Commit]
	if !ok {
		return text
	}
	tool := ""
	for _, t := range p.Tools {
		if t != "declared" {
			tool = t
			break
		}
	}
	if tool == "" {
		return text
	}
	return declareTrailer().ReplaceAllStringFunc(text, func(m string) string {
		g := declareTrailer().FindStringSubmatch(m)
		named := strings.ToLower(g[3])
		if named == tool || !looksLikeTool(g[3]) {
			return m
		}
		model := ""
		if g[4] != "" {
			model = ":MODEL"
		}
		return g[1] + ":" + g[2] + textsafe.Clean(tool, 40) + model
	})
}

// looksLikeTool tells a tool id or placeholder ("claude-code", "AGENT")
// from a person ("Name <email>" starts with a capitalised name and has
// more words).
func looksLikeTool(s string) bool {
	if s == "AGENT" || s == "TOOL" {
		return true
	}
	return s == strings.ToLower(s)
}
