package deps

import (
	"fmt"
	"strings"
)

// cargoSections are the dependency tables of a Cargo.toml, at the top level
// or under [target.<cfg>]; Cargo accepts the underscore spellings too.
var cargoSections = []string{
	"dependencies", "dev-dependencies", "dev_dependencies", "build-dependencies", "build_dependencies",
}

// parseCargo returns the crates a Cargo.toml depends on: the keys of its
// dependency tables (and of [workspace.dependencies]), or the package of a
// renamed dependency (foo = { package = "bar" } is bar). Path-only
// dependencies and workspace = true entries (declared by the workspace
// root) are left out.
func parseCargo(content []byte) ([]Dep, error) {
	doc, err := parseTOML(content)
	if err != nil {
		return nil, err
	}
	var out []Dep
	add := func(t *tomlValue, where string) error {
		if t == nil {
			return nil
		}
		if t.kind != tomlTable {
			return fmt.Errorf("line %d: %s: expected a table", t.line, where)
		}
		for _, k := range t.keys {
			v := t.tab[k]
			name := k
			switch v.kind {
			case tomlString:
			case tomlTable:
				if w := v.get("workspace"); w != nil && w.str == "true" {
					continue
				}
				if v.get("path") != nil && v.get("version") == nil && v.get("git") == nil && v.get("registry") == nil {
					continue
				}
				if pkg := v.get("package"); pkg != nil {
					if pkg.kind != tomlString || pkg.str == "" {
						return fmt.Errorf("line %d: %s.%s.package: expected a crate name", pkg.line, where, clip(k))
					}
					name = pkg.str
				}
			default:
				return fmt.Errorf("line %d: %s.%s: expected a version string or a table", v.line, where, clip(k))
			}
			if name == "" || strings.ContainsAny(name, " \t\r\n") {
				return fmt.Errorf("line %d: %s: invalid crate name %q", v.line, where, clip(name))
			}
			out = append(out, Dep{Name: name, Line: v.line})
		}
		return nil
	}
	for _, s := range cargoSections {
		if err := add(doc.get(s), s); err != nil {
			return nil, err
		}
	}
	if err := add(doc.get("workspace", "dependencies"), "workspace.dependencies"); err != nil {
		return nil, err
	}
	if targets := doc.get("target"); targets != nil && targets.kind == tomlTable {
		for _, cfg := range targets.keys {
			for _, s := range cargoSections {
				if err := add(targets.tab[cfg].get(s), "target."+cfg+"."+s); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}
