package provenance

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/yamldoc"
)

func TestParseToolSpecsErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // every problem, in order, as rendered
	}{
		{
			name: "unknown key in a tool",
			yaml: "ai_tools:\n  - id: x\n    emails: ['^x@y$']\n    emial: ['^x@y$']\n",
			want: []string{`t.yml:4: tool "x": unknown key "emial" (valid keys: id, name, disabled, trailers, trailer_keys, message, subject_prefix, emails, names, identities, branches, files, declared_values)`},
		},
		{
			name: "invalid regex at its own line",
			yaml: "ai_tools:\n  - id: x\n    emails:\n      - '^ok@x$'\n      - '(unclosed'\n",
			want: []string{"t.yml:5: tool \"x\": emails[1]: invalid regular expression: error parsing regexp: missing closing ): `(unclosed`"},
		},
		{
			name: "regex matching everything",
			yaml: "ai_tools:\n  - id: x\n    message: ['.*']\n",
			want: []string{`t.yml:3: tool "x": message[0]: regular expression ".*" matches the empty string, so it would match everything`},
		},
		{
			name: "invalid glob",
			yaml: "ai_tools:\n  - id: x\n    files: ['a/[b']\n",
			want: []string{`t.yml:3: tool "x": files[0]: invalid glob "a/[b"`},
		},
		{
			name: "branch glob with refs/heads",
			yaml: "ai_tools:\n  - id: x\n    branches: ['refs/heads/x/**']\n",
			want: []string{`t.yml:3: tool "x": branches[0]: branch globs match short branch names: write "refs/heads/x/**" without refs/heads/`},
		},
		{
			name: "absolute file glob",
			yaml: "ai_tools:\n  - id: x\n    files: ['/X.md']\n",
			want: []string{`t.yml:3: tool "x": files[0]: paths are relative to the repository root: write "/X.md" without the leading slash`},
		},
		{
			name: "missing id",
			yaml: "ai_tools:\n  - name: X\n    emails: ['^x@y$']\n",
			want: []string{`t.yml:2: ai_tools[0]: id is missing`},
		},
		{
			name: "invalid id",
			yaml: "ai_tools:\n  - id: Claude Code\n    emails: ['^x@y$']\n",
			want: []string{`t.yml:2: id: invalid id "Claude Code": use lower-case letters, digits and single dashes (e.g. claude-code), at most 64 characters`},
		},
		{
			name: "no signals",
			yaml: "ai_tools:\n  - id: x\n    name: X\n",
			want: []string{`t.yml:2: tool "x": no signals: give at least one of trailers, trailer_keys, message, subject_prefix, emails, names, identities, branches, files, declared_values`},
		},
		{
			name: "duplicate key",
			yaml: "ai_tools:\n  - id: x\n    emails: ['^a@b$']\n    emails: ['^c@d$']\n",
			want: []string{`t.yml:4: tool "x": emails: duplicate key (first given at line 3)`},
		},
		{
			name: "string instead of a list",
			yaml: "ai_tools:\n  - id: x\n    emails: '^a@b$'\n",
			want: []string{`t.yml:3: tool "x": emails: expected a list of patterns, got the string "^a@b$"`},
		},
		{
			name: "empty value",
			yaml: "ai_tools:\n  - id: x\n    names:\n",
			want: []string{`t.yml:3: tool "x": names: no value given (remove the key or give it a list)`},
		},
		{
			name: "number instead of a string",
			yaml: "ai_tools:\n  - id: x\n    files: [123]\n",
			want: []string{`t.yml:3: tool "x": files[0]: expected a string, got "123" (quote it)`},
		},
		{
			name: "disabled not a bool",
			yaml: "ai_tools:\n  - id: x\n    disabled: maybe\n",
			want: []string{`t.yml:3: tool "x": disabled: expected true or false, got the string "maybe"`},
		},
		{
			name: "trailer key with the colon",
			yaml: "ai_tools:\n  - id: x\n    trailers:\n      - key: 'Co-authored-by:'\n        value: 'x'\n",
			want: []string{`t.yml:4: tool "x": trailers[0].key: invalid trailer key "Co-authored-by:": letters, digits and dashes only, without the colon`},
		},
		{
			name: "trailer entry as a string",
			yaml: "ai_tools:\n  - id: x\n    trailers: [Made-with]\n",
			want: []string{`t.yml:3: tool "x": trailers[0]: expected a mapping {key, value, not_value, strong}, got the string "Made-with" (use trailer_keys for a key alone)`},
		},
		{
			name: "trailer entry without key, with unknown field",
			yaml: "ai_tools:\n  - id: x\n    trailers:\n      - value: 'x'\n        valeu: 'y'\n",
			want: []string{
				`t.yml:5: tool "x": trailers[0]: unknown key "valeu" (valid keys: key, value, not_value, strong)`,
				`t.yml:4: tool "x": trailers[0]: key is missing`,
			},
		},
		{
			name: "pattern mapping without pattern",
			yaml: "ai_tools:\n  - id: x\n    files:\n      - strong: true\n",
			want: []string{`t.yml:4: tool "x": files[0]: pattern is missing`},
		},
		{
			name: "pattern mapping unknown key",
			yaml: "ai_tools:\n  - id: x\n    files:\n      - {pattern: X.md, strnog: true}\n",
			want: []string{`t.yml:4: tool "x": files[0]: unknown key "strnog" (valid keys: pattern, strong)`},
		},
		{
			name: "declared pseudo-tool with other signals",
			yaml: "ai_tools:\n  - id: declared\n    trailer_keys: [Assisted-by]\n    emails: ['^a@b$']\n",
			want: []string{`t.yml:2: tool "declared": emails: the declared pseudo-tool holds declared-use trailers only (trailers, trailer_keys)`},
		},
		{
			name: "strong on a declared trailer",
			yaml: "declared_trailers:\n  - key: Assisted-by\n    strong: false\n",
			want: []string{`t.yml:2: tool "declared": trailers[0].strong: strong has no meaning for declared-use trailers: a declaration always counts`},
		},
		{
			name: "declared_trailers not a list",
			yaml: "declared_trailers: Assisted-by\n",
			want: []string{`t.yml:1: tool "declared": declared_trailers: expected a list of trailers, got the string "Assisted-by"`},
		},
		{
			name: "ai_tools not a list",
			yaml: "ai_tools:\n  id: x\n",
			want: []string{`t.yml:2: ai_tools: expected a list of tools, got a mapping`},
		},
		{
			name: "tool not a mapping",
			yaml: "ai_tools:\n  - claude-code\n",
			want: []string{`t.yml:2: ai_tools[0]: expected a mapping (id, name and signal lists), got the string "claude-code"`},
		},
		{
			name: "YAML syntax error",
			yaml: "ai_tools:\n  - id: x\n    name: a: b\n",
			want: []string{`t.yml:3: invalid YAML: mapping values are not allowed in this context`},
		},
		{
			name: "two documents",
			yaml: "ai_tools: []\n---\nai_tools: []\n",
			want: []string{`t.yml:3: only one YAML document per file is allowed`},
		},
		{
			name: "several problems at once",
			yaml: "ai_tools:\n  - id: a\n    emails: ['(']\n  - id: b\n    files: ['[']\n",
			want: []string{
				"t.yml:3: tool \"a\": emails[0]: invalid regular expression: error parsing regexp: missing closing ): `(`",
				`t.yml:5: tool "b": files[0]: invalid glob "["`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			specs, err := ParseToolSpecs("t.yml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error; specs %+v", specs)
			}
			var got []string
			for _, e := range SpecErrors(err) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			var se *SpecError
			if !errors.As(err, &se) || se.File != "t.yml" {
				t.Errorf("errors.As(*SpecError) = %v", se)
			}
		})
	}
}

func TestParseToolSpecsOK(t *testing.T) {
	src := `
rules:
  - id: some-rule            # the rule loader's business
    anything: goes
declared_trailers: [Assisted-by, {key: AI-assisted, not_value: '^no$'}]
x-shared: &aider-files ['**/.aider.conf.yml']
ai_tools:
  - id: aider
    name: Aider
    subject_prefix: ['aider: ']
    files: *aider-files
  - id: claude-code
    trailers:
      - {key: Co-authored-by, value: '<noreply@anthropic\.com>$', strong: true}
    branches:
      - {pattern: 'claude/**', strong: true}
`
	// Other top-level keys belong to the rule loader (pkg/ruleset), which
	// rejects unknown ones; the markers decoder ignores them.
	if specs, err := ParseToolSpecs("ok.yml", []byte(src)); err != nil || len(specs) != 3 { // declared + aider + claude-code
		t.Fatalf("specs = %d, err = %v", len(specs), err)
	}
	src = strings.Replace(src, "x-shared: &aider-files ['**/.aider.conf.yml']\n", "", 1)
	src = strings.Replace(src, "files: *aider-files", "files: &aider-files ['**/.aider.conf.yml']\n    branches: *aider-files", 1)
	specs, err := ParseToolSpecs("ok.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	want := []ToolSpec{
		{ID: DeclaredID, Name: "Declared AI use", File: "ok.yml", Line: 5, Trailers: []TrailerSpec{
			{Key: "Assisted-by", Line: 5},
			{Key: "AI-assisted", NotValue: "^no$", Line: 5},
		}},
		{ID: "aider", Name: "Aider", File: "ok.yml", Line: 7,
			SubjectPrefix: []Pattern{{Pattern: "aider: ", Line: 9}},
			Files:         []Pattern{{Pattern: "**/.aider.conf.yml", Line: 10}},
			Branches:      []Pattern{{Pattern: "**/.aider.conf.yml", Line: 10}},
		},
		{ID: "claude-code", File: "ok.yml", Line: 12,
			Trailers: []TrailerSpec{{Key: "Co-authored-by", Value: `<noreply@anthropic\.com>$`, Strong: &yes, Line: 14}},
			Branches: []Pattern{{Pattern: "claude/**", Strong: &yes, Line: 16}},
		},
	}
	if diff := cmp.Diff(want, specs); diff != "" {
		t.Errorf("specs (-want +got):\n%s", diff)
	}

	for _, empty := range []string{"", "# only a comment\n", "rules: []\n"} {
		specs, err := ParseToolSpecs("e.yml", []byte(empty))
		if err != nil || len(specs) != 0 {
			t.Errorf("ParseToolSpecs(%q) = %v, %v; want no specs", empty, specs, err)
		}
	}
}

// TestDecodeCoversSchema checks that every yaml key of the schema types is
// decoded (the decoder lists keys explicitly).
func TestDecodeCoversSchema(t *testing.T) {
	var b strings.Builder
	b.WriteString("ai_tools:\n  - id: x\n")
	typ := reflect.TypeFor[ToolSpec]()
	for i := range typ.NumField() {
		tag := typ.Field(i).Tag.Get("yaml")
		switch tag {
		case "", "-", "id":
			continue
		case "name":
			b.WriteString("    name: X\n")
		case "disabled":
			b.WriteString("    disabled: false\n")
		case "trailers":
			b.WriteString("    trailers: [{key: K, value: v, not_value: w, strong: false}]\n")
		default:
			b.WriteString("    " + tag + ": [{pattern: 'x', strong: true}]\n")
		}
	}
	specs, err := ParseToolSpecs("all.yml", []byte(strings.Replace(b.String(), "declared_values: [{pattern: 'x', strong: true}]", "declared_values: ['x']", 1)))
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(specs[0])
	for i := range typ.NumField() {
		f := typ.Field(i)
		if tag := f.Tag.Get("yaml"); tag != "-" && tag != "disabled" && v.Field(i).IsZero() {
			t.Errorf("key %s was not decoded", tag)
		}
	}
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"ai-tools.yml": {Data: []byte("ai_tools:\n  - id: x\n    emails: ['^x@x$']\n")},
		"bad.yml":      {Data: []byte("ai_tools:\n  - id: x\n")},
	}
	specs, err := LoadFS(fsys, "ai-tools.yml")
	if err != nil || len(specs) != 1 || specs[0].ID != "x" || specs[0].File != "ai-tools.yml" {
		t.Fatalf("LoadFS = %+v, %v", specs, err)
	}
	if _, err := LoadFS(fsys, "bad.yml"); err == nil || !strings.HasPrefix(err.Error(), `bad.yml:2: tool "x": no signals`) {
		t.Errorf("LoadFS(bad) err = %v", err)
	}
	if _, err := LoadFS(fsys, "missing.yml"); err == nil || !strings.Contains(err.Error(), "reading AI tool markers") {
		t.Errorf("LoadFS(missing) err = %v", err)
	}
}

func TestDecodeToolSpecsNodes(t *testing.T) {
	var doc struct {
		AITools  yaml.Node `yaml:"ai_tools"`
		Declared yaml.Node `yaml:"declared_trailers"`
	}
	src := "declared_trailers: [Assisted-by]\nai_tools:\n  - id: x\n    emails: ['(']\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	_, err := DecodeToolSpecs("r.yml", &doc.AITools, &doc.Declared)
	if err == nil || err.Error() != "r.yml:4: tool \"x\": emails[0]: invalid regular expression: error parsing regexp: missing closing ): `(`" {
		t.Errorf("err = %v", err)
	}
	specs, err := DecodeToolSpecs("r.yml", nil, &doc.Declared)
	if err != nil || len(specs) != 1 || specs[0].ID != DeclaredID {
		t.Errorf("DecodeToolSpecs(declared only) = %+v, %v", specs, err)
	}
}

func TestAliasBomb(t *testing.T) {
	// yaml.v3 refuses the worst bombs while parsing; the decoder's own
	// budget covers what is left: many aliases of one large node.
	leaf := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x"}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for range 1000 {
		seq.Content = append(seq.Content, leaf)
	}
	lists := &yaml.Node{Kind: yaml.SequenceNode}
	tool := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "id"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "x"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "files"}, seq,
	}}
	for range 300 {
		lists.Content = append(lists.Content, &yaml.Node{Kind: yaml.AliasNode, Alias: tool})
	}
	_, err := DecodeToolSpecs("bomb.yml", lists, nil)
	if err == nil || !strings.Contains(err.Error(), "document too large") {
		t.Errorf("err = %v", err)
	}
}

func TestCompileOverrideAndDisable(t *testing.T) {
	base, err := ParseToolSpecs("base.yml", []byte(`
declared_trailers: [Assisted-by]
ai_tools:
  - id: claude-code
    trailers: [{key: Co-authored-by, value: '<noreply@anthropic\.com>$'}]
  - id: cursor
    trailer_keys: [Made-with]
  - id: aider
    subject_prefix: ['aider: ']
`))
	if err != nil {
		t.Fatal(err)
	}
	override, err := ParseToolSpecs("site.yml", []byte(`
ai_tools:
  - id: claude-code            # replaced whole: only the session trailer now
    name: Claude (site)
    trailer_keys: [Claude-Session]
  - id: cursor
    disabled: true
  - id: my-agent               # a tool pushguard does not ship
    emails: ['^agent@corp\.example$']
    branches: [{pattern: 'agent/**', strong: true}]
`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(append(base, override...))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"aider", "claude-code", "declared", "my-agent"}, d.Tools()); diff != "" {
		t.Errorf("Tools (-want +got):\n%s", diff)
	}
	if got := d.ToolName("claude-code"); got != "Claude (site)" {
		t.Errorf("ToolName = %q", got)
	}
	if got := d.ToolName("aider"); got != "aider" {
		t.Errorf("ToolName(no name) = %q", got)
	}
	tests := []struct {
		name string
		in   Input
		want []string
	}{
		{"replaced spec drops its old trailer", Input{Message: "x\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"}, nil},
		{"replaced spec has its new trailer", Input{Message: "x\n\nClaude-Session: abc\n"}, []string{"claude-code"}},
		{"disabled tool", Input{Message: "x\n\nMade-with: Cursor\n"}, nil},
		{"untouched tool", Input{Message: "aider: x\n"}, []string{"aider"}},
		{"new tool identity", Input{Message: "x\n", AuthorEmail: "agent@corp.example"}, []string{"my-agent"}},
		{"new tool strong branch", Input{Message: "x\n", Refs: []string{"refs/heads/agent/t-1"}}, []string{"my-agent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, d.Detect(tt.in).Tools); diff != "" {
				t.Errorf("Tools (-want +got):\n%s", diff)
			}
		})
	}

	// Re-enabling after a disable takes the later spec.
	d, err = Compile(append(append(base, override...), ToolSpec{ID: "cursor", TrailerKeys: []Pattern{{Pattern: "Made-with"}}}))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Detect(Input{Message: "x\n\nMade-with: Cursor\n"}).Tools; !cmp.Equal(got, []string{"cursor"}) {
		t.Errorf("re-enabled cursor: Tools = %v", got)
	}
}

func TestCompileErrorsWithoutFile(t *testing.T) {
	_, err := Compile([]ToolSpec{
		{ID: "ok", Emails: []Pattern{{Pattern: "^a@b$"}}},
		{ID: "x", Emails: []Pattern{{Pattern: "("}}},
		{ID: "", Disabled: true},
	})
	var got []string
	for _, e := range SpecErrors(err) {
		got = append(got, e.Error())
	}
	want := []string{
		"tool \"x\": emails[0]: invalid regular expression: error parsing regexp: missing closing ): `(`",
		"id: id is missing",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	d, err := Compile(nil)
	if err != nil || len(d.Tools()) != 0 || d.Detect(Input{Message: "x"}).Detected {
		t.Errorf("Compile(nil) = %v, %v", d, err)
	}
}

func TestShippedMarkers(t *testing.T) {
	d := mustDefault(t)
	want := []string{
		"aider", "amazon-q", "amp", "claude-code", "claude-flow", "cline", "codebeaver", "codebuff", "coderabbit", "continue",
		"crush", "cubic", "cursor", "declared", "devin", "ellipsis", "factory-droid", "gemini",
		"github-copilot", "google-jules", "greptile", "junie", "kiro", "open-agents", "openai-codex", "opencode",
		"openhands", "orbis-security", "paperclip", "posthog-code", "qwen-code", "replit", "roo-code", "sisyphus", "terragon",
		"v0", "warp-oz", "windsurf", "zed",
	}
	if diff := cmp.Diff(want, d.Tools()); diff != "" {
		t.Errorf("shipped tools (-want +got):\n%s", diff)
	}
}

// TestAliasBombBytes: a small file naming one large pattern thousands of
// times is refused at the alias where the expansion passes the bound, not
// compiled 3000 times (issue 10).
func TestAliasBombBytes(t *testing.T) {
	var b strings.Builder
	b.WriteString("ai_tools:\n  - id: x\n    message:\n      - &a \"" + strings.Repeat("a", 100_000) + "\"\n")
	for range 3000 {
		b.WriteString("      - *a\n")
	}
	_, err := ParseToolSpecs("bomb.yml", []byte(b.String()))
	want := "bomb.yml:15: aliases expand to more than 1048576 bytes of values (at alias *a); write the values out instead"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v; want %s", err, want)
	}
}

// TestDecodeDocumentContext: decoding stops, with an error wrapping the
// context's, once the context is done.
func TestDecodeDocumentContext(t *testing.T) {
	doc, err := yamldoc.Parse([]byte("ai_tools:\n  - {id: x, emails: ['^x@example\\.com$']}\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if specs, err := DecodeDocument(ctx, "r.yml", doc); !errors.Is(err, context.Canceled) || specs != nil {
		t.Errorf("DecodeDocument(cancelled) = %v, %v; want context.Canceled", specs, err)
	}
	if specs, err := DecodeDocument(context.Background(), "r.yml", doc); err != nil || len(specs) != 1 {
		t.Errorf("DecodeDocument = %v, %v", specs, err)
	}
}
