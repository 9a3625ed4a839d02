package deps

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// goVerbs are the directives of a go.mod file; any other is an error, as it
// is for the go command.
var goVerbs = map[string]bool{
	"module": true, "go": true, "toolchain": true, "godebug": true, "require": true,
	"exclude": true, "replace": true, "retract": true, "tool": true, "ignore": true,
}

// parseGoMod returns the modules a go.mod requires (indirect ones included)
// and the non-local targets of its replace directives.
func parseGoMod(content []byte) ([]Dep, error) {
	var out []Dep
	block := "" // the verb of the open "verb (" block
	blockLine := 0
	for i, raw := range bytes.Split(content, []byte("\n")) {
		n := i + 1
		line := string(raw)
		if c := strings.Index(line, "//"); c >= 0 {
			line = line[:c]
		}
		f, err := goFields(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(f) == 0 {
			continue
		}
		if block != "" {
			if len(f) == 1 && f[0] == ")" {
				block = ""
				continue
			}
			d, err := goEntry(block, f, n)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			out = append(out, d...)
			continue
		}
		verb := f[0]
		if !goVerbs[verb] {
			return nil, fmt.Errorf("line %d: unknown directive %q", n, clip(verb))
		}
		switch {
		case len(f) == 2 && f[1] == "(":
			block, blockLine = verb, n
		case len(f) == 3 && f[1] == "(" && f[2] == ")", len(f) == 2 && f[1] == "()":
			// An empty block on one line.
		default:
			d, err := goEntry(verb, f[1:], n)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			out = append(out, d...)
		}
	}
	if block != "" {
		return nil, fmt.Errorf("line %d: %s block is never closed", blockLine, block)
	}
	return out, nil
}

// goEntry reads the arguments of one directive.
func goEntry(verb string, args []string, line int) ([]Dep, error) {
	switch verb {
	case "require":
		if len(args) != 2 {
			return nil, fmt.Errorf("require needs a module path and a version")
		}
		return []Dep{{Name: args[0], Line: line}}, nil
	case "replace":
		arrow := -1
		for i, a := range args {
			if a == "=>" {
				arrow = i
			}
		}
		if arrow < 1 || arrow > 2 || len(args)-arrow-1 < 1 || len(args)-arrow-1 > 2 {
			return nil, fmt.Errorf("replace needs: module [version] => target [version]")
		}
		target := args[arrow+1]
		if len(args)-arrow-1 == 1 || isLocalPath(target) {
			return nil, nil // a directory on disk, not a module to download
		}
		return []Dep{{Name: target, Line: line}}, nil
	}
	return nil, nil
}

// isLocalPath reports whether a replace target is a file path.
func isLocalPath(p string) bool {
	return strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") ||
		p == "." || p == ".." || (len(p) > 2 && p[1] == ':') || strings.HasPrefix(p, `.\`) || strings.HasPrefix(p, `..\`)
}

// goFields splits a go.mod line (comment removed) into fields; quoted
// strings ("..." or `...`) are one field, unquoted.
func goFields(line string) ([]string, error) {
	var out []string
	for {
		line = strings.TrimLeft(line, " \t\r")
		if line == "" {
			return out, nil
		}
		switch line[0] {
		case '"':
			end := 1
			for end < len(line) && line[end] != '"' {
				if line[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(line) {
				return nil, fmt.Errorf("unterminated quoted string")
			}
			s, err := strconv.Unquote(line[:end+1])
			if err != nil {
				return nil, fmt.Errorf("invalid quoted string: %w", err)
			}
			out = append(out, s)
			line = line[end+1:]
		case '`':
			end := strings.IndexByte(line[1:], '`')
			if end < 0 {
				return nil, fmt.Errorf("unterminated quoted string")
			}
			out = append(out, line[1:end+1])
			line = line[end+2:]
		default:
			end := strings.IndexAny(line, " \t\r")
			if end < 0 {
				end = len(line)
			}
			tok := line[:end]
			// "require(" and ")" written without spaces.
			if len(tok) > 1 && strings.HasSuffix(tok, "(") {
				out = append(out, tok[:len(tok)-1], "(")
			} else {
				out = append(out, tok)
			}
			line = line[end:]
		}
	}
}

// clip shortens text quoted in an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
