package install

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientHooksRunByGit installs the developer-side hooks into a clone
// (through the clone, and through a linked work tree: both land in the
// repository's common hooks directory) and checks that real git runs them
// with the arguments and input pushguard expects: `pre-commit --config
// FILE`, and `pre-push --config FILE REMOTE URL` with git's ref lines on
// stdin; a failing hook stops the commit.
func TestClientHooksRunByGit(t *testing.T) {
	bin, binDir := fakeBinary(t)
	cfg := writeConfig(t, "")
	root := t.TempDir()
	server := bareRepo(t, filepath.Join(root, "server.git"))
	clone := filepath.Join(root, "clone")
	gitCmd(t, root, nil, "clone", "-q", server, clone)
	gitCmd(t, clone, nil, "commit", "-q", "--allow-empty", "-m", "init")
	wt := filepath.Join(root, "wt")
	gitCmd(t, clone, nil, "worktree", "add", "-q", "-b", "side", wt)

	for _, target := range []string{clone, wt} {
		in, out, _ := newInstaller(bin)
		in.Config = cfg
		if err := in.Client(target); err != nil {
			t.Fatalf("Client(%s): %v", target, err)
		}
		if !strings.Contains(out.String(), filepath.Join(clone, ".git", "hooks", "pre-commit")) {
			t.Errorf("Client(%s) did not write the common hooks:\n%s", target, out)
		}
	}
	gitCmd(t, wt, nil, "commit", "-q", "--allow-empty", "-m", "in the work tree")
	if got, want := readFile(t, filepath.Join(binDir, "args")), "pre-commit\n--config\n"+cfg+"\n"; got != want {
		t.Errorf("pre-commit hook args %q, want %q", got, want)
	}
	gitCmd(t, clone, nil, "push", "-q", "origin", "HEAD:refs/heads/main")
	if got, want := readFile(t, filepath.Join(binDir, "args")), "pre-push\n--config\n"+cfg+"\norigin\n"+server+"\n"; got != want {
		t.Errorf("pre-push hook args %q, want %q", got, want)
	}
	if stdin := readFile(t, filepath.Join(binDir, "stdin")); !strings.HasPrefix(stdin, "HEAD ") || !strings.Contains(stdin, " refs/heads/main "+strings.Repeat("0", 40)) {
		t.Errorf("pre-push stdin %q: want git's ref line", stdin)
	}
	cmd := exec.Command("git", "commit", "-q", "--allow-empty", "-m", "stopped")
	cmd.Dir = clone
	cmd.Env = append(gitEnv(t.TempDir()), "FAKE_EXIT=1")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("a failing pre-commit hook did not stop the commit:\n%s", out)
	}
}

// TestClientRefusals: a foreign hook is left alone (RefusedError, a usage
// error) unless Force backs it up; core.hooksPath is warned about; a
// directory that is no repository is the caller's mistake.
func TestClientRefusals(t *testing.T) {
	bin, _ := fakeBinary(t)
	root := t.TempDir()
	clone := filepath.Join(root, "clone")
	gitCmd(t, root, nil, "init", "-q", clone)
	foreign := filepath.Join(clone, ".git", "hooks", "pre-push")
	if err := os.WriteFile(foreign, []byte("#!/bin/sh\necho mine\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	in, _, _ := newInstaller(bin)
	err := in.Client(clone)
	var refused *RefusedError
	if !errors.As(err, &refused) || !IsUsageError(err) {
		t.Fatalf("foreign pre-push: err = %v, want a RefusedError", err)
	}
	if readFile(t, foreign) != "#!/bin/sh\necho mine\n" {
		t.Fatal("the foreign hook was changed")
	}
	in.Force = true
	if err := in.Client(clone); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readFile(t, foreign+BackupSuffix), "echo mine") {
		t.Error("the foreign hook was not backed up")
	}
	gitCmd(t, clone, nil, "config", "core.hooksPath", ".githooks")
	in, _, warn := newInstaller(bin)
	if err := in.Client(clone); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warn.String(), "core.hooksPath=.githooks") {
		t.Errorf("no warning about core.hooksPath:\n%s", warn)
	}
	if err := in.Client(t.TempDir()); !IsUsageError(err) {
		t.Errorf("not a repository: err = %v, want a usage error", err)
	}
}
