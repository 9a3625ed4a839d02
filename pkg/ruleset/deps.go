package ruleset

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/deps"
)

// DependenciesSpec is the dependencies condition: the rule fires once for
// every dependency a commit adds to a manifest (go.mod, package.json,
// requirements*.txt, pyproject.toml, Cargo.toml, Gemfile) that no parent
// version of the manifest declared, unless the dependency is allowlisted.
// It cannot be combined with content; paths, refs, commit and ai narrow it
// as usual.
type DependenciesSpec struct {
	// New must be true: the condition is about dependencies a commit adds.
	New bool `yaml:"new"`
	// Ecosystems limits the rule to some of go, npm, pypi, cargo, rubygems
	// (default all).
	Ecosystems []string `yaml:"ecosystems"`
	// Allowlist is a YAML file of allowed names per ecosystem (the form of
	// DependencyAllowSpec), relative to the rule file's directory.
	Allowlist string `yaml:"allowlist"`
	// Allow lists allowed names inline, in the same form.
	Allow *DependencyAllowSpec `yaml:"allow"`
}

// DependencyAllowSpec lists allowed dependency names per ecosystem, as
// doublestar globs ("@types/*", "github.com/org/**"). Names compare in
// their canonical form (see deps.Canonical): PyPI names and patterns are
// PEP 503 normalized, crate names lower-cased with '_' as '-'.
type DependencyAllowSpec struct {
	Go       []string `yaml:"go"`
	Npm      []string `yaml:"npm"`
	PyPI     []string `yaml:"pypi"`
	Cargo    []string `yaml:"cargo"`
	RubyGems []string `yaml:"rubygems"`
}

// depCond is a compiled DependenciesSpec.
type depCond struct {
	ecosystems []string            // nil: all
	allow      map[string][]string // ecosystem → canonical glob patterns
}

// depExample is the manifest change of a dependency rule's example.
type depExample struct {
	dep      string // "ecosystem:name" of a plain example, else ""
	path     string
	old, new []byte // old nil: the file is added
}

// HasDependencies reports whether the rule has a dependencies condition.
func (r *Rule) HasDependencies() bool { return r.deps != nil }

// MatchDependency reports whether a new dependency fires the rule: the rule
// has a dependencies condition that covers the ecosystem, and the name is
// not allowlisted. The other conditions (paths, refs, commit) are the
// caller's to check.
func (r *Rule) MatchDependency(ecosystem, name string) bool {
	return r.matchDependency(ecosystem, name, nil)
}

func (r *Rule) matchDependency(ecosystem, name string, why *string) bool {
	c := r.deps
	if c == nil {
		explain(why, "the rule has no dependencies condition")
		return false
	}
	if c.ecosystems != nil && !slices.Contains(c.ecosystems, ecosystem) {
		explain(why, "ecosystem %s is not in dependencies.ecosystems", ecosystem)
		return false
	}
	canon := deps.Canonical(ecosystem, name)
	for _, p := range c.allow[ecosystem] {
		if ok, _ := doublestar.Match(p, canon); ok {
			explain(why, "%s:%s is allowlisted by %s", ecosystem, yamlmsg.Quote(name), yamlmsg.Quote(p))
			return false
		}
	}
	explain(why, "new dependency %s:%s is not allowlisted", ecosystem, name)
	return true
}

// compileDeps validates and compiles a DependenciesSpec.
func (d *decoder) compileDeps(s *DependenciesSpec, spec *RuleSpec, rule *yaml.Node) *depCond {
	if s == nil || d.bad[s] {
		return nil
	}
	n := d.at(s, rule)
	out := &depCond{allow: map[string][]string{}}
	switch {
	case !d.has(&s.New):
		d.errorf(n, "dependencies", `missing required key "new" (new: true fires on dependencies a commit adds)`)
	case d.ok(&s.New) && !s.New:
		d.errorf(d.at(&s.New, n), "dependencies.new", "only new: true is supported (remove the rule to turn it off)")
	}
	if d.has(&spec.Content) {
		d.errorf(n, "dependencies", "cannot be combined with content: a dependency rule fires on manifest declarations, not on added lines")
	}
	if d.has(&s.Ecosystems) {
		if d.emptyList(&s.Ecosystems) {
			d.errorf(d.at(&s.Ecosystems, n), "dependencies.ecosystems", "empty list (remove it for all ecosystems)")
		}
		out.ecosystems = []string{}
		for i, e := range s.Ecosystems {
			if d.bad[&s.Ecosystems[i]] {
				continue
			}
			if !slices.Contains(deps.Ecosystems(), e) {
				d.errorf(d.at(&s.Ecosystems[i], n), fmt.Sprintf("dependencies.ecosystems[%d]", i),
					"unknown ecosystem %s%s: must be one of %s", yamlmsg.Quote(e), suggest(e, deps.Ecosystems()), strings.Join(deps.Ecosystems(), ", "))
				continue
			}
			out.ecosystems = append(out.ecosystems, e)
		}
	}
	if s.Allow != nil && !d.bad[s.Allow] {
		d.addDepAllow(out, s.Allow, "dependencies.allow", d.at(s.Allow, n))
	}
	if d.ok(&s.Allowlist) {
		d.loadDepAllowlist(out, s.Allowlist, d.at(&s.Allowlist, n))
	}
	return out
}

// addDepAllow validates the patterns of an allow spec (decoded by d) and adds
// them to c.
func (d *decoder) addDepAllow(c *depCond, a *DependencyAllowSpec, key string, n *yaml.Node) {
	for _, eco := range []struct {
		name string
		list []string
	}{{deps.Go, a.Go}, {deps.Npm, a.Npm}, {deps.PyPI, a.PyPI}, {deps.Cargo, a.Cargo}, {deps.RubyGems, a.RubyGems}} {
		for i, p := range eco.list {
			if d.bad[&eco.list[i]] {
				continue
			}
			k := fmt.Sprintf("%s[%d]", joinKey(key, eco.name), i)
			pn := d.at(&eco.list[i], n)
			switch {
			case strings.TrimSpace(p) == "":
				d.errorf(pn, k, "empty pattern")
			case !doublestar.ValidatePattern(p):
				d.errorf(pn, k, "invalid glob %s: unbalanced [ ] or { }, or a trailing backslash", yamlmsg.Quote(p))
			default:
				c.allow[eco.name] = append(c.allow[eco.name], deps.Canonical(eco.name, p))
			}
		}
	}
}

// loadDepAllowlist reads the allowlist file name (relative to the rule
// file's directory) and adds its patterns to c. Its problems are reported
// with the allowlist file's name and lines.
func (d *decoder) loadDepAllowlist(c *depCond, name string, n *yaml.Node) {
	if strings.TrimSpace(name) == "" {
		d.errorf(n, "dependencies.allowlist", "empty path")
		return
	}
	if d.read == nil {
		d.errorf(n, "dependencies.allowlist", "this rule file was not loaded from a file or directory, so it cannot name files: list the names under dependencies.allow")
		return
	}
	data, display, err := d.read(name)
	if err != nil {
		d.errorf(n, "dependencies.allowlist", "cannot read the allowlist: %v", err)
		return
	}
	sub := newDecoder(display)
	if spec := sub.depAllowFile(data); spec != nil {
		sub.addDepAllow(c, spec, "", nil)
	}
	d.errs = append(d.errs, sub.errs...)
}

// ReadFunc reads a file a rule file names, given as written in the rule
// (relative to the rule file's directory). It returns the content and the
// name to use in messages.
type ReadFunc func(name string) (data []byte, display string, err error)

// maxAllowlistSize bounds a file a rule names.
const maxAllowlistSize = 1 << 20

// DiskReader reads files named by the rule file at path ruleFile on disk:
// relative names from its directory; only regular files up to 1 MiB.
func DiskReader(ruleFile string) ReadFunc {
	return func(name string) ([]byte, string, error) {
		p := filepath.FromSlash(name)
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(ruleFile), p)
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, p, err
		}
		if err := checkNamedFile(st); err != nil {
			return nil, p, err
		}
		data, err := os.ReadFile(p)
		return data, p, err
	}
}

// FSReader reads files named by the rule file at fsPath in fsys (display is
// its name in messages): relative names only, from its directory, within
// fsys; only regular files up to 1 MiB.
func FSReader(fsys fs.FS, fsPath, display string) ReadFunc {
	return func(name string) ([]byte, string, error) {
		shown := path.Join(path.Dir(filepath.ToSlash(display)), name)
		if path.IsAbs(name) || filepath.IsAbs(name) {
			return nil, shown, errors.New("must be a path relative to the rule file")
		}
		p := path.Join(path.Dir(fsPath), name)
		if !fs.ValidPath(p) {
			return nil, shown, errors.New("must stay within the rules directory")
		}
		st, err := fs.Stat(fsys, p)
		if err != nil {
			return nil, shown, err
		}
		if err := checkNamedFile(st); err != nil {
			return nil, shown, err
		}
		data, err := fs.ReadFile(fsys, p)
		return data, shown, err
	}
}

// checkNamedFile accepts regular files of at most maxAllowlistSize bytes.
func checkNamedFile(st fs.FileInfo) error {
	switch {
	case !st.Mode().IsRegular():
		return errors.New("not a regular file")
	case st.Size() > maxAllowlistSize:
		return fmt.Errorf("larger than %d bytes", maxAllowlistSize)
	}
	return nil
}

// depAllowFile decodes a dependency allowlist file: one YAML mapping of
// ecosystem to a list of glob patterns. An empty file allows nothing. It
// returns nil when the file is not YAML; other problems are recorded in d.
func (d *decoder) depAllowFile(data []byte) *DependencyAllowSpec {
	var doc yaml.Node
	switch err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); {
	case errors.Is(err, io.EOF):
		return &DependencyAllowSpec{}
	case err != nil:
		d.errs = append(d.errs, yamlError(d.file, data, err))
		return nil
	}
	spec := &DependencyAllowSpec{}
	if len(doc.Content) == 0 {
		return spec
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return spec
	}
	d.decode(root, reflect.ValueOf(spec).Elem(), "")
	return spec
}

// isDepAllowlistFile reports whether the root mapping of a YAML file in a
// rules directory is a dependency allowlist (every key is an ecosystem
// name) rather than a rule file; if so it validates it, so that a rules
// directory can hold the allowlist its rules name.
func (d *decoder) isDepAllowlistFile(root *yaml.Node) bool {
	if root.Kind != yaml.MappingNode || len(root.Content) == 0 {
		return false
	}
	for i := 0; i < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind != yaml.ScalarNode || !slices.Contains(deps.Ecosystems(), k.Value) {
			return false
		}
	}
	spec := &DependencyAllowSpec{}
	d.decode(root, reflect.ValueOf(spec).Elem(), "")
	d.addDepAllow(&depCond{allow: map[string][]string{}}, spec, "", nil)
	return true
}

// compileDepTests validates the examples of a dependency rule. A plain
// string example is "ecosystem:name", a dependency the example adds (it
// tests ecosystems and the allowlist); a mapping gives a manifest change,
// {path: package.json, old: "...", new: "..."} (old absent: the file is
// added), and tests parsing too.
func (d *decoder) compileDepTests(t *TestsSpec, n *yaml.Node) []example {
	if d.has(&t.Path) {
		d.errorf(d.at(&t.Path, n), "tests.path", "does not apply to a dependencies rule (give the path in each example)")
	}
	if len(t.Match) == 0 && len(t.NoMatch) == 0 {
		d.errorf(n, "tests", "needs match or nomatch examples")
	}
	var out []example
	for _, group := range []struct {
		key  string
		want bool
		list []ExampleSpec
	}{{"tests.match", true, t.Match}, {"tests.nomatch", false, t.NoMatch}} {
		for i := range group.list {
			e := &group.list[i]
			if d.bad[e] {
				continue
			}
			key := fmt.Sprintf("%s[%d]", group.key, i)
			en := d.at(e, n)
			ex := example{want: group.want, source: fmt.Sprintf("%s:%d", d.file, en.Line)}
			if en.Kind == yaml.ScalarNode {
				eco, name, ok := strings.Cut(e.Text, ":")
				if !ok || !slices.Contains(deps.Ecosystems(), eco) || name == "" {
					d.errorf(en, key, "a dependency example is \"ecosystem:name\" (ecosystems: %s) or {path, old, new}, got %s",
						strings.Join(deps.Ecosystems(), ", "), yamlmsg.Quote(e.Text))
					continue
				}
				ex.text = e.Text
				ex.dep = &depExample{dep: e.Text}
				out = append(out, ex)
				continue
			}
			switch {
			case !d.has(&e.Path) || !d.has(&e.New):
				d.errorf(en, key, `a dependency example needs "path" (the manifest) and "new" (its content), and may give "old"`)
				continue
			case deps.Ecosystem(e.Path) == "":
				d.errorf(d.at(&e.Path, en), key+".path", "%s is not a manifest pushguard reads (go.mod, package.json, requirements*.txt, pyproject.toml, Cargo.toml, Gemfile)", yamlmsg.Quote(e.Path))
				continue
			case d.has(&e.Line) || d.has(&e.Message) || d.has(&e.Size) || d.has(&e.Binary):
				d.errorf(en, key, "a dependency example takes path, status, ref, old and new only")
				continue
			}
			ex.text = e.Path
			ex.dep = &depExample{path: e.Path, new: []byte(e.New)}
			if d.has(&e.Old) {
				ex.dep.old = []byte(e.Old)
			}
			status := "added"
			if d.has(&e.Old) {
				status = "modified"
			}
			if d.ok(&e.Status) {
				if parseStatus(e.Status) == 0 {
					d.errorf(d.at(&e.Status, en), key+".status", "invalid status %s: must be one of %s", yamlmsg.Quote(e.Status), statusNames)
				}
				status = e.Status
			}
			ex.file = &FileInfo{Path: e.Path, Status: status, Size: int64(len(e.New))}
			if d.ok(&e.Ref) {
				ex.ref, ex.hasRef = e.Ref, true
			}
			out = append(out, ex)
		}
	}
	return out
}

// runDepExample reports whether a dependency rule fires on ex, and why.
func (r *Rule) runDepExample(ex *example) (bool, string) {
	var why string
	if ex.dep.dep != "" {
		eco, name, _ := strings.Cut(ex.dep.dep, ":")
		return r.matchDependency(eco, name, &why), why
	}
	added, err := deps.Added(ex.dep.path, ex.dep.old, ex.dep.new)
	if err != nil {
		return true, "could not parse manifest (reported as a warning): " + err.Error()
	}
	if len(added) == 0 {
		return false, "the change adds no dependency"
	}
	for _, a := range added {
		if r.matchDependency(a.Ecosystem, a.Name, &why) {
			return true, why
		}
	}
	return false, why
}
