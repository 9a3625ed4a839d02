package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/pushguard/pushguard/pkg/policy"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

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
	return policy.Check(context.Background(), verb == "test", fs.Args(), *noDefaults, a.stdout, a.stderr)
}
