package scan

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/ruleset"
)

// TestFileRulesMatchesEveryRuleChecked: fileRules, which checks file
// conditions only for the rules that have them (ruleSelection), selects
// exactly what checking every active rule against the file selects: the
// same line rules, dependency rules and file-level findings, for the
// embedded rules on files of every kind, status, size and binary flag, with
// all rules active and with a part of them.
func TestFileRulesMatchesEveryRuleChecked(t *testing.T) {
	set := loadEmbedded(t)
	e := New(nil, set, Options{})
	paths := []string{
		"main.go", "go.mod", "go.sum", "package.json", "package-lock.json", "requirements.txt",
		"Cargo.toml", "pom.xml", ".github/workflows/ci.yml", ".gitlab-ci.yml", "Jenkinsfile",
		"Dockerfile", "deploy/k8s/secret.yaml", ".env", "config/.env.production", "id_rsa",
		"keys/server.pem", "certs/client.p12", "terraform.tfstate", ".npmrc", ".pypirc",
		"src/app/handler.py", "web/static/app.min.js", "docs/README.md", "vendor/x/y.go",
		"CLAUDE.md", ".cursor/rules/a.mdc", "AGENTS.md", ".git/hooks/pre-commit", "a b/c d.txt",
		"x/.aws/credentials", "Makefile", "scripts/install.sh", "photo.png",
	}
	statuses := []string{"added", "modified", "deleted", "renamed"}
	var half []*ruleset.Rule
	for i, r := range set.Rules {
		if r.Level() != ruleset.LevelCommit && i%2 == 0 {
			half = append(half, r)
		}
	}
	var all []*ruleset.Rule
	for _, r := range set.Rules {
		if r.Level() != ruleset.LevelCommit {
			all = append(all, r)
		}
	}
	ruleRef := make([]string, len(set.Rules))
	for _, active := range [][]*ruleset.Rule{all, half} {
		var sel ruleSelection
		sel.split(active, e.ruleWords())
		if len(sel.perFile) == 0 || !sel.hasAny {
			t.Fatalf("the split puts %d rules per file and %v in anyFile: the test covers one side only", len(sel.perFile), sel.hasAny)
		}
		for _, p := range paths {
			for _, st := range statuses {
				for _, size := range []int64{0, 100, 10 << 20} {
					for _, bin := range []bool{false, true} {
						info := &ruleset.FileInfo{Path: p, Status: st, Size: size, Binary: bin}
						name := fmt.Sprintf("%d rules, %s %s %d %v", len(active), p, st, size, bin)
						wantLine, wantDeps, wantFiles := referenceFileRules(active, info)
						res := &Result{}
						e.seen = map[string]bool{}
						gotBits, gotDeps := e.fileRules(res, &sel, info, ruleRef, Finding{Path: p})
						var gotLine []string
						for _, r := range set.Rules {
							if gotBits.has(r.Index) {
								gotLine = append(gotLine, r.ID)
							}
						}
						var gotFiles []string
						for _, f := range res.Findings {
							gotFiles = append(gotFiles, f.Rule.ID)
						}
						if diff := cmp.Diff(wantLine, gotLine); diff != "" {
							t.Errorf("%s: line rules (-every rule +fileRules):\n%s", name, diff)
						}
						if diff := cmp.Diff(ids(wantDeps), ids(gotDeps)); diff != "" {
							t.Errorf("%s: dependency rules (-every rule +fileRules):\n%s", name, diff)
						}
						if diff := cmp.Diff(wantFiles, gotFiles); diff != "" {
							t.Errorf("%s: file findings (-every rule +fileRules):\n%s", name, diff)
						}
					}
				}
			}
		}
	}
}

// referenceFileRules is the plain form of fileRules: every active rule's
// file conditions checked against info, in order.
func referenceFileRules(active []*ruleset.Rule, info *ruleset.FileInfo) (line []string, deps []*ruleset.Rule, files []string) {
	var lineSet = map[string]bool{}
	for _, r := range active {
		if !r.MatchFile(info) {
			continue
		}
		switch {
		case r.HasDependencies():
			deps = append(deps, r)
		case r.Level() == ruleset.LevelFile:
			files = append(files, r.ID)
		default:
			lineSet[r.ID] = true
		}
	}
	for _, r := range active {
		if lineSet[r.ID] {
			line = append(line, r.ID)
			delete(lineSet, r.ID)
		}
	}
	return line, deps, files
}

func ids(rs []*ruleset.Rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}
