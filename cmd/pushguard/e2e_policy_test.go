package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// aliasBombRules is a 140 KB rule file whose one rule names a 100 KB
// example 3,000 times: 300 MB once the aliases are expanded (issue 10 item
// 4). Under key "tests" the examples are matched when the rules are
// tested; under "keywords" they are compiled into the keyword automaton.
func aliasBombRules(key string) string {
	var b strings.Builder
	b.WriteString("rules:\n  - id: bomb\n    severity: warn\n    message: m\n    content:\n      regex: zzzq\n")
	if key == "keywords" {
		b.WriteString("      keywords:\n")
	} else {
		b.WriteString("    tests:\n      nomatch:\n")
	}
	b.WriteString("        - &a \"" + strings.Repeat("A", 100_000) + "\"\n")
	b.WriteString(strings.Repeat("        - *a\n", 3000))
	return b.String()
}

// TestPolicyRepositoryAliasBomb: an alias bomb pushed to the policy
// repository is refused, with a message naming the file and the line of
// the alias where the expansion passed the bound; the deployed rules stay
// as they were, and the application repository keeps enforcing them.
func TestPolicyRepositoryAliasBomb(t *testing.T) {
	pol := newWorld(t)
	app := newWorld(t)
	cfg := writeServerConfig(t, t.TempDir(), "rules:\n  - embedded: true\n  - repo: "+pol.server+"\n    ref: refs/heads/main\n    dir: rules/\n")
	pol.installHook("--config", cfg)
	app.installHook("--config", cfg)

	good := "rules:\n  - id: no-fixme\n    severity: block\n    message: no FIXME\n    content: {regex: 'FIXME', keywords: [fixme]}\n    tests: {match: ['// FIXME'], nomatch: ['// fixed']}\n"
	pol.commit("good rules", map[string]string{"rules/team.yml": good})
	pol.mustAccept(pol.push("main"))

	for _, key := range []string{"tests", "keywords"} {
		t.Run(key, func(t *testing.T) {
			pol.commit("bomb in "+key, map[string]string{"rules/bomb.yml": aliasBombRules(key)})
			p := pol.push("main")
			pol.mustReject(p)
			out := p.remote()
			for _, want := range []string{"holds the pushguard rules", "refs/heads/main:rules/bomb.yml:", `rule "bomb": aliases expand to more than 1048576 bytes`} {
				if !strings.Contains(out, want) {
					t.Errorf("rejection lacks %q:\n%s", want, out)
				}
			}
			pol.git(pol.client, "reset", "-q", "--hard", "origin/main")
		})
	}
	// The deployed rules are the good ones.
	app.commit("wip", map[string]string{"main.go": "package main // FIXME\n"})
	p := app.push("main")
	app.mustReject(p)
	if !strings.Contains(p.remote(), "no-fixme") {
		t.Errorf("deployed rule not enforced:\n%s", p.remote())
	}
}

// TestRulesValidateAliasBomb: `pushguard rules validate` refuses the same
// files, naming file:line and the rule.
func TestRulesValidateAliasBomb(t *testing.T) {
	for _, key := range []string{"tests", "keywords"} {
		p := filepath.Join(t.TempDir(), "bomb.yml")
		if err := os.WriteFile(p, []byte(aliasBombRules(key)), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, verb := range []string{"validate", "test"} {
			var stdout, stderr strings.Builder
			code := run([]string{"pushguard", "rules", verb, p}, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
			line := "19"
			if key == "tests" {
				line = "20"
			}
			want := p + ":" + line + `: rule "bomb": aliases expand to more than 1048576 bytes of values (at alias *a)`
			if code != exitUsage || !strings.Contains(stderr.String(), want) {
				t.Errorf("rules %s (%s): exit %d, stderr:\n%s\nwant exit %d and %s", verb, key, code, stderr.String(), exitUsage, want)
			}
		}
	}
}
