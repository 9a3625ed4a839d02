package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// policy is what rule files define: the rules and the AI-tool markers.
type policy struct {
	rules *ruleset.Set
	ai    *provenance.Detector
}

// loadRules loads the embedded default rules (unless noDefaults) and then
// each path, a later rule (or AI-tool marker) replacing an earlier one with
// the same id. The embedded AI-tool markers are always loaded: disabling the
// default rules must not blind provenance detection.
func loadRules(paths []string, noDefaults bool) (*policy, error) {
	var lists [][]*ruleset.Rule
	var specs []provenance.ToolSpec
	var errs []error
	tools, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		errs = append(errs, fmt.Errorf("embedded AI-tool markers: %w", err))
	}
	specs = append(specs, tools...)
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
		t, err := loadToolSpecs(p)
		if err != nil {
			errs = append(errs, err)
		}
		specs = append(specs, t...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	det, err := provenance.Compile(specs)
	if err != nil {
		return nil, fmt.Errorf("AI-tool markers: %w", err)
	}
	return &policy{rules: ruleset.NewSet(lists...), ai: det}, nil
}

// loadToolSpecs reads the ai_tools sections of a rule file or directory.
func loadToolSpecs(p string) ([]provenance.ToolSpec, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", p, err)
	}
	if st.IsDir() {
		return provenance.LoadFS(os.DirFS(p), ".")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", p, err)
	}
	return provenance.ParseToolSpecs(p, data)
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
	pol, err := loadRules(fs.Args(), *noDefaults || fs.NArg() > 0)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: invalid rules:\n%s\n", indent(err.Error()))
		return exitUsage
	}
	if verb == "validate" {
		fmt.Fprintf(a.stdout, "ok: %d rules, %d AI tools\n", len(pol.rules.Rules), len(pol.ai.Tools()))
		return exitOK
	}
	set := pol.rules
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
