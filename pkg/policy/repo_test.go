package policy

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
)

// policyRepo is a git repository made with the git CLI, holding rule
// files.
type policyRepo struct {
	t   *testing.T
	dir string
	env []string
}

func newPolicyRepo(t *testing.T) *policyRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com")
	r := &policyRepo{t: t, dir: t.TempDir(), env: env}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *policyRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files (a value starting with "->" is a symbolic link to
// the rest; "" deletes) and commits them; it returns the commit id.
func (r *policyRepo) commit(files map[string]string) plumbing.Hash {
	r.t.Helper()
	for p, body := range files {
		full := filepath.Join(r.dir, filepath.FromSlash(p))
		_ = os.Remove(full)
		if body == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(body, "->"); ok {
			err = os.Symlink(target, full)
		} else {
			err = os.WriteFile(full, []byte(body), 0o644)
		}
		if err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", "rules")
	return plumbing.NewHash(r.git("rev-parse", "HEAD"))
}

func (r *policyRepo) gitDir() string { return filepath.Join(r.dir, ".git") }

// TestFromConfigRepository: rules read from a policy repository's ref,
// straight from git objects, named repo@ref:path; the version is the
// commit id.
func TestFromConfigRepository(t *testing.T) {
	r := newPolicyRepo(t)
	head := r.commit(map[string]string{
		"rules/team.yml":       rule("team-rule"),
		"rules/allow/deps.yml": "npm: [react]\n",
		"rules/deps.yml":       "rules:\n  - id: dep\n    severity: block\n    message: m\n    dependencies: {new: true, allowlist: allow/deps.yml}\n",
		"other/x.yml":          "not: [valid",
		"README.md":            "no rules here\n",
	})
	src := config.Source{Repo: r.gitDir(), Ref: "refs/heads/main", Dir: "rules/"}
	pol, err := Load(context.Background(), FromConfig([]config.Source{{Embedded: true}, src}, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pol.Version != head.String() {
		t.Errorf("Version = %q; want %s", pol.Version, head)
	}
	team := pol.Rules.Lookup("team-rule")
	if team == nil || team.Source != r.gitDir()+"@refs/heads/main:rules/team.yml:2" {
		t.Fatalf("team rule = %+v", team)
	}
	if pol.Rules.Lookup("aws-access-key-id") == nil {
		t.Error("embedded rules missing")
	}
	if dep := pol.Rules.Lookup("dep"); dep == nil || dep.MatchDependency("npm", "react") || !dep.MatchDependency("npm", "left-pad") {
		t.Error("the allowlist in the policy tree was not applied")
	}
}

// TestFromConfigMissingRef: a missing policy ref fails the load, unless it
// is the repository being pushed to (its first push creates it).
func TestFromConfigMissingRef(t *testing.T) {
	r := newPolicyRepo(t)
	r.commit(map[string]string{"rules/team.yml": rule("x")})
	src := config.Source{Repo: r.gitDir(), Ref: "refs/heads/policy", Dir: "rules"}
	_, err := Load(context.Background(), FromConfig([]config.Source{src}, nil), Options{})
	if !errors.Is(err, ErrNoPolicyRef) || !strings.Contains(err.Error(), "refs/heads/policy") {
		t.Errorf("missing ref: %v; want ErrNoPolicyRef naming the ref", err)
	}
	pol, err := Load(context.Background(), FromConfig([]config.Source{{Embedded: true}, src}, &src), Options{})
	if err != nil || pol.Rules.Lookup("x") != nil || pol.Version != "embedded" {
		t.Errorf("missing ref of the repository pushed to: %v, %v", pol, err)
	}
}

// TestTreeRefusals: what a policy tree cannot do.
func TestTreeRefusals(t *testing.T) {
	dep := func(allow string) string {
		return "rules:\n  - id: dep\n    severity: block\n    message: m\n    dependencies: {new: true, allowlist: " + allow + "}\n"
	}
	tests := []struct {
		name  string
		files map[string]string
		dir   string
		opt   Options
		want  string
	}{
		{"allowlist from the server's disk", map[string]string{"rules/d.yml": dep("/etc/passwd")}, "rules", Options{}, "must be a path relative to the rule file"},
		{"allowlist outside the tree", map[string]string{"rules/d.yml": dep("../../x.yml")}, "rules", Options{}, "must stay within"},
		{"allowlist is a link", map[string]string{"rules/d.yml": dep("a.txt"), "rules/a.txt": "->/etc/passwd"}, "rules", Options{}, "not a regular file"},
		{"rule file is a link", map[string]string{"rules/r.yml": rule("x"), "rules/l.yml": "->/etc/passwd"}, "rules", Options{}, "L:rules/l.yml: a symbolic link: links in a policy repository are not followed"},
		{"rule file too large", map[string]string{"rules/r.yml": rule("x") + "#" + strings.Repeat("x", 5000) + "\n"}, "rules", Options{MaxFileBytes: 4096}, "L:rules/r.yml: larger than 4096 bytes"},
		{"no rule files", map[string]string{"rules/README": "x"}, "rules", Options{}, "L:rules: no rule files (*.yml, *.yaml) found"},
		{"missing directory", map[string]string{"r.yml": rule("x")}, "rules", Options{}, "L:rules: stat rules: file does not exist"},
		{"directory outside the tree", map[string]string{"r.yml": rule("x")}, "../x", Options{}, `invalid rules directory "../x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newPolicyRepo(t)
			head := r.commit(tt.files)
			store, err := gitstore.Open(gitstore.Env{GitDir: r.gitDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			_, err = Load(context.Background(), []Source{Tree(store, head, tt.dir, "L")}, tt.opt)
			t.Logf("Load: %v", err)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: %v; want %q", err, tt.want)
			}
		})
	}
}

// TestCheckPush: a push to the policy repository carries rules that load
// and pass their own tests, or is refused with every problem listed.
func TestCheckPush(t *testing.T) {
	good := "rules:\n  - id: t\n    severity: block\n    message: m\n    content: {regex: 'FIXME', keywords: [fixme]}\n    tests: {match: ['// FIXME'], nomatch: ['// fixed']}\n"
	bomb := "rules:\n  - id: bomb\n    severity: warn\n    message: m\n    content: {regex: zzzq}\n    tests:\n      nomatch:\n        - &a \"" + strings.Repeat("A", 100_000) + "\"\n" + strings.Repeat("        - *a\n", 3000)
	self := config.Source{Ref: "refs/heads/main", Dir: "rules"}
	zero := strings.Repeat("0", 40)
	tests := []struct {
		name  string
		files map[string]string
		ref   string
		del   bool
		want  string // error prefix; "" for none
	}{
		{"good", map[string]string{"rules/r.yml": good}, "refs/heads/main", false, ""},
		{"broken", map[string]string{"rules/r.yml": strings.Replace(good, "block", "blocker", 1)}, "refs/heads/main", false,
			"the pushed rules do not load, so they cannot be deployed:\nrefs/heads/main:rules/r.yml:3: rule \"t\": severity: invalid severity"},
		{"failing test", map[string]string{"rules/r.yml": strings.Replace(good, "// fixed", "// FIXME too", 1)}, "refs/heads/main", false,
			"the pushed rules fail 1 of their own tests"},
		{"alias bomb", map[string]string{"rules/bomb.yml": bomb}, "refs/heads/main", false,
			"the pushed rules do not load, so they cannot be deployed:\nrefs/heads/main:rules/bomb.yml:19: rule \"bomb\": aliases expand to more than 1048576 bytes"},
		{"other ref not checked", map[string]string{"rules/r.yml": strings.Replace(good, "block", "blocker", 1)}, "refs/heads/topic", false, ""},
		{"deletion", map[string]string{"rules/r.yml": good}, "refs/heads/main", true, "refs/heads/main is the pushguard policy ref; it cannot be deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newPolicyRepo(t)
			head := r.commit(tt.files)
			store, err := gitstore.Open(gitstore.Env{GitDir: r.gitDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			u := push.Update{Old: zero, New: head.String(), Ref: tt.ref}
			if tt.del {
				u = push.Update{Old: head.String(), New: zero, Ref: tt.ref}
			}
			err = CheckPush(context.Background(), store, self, []push.Update{u}, Options{})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckPush: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Errorf("CheckPush: %v; want %s", err, tt.want)
			}
		})
	}
}
