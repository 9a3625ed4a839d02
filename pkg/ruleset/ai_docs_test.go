package ruleset

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestAIDocExamples keeps the "AI provenance conditions" section of
// docs/rules.md honest: every ```yaml rule file in it (they start with a
// comment naming their source, so TestDocExamples, which runs without the
// AI-tool markers, leaves them alone) must load and pass its tests with the
// embedded markers.
func TestAIDocExamples(t *testing.T) {
	data, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Skipf("docs not available: %v", err)
	}
	doc := string(data)
	start := strings.Index(doc, "## AI provenance conditions\n")
	if start < 0 {
		t.Fatal("docs/rules.md has no AI provenance conditions section")
	}
	section := doc[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	det := defaultDetector(t)
	blocks := 0
	for i, p := range strings.Split(section, "```yaml\n")[1:] {
		block, _, ok := strings.Cut(p, "```")
		if !ok {
			t.Fatalf("block %d: unterminated", i+1)
		}
		if !strings.Contains(block, "\nrules:\n") {
			continue
		}
		blocks++
		name := fmt.Sprintf("docs/rules.md#ai-yaml%d", i+1)
		rules, err := Parse(name, []byte(block))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, r := range rules {
			if m, n := r.TestCounts(); m < 1 || n < 1 {
				t.Errorf("%s: rule %q lacks match or nomatch examples", name, r.ID)
			}
		}
		for _, f := range NewSet(rules).RunTestsWith(det) {
			t.Errorf("%s", f)
		}
	}
	if blocks < 3 {
		t.Errorf("found %d AI rule file examples; want at least 3", blocks)
	}
}
