package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/pushguard/pushguard/pkg/policy"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// cliSources are the rule sources of a command line: the embedded defaults
// (unless noDefaults), then each path.
func cliSources(paths []string, noDefaults bool) []policy.Source {
	var srcs []policy.Source
	if !noDefaults {
		srcs = append(srcs, policy.Embedded())
	}
	for _, p := range paths {
		srcs = append(srcs, policy.Path(p))
	}
	return srcs
}

const rulesUsage = `usage: pushguard rules validate|test [--no-default-rules] [PATH...]
       pushguard rules import-gitleaks [flags] gitleaks.toml

  validate   load the rule files and report every error with file:line and rule id
  test       run the examples written inside the rules (tests: match/nomatch)
  import-gitleaks  convert a gitleaks configuration into pushguard rules

Without PATH the embedded default rules are used; with PATHs only those.
Run "pushguard rules validate -h" or "pushguard rules test -h" for the flags.
`

const rulesValidateUsage = `usage: pushguard rules validate [--no-default-rules] [PATH...]

Loads rule files (or directories of them) and reports every error as
file:line: rule "id": key: message. Exit 0 valid, 2 invalid.
`

const rulesTestUsage = `usage: pushguard rules test [--no-default-rules] [PATH...]

Runs the examples written inside each rule (tests: match / nomatch) and
prints one file:line line per failing example. Exit 0 all pass, 1 a test
failed, 2 invalid rules.
`

// rules implements "pushguard rules validate|test [PATH...]": pkg/policy
// loads, this prints.
func (a *app) rules(args []string) int {
	if len(args) > 0 && isHelpArg(args[0]) {
		fmt.Fprint(a.stdout, rulesUsage)
		return exitOK
	}
	if len(args) > 0 && args[0] == "import-gitleaks" {
		return a.importGitleaks(args[1:]) // importgl.go
	}
	if len(args) == 0 || (args[0] != "validate" && args[0] != "test") {
		fmt.Fprint(a.stderr, rulesUsage)
		return exitUsage
	}
	verb := args[0]
	fs := flag.NewFlagSet("rules "+verb, flag.ContinueOnError)
	noDefaults := fs.Bool("no-default-rules", false, "do not load the embedded default rules")
	head := rulesValidateUsage
	if verb == "test" {
		head = rulesTestUsage
	}
	if code, ok := a.parseFlags(fs, head, args[1:]); !ok {
		return code
	}
	// With explicit paths, only those are checked.
	pol, err := policy.Load(context.Background(), cliSources(fs.Args(), *noDefaults || fs.NArg() > 0), policy.Options{})
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: invalid rules:\n%s\n", indent(err.Error()))
		return exitUsage
	}
	if verb == "validate" {
		fmt.Fprintf(a.stdout, "ok: %d rules, %d AI tools\n", len(pol.Rules.Rules), len(pol.AI.Tools()))
		return exitOK
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
		fmt.Fprintf(a.stdout, "%s: rule %q: example %s: %q: %s\n", textsafe.Clean(f.Source, 0), f.Rule.ID, want, f.Example, textsafe.Clean(f.Reason, 300))
	}
	if len(failures) > 0 {
		fmt.Fprintf(a.stdout, "FAIL: %d of %d rule tests failed (%d rules)\n", len(failures), tests, len(set.Rules))
		return exitRejected
	}
	fmt.Fprintf(a.stdout, "ok: %d rules, all %d tests pass\n", len(set.Rules), tests)
	return exitOK
}

// indent cleans each line of a multi-line message and indents it.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + textsafe.Clean(l, 0)
	}
	return strings.Join(lines, "\n")
}
