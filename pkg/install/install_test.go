package install

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlain(t *testing.T) {
	bin, binDir := fakeBinary(t)
	cfg := writeConfig(t, "")
	repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
	hook := filepath.Join(repo, "hooks", "pre-receive")

	in, out, _ := newInstaller(bin)
	in.Config = cfg
	if err := in.Plain(repo); err != nil {
		t.Fatalf("Plain: %v\n%s", err, out)
	}
	want := "#!/bin/sh\n" +
		"# pushguard pre-receive hook: scans what a push adds and rejects what breaks the rules.\n" +
		HookMarker + "\n" +
		"# Uninstall: delete this file (see docs/install.md).\n" +
		"exec '" + strings.ReplaceAll(bin, "'", `'\''`) + "' pre-receive --config '" + cfg + "'\n"
	if diff := cmp.Diff(want, readFile(t, hook)); diff != "" {
		t.Errorf("hook (-want +got):\n%s", diff)
	}
	if m := mode(t, hook); m != 0o755 {
		t.Errorf("hook mode %v, want 0755", m)
	}
	if got := strings.TrimSpace(gitCmd(t, repo, nil, "config", "--file", filepath.Join(repo, "config"), "--get", "receive.advertisePushOptions")); got != "true" {
		t.Errorf("receive.advertisePushOptions = %q, want true", got)
	}
	if !strings.Contains(out.String(), "installed "+hook) || !strings.Contains(out.String(), "receive.advertisePushOptions=true") {
		t.Errorf("output:\n%s", out)
	}
	if in.Config != cfg || in.Out != out {
		t.Error("Plain modified the Installer")
	}

	// The wrapper execs the binary with the hook's stdin and exit code.
	cmd := exec.Command(hook)
	cmd.Stdin = strings.NewReader("old new refs/heads/main\n")
	cmd.Env = append(os.Environ(), "FAKE_EXIT=7")
	if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 7 {
		t.Errorf("hook exit: %v, want 7", err)
	}
	if got := readFile(t, filepath.Join(binDir, "args")); got != "pre-receive\n--config\n"+cfg+"\n" {
		t.Errorf("binary args %q", got)
	}
	if got := readFile(t, filepath.Join(binDir, "stdin")); got != "old new refs/heads/main\n" {
		t.Errorf("binary stdin %q", got)
	}

	// Idempotent: a second install changes nothing.
	out.Reset()
	if err := in.Plain(repo); err != nil || !strings.Contains(out.String(), "unchanged "+hook) ||
		!strings.Contains(out.String(), "unchanged "+filepath.Join(repo, "config")) || strings.Contains(out.String(), "installed") {
		t.Errorf("second install: %v\n%s", err, out)
	}
	// Without the configuration, our own hook is updated.
	in.Config = ""
	out.Reset()
	if err := in.Plain(repo); err != nil || !strings.Contains(out.String(), "updated "+hook) || strings.Contains(readFile(t, hook), "--config") {
		t.Errorf("reinstall without Config: %v\n%s", err, out)
	}
	// A hook of ours that lost its execute bits gets them back.
	if err := os.Chmod(hook, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := in.Plain(repo); err != nil || !strings.Contains(out.String(), "updated "+hook+" (mode)") || mode(t, hook) != 0o755 {
		t.Errorf("reinstall over a non-executable hook: %v mode %v\n%s", err, mode(t, hook), out)
	}
}

// TestPlainPush pushes through the installed hook: git runs it, push options
// reach it, and its exit code decides.
func TestPlainPush(t *testing.T) {
	bin, binDir := fakeBinary(t)
	root := t.TempDir()
	repo := bareRepo(t, filepath.Join(root, "server.git"))
	in, _, _ := newInstaller(bin)
	if err := in.Plain(repo); err != nil {
		t.Fatal(err)
	}
	client := filepath.Join(root, "client")
	if err := os.Mkdir(client, 0o755); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, client, nil, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(client, "a.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, client, nil, "add", "a.txt")
	gitCmd(t, client, nil, "commit", "-q", "-m", "first")
	gitCmd(t, client, nil, "push", "-q", "-o", "pushguard.bypass=INC-1 because", repo, "main")
	if got := readFile(t, filepath.Join(binDir, "option")); got != "pushguard.bypass=INC-1 because" {
		t.Errorf("push option seen by the hook: %q", got)
	}
	if got := readFile(t, filepath.Join(binDir, "stdin")); !strings.HasSuffix(got, " refs/heads/main\n") {
		t.Errorf("hook stdin %q", got)
	}
	// A failing hook rejects the push.
	if err := os.WriteFile(filepath.Join(client, "a.txt"), []byte("again\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, client, nil, "commit", "-q", "-am", "second")
	cmd := exec.Command("git", "push", "-q", repo, "main")
	cmd.Dir = client
	cmd.Env = append(gitEnv(t.TempDir()), "FAKE_EXIT=1")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "pre-receive hook declined") {
		t.Errorf("push through a failing hook: %v\n%s", err, out)
	}
}

func TestRefusesForeignHook(t *testing.T) {
	bin, _ := fakeBinary(t)
	repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
	hook := filepath.Join(repo, "hooks", "pre-receive")
	const foreign = "#!/bin/sh\necho legacy checks\n"
	if err := os.WriteFile(hook, []byte(foreign), 0o755); err != nil {
		t.Fatal(err)
	}
	in, out, _ := newInstaller(bin)
	err := in.Plain(repo)
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Path != hook || !strings.Contains(err.Error(), "--force") || !IsUsageError(err) {
		t.Fatalf("install over a foreign hook: %v", err)
	}
	if readFile(t, hook) != foreign {
		t.Fatal("foreign hook changed without Force")
	}
	in.Force = true
	if err := in.Plain(repo); err != nil {
		t.Fatalf("Force: %v\n%s", err, out)
	}
	backup := hook + BackupSuffix
	if readFile(t, backup) != foreign || mode(t, backup)&0o111 != 0 {
		t.Errorf("backup %s: content %q mode %v; want the old hook, not executable", backup, readFile(t, backup), mode(t, backup))
	}
	if !strings.Contains(out.String(), "backed up "+hook+" to "+backup) || !strings.Contains(readFile(t, hook), HookMarker) {
		t.Errorf("hook not replaced:\n%s", out)
	}
	// A second foreign hook gets a numbered backup, never overwriting the first.
	if err := os.WriteFile(hook, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := in.Plain(repo); err != nil {
		t.Fatal(err)
	}
	if readFile(t, backup) != foreign || readFile(t, hook+".1"+BackupSuffix) != "#!/bin/sh\n" {
		t.Error("second backup overwrote the first")
	}
	// A foreign symlink is moved aside too, not followed.
	target := filepath.Join(t.TempDir(), "shared-hook")
	if err := os.WriteFile(target, []byte("#!/bin/sh\n# shared\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, hook); err != nil {
		t.Fatal(err)
	}
	if err := in.Plain(repo); err != nil {
		t.Fatal(err)
	}
	if readFile(t, target) != "#!/bin/sh\n# shared\n" || !strings.Contains(readFile(t, hook), HookMarker) {
		t.Error("the symlink's target was written through")
	}
}

// TestErrors: every error names its cause, the caller's mistakes are usage
// errors, and a failed install writes no hook.
func TestErrors(t *testing.T) {
	bin, _ := fakeBinary(t)
	dir := t.TempDir()
	badCfg := writeConfig(t, "mode: enforce\nmdoe: audit\n")
	fileNotDir := filepath.Join(dir, "file")
	if err := os.WriteFile(fileNotDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	hooksFile := bareRepo(t, filepath.Join(dir, "hooksfile.git"))
	if err := os.RemoveAll(filepath.Join(hooksFile, "hooks")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hooksFile, "hooks"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfgDir := bareRepo(t, filepath.Join(dir, "cfgdir.git"))
	if err := os.Remove(filepath.Join(cfgDir, "config")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(cfgDir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	mixedRoot := t.TempDir()
	bareRepo(t, filepath.Join(mixedRoot, "acme", "ok.git"))
	if err := os.MkdirAll(filepath.Join(mixedRoot, "acme", "junk.git"), 0o755); err != nil {
		t.Fatal(err)
	}
	clean := bareRepo(t, filepath.Join(dir, "clean.git"))

	tests := []struct {
		name  string
		in    Installer
		run   func(in *Installer) error
		want  string
		usage bool
	}{
		{"relative binary", Installer{Bin: "pushguard"}, func(in *Installer) error { return in.Plain(clean) }, `binary path "pushguard" is not absolute`, true},
		{"invalid config", Installer{Bin: bin, Config: badCfg}, func(in *Installer) error { return in.Plain(clean) }, `pushguard.yml:2: unknown key "mdoe"`, true},
		{"missing config", Installer{Bin: bin, Config: badCfg + ".missing"}, func(in *Installer) error { return in.GitLab(dir) }, "no such file", true},
		{"missing repository", Installer{Bin: bin}, func(in *Installer) error { return in.Plain("/missing.git") }, "/missing.git is not a git repository (no HEAD)", true},
		{"not a repository", Installer{Bin: bin}, func(in *Installer) error { return in.GiteaRepo(dir) }, "is not a git repository", true},
		{"hooks is a file", Installer{Bin: bin}, func(in *Installer) error { return in.Plain(hooksFile) }, "hooks is not a directory", true},
		{"gitlab dir is a file", Installer{Bin: bin}, func(in *Installer) error { return in.GitLab(fileNotDir) }, "is not a directory (create GitLab's custom_hooks_dir", true},
		{"gitea root missing", Installer{Bin: bin}, func(in *Installer) error { return in.GiteaRoot(filepath.Join(dir, "nope")) }, "is not a directory", true},
		{"gitea root with a non-repository", Installer{Bin: bin}, func(in *Installer) error { return in.GiteaRoot(mixedRoot) }, "junk.git is not a git repository", true},
		{"config is a directory", Installer{Bin: bin}, func(in *Installer) error { return in.Plain(cfgDir) }, "set receive.advertisePushOptions in " + filepath.Join(cfgDir, "config"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			err := tc.run(&in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
			if got := IsUsageError(err); got != tc.usage {
				t.Errorf("IsUsageError = %v, want %v (%v)", got, tc.usage, err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(clean, "hooks", "pre-receive")); err == nil {
		t.Error("a failed install left a hook behind")
	}
	if _, err := os.Stat(filepath.Join(dir, "pre-receive.d")); err == nil {
		t.Error("a failed GitLab install created pre-receive.d")
	}
	// The good repository next to junk.git was still installed.
	if !strings.Contains(readFile(t, filepath.Join(mixedRoot, "acme", "ok.git", "hooks", "pre-receive.d", "pushguard")), HookMarker) {
		t.Error("GiteaRoot stopped at the first failure")
	}
}

func TestIsUsageError(t *testing.T) {
	arg := argErrorf("not a repository")
	refused := &RefusedError{Path: "/x"}
	other := errors.New("disk full")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"arg", arg, true},
		{"refused", refused, true},
		{"wrapped arg", fmt.Errorf("write out: %w", arg), true},
		{"other", other, false},
		{"wrapped other", fmt.Errorf("write: %w", other), false},
		{"joined usage", errors.Join(arg, refused), true},
		{"joined mixed", errors.Join(arg, other), false},
		{"wrapped joined mixed", fmt.Errorf("root: %w", errors.Join(refused, other)), false},
	}
	for _, tc := range tests {
		if got := IsUsageError(tc.err); got != tc.want {
			t.Errorf("%s: IsUsageError(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestBinaryPath(t *testing.T) {
	bin, dir := fakeBinary(t)
	link := filepath.Join(t.TempDir(), "pg-link")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "data")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	self, _ = filepath.EvalSymlinks(self)
	tests := []struct {
		name, flag, want, wantErr string
	}{
		{"absolute", bin, bin, ""},
		{"symlink resolved", link, bin, ""},
		{"default is this executable", "", self, ""},
		{"not executable", notExec, "", "is not an executable file"},
		{"directory", dir, "", "is not an executable file"},
		{"missing", bin + ".missing", "", "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BinaryPath(tc.flag)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !IsUsageError(err) {
					t.Fatalf("BinaryPath(%q) = %q, %v; want usage error %q", tc.flag, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("BinaryPath(%q) = %q, %v; want %q", tc.flag, got, err, tc.want)
			}
		})
	}
}

// TestWarnings: problems that do not stop the install reach Warn, one
// prefixed line each, and only when they apply.
func TestWarnings(t *testing.T) {
	bin, _ := fakeBinary(t) // under the temporary directory
	const clamp = "time_budget 10s is longer than GitHub Enterprise Server allows (it kills hooks at 5s); using 4.5s"
	tests := []struct {
		name   string
		config string
		setup  func(t *testing.T, repo string)
		run    func(in *Installer, repo string) error
		want   []string // warnings after the prefix, in order
	}{
		{"plain, default config", "", nil, (*Installer).Plain, nil},
		{"plain, long budget", "time_budget: 10s\n", nil, (*Installer).Plain, nil},
		{"plain, platform ghes", "platform: ghes\ntime_budget: 10s\n", nil, (*Installer).Plain, []string{"CFG: " + clamp}},
		{"gitea, platform ghes", "platform: ghes\ntime_budget: 10s\n", func(t *testing.T, repo string) {
			for _, h := range []string{"pre-receive", "post-receive"} {
				if err := os.WriteFile(filepath.Join(repo, "hooks", h), []byte(giteaWrapper), 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}, (*Installer).GiteaRepo, []string{"CFG: " + clamp}},
		{"gitea without the post-receive wrapper", "", func(t *testing.T, repo string) {
			if err := os.WriteFile(filepath.Join(repo, "hooks", "pre-receive"), []byte(giteaWrapper), 0o755); err != nil {
				t.Fatal(err)
			}
		}, (*Installer).GiteaRepo, []string{"REPO/hooks/post-receive does not run hooks/post-receive.d/*: the audit log will not say which accepted pushes landed there (Site Administration > Dashboard > Resynchronize git hooks)"}},
		{"plain with someone else's post-receive", "", func(t *testing.T, repo string) {
			if err := os.WriteFile(filepath.Join(repo, "hooks", "post-receive"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, (*Installer).Plain, []string{"REPO/hooks/post-receive exists and was not written by pushguard: left unchanged, so the audit log will not say which accepted pushes landed (call \"BIN post-receive\" from it with the same stdin, or use --force)"}},
		{"plain, core.hooksPath", "", func(t *testing.T, repo string) {
			gitCmd(t, repo, nil, "config", "--file", filepath.Join(repo, "config"), "core.hooksPath", "/srv/hooks\x1b[31m")
		}, (*Installer).Plain, []string{"REPO/config sets core.hooksPath=/srv/hooks\\x1b[31m: git runs hooks from there, not from REPO/hooks"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
			if tc.setup != nil {
				tc.setup(t, repo)
			}
			in, _, warn := newInstaller(bin)
			if tc.config != "" {
				in.Config = writeConfig(t, tc.config)
			}
			if err := tc.run(in, repo); err != nil {
				t.Fatal(err)
			}
			want := []string{"pushguard install: warning: the hook will run " + bin + ", under the temporary directory; install the binary (e.g. /usr/local/bin/pushguard) and pass --binary"}
			for _, w := range tc.want {
				w = strings.ReplaceAll(strings.ReplaceAll(w, "CFG", in.Config), "BIN", bin)
				want = append(want, "pushguard install: warning: "+strings.ReplaceAll(w, "REPO", repo))
			}
			got := strings.Split(strings.TrimSuffix(warn.String(), "\n"), "\n")
			if diff := cmp.Diff(sortWarnings(want), sortWarnings(got)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// sortWarnings puts the temporary-directory warning first, keeping the
// others in order.
func sortWarnings(ws []string) []string {
	var first, rest []string
	for _, w := range ws {
		if strings.Contains(w, "under the temporary directory") {
			first = append(first, w)
		} else {
			rest = append(rest, w)
		}
	}
	return append(first, rest...)
}

func TestGitLab(t *testing.T) {
	bin, _ := fakeBinary(t)
	cfg := writeConfig(t, "")
	dir := filepath.Join(t.TempDir(), "custom_hooks")
	in, out, _ := newInstaller(bin)
	in.Config = cfg
	if err := in.GitLab(dir); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("missing hooks dir: %v", err)
	}
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := in.GitLab(dir); err != nil {
		t.Fatalf("GitLab: %v\n%s", err, out)
	}
	hook := filepath.Join(dir, "pre-receive.d", "pushguard")
	if got := readFile(t, hook); !strings.Contains(got, "pre-receive --config '"+cfg+"'") || mode(t, hook) != 0o755 {
		t.Errorf("hook %q mode %v", got, mode(t, hook))
	}
	if mode(t, filepath.Dir(hook)) != 0o755 {
		t.Errorf("pre-receive.d mode %v", mode(t, filepath.Dir(hook)))
	}
	entries, _ := os.ReadDir(filepath.Dir(hook))
	if len(entries) != 1 {
		t.Errorf("pre-receive.d holds %d entries, want only the hook (no temporary files)", len(entries))
	}
	out.Reset()
	if err := in.GitLab(dir); err != nil || !strings.Contains(out.String(), "unchanged "+hook) {
		t.Errorf("second install: %v\n%s", err, out)
	}
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var refused *RefusedError
	if err := in.GitLab(dir); !errors.As(err, &refused) {
		t.Errorf("foreign pre-receive.d/pushguard: %v", err)
	}
}

// giteaWrapper is the shape of the hooks/pre-receive Gitea writes.
const giteaWrapper = `#!/usr/bin/env bash
data=$(cat)
exitcodes=""
hookname=$(basename $0)
GIT_DIR=${GIT_DIR:-$(dirname $0)/..}
for hook in ${GIT_DIR}/hooks/${hookname}.d/*; do
  test -x "${hook}" && test -f "${hook}" || continue
  echo "${data}" | "${hook}"
  exitcodes="${exitcodes} $?"
done
for i in ${exitcodes}; do
  [ ${i} -eq 0 ] || exit ${i}
done
`

func TestGitea(t *testing.T) {
	bin, _ := fakeBinary(t)
	root := t.TempDir()
	repos := []string{
		bareRepo(t, filepath.Join(root, "acme", "api.git")),
		bareRepo(t, filepath.Join(root, "acme", "api.wiki.git")),
		bareRepo(t, filepath.Join(root, "bob", "dotfiles.git")),
	}
	for _, r := range repos[:2] {
		for _, h := range []string{"pre-receive", "post-receive"} {
			if err := os.WriteFile(filepath.Join(r, "hooks", h), []byte(giteaWrapper), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Not repositories: a plain folder and a file.
	if err := os.MkdirAll(filepath.Join(root, "acme", "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "README"), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	in, out, warn := newInstaller(bin)
	if err := in.GiteaRoot(root); err != nil {
		t.Fatalf("GiteaRoot: %v\n%s", err, out)
	}
	for _, r := range repos {
		hook := filepath.Join(r, "hooks", "pre-receive.d", "pushguard")
		if !strings.Contains(readFile(t, hook), HookMarker) || mode(t, hook) != 0o755 {
			t.Errorf("%s not installed", hook)
		}
		post := filepath.Join(r, "hooks", "post-receive.d", "pushguard")
		if got := readFile(t, post); !strings.Contains(got, PostReceiveMarker) || !strings.Contains(got, "' post-receive\n") || mode(t, post) != 0o755 {
			t.Errorf("%s: companion not installed: %q", post, got)
		}
	}
	if !strings.Contains(out.String(), "3 repositories under "+root+", 0 failed") {
		t.Errorf("output:\n%s", out)
	}
	// bob/dotfiles has no Gitea wrapper: warned, still installed.
	if !strings.Contains(warn.String(), filepath.Join(repos[2], "hooks", "pre-receive")+" does not run hooks/pre-receive.d/*") ||
		strings.Count(warn.String(), "does not run") != 1 {
		t.Errorf("warnings:\n%s", warn)
	}
	// The temporary-binary warning is given once, not per repository.
	if n := strings.Count(warn.String(), "under the temporary directory"); n != 1 {
		t.Errorf("temporary directory warning given %d times:\n%s", n, warn)
	}
	// Idempotent, so it can run from cron after new repositories appear.
	out.Reset()
	if err := in.GiteaRoot(root); err != nil || strings.Count(out.String(), "unchanged ") != 6 {
		t.Errorf("second install: %v\n%s", err, out)
	}

	// The Gitea wrapper runs the installed hook and passes its stdin.
	bin2, binDir := fakeBinary(t)
	in2, _, _ := newInstaller(bin2)
	if err := in2.GiteaRepo(repos[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("bash"); err == nil {
		cmd := exec.Command(filepath.Join(repos[0], "hooks", "pre-receive"))
		cmd.Stdin = strings.NewReader("a b refs/heads/main\n")
		cmd.Env = append(os.Environ(), "GIT_DIR="+repos[0], "FAKE_EXIT=3")
		if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 3 {
			t.Errorf("gitea wrapper exit %v, want 3", err)
		}
		if got := readFile(t, filepath.Join(binDir, "stdin")); got != "a b refs/heads/main\n" {
			t.Errorf("stdin through the gitea wrapper: %q", got)
		}
	}

	if err := in.GiteaRoot(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no repositories found") || !IsUsageError(err) {
		t.Errorf("empty root: %v", err)
	}
}

func TestGHESBundle(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "alpine.tar.gz")
	tarGz(t, base, map[string]string{
		"./bin/":                     "",
		"./bin/sh":                   "#!busybox",
		"./usr/":                     "",
		"./usr/local/":               "",
		"./usr/local/bin/":           "",
		"./usr/local/bin/pushguard":  "old build",
		"./etc/":                     "",
		"./etc/os-release":           "ID=alpine\n",
		"./usr/local/bin/other-tool": "tool",
	})
	cfg := writeConfig(t, "")
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(outDir, "pushguard-env.tar.gz")
	bin := writeELF(t, elf.EM_X86_64, false)

	in, out, warn := newInstaller(bin)
	in.Config = cfg
	if err := in.GHESBundle(bundle, base); err != nil {
		t.Fatalf("GHESBundle: %v\n%s", err, out)
	}
	if strings.Contains(warn.String(), "temporary directory") {
		t.Errorf("the bundle copies the binary; no temporary-directory warning wanted:\n%s", warn)
	}
	got := readTarGz(t, bundle)
	if e := got[GHESBinary]; e.data != readFile(t, bin) || e.mode != 0o755 {
		t.Errorf("%s: %d bytes mode %o; want the binary, 0755", GHESBinary, len(e.data), e.mode)
	}
	if _, old := got["./usr/local/bin/pushguard"]; old {
		t.Error("the base's old pushguard is still in the bundle")
	}
	if e := got[GHESConfig]; e.data != "mode: audit\n" || e.mode != 0o644 {
		t.Errorf("%s = %+v", GHESConfig, e)
	}
	if e := got[GHESScript]; e.data != ghesHookScript() || e.mode != 0o755 {
		t.Errorf("%s = %+v", GHESScript, e)
	}
	for _, keep := range []string{"./bin/sh", "./etc/os-release", "./usr/local/bin/other-tool"} {
		if _, ok := got[keep]; !ok {
			t.Errorf("base entry %s missing", keep)
		}
	}
	if e, ok := got["usr/local/share/pushguard/"]; !ok || !e.dir {
		t.Error("missing parent directory entry usr/local/share/pushguard/")
	}
	if mode(t, bundle) != 0o644 {
		t.Errorf("bundle mode %v", mode(t, bundle))
	}
	script := filepath.Join(outDir, GHESHookScriptName)
	if readFile(t, script) != ghesHookScript() || mode(t, script) != 0o755 {
		t.Errorf("%s not written next to the bundle", script)
	}
	if entries, _ := os.ReadDir(outDir); len(entries) != 2 {
		t.Errorf("%s holds %d entries, want the bundle and the script (no temporary files)", outDir, len(entries))
	}
	// Rebuilding is fine; the script is ours and unchanged.
	in.Config = ""
	out.Reset()
	if err := in.GHESBundle(bundle, base); err != nil || !strings.Contains(out.String(), "unchanged "+script) {
		t.Errorf("rebuild: %v\n%s", err, out)
	}
	if _, ok := readTarGz(t, bundle)[GHESConfig]; ok {
		t.Error("rebuild without Config kept the configuration")
	}

	// A base without /bin/sh cannot run the hook script.
	noShell := filepath.Join(dir, "scratch.tar.gz")
	tarGz(t, noShell, map[string]string{"etc/": ""})
	other := filepath.Join(dir, "other.tar.gz")
	if err := in.GHESBundle(other, noShell); err == nil || !strings.Contains(err.Error(), "has no bin/sh") || !IsUsageError(err) {
		t.Errorf("base without sh: %v", err)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("refused bundle was written")
	}
	in.Force = true
	warn.Reset()
	if err := in.GHESBundle(other, noShell); err != nil || !strings.Contains(warn.String(), "pushguard install: warning: "+noShell+" has no bin/sh") {
		t.Errorf("base without sh, Force: %v %s", err, warn)
	}
}

// TestGHESBundleErrors: an unusable binary, base or output directory is the
// caller's mistake, and nothing is written.
func TestGHESBundleErrors(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.tar.gz")
	tarGz(t, base, map[string]string{"bin/sh": "x"})
	notGzip := writeConfig(t, "")
	truncated := filepath.Join(dir, "truncated.tar.gz")
	if err := os.WriteFile(truncated, []byte(readFile(t, base)[:30]), 0o644); err != nil {
		t.Fatal(err)
	}
	script, _ := fakeBinary(t)
	static := writeELF(t, elf.EM_X86_64, false)
	tests := []struct {
		name, bin, base, out, want string
	}{
		{"script as binary", script, base, "", "is not a Linux ELF binary"},
		{"arm64 binary", writeELF(t, elf.EM_AARCH64, false), base, "", "is built for EM_AARCH64; GHES runs x86-64"},
		{"dynamic binary", writeELF(t, elf.EM_X86_64, true), base, "", "is dynamically linked"},
		{"missing base", static, base + ".missing", "", "no such file"},
		{"base not gzip", static, notGzip, "", "is not a .tar.gz"},
		{"base truncated", static, truncated, "", "base " + truncated},
		{"output directory missing", static, base, filepath.Join(dir, "nope", "b.tar.gz"), "does not exist (create it first)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.out
			if out == "" {
				out = filepath.Join(t.TempDir(), "b.tar.gz")
			}
			in, _, _ := newInstaller(tc.bin)
			err := in.GHESBundle(out, tc.base)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !IsUsageError(err) {
				t.Fatalf("error %v, want a usage error with %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("left %d files in %s", len(entries), filepath.Dir(out))
			}
		})
	}
}

func TestWrapperScriptsParse(t *testing.T) {
	in := &Installer{Bin: "/opt/it's/pushguard", Config: "/etc/push guard/c.yml"}
	for name, s := range map[string]string{"wrapper": in.hookScript(), "ghes": ghesHookScript()} {
		cmd := exec.Command("sh", "-n")
		cmd.Stdin = strings.NewReader(s)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s script does not parse: %v %s\n%s", name, err, out, s)
		}
		if !strings.Contains(s, HookMarker) {
			t.Errorf("%s script lacks the marker", name)
		}
	}
}

// TestAdvertisePushOptions: whatever the config file held, git then reads
// receive.advertisePushOptions as true; the rest of the file is kept, and a
// lock held by git is respected.
func TestAdvertisePushOptions(t *testing.T) {
	tests := []struct {
		name    string
		config  string // "" keeps what git init wrote
		lock    bool   // config.lock exists
		wantOut string
		wantErr string
	}{
		{"fresh repository", "", false, "set ", ""},
		{"already true", "[core]\n\tbare = true\n[receive]\n\tadvertisePushOptions = true\n", false, "unchanged ", ""},
		{"false before", "[receive]\n\tadvertisePushOptions = false\n[core]\n\tbare = true", false, "set ", ""},
		{"mixed case key set to 0", "[Receive]\n\tAdvertisePushOptions = 0\n", false, "set ", ""},
		{"git holds the lock", "", true, "", "remove a stale"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
			cfgFile := filepath.Join(repo, "config")
			if tc.config != "" {
				if err := os.WriteFile(cfgFile, []byte(tc.config), 0o640); err != nil {
					t.Fatal(err)
				}
			}
			if tc.lock {
				if err := os.WriteFile(cfgFile+".lock", nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := readFile(t, cfgFile)
			beforeMode := mode(t, cfgFile)
			in, out, _ := newInstaller("/usr/local/bin/pushguard")
			err := in.advertisePushOptions(cfgFile, repo)
			if tc.wantErr == "git: " {
				// The installer appends; git, reading the file, still fails.
				cmd := exec.Command("git", "config", "--file", cfgFile, "--get", "receive.advertisePushOptions")
				if out, gerr := cmd.CombinedOutput(); gerr == nil {
					t.Errorf("git read a broken config: %s", out)
				}
				return
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if readFile(t, cfgFile) != before {
					t.Error("config changed although the lock was held")
				}
				return
			}
			if err != nil || !strings.HasPrefix(out.String(), tc.wantOut) {
				t.Fatalf("%v\n%s", err, out)
			}
			after := readFile(t, cfgFile)
			if !strings.HasPrefix(after, before) {
				t.Errorf("the file's previous content was not kept:\n%s", after)
			}
			if got := strings.TrimSpace(gitCmd(t, repo, nil, "config", "--file", cfgFile, "--type", "bool", "--get", "receive.advertisePushOptions")); got != "true" {
				t.Errorf("git reads receive.advertisePushOptions = %q\n%s", got, after)
			}
			if m := mode(t, cfgFile); m != beforeMode {
				t.Errorf("mode %v, want %v", m, beforeMode)
			}
			if _, err := os.Stat(cfgFile + ".lock"); err == nil {
				t.Error("config.lock left behind")
			}
		})
	}
}
