package scan

import (
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
// suppression logic.
func testEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	rules, err := ruleset.Parse("t.yml", []byte(`rules:
  - {id: secret, severity: block, message: m, content: {regex: 'tok_[a-z0-9]+'}}
  - {id: strict, severity: block, message: m, suppressible: false, content: {regex: 'STRICT'}}
`))
	if err != nil {
		t.Fatal(err)
	}
	return &Engine{rules: ruleset.NewSet(rules), opts: opts, allowRule: newAllowRule()}
}

func TestSuppress(t *testing.T) {
	e := testEngine(t, Options{})
	secret, strict := e.rules.Lookup("secret"), e.rules.Lookup("strict")
	file := strings.Join([]string{
		`a = tok_one // pushguard:allow secret -- test fixture`, // 1: same line
		`// pushguard:allow secret -- rotated key, see INC-1`,   // 2: alone, covers 3
		`b = tok_two`, // 3
		`c = tok_three // pushguard:allow secret`,        // 4: no reason
		`d = STRICT // pushguard:allow strict -- please`, // 5: not suppressible
		`x = 1 // pushguard:allow secret -- not alone`,   // 6: does not cover 7
		`e = tok_four`, // 7
		`f = tok_five // pushguard:allow other -- wrong rule`, // 8
	}, "\n") + "\n"
	matches := []lineMatch{
		{rule: secret, line: 1}, {rule: secret, line: 3}, {rule: secret, line: 4},
		{rule: strict, line: 5}, {rule: secret, line: 7}, {rule: secret, line: 8},
	}
	e.suppress(matches, []byte(file))
	type out struct {
		Line       int
		Suppressed bool
		Reason     string
	}
	var got []out
	for _, m := range matches {
		got = append(got, out{m.line, m.suppressed, m.reason})
	}
	want := []out{
		{1, true, "test fixture"}, {3, true, "rotated key, see INC-1"}, {4, false, ""},
		{5, false, ""}, {7, false, ""}, {8, false, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suppression (-want +got):\n%s", diff)
	}
}

func TestCheckDirectives(t *testing.T) {
	e := testEngine(t, Options{})
	tests := []struct {
		line string
		want string // detail; "" = no finding
	}{
		{`a // pushguard:allow secret -- fixture`, ""},
		{`a // pushguard:allow secret`, "suppression without reason: write `pushguard:allow RULE-ID -- <why this is safe>`"},
		{`a // pushguard:allow nope -- reason`, `unknown rule "nope"`},
		{`a // pushguard:allow strict -- reason`, `rule "strict" cannot be suppressed inline (suppressible: false)`},
		{`a // pushguard:allow -- reason`, "it names no rule"},
		{`a = "pushguard:allow secret"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got := e.checkDirectives(diff.Line{No: 7, Text: []byte(tt.line)})
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
