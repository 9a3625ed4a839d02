package rules_test

import (
	"path/filepath"
	"testing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// TestDependencyPacks: the embedded new-dependency rule warns on every new
// dependency; the strict example replaces it with a block rule that reads
// the example allowlist next to it, and both pass their rule tests.
func TestDependencyPacks(t *testing.T) {
	defaults, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	embedded := ruleset.NewSet(defaults).Lookup("new-dependency")
	if embedded == nil || embedded.Severity != ruleset.SeverityWarn || !embedded.HasDependencies() {
		t.Fatalf("embedded new-dependency = %v, want a warn dependencies rule", embedded)
	}
	if !embedded.MatchDependency("npm", "react") {
		t.Error("the embedded rule allowlists react; its allowlist must be empty")
	}

	strict, err := ruleset.LoadPath(filepath.Join("examples", "strict-dependencies.yml"))
	if err != nil {
		t.Fatal(err)
	}
	set := ruleset.NewSet(defaults, strict)
	r := set.Lookup("new-dependency")
	if r == nil || r.Severity != ruleset.SeverityBlock {
		t.Fatalf("with the strict example, new-dependency = %v, want severity block", r)
	}
	for _, tt := range []struct {
		eco, name string
		want      bool
	}{
		{"pypi", "Requests", false}, {"npm", "@types/node", false}, {"pypi", "reqeusts", true}, {"rubygems", "railz", true},
	} {
		if got := r.MatchDependency(tt.eco, tt.name); got != tt.want {
			t.Errorf("strict MatchDependency(%s, %s) = %t, want %t", tt.eco, tt.name, got, tt.want)
		}
	}
	if m, n := r.TestCounts(); m < 1 || n < 1 {
		t.Errorf("strict rule has %d match and %d nomatch tests", m, n)
	}
	for _, f := range set.RunTests() {
		if f.Rule.ID == "new-dependency" {
			t.Error(f)
		}
	}

	// The examples directory loads as a whole: the allowlist file in it is
	// validated, not taken for a rule file.
	if _, err := ruleset.LoadPath("examples"); err != nil {
		t.Errorf("load rules/examples: %v", err)
	}
}
