package gitstore

import (
	"fmt"
	"path/filepath"
	"strings"
)

// EnvFromGetenv builds an Env from the environment a hook runs in:
//
//   - GIT_DIR (default "."),
//   - GIT_OBJECT_DIRECTORY (the quarantine directory during pre-receive),
//   - GIT_ALTERNATE_OBJECT_DIRECTORIES, a list separated by
//     filepath.ListSeparator (':' on Unix).
//
// Alternate entries are parsed as git parses them (parse_alt_odb_entry):
// empty entries are skipped, an entry starting with '#' is a comment, and an
// entry starting with a double quote is C-quoted (\" \\ \a \b \f \n \r \t \v
// and exactly three octal digits \ooo), so that it may contain the
// separator. Git silently falls back to reading a badly quoted entry
// literally; EnvFromGetenv instead returns an error, so that a hook fails
// closed rather than look for objects in the wrong place. Text between a
// closing quote and the next separator is an error too.
//
// Paths are returned exactly as given. Open resolves relative ones against
// the working directory of the process, as git does for these variables
// (git's relative_base is NULL for the environment; only entries of an
// objects/info/alternates file are relative to the objects directory that
// holds the file).
func EnvFromGetenv(getenv func(string) string) (Env, error) {
	env := Env{
		GitDir:    getenv("GIT_DIR"),
		ObjectDir: getenv("GIT_OBJECT_DIRECTORY"),
	}
	if env.GitDir == "" {
		env.GitDir = "."
	}
	alts, err := parseAlternates(getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"), filepath.ListSeparator)
	if err != nil {
		return Env{}, fmt.Errorf("GIT_ALTERNATE_OBJECT_DIRECTORIES: %w", err)
	}
	env.Alternates = alts
	return env, nil
}

// parseAlternates splits a list of object directories the way git does for
// GIT_ALTERNATE_OBJECT_DIRECTORIES (sep ':') and objects/info/alternates
// (sep '\n'): empty entries and '#' comments are skipped, entries starting
// with '"' are C-unquoted.
func parseAlternates(s string, sep rune) ([]string, error) {
	var out []string
	for len(s) > 0 {
		var entry string
		switch s[0] {
		case '#':
			// A comment runs to the next separator.
			if i := strings.IndexRune(s, sep); i >= 0 {
				s = s[i+1:]
			} else {
				s = ""
			}
			continue
		case '"':
			v, rest, err := unquoteC(s)
			if err != nil {
				return nil, fmt.Errorf("entry %q: %w", excerpt(s), err)
			}
			if rest != "" {
				r := []rune(rest)[0]
				if r != sep {
					return nil, fmt.Errorf("entry %q: unexpected %q after closing quote", excerpt(s), r)
				}
				rest = rest[len(string(sep)):]
			}
			entry, s = v, rest
		default:
			if i := strings.IndexRune(s, sep); i >= 0 {
				entry, s = s[:i], s[i+len(string(sep)):]
			} else {
				entry, s = s, ""
			}
		}
		if entry != "" {
			out = append(out, entry)
		}
	}
	return out, nil
}

// excerpt returns the start of s for error messages.
func excerpt(s string) string {
	const max = 80
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// unquoteC decodes a C-quoted string at the start of s, as git's
// unquote_c_style does, and returns the value and the text after the
// closing quote.
func unquoteC(s string) (value, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, fmt.Errorf("missing opening quote")
	}
	var b strings.Builder
	i := 1
	for {
		j := strings.IndexAny(s[i:], `"\`)
		if j < 0 {
			return "", "", fmt.Errorf("missing closing quote")
		}
		b.WriteString(s[i : i+j])
		i += j
		if s[i] == '"' {
			return b.String(), s[i+1:], nil
		}
		// Backslash escape.
		i++
		if i >= len(s) {
			return "", "", fmt.Errorf("backslash at end of quoted string")
		}
		c := s[i]
		i++
		switch c {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\', '"':
			b.WriteByte(c)
		case '0', '1', '2', '3':
			if i+2 > len(s) || !isOctal(s[i]) || !isOctal(s[i+1]) {
				return "", "", fmt.Errorf("bad octal escape at offset %d", i-2)
			}
			b.WriteByte((c-'0')<<6 | (s[i]-'0')<<3 | (s[i+1] - '0'))
			i += 2
		default:
			return "", "", fmt.Errorf("unknown escape \\%c at offset %d", c, i-2)
		}
	}
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
