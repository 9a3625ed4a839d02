package policy

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/pushguard/pushguard/pkg/textsafe"
)

// CommandLine is the rule sources of a command line: the embedded defaults
// (unless noDefaults), then each path.
func CommandLine(paths []string, noDefaults bool) []Source {
	var srcs []Source
	if !noDefaults {
		srcs = append(srcs, Embedded())
	}
	for _, p := range paths {
		srcs = append(srcs, Path(p))
	}
	return srcs
}

// Check is `pushguard rules validate|test`: it loads the rule files of
// paths (only those when any are given, else the embedded defaults), and
// for test also runs every rule's own examples. It writes the outcome to
// out and load errors to errOut, and returns the exit code: 0 valid or all
// tests pass, 1 a test failed, 2 invalid rules.
func Check(ctx context.Context, test bool, paths []string, noDefaults bool, out, errOut io.Writer) int {
	pol, err := Load(ctx, CommandLine(paths, noDefaults || len(paths) > 0), Options{Eager: true})
	if err != nil {
		fmt.Fprintf(errOut, "pushguard: invalid rules:\n%s\n", Indent(err.Error()))
		return 2
	}
	if !test {
		fmt.Fprintf(out, "ok: %d rules, %d AI tools\n", len(pol.Rules.Rules), len(pol.AI.Tools()))
		return 0
	}
	set := pol.Rules
	failures := set.RunTestsWith(pol.AI)
	tests := 0
	for _, r := range set.Rules {
		m, n := r.TestCounts()
		tests += m + n
	}
	// One line per failure, "file:line: rule "id": ...", the example's own
	// position so that editors and CI annotate it.
	for _, f := range failures {
		want := "should match but did not"
		if !f.Want {
			want = "should not match but did"
		}
		fmt.Fprintf(out, "%s: rule %q: example %s: %q: %s\n", textsafe.Clean(f.Source, 0), f.Rule.ID, want, f.Example, textsafe.Clean(f.Reason, 300))
	}
	if len(failures) > 0 {
		fmt.Fprintf(out, "FAIL: %d of %d rule tests failed (%d rules)\n", len(failures), tests, len(set.Rules))
		return 1
	}
	fmt.Fprintf(out, "ok: %d rules, all %d tests pass\n", len(set.Rules), tests)
	return 0
}

// Indent cleans each line of a multi-line message (textsafe.Clean) and
// indents it by two spaces.
func Indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + textsafe.Clean(l, 0)
	}
	return strings.Join(lines, "\n")
}
