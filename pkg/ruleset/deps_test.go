package ruleset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// depRule is a rule file with one dependencies rule; cond is the YAML of
// the condition's keys, indented for the dependencies mapping.
func depRule(cond string) string {
	return "rules:\n  - id: dep\n    severity: block\n    message: new dependency\n    dependencies:\n" + cond
}

func TestDependenciesCondition(t *testing.T) {
	fsys := fstest.MapFS{
		"policy/strict.yml":      {Data: []byte(depRule("      new: true\n      allowlist: lists/allow.yml\n      ecosystems: [npm, pypi]\n      allow:\n        npm: [lodash]\n"))},
		"policy/lists/allow.yml": {Data: []byte("# vetted\nnpm: [react, \"@types/*\"]\npypi: [Flask_SQLAlchemy, \"django*\"]\ngo: [\"github.com/org/**\"]\n")},
	}
	// Loading the directory reads the allowlist as the rule's, and does not
	// take it for a rule file.
	rs, err := LoadFS(fsys, "policy")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("got %d rules, want 1", len(rs))
	}
	r := rs[0]
	if !r.HasDependencies() || r.Level() != LevelLine || r.Redact {
		t.Errorf("HasDependencies=%t Level=%v Redact=%t, want true, line, false", r.HasDependencies(), r.Level(), r.Redact)
	}
	for _, tt := range []struct {
		eco, name string
		want      bool
	}{
		{"npm", "react", false},
		{"npm", "react-dom", true},
		{"npm", "@types/node", false},
		{"npm", "@types/node/extra", true},  // * does not cross /
		{"npm", "lodash", false},            // inline allow
		{"pypi", "flask-sqlalchemy", false}, // PEP 503 on both sides
		{"pypi", "djangorestframework", false},
		{"pypi", "reqeusts", true},
		{"go", "github.com/org/x", false}, // not in ecosystems: never fires
		{"go", "github.com/evil/x", false},
		{"cargo", "serde", false},
	} {
		if got := r.MatchDependency(tt.eco, tt.name); got != tt.want {
			t.Errorf("MatchDependency(%s, %s) = %t, want %t", tt.eco, tt.name, got, tt.want)
		}
	}
}

func TestDependenciesAllowlistOnDisk(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "allow.yml"), []byte("cargo: [serde_json]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(file, []byte(depRule("      new: true\n      allowlist: allow.yml\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err := LoadPath(file)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].MatchDependency("cargo", "Serde-JSON") || !rs[0].MatchDependency("cargo", "serde") {
		t.Error("cargo allowlist from disk not applied in canonical form")
	}
}

func TestDependenciesErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"bad-allow.yml": {Data: []byte("npm: [ok, \"[bad\"]\npypy: [x]\n")},
		"list.yml":      {Data: []byte("- a\n")},
		"dir/x":         {Data: []byte("x")},
	}
	tests := []struct{ name, cond, want string }{
		{"new missing", "      ecosystems: [npm]\n", `dependencies: missing required key "new"`},
		{"new false", "      new: false\n", "only new: true is supported"},
		{"unknown ecosystem", "      new: true\n      ecosystems: [npm, pipy]\n", `unknown ecosystem "pipy" (did you mean "pypi"?)`},
		{"empty ecosystems", "      new: true\n      ecosystems: []\n", "empty list"},
		{"unknown key", "      new: true\n      allowlists: x.yml\n", `unknown key "allowlists" (did you mean "allowlist"?)`},
		{"bad inline glob", "      new: true\n      allow: {npm: [\"{a\"]}\n", `t.yml:7: rule "dep": dependencies.allow.npm[0]: invalid glob`},
		{"inline unknown ecosystem", "      new: true\n      allow: {maven: [x]}\n", `unknown key "maven"`},
		{"missing allowlist", "      new: true\n      allowlist: nope.yml\n", "cannot read the allowlist"},
		{"absolute allowlist in fs", "      new: true\n      allowlist: /etc/passwd\n", "must be a path relative to the rule file"},
		{"allowlist escapes the fs", "      new: true\n      allowlist: ../x.yml\n", "must stay within the rules directory"},
		{"allowlist is a directory", "      new: true\n      allowlist: dir\n", "not a regular file"},
		{"bad allowlist file", "      new: true\n      allowlist: bad-allow.yml\n", `bad-allow.yml:1: rule "dep": npm[1]: invalid glob "[bad"`},
		{"bad allowlist key", "      new: true\n      allowlist: bad-allow.yml\n", `bad-allow.yml:2: rule "dep": unknown key "pypy" (did you mean "pypi"?)`},
		{"allowlist not a mapping", "      new: true\n      allowlist: list.yml\n", "list.yml:1"},
		{"with content", "      new: true\n    content:\n      regex: x\n", "cannot be combined with content"},
		{"bad example", "      new: true\n    tests:\n      match: [\"maven:x\"]\n", `a dependency example is "ecosystem:name"`},
		{"example not a manifest", "      new: true\n    tests:\n      match: [{path: README.md, new: x}]\n", "is not a manifest"},
		{"example without new", "      new: true\n    tests:\n      match: [{path: go.mod}]\n", `needs "path" (the manifest) and "new"`},
		{"example with line", "      new: true\n    tests:\n      match: [{path: go.mod, new: x, line: y}]\n", "takes path, status, ref, old and new only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fstest.MapFS{"t.yml": {Data: []byte(depRule(tt.cond))}}
			for k, v := range fsys {
				f[k] = v
			}
			_, err := LoadFS(f, "t.yml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDependencyRuleTests(t *testing.T) {
	src := depRule(`      new: true
      allow: {npm: [react]}
    paths:
      exclude: [vendor/]
    tests:
      match:
        - npm:left-padd
        - {path: package.json, old: '{"dependencies": {"react": "17"}}', new: '{"dependencies": {"react": "17", "left-padd": "1"}}'}
        - {path: package.json, new: '{"dependencies": '}
      nomatch:
        - npm:react
        - {path: package.json, old: '{"dependencies": {"react": "17"}}', new: '{"dependencies": {"react": "18"}}'}
        - {path: vendor/package.json, new: '{"dependencies": {"left-padd": "1"}}'}
        - {path: package.json, new: '{"dependencies": {"left-padd": "1"}}', ref: refs/heads/main, status: deleted}
`)
	rs, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m, n := rs[0].TestCounts(); m != 3 || n != 4 {
		t.Fatalf("TestCounts = %d, %d; want 3, 4", m, n)
	}
	for _, f := range NewSet(rs).RunTests() {
		t.Error(f)
	}
	// A failing example says why.
	bad, err := Parse("t.yml", []byte(depRule("      new: true\n      allow: {npm: [react]}\n    tests:\n      match: [npm:react]\n")))
	if err != nil {
		t.Fatal(err)
	}
	fails := NewSet(bad).RunTests()
	if len(fails) != 1 || !strings.Contains(fails[0].Reason, `allowlisted by "react"`) {
		t.Errorf("RunTests = %v, want one failure explaining the allowlist", fails)
	}
}

// TestDependenciesAllowlistNeedsAPlace: rule text given without a place
// (Parse, as for rules read from a policy repository) never makes the
// loader read files.
func TestDependenciesAllowlistNeedsAPlace(t *testing.T) {
	_, err := Parse("policy:rules.yml", []byte(depRule("      new: true\n      allowlist: /etc/passwd\n")))
	if err == nil || !strings.Contains(err.Error(), "cannot name files") {
		t.Errorf("Parse error = %v, want the allowlist refused", err)
	}
	read := func(name string) ([]byte, string, error) { return []byte("npm: [react]\n"), "policy:" + name, nil }
	rs, err := ParseWith("policy:rules.yml", []byte(depRule("      new: true\n      allowlist: allow.yml\n")), read)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].MatchDependency("npm", "react") {
		t.Error("ParseWith did not apply the allowlist it read")
	}
}

func TestDiskReaderRefusesDirectories(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := DiskReader(filepath.Join(dir, "r.yml"))("."); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("DiskReader(dir) error = %v", err)
	}
}
