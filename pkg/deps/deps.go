// Package deps reads the dependency names a package manifest declares —
// go.mod, package.json, requirements*.txt, pyproject.toml, Cargo.toml and
// Gemfile — so that a push adding a dependency nobody had before can be
// reported (AI tools invent package names: "slopsquatting").
//
// Manifests are parsed, never executed, and never matched line by line with
// regular expressions: a name counts when the manifest format declares it.
// Every parser is bounded by the input and returns an error, never panics,
// on anything it does not understand.
package deps

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Ecosystem names, as used in rule files and allowlists.
const (
	Go       = "go"
	Npm      = "npm"
	PyPI     = "pypi"
	Cargo    = "cargo"
	RubyGems = "rubygems"
)

// Ecosystems lists every supported ecosystem, sorted.
func Ecosystems() []string { return []string{Cargo, Go, Npm, PyPI, RubyGems} }

// Dep is one dependency a manifest declares.
type Dep struct {
	Ecosystem string
	// Name is the package name as the registry knows it: a Go module path,
	// an npm package (the target of an "npm:" alias), a PyPI project name
	// normalized per PEP 503, a crate (the package = "x" of a rename) or a
	// gem.
	Name string
	// Line is the 1-based line of the declaration in the manifest.
	Line int
}

// String returns "ecosystem:name".
func (d Dep) String() string { return d.Ecosystem + ":" + d.Name }

// Ecosystem returns the ecosystem of the manifest at path (slash-separated,
// from the repository root), or "" when path is not a manifest pushguard
// reads.
func Ecosystem(p string) string {
	base := path.Base(p)
	switch base {
	case "go.mod":
		return Go
	case "package.json":
		return Npm
	case "pyproject.toml":
		return PyPI
	case "Cargo.toml":
		return Cargo
	case "Gemfile", "gems.rb":
		return RubyGems
	}
	if strings.HasSuffix(base, ".txt") {
		if strings.HasPrefix(base, "requirements") || path.Base(path.Dir(p)) == "requirements" {
			return PyPI
		}
	}
	return ""
}

// Parse returns the ecosystem of the manifest at path and the dependencies
// content declares, in the order they appear (a name declared twice is
// listed twice). A path that is no manifest gives ("", nil, nil). A manifest
// that cannot be parsed gives an error naming the line when known.
func Parse(p string, content []byte) (ecosystem string, deps []Dep, err error) {
	eco := Ecosystem(p)
	switch {
	case eco == "":
		return "", nil, nil
	case eco == Go:
		deps, err = parseGoMod(content)
	case eco == Npm:
		deps, err = parsePackageJSON(content)
	case eco == PyPI && path.Base(p) == "pyproject.toml":
		deps, err = parsePyproject(content)
	case eco == PyPI:
		deps, err = parseRequirements(content)
	case eco == Cargo:
		deps, err = parseCargo(content)
	case eco == RubyGems:
		deps, err = parseGemfile(content)
	}
	if err != nil {
		return eco, nil, fmt.Errorf("parse %s: %w", path.Base(p), err)
	}
	for i := range deps {
		deps[i].Ecosystem = eco
	}
	return eco, deps, nil
}

// Names returns the ecosystem of the manifest at path and the distinct
// names it declares, sorted.
func Names(p string, content []byte) (ecosystem string, names []string, err error) {
	eco, deps, err := Parse(p, content)
	if err != nil {
		return eco, nil, err
	}
	seen := make(map[string]bool, len(deps))
	for _, d := range deps {
		if !seen[d.Name] {
			seen[d.Name] = true
			names = append(names, d.Name)
		}
	}
	sort.Strings(names)
	return eco, names, nil
}

// Added returns the dependencies the manifest at path declares in new and
// not in old (nil old: the file is new), each once, at its first
// declaration. See AddedFrom.
func Added(p string, old, new []byte) ([]Dep, error) {
	return AddedFrom(p, [][]byte{old}, new)
}

// AddedFrom returns the dependencies new declares that none of the olds
// (the versions of the file in each parent of a commit; nil entries are
// absent files) declares, each once, at its first declaration in new.
// Changing the version of a dependency, or moving it between sections,
// adds nothing.
//
// An error means new could not be parsed. An old version that cannot be
// parsed does not fail: a dependency of new then counts as added only when
// its name does not occur anywhere in that old text, so that repairing a
// broken manifest does not report every dependency in it.
func AddedFrom(p string, olds [][]byte, new []byte) ([]Dep, error) {
	eco, deps, err := Parse(p, new)
	if err != nil || eco == "" {
		return nil, err
	}
	known := make(map[string]bool)
	var unparsed [][]byte
	for _, old := range olds {
		if old == nil {
			continue
		}
		_, od, err := Parse(p, old)
		if err != nil {
			unparsed = append(unparsed, bytes.ToLower(old))
			continue
		}
		for _, d := range od {
			known[Canonical(eco, d.Name)] = true
		}
	}
	var out []Dep
	for _, d := range deps {
		key := Canonical(eco, d.Name)
		if known[key] || occursIn(unparsed, d.Name) {
			continue
		}
		known[key] = true
		out = append(out, d)
	}
	return out, nil
}

// occursIn reports whether name occurs, case-insensitively, in one of the
// lower-cased texts.
func occursIn(texts [][]byte, name string) bool {
	n := []byte(strings.ToLower(name))
	for _, t := range texts {
		if bytes.Contains(t, n) {
			return true
		}
	}
	return false
}

// Canonical returns the form under which two names of an ecosystem are the
// same package: PEP 503 normalization for PyPI, lower case with '_' as '-'
// for crates (crates.io treats those as equal), the name as is otherwise.
// Allowlists compare canonical forms.
func Canonical(ecosystem, name string) string {
	switch ecosystem {
	case PyPI:
		return NormalizePyPI(name)
	case Cargo:
		return strings.ReplaceAll(strings.ToLower(name), "_", "-")
	}
	return name
}

// NormalizePyPI normalizes a Python project name per PEP 503: lower case,
// every run of '-', '_' and '.' replaced by one '-'.
func NormalizePyPI(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	run := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			if !run {
				b.WriteByte('-')
			}
			run = true
			continue
		}
		run = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// lineIndex maps byte offsets of a text to 1-based line numbers.
type lineIndex []int // offsets of the '\n' bytes

func newLineIndex(b []byte) lineIndex {
	var idx lineIndex
	for i, c := range b {
		if c == '\n' {
			idx = append(idx, i)
		}
	}
	return idx
}

// line returns the 1-based line of offset off.
func (l lineIndex) line(off int) int {
	return sort.SearchInts(l, off) + 1
}
