package scan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

func TestParseDirective(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
		want directive
	}{
		{`key = "x" // pushguard:allow secret -- test fixture`, true, directive{ids: []string{"secret"}, reason: "test fixture", col: 14}},
		{`# pushguard:allow a,b c -- known, rotated`, true, directive{ids: []string{"a", "b", "c"}, reason: "known, rotated", alone: true, col: 3}},
		{`  /* pushguard:allow secret -- ok */`, true, directive{ids: []string{"secret"}, reason: "ok", alone: true, col: 6}},
		{`<!-- pushguard:allow r -- docs example -->`, true, directive{ids: []string{"r"}, reason: "docs example", alone: true, col: 6}},
		{`-- pushguard:allow r -- sql fixture`, true, directive{ids: []string{"r"}, reason: "sql fixture", alone: true, col: 4}},
		{`x // pushguard:allow secret`, true, directive{ids: []string{"secret"}, col: 6}},
		{`x // pushguard:allow secret --   `, true, directive{ids: []string{"secret"}, col: 6}},
		{`/* pushguard:allow secret */`, true, directive{ids: []string{"secret"}, alone: true, col: 4}},
		{`// pushguard:allow -- no id`, true, directive{ids: []string{}, reason: "no id", alone: true, col: 4}},
		{`msg = "pushguard:allow secret -- not a comment"`, false, directive{}},
		{`// pushguard:allowed secret -- other word`, false, directive{}},
		{`nothing here`, false, directive{}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, ok := parseDirective([]byte(tt.line))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(directive{})); ok && diff != "" {
				t.Errorf("directive (-want +got):\n%s", diff)
			}
		})
	}
}

// testEngine returns an engine with rules but no store: enough for the
// suppression logic. "token" is a plain rule, "aws" a secret rule, "strict"
// a rule no directive may suppress.
func testEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	return New(nil, parseRules(t, `rules:
  - {id: token, severity: block, message: m, content: {regex: 'tok_[a-z0-9]+'}}
  - {id: strict, severity: block, message: m, suppressible: false, content: {regex: 'STRICT'}}
  - {id: aws, severity: block, message: m, tags: [secret, aws], content: {regex: 'AKIA[A-Z2-7]{16}'}}
`), opts)
}

// suppressed runs matching, directive checks and suppression over the
// lines of file that added marks (1-based; nil: every line), as examine
// does, and returns "line rule [suppressed: reason]" per match.
func suppressed(e *Engine, file string, added []int) []string {
	lines := strings.Split(strings.TrimSuffix(file, "\n"), "\n")
	isAdded := map[int]bool{}
	for _, n := range added {
		isAdded[n] = true
	}
	var matches []lineMatch
	directives := map[int]directive{}
	for i, text := range lines {
		l := diff.Line{No: i + 1, Text: []byte(text)}
		if added != nil && !isAdded[l.No] {
			continue
		}
		e.matcher.MatchLine(l.Text, l.No, nil, func(m ruleset.LineMatch) {
			matches = append(matches, lineMatch{rule: m.Rule, line: l.No})
		})
		if d, ok := e.directiveIn(l); ok {
			directives[l.No] = d
			matches = append(matches, e.checkDirective(d, l)...)
		}
	}
	e.suppress(matches, directives)
	var out []string
	for _, m := range matches {
		s := fmt.Sprintf("%d %s", m.line, m.rule.ID)
		if m.suppressed {
			s += " suppressed: " + m.reason
		}
		out = append(out, s)
	}
	return out
}

func TestSuppress(t *testing.T) {
	const fixture = "test fixture, never issued"
	tests := []struct {
		name  string
		opts  Options
		file  string
		added []int // nil: all
		want  []string
	}{
		{"same line", Options{}, "a = tok_one // pushguard:allow token -- " + fixture + "\n", nil,
			[]string{"1 token suppressed: " + fixture}},
		{"alone on the line above", Options{}, "// pushguard:allow token -- rotated key, see INC-1\nb = tok_two\n", nil,
			[]string{"2 token suppressed: rotated key, see INC-1"}},
		{"not alone: covers its own line only", Options{}, "x = 1 // pushguard:allow token -- " + fixture + "\ne = tok_four\n", nil,
			[]string{"2 token"}},
		{"wrong rule", Options{}, "f = tok_five // pushguard:allow other -- " + fixture + "\n", nil,
			[]string{"1 token", "1 pushguard-inline-allow"}},
		{"existing directive does not cover a new line below it", Options{}, "// pushguard:allow token -- " + fixture + "\nb = tok_two\n", []int{2},
			[]string{"2 token"}},
		{"directive two lines above does not cover", Options{}, "// pushguard:allow token -- " + fixture + "\n\nb = tok_two\n", nil,
			[]string{"3 token"}},
		{"no reason", Options{}, "c = tok_three // pushguard:allow token\n", nil,
			[]string{"1 token", "1 pushguard-inline-allow"}},
		{"short reason", Options{}, "c = tok_three // pushguard:allow token -- fixture\n", nil,
			[]string{"1 token", "1 pushguard-inline-allow"}},
		{"zero-width reason", Options{}, "c = tok_three // pushguard:allow token -- \u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\n", nil,
			[]string{"1 token", "1 pushguard-inline-allow"}},
		{"control and filler reason", Options{}, "c = tok_three // pushguard:allow token -- \x01\x02\x03\u3164\u3164\u2800\u2800\u00a0\u00a0\u2060\ufeffab\n", nil,
			[]string{"1 token", "1 pushguard-inline-allow"}},
		{"lower minimum from the config", Options{MinReasonLength: 3}, "c = tok_three // pushguard:allow token -- fixture\n", nil,
			[]string{"1 token suppressed: fixture"}},
		{"suppressible: false", Options{}, "d = STRICT // pushguard:allow strict -- " + fixture + "\n", nil,
			[]string{"1 strict", "1 pushguard-inline-allow"}},
		{"secret rule by default", Options{}, "k = AKIAZ7VRSQ5TLXKE4N2P // pushguard:allow aws -- " + fixture + "\n", nil,
			[]string{"1 aws", "1 pushguard-inline-allow"}},
		{"secret rule the config allows by id", Options{Suppressible: SuppressibleSecrets([]string{"aws"})}, "k = AKIAZ7VRSQ5TLXKE4N2P // pushguard:allow aws -- " + fixture + "\n", nil,
			[]string{"1 aws suppressed: " + fixture}},
		{"secret rule the config allows by tag", Options{Suppressible: SuppressibleSecrets([]string{"tag:aws"})}, "k = AKIAZ7VRSQ5TLXKE4N2P // pushguard:allow aws -- " + fixture + "\n", nil,
			[]string{"1 aws suppressed: " + fixture}},
		{"config allowing secrets keeps suppressible: false", Options{Suppressible: SuppressibleSecrets([]string{"strict", "tag:secret"})}, "d = STRICT // pushguard:allow strict -- " + fixture + "\n", nil,
			[]string{"1 strict", "1 pushguard-inline-allow"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := suppressed(testEngine(t, tc.opts), tc.file, tc.added)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckDirective(t *testing.T) {
	e := testEngine(t, Options{})
	tests := []struct {
		line string
		want string // detail; "" = no finding
	}{
		{`a // pushguard:allow token -- test fixture`, ""},
		{`a // pushguard:allow token`, "suppression without reason: write `pushguard:allow RULE-ID -- <why this is safe>`"},
		{`a // pushguard:allow token -- ok`, "the reason has 2 visible characters; at least 10 are needed"},
		{"a // pushguard:allow token -- \u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200bxy", "the reason has 2 visible characters; at least 10 are needed"},
		{`a // pushguard:allow nope -- reason given`, `unknown rule "nope"`},
		{`a // pushguard:allow strict -- reason given`, `rule "strict" cannot be suppressed inline (suppressible: false)`},
		{`a // pushguard:allow aws -- reason given`, `rule "aws" is a secret rule: it cannot be suppressed inline unless the server configuration allows it (inline_suppression.secret_rules)`},
		{`a // pushguard:allow -- reason given`, "it names no rule"},
		{`a = "pushguard:allow token"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			l := diff.Line{No: 7, Text: []byte(tt.line)}
			var got []lineMatch
			if d, ok := e.directiveIn(l); ok {
				got = e.checkDirective(d, l)
			}
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("got finding %q, want none", got[0].detail)
			case tt.want != "" && (len(got) != 1 || got[0].detail != tt.want):
				t.Errorf("got %+v, want one finding %q", got, tt.want)
			case tt.want != "" && (got[0].rule.ID != AllowRuleID || got[0].rule.Severity != ruleset.SeverityWarn || got[0].line != 7):
				t.Errorf("finding %+v: want a warning of %s at line 7", got[0], AllowRuleID)
			}
		})
	}
}

func TestVisibleLength(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"test fixture", 11},
		{"\u200b\u200c\u200d\u2060\ufeff", 0},
		{"\x00\x01\x1b[31m", 4}, // ESC is not counted, "[31m" is
		{"\u3164\u115f\u2800\u00a0\u3000\t", 0},
		{"e\u0301\u0301\u0301", 1},
		{"\xff\xfe", 0},
		{"\u202eabc", 3},
		{"日本語の理由", 6},
	}
	for _, tt := range tests {
		if got := VisibleLength(tt.s); got != tt.want {
			t.Errorf("VisibleLength(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestRunDirectiveFromAnEarlierCommit: through the engine, a directive an
// earlier commit added covers that commit's line, never a line a later
// commit inserts below it.
func TestRunDirectiveFromAnEarlierCommit(t *testing.T) {
	r := newTestRepo(t)
	r.commit("fixture", map[string]string{"a.py": "# pushguard:allow token -- reviewed fixture, never issued\nF = 'tok_fixture1'\n"})
	tip := r.commit("new key", map[string]string{"a.py": "# pushguard:allow token -- reviewed fixture, never issued\nN = 'tok_newkey22'\nF = 'tok_fixture1'\n"})
	e := testEngine(t, Options{})
	e.store = r.store()
	res := runAll(t, e, Tip{"refs/heads/main", tip})
	want := []string{"token line a.py:2 suppressed", "token line a.py:2"}
	if diff := cmp.Diff(want, findingKeys(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
