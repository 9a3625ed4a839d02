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
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlErrorPattern splits a yaml.v3 syntax error into line and message.
var yamlErrorPattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

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
	d := newDecoder(name)
	d.read = read
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, nil
	case err != nil:
		return nil, joinErrors([]*Error{yamlError(name, data, err)})
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		d.errs = append(d.errs, &Error{File: name, Line: line, Msg: "only one YAML document per file is allowed"})
	case !errors.Is(err, io.EOF):
		d.errs = append(d.errs, yamlError(name, data, err))
	}
	rules := d.document(&doc)
	sortErrors(d.errs)
	if err := joinErrors(d.errs); err != nil {
		return nil, err
	}
	return rules, nil
}

// yamlError turns a yaml.v3 syntax error into an *Error.
func yamlError(name string, data []byte, err error) *Error {
	msg := err.Error()
	if m := yamlErrorPattern.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		e := &Error{File: name, Line: line, Msg: "invalid YAML: " + m[2]}
		if lines := bytes.Split(data, []byte("\n")); line >= 1 && line <= len(lines) {
			indent := lines[line-1][:len(lines[line-1])-len(bytes.TrimLeft(lines[line-1], " \t"))]
			if bytes.IndexByte(indent, '\t') >= 0 {
				e.Msg += " (YAML does not allow tabs for indentation)"
			}
		}
		return e
	}
	return &Error{File: name, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
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
				if r := d.rule(rn, j+1, ids); r != nil {
					rules = append(rules, r)
				}
				if d.budget < 0 {
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
	validID := idPattern.MatchString(spec.ID)
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
// order. Files and directories whose name starts with a dot are skipped
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
