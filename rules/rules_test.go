package rules_test

import (
	"testing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// TestEmbeddedRules loads the embedded rule packs and checks that each rule
// has tests both ways and passes them.
func TestEmbeddedRules(t *testing.T) {
	rs, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatalf("load embedded rules: %v", err)
	}
	if len(rs) == 0 {
		t.Fatal("no embedded rules")
	}
	set := ruleset.NewSet(rs)
	for _, r := range set.Rules {
		match, nomatch := r.TestCounts()
		if match < 1 || nomatch < 1 {
			t.Errorf("%s: rule %q has %d match and %d nomatch tests; want at least 1 of each", r.Source, r.ID, match, nomatch)
		}
		if r.Help == "" || r.Message == "" {
			t.Errorf("%s: rule %q needs a message and help", r.Source, r.ID)
		}
	}
	for _, f := range set.RunTestsWith(markers(t)) {
		t.Error(f)
	}
}
