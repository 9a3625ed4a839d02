package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"os"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"

	"github.com/pushguard/pushguard/pkg/provenance"
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
	// version identifies the rules for the audit log: "embedded", or the
	// policy repository's commit ids.
	version string
}

// ruleSource is one loaded source of rules and AI-tool markers.
type ruleSource struct {
	rules   []*ruleset.Rule
	tools   []provenance.ToolSpec
	version string // set for policy repositories
}

// loadRules loads the embedded default rules (unless noDefaults) and then
// each path, a later rule (or AI-tool marker) replacing an earlier one with
// the same id.
func loadRules(paths []string, noDefaults bool) (*policy, error) {
	var srcs []func() (ruleSource, error)
	if !noDefaults {
		srcs = append(srcs, embeddedSource)
	}
	for _, p := range paths {
		srcs = append(srcs, func() (ruleSource, error) { return pathSource(p) })
	}
	return buildPolicy(srcs)
}

// buildPolicy loads every source, reporting all their errors together. The
// embedded AI-tool markers always come first: turning the default rules
// off must not blind provenance detection.
func buildPolicy(srcs []func() (ruleSource, error)) (*policy, error) {
	var (
		lists    [][]*ruleset.Rule
		specs    []provenance.ToolSpec
		versions []string
		errs     []error
	)
	tools, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		errs = append(errs, fmt.Errorf("embedded AI-tool markers: %w", err))
	}
	specs = append(specs, tools...)
	for _, load := range srcs {
		src, err := load()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lists = append(lists, src.rules)
		specs = append(specs, src.tools...)
		if src.version != "" {
			versions = append(versions, src.version)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	det, err := provenance.Compile(specs)
	if err != nil {
		return nil, fmt.Errorf("AI-tool markers: %w", err)
	}
	version := "embedded"
	if len(versions) > 0 {
		version = strings.Join(versions, ",")
	}
	set := ruleset.NewSet(lists...)
	if err := checkAITools(set, det); err != nil {
		return nil, err
	}
	return &policy{rules: set, ai: det, version: version}, nil
}

// embeddedSource is the default rules built into the binary (their AI-tool
// markers are loaded by buildPolicy in any case).
func embeddedSource() (ruleSource, error) {
	l, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		return ruleSource{}, fmt.Errorf("embedded rules: %w", err)
	}
	return ruleSource{rules: l}, nil
}

// pathSource reads a rule file or directory on disk.
func pathSource(p string) (ruleSource, error) {
	l, err := ruleset.LoadPath(p)
	if err != nil {
		return ruleSource{}, err
	}
	t, err := loadToolSpecs(p)
	if err != nil {
		return ruleSource{}, err
	}
	return ruleSource{rules: l, tools: t}, nil
}

// maxPolicyFile bounds one rule file read from a policy repository.
const maxPolicyFile = 4 << 20

// treeSource reads the rule files under dir in the tree of commit, straight
// from git objects: no checkout, no network. label names the files in
// error messages (repo@ref).
func treeSource(store *gitstore.Store, commit plumbing.Hash, dir, label string) (ruleSource, error) {
	c, err := store.Commit(commit)
	if err != nil {
		return ruleSource{}, fmt.Errorf("policy %s: read commit %s: %w", label, commit, err)
	}
	files, err := store.Changes(plumbing.ZeroHash, c.Tree)
	if err != nil {
		return ruleSource{}, fmt.Errorf("policy %s: list tree: %w", label, err)
	}
	prefix := strings.Trim(dir, "/") + "/"
	if prefix == "./" || prefix == "/" {
		prefix = ""
	}
	src := ruleSource{version: commit.String()}
	var errs []error
	found := 0
	for _, f := range files {
		base := path.Base(f.Path)
		if !strings.HasPrefix(f.Path, prefix) || strings.HasPrefix(base, ".") ||
			!(strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")) ||
			f.NewMode == filemode.Submodule || f.NewMode == filemode.Symlink {
			continue
		}
		found++
		data, truncated, err := store.ReadBlob(f.NewHash, maxPolicyFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("policy %s: read %s: %w", label, f.Path, err))
			continue
		}
		if truncated {
			errs = append(errs, fmt.Errorf("policy %s: %s is larger than %d bytes", label, f.Path, maxPolicyFile))
			continue
		}
		name := label + ":" + f.Path
		l, err := ruleset.ParseWith(name, data, treeReader(store, files, f.Path, label))
		if err != nil {
			errs = append(errs, err)
		}
		src.rules = append(src.rules, l...)
		t, err := provenance.ParseToolSpecs(name, data)
		if err != nil {
			errs = append(errs, err)
		}
		src.tools = append(src.tools, t...)
	}
	if found == 0 {
		errs = append(errs, fmt.Errorf("policy %s: no rule files (*.yml, *.yaml) under %q", label, dir))
	}
	if err := errors.Join(errs...); err != nil {
		return ruleSource{}, err
	}
	return src, nil
}

// errNoPolicyRef marks a policy repository whose ref does not exist.
var errNoPolicyRef = errors.New("the policy ref does not exist")

// repoSource reads the rules of a policy repository at its configured ref.
func repoSource(s config.Source) (ruleSource, error) {
	store, err := gitstore.Open(gitstore.Env{GitDir: s.Repo})
	if err != nil {
		return ruleSource{}, fmt.Errorf("policy repository %s: %w", s.Repo, err)
	}
	defer store.Close()
	h, err := store.Resolve(s.Ref)
	if err != nil {
		return ruleSource{}, fmt.Errorf("policy repository %s: ref %s: %w: %w", s.Repo, s.Ref, errNoPolicyRef, err)
	}
	target, typ, _, err := store.Peel(h)
	if err != nil || typ != plumbing.CommitObject {
		return ruleSource{}, fmt.Errorf("policy repository %s: ref %s does not point at a commit", s.Repo, s.Ref)
	}
	return treeSource(store, target, s.Dir, s.Repo+"@"+s.Ref)
}

// configSources turns the configured rule sources into loaders. self is
// the policy source being pushed to, if any: its ref may not exist yet
// (the first push creates it, and is validated on its own).
func configSources(sources []config.Source, self *config.Source) []func() (ruleSource, error) {
	var srcs []func() (ruleSource, error)
	for _, s := range sources {
		switch {
		case s.Embedded:
			srcs = append(srcs, embeddedSource)
		case s.Repo != "":
			srcs = append(srcs, func() (ruleSource, error) {
				rs, err := repoSource(s)
				if err != nil && self != nil && *self == s && errors.Is(err, errNoPolicyRef) {
					return ruleSource{}, nil
				}
				return rs, err
			})
		default:
			srcs = append(srcs, func() (ruleSource, error) { return pathSource(s.Path) })
		}
	}
	return srcs
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
	if len(args) > 0 && args[0] == "import-gitleaks" {
		return a.importGitleaks(args[1:]) // importgl.go
	}
	if len(args) == 0 || (args[0] != "validate" && args[0] != "test") {
		fmt.Fprint(a.stderr, "usage: pushguard rules validate|test [--no-default-rules] [PATH...]\n       pushguard rules import-gitleaks [flags] gitleaks.toml\n")
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
	failures := set.RunTestsWith(pol.ai)
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
