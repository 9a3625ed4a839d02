package ruleset

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unicodeDetails runs a one-rule set with content.unicode classes over line
// (line number no) and returns the details of its matches, with the
// matched bytes' offsets.
func unicodeDetails(t *testing.T, classes, line string, no int) []string {
	t.Helper()
	set := NewSet(mustParse(t, "  - {id: u, severity: block, message: m, content: {unicode: "+classes+"}}\n"))
	var out []string
	set.NewLineMatcher().MatchLine([]byte(line), no, nil, func(m LineMatch) {
		out = append(out, m.Detail)
		if m.Start < 0 || m.End > len(line) || m.Start >= m.End {
			t.Errorf("bad span %d..%d", m.Start, m.End)
		}
	})
	return out
}

func TestUnicodeCondition(t *testing.T) {
	all := "[bidi, zero-width, tags, variation-selectors]"
	tests := []struct {
		name    string
		classes string
		line    string
		no      int
		want    []string
	}{
		{"rlo column counts characters", all, "// é€ abc\u202e d", 2,
			[]string{"U+202E RIGHT-TO-LEFT OVERRIDE at column 10"}},
		{"column 17", all, "if admin == true\u202e {", 5,
			[]string{"U+202E RIGHT-TO-LEFT OVERRIDE at column 17"}},
		{"isolates", "[bidi]", "a\u2066b\u2069", 1,
			[]string{"U+2066 LEFT-TO-RIGHT ISOLATE at column 2", "U+2069 POP DIRECTIONAL ISOLATE at column 4"}},
		{"marks", "[bidi]", "\u200e\u200f x \u061c", 3,
			[]string{"U+200E LEFT-TO-RIGHT MARK at column 1, first of 2 hidden characters (columns 1-2)", "U+061C ARABIC LETTER MARK at column 6"}},
		// An implicit mark as the whole content of a literal is data (an
		// entity table); the explicit controls are reported there too.
		{"lrm alone in raw string", "[bidi]", "\t{`\\lrm`, `\u200e`},", 415, nil},
		{"rlm alone in string", "[bidi]", "\"rlm\": \"\u200f\",", 1, nil},
		{"alm alone in char literal", "[bidi]", "case '\u061c':", 1, nil},
		{"mark with text in literal", "[bidi]", "s := \"x\u200f\"", 1, []string{"U+200F RIGHT-TO-LEFT MARK at column 8"}},
		{"mark between different quotes", "[bidi]", "a := \"\u200f'", 1, []string{"U+200F RIGHT-TO-LEFT MARK at column 7"}},
		{"two marks in literal", "[bidi]", "\"\u200e\u200f\"", 1, []string{"U+200E LEFT-TO-RIGHT MARK at column 2, first of 2 hidden characters (columns 2-3)"}},
		{"rlo alone in literal", "[bidi]", "{`\\rlo`, `\u202e`},", 1, []string{"U+202E RIGHT-TO-LEFT OVERRIDE at column 11"}},
		{"pdi alone in literal", "[bidi]", "x = \"\u2069\"", 1, []string{"U+2069 POP DIRECTIONAL ISOLATE at column 6"}},
		{"class filter", "[bidi]", "a\u200bb", 3, nil},
		{"zero width", "[zero-width]", "a\u200bb\u2060", 3,
			[]string{"U+200B ZERO WIDTH SPACE at column 2", "U+2060 WORD JOINER at column 4"}},
		{"bom at file start", all, "\ufeffpackage x", 1, nil},
		{"bom not at line 1", all, "\ufeffpackage x", 2, []string{"U+FEFF ZERO WIDTH NO-BREAK SPACE at column 1"}},
		{"bom later on line 1", all, "x\ufeff", 1, []string{"U+FEFF ZERO WIDTH NO-BREAK SPACE at column 2"}},
		{"bom unknown line", all, "\ufeffx", 0, []string{"U+FEFF ZERO WIDTH NO-BREAK SPACE at column 1"}},
		{"tags spell text", all, "ok\U000E0049\U000E0067\U000E006E!", 1,
			[]string{`U+E0049 TAG LATIN CAPITAL LETTER I at column 3, first of 3 hidden characters (columns 3-5) spelling "Ign"`}},
		{"tag punctuation", "[tags]", "\U000E0021", 1, []string{"U+E0021 TAG EXCLAMATION MARK at column 1"}},
		{"flag sequence", all, "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 1, nil},
		{"fake flag sequence", "[tags]", "\U0001F3F4\U000E0068\U000E0069\U000E007F", 1,
			[]string{`U+E0068 TAG LATIN SMALL LETTER H at column 2, first of 3 hidden characters (columns 2-4) spelling "hi"`}},
		{"emoji vs16", all, "\u2764\ufe0f \u263a\ufe0e", 1, nil},
		{"keycap", all, "1\ufe0f\u20e3", 1, nil},
		{"vs without base", all, "a\ufe0f", 1, []string{"U+FE0F VARIATION SELECTOR-16 at column 2"}},
		{"vs smuggling after emoji", all, "\U0001F600\ufe0f\ufe01\U000E0100", 1,
			[]string{"U+FE01 VARIATION SELECTOR-2 at column 3, first of 2 hidden characters (columns 3-4)"}},
		{"ideographic variation", all, "\u845b\U000E0100", 1, nil},
		{"zwj emoji family", all, "\U0001F468\u200d\U0001F469\u200d\U0001F467", 1, nil},
		{"zwj after vs16", all, "\u2764\ufe0f\u200d\U0001F525", 1, nil},
		{"zwnj persian", all, "\u0645\u06cc\u200c\u062e", 1, nil},
		{"zwnj latin", all, "ab\u200ccd", 1, []string{"U+200C ZERO WIDTH NON-JOINER at column 3"}},
		{"explicit range", `["U+00AD", "U+2028-U+2029"]`, "soft\u00adhyphen\u2028", 1,
			[]string{"U+00AD SOFT HYPHEN at column 5", "U+2028 LINE SEPARATOR at column 12"}},
		{"unnamed code point", `["U+E000-U+E0FF"]`, "\ue001", 1, []string{"U+E001 at column 1"}},
		{"ascii only line", all, strings.Repeat("x", 100), 1, nil},
		{"invalid utf8 counts a column per byte", all, "\xff\xfe\u202e", 1,
			[]string{"U+202E RIGHT-TO-LEFT OVERRIDE at column 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := unicodeDetails(t, tt.classes, tt.line, tt.no)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("details (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnicodeParseErrors(t *testing.T) {
	tests := []struct {
		name, rule, want string
	}{
		{"unknown class", `content: {unicode: [emoji]}`, `content.unicode[0]: invalid entry "emoji"`},
		{"reversed range", `content: {unicode: ["U+202E-U+202A"]}`, "the end is below the start"},
		{"ascii", `content: {unicode: ["U+0041"]}`, "ASCII code points are not hidden characters"},
		{"surrogate", `content: {unicode: ["U+D800"]}`, "not a Unicode scalar value"},
		{"empty", `content: {unicode: []}`, "content.unicode: empty list"},
		{"with regex", `content: {unicode: [bidi], regex: x}`, "content.regex: does not apply with content.unicode"},
		{"with entropy", `content: {unicode: [bidi], entropy: {min: 3}}`, "content.entropy: does not apply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yml", []byte("rules:\n  - {id: r, severity: warn, message: m, "+tt.rule+"}\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestUnicodeRuleTests(t *testing.T) {
	set := NewSet(mustParse(t, `
  - id: u
    severity: block
    message: m
    content: {unicode: [bidi]}
    tests:
      match: ["x\u202ey"]
      nomatch: ["xy", "x\u202ey"]
`))
	fails := set.RunTests()
	if len(fails) != 1 || fails[0].Want || !strings.Contains(fails[0].Reason, "U+202E RIGHT-TO-LEFT OVERRIDE at column 2") {
		t.Fatalf("failures = %v, want the second nomatch to fail naming the code point", fails)
	}
}

func TestAllowlist(t *testing.T) {
	rules := mustParse(t, `
  - id: secret
    severity: block
    message: m
    content: {regex: 'tok_[a-z0-9]+'}
    allowlist:
      paths: ["testdata/", "*.md"]
      regexes: ['^tok_test']
      stopwords: [dummy]
      commits: [ABCDEF1]
  - id: file
    severity: warn
    message: m
    paths: {include: ["*.pem"]}
`)
	global, err := Parse("g.yml", []byte("allowlist:\n  paths: [vendor/]\n  commits: ['1234567890']\nrules: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(global) != 1 || !global[0].GlobalAllowlist() {
		t.Fatalf("global allowlist not returned as a pseudo-rule: %v", global)
	}
	set := NewSet(rules, global)
	if len(set.Rules) != 2 {
		t.Fatalf("set has %d rules, want 2 (the allowlist is not a rule)", len(set.Rules))
	}
	sec, file := set.Lookup("secret"), set.Lookup("file")
	tests := []struct {
		name                string
		rule                *Rule
		commit, path, match string
		want                bool
	}{
		{"plain", sec, "ffffffff", "src/a.go", "tok_abc", false},
		{"path dir", sec, "ffffffff", "testdata/x/a.go", "tok_abc", true},
		{"path base name", sec, "ffffffff", "docs/README.md", "tok_abc", true},
		{"regex", sec, "ffffffff", "src/a.go", "tok_test1", true},
		{"stopword", sec, "ffffffff", "src/a.go", "tok_DUMMY1", true},
		{"commit prefix any case", sec, "abcdef1234", "src/a.go", "tok_abc", true},
		{"global path", file, "ffffffff", "vendor/k.pem", "", true},
		{"global commit", file, "1234567890ab", "k.pem", "", true},
		{"rule allowlist is per rule", file, "ffffffff", "testdata/k.pem", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := set.Allowlisted(tt.rule, tt.commit, tt.path, tt.match); got != tt.want {
				t.Errorf("Allowlisted = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAllowlistInRuleTests(t *testing.T) {
	set := NewSet(mustParse(t, `
  - id: secret
    severity: block
    message: m
    content: {regex: 'tok_[a-z0-9]+'}
    allowlist: {regexes: ['^tok_test'], paths: [testdata/]}
    tests:
      match: ["x = tok_live1 tok_test2"]
      nomatch: ["x = tok_test1", {line: "x = tok_live1", path: testdata/a.go}]
`))
	if fails := set.RunTests(); len(fails) != 0 {
		t.Errorf("failures: %v", fails)
	}
}

func TestAllowlistParseErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"empty", "rules:\n  - {id: r, severity: warn, message: m, paths: {include: [x]}, allowlist: {}}\n", "allowlist: needs at least one of"},
		{"bad commit", "rules:\n  - {id: r, severity: warn, message: m, paths: {include: [x]}, allowlist: {commits: [xyz]}}\n", `allowlist.commits[0]: invalid commit id "xyz"`},
		{"bad regex", "allowlist: {regexes: ['(']}\nrules: []\n", "allowlist.regexes[0]: invalid regex"},
		{"unknown key", "allowlist: {path: [x]}\nrules: []\n", `unknown key "path"`},
		{"bad glob", "allowlist: {paths: ['[']}\nrules: []\n", "invalid glob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSuppressible(t *testing.T) {
	if !mustRule(t, `paths: {include: [x]}`).Suppressible {
		t.Error("suppressible should default to true")
	}
	if mustRule(t, `paths: {include: [x]}, suppressible: false`).Suppressible {
		t.Error("suppressible: false not honoured")
	}
}
