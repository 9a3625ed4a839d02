package report

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

func TestAISummaryLine(t *testing.T) {
	tests := []struct {
		commits int
		ai      verdict.AISummary
		want    string
	}{
		{12, verdict.AISummary{}, ""},
		{12, verdict.AISummary{Commits: 3, Tools: map[string]int{"cursor": 1, "claude-code": 2}}, "3 of 12 new commits AI-assisted: claude-code 2, cursor 1"},
		{1, verdict.AISummary{Commits: 1, Tools: map[string]int{"declared": 1}}, "1 of 1 new commit AI-assisted: declared 1"},
		{5, verdict.AISummary{Commits: 2, Tools: map[string]int{"b": 1, "a": 1, "c": 2}}, "2 of 5 new commits AI-assisted: c 2, a 1, b 1"},
		{5, verdict.AISummary{Commits: 3, Tools: map[string]int{"cursor": 3}, ByCommit: map[plumbing.Hash]scan.AI{
			plumbing.NewHash("01"): {Detected: true, Lines: 7, Attribution: scan.AttributionLines},
			plumbing.NewHash("02"): {Detected: true, Lines: 1, Attribution: scan.AttributionLines},
			plumbing.NewHash("03"): {Detected: true, Attribution: scan.AttributionCommit},
		}}, "3 of 5 new commits AI-assisted: cursor 3; 8 lines AI-written by authorship records in 2 commits"},
		{1, verdict.AISummary{Commits: 1, Tools: map[string]int{"cursor": 1}, ByCommit: map[plumbing.Hash]scan.AI{
			plumbing.NewHash("01"): {Detected: true, Lines: 1, Attribution: scan.AttributionLines},
		}}, "1 of 1 new commit AI-assisted: cursor 1; 1 line AI-written by authorship records in 1 commit"},
	}
	for _, tt := range tests {
		v := &verdict.Verdict{Commits: tt.commits, AI: tt.ai}
		if got := AISummaryLine(v); got != tt.want {
			t.Errorf("AISummaryLine(%d, %+v) = %q; want %q", tt.commits, tt.ai, got, tt.want)
		}
	}
}

func TestTextAcceptedAI(t *testing.T) {
	var b strings.Builder
	clean := &verdict.Verdict{Decision: verdict.Accept, Commits: 4}
	if err := Text(&b, clean, TextOptions{}); err != nil || b.Len() != 0 {
		t.Fatalf("clean human push: %q, %v; want silence", b.String(), err)
	}
	ai := &verdict.Verdict{Decision: verdict.Accept, Commits: 4, AI: verdict.AISummary{Commits: 1, Tools: map[string]int{"aider": 1}}}
	if err := Text(&b, ai, TextOptions{LinePrefix: "GL-HOOK-ERR: "}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "GL-HOOK-ERR: pushguard: push accepted; 1 of 4 new commits AI-assisted: aider 1\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestTextAIFinding(t *testing.T) {
	rs, err := ruleset.Parse("t.yml", []byte(`rules:
  - id: ci
    severity: block
    message: needs review
    ai: {detected: true}
    paths: {include: [".github/**"]}
    require: {trailers: [{key: Reviewed-by, not_author: true}, {key: Assisted-by, example: "x:\"$(rm)\""}]}
  - id: secret
    severity: block
    message: secret
    content: {regex: 'SECRET'}
`))
	if err != nil {
		t.Fatal(err)
	}
	set := ruleset.NewSet(rs)
	h := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	ai := scan.AI{Detected: true, Tools: []string{"claude-code"}, Evidence: []scan.Evidence{
		{Kind: "trailer", Tool: "claude-code", Text: "Co-Authored-By: Claude \x1b[31m<noreply@anthropic.com>", Strong: true},
		{Kind: "branch", Tool: "claude-code", Text: "claude/x", Strong: false},
	}}
	aiFinding := scan.Finding{Rule: set.Rules[0], Kind: scan.KindFile, Commit: h, Ref: "refs/heads/main", Path: ".github/workflows/ci.yml"}
	for _, tt := range []struct {
		name     string
		findings []scan.Finding
		want     []string
		not      []string
	}{
		{
			name:     "AI policy only",
			findings: []scan.Finding{aiFinding},
			want: []string{
				"pushguard: 1 of 1 new commit AI-assisted: claude-code 1\n",
				`  evidence: trailer "Co-Authored-By: Claude \x1b[31m<noreply@anthropic.com>" (claude-code)` + "\n",
				`  add:  git commit --amend --no-edit --trailer "Reviewed-by: Name <email>" --trailer "Assisted-by: claude-code:(rm)"` + "\n", // the commit's tool, not the example's "x"
				"(older commit: git rebase --exec 'git commit --amend --no-edit --trailer \"Reviewed-by: Name <email>\" --trailer \"Assisted-by: claude-code:(rm)\"' 0123456789~1)",
				"How to fix: amend each commit named above",
			},
			not: []string{"\x1b", "claude/x", "remove the blocked content"},
		},
		{
			name:     "mixed with a secret",
			findings: []scan.Finding{aiFinding, {Rule: set.Rules[1], Kind: scan.KindLine, Commit: h, Path: "a", Line: 1, Column: 1, Match: "SECRET"}},
			want:     []string{"How to fix: remove the blocked content"},
			not:      []string{"How to fix: amend each commit"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := &scan.Result{Commits: []scan.CommitInfo{{Hash: h, AI: ai}}, Findings: tt.findings}
			v := verdict.Decide(res, verdict.Options{})
			var b strings.Builder
			if err := Text(&b, v, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("output contains %q:\n%s", n, out)
				}
			}
		})
	}
}
