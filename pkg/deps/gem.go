package deps

import (
	"bytes"
	"fmt"
	"strings"
)

// parseGemfile returns the gems a Gemfile (or gems.rb) declares with
// `gem "name", ...` or `gem("name", ...)` statements, at any indentation
// (group and platform blocks included). A Gemfile is Ruby: only those
// statements are read, nothing is evaluated, and a gem whose name is not a
// string literal (computed at run time) cannot be known and is skipped.
func parseGemfile(content []byte) ([]Dep, error) {
	var out []Dep
	for i, raw := range bytes.Split(content, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		rest, ok := strings.CutPrefix(line, "gem")
		if !ok || rest == "" || !(rest[0] == ' ' || rest[0] == '\t' || rest[0] == '(') {
			continue // gemspec, gems, group ... do, comments
		}
		rest = strings.TrimLeft(rest, " \t(")
		if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		q := rest[0]
		end := strings.IndexByte(rest[1:], q)
		if end < 0 {
			return nil, fmt.Errorf("line %d: unterminated string in gem statement", i+1)
		}
		name := rest[1 : end+1]
		if name == "" || strings.ContainsAny(name, " \t#{}") {
			if strings.Contains(name, "#{") {
				continue // interpolated: computed at run time
			}
			return nil, fmt.Errorf("line %d: invalid gem name %q", i+1, clip(name))
		}
		out = append(out, Dep{Name: name, Line: i + 1})
	}
	return out, nil
}
