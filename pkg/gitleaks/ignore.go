package gitleaks

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
)

// IgnoreEntry is one fingerprint of a .gitleaksignore file:
// COMMIT:PATH:RULE:LINE, or PATH:RULE:LINE for findings gitleaks made
// outside git history (--no-git).
type IgnoreEntry struct {
	Commit string // 40 hex digits, or "" for a working-tree finding
	Path   string
	RuleID string // the gitleaks rule id
	Line   int
	// Source is "file:line" of the entry, for messages.
	Source string
}

var fullCommit = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{40}$`) })

// ParseIgnore reads a .gitleaksignore file: one fingerprint per line;
// blank lines and lines starting with '#' are skipped. Lines that are no
// fingerprint are returned as problems, naming name:line.
func ParseIgnore(name string, r io.Reader) ([]IgnoreEntry, []string, error) {
	var out []IgnoreEntry
	var problems []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		e, err := parseFingerprint(l)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", name, n, err))
			continue
		}
		e.Source = fmt.Sprintf("%s:%d", name, n)
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, problems, nil
}

// parseFingerprint splits one fingerprint, from the right (a path may hold
// ':').
func parseFingerprint(l string) (IgnoreEntry, error) {
	var e IgnoreEntry
	i := strings.LastIndexByte(l, ':')
	if i < 0 {
		return e, fmt.Errorf("not a fingerprint (COMMIT:PATH:RULE:LINE or PATH:RULE:LINE): %q", clip(l))
	}
	line, err := strconv.Atoi(l[i+1:])
	if err != nil || line < 1 {
		return e, fmt.Errorf("line number %q is not a positive number", clip(l[i+1:]))
	}
	rest := l[:i]
	j := strings.LastIndexByte(rest, ':')
	if j < 0 || j == len(rest)-1 {
		return e, fmt.Errorf("no rule id in %q", clip(l))
	}
	e.RuleID, e.Line = rest[j+1:], line
	rest = rest[:j]
	if k := strings.IndexByte(rest, ':'); k == 40 && fullCommit().MatchString(rest[:k]) {
		e.Commit, rest = rest[:k], rest[k+1:]
	}
	if rest == "" {
		return e, fmt.Errorf("no path in %q", clip(l))
	}
	e.Path = rest
	return e, nil
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// ReadFunc returns the content of path at commit (40 hex digits), or in the
// working tree when commit is "".
type ReadFunc func(commit, path string) ([]byte, error)

// Findings turns .gitleaksignore entries into the pushguard findings they
// stand for, ready for a baseline (baseline.Build, baseline.WriteFile),
// for the converted rules in set (ids prefix+gitleaks id). A pushguard fingerprint
// holds the text that fired, which a gitleaks fingerprint does not: each
// entry's line is read (with read) and matched by the converted rule, and
// the fingerprint made from that match. Entries whose rule was not
// converted, whose file or line cannot be read, or whose line the rule does
// not match (any more) are returned as problems and left out.
func Findings(entries []IgnoreEntry, set *ruleset.Set, prefix string, read ReadFunc) ([]scan.Finding, []string) {
	if prefix == "" {
		prefix = "gitleaks-"
	}
	var findings []scan.Finding
	var problems []string
	m := set.NewLineMatcher()
	active := make([]bool, len(set.Rules))
	cache := map[string][][]byte{}
	for _, e := range entries {
		r := set.Lookup(prefix + e.RuleID)
		if r == nil {
			problems = append(problems, fmt.Sprintf("%s: rule %q was not converted", e.Source, e.RuleID))
			continue
		}
		f := scan.Finding{Rule: r, Path: e.Path, Commit: plumbing.NewHash(e.Commit)}
		if !r.HasContent() {
			f.Kind = scan.KindFile
			findings = append(findings, f)
			continue
		}
		key := e.Commit + ":" + e.Path
		lines, ok := cache[key]
		if !ok {
			data, err := read(e.Commit, e.Path)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", e.Source, err))
				continue
			}
			lines = bytes.Split(data, []byte("\n"))
			cache[key] = lines
		}
		if e.Line > len(lines) {
			problems = append(problems, fmt.Sprintf("%s: %s has no line %d", e.Source, e.Path, e.Line))
			continue
		}
		text := bytes.TrimSuffix(lines[e.Line-1], []byte("\r"))
		active[r.Index] = true
		match := ""
		found := false
		m.MatchLine(text, e.Line, active, func(lm ruleset.LineMatch) {
			if lm.Rule == r && !found {
				found, match = true, string(text[lm.Start:lm.End])
			}
		})
		active[r.Index] = false
		if !found {
			problems = append(problems, fmt.Sprintf("%s: rule %s does not match line %d of %s", e.Source, r.ID, e.Line, e.Path))
			continue
		}
		f.Kind, f.Line, f.Match, f.LineText = scan.KindLine, e.Line, match, string(text)
		findings = append(findings, f)
	}
	return findings, problems
}
