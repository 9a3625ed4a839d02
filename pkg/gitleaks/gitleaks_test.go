package gitleaks

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// sample is a small hand-written gitleaks configuration that uses every
// feature the converter knows, and some it does not.
const sample = `
title = "team config"
unknownTopLevel = true

[extend]
useDefault = true

[allowlist]
description = "global"
paths = ['''(?:^|/)vendor(?:/.*)?$''', '''(?i)\.lock$''', '''^a(b|c)+d$''']
regexes = ['''^EXAMPLE''']
stopwords = ["dummy"]

[[allowlists]]
targetRules = ["acme-token"]
commits = ["0123456789abcdef0123456789abcdef01234567", "not-a-commit"]

[[rules]]
id = "acme-token"
description = "An Acme API token."
regex = '''\b(acme_[a-z0-9]{32})\b'''
entropy = 3.5
keywords = ["ACME_"]
tags = ["acme", ""]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''#\s*test''']
[[rules.allowlists]]
stopwords = ["fixture"]

[[rules]]
id = "kv-secret"
description = "A secret assigned to a key."
regex = '''(?i)(client_secret)\s*=\s*"([^"]{12,})"'''
secretGroup = 2
keywords = ["client_secret"]

[[rules]]
id = "php-key"
regex = '''sk_[a-z0-9]{20}'''
path = '''(?i)\.php$'''
keywords = ["sk_"]

[[rules]]
id = "p12"
description = "A PKCS#12 file."
path = '''(?i)(?:^|/)[^/]+\.p(?:12|fx)$'''

[[rules]]
id = "lookbehind"
regex = '''(?<=key=)[a-z]{20}'''

[[rules]]
id = "composite"
regex = '''x{10}'''
[[rules.required]]
id = "acme-token"
withinLines = 3

[[rules]]
id = "helper"
regex = '''y{10}'''
skipReport = true

[[rules]]
id = "odd-path"
regex = '''z_[0-9]{12}'''
path = '''(?:\.\d{1,2})+\.txt'''

[[rules]]
id = "optional-group"
regex = '''tok_(?:([a-z]{20})|[A-Z]{20})'''
keywords = ["tok_"]
`

func TestConvert(t *testing.T) {
	res, err := Convert([]byte(sample), Options{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID, NewID string
		Converted bool
		Reason    string
	}
	var got []row
	for _, r := range res.Rules {
		got = append(got, row{r.ID, r.NewID, r.Converted, r.Reason})
	}
	want := []row{
		{"acme-token", "gitleaks-acme-token", true, ""},
		{"kv-secret", "gitleaks-kv-secret", true, ""},
		{"php-key", "gitleaks-php-key", true, ""},
		{"p12", "gitleaks-p12", true, ""},
		{"lookbehind", "", false, "regex: Go regexp rejects it: error parsing regexp: invalid named capture: `(?<=key=)[a-z]{20}`"},
		{"composite", "", false, "composite rule (required: acme-token): pushguard has no rule that needs other rules' findings nearby"},
		{"helper", "", false, "skipReport: gitleaks reports it only as part of a composite rule"},
		{"odd-path", "", false, `path "(?:\\.\\d{1,2})+\\.txt": has "(?:\\.[0-9][0-9]?)+", which a path glob cannot express`},
		{"optional-group", "gitleaks-optional-group", true, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules (-want +got)\n%s", diff)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, n := range []string{"unknown key unknownTopLevel ignored", "[extend] is not followed", `path "^a(b|c)+d$"`} {
		if !strings.Contains(notes, n) {
			t.Errorf("notes lack %q:\n%s", n, notes)
		}
	}
	acme := res.Rules[0]
	if j := strings.Join(acme.Notes, "\n"); !strings.Contains(j, `regexTarget "line" left out`) || !strings.Contains(j, `commit "not-a-commit" is no commit id`) {
		t.Errorf("acme notes: %q", acme.Notes)
	}
	if j := strings.Join(res.Rules[8].Notes, "\n"); !strings.Contains(j, "the secret is the whole match") {
		t.Errorf("optional-group notes: %q", res.Rules[8].Notes)
	}
	for _, r := range res.Converted() {
		if r.Examples == 0 {
			t.Errorf("rule %s: no generated example", r.ID)
		}
	}

	// The YAML loads, its tests pass, and the rules behave as gitleaks'.
	rules, err := ruleset.Parse("imported.yml", res.YAML)
	if err != nil {
		t.Fatalf("converted YAML does not load: %v\n%s", err, res.YAML)
	}
	set := ruleset.NewSet(rules)
	if fails := set.RunTests(); len(fails) > 0 {
		t.Fatalf("converted rules fail their tests: %v", fails[0].Reason)
	}
	m := set.NewLineMatcher()
	lines := []struct {
		path, line string
		want       []string // "rule:match"
	}{
		{"app.go", `token := "acme_k3j9x2m8q7w1z5v4b6n0p2r8t4y6u1i3"`, []string{"gitleaks-acme-token:acme_k3j9x2m8q7w1z5v4b6n0p2r8t4y6u1i3"}},
		{"app.go", `token := "acme_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"`, nil},                               // entropy
		{"app.go", `token := "acme_fixture9x2m8q7w1z5v4b6n0p2r8t4y6"`, nil},                               // rule stopword
		{"app.go", `client_secret = "Zq7xR2vM9kL4pT8w"`, []string{"gitleaks-kv-secret:Zq7xR2vM9kL4pT8w"}}, // secret group
		{"app.go", `client_secret = "dummy-value-123456"`, nil},                                           // global stopword, on the secret
		{"vendor/x/app.go", `client_secret = "Zq7xR2vM9kL4pT8w"`, nil},                                    // global path
		{"index.php", `$k = "sk_abcdefghij0123456789";`, []string{"gitleaks-php-key:sk_abcdefghij0123456789"}},
		{"index.js", `$k = "sk_abcdefghij0123456789";`, nil},
	}
	for _, l := range lines {
		var got []string
		m.MatchLine([]byte(l.line), 1, nil, func(lm ruleset.LineMatch) {
			text := l.line[lm.Start:lm.End]
			if !lm.Rule.MatchFile(&ruleset.FileInfo{Path: l.path, Status: "added"}) || set.Allowlisted(lm.Rule, "", l.path, text) {
				return
			}
			got = append(got, lm.Rule.ID+":"+text)
		})
		if diff := cmp.Diff(l.want, got); diff != "" {
			t.Errorf("%s: %s: (-want +got)\n%s", l.path, l.line, diff)
		}
	}
	p12 := set.Lookup("gitleaks-p12")
	for path, want := range map[string]bool{"certs/site.p12": true, "a.PFX": true, "p12": false, "x.p12.bak": false} {
		if got := p12.MatchFile(&ruleset.FileInfo{Path: path, Status: "added"}); got != want {
			t.Errorf("p12 rule on %s: %t; want %t", path, got, want)
		}
	}
	if !set.Allowlisted(set.Lookup("gitleaks-acme-token"), "0123456789abcdef0123456789abcdef01234567", "x", "y") {
		t.Error("targeted global allowlist commit not applied to acme-token")
	}
	if set.Allowlisted(set.Lookup("gitleaks-kv-secret"), "0123456789abcdef0123456789abcdef01234567", "x", "y") {
		t.Error("targeted global allowlist applied to another rule")
	}
}

func TestConvertErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"[[rules]\nid = 1", "gitleaks config: line 1"},
		{"[[rules]]\nid = 1\n", "gitleaks config"},
	} {
		if _, err := Convert([]byte(tt.in), Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Convert(%q) error %v; want %q", tt.in, err, tt.want)
		}
	}
}

func TestPathGlobs(t *testing.T) {
	tests := []struct {
		re   string
		want []string
		err  string
	}{
		{`(?i)\.php$`, []string{"*.[pP][hH][pP]"}, ""},
		{`\.(?:ya?ml)$`, []string{"*.yml", "*.yaml"}, ""},
		{`(?:^|/)node_modules(?:/.*)?$`, []string{"node_modules", "node_modules/"}, ""},
		{`(?:^|/)vendor/modules\.txt$`, []string{"**/vendor/modules.txt"}, ""},
		{`^docs/[^/]+\.md$`, []string{"/docs/?*.md"}, ""},
		{`gitleaks\.toml`, []string{"*gitleaks.toml*"}, ""},
		{`(?i)nuget\.config$`, []string{"*[nN][uU][gG][eE][tT].[cC][oO][nN][fF][iI][gG]"}, ""},
		{`.*`, nil, "matches every path"},
		{`(a|b)+c$`, nil, "which a path glob cannot express"},
		{`(`, nil, "invalid regex"},
	}
	for _, tt := range tests {
		got, err := pathGlobs(tt.re)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("pathGlobs(%q) error %v; want %q", tt.re, err, tt.err)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("pathGlobs(%q) = %q, %v; want %q", tt.re, got, err, tt.want)
		}
	}
}

func TestIgnoreToBaseline(t *testing.T) {
	res, err := Convert([]byte(sample), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := ruleset.Parse("imported.yml", res.YAML)
	if err != nil {
		t.Fatal(err)
	}
	set := ruleset.NewSet(rules)
	const commit = "0123456789abcdef0123456789abcdef01234567"
	ignore := "# known findings\n" +
		commit + ":src/app.go:acme-token:2\n" +
		"config/dev.env:kv-secret:1\n" +
		commit + ":certs/a:b.p12:p12:1\n" +
		commit + ":src/app.go:lookbehind:1\n" +
		commit + ":src/app.go:acme-token:9\n" +
		commit + ":missing.go:acme-token:1\n" +
		"garbage\n" +
		"a:b:zero\n"
	entries, problems, err := ParseIgnore(".gitleaksignore", strings.NewReader(ignore))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{
		`.gitleaksignore:8: not a fingerprint (COMMIT:PATH:RULE:LINE or PATH:RULE:LINE): "garbage"`,
		`.gitleaksignore:9: line number "zero" is not a positive number`,
	}, problems); diff != "" {
		t.Errorf("parse problems (-want +got)\n%s", diff)
	}
	if e := entries[2]; e.Commit != commit || e.Path != "certs/a:b.p12" || e.RuleID != "p12" || e.Line != 1 {
		t.Errorf("entry with ':' in its path: %+v", e)
	}
	files := map[string]string{
		commit + ":src/app.go": "package app\nconst tok = \"acme_k3j9x2m8q7w1z5v4b6n0p2r8t4y6u1i3\"\n",
		":config/dev.env":      "client_secret = \"Zq7xR2vM9kL4pT8w\"\n",
	}
	read := func(c, p string) ([]byte, error) {
		if s, ok := files[c+":"+p]; ok {
			return []byte(s), nil
		}
		return nil, errors.New(p + ": no such file")
	}
	findings, problems := Findings(entries, set, "", read)
	base := baseline.Build(findings)
	var got []string
	for _, e := range base.Findings {
		got = append(got, e.Rule+" "+e.Path)
		if len(e.Fingerprint) != 64 {
			t.Errorf("fingerprint %q", e.Fingerprint)
		}
	}
	if diff := cmp.Diff([]string{"gitleaks-acme-token src/app.go", "gitleaks-kv-secret config/dev.env", "gitleaks-p12 certs/a:b.p12"}, got); diff != "" {
		t.Errorf("baseline (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		`.gitleaksignore:5: rule "lookbehind" was not converted`,
		".gitleaksignore:6: src/app.go has no line 9",
		".gitleaksignore:7: missing.go: no such file",
	}, problems); diff != "" {
		t.Errorf("problems (-want +got)\n%s", diff)
	}
}

// TestConvertGitleaksDefault converts gitleaks' own default configuration
// when GITLEAKS_DEFAULT_TOML names a local copy of it (config/gitleaks.toml
// of the gitleaks repository; no copy is kept here). It prints the rules
// converted and not converted, with reasons and notes.
func TestConvertGitleaksDefault(t *testing.T) {
	path := os.Getenv("GITLEAKS_DEFAULT_TOML")
	if path == "" {
		t.Skip("set GITLEAKS_DEFAULT_TOML to a copy of gitleaks' config/gitleaks.toml")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	conv, not := res.Converted(), res.NotConverted()
	t.Logf("converted %d of %d rules; %d with generated examples", len(conv), len(res.Rules), countExamples(conv))
	for _, r := range conv {
		t.Logf("converted %s (%d examples) %s", r.ID, r.Examples, strings.Join(r.Notes, "; "))
	}
	for _, r := range not {
		t.Logf("NOT converted %s: %s", r.ID, r.Reason)
	}
	for _, n := range res.Notes {
		t.Logf("note: %s", n)
	}
	if out := os.Getenv("GITLEAKS_CONVERTED_OUT"); out != "" {
		if err := os.WriteFile(out, res.YAML, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func countExamples(rs []RuleResult) int {
	n := 0
	for _, r := range rs {
		if r.Examples > 0 {
			n++
		}
	}
	return n
}
