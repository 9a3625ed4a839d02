package ruleset

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/yamldoc"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
)

// Parse decodes and compiles the rules of one YAML rule file; name is used
// in messages and Rule.Source. A file is one YAML document, a mapping whose
// rules key lists the rules (the ai_tools and declared_trailers keys are
// left to pkg/provenance). An empty file has no rules.
//
// Decoding is strict and every problem is reported, not just the first: the
// error joins one *Error per problem (see Errors), each naming name:LINE and
// the rule. On error no rules are returned.
func Parse(name string, data []byte) ([]*Rule, error) {
	return ParseWith(name, data, nil)
}

// ParseWith is Parse for a rule file that names other files (a
// dependencies allowlist): read reads them. Parse passes nil, and such a
// rule is then an error, so that rule text never makes pushguard read files
// on its own.
func ParseWith(name string, data []byte, read ReadFunc) ([]*Rule, error) {
	doc, err := ParseDocument(name, data)
	if err != nil {
		return nil, err
	}
	return DecodeDocument(context.Background(), name, doc, read)
}

// ParseDocument parses a rule file into its YAML document node, for
// loaders that decode one parse twice (rules here, AI-tool markers in
// pkg/provenance): see [DecodeDocument]. It returns nil for a file without
// a document. It refuses, as an *Error naming name:LINE (and the rule, when
// the problem is inside one), invalid YAML, a second document, and aliases
// that expand to more than [yamldoc.DefaultMaxAliasBytes] bytes of values
// (an alias bomb: a small file that names one large value thousands of
// times).
func ParseDocument(name string, data []byte) (*yaml.Node, error) {
	doc, err := yamldoc.Parse(data, 0)
	if err == nil {
		return doc, nil
	}
	e := &Error{File: name, Msg: err.Error()}
	var de *yamldoc.Error
	if errors.As(err, &de) {
		e.Line, e.Column, e.Msg = de.Line, de.Column, de.Msg
		if de.Node != nil {
			e.RuleNum, e.Rule = ruleOf(de.Doc, de.Node)
		}
	}
	return nil, joinErrors([]*Error{e})
}

// yamlError turns a yaml.v3 error decoding data into an *Error.
func yamlError(name string, data []byte, err error) *Error {
	e := yamldoc.SyntaxError(data, err)
	return &Error{File: name, Line: e.Line, Column: e.Column, Msg: e.Msg}
}

// ruleOf finds the rule of a rule file that holds node n as written (not
// through an alias): its 1-based number and its id (empty when it has no
// valid one); 0 when n is outside the rules.
func ruleOf(doc, n *yaml.Node) (int, string) {
	if doc == nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return 0, ""
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "rules" || root.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for j, r := range root.Content[i+1].Content {
			if !holds(r, n) {
				continue
			}
			id := ""
			if r.Kind == yaml.MappingNode {
				for k := 0; k+1 < len(r.Content); k += 2 {
					if v := r.Content[k+1]; r.Content[k].Value == "id" && v.Kind == yaml.ScalarNode && idPattern().MatchString(v.Value) {
						id = v.Value
					}
				}
			}
			return j + 1, id
		}
	}
	return 0, ""
}

// holds reports whether the tree at t, as written, includes node n.
func holds(t, n *yaml.Node) bool {
	if t == n {
		return true
	}
	if t.Kind == yaml.AliasNode {
		return false
	}
	for _, c := range t.Content {
		if holds(c, n) {
			return true
		}
	}
	return false
}

// DecodeDocument decodes and compiles the rules of a rule file already
// parsed by [ParseDocument] (nil: no rules); name and read are as for
// ParseWith, and so are the errors. It checks ctx between rules, and
// returns an error wrapping ctx.Err() when it is done.
func DecodeDocument(ctx context.Context, name string, doc *yaml.Node, read ReadFunc) ([]*Rule, error) {
	return DecodeDocumentWith(ctx, name, doc, read, DecodeOptions{})
}

// DecodeOptions tune [DecodeDocumentWith].
type DecodeOptions struct {
	// Lazy is for a document that this build has already decoded in full
	// without error, as the hook reloads the same rule files on every run
	// (pkg/policy keeps a validation stamp by content hash). Compiling the
	// regexes of content conditions is most of what loading costs, and a
	// push meets few of them: they are compiled on first use instead (a
	// rule whose keywords never occur is never compiled), and the rules'
	// tests (examples) are not decoded. Every other check is made as
	// usual. The checks left to first use are those that need the
	// compiled regex: should one fail, matching panics with an error
	// wrapping [ErrLazyCompile] rather than go on without the rule.
	// A Set built from lazily decoded rules has no tests to run.
	Lazy bool
}

// DecodeDocumentWith is DecodeDocument with options.
func DecodeDocumentWith(ctx context.Context, name string, doc *yaml.Node, read ReadFunc, opt DecodeOptions) ([]*Rule, error) {
	if doc == nil {
		return nil, nil
	}
	d := newDecoder(name)
	d.nodes = make(map[any]*yaml.Node, 24*countRules(doc)) // ~fields per rule: little growing
	d.read = read
	d.ctx = ctx
	d.lazy = opt.Lazy
	rules := d.document(doc)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: decoding stopped: %w", name, err)
	}
	if d.exhausted != nil {
		d.errs = []*Error{d.exhausted}
	}
	sortErrors(d.errs)
	if err := joinErrors(d.errs); err != nil {
		return nil, err
	}
	return rules, nil
}

// countRules returns the length of the rules list of a rule file's
// document, 0 when it has none (written out: aliases not followed).
func countRules(doc *yaml.Node) int {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return 0
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "rules" {
			return len(root.Content[i+1].Content)
		}
	}
	return 0
}

// document decodes the YAML document of a rule file and returns its rules.
func (d *decoder) document(doc *yaml.Node) []*Rule {
	var rules []*Rule
	ids := make(map[string]int) // id → line of its first definition
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return rules
	}
	root := d.resolve(doc.Content[0])
	if root == nil {
		return rules
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return rules // a document with only comments
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(doc.Content[0], "", "a rule file is a mapping with a rules list, got %s", yamlmsg.Describe(root))
		return rules
	}
	if d.isDepAllowlistFile(root) {
		return rules // a dependency allowlist (deps.go), not a rule file
	}
	fields, names := yamlFields(reflect.TypeFor[File]())
	seen := make(map[string]*yaml.Node)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		kn := d.resolve(k)
		if kn == nil {
			return rules
		}
		if _, ok := fields[kn.Value]; !ok || kn.Kind != yaml.ScalarNode {
			d.errorf(k, "", "unknown key %s%s (valid keys: %s)", yamlmsg.Quote(kn.Value), suggest(kn.Value, names), strings.Join(names, ", "))
			continue
		}
		if prev := seen[kn.Value]; prev != nil {
			d.errorf(k, kn.Value, "duplicate key (first given at line %d)", prev.Line)
			continue
		}
		seen[kn.Value] = k
		if kn.Value == "allowlist" {
			if r := d.globalAllowlist(root.Content[i+1]); r != nil {
				rules = append(rules, r)
			}
			continue
		}
		if kn.Value != "rules" {
			continue // ai_tools, declared_trailers: pkg/provenance's
		}
		v := d.resolve(root.Content[i+1])
		switch {
		case v == nil:
			return rules
		case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null":
			// "rules:" with every rule commented out.
		case v.Kind != yaml.SequenceNode:
			d.errorf(root.Content[i+1], "rules", "expected a list of rules, got %s", yamlmsg.Describe(v))
		default:
			for j, rn := range v.Content {
				if d.ctx.Err() != nil {
					return rules
				}
				if r := d.rule(rn, j+1, ids); r != nil {
					rules = append(rules, r)
				}
				if d.exhausted != nil {
					return rules
				}
			}
		}
	}
	if len(seen) == 0 {
		d.errorf(root, "", `missing required key "rules"`)
	}
	return rules
}

// rule decodes and compiles the num-th (1-based) rule of a file and labels
// its problems with the rule's id.
func (d *decoder) rule(n *yaml.Node, num int, ids map[string]int) *Rule {
	start := len(d.errs)
	var spec RuleSpec
	d.decode(n, reflect.ValueOf(&spec).Elem(), "")
	var r *Rule
	if rn := d.resolve(n); rn != nil && rn.Kind == yaml.MappingNode {
		r = d.compileRule(&spec, n)
	}
	validID := idPattern().MatchString(spec.ID)
	if validID {
		if first, dup := ids[spec.ID]; dup {
			d.errorf(d.at(&spec.ID, n), "id", "duplicate id: rule %q is already defined at %s:%d", spec.ID, d.file, first)
			r = nil
		} else {
			ids[spec.ID] = d.at(&spec.ID, n).Line
		}
	}
	for _, e := range d.errs[start:] {
		e.RuleNum = num
		if validID {
			e.Rule = spec.ID
		}
	}
	if len(d.errs) > start {
		return nil
	}
	return r
}

// LoadFS loads the rule files of fsys at name: one file, or every *.yml and
// *.yaml file below a directory ("." for all), recursively, in lexical
// order. It reads rules only: the hook and the command line load through
// pkg/policy, which reads each file once for its rules and its AI-tool
// markers, within byte budgets and a context; LoadFS and LoadPath are for
// tests and tools. Files and directories whose name starts with a dot are skipped
// (.git, .github). Messages name files by their path in fsys. Every problem
// of every file is reported (see Parse); on error no rules are returned.
//
// A directory without rule files is an error: a mistyped path must not
// silently load no rules. Rules with the same id in different files are not
// an error: NewSet lets the later one replace the earlier.
func LoadFS(fsys fs.FS, name string) ([]*Rule, error) {
	return loadFS(fsys, name, func(p string) string { return p })
}

// LoadPath loads the rules of a file or, recursively, of a directory on
// disk, like LoadFS. Messages name files by their path on disk.
func LoadPath(p string) ([]*Rule, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	if !fi.IsDir() {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
		return ParseWith(p, data, DiskReader(p))
	}
	return loadFS(os.DirFS(p), ".", func(rel string) string {
		return filepath.Join(p, filepath.FromSlash(rel))
	})
}

// loadFS walks fsys at root and parses every rule file; display maps an fs
// path to the name used in messages.
func loadFS(fsys fs.FS, root string, display func(string) string) ([]*Rule, error) {
	var (
		rules []*Rule
		errs  []error
		files int
	)
	walkErr := fs.WalkDir(fsys, root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("load rules from %s: %w", display(p), err))
			if de != nil && de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != root && strings.HasPrefix(de.Name(), ".") {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() {
			return nil
		}
		if ext := strings.ToLower(path.Ext(p)); p != root && ext != ".yml" && ext != ".yaml" {
			return nil
		}
		files++
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("load rules from %s: %w", display(p), err))
			return nil
		}
		rs, err := ParseWith(display(p), data, FSReader(fsys, p, display(p)))
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		rules = append(rules, rs...)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, fmt.Errorf("load rules from %s: %w", display(root), walkErr))
	}
	if files == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("load rules from %s: no *.yml or *.yaml rule files found", display(root)))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}
