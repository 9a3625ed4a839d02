package baseline

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
)

func TestParseIgnoreErrors(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		want       []string // each in the error
	}{
		{"no paths nor commits", "ignore:\n  - rules: [x]\n    reason: a long enough reason\n", []string{"f.yml:2: ignore[0]: paths or commits: required"}},
		{"no rules", "ignore:\n  - paths: [a]\n    reason: a long enough reason\n", []string{"f.yml:2: ignore[0]: rules: required"}},
		{"short reason", "ignore:\n  - paths: [a]\n    rules: [x]\n    reason: short\n", []string{"reason: required, at least 10"}},
		{"bad glob", "ignore:\n  - paths: [\"a[\"]\n    rules: [x]\n    reason: a long enough reason\n", []string{`"a[" is not a valid glob`}},
		{"short commit", "ignore:\n  - commits: [abc]\n    rules: [x]\n    reason: a long enough reason\n", []string{"not a full commit id"}},
		{"unknown entry key", "ignore:\n  - paths: [a]\n    rule: [x]\n    reason: a long enough reason\n", []string{"f.yml:3: unknown key \"rule\""}},
		{"unknown top key", "ignores: []\n", []string{"f.yml:1: unknown key \"ignores\""}},
		{"every problem", "ignore:\n  - paths: [a]\n  - rules: [x]\n", []string{"f.yml:2: ignore[0]: rules", "f.yml:3: ignore[1]: paths or commits"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIgnore("f.yml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestIgnoreFilter(t *testing.T) {
	ig, err := ParseIgnore("f.yml", []byte(`ignore:
  - paths: ["rules/*.yml"]
    rules: ["*"]
    reason: examples inside the rules
  - paths: ["**/*_test.go"]
    rules: ["tag:secret"]
    reason: fake keys fed to detectors
  - commits: [0123456789abcdef0123456789abcdef01234567]
    rules: [tok]
    reason: a fake token quoted in a message
`))
	if err != nil {
		t.Fatal(err)
	}
	secret := &ruleset.Rule{ID: "aws", Tags: []string{"secret"}}
	risky := &ruleset.Rule{ID: "eval"}
	tok := &ruleset.Rule{ID: "tok", Tags: []string{"secret"}}
	listed := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	other := plumbing.NewHash("1111111111111111111111111111111111111111")
	for _, tt := range []struct {
		name    string
		f       scan.Finding
		ignored bool
	}{
		{"any rule in a rule file", scan.Finding{Rule: risky, Path: "rules/x.yml"}, true},
		{"not in a subdirectory of rules", scan.Finding{Rule: risky, Path: "rules/sub/x.yml"}, false},
		{"secret in a test", scan.Finding{Rule: secret, Path: "pkg/a/a_test.go"}, true},
		{"secret in a root test", scan.Finding{Rule: secret, Path: "a_test.go"}, true},
		{"other rule in a test", scan.Finding{Rule: risky, Path: "pkg/a/a_test.go"}, false},
		{"secret in code", scan.Finding{Rule: secret, Path: "pkg/a/a.go"}, false},
		{"message of the listed commit", scan.Finding{Rule: tok, Commit: listed, Field: scan.FieldMessage}, true},
		{"message of another commit", scan.Finding{Rule: tok, Commit: other, Field: scan.FieldMessage}, false},
		{"another rule on the listed commit", scan.Finding{Rule: secret, Commit: listed, Field: scan.FieldMessage}, false},
		{"metadata matches no path", scan.Finding{Rule: secret, Commit: other, Field: scan.FieldAuthorName}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kept, n := ig.Filter([]scan.Finding{tt.f})
			if got := n == 1; got != tt.ignored || len(kept) == n {
				t.Errorf("ignored = %v (kept %d), want %v", got, len(kept), tt.ignored)
			}
		})
	}
	var none *Ignore
	if kept, n := none.Filter([]scan.Finding{{Rule: risky, Path: "rules/x.yml"}}); n != 0 || len(kept) != 1 {
		t.Error("a nil Ignore dropped a finding")
	}
}
