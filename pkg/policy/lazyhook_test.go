package policy_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/hook"
	"github.com/pushguard/pushguard/pkg/policy"
)

// hookRepo is a real repository with a pushed commit no ref reaches yet.
type hookRepo struct {
	t    *testing.T
	dir  string
	base string
}

func newHookRepo(t *testing.T) *hookRepo {
	t.Helper()
	r := &hookRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.base = r.commit("", map[string]string{"README.md": "hi\n"})
	r.git("update-ref", "refs/heads/main", r.base)
	return r
}

func (r *hookRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = []string{
		"HOME=" + r.dir, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *hookRepo) commit(parent string, files map[string]string) string {
	r.t.Helper()
	if parent != "" {
		r.git("read-tree", parent)
	} else {
		r.git("read-tree", "--empty")
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
		r.git("update-index", "--add", name)
	}
	args := []string{"commit-tree", r.git("write-tree"), "-m", "c"}
	if parent != "" {
		args = append(args, "-p", parent)
	}
	return r.git(args...)
}

// push runs the hook in process for an update of main to commit.
func (r *hookRepo) push(cfg, commit string) (hook.Outcome, string) {
	r.t.Helper()
	p := filepath.Join(r.t.TempDir(), "pushguard.yml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		r.t.Fatal(err)
	}
	env := map[string]string{"GIT_DIR": filepath.Join(r.dir, ".git")}
	var out bytes.Buffer
	o := hook.Run(context.Background(), strings.NewReader(r.base+" "+commit+" refs/heads/main\n"), hook.Env{
		Getenv: func(k string) string { return env[k] }, Out: &out, Version: "test",
		Flags: hook.Flags{ConfigPath: p},
	})
	return o, out.String()
}

// TestHookLazyRulesStillBlock: the second and later runs of the hook load
// the rules lazily (stamped by the first) and block the same secret.
func TestHookLazyRulesStillBlock(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	r := newHookRepo(t)
	secret := r.commit(r.base, map[string]string{"k.env": "K=AKIA" + "QYLPMN5HHHFPZAM2\n"})
	for _, round := range []string{"cold", "warm", "warm again"} {
		o, out := r.push("mode: enforce\n", secret)
		if o.Code != hook.ExitRejected || o.Event.Decision != audit.DecisionRejected || !strings.Contains(out, "aws-access-key-id") {
			t.Fatalf("%s: code %d decision %q\n%s", round, o.Code, o.Event.Decision, out)
		}
		entries, _ := os.ReadDir(filepath.Join(cache, "pushguard", "rules"))
		stamps := 0
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".ok") {
				stamps++
			}
		}
		if stamps == 0 {
			t.Fatalf("%s: no validation stamps in the cache", round)
		}
	}
}

// TestHookForgedStampFailsClosed: a rule file that does not compile is
// rejected as broken policy; with a forged stamp it loads lazily, and the
// push whose lines meet the rule is rejected all the same (an internal
// error), never accepted as if the rule had found nothing.
func TestHookForgedStampFailsClosed(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	body := "rules:\n  - {id: broken, severity: warn, message: m, content: {regex: 'tok(en', keywords: [token]}}\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.yml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "rules:\n  - path: " + dir + "\n"
	r := newHookRepo(t)
	hit := r.commit(r.base, map[string]string{"a.txt": "token = 1\n"})

	o, out := r.push(cfg, hit)
	if o.Code == hook.ExitOK || !strings.Contains(out, "invalid regex") {
		t.Fatalf("without a stamp: code %d, want a rejection for the invalid regex\n%s", o.Code, out)
	}
	policy.ForgeStamp(filepath.Join(cache, "pushguard", "rules"), []byte(body))
	o, out = r.push(cfg, hit)
	if o.Code != hook.ExitInternal || o.Event.Decision != audit.DecisionRejected || !strings.Contains(out, "REJECTED") {
		t.Fatalf("with a forged stamp: code %d decision %q, want an internal error rejection\n%s", o.Code, o.Event.Decision, out)
	}
	if !strings.Contains(o.Event.Error, "failed to compile on first use") {
		t.Errorf("audit error %q; want the lazy compile failure", o.Event.Error)
	}
	// The policy on disk is not what was validated: a permanent
	// condition, which on_error: accept does not open.
	o, out = r.push(cfg+"on_error: accept\n", hit)
	if o.Code == hook.ExitOK || o.Event.Decision != audit.DecisionRejected {
		t.Fatalf("with a forged stamp and on_error: accept: code %d decision %q, want a rejection\n%s", o.Code, o.Event.Decision, out)
	}
}

// TestHookForgedStampMarkerFailsClosed: the same for an AI-tool marker,
// whose regexes a stamped file also compiles on first use: with a forged
// stamp, a marker that does not compile rejects the push as an internal
// error, never lets it through as if no tool had been found.
func TestHookForgedStampMarkerFailsClosed(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	body := "ai_tools:\n  - {id: my-agent, message: ['gen(erated by my-agent']}\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.yml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "rules:\n  - path: " + dir + "\n"
	r := newHookRepo(t)
	c := r.commit(r.base, map[string]string{"a.txt": "hello\n"})

	o, out := r.push(cfg, c)
	if o.Code == hook.ExitOK || !strings.Contains(out, "invalid regular expression") {
		t.Fatalf("without a stamp: code %d, want a rejection for the invalid regex\n%s", o.Code, out)
	}
	policy.ForgeStamp(filepath.Join(cache, "pushguard", "rules"), []byte(body))
	for _, extra := range []string{"", "on_error: accept\n"} {
		o, out = r.push(cfg+extra, c)
		if o.Code != hook.ExitInternal || o.Event.Decision != audit.DecisionRejected {
			t.Fatalf("with a forged stamp %q: code %d decision %q, want an internal error rejection\n%s", extra, o.Code, o.Event.Decision, out)
		}
		if !strings.Contains(o.Event.Error, "failed to compile on first use") || !strings.Contains(o.Event.Error, `tool "my-agent": message[0]`) {
			t.Errorf("audit error %q; want the marker's lazy compile failure", o.Event.Error)
		}
	}
}

// TestHookForgedCompiledFailsClosed: a compiled-rules file forged in the
// cache, whose content regex does not compile, rejects the push whose
// lines meet the rule as an internal error, also with on_error: accept;
// the genuine file blocks the secret before and after.
func TestHookForgedCompiledFailsClosed(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	body := "rules:\n  - {id: tok, severity: block, message: m, content: {regex: 'token = [0-9]', keywords: [token]}}\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.yml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "mode: enforce\nrules:\n  - path: " + dir + "\n"
	r := newHookRepo(t)
	hit := r.commit(r.base, map[string]string{"a.txt": "token = 1\n"})
	for _, round := range []string{"cold", "warm (compiled)"} {
		o, out := r.push(cfg, hit)
		if o.Code != hook.ExitRejected || !strings.Contains(out, "tok") {
			t.Fatalf("%s: code %d, want the rule to block\n%s", round, o.Code, out)
		}
	}
	forged := strings.Replace(body, "token = [0-9]", "tok(en", 1)
	if err := policy.ForgeCompiled(filepath.Join(cache, "pushguard", "rules"), filepath.Join(dir, "r.yml"), []byte(body), []byte(forged)); err != nil {
		t.Fatal(err)
	}
	for _, extra := range []string{"", "on_error: accept\n"} {
		o, out := r.push(cfg+extra, hit)
		if o.Code != hook.ExitInternal || o.Event.Decision != audit.DecisionRejected {
			t.Fatalf("forged %q: code %d decision %q, want an internal error rejection\n%s", extra, o.Code, o.Event.Decision, out)
		}
		if !strings.Contains(o.Event.Error, "failed to compile on first use") {
			t.Errorf("audit error %q; want the lazy compile failure", o.Event.Error)
		}
	}
}
