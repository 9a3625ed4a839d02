package deps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// npmSections are the package.json keys whose object lists dependencies.
var npmSections = map[string]bool{
	"dependencies": true, "devDependencies": true, "peerDependencies": true, "optionalDependencies": true,
}

// npmLocal are version prefixes of dependencies that come from disk, not
// from a registry.
var npmLocal = []string{"file:", "link:", "workspace:", "portal:"}

// parsePackageJSON returns the dependencies of a package.json: the keys of
// its dependency sections, or the target of an "npm:name@range" alias.
// Local ones (file:, link:, workspace:, portal:) are left out.
func parsePackageJSON(content []byte) ([]Dep, error) {
	lines := newLineIndex(content)
	var probe any
	if err := json.Unmarshal(content, &probe); err != nil {
		return nil, jsonError(err, lines)
	}
	if _, ok := probe.(map[string]any); !ok {
		return nil, errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(content))
	if _, err := dec.Token(); err != nil { // {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	var out []Dep
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		if !npmSections[key] {
			continue
		}
		start := int(dec.InputOffset()) - len(raw)
		d, err := npmSection(raw, start, lines)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", lines.line(start), key, err)
		}
		out = append(out, d...)
	}
	return out, nil
}

// npmSection reads one dependency object that starts at offset base.
func npmSection(raw []byte, base int, lines lineIndex) ([]Dep, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("expected an object of name: version")
	}
	var out []Dep
	for dec.More() {
		name, err := stringToken(dec)
		if err != nil {
			return nil, err
		}
		line := lines.line(base + int(dec.InputOffset()) - 1)
		var spec any
		if err := dec.Decode(&spec); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		version, ok := spec.(string)
		if !ok {
			return nil, fmt.Errorf("dependency %q: expected a version string", clip(name))
		}
		if name == "" {
			return nil, errors.New("empty dependency name")
		}
		if hasAnyPrefix(version, npmLocal) {
			continue
		}
		if alias, ok := strings.CutPrefix(version, "npm:"); ok {
			if target := npmAliasName(alias); target != "" {
				name = target
			}
		}
		out = append(out, Dep{Name: name, Line: line})
	}
	return out, nil
}

// npmAliasName returns the package of an alias "name@range" ("@scope/name"
// or "@scope/name@range" for scoped packages).
func npmAliasName(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at > 0 {
		return s[:at]
	}
	return s
}

// stringToken reads an object key.
func stringToken(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("invalid JSON: %w", err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("invalid JSON: expected a key, got %v", tok)
	}
	return s, nil
}

// jsonError names the line of a JSON syntax error.
func jsonError(err error, lines lineIndex) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: invalid JSON: %s", lines.line(int(se.Offset)-1), se.Error())
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
