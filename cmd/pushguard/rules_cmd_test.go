package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesCommand checks the output and exit codes of `pushguard rules
// test|validate`: failures name the example's file:line and the rule,
// validate never runs tests, 0 ok, 1 test failure, 2 invalid rules.
func TestRulesCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yml", `rules:
  - id: tok
    severity: block
    message: m
    content: {regex: 'tok_[a-z]{4}', keywords: [tok_]}
    tests:
      match: ["x = tok_abcd"]
      nomatch: ["x = tok_AB"]
`)
	failing := write("failing.yml", `rules:
  - id: tok
    severity: block
    message: m
    content: {regex: 'tok_[a-z]{4}', keywords: [tok_]}
    tests:
      match:
        - "x = tok_abcd"
        - "x = TOK_ab"
      nomatch: ["y = tok_wxyz"]
`)
	hidden := write("hidden.yml", `rules:
  - id: bidi
    severity: block
    message: m
    content: {unicode: [bidi]}
    tests:
      match: ["ok"]
      nomatch: ["a\u202eb"]
`)
	invalid := write("invalid.yml", `rules:
  - id: tok
    severity: blocker
    message: m
    content: {regex: '('}
`)
	tests := []struct {
		name        string
		args        []string
		code        int
		stdout      []string
		stderr      []string
		notInOutput []string
	}{
		{"test ok", []string{"rules", "test", good}, exitOK, []string{"ok: 1 rules, all 2 tests pass"}, nil, nil},
		{"test failures", []string{"rules", "test", failing}, exitRejected, []string{
			failing + `:9: rule "tok": example should match but did not: "x = TOK_ab": the regex does not match`,
			failing + `:10: rule "tok": example should not match but did: "y = tok_wxyz": the rule matches "tok_wxyz"`,
			"FAIL: 2 of 3 rule tests failed (1 rules)",
		}, nil, nil},
		{"hidden characters are escaped", []string{"rules", "test", hidden}, exitRejected, []string{
			hidden + `:7: rule "bidi": example should match but did not: "ok"`,
			hidden + `:8: rule "bidi": example should not match but did: "a\u202eb": the rule matches U+202E RIGHT-TO-LEFT OVERRIDE at column 2`,
		}, nil, []string{"\u202e"}},
		{"validate does not run tests", []string{"rules", "validate", failing}, exitOK, []string{"ok: 1 rules"}, nil, []string{"FAIL"}},
		{"test invalid", []string{"rules", "test", invalid}, exitUsage, nil, []string{
			invalid + `:3: rule "tok": severity: invalid severity "blocker"`,
			invalid + `:5: rule "tok": content.regex: invalid regex`,
		}, nil},
		{"validate invalid", []string{"rules", "validate", invalid}, exitUsage, nil, []string{invalid + ":3:"}, nil},
		{"missing path", []string{"rules", "validate", filepath.Join(dir, "nope.yml")}, exitUsage, nil, []string{"nope.yml"}, nil},
		{"usage", []string{"rules"}, exitUsage, nil, []string{"usage: pushguard rules validate|test"}, nil},
		{"embedded defaults pass", []string{"rules", "validate"}, exitOK, []string{"ok: "}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(append([]string{"pushguard"}, tt.args...), strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			for _, w := range tt.notInOutput {
				if strings.Contains(stdout.String()+stderr.String(), w) {
					t.Errorf("output contains %q:\n%s%s", w, stdout.String(), stderr.String())
				}
			}
		})
	}
}
