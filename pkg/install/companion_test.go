package install

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/hook"
)

// The pre-receive run finds the companion by these; they must not drift.
func TestCompanionConstants(t *testing.T) {
	if PostReceiveMarker != hook.PostReceiveMarker || PostReceiveEnv != hook.PostReceiveEnv {
		t.Errorf("install has %q/%q, hook has %q/%q", PostReceiveMarker, PostReceiveEnv, hook.PostReceiveMarker, hook.PostReceiveEnv)
	}
}

func TestPlainCompanion(t *testing.T) {
	bin, binDir := fakeBinary(t)
	cfg := writeConfig(t, "")
	repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
	in, out, _ := newInstaller(bin)
	in.Config = cfg
	if err := in.Plain(repo); err != nil {
		t.Fatalf("Plain: %v\n%s", err, out)
	}
	post := filepath.Join(repo, "hooks", "post-receive")
	got := readFile(t, post)
	if !strings.Contains(got, PostReceiveMarker) || !strings.Contains(got, HookMarker) || mode(t, post) != 0o755 {
		t.Fatalf("post-receive %q mode %v", got, mode(t, post))
	}
	// A real push runs both: the companion gets the ref updates git made.
	work := t.TempDir()
	gitCmd(t, work, nil, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(work, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, work, nil, "add", "a.txt")
	gitCmd(t, work, nil, "commit", "-q", "-m", "a")
	gitCmd(t, work, nil, "push", "-q", repo, "main")
	if args := readFile(t, filepath.Join(binDir, "args")); args != "post-receive\n--config\n"+cfg+"\n" {
		t.Errorf("the companion ran the binary with %q", args)
	}
	if stdin := readFile(t, filepath.Join(binDir, "stdin")); !strings.HasSuffix(stdin, " refs/heads/main\n") {
		t.Errorf("companion stdin %q", stdin)
	}
}

func TestGitLabCompanion(t *testing.T) {
	bin, _ := fakeBinary(t)
	dir := t.TempDir()
	in, out, _ := newInstaller(bin)
	if err := in.GitLab(dir); err != nil {
		t.Fatalf("GitLab: %v\n%s", err, out)
	}
	post := filepath.Join(dir, "post-receive.d", "pushguard")
	if got := readFile(t, post); !strings.Contains(got, PostReceiveMarker) || mode(t, post) != 0o755 {
		t.Errorf("companion %q", got)
	}
	// The hooks are global: the pre-receive wrapper names the companion.
	pre := readFile(t, filepath.Join(dir, "pre-receive.d", "pushguard"))
	if !strings.Contains(pre, PostReceiveEnv+"='"+post+"'\nexport "+PostReceiveEnv+"\n") {
		t.Errorf("pre-receive wrapper does not export the companion's path:\n%s", pre)
	}
}

// TestGiteaTemplate: a repository git creates with the template (as Gitea
// does with [git.config] init.templateDir) starts with both hooks, by git
// init and by git clone (forks, migrations).
func TestGiteaTemplate(t *testing.T) {
	bin, _ := fakeBinary(t)
	tmpl := filepath.Join(t.TempDir(), "pushguard-template")
	in, out, _ := newInstaller(bin)
	if err := in.GiteaTemplate(tmpl); err != nil {
		t.Fatalf("GiteaTemplate: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "init.templateDir = "+tmpl) {
		t.Errorf("output does not say how to use the template:\n%s", out)
	}
	root := t.TempDir()
	created := filepath.Join(root, "acme", "new.git")
	gitCmd(t, root, nil, "-c", "init.templateDir="+tmpl, "init", "-q", "--bare", created)
	forked := filepath.Join(root, "bob", "new.git")
	gitCmd(t, root, nil, "-c", "init.templateDir="+tmpl, "clone", "-q", "--bare", created, forked)
	for _, r := range []string{created, forked} {
		for _, h := range []string{"pre-receive.d", "post-receive.d"} {
			p := filepath.Join(r, "hooks", h, "pushguard")
			if got := readFile(t, p); !strings.Contains(got, HookMarker) || mode(t, p)&0o111 == 0 {
				t.Errorf("%s: %q mode %v", p, got, mode(t, p))
			}
		}
	}
	out.Reset()
	if err := in.GiteaTemplate(tmpl); err != nil || strings.Count(out.String(), "unchanged ") != 2 {
		t.Errorf("second run: %v\n%s", err, out)
	}
	if err := in.GiteaTemplate(filepath.Join(t.TempDir(), "missing", "tmpl")); err == nil || !IsUsageError(err) {
		t.Errorf("missing parent: %v", err)
	}
}
