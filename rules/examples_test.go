package rules_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// markers compiles the embedded AI-tool markers.
func markers(t testing.TB) *provenance.Detector {
	t.Helper()
	specs, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatalf("load embedded AI-tool markers: %v", err)
	}
	det, err := provenance.Compile(specs)
	if err != nil {
		t.Fatalf("compile AI-tool markers: %v", err)
	}
	return det
}

// TestAIExamples loads each AI-policy example rule file and runs its rule
// tests with the embedded AI-tool markers: each rule needs tests both ways
// and help.
func TestAIExamples(t *testing.T) {
	det := markers(t)
	for _, name := range []string{"ai-written-code.yml", "disclose-and-review.yml", "forbid-ai.yml", "kernel-style.yml"} {
		t.Run(name, func(t *testing.T) {
			rs, err := ruleset.LoadPath(filepath.Join("examples", name))
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) == 0 {
				t.Fatal("no rules")
			}
			for _, r := range rs {
				if m, n := r.TestCounts(); m < 1 || n < 1 {
					t.Errorf("%s: rule %q has %d match and %d nomatch tests; want at least 1 of each", r.Source, r.ID, m, n)
				}
				if r.Help == "" || !r.HasAI() {
					t.Errorf("%s: rule %q needs help and an ai or require condition", r.Source, r.ID)
				}
			}
			for _, fail := range ruleset.NewSet(rs).RunTestsWith(det) {
				t.Error(fail)
			}
		})
	}
}

// TestExamplesNotEmbedded: the examples are opt-in, never defaults.
func TestExamplesNotEmbedded(t *testing.T) {
	err := fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(p, "examples") {
			t.Errorf("%s is embedded", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("ai-provenance.yml"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(rules.FS, "ai-provenance.yml"); err != nil {
		t.Errorf("ai-provenance.yml is not embedded: %v", err)
	}
}
