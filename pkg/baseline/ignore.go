package baseline

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/scan"
)

// IgnoreFile is where a repository keeps its reviewed exceptions for
// `pushguard scan`, relative to the work tree's root. It is read by scan
// only: the pre-receive hook never reads a file the pusher controls.
const IgnoreFile = ".pushguard/ignore.yml"

// maxIgnoreSize bounds the ignore file read.
const maxIgnoreSize = 1 << 20

// MinIgnoreReason is how many characters an entry's reason needs.
const MinIgnoreReason = 10

// Ignore is a repository's list of reviewed exceptions: findings of the
// named rules on the named paths, each with the reason a reviewer
// accepted. Unlike a fingerprint baseline it also covers findings that do
// not exist yet (a new test key in a test file), so keep its paths narrow.
type Ignore struct {
	File    string
	Entries []IgnoreEntry
}

// IgnoreEntry is one exception: a finding is ignored when its rule matches
// one of Rules, its path one of Paths (when given) and its commit one of
// Commits (when given). Paths or Commits is required.
type IgnoreEntry struct {
	// Paths are doublestar globs on slash-separated repository paths
	// ("rules/*.yml", "testdata/**"). A finding without a path (commit
	// metadata) matches no path.
	Paths []string `yaml:"paths"`
	// Commits are full commit ids: the findings of history that cannot be
	// rewritten, such as a fake token quoted in a commit message.
	Commits []string `yaml:"commits"`
	// Rules are rule ids, "tag:NAME" for every rule with that tag, or "*".
	// Required.
	Rules []string `yaml:"rules"`
	// Reason says why the findings are safe; required.
	Reason string `yaml:"reason"`
	// Line is where the entry starts in the file.
	Line int `yaml:"-"`
	// Used counts the findings the entry ignored (Filter).
	Used int `yaml:"-"`
}

type ignoreDoc struct {
	Ignore []IgnoreEntry `yaml:"ignore"`
}

// LoadIgnore reads an ignore file. Every problem is reported as
// "file:line: message", joined with newlines.
func LoadIgnore(name string) (*Ignore, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIgnoreSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxIgnoreSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxIgnoreSize)
	}
	return ParseIgnore(name, data)
}

// ParseIgnore parses the YAML of an ignore file named name.
func ParseIgnore(name string, data []byte) (*Ignore, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var doc ignoreDoc
	if len(root.Content) > 0 {
		dec := root.Content[0]
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := knownKeys(name, dec); err != nil {
			return nil, err
		}
	}
	ig := &Ignore{File: name}
	var problems []string
	lines := entryLines(&root)
	for i, e := range doc.Ignore {
		if i < len(lines) {
			e.Line = lines[i]
		}
		at := fmt.Sprintf("%s:%d: ignore[%d]", name, e.Line, i)
		if len(e.Paths) == 0 && len(e.Commits) == 0 {
			problems = append(problems, at+": paths or commits: required (the files or the commits the exception covers)")
		}
		for _, c := range e.Commits {
			if len(c) != 40 || strings.Trim(strings.ToLower(c), "0123456789abcdef") != "" {
				problems = append(problems, fmt.Sprintf("%s: commits: %q is not a full commit id (40 hex digits)", at, c))
			}
		}
		for _, p := range e.Paths {
			if p == "" || !doublestar.ValidatePattern(p) {
				problems = append(problems, fmt.Sprintf("%s: paths: %q is not a valid glob", at, p))
			}
		}
		if len(e.Rules) == 0 {
			problems = append(problems, at+`: rules: required (rule ids, "tag:NAME" or "*")`)
		}
		if len(strings.TrimSpace(e.Reason)) < MinIgnoreReason {
			problems = append(problems, fmt.Sprintf("%s: reason: required, at least %d characters (why these findings are safe)", at, MinIgnoreReason))
		}
		ig.Entries = append(ig.Entries, e)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return ig, nil
}

// knownKeys refuses keys the format does not have (a typo would silently
// ignore nothing, or everything).
func knownKeys(name string, n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want a mapping with the key ignore", name, n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value != "ignore" {
			return fmt.Errorf("%s:%d: unknown key %q (want ignore)", name, k.Line, k.Value)
		}
		for _, e := range n.Content[i+1].Content {
			if e.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(e.Content); j += 2 {
				switch ek := e.Content[j]; ek.Value {
				case "paths", "commits", "rules", "reason":
				default:
					return fmt.Errorf("%s:%d: unknown key %q (want paths, commits, rules, reason)", name, ek.Line, ek.Value)
				}
			}
		}
	}
	return nil
}

// entryLines returns the line of each entry of the ignore list.
func entryLines(root *yaml.Node) []int {
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "ignore" {
			var out []int
			for _, e := range m.Content[i+1].Content {
				out = append(out, e.Line)
			}
			return out
		}
	}
	return nil
}

// Filter returns the findings no entry covers, and how many were ignored.
// A nil Ignore keeps everything.
func (ig *Ignore) Filter(fs []scan.Finding) ([]scan.Finding, int) {
	if ig == nil {
		return fs, 0
	}
	out := fs[:0]
	n := 0
	for _, f := range fs {
		if e := ig.match(f); e != nil {
			e.Used++
			n++
			continue
		}
		out = append(out, f)
	}
	return out, n
}

func (ig *Ignore) match(f scan.Finding) *IgnoreEntry {
	if f.Rule == nil {
		return nil
	}
	for i := range ig.Entries {
		e := &ig.Entries[i]
		if !matchRule(e.Rules, f) {
			continue
		}
		if len(e.Paths) > 0 && (f.Path == "" || !matchPath(e.Paths, path.Clean(f.Path))) {
			continue
		}
		if len(e.Commits) > 0 && !matchCommit(e.Commits, f.Commit.String()) {
			continue
		}
		return e
	}
	return nil
}

func matchCommit(ids []string, id string) bool {
	for _, c := range ids {
		if strings.EqualFold(c, id) {
			return true
		}
	}
	return false
}

func matchPath(globs []string, p string) bool {
	for _, g := range globs {
		if doublestar.MatchUnvalidated(g, p) {
			return true
		}
	}
	return false
}

func matchRule(sel []string, f scan.Finding) bool {
	for _, s := range sel {
		if s == "*" || s == f.Rule.ID {
			return true
		}
		if tag, ok := strings.CutPrefix(s, "tag:"); ok {
			for _, t := range f.Rule.Tags {
				if t == tag {
					return true
				}
			}
		}
	}
	return false
}
