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

// TestExamples loads every example rule file, alone and on top of the
// embedded defaults, and runs its rule tests: each rule needs tests both
// ways, a message and help.
func TestExamples(t *testing.T) {
	det := markers(t)
	defaults, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("examples", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"disclose-and-review.yml", "forbid-ai.yml", "kernel-style.yml"}
	for _, w := range want {
		if !contains(files, filepath.Join("examples", w)) {
			t.Errorf("examples/%s is missing", w)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			rs, err := ruleset.LoadPath(f)
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
				if r.Help == "" {
					t.Errorf("%s: rule %q needs help", r.Source, r.ID)
				}
			}
			for _, fail := range ruleset.NewSet(rs).RunTestsWith(det) {
				t.Error(fail)
			}
			// Loaded on top of the defaults, as the hook does.
			for _, fail := range ruleset.NewSet(defaults, rs).RunTestsWith(det) {
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

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
