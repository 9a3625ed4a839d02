package policy

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// rule is a valid rule file body with one rule per id.
func rule(ids ...string) string {
	var b strings.Builder
	b.WriteString("rules:\n")
	for _, id := range ids {
		b.WriteString("  - {id: " + id + ", severity: warn, message: m, content: {regex: x}}\n")
	}
	return b.String()
}

// mapSource is a Source over an in-memory FS.
func mapSource(name string, files map[string]string) Source {
	m := fstest.MapFS{}
	for p, body := range files {
		m[p] = &fstest.MapFile{Data: []byte(body), Mode: 0o644}
	}
	return Source{Name: name, FS: m, Root: "."}
}

// writeFiles writes files below a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func ids(p *Policy) []string {
	var out []string
	for _, r := range p.Rules.Rules {
		out = append(out, r.ID)
	}
	return out
}

// TestLoadEmbedded: the embedded rules load as pkg/ruleset reads them, with
// the embedded AI-tool markers, under version "embedded".
func TestLoadEmbedded(t *testing.T) {
	pol, err := Load(context.Background(), []Source{Embedded()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	var wantIDs []string
	for _, r := range ruleset.NewSet(want).Rules {
		wantIDs = append(wantIDs, r.ID)
	}
	if diff := cmp.Diff(wantIDs, ids(pol)); diff != "" {
		t.Errorf("embedded rules (-ruleset.LoadFS +Load):\n%s", diff)
	}
	if pol.Version != "embedded" {
		t.Errorf("Version = %q", pol.Version)
	}
	if !slices.Contains(pol.AI.Tools(), "claude-code") {
		t.Errorf("AI tools = %v; want the embedded markers", pol.AI.Tools())
	}
}

// TestLoadMerge: later sources replace earlier rules and AI tools by id,
// disabled removes, and the embedded markers are there even without the
// embedded rules.
func TestLoadMerge(t *testing.T) {
	tests := []struct {
		name    string
		srcs    []Source
		wantIDs []string
		tools   func([]string) bool
	}{
		{
			name:    "order and replacement",
			srcs:    []Source{mapSource("a", map[string]string{"1.yml": rule("x", "y"), "2.yaml": rule("z")}), mapSource("b", map[string]string{"r.yml": rule("y", "w")})},
			wantIDs: []string{"x", "y", "z", "w"},
		},
		{
			name: "disabled removes",
			srcs: []Source{
				mapSource("a", map[string]string{"1.yml": rule("x", "y")}),
				mapSource("b", map[string]string{"r.yml": "rules:\n  - {id: x, disabled: true}\n"}),
			},
			wantIDs: []string{"y"},
		},
		{
			name: "hidden and other files skipped",
			srcs: []Source{mapSource("a", map[string]string{
				"r.yml": rule("x"), ".hidden.yml": "not: [valid", ".git/config.yml": "x", "README.md": "# no", "sub/s.YML": rule("s"),
			})},
			wantIDs: []string{"x", "s"},
		},
		{
			name:    "embedded markers without embedded rules",
			srcs:    []Source{mapSource("a", map[string]string{"r.yml": rule("x")})},
			wantIDs: []string{"x"},
			tools:   func(t []string) bool { return slices.Contains(t, "claude-code") },
		},
		{
			name: "an admin's AI tool, and one embedded tool disabled",
			srcs: []Source{mapSource("a", map[string]string{
				"r.yml": "ai_tools:\n  - {id: my-agent, emails: ['^agent@example\\.com$']}\n  - {id: cursor, disabled: true}\n" + rule("x"),
			})},
			wantIDs: []string{"x"},
			tools: func(t []string) bool {
				return slices.Contains(t, "my-agent") && !slices.Contains(t, "cursor") && slices.Contains(t, "claude-code")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol, err := Load(context.Background(), tt.srcs, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantIDs, ids(pol)); diff != "" {
				t.Errorf("rule ids (-want +got):\n%s", diff)
			}
			if tt.tools != nil && !tt.tools(pol.AI.Tools()) {
				t.Errorf("AI tools = %v", pol.AI.Tools())
			}
		})
	}
}

// TestLoadPath: files and directories on disk, named by their path in
// messages; a single file may name an allowlist beside it.
func TestLoadPath(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"team/a.yml":     rule("a"),
		"team/sub/b.yml": rule("b"),
		"one.yml":        "rules:\n  - id: dep\n    severity: block\n    message: m\n    dependencies: {new: true, allowlist: allow.yml}\n",
		"allow.yml":      "npm: [react]\n",
	})
	pol, err := Load(context.Background(), []Source{Path(filepath.Join(dir, "team")), Path(filepath.Join(dir, "one.yml"))}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "dep"}, ids(pol)); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if got, want := pol.Rules.Rules[1].Source, filepath.Join(dir, "team", "sub", "b.yml")+":2"; got != want {
		t.Errorf("Source = %q; want %q", got, want)
	}
	if pol.Rules.Rules[2].MatchDependency("npm", "react") {
		t.Error("the allowlist beside the single file was not applied")
	}
}

// TestLoadErrors: every problem of every file and source is reported
// together, positioned; bounds are errors naming the file.
func TestLoadErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yml")
	bomb := "rules:\n  - id: bomb\n    severity: warn\n    message: m\n    content:\n      regex: zzzq\n      keywords:\n        - &a \"" + strings.Repeat("A", 100_000) + "\"\n" + strings.Repeat("        - *a\n", 3000)
	tests := []struct {
		name string
		srcs []Source
		opt  Options
		want []string
	}{
		{
			name: "all problems together",
			srcs: []Source{
				mapSource("a", map[string]string{
					"1.yml": "rules:\n  - {id: x, severity: fatal, message: m, content: {regex: x}}\n",
					"2.yml": "rules:\n  - {id: y, severity: warn, message: m, content: {regex: '('}}\n",
				}),
				mapSource("b", map[string]string{"r.yml": "ai_tools:\n  - {id: t, emails: ['(']}\nrules: []\n"}),
				Path(missing),
			},
			want: []string{
				`a:1.yml:2: rule "x": severity: invalid severity "fatal"`,
				`a:2.yml:2: rule "y": content.regex: invalid regex`,
				`b:r.yml:2: tool "t": emails[0]: invalid regular expression`,
				"rules " + missing + ": stat " + missing + ": no such file or directory",
			},
		},
		{
			name: "unknown AI tool id",
			srcs: []Source{mapSource("a", map[string]string{"r.yml": "rules:\n  - {id: x, severity: warn, message: m, ai: {tools: [claude]}}\n"})},
			want: []string{`a:r.yml:2: rule "x": ai.tools: unknown AI tool id "claude" (known: `},
		},
		{
			name: "no rule files",
			srcs: []Source{mapSource("a", map[string]string{"README.md": "x"})},
			want: []string{"a:.: no rule files (*.yml, *.yaml) found"},
		},
		{
			name: "file over the bound",
			srcs: []Source{mapSource("a", map[string]string{"big.yml": rule("x") + "# " + strings.Repeat("x", 2000) + "\n"})},
			opt:  Options{MaxFileBytes: 1000},
			want: []string{"a:big.yml: larger than 1000 bytes"},
		},
		{
			name: "load over the budget",
			srcs: []Source{mapSource("a", map[string]string{"1.yml": rule("x"), "2.yml": rule("y"), "3.yml": rule("z")})},
			opt:  Options{MaxBytes: 150},
			want: []string{"a:3.yml: rule files exceed the byte budget of a load (150 bytes)"},
		},
		{
			name: "alias bomb",
			srcs: []Source{mapSource("a", map[string]string{"bomb.yml": bomb})},
			want: []string{`a:bomb.yml:19: rule "bomb": aliases expand to more than 1048576 bytes of values (at alias *a)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(context.Background(), tt.srcs, tt.opt)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("%d problems; want %d:\n%s", len(lines), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("no problem starts with %q:\n%s", w, err)
				}
			}
		})
	}
}

// countingFS counts how often each file is opened or read.
type countingFS struct {
	fs.FS
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && !st.IsDir() {
			c.mu.Lock()
			c.reads[name]++
			c.mu.Unlock()
		}
	}
	return f, err
}

// TestLoadReadsEachFileOnce: one read, one parse, for rules and markers
// both (they used to be read and parsed twice).
func TestLoadReadsEachFileOnce(t *testing.T) {
	c := &countingFS{FS: rules.FS, reads: map[string]int{}}
	src := Source{Name: "e", FS: c, Root: "."}
	if _, err := Load(context.Background(), []Source{src}, Options{}); err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(rules.FS, "*.yml")
	for _, f := range files {
		if c.reads[f] != 1 {
			t.Errorf("%s read %d times; want 1", f, c.reads[f])
		}
	}
	if len(files) < 5 {
		t.Errorf("only %d embedded files", len(files))
	}
}

// cancelFS cancels a context when a file is opened: the context ends while
// that file is being loaded.
type cancelFS struct {
	fs.FS
	cancel func()
}

func (c cancelFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && !st.IsDir() {
			c.cancel()
		}
	}
	return f, err
}

// TestLoadContext: loading counts against the hook's time budget; it stops
// with an error wrapping the context's.
func TestLoadContext(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for _, srcs := range [][]Source{nil, {Embedded()}, {mapSource("a", map[string]string{"r.yml": rule("x")})}} {
		pol, err := Load(expired, srcs, Options{})
		if !errors.Is(err, context.DeadlineExceeded) || pol != nil {
			t.Errorf("Load(expired, %d sources) = %v, %v; want context.DeadlineExceeded", len(srcs), pol, err)
		}
	}
	// The context ends while the one rule file is read: its decoding
	// notices.
	ctx, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	src := Source{Name: "a", FS: cancelFS{FS: fstest.MapFS{"r.yml": {Data: []byte(rule("x", "y"))}}, cancel: cancel2}, Root: "r.yml"}
	// The embedded markers load first, before the context ends.
	pol, err := Load(ctx, []Source{src}, Options{})
	if !errors.Is(err, context.Canceled) || pol != nil {
		t.Errorf("Load cancelled during a file = %v, %v; want context.Canceled", pol, err)
	}
	// ValidatePush says the budget ran out.
	if err := ValidatePush(expired, Embedded(), Options{}); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "time budget") {
		t.Errorf("ValidatePush(expired) = %v", err)
	}
}

// TestLoadChecksAIToolIDs: rules naming an unknown AI tool are refused at
// their position; a tool the same file adds is known.
func TestLoadChecksAIToolIDs(t *testing.T) {
	tests := []struct {
		tools, wantErr string
	}{
		{"[claude-code, cursor]", ""},
		{"[declared]", ""},
		{"[claude]", `rule "x": ai.tools: unknown AI tool id "claude"`},
		{"[cursor, my-agent]", `unknown AI tool id "my-agent"`},
	}
	for _, tt := range tests {
		dir := writeFiles(t, map[string]string{"r.yml": "rules:\n  - {id: x, severity: warn, message: m, ai: {tools: " + tt.tools + "}}\n"})
		p := filepath.Join(dir, "r.yml")
		_, err := Load(context.Background(), []Source{Path(p)}, Options{})
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("tools %s: %v", tt.tools, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), p+":2:")):
			t.Errorf("tools %s: error %v; want %s at %s:2", tt.tools, err, tt.wantErr, p)
		}
	}
	dir := writeFiles(t, map[string]string{"r.yml": "ai_tools:\n  - {id: my-agent, emails: ['^agent@example\\.com$']}\nrules:\n  - {id: x, severity: warn, message: m, ai: {tools: [my-agent]}}\n"})
	if _, err := Load(context.Background(), []Source{Path(filepath.Join(dir, "r.yml"))}, Options{}); err != nil {
		t.Errorf("admin-defined tool: %v", err)
	}
}

// TestValidatePush: what a push to the policy repository must pass.
func TestValidatePush(t *testing.T) {
	good := "rules:\n  - id: t\n    severity: block\n    message: m\n    content: {regex: 'FIXME', keywords: [fixme]}\n    tests: {match: ['// FIXME'], nomatch: ['// fixed']}\n"
	tests := []struct {
		name, body, want string
	}{
		{"good", good, ""},
		{"broken", strings.Replace(good, "block", "blocker", 1), "the pushed rules do not load, so they cannot be deployed:\na:r.yml:3: rule \"t\": severity: invalid severity \"blocker\""},
		{"failing test", strings.Replace(good, "// fixed", "// FIXME too", 1), "the pushed rules fail 1 of their own tests, so they cannot be deployed:\na:r.yml:6: rule \"t\": should not match \"// FIXME too\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePush(context.Background(), mapSource("a", map[string]string{"r.yml": tt.body}), Options{})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ValidatePush: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Errorf("ValidatePush: %v; want %s", err, tt.want)
			}
		})
	}
}

// TestEmbeddedMarkersOnly: without the embedded rules, only the embedded
// files that name a marker key are parsed; they give the same AI tools as
// a full load of the embedded files.
func TestEmbeddedMarkersOnly(t *testing.T) {
	src := mapSource("a", map[string]string{"r.yml": rule("x")})
	only, err := Load(context.Background(), []Source{src}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	full, err := Load(context.Background(), []Source{Embedded(), src}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(full.AI.Tools(), only.AI.Tools()); diff != "" || len(only.AI.Tools()) < 5 {
		t.Errorf("AI tools (-full +markers only):\n%s", diff)
	}
}
