package ruleset

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDocExamples keeps docs/rules.md honest: every ```yaml block of it that
// is a whole rule file must load and pass its own tests.
func TestDocExamples(t *testing.T) {
	data, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Skipf("docs not available: %v", err)
	}
	blocks := 0
	parts := strings.Split(string(data), "```yaml\n")
	for i, p := range parts[1:] {
		block, _, ok := strings.Cut(p, "```")
		if !ok {
			t.Fatalf("block %d: unterminated", i+1)
		}
		if !strings.HasPrefix(block, "rules:") {
			continue
		}
		blocks++
		name := fmt.Sprintf("docs/rules.md#yaml%d", i+1)
		rules, err := Parse(name, []byte(block))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, f := range NewSet(rules).RunTests() {
			t.Errorf("%s", f)
		}
	}
	if blocks < 5 {
		t.Errorf("found %d rule file examples in docs/rules.md; want at least 5", blocks)
	}
}
