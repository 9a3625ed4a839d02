package ruleset

import (
	"slices"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/rules"
)

// aiFacts returns commit facts classified by the embedded AI-tool markers.
func aiFacts(t testing.TB, det *provenance.Detector, c CommitInfo) *CommitInfo {
	t.Helper()
	c.Trailers = parseTrailers(c.Message)
	res := det.Detect(provenance.Input{Message: c.Message, AuthorName: c.AuthorName, AuthorEmail: c.AuthorEmail})
	c.AI = &res
	return &c
}

func defaultDetector(t testing.TB) *provenance.Detector {
	t.Helper()
	specs, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	det, err := provenance.Compile(specs)
	if err != nil {
		t.Fatal(err)
	}
	return det
}

func TestMatchAI(t *testing.T) {
	det := defaultDetector(t)
	const (
		claude   = "Add CI cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
		declared = "Add CI cache\n\nAssisted-by: claude-code:claude-opus-4-5\n"
		human    = "fix cursor pagination\n"
		reviewed = "Add CI cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nReviewed-by: Bob <bob@example.com>\n"
		selfRev  = "Add CI cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nReviewed-by: Ann <ann@example.com>\n"
		botRev   = "Add CI cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nReviewed-by: claude[bot] <claude[bot]@users.noreply.github.com>\n"
		signoff  = "Add CI cache\n\nAssisted-by: claude-code:opus\nSigned-off-by: Claude <noreply@anthropic.com>\n"
		humanSOB = "Add CI cache\n\nAssisted-by: claude-code:opus\nSigned-off-by: Ann <ann@example.com>\n"
		footer   = "Add CI cache\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n"
	)
	ann := func(msg string) CommitInfo {
		return CommitInfo{Message: msg, AuthorName: "Ann", AuthorEmail: "ann@example.com"}
	}
	tests := []struct {
		flow string
		c    CommitInfo
		want bool
	}{
		{`ai: {detected: true}`, ann(claude), true},
		{`ai: {detected: true}`, ann(human), false},
		{`ai: {detected: false}`, ann(human), true},
		{`ai: {detected: true}`, CommitInfo{Message: "x", AuthorName: "Cursor Agent", AuthorEmail: "cursoragent@cursor.com"}, true},
		{`ai: {tools: [cursor, aider]}`, ann(claude), false},
		{`ai: {tools: [claude-code]}`, ann(claude), true},
		{`ai: {declared: false}`, ann(footer), true},
		{`ai: {declared: false}`, ann(claude), false}, // an AI co-author is a disclosure
		{`ai: {declared: false}`, ann(declared), false},
		{`ai: {declared: false}`, ann(human), false},
		{`ai: {declared: true}`, ann(declared), true},
		{`ai: {agent_trailers: [Signed-off-by]}`, ann(signoff), true},
		{`ai: {agent_trailers: [signed-off-by]}`, ann(humanSOB), false},
		{`ai: {agent_trailers: [Signed-off-by]}`, ann(claude), false},
		{`ai: {detected: true}, require: {trailers: [{key: Reviewed-by, not_author: true, human: true}]}`, ann(claude), true},
		{`ai: {detected: true}, require: {trailers: [{key: Reviewed-by, not_author: true, human: true}]}`, ann(reviewed), false},
		{`ai: {detected: true}, require: {trailers: [{key: Reviewed-by, not_author: true, human: true}]}`, ann(selfRev), true},
		{`ai: {detected: true}, require: {trailers: [{key: Reviewed-by, not_author: true, human: true}]}`, ann(botRev), true},
		{`ai: {detected: true}, require: {trailers: [{key: Reviewed-by, not_author: true}]}`, ann(botRev), false},
		{`ai: {detected: true}, require: {trailers: [Reviewed-by]}`, ann(selfRev), false},
		{`ai: {detected: true}, require: {trailers: [{key: Assisted-by, value: '^[\w.-]+:[\w.-]+'}]}`, ann(claude), true},
		{`ai: {detected: true}, require: {trailers: [{key: Assisted-by, value: '^[\w.-]+:[\w.-]+'}]}`, ann(declared), false},
		{`ai: {detected: true}, require: {trailers: [{key: Assisted-by, value: '^[\w.-]+:[\w.-]+'}]}`, ann(human), false},
		{`require: {signed: true}`, ann(human), true},
		{`require: {signed: true}`, CommitInfo{Message: "x", Signed: true}, false},
		{`require: {human_author: true}`, ann(human), false},
		{`require: {human_author: true}`, CommitInfo{Message: "x", AuthorName: "renovate[bot]", AuthorEmail: "29139614+renovate[bot]@users.noreply.github.com"}, true},
		{`require: {human_author: true}`, CommitInfo{Message: "x", AuthorName: "Claude", AuthorEmail: "noreply@anthropic.com"}, true},
		{`ai: {lines: true}, content: {regex: x}`, ann(claude), true},
		{`ai: {lines: true}, content: {regex: x}`, ann(human), false}, // no AI-written line in a human commit
		{`ai: {lines: false}, content: {regex: x}`, ann(human), true},
		{`ai: {lines: false}, content: {regex: x}`, ann(claude), false}, // no line data: every line is AI-written
		{`ai: {lines: true, tools: [cursor]}, content: {regex: x}`, ann(claude), false},
		{`ai: {detected: true}, commit: {message: CI}`, ann(claude), true},
		{`ai: {detected: true}, commit: {message: docs}`, ann(claude), false},
	}
	for _, tt := range tests {
		if got := mustRule(t, tt.flow).MatchCommit(aiFacts(t, det, tt.c)); got != tt.want {
			t.Errorf("{%s}.MatchCommit(%q by %s) = %v; want %v", tt.flow, tt.c.Message, tt.c.AuthorEmail, got, tt.want)
		}
	}
	// Without a classification a commit is not AI-marked.
	if mustRule(t, `ai: {detected: true}`).MatchCommit(&CommitInfo{Message: claude}) {
		t.Error("a commit without AI facts matched ai.detected: true")
	}
}

func TestAIParseErrors(t *testing.T) {
	tests := []struct {
		flow, want string
	}{
		{`ai: {}`, `ai: needs at least one condition`},
		{`ai: {tools: []}`, `ai.tools: empty list`},
		{`ai: {tools: [Claude Code]}`, `ai.tools[0]: invalid tool id "Claude Code"`},
		{`ai: {detected: false, tools: [cursor]}`, `ai.detected: detected: false contradicts tools`},
		{`ai: {detected: false, declared: false}`, `ai.detected: detected: false contradicts declared`},
		{`ai: {agent_trailers: ["Signed-off-by:"]}`, `ai.agent_trailers[0]: invalid trailer key`},
		{`ai: {detected: yes}`, `ai.detected: expected true or false`},
		{`ai: {detecte: true}`, `unknown key "detecte" (did you mean "detected"?)`},
		{`ai: {lines: true}`, `ai.lines: applies to content rules only`},
		{`ai: {lines: false}, paths: {include: ["*.go"]}`, `ai.lines: applies to content rules only`},
		{`ai: {lines: true}, dependencies: {ecosystems: [npm]}`, `ai.lines: applies to content rules only`},
		{`ai: {lines: true, detected: false}, content: {regex: x}`, `ai.lines: lines: true contradicts detected: false`},
		{`ai: {lines: 1}, content: {regex: x}`, `ai.lines: expected true or false`},
		{`ai: {line: true}, content: {regex: x}`, `unknown key "line" (did you mean "lines"?)`},
		{`require: {}`, `require: needs at least one requirement`},
		{`require: {trailers: [{value: x}]}`, `require.trailers[0]: missing required key "key"`},
		{`require: {trailers: ["Reviewed by"]}`, `require.trailers[0].key: invalid trailer key`},
		{`require: {trailers: [{key: Reviewed-by, value: "("}]}`, `require.trailers[0].value: invalid regex`},
	}
	for _, tt := range tests {
		_, err := Parse("t.yml", []byte("rules:\n  - {id: r, severity: warn, message: m, "+tt.flow+"}\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "t.yml:2: rule \"r\": ") {
			t.Errorf("Parse({%s}) error = %v; want t.yml:2 ... %s", tt.flow, err, tt.want)
		}
	}
}

func TestAIRuleTests(t *testing.T) {
	src := `rules:
  - id: ci
    severity: block
    message: m
    ai: {detected: true}
    paths: {include: [".github/workflows/**"]}
    require: {trailers: [{key: Reviewed-by, not_author: true}]}
    tests:
      match:
        - {path: .github/workflows/ci.yml, message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"}
      nomatch:
        - {path: .github/workflows/ci.yml, message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nReviewed-by: B <b@example.com>\n"}
        - {path: .github/workflows/ci.yml, message: "bump copilot-language-server"}
        - {path: src/main.go, message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"}
        - {path: .github/workflows/ci.yml, message: "x", author_name: "Cursor Agent", author_email: cursoragent@cursor.com}
`
	rs, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	set := NewSet(rs)
	fails := set.RunTestsWith(defaultDetector(t))
	// The last nomatch is wrong on purpose: a Cursor agent author is AI.
	if len(fails) != 1 || fails[0].Source != "t.yml:15" || fails[0].Want {
		t.Fatalf("RunTestsWith = %v; want exactly the failure of t.yml:15", fails)
	}
	if !strings.Contains(fails[0].Reason, "requirement not met: no Reviewed-by trailer") {
		t.Errorf("reason = %q", fails[0].Reason)
	}
	// Without markers the AI examples cannot run, and say so.
	if fails := set.RunTests(); len(fails) != 5 || !strings.Contains(fails[0].Reason, "AI-tool markers") {
		t.Errorf("RunTests without markers = %v; want 5 failures asking for the markers", fails)
	}
	r := set.Rules[0]
	if !r.HasAI() || strings.Join(r.RequiredTrailers(), "|") != "Reviewed-by: Name <email>" {
		t.Errorf("HasAI = %v, RequiredTrailers = %q", r.HasAI(), r.RequiredTrailers())
	}
}

// TestMatchAILineData: with line-level authorship data (evidence of kind
// note or agent-trace, which only the scan adds) an AI-marked commit may
// hold human-written lines, so a rule on them applies; the per-line choice
// is the scan's (AILines).
func TestMatchAILineData(t *testing.T) {
	det := defaultDetector(t)
	c := aiFacts(t, det, CommitInfo{Message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"})
	human := mustRule(t, `ai: {lines: false}, content: {regex: x}`)
	if human.MatchCommit(c) || HasLineData(c.AI) {
		t.Fatal("lines: false matched an AI-marked commit without line data")
	}
	for _, kind := range []string{EvidenceNote, EvidenceAgentTrace} {
		withData := *c.AI
		withData.Evidence = append(slices.Clone(withData.Evidence), provenance.Evidence{Kind: kind, Tool: "cursor", Strong: true})
		c2 := *c
		c2.AI = &withData
		if !HasLineData(&withData) || !human.MatchCommit(&c2) {
			t.Errorf("%s evidence: lines: false does not apply to an AI-marked commit with line data", kind)
		}
	}
	tests := []struct {
		flow     string
		want, ok bool
	}{
		{`ai: {lines: true}, content: {regex: x}`, true, true},
		{`ai: {lines: false}, content: {regex: x}`, false, true},
		{`ai: {detected: true}, content: {regex: x}`, false, false},
		{`content: {regex: x}`, false, false},
	}
	for _, tt := range tests {
		if want, ok := mustRule(t, tt.flow).AILines(); want != tt.want || ok != tt.ok {
			t.Errorf("{%s}.AILines() = %v, %v; want %v, %v", tt.flow, want, ok, tt.want, tt.ok)
		}
	}
}

// TestAILinesRuleTests: rule tests of lines rules run with the same
// no-line-data semantics as a push: an AI-marked example commit has only
// AI-written lines.
func TestAILinesRuleTests(t *testing.T) {
	src := `rules:
  - id: ai-eval
    severity: block
    message: m
    ai: {lines: true}
    content: {regex: '\beval\('}
    tests:
      match:
        - {line: "eval(x)", message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"}
      nomatch:
        - {line: "eval(x)", message: "fix cursor pagination"}
  - id: human-eval
    severity: warn
    message: m
    ai: {lines: false}
    content: {regex: '\beval\('}
    tests:
      match:
        - {line: "eval(x)", message: "fix cursor pagination"}
      nomatch:
        - {line: "eval(x)", message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"}
        - {line: "eval(x)", message: "x", author_name: "Cursor Agent", author_email: cursoragent@cursor.com}
`
	rs, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if fails := NewSet(rs).RunTestsWith(defaultDetector(t)); len(fails) != 0 {
		t.Errorf("RunTestsWith = %v", fails)
	}
}
