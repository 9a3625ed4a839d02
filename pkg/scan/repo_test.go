package scan

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// testRepo is a repository with a work tree built with git itself, for
// engine tests that need real commits, merges, renames and tags.
type testRepo struct {
	t    *testing.T
	dir  string
	env  []string
	tick int
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: filepath.Join(t.TempDir(), "repo")}
	r.env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C", "TZ=UTC",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com")
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git(nil, "init", "-q", "-b", "main")
	return r
}

// git runs git in the work tree with extra environment entries.
func (r *testRepo) git(extra []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	r.tick++
	date := fmt.Sprintf("2026-01-02T03:%02d:%02dZ", (r.tick/60)%60, r.tick%60)
	cmd.Env = append(append(append([]string(nil), r.env...), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date), extra...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files ("" deletes one), stages everything and commits.
func (r *testRepo) commit(msg string, files map[string]string, extraEnv ...string) plumbing.Hash {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git(nil, "add", "-A")
	r.git(extraEnv, "commit", "-q", "--allow-empty", "-m", msg)
	return plumbing.NewHash(r.git(nil, "rev-parse", "HEAD"))
}

// rev resolves a revision.
func (r *testRepo) rev(name string) plumbing.Hash {
	r.t.Helper()
	return plumbing.NewHash(r.git(nil, "rev-parse", name))
}

// store opens the repository.
func (r *testRepo) store() *gitstore.Store {
	r.t.Helper()
	s, err := gitstore.Open(gitstore.Env{GitDir: r.dir})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { s.Close() })
	return s
}

// parseRules compiles a rule file for a test.
func parseRules(t *testing.T, body string) *ruleset.Set {
	t.Helper()
	rs, err := ruleset.Parse("t.yml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return ruleset.NewSet(rs)
}

// findingKeys renders findings as "rule kind[field] path:line" strings.
func findingKeys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		s := f.Rule.ID + " " + string(f.Kind)
		if f.Field != "" {
			s += "[" + f.Field + "]"
		}
		if f.Path != "" || f.Line != 0 {
			s += fmt.Sprintf(" %s:%d", f.Path, f.Line)
		}
		if f.Suppressed {
			s += " suppressed"
		}
		out = append(out, s)
	}
	return out
}

// runAll scans every commit reachable from tips.
func runAll(t *testing.T, e *Engine, tips ...Tip) *Result {
	t.Helper()
	res, err := e.Run(context.Background(), tips, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// loadEmbedded compiles the embedded default rule packs.
func loadEmbedded(t *testing.T) *ruleset.Set {
	t.Helper()
	rs, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	return ruleset.NewSet(rs)
}
