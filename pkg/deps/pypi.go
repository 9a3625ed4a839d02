package deps

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// parseRequirements returns the projects a pip requirements file names.
// Options (-r, -c, -e, --index-url, ...), plain URLs and local paths name no
// registry project and are skipped; "name @ url" counts as name. A line pip
// would reject as a requirement is an error.
func parseRequirements(content []byte) ([]Dep, error) {
	var out []Dep
	var logical strings.Builder
	start := 0
	for i, raw := range bytes.Split(content, []byte("\n")) {
		if logical.Len() == 0 {
			start = i + 1
		}
		line := strings.TrimRight(string(raw), "\r")
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			logical.WriteString(cont)
			logical.WriteByte(' ')
			continue
		}
		logical.WriteString(line)
		req := logical.String()
		logical.Reset()
		if name, err := requirementLine(req); err != nil {
			return nil, fmt.Errorf("line %d: %w", start, err)
		} else if name != "" {
			out = append(out, Dep{Name: name, Line: start})
		}
	}
	if logical.Len() > 0 {
		if name, err := requirementLine(logical.String()); err != nil {
			return nil, fmt.Errorf("line %d: %w", start, err)
		} else if name != "" {
			out = append(out, Dep{Name: name, Line: start})
		}
	}
	return out, nil
}

// requirementLine returns the normalized project of one logical line, or
// "" when it names none.
func requirementLine(line string) (string, error) {
	// A comment starts at '#' at the start or after whitespace.
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			line = line[:i]
			break
		}
	}
	line = strings.TrimSpace(line)
	switch {
	case line == "", strings.HasPrefix(line, "-"):
		return "", nil // blank, or an option (-r, -e, --hash, --index-url, ...)
	case isURL(line), strings.HasPrefix(line, "."), strings.HasPrefix(line, "/"), strings.HasPrefix(line, "~"),
		strings.HasPrefix(line, "$"):
		return "", nil // a URL, a local path or an environment variable
	}
	first := line
	if i := strings.IndexAny(first, " \t;"); i >= 0 {
		first = first[:i]
	}
	if strings.ContainsAny(first, `/\`) && !strings.ContainsAny(first, "@=<>~!") ||
		hasAnySuffix(strings.ToLower(first), ".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2") {
		return "", nil // a path or an archive
	}
	return pep508Name(line)
}

// pep508Name returns the normalized project name of a PEP 508 requirement.
func pep508Name(s string) (string, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	name := s[:i]
	if name == "" || !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return "", fmt.Errorf("not a requirement: %q", clip(s))
	}
	rest := strings.TrimLeft(s[i:], " \t")
	if rest != "" && !strings.ContainsRune("[(<>=!~;@,", rune(rest[0])) && !strings.HasPrefix(rest, "--") {
		return "", fmt.Errorf("not a requirement: %q", clip(s))
	}
	return NormalizePyPI(name), nil
}

// isURL reports whether s starts with a URL scheme such as https:// or
// git+ssh://.
func isURL(s string) bool {
	i := strings.Index(s, "://")
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		if c := s[j]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '+') {
			return false
		}
	}
	return true
}

func isNameByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// parsePyproject returns the projects a pyproject.toml depends on: PEP 621
// [project] dependencies and optional-dependencies, PEP 735
// [dependency-groups], [build-system] requires, and Poetry's
// [tool.poetry.dependencies], dev-dependencies and group dependency tables
// ("python" excluded; path dependencies skipped).
func parsePyproject(content []byte) ([]Dep, error) {
	doc, err := parseTOML(content)
	if err != nil {
		return nil, err
	}
	var out []Dep
	addList := func(v *tomlValue, where string) error {
		if v == nil {
			return nil
		}
		if v.kind != tomlArray {
			return fmt.Errorf("line %d: %s: expected an array of requirements", v.line, where)
		}
		for _, e := range v.arr {
			if e.kind == tomlTable { // {include-group = "..."} in dependency-groups
				continue
			}
			if e.kind != tomlString {
				return fmt.Errorf("line %d: %s: expected a requirement string", e.line, where)
			}
			name, err := pep508Name(e.str)
			if err != nil {
				return fmt.Errorf("line %d: %s: %w", e.line, where, err)
			}
			out = append(out, Dep{Name: name, Line: e.line})
		}
		return nil
	}
	addTableLists := func(t *tomlValue, where string) error {
		if t == nil {
			return nil
		}
		if t.kind != tomlTable {
			return fmt.Errorf("line %d: %s: expected a table", t.line, where)
		}
		for _, k := range t.keys {
			if err := addList(t.tab[k], where+"."+k); err != nil {
				return err
			}
		}
		return nil
	}
	addPoetry := func(t *tomlValue, where string) error {
		if t == nil {
			return nil
		}
		if t.kind != tomlTable {
			return fmt.Errorf("line %d: %s: expected a table", t.line, where)
		}
		for _, k := range t.keys {
			v := t.tab[k]
			if strings.EqualFold(k, "python") || v.kind == tomlTable && v.get("path") != nil {
				continue
			}
			name, err := pep508Name(k)
			if err != nil {
				return fmt.Errorf("line %d: %s: %w", v.line, where, err)
			}
			out = append(out, Dep{Name: name, Line: v.line})
		}
		return nil
	}
	steps := []error{
		addList(doc.get("build-system", "requires"), "build-system.requires"),
		addList(doc.get("project", "dependencies"), "project.dependencies"),
		addTableLists(doc.get("project", "optional-dependencies"), "project.optional-dependencies"),
		addTableLists(doc.get("dependency-groups"), "dependency-groups"),
		addPoetry(doc.get("tool", "poetry", "dependencies"), "tool.poetry.dependencies"),
		addPoetry(doc.get("tool", "poetry", "dev-dependencies"), "tool.poetry.dev-dependencies"),
	}
	if groups := doc.get("tool", "poetry", "group"); groups != nil && groups.kind == tomlTable {
		for _, g := range groups.keys {
			steps = append(steps, addPoetry(groups.tab[g].get("dependencies"), "tool.poetry.group."+g+".dependencies"))
		}
	}
	if err := errors.Join(steps...); err != nil {
		return nil, err
	}
	return out, nil
}
