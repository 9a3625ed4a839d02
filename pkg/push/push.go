// Package push parses what git hands a pre-receive hook: the ref updates on
// standard input, the push options and the environment that identifies the
// pusher and the repository.
package push

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxUpdates bounds the number of ref updates accepted in one push. git
// itself has no such limit; a push above it is rejected as malformed rather
// than scanned for minutes.
const MaxUpdates = 100000

// maxLine bounds one stdin line: two 64-hex ids, a ref name (git limits
// nothing, but refs over 4 KiB are not real), separators.
const maxLine = 4096

// Update is one "<old> <new> <ref>" line of a pre-receive hook's input.
type Update struct {
	Old string // hex object id before the push; all zeros when the ref is created
	New string // hex object id after the push; all zeros when the ref is deleted
	Ref string // full ref name, e.g. refs/heads/main
}

// Created reports whether the update creates the ref.
func (u Update) Created() bool { return isZero(u.Old) }

// Deleted reports whether the update deletes the ref.
func (u Update) Deleted() bool { return isZero(u.New) }

func isZero(id string) bool { return strings.Trim(id, "0") == "" }

// ParseError is a malformed line of hook input.
type ParseError struct {
	Line   int    // 1-based line number
	Reason string // what is wrong
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("stdin line %d: %s", e.Line, e.Reason)
}

// ParseUpdates reads every ref update from r. Object ids are 40 (SHA-1) or
// 64 (SHA-256) lower-case hex digits, the same length on every line. Any
// malformed line, an empty input or a ref updated twice is an error: the
// caller rejects the push.
func ParseUpdates(r io.Reader) ([]Update, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), maxLine)
	var (
		updates []Update
		idLen   int
		seen    = map[string]bool{}
		n       int
	)
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		fields := strings.Split(line, " ")
		if len(fields) != 3 {
			return nil, &ParseError{n, fmt.Sprintf("want \"<old-id> <new-id> <ref>\", got %d space-separated fields", len(fields))}
		}
		u := Update{Old: fields[0], New: fields[1], Ref: fields[2]}
		for _, id := range []string{u.Old, u.New} {
			if err := checkID(id); err != nil {
				return nil, &ParseError{n, err.Error()}
			}
			if idLen == 0 {
				idLen = len(id)
			} else if len(id) != idLen {
				return nil, &ParseError{n, "object ids of different lengths (SHA-1 and SHA-256 mixed)"}
			}
		}
		if u.Created() && u.Deleted() {
			return nil, &ParseError{n, "both object ids are zero"}
		}
		if err := CheckRefName(u.Ref); err != nil {
			return nil, &ParseError{n, err.Error()}
		}
		if seen[u.Ref] {
			return nil, &ParseError{n, "ref updated twice in one push"}
		}
		seen[u.Ref] = true
		if len(updates) >= MaxUpdates {
			return nil, &ParseError{n, fmt.Sprintf("more than %d ref updates", MaxUpdates)}
		}
		updates = append(updates, u)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &ParseError{n + 1, fmt.Sprintf("line longer than %d bytes", maxLine)}
		}
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	if len(updates) == 0 {
		return nil, &ParseError{0, "no ref updates on stdin (is this running as a pre-receive hook?)"}
	}
	return updates, nil
}

func checkID(id string) error {
	if len(id) != 40 && len(id) != 64 {
		return fmt.Errorf("object id %q is not 40 or 64 hex digits", clip(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("object id %q is not lower-case hex", clip(id))
		}
	}
	return nil
}

// CheckRefName applies the parts of git check-ref-format that matter to a
// hook: a full name under refs/, no control characters, spaces, "..", "~^:?*[\",
// no empty component or component starting with '.', not ending in ".lock" or "/".
func CheckRefName(ref string) error {
	if !strings.HasPrefix(ref, "refs/") {
		return fmt.Errorf("ref %q is not a full ref name under refs/", clip(ref))
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			return fmt.Errorf("ref %q contains a forbidden character", clip(ref))
		}
	}
	if strings.Contains(ref, "..") || strings.Contains(ref, "@{") || strings.HasSuffix(ref, "/") ||
		strings.HasSuffix(ref, ".lock") || strings.HasSuffix(ref, ".") {
		return fmt.Errorf("ref %q is not a valid ref name", clip(ref))
	}
	for _, c := range strings.Split(ref, "/") {
		if c == "" || strings.HasPrefix(c, ".") {
			return fmt.Errorf("ref %q has an empty or dot-prefixed component", clip(ref))
		}
	}
	return nil
}

// clip shortens a value echoed in an error message; callers print it with %q
// so control characters are escaped.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// Options reads git push options (`git push -o KEY=VALUE`) from the hook
// environment: GIT_PUSH_OPTION_COUNT and GIT_PUSH_OPTION_0..N-1.
func Options(getenv func(string) string) ([]string, error) {
	cs := getenv("GIT_PUSH_OPTION_COUNT")
	if cs == "" {
		return nil, nil
	}
	count, err := strconv.Atoi(cs)
	if err != nil || count < 0 || count > 1000 {
		return nil, fmt.Errorf("GIT_PUSH_OPTION_COUNT=%q is not a count between 0 and 1000", clip(cs))
	}
	opts := make([]string, 0, count)
	for i := 0; i < count; i++ {
		opts = append(opts, getenv("GIT_PUSH_OPTION_"+strconv.Itoa(i)))
	}
	return opts, nil
}
