package rules_test

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// TestEmbeddedRules loads the embedded rule packs and checks that each rule
// has tests both ways and passes them.
func TestEmbeddedRules(t *testing.T) {
	rs, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatalf("load embedded rules: %v", err)
	}
	if len(rs) == 0 {
		t.Fatal("no embedded rules")
	}
	set := ruleset.NewSet(rs)
	for _, r := range set.Rules {
		match, nomatch := r.TestCounts()
		if match < 1 || nomatch < 1 {
			t.Errorf("%s: rule %q has %d match and %d nomatch tests; want at least 1 of each", r.Source, r.ID, match, nomatch)
		}
		if r.Help == "" || r.Message == "" {
			t.Errorf("%s: rule %q needs a message and help", r.Source, r.ID)
		}
	}
	for _, f := range set.RunTestsWith(markers(t)) {
		t.Error(f)
	}
}

// packFile is the part of a rule file the pack checks below look at, decoded
// leniently: the strict loader has already validated the whole file.
type packFile struct {
	Rules []packRule
}

// packRule is one rule of a packFile.
type packRule struct {
	ID       string
	Severity string
	Help     string
	Tags     []string
	Redact   *bool
	Paths    *struct{ Include, Exclude []string }
	Content  *struct {
		Regex     string
		Keywords  []string
		Stopwords []string
	}
}

// readPack decodes one embedded rule file.
func readPack(t *testing.T, name string) packFile {
	t.Helper()
	data, err := fs.ReadFile(rules.FS, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	var f packFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return f
}

// TestPackSizes pins the minimum size of the default packs, so that a rule
// lost in a merge or an edit shows up.
func TestPackSizes(t *testing.T) {
	for _, tc := range []struct {
		file string
		min  int
	}{
		{"secrets.yml", 60},
		{"risky-code.yml", 12},
		{"files.yml", 14},
	} {
		if n := len(readPack(t, tc.file).Rules); n < tc.min {
			t.Errorf("%s has %d rules; want at least %d", tc.file, n, tc.min)
		}
	}
}

// TestRuleIDsUniqueAcrossPacks: a later rule with the same id silently
// replaces an earlier one, so two default packs must never share an id.
func TestRuleIDsUniqueAcrossPacks(t *testing.T) {
	rs, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatalf("load embedded rules: %v", err)
	}
	seen := make(map[string]string)
	for _, r := range rs {
		if prev, ok := seen[r.ID]; ok {
			t.Errorf("rule id %q defined at %s and at %s", r.ID, prev, r.Source)
		}
		seen[r.ID] = r.Source
	}
}

// secretPacks returns the names of the secret packs: secrets.yml and the
// secrets-<family>.yml files.
func secretPacks(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(rules.FS, "secrets*.yml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no secret packs embedded (%v)", err)
	}
	return names
}

// TestSecretPacksBreadth pins the breadth of the secret packs: a file or a
// family of rules lost in a merge shows up here.
func TestSecretPacksBreadth(t *testing.T) {
	total := 0
	for _, name := range secretPacks(t) {
		total += len(readPack(t, name).Rules)
	}
	if total < 400 {
		t.Errorf("the secret packs hold %d rules; want at least 400", total)
	}
}

// TestSecretRules holds the secret packs to their contract: every rule is a
// content rule with a specific keyword prefilter, placeholder stopwords
// (except the structural PuTTY header), a help text that says to rewrite
// history, and at least two tests each way.
func TestSecretRules(t *testing.T) {
	set := embeddedSet(t)
	for _, pack := range secretPacks(t) {
		for _, r := range readPack(t, pack).Rules {
			checkSecretRule(t, set, pack, r)
		}
	}
}

func checkSecretRule(t *testing.T, set *ruleset.Set, pack string, r packRule) {
	t.Helper()
	c := r.Content
	if c == nil {
		t.Errorf("%s: rule %q has no content condition", pack, r.ID)
		return
	}
	if len(c.Keywords) == 0 {
		t.Errorf("%s: rule %q has no keywords: its regex would run on every line", pack, r.ID)
	}
	for _, k := range c.Keywords {
		if len(k) < 3 || k != strings.ToLower(k) {
			t.Errorf("%s: rule %q keyword %q: want a lower-case literal of 3 or more characters", pack, r.ID, k)
		}
	}
	if len(c.Stopwords) == 0 && r.ID != "putty-private-key" {
		t.Errorf("%s: rule %q has no placeholder stopwords", pack, r.ID)
	}
	if r.Redact != nil && !*r.Redact {
		t.Errorf("%s: rule %q switches redaction off", pack, r.ID)
	}
	if !strings.Contains(strings.Join(strings.Fields(r.Help), " "), "git rebase -i") {
		t.Errorf("%s: rule %q help does not say how to rewrite history (git rebase -i)", pack, r.ID)
	}
	if !slices.Contains(r.Tags, "secret") {
		t.Errorf("%s: rule %q lacks the secret tag", pack, r.ID)
	}
	rule := set.Lookup(r.ID)
	if rule == nil {
		t.Errorf("%s: rule %q is not in the embedded set", pack, r.ID)
		return
	}
	if match, nomatch := rule.TestCounts(); match < 2 || nomatch < 2 {
		t.Errorf("%s: rule %q has %d match and %d nomatch tests; want at least 2 of each", rule.Source, r.ID, match, nomatch)
	}
}

// TestRiskyCodeRules: every risky-code rule is scoped by file type, shows
// the code it found (no redaction) and warns, except the rules listed here.
func TestRiskyCodeRules(t *testing.T) {
	blocking := map[string]bool{"curl-pipe-shell-plain-http": true}
	for _, r := range readPack(t, "risky-code.yml").Rules {
		if r.Paths == nil || (len(r.Paths.Include) == 0 && len(r.Paths.Exclude) == 0) {
			t.Errorf("risky-code.yml: rule %q is not scoped by paths", r.ID)
		}
		if r.Redact == nil || *r.Redact {
			t.Errorf("risky-code.yml: rule %q should set redact: false (it finds code, not secrets)", r.ID)
		}
		if want := map[bool]string{true: "block", false: "warn"}[blocking[r.ID]]; r.Severity != want {
			t.Errorf("risky-code.yml: rule %q has severity %s; want %s", r.ID, r.Severity, want)
		}
		if r.Content == nil || len(r.Content.Keywords) == 0 {
			t.Errorf("risky-code.yml: rule %q needs a content condition with keywords", r.ID)
		}
	}
}

// TestFileRules: the files pack holds file-level rules only (no content),
// so that its findings name files.
func TestFileRules(t *testing.T) {
	set := embeddedSet(t)
	for _, r := range readPack(t, "files.yml").Rules {
		rule := set.Lookup(r.ID)
		if rule == nil {
			t.Errorf("files.yml: rule %q is not in the embedded set", r.ID)
			continue
		}
		if rule.Level() != ruleset.LevelFile {
			t.Errorf("%s: rule %q is a %s rule; want a file rule", rule.Source, r.ID, rule.Level())
		}
	}
}

// TestDeletingAKeyFileIsNeverBlocked: removing a secret file must always be
// possible, so no blocking file rule fires on a deletion.
func TestDeletingAKeyFileIsNeverBlocked(t *testing.T) {
	set := embeddedSet(t)
	for _, p := range []string{".ssh/id_rsa", "certs/a.p12", ".git-credentials", "infra/terraform.tfstate", ".aws/credentials", "ops/team.kdbx"} {
		del := &ruleset.FileInfo{Path: p, Status: "deleted", Size: 60 << 20}
		add := &ruleset.FileInfo{Path: p, Status: "added"}
		blockedAdd := false
		for _, r := range set.Rules {
			if r.Level() != ruleset.LevelFile || r.Severity != ruleset.SeverityBlock {
				continue
			}
			if r.MatchFile(del) {
				t.Errorf("deleting %s is blocked by rule %q", p, r.ID)
			}
			blockedAdd = blockedAdd || r.MatchFile(add)
		}
		if !blockedAdd {
			t.Errorf("adding %s is not blocked by any file rule", p)
		}
	}
}

// embeddedSet loads the embedded rules into a Set.
func embeddedSet(t *testing.T) *ruleset.Set {
	t.Helper()
	rs, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatalf("load embedded rules: %v", err)
	}
	return ruleset.NewSet(rs)
}

// TestPacksDocumented keeps the "Default rule packs" tables of docs/rules.md
// in step with the packs: every rule id appears there.
func TestPacksDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Skipf("docs not available: %v", err)
	}
	for _, file := range []string{"secrets.yml", "risky-code.yml", "files.yml"} {
		for _, r := range readPack(t, file).Rules {
			if !strings.Contains(string(doc), "| `"+r.ID+"` |") {
				t.Errorf("%s: rule %q is not listed in docs/rules.md (Default rule packs)", file, r.ID)
			}
		}
	}
}
