package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// loadRules loads the embedded default rules (unless noDefaults) and then
// each path, a later rule replacing an earlier one with the same id.
func loadRules(paths []string, noDefaults bool) (*ruleset.Set, error) {
	var lists [][]*ruleset.Rule
	var errs []error
	if !noDefaults {
		l, err := ruleset.LoadFS(rules.FS, ".")
		if err != nil {
			errs = append(errs, fmt.Errorf("embedded rules: %w", err))
		}
		lists = append(lists, l)
	}
	for _, p := range paths {
		l, err := ruleset.LoadPath(p)
		if err != nil {
			errs = append(errs, err)
		}
		lists = append(lists, l)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ruleset.NewSet(lists...), nil
}

// rules implements "pushguard rules validate|test [PATH...]".
func (a *app) rules(args []string) int {
	if len(args) == 0 || (args[0] != "validate" && args[0] != "test") {
		fmt.Fprint(a.stderr, "usage: pushguard rules validate|test [--no-default-rules] [PATH...]\n")
		return exitUsage
	}
	verb := args[0]
	fs := flag.NewFlagSet("rules "+verb, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	noDefaults := fs.Bool("no-default-rules", false, "do not load the embedded default rules")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	// With explicit paths, only those are checked.
	set, err := loadRules(fs.Args(), *noDefaults || fs.NArg() > 0)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: invalid rules:\n%s\n", indent(err.Error()))
		return exitUsage
	}
	if verb == "validate" {
		fmt.Fprintf(a.stdout, "ok: %d rules\n", len(set.Rules))
		return exitOK
	}
	failures := set.RunTests()
	for _, f := range failures {
		want := "should match but did not"
		if !f.Want {
			want = "should not match but did"
		}
		fmt.Fprintf(a.stdout, "%s: rule %q: example %s: %q\n", f.Source, f.Rule.ID, want, f.Example)
	}
	if len(failures) > 0 {
		fmt.Fprintf(a.stdout, "FAIL: %d rule test(s) failed in %d rules\n", len(failures), len(set.Rules))
		return exitRejected
	}
	fmt.Fprintf(a.stdout, "ok: %d rules, all tests pass\n", len(set.Rules))
	return exitOK
}

// indent cleans each line of a multi-line message and indents it.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + report.Clean(l, 0)
	}
	return strings.Join(lines, "\n")
}
