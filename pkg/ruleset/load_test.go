package ruleset

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/yamldoc"
)

// errorLines returns the messages of a load error, one per problem.
func errorLines(err error) []string {
	var out []string
	for _, e := range Errors(err) {
		out = append(out, e.Error())
	}
	return out
}

// ok is a valid rule body appended to test rules that need one.
const okRule = `
  - id: ok
    severity: info
    message: m
    paths: {include: ["*.x"]}
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "yaml syntax error",
			src:  "rules:\n  - id: a\n    severity: block: x\n",
			want: []string{`t.yml:3: invalid YAML: mapping values are not allowed in this context`},
		},
		{
			name: "tab indentation",
			src:  "rules:\n\t- id: a\n",
			want: []string{`t.yml:2: invalid YAML: found character that cannot start any token (YAML does not allow tabs for indentation)`},
		},
		{
			name: "unknown top-level key",
			src:  "rule:\n  - id: a\n",
			want: []string{
				`t.yml:1: unknown key "rule" (did you mean "rules"?) (valid keys: rules, ai_tools, declared_trailers, allowlist)`,
				`t.yml:1: missing required key "rules"`,
			},
		},
		{
			name: "top level not a mapping",
			src:  "- id: a\n",
			want: []string{`t.yml:1: a rule file is a mapping with a rules list, got a list`},
		},
		{
			name: "rules not a list",
			src:  "rules: {id: a}\n",
			want: []string{`t.yml:1: rules: expected a list of rules, got a mapping`},
		},
		{
			name: "rule not a mapping",
			src:  "rules:\n  - just a string\n",
			want: []string{`t.yml:2: rule #1: expected a mapping of keys, got the string "just a string"`},
		},
		{
			name: "unknown key in rule",
			src: `rules:
  - id: a
    severity: warn
    message: m
    path: {include: ["*.go"]}
    paths: {include: ["*.go"]}
`,
			want: []string{`t.yml:5: rule "a": unknown key "path" (did you mean "paths"?) (valid keys: id, description, severity, message, help, tags, redact, bypassable, suppressible, allowlist, disabled, refs, paths, commit, file, content, ai, require, tests, dependencies)`},
		},
		{
			name: "unknown key nested two levels",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content:
      regex: x
      entropy:
        min: 3
        grp: 1
`,
			want: []string{`t.yml:9: rule "a": content.entropy: unknown key "grp" (did you mean "group"?) (valid keys: min, group)`},
		},
		{
			name: "unknown key in a test example",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content: {regex: x}
    tests:
      match:
        - {line: x, file: y.go}
`,
			want: []string{`t.yml:8: rule "a": tests.match[0]: unknown key "file" (did you mean "line"?) (valid keys: line, path, status, size, binary, ref, message, author_name, author_email, committer_name, committer_email, signed, old, new)`},
		},
		{
			name: "missing id severity message",
			src: `rules:
  - description: d
    content: {regex: x}
`,
			want: []string{
				`t.yml:2: rule #1: missing required key "id"`,
				`t.yml:2: rule #1: missing required key "severity" (block, warn or info)`,
				`t.yml:2: rule #1: missing required key "message" (what the pusher reads when the rule fires)`,
			},
		},
		{
			name: "bad id",
			src: `rules:
  - id: "my rule"
    severity: warn
    message: m
    content: {regex: x}
`,
			want: []string{`t.yml:2: rule #1: id: invalid id "my rule": use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit`},
		},
		{
			name: "bad severity",
			src: `rules:
  - id: a
    severity: critical
    message: m
    content: {regex: x}
`,
			want: []string{`t.yml:3: rule "a": severity: invalid severity "critical": must be one of block, warn, info`},
		},
		{
			name: "empty message",
			src: `rules:
  - id: a
    severity: warn
    message: "  "
    content: {regex: x}
`,
			want: []string{`t.yml:4: rule "a": message: must not be empty: it is what the pusher reads`},
		},
		{
			name: "wrong types",
			src: `rules:
  - id: a
    severity: [warn]
    message: m
    disabled: "yes"
    tags: security
    content:
      regex: x
      keywords: [k]
      entropy: {min: high, group: 1.5}
`,
			want: []string{
				`t.yml:3: rule "a": severity: expected a string, got a list`,
				`t.yml:5: rule "a": disabled: expected true or false, got the string "yes"`,
				`t.yml:6: rule "a": tags: expected a list, got the string "security"`,
				`t.yml:10: rule "a": content.entropy.min: expected a finite number, got the string "high"`,
				`t.yml:10: rule "a": content.entropy.group: expected a whole number, got "1.5"`,
			},
		},
		{
			name: "null value",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content:
`,
			want: []string{`t.yml:5: rule "a": content: no value given (remove the key or give it a value)`},
		},
		{
			name: "duplicate key",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content: {regex: x}
    severity: block
`,
			want: []string{`t.yml:6: rule "a": severity: duplicate key (first given at line 3)`},
		},
		{
			name: "merge key",
			src: `base: &base {severity: warn}
rules:
  - <<: *base
    id: a
    message: m
    content: {regex: x}
`,
			want: []string{
				`t.yml:1: unknown key "base" (valid keys: rules, ai_tools, declared_trailers, allowlist)`,
				`t.yml:3: rule "a": merge keys (<<) are not supported; write the keys out`,
				`t.yml:3: rule "a": missing required key "severity" (block, warn or info)`,
			},
		},
		{
			name: "bad content regex",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content:
      regex: 'key=(\w+'
`,
			want: []string{`t.yml:6: rule "a": content.regex: invalid regex (Go RE2 syntax): missing closing ): "key=(\\w+"`},
		},
		{
			name: "lookahead is not RE2",
			src: `rules:
  - id: a
    severity: warn
    message: m
    commit:
      message: '^(?!Merge)'
`,
			want: []string{`t.yml:6: rule "a": commit.message: invalid regex (Go RE2 syntax): invalid or unsupported Perl syntax: "(?!" (RE2 has no lookaround or backreferences)`},
		},
		{
			name: "bad allow regex and empty keyword",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content:
      regex: x
      keywords: [x, ""]
      allow: ['ok', '[z']
`,
			want: []string{
				`t.yml:7: rule "a": content.keywords[1]: empty string`,
				`t.yml:8: rule "a": content.allow[1]: invalid regex (Go RE2 syntax): missing closing ]: "[z"`,
			},
		},
		{
			name: "regex matching the empty string",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content: {regex: 'x*'}
`,
			want: []string{`t.yml:5: rule "a": content.regex: matches the empty string, so it would fire on every line`},
		},
		{
			name: "content without regex",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content:
      keywords: [x]
`,
			want: []string{`t.yml:6: rule "a": content: missing required key "regex" (or "unicode")`},
		},
		{
			name: "bad globs",
			src: `rules:
  - id: a
    severity: warn
    message: m
    paths:
      include: ["src/**/*.go", "src/[a-"]
      exclude: ["{vendor,third_party"]
`,
			want: []string{
				`t.yml:6: rule "a": paths.include[1]: invalid glob "src/[a-": unbalanced [ ] or { }, or a trailing backslash`,
				`t.yml:7: rule "a": paths.exclude[0]: invalid glob "{vendor,third_party": unbalanced [ ] or { }, or a trailing backslash`,
			},
		},
		{
			name: "refs that can never match",
			src: `rules:
  - id: a
    severity: warn
    message: m
    refs: {include: [main, "heads/release-*", "refs/tags/v*", "**/main"]}
    paths: {include: ["*.go"]}
`,
			want: []string{
				`t.yml:5: rule "a": refs.include[0]: pattern "main" can never match: refs are full names (did you mean "refs/heads/main"?)`,
				`t.yml:5: rule "a": refs.include[1]: pattern "heads/release-*" can never match: refs are full names (did you mean "refs/heads/release-*"?)`,
			},
		},
		{
			name: "empty condition groups",
			src: `rules:
  - id: a
    severity: warn
    message: m
    paths: {}
    file: {}
    commit: {}
`,
			want: []string{
				`t.yml:5: rule "a": paths: needs include or exclude patterns (or remove paths)`,
				`t.yml:6: rule "a": file: needs at least one condition (status, size_min, binary)`,
				`t.yml:7: rule "a": commit: needs at least one condition (message, trailers_present, trailers_absent, author_name, author_email, committer_name, committer_email)`,
			},
		},
		{
			name: "refs alone is no condition",
			src: `rules:
  - id: a
    severity: warn
    message: m
    refs: {include: [refs/heads/main]}
`,
			want: []string{`t.yml:2: rule "a": no condition: a rule needs at least one of paths, file, commit, content, ai, require (refs alone would fire on every push)`},
		},
		{
			name: "bad size and status",
			src: `rules:
  - id: a
    severity: warn
    message: m
    file:
      size_min: 1.5MB
      status: [added, moved]
  - id: b
    severity: warn
    message: m
    file: {size_min: 5M, status: []}
`,
			want: []string{
				`t.yml:6: rule "a": file.size_min: invalid size "1.5MB": fractions are not supported (write 1500KB rather than 1.5MB)`,
				`t.yml:7: rule "a": file.status[1]: invalid status "moved": must be one of added, modified, deleted, renamed`,
				`t.yml:11: rule "b": file.size_min: invalid size "5M": unknown unit "M" (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)`,
				`t.yml:11: rule "b": file.status: empty list (remove it for the default: added, modified, renamed)`,
			},
		},
		{
			name: "bad entropy",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content:
      regex: 'k=(\w+)'
      entropy: {min: -0.5}
  - id: b
    severity: warn
    message: m
    content:
      regex: 'k=(\w+)'
      entropy:
        min: 9
        group: 2
  - id: c
    severity: warn
    message: m
    content:
      regex: 'k=(\w+)'
      entropy: {group: 1}
`,
			want: []string{
				`t.yml:7: rule "a": content.entropy.min: must not be negative, got -0.5`,
				`t.yml:14: rule "b": content.entropy.min: 9 can never be reached: entropy is at most 8 bits per byte`,
				`t.yml:15: rule "b": content.entropy.group: group 2 does not exist: the regex has 1 capture group(s)`,
				`t.yml:21: rule "c": content.entropy: missing required key "min"`,
			},
		},
		{
			name: "bad trailer key",
			src: `rules:
  - id: a
    severity: warn
    message: m
    commit:
      trailers_absent: ["Signed-off-by:"]
`,
			want: []string{`t.yml:6: rule "a": commit.trailers_absent[0]: invalid trailer key "Signed-off-by:": letters, digits and '-', without the colon (e.g. Signed-off-by)`},
		},
		{
			name: "duplicate id in one file",
			src: `rules:
  - id: a
    severity: warn
    message: m
    content: {regex: x}
  - id: b
    severity: warn
    message: m
    content: {regex: y}
  - id: a
    severity: block
    message: m
    content: {regex: z}
`,
			want: []string{`t.yml:10: rule "a": id: duplicate id: rule "a" is already defined at t.yml:2`},
		},
		{
			name: "bad tests",
			src: `rules:
  - id: a
    severity: warn
    message: m
    paths: {include: ["*.pem"]}
    tests:
      path: x.pem
      match:
        - {line: "x", path: a.pem}
        - {status: added}
      nomatch:
        - {path: a.pem, status: gone, size: 10QB}
  - id: b
    severity: warn
    message: m
    commit: {trailers_absent: [Signed-off-by]}
    tests:
      match:
        - {message: "fix", path: a.go}
  - id: c
    severity: warn
    message: m
    content: {regex: x}
    tests:
      match:
        - {size: 1KB}
      nomatch: []
`,
			want: []string{
				`t.yml:7: rule "a": tests.path: only applies to rules with a content condition (give the path in each example)`,
				`t.yml:9: rule "a": tests.match[0].line: only applies to rules with a content condition`,
				`t.yml:10: rule "a": tests.match[1]: missing required key "path" (the examples of a file rule are paths)`,
				`t.yml:12: rule "a": tests.nomatch[0].status: invalid status "gone": must be one of added, modified, deleted, renamed`,
				`t.yml:12: rule "a": tests.nomatch[0].size: invalid size "10QB": unknown unit "QB" (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)`,
				`t.yml:19: rule "b": tests.match[0]: path, status, size and binary do not apply to a commit rule`,
				`t.yml:26: rule "c": tests.match[0]: missing required key "line" (the examples of a content rule are added lines)`,
				`t.yml:26: rule "c": tests.match[0]: status, size and binary need a path`,
			},
		},
		{
			name: "all problems of all rules are reported",
			src: `rules:
  - id: a
    severity: fatal
    message: m
    content: {regex: "("}
` + okRule + `
  - id: c
    message: m
    paths: {include: ["["]}
`,
			want: []string{
				`t.yml:3: rule "a": severity: invalid severity "fatal": must be one of block, warn, info`,
				`t.yml:5: rule "a": content.regex: invalid regex (Go RE2 syntax): missing closing ): "("`,
				`t.yml:12: rule "c": missing required key "severity" (block, warn or info)`,
				`t.yml:14: rule "c": paths.include[0]: invalid glob "[": unbalanced [ ] or { }, or a trailing backslash`,
			},
		},
		{
			name: "a second document",
			src:  "rules:" + okRule + "---\nrules:\n  - id: z\n    severity: no\n    message: m\n    content: {regex: x}\n",
			want: []string{`t.yml:7: only one YAML document per file is allowed`},
		},
		{
			name: "duplicate top-level key",
			src:  "rules:" + okRule + "rules: []\n",
			want: []string{`t.yml:6: rules: duplicate key (first given at line 1)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := Parse("t.yml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded with %d rules; want errors", len(rules))
			}
			if rules != nil {
				t.Errorf("Parse returned %d rules with an error; want none", len(rules))
			}
			if diff := cmp.Diff(tt.want, errorLines(err)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantIDs []string
		wantSrc []string
	}{
		{name: "empty file", src: ""},
		{name: "comments only", src: "# nothing yet\n"},
		{name: "rules commented out", src: "rules:\n# - id: a\n"},
		{name: "empty list", src: "rules: []\n"},
		{
			name:    "one rule",
			src:     "# header\nrules:" + okRule,
			wantIDs: []string{"ok"},
			wantSrc: []string{"t.yml:3"},
		},
		{
			name:    "one rule in flow style",
			src:     "rules: [{id: other, severity: warn, message: m, commit: {message: wip}}]\n",
			wantIDs: []string{"other"},
			wantSrc: []string{"t.yml:1"},
		},
		{
			// These keys belong to pkg/provenance, which validates them.
			name:    "AI tool markers are left alone",
			src:     "declared_trailers: [{key: Assisted-by}]\nai_tools:\n  - {id: x, whatever: [1, 2]}\nrules:" + okRule,
			wantIDs: []string{"ok"},
		},
		{
			name: "AI tool markers only",
			src:  "ai_tools: []\n",
		},
		{
			name:    "disabled rule needs only an id",
			src:     "rules:\n  - id: aws-access-key-id\n    disabled: true\n",
			wantIDs: []string{"aws-access-key-id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := Parse("t.yml", []byte(tt.src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var ids, srcs []string
			for _, r := range rules {
				ids = append(ids, r.ID)
				srcs = append(srcs, r.Source)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if tt.wantSrc != nil {
				if diff := cmp.Diff(tt.wantSrc, srcs); diff != "" {
					t.Errorf("sources (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestAliases(t *testing.T) {
	// Anchors are defined inside the rules (an extra top-level key would be
	// an unknown key) and can be used by later rules.
	src := `rules:
  - id: a
    severity: warn
    message: m
    content: {regex: x, stopwords: &w [example]}
  - id: b
    severity: warn
    message: m
    content: {regex: y, stopwords: *w}
`
	rules, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := rules[1].content.stopwords; !cmp.Equal(got, []string{"example"}) {
		t.Errorf("stopwords of b = %q; want [example]", got)
	}
}

// aliasBomb returns a rule file whose rule "bomb" names a string of size
// bytes n times under key (tests.nomatch or content.keywords).
func aliasBomb(key string, size, n int) string {
	var b strings.Builder
	b.WriteString("rules:\n  - id: bomb\n    severity: warn\n    message: m\n    content:\n      regex: zzzq\n")
	if key == "keywords" {
		b.WriteString("      keywords:\n")
	} else {
		b.WriteString("    tests:\n      nomatch:\n")
	}
	b.WriteString("        - &a \"" + strings.Repeat("A", size) + "\"\n")
	for range n {
		b.WriteString("        - *a\n")
	}
	return b.String()
}

func TestAliasBomb(t *testing.T) {
	// 3000 rules aliasing one rule whose tests alias a list of 3000
	// examples: 9 million nodes from 40 KB of YAML.
	var nodes strings.Builder
	nodes.WriteString("rules:\n  - &r\n    id: a\n    severity: warn\n    message: m\n    content: {regex: x}\n    tests:\n      match: &m [")
	for i := range 3000 {
		if i > 0 {
			nodes.WriteString(",")
		}
		nodes.WriteString("x")
	}
	nodes.WriteString("]\n")
	for range 3000 {
		nodes.WriteString("  - *r\n")
	}
	// The bounds are on nodes and bytes, not time (no timing assertions):
	// the positioned error proves the expansion stopped early. A 100 KB
	// string named 3000 times is 300 MB once expanded (issue 10).
	tests := []struct {
		name, src, want string
	}{
		{"many nodes", nodes.String(), `bomb.yml:182: rule #175: aliases expand to more than 1048576 bytes of values (at alias *r); write the values out instead`},
		{"large example", aliasBomb("tests", 100_000, 3000), `bomb.yml:20: rule "bomb": aliases expand to more than 1048576 bytes of values (at alias *a); write the values out instead`},
		{"large keyword", aliasBomb("keywords", 100_000, 3000), `bomb.yml:19: rule "bomb": aliases expand to more than 1048576 bytes of values (at alias *a); write the values out instead`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bomb.yml", []byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse of an alias bomb: error %v; want %s", err, tt.want)
			}
		})
	}
	// Well under the bound, aliases work.
	if _, err := Parse("ok.yml", []byte(aliasBomb("keywords", 1000, 100))); err != nil {
		t.Errorf("100 aliases of 1 KB: %v", err)
	}
}

// TestAliasBombDecoder: the decoder bounds what it reaches through aliases
// on its own, for documents it did not parse itself (a dependency
// allowlist a rule names, a document given to DecodeDocument).
func TestAliasBombDecoder(t *testing.T) {
	unbounded := func(src string) *yaml.Node {
		doc, err := yamldoc.Parse([]byte(src), -1)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	_, err := DecodeDocument(context.Background(), "bomb.yml", unbounded(aliasBomb("keywords", 100_000, 3000)), nil)
	if err == nil || !strings.Contains(err.Error(), `bomb.yml:19: rule "bomb": aliases expand to more than 1048576 bytes`) {
		t.Errorf("DecodeDocument of a byte bomb: %v", err)
	}
	_, err = DecodeDocument(context.Background(), "bomb.yml", unbounded(aliasBomb("keywords", 1, 200_000)), nil)
	if err == nil || !strings.Contains(err.Error(), "too many aliases") {
		t.Errorf("DecodeDocument of a node bomb: %v", err)
	}
	// An allowlist file a rule names is decoded here, not parsed by
	// yamldoc: its aliases are bounded too.
	var allow strings.Builder
	allow.WriteString("npm:\n  - &a \"" + strings.Repeat("a", 100_000) + "\"\n")
	for range 3000 {
		allow.WriteString("  - *a\n")
	}
	read := func(name string) ([]byte, string, error) { return []byte(allow.String()), "policy:" + name, nil }
	_, err = ParseWith("policy:rules.yml", []byte(depRule("      new: true\n      allowlist: allow.yml\n")), read)
	if err == nil || !strings.Contains(err.Error(), "aliases expand to more than 1048576 bytes") {
		t.Errorf("allowlist alias bomb: %v", err)
	}
}

// TestDecodeDocumentContext: decoding stops when the context is done, with
// an error that wraps the context's.
func TestDecodeDocumentContext(t *testing.T) {
	doc, err := ParseDocument("r.yml", []byte("rules:"+okRule))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	rules, err := DecodeDocument(ctx, "r.yml", doc, nil)
	if !errors.Is(err, context.DeadlineExceeded) || rules != nil {
		t.Errorf("DecodeDocument with an expired context = %v, %v; want DeadlineExceeded", rules, err)
	}
	if rules, err := DecodeDocument(context.Background(), "r.yml", doc, nil); err != nil || len(rules) != 1 {
		t.Errorf("DecodeDocument = %v, %v", rules, err)
	}
	if rules, err := DecodeDocument(context.Background(), "r.yml", nil, nil); err != nil || rules != nil {
		t.Errorf("DecodeDocument(nil) = %v, %v", rules, err)
	}
}

func TestLoadPath(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rule := func(id string) string {
		return "rules:\n  - {id: " + id + ", severity: warn, message: m, paths: {include: ['*.x']}}\n"
	}
	write("b.yml", rule("b"))
	write("a.yaml", rule("a"))
	write("sub/c.yml", rule("c"))
	write("sub/README.md", "not rules")
	write(".github/workflows/ci.yml", "on: push\n")
	write(".hidden.yml", "garbage: [")

	t.Run("directory", func(t *testing.T) {
		rules, err := LoadPath(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rules {
			got = append(got, r.ID+"@"+strings.TrimPrefix(r.Source, dir+string(filepath.Separator)))
		}
		want := []string{"a@a.yaml:2", "b@b.yml:2", "c@" + filepath.Join("sub", "c.yml") + ":2"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rules (-want +got):\n%s", diff)
		}
	})
	t.Run("file", func(t *testing.T) {
		rules, err := LoadPath(filepath.Join(dir, "sub", "c.yml"))
		if err != nil || len(rules) != 1 || rules[0].ID != "c" {
			t.Fatalf("LoadPath(file) = %v, %v; want rule c", rules, err)
		}
	})
	t.Run("errors of every file", func(t *testing.T) {
		bad := t.TempDir()
		os.WriteFile(filepath.Join(bad, "1.yml"), []byte("rules:\n  - {id: a, severity: x, message: m, paths: {include: ['*.x']}}\n"), 0o644)
		os.WriteFile(filepath.Join(bad, "2.yml"), []byte("rules:\n  - {id: b, severity: warn, message: m}\n"), 0o644)
		_, err := LoadPath(bad)
		want := []string{
			filepath.Join(bad, "1.yml") + `:2: rule "a": severity: invalid severity "x": must be one of block, warn, info`,
			filepath.Join(bad, "2.yml") + `:2: rule "b": no condition: a rule needs at least one of paths, file, commit, content, ai, require (refs alone would fire on every push)`,
		}
		if diff := cmp.Diff(want, errorLines(err)); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
	})
	t.Run("empty directory", func(t *testing.T) {
		empty := t.TempDir()
		_, err := LoadPath(empty)
		if err == nil || !strings.Contains(err.Error(), "no *.yml or *.yaml rule files found") {
			t.Errorf("LoadPath(empty dir) error = %v; want no rule files found", err)
		}
	})
	t.Run("missing path", func(t *testing.T) {
		_, err := LoadPath(filepath.Join(dir, "nope"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("LoadPath(missing) error = %v; want fs.ErrNotExist", err)
		}
	})
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"packs/z.yml":      {Data: []byte("rules:\n  - {id: z, severity: warn, message: m, commit: {message: wip}}\n")},
		"packs/a/y.yml":    {Data: []byte("rules:\n  - {id: y, severity: warn, message: m, commit: {message: wip}}\n")},
		"packs/notes.txt":  {Data: []byte("ignored")},
		"other/broken.yml": {Data: []byte("rules: [")},
	}
	rules, err := LoadFS(fsys, "packs")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rules {
		got = append(got, r.Source)
	}
	if diff := cmp.Diff([]string{"packs/a/y.yml:2", "packs/z.yml:2"}, got); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if _, err := LoadFS(fsys, "."); err == nil || !strings.Contains(err.Error(), "other/broken.yml") {
		t.Errorf("LoadFS(.) error = %v; want the broken file named", err)
	}
	if _, err := LoadFS(fsys, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFS(missing) error = %v; want fs.ErrNotExist", err)
	}
}

func TestErrorRendering(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "f.yml", Line: 3, Rule: "a", RuleNum: 1, Key: "content.regex", Msg: "bad"}, `f.yml:3: rule "a": content.regex: bad`},
		{Error{File: "f.yml", Line: 3, RuleNum: 2, Msg: "bad"}, `f.yml:3: rule #2: bad`},
		{Error{File: "f.yml", Msg: "invalid YAML: x"}, `f.yml: invalid YAML: x`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q; want %q", got, tt.want)
		}
	}
	// Errors flattens joined errors, unwraps wrapped ones and keeps others.
	e1, e2 := &Error{File: "a", Msg: "1"}, &Error{File: "b", Msg: "2"}
	joined := errors.Join(e1, fmt.Errorf("context: %w", e2), errors.New("read x: permission denied"))
	got := Errors(joined)
	if len(got) != 3 || got[0] != e1 || got[1] != e2 || got[2].Msg != "read x: permission denied" {
		t.Errorf("Errors(joined) = %+v", got)
	}
	if Errors(nil) != nil {
		t.Error("Errors(nil) is not nil")
	}

	_, err := Parse("f.yml", []byte("rules:\n  - {id: a}\n"))
	errs := Errors(err)
	if len(errs) != 3 || errs[0].Line != 2 || errs[0].Column != 5 || errs[0].Rule != "a" || errs[0].RuleNum != 1 {
		t.Errorf("Errors() = %+v; want 3 problems at 2:5 in rule a", errs)
	}
}
