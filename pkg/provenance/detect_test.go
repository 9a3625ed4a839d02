package provenance

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDetect(t *testing.T) {
	d := mustDefault(t)
	tests := []struct {
		name string
		in   Input
		want Result
	}{
		{
			name: "trailer right under the subject",
			in:   Input{Message: "Add dark mode\nCo-Authored-By: Claude <noreply@anthropic.com>\n\nBody.\n"},
			want: Result{Detected: true, Tools: []string{"claude-code"}, Declared: true, DeclaredValues: []string{"Claude <noreply@anthropic.com>"}, Evidence: []Evidence{
				{Kind: KindTrailer, Tool: "claude-code", Text: "Co-Authored-By: Claude <noreply@anthropic.com>", Strong: true},
			}},
		},
		{
			name: "trailer in the middle of the body",
			in:   Input{Message: "Squash (#1)\n\n* a\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\n\n* b\n"},
			want: Result{Detected: true, Tools: []string{"cursor"}, Declared: true, DeclaredValues: []string{"Cursor <cursoragent@cursor.com>"}, Evidence: []Evidence{
				{Kind: KindTrailer, Tool: "cursor", Text: "Co-authored-by: Cursor <cursoragent@cursor.com>", Strong: true},
			}},
		},
		{
			name: "case-insensitive keys",
			in:   Input{Message: "x\n\nmade-WITH: Cursor\nCO-AUTHORED-BY: Amp <amp@ampcode.com>\n"},
			want: Result{Detected: true, Tools: []string{"amp", "cursor"}, Declared: true, DeclaredValues: []string{"Amp <amp@ampcode.com>"}, Evidence: []Evidence{
				{Kind: KindTrailer, Tool: "amp", Text: "CO-AUTHORED-BY: Amp <amp@ampcode.com>", Strong: true},
				{Kind: KindTrailer, Tool: "cursor", Text: "made-WITH: Cursor", Strong: true},
			}},
		},
		{
			name: "blanks before the colon, as git allows",
			in:   Input{Message: "x\n\nCo-authored-by : Codex <noreply@openai.com>\n"},
			want: Result{Detected: true, Tools: []string{"openai-codex"}, Declared: true, DeclaredValues: []string{"Codex <noreply@openai.com>"}, Evidence: []Evidence{
				{Kind: KindTrailer, Tool: "openai-codex", Text: "Co-authored-by: Codex <noreply@openai.com>", Strong: true},
			}},
		},
		{
			name: "folded trailer value in the trailer block",
			in:   Input{Message: "x\n\nSigned-off-by: A <a@example.com>\nCo-authored-by: Claude Opus 4.6\n  (1M context) <noreply@anthropic.com>\n"},
			want: Result{Detected: true, Tools: []string{"claude-code"}, Declared: true, DeclaredValues: []string{"Claude Opus 4.6 (1M context) <noreply@anthropic.com>"}, Evidence: []Evidence{
				{Kind: KindTrailer, Tool: "claude-code", Text: "Co-authored-by: Claude Opus 4.6 (1M context) <noreply@anthropic.com>", Strong: true},
			}},
		},
		{
			name: "the subject line is never a trailer",
			in:   Input{Message: "Made-with: Cursor\n"},
			want: Result{},
		},
		{
			name: "fenced example is not a trailer",
			in:   Input{Message: "docs\n\n```\nMade-with: Cursor\n```\n\nEnd.\n"},
			want: Result{},
		},
		{
			name: "one evidence per signal entry",
			in: Input{Message: "x\n\nCo-authored-by: Claude Opus 4.6 <noreply@anthropic.com>\n" +
				"Co-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>\n"},
			want: Result{Detected: true, Tools: []string{"claude-code"}, Declared: true, DeclaredValues: []string{"Claude Opus 4.6 <noreply@anthropic.com>", "Claude Sonnet 4.5 <noreply@anthropic.com>"}, Evidence: []Evidence{
				{Kind: KindTrailer, Tool: "claude-code", Text: "Co-authored-by: Claude Opus 4.6 <noreply@anthropic.com>", Strong: true},
			}},
		},
		{
			name: "message marker evidence is the whole line",
			in:   Input{Message: "x\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n"},
			want: Result{Detected: true, Tools: []string{"claude-code"}, Evidence: []Evidence{
				{Kind: KindMessage, Tool: "claude-code", Text: "🤖 Generated with [Claude Code](https://claude.ai/code)", Strong: true},
			}},
		},
		{
			name: "identity on the committer, email case-insensitive",
			in: Input{Message: "x\n", AuthorName: "Jane", AuthorEmail: "jane@example.com",
				CommitterName: "Cursor Agent", CommitterEmail: "CursorAgent@Cursor.com"},
			want: Result{Detected: true, Tools: []string{"cursor"}, Evidence: []Evidence{
				{Kind: KindIdentity, Tool: "cursor", Text: "Cursor Agent <CursorAgent@Cursor.com>", Strong: true},
			}},
		},
		{
			name: "aider name suffix",
			in:   Input{Message: "fix\n", AuthorName: "Jane (aider)", AuthorEmail: "jane@example.com"},
			want: Result{Detected: true, Tools: []string{"aider"}, Evidence: []Evidence{
				{Kind: KindIdentity, Tool: "aider", Text: "Jane (aider) <jane@example.com>", Strong: true},
			}},
		},
		{
			name: "agent branch and agent file alone are weak",
			in: Input{Message: "x\n", Refs: []string{"refs/heads/claude/fix-1", "refs/heads/main"},
				Paths: []string{"src/a.go", "CLAUDE.md", "AGENTS.md"}},
			want: Result{Suspected: []string{"claude-code", "openai-codex"}, Evidence: []Evidence{
				{Kind: KindBranch, Tool: "claude-code", Text: "claude/fix-1"},
				{Kind: KindFile, Tool: "claude-code", Text: "CLAUDE.md"},
				{Kind: KindFile, Tool: "openai-codex", Text: "AGENTS.md"},
			}},
		},
		{
			name: "weak evidence of a detected tool is kept, tool not suspected",
			in: Input{Message: "x\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
				Paths: []string{"pkg/CLAUDE.md"}},
			want: Result{Detected: true, Tools: []string{"claude-code"}, Declared: true, DeclaredValues: []string{"Claude <noreply@anthropic.com>"}, Evidence: []Evidence{
				{Kind: KindTrailer, Tool: "claude-code", Text: "Co-authored-by: Claude <noreply@anthropic.com>", Strong: true},
				{Kind: KindFile, Tool: "claude-code", Text: "pkg/CLAUDE.md"},
			}},
		},
		{
			name: "strong agent file",
			in:   Input{Message: "wip\n", Paths: []string{"sub/.aider.chat.history.md"}},
			want: Result{Detected: true, Tools: []string{"aider"}, Evidence: []Evidence{
				{Kind: KindFile, Tool: "aider", Text: "sub/.aider.chat.history.md", Strong: true},
			}},
		},
		{
			name: "tags and other refs give no branch signal",
			in:   Input{Message: "x\n", Refs: []string{"refs/tags/claude/v1", "refs/pull/1/head", "claude/x"}},
			want: Result{},
		},
		{
			name: "kernel declaration names a tool",
			in:   Input{Message: "x\n\nAssisted-by: Claude:claude-opus-4\nSigned-off-by: A <a@example.com>\n"},
			want: Result{Detected: true, Tools: []string{"claude-code"}, Declared: true, DeclaredValues: []string{"Claude:claude-opus-4"},
				Evidence: []Evidence{{Kind: KindDeclared, Tool: "claude-code", Text: "Assisted-by: Claude:claude-opus-4", Strong: true}}},
		},
		{
			name: "agent part wins over the model",
			in:   Input{Message: "x\n\nAssisted-by: Cursor:claude-sonnet-4\n"},
			want: Result{Detected: true, Tools: []string{"cursor"}, Declared: true, DeclaredValues: []string{"Cursor:claude-sonnet-4"},
				Evidence: []Evidence{{Kind: KindDeclared, Tool: "cursor", Text: "Assisted-by: Cursor:claude-sonnet-4", Strong: true}}},
		},
		{
			name: "declaration of an unknown tool",
			in:   Input{Message: "x\n\nAssisted-by: SomeTool\n"},
			want: Result{Detected: true, Tools: []string{DeclaredID}, Declared: true, DeclaredValues: []string{"SomeTool"},
				Evidence: []Evidence{{Kind: KindDeclared, Tool: DeclaredID, Text: "Assisted-by: SomeTool", Strong: true}}},
		},
		{
			name: "declared pseudo-tool only when nothing else is found",
			in:   Input{Message: "x\n\nAssisted-by: SomeTool\nCo-authored-by: Claude <noreply@anthropic.com>\n"},
			want: Result{Detected: true, Tools: []string{"claude-code"}, Declared: true, DeclaredValues: []string{"SomeTool", "Claude <noreply@anthropic.com>"},
				Evidence: []Evidence{
					{Kind: KindTrailer, Tool: "claude-code", Text: "Co-authored-by: Claude <noreply@anthropic.com>", Strong: true},
					{Kind: KindDeclared, Tool: DeclaredID, Text: "Assisted-by: SomeTool", Strong: true},
				}},
		},
		{
			name: "declared key case-insensitive, value an AI identity",
			in:   Input{Message: "x\n\nassisted-BY: Claude <noreply@anthropic.com>\n"},
			want: Result{Detected: true, Tools: []string{"claude-code"}, Declared: true, DeclaredValues: []string{"Claude <noreply@anthropic.com>"},
				Evidence: []Evidence{{Kind: KindDeclared, Tool: "claude-code", Text: "assisted-BY: Claude <noreply@anthropic.com>", Strong: true}}},
		},
		{
			name: "declared value naming a person is not AI use",
			in:   Input{Message: "x\n\nAssisted-by: John Smith <john@example.com>\n"},
			want: Result{},
		},
		{
			name: "negative declaration",
			in:   Input{Message: "x\n\nAI-assisted: No\nAssisted-by: none\n"},
			want: Result{},
		},
		{
			name: "several declarations, values deduplicated",
			in:   Input{Message: "x\n\nAI-assisted: yes\nGenerated-by: Copilot\nAI-assisted: yes\n"},
			want: Result{Detected: true, Tools: []string{"github-copilot"}, Declared: true, DeclaredValues: []string{"yes", "Copilot"},
				Evidence: []Evidence{
					{Kind: KindDeclared, Tool: DeclaredID, Text: "AI-assisted: yes", Strong: true},
					{Kind: KindDeclared, Tool: "github-copilot", Text: "Generated-by: Copilot", Strong: true},
				}},
		},
		{
			name: "empty trailer value",
			in:   Input{Message: "x\n\nAmp-Thread-ID:\nAssisted-by:\n"},
			want: Result{},
		},
		{
			name: "empty input",
			in:   Input{},
			want: Result{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Detect(tt.in)
			// AuthorTools and AgentTrailers have their own test (identity_test.go).
			opts := []cmp.Option{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Result{}, "AuthorTools", "AgentTrailers")}
			if diff := cmp.Diff(tt.want, got, opts...); diff != "" {
				t.Errorf("Detect (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvidenceTextCapped(t *testing.T) {
	d := mustDefault(t)
	long := strings.Repeat("é", 150) // 300 bytes
	for _, in := range []Input{
		{Message: "x\n\nAssisted-by: " + long + "\n"},
		{Message: "x\n\nCo-authored-by: " + long + " <noreply@anthropic.com>\n"},
		{Message: "x\n", Paths: []string{strings.Repeat("dir/", 60) + "CLAUDE.md"}},
		{Message: "x\n", Refs: []string{"refs/heads/claude/" + long}},
	} {
		res := d.Detect(in)
		if len(res.Evidence) == 0 {
			t.Fatalf("no evidence for %.40q", in.Message)
		}
		for _, e := range append(res.Evidence, Evidence{Text: strings.Join(res.DeclaredValues, "")}) {
			if e.Kind != "" && (len(e.Text) > MaxEvidenceText || !utf8.ValidString(e.Text)) {
				t.Errorf("evidence text of %d bytes, valid UTF-8 %v", len(e.Text), utf8.ValidString(e.Text))
			}
		}
		for _, v := range res.DeclaredValues {
			if len(v) > MaxEvidenceText {
				t.Errorf("declared value of %d bytes", len(v))
			}
		}
	}
}

func TestDeclaredBounded(t *testing.T) {
	d := mustDefault(t)
	var b strings.Builder
	b.WriteString("x\n\n")
	for i := range 1000 {
		b.WriteString("Assisted-by: tool-")
		b.WriteString(strings.Repeat("x", i%50))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString("\n")
	}
	res := d.Detect(Input{Message: b.String()})
	if len(res.DeclaredValues) != maxDeclared || len(res.Evidence) > maxDeclared {
		t.Errorf("%d declared values, %d evidence; want at most %d", len(res.DeclaredValues), len(res.Evidence), maxDeclared)
	}
}

func TestDetectDeterministic(t *testing.T) {
	d := mustDefault(t)
	in := Input{
		Message: "aider: x\nCo-authored-by: Claude <noreply@anthropic.com>\n\nMade-with: Cursor\n" +
			"🤖 Generated with [Claude Code](https://claude.ai/code)\nAssisted-by: Gemini\n",
		AuthorName: "copilot-swe-agent[bot]", AuthorEmail: "198982749+Copilot@users.noreply.github.com",
		Refs:  []string{"refs/heads/cursor/a-1b2c", "refs/heads/codex/b"},
		Paths: []string{".cursorrules", "AGENTS.md", ".aider.input.history"},
	}
	first := d.Detect(in)
	want := []string{"aider", "claude-code", "cursor", "gemini", "github-copilot"}
	if diff := cmp.Diff(want, first.Tools); diff != "" {
		t.Errorf("Tools (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"openai-codex"}, first.Suspected); diff != "" {
		t.Errorf("Suspected (-want +got):\n%s", diff)
	}
	if !slices.IsSortedFunc(first.Evidence, func(a, b Evidence) int {
		if a.Strong != b.Strong {
			if a.Strong {
				return -1
			}
			return 1
		}
		return kindRank(a.Kind) - kindRank(b.Kind)
	}) {
		t.Errorf("evidence not ordered strong first, then by kind: %+v", first.Evidence)
	}
	for range 20 {
		if diff := cmp.Diff(first, d.Detect(in)); diff != "" {
			t.Fatalf("Detect is not deterministic:\n%s", diff)
		}
	}
}

func TestMessageTrailers(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want []string // "line:Key=Value"
	}{
		{"no colon", "subject\n\nbody\n", nil},
		{"block and loose lines", "s\nA-b: 1\n\ntext\nC: 2\n\nD: 3\nE: 4\n", []string{"2:A-b=1", "5:C=2", "7:D=3", "8:E=4"}},
		{"fenced loose line skipped", "s\n\n```\nF: 1\n```\nG: 2\n\nH: 3\n", []string{"6:G=2", "8:H=3"}},
		{"tilde fence, unclosed", "s\n\n~~~\nF: 1\n", nil},
		{"CRLF", "s\r\n\r\nK: v\r\n", []string{"3:K=v"}},
		// Real message shapes (issue 15).
		{"literal backslash-n", `Fix x\n\nCo-Authored-By: Claude <noreply@anthropic.com>`, []string{"3:Co-Authored-By=Claude <noreply@anthropic.com>"}},
		{"flattened onto the subject", "Fix x Co-authored-by: A <a@x.io> Co-authored-by: B <b@y.io>\n", []string{"1:Co-authored-by=A <a@x.io>", "1:Co-authored-by=B <b@y.io>"}},
		{"indented trailer in an indented body", "Squashed\n\n    * fix\n    Co-authored-by: A <a@x.io>\n", []string{"4:Co-authored-by=A <a@x.io>"}},
		{"co-author without angle brackets", "s\n\nCo-authored-by: OpenHands-GPT-5 openhands@all-hands.dev\n", []string{"3:Co-authored-by=OpenHands-GPT-5 <openhands@all-hands.dev>"}},
		{"value wrapped onto the next line", "s\n\nAmp-Thread-ID:\nhttps://ampcode.com/threads/T-1\n", []string{"3:Amp-Thread-ID=", "3:Amp-Thread-ID=https://ampcode.com/threads/T-1", "4:https=//ampcode.com/threads/T-1"}},
		{"address wrapped onto the next line", "s\n\nCo-authored-by: Claude Opus 4.6\n<noreply@anthropic.com>\n", []string{"3:Co-authored-by=Claude Opus 4.6", "3:Co-authored-by=Claude Opus 4.6 <noreply@anthropic.com>"}},
		{"key inside a word is not the key", "s\n\nsee X-Co-authored-by: A <a@x.io>\n", nil},
	}
	d := &Detector{keys: []string{"amp-thread-id", "co-authored-by"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tr := range d.messageTrailers(tt.msg) {
				got = append(got, strconv.Itoa(tr.Line)+":"+tr.Key+"="+tr.Value)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestGlobLiteral(t *testing.T) {
	for glob, want := range map[string]string{
		"**/CLAUDE.md":               "CLAUDE.md",
		".claude/**":                 ".claude",
		"**/.aider.tags.cache.v*/**": ".aider.tags.cache.v",
		"devin/[0-9]*":               "",
		"{a,b}.md":                   "",
		`a\*b`:                       "",
		"**":                         "",
	} {
		if got := globLiteral(glob); got != want {
			t.Errorf("globLiteral(%q) = %q, want %q", glob, got, want)
		}
	}
}

// TestDetectConcurrent exercises one Detector from many goroutines (run
// with -race).
func TestDetectConcurrent(t *testing.T) {
	d := mustDefault(t)
	corpus := loadCorpus(t)
	inputs := make([]Input, len(corpus))
	want := make([]Result, len(corpus))
	for i, c := range corpus {
		inputs[i] = c.input(t)
		want[i] = d.Detect(inputs[i])
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i, in := range inputs {
				if got := d.Detect(in); !cmp.Equal(want[i], got) {
					t.Errorf("%s: concurrent result differs", corpus[i].Name)
				}
			}
		})
	}
	wg.Wait()
}
