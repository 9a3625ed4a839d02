package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pgc runs the built binary in dir with the world's environment plus env,
// stdin given; it returns the exit code and the combined output.
func (w *world) pgc(dir, stdin string, env []string, args ...string) (int, string) {
	w.t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	cmd.Env = append(append(append([]string(nil), w.env...), w.dateEnv()...), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err == nil {
		return 0, out.String()
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	w.t.Fatalf("run pushguard %s: %v", strings.Join(args, " "), err)
	return -1, ""
}

// TestE2EClientHooks: `pushguard install --client` puts pre-commit and
// pre-push hooks in a clone; real `git commit` and `git push` run them. A
// staged secret stops the commit (nothing is committed), a partial commit
// of clean files goes through (git hands the hook its own index), and a
// commit made with --no-verify is stopped at push, before the server sees
// anything.
func TestE2EClientHooks(t *testing.T) {
	w := newWorld(t)
	w.commit("init", map[string]string{"README.md": "hi\n"})
	w.mustAccept(w.push("main"))
	if code, out := w.pgc(w.client, "", nil, "install", "--client", "--binary", binPath, w.client); code != 0 {
		t.Fatalf("install --client: exit %d\n%s", code, out)
	}
	for _, h := range []string{"pre-commit", "pre-push"} {
		b, err := os.ReadFile(filepath.Join(w.client, ".git", "hooks", h))
		if err != nil || !strings.Contains(string(b), "Managed by \"pushguard install\"") {
			t.Fatalf("hooks/%s not written with the marker: %v\n%s", h, err, b)
		}
	}
	head := w.git(w.client, "rev-parse", "HEAD")

	w.write(map[string]string{"app/cfg.ini": "key = \"" + fakeAWSKey + "\"\n", "clean.txt": "fine\n"})
	w.git(w.client, "add", "-A")
	out, err := w.gitErr(w.client, "commit", "-q", "-m", "add config")
	if err == nil {
		t.Fatalf("commit with a staged secret went through:\n%s", out)
	}
	for _, want := range []string{"pre-commit check: commit STOPPED", "aws-access-key-id", "app/cfg.ini:1:8", "Nothing was committed.", "--no-verify"} {
		if !strings.Contains(out, want) {
			t.Errorf("pre-commit output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, fakeAWSKey) {
		t.Errorf("the key is echoed unredacted:\n%s", out)
	}
	if got := w.git(w.client, "rev-parse", "HEAD"); got != head {
		t.Fatal("the commit was made")
	}

	// `git commit PATH` commits only PATH: the hook sees git's temporary
	// index, without the staged secret.
	if out, err := w.gitErr(w.client, "commit", "-q", "-m", "clean only", "clean.txt"); err != nil {
		t.Fatalf("partial commit of a clean file stopped:\n%s", out)
	}

	if out, err := w.gitErr(w.client, "commit", "-q", "--no-verify", "-m", "add config"); err != nil {
		t.Fatalf("commit --no-verify: %v\n%s", err, out)
	}
	serverBefore := w.serverRef("refs/heads/main")
	p := w.push("main")
	if p.accepted() {
		t.Fatalf("push of a commit with a secret went through the pre-push hook:\n%s", p.out)
	}
	for _, want := range []string{"pre-push check: push STOPPED", "1 blocking finding in 2 commits not yet on the remote", "Nothing was pushed."} {
		if !strings.Contains(p.out, want) {
			t.Errorf("pre-push output lacks %q:\n%s", want, p.out)
		}
	}
	if w.serverRef("refs/heads/main") != serverBefore {
		t.Fatal("the server received the push")
	}
	// Reinstalling is idempotent; a foreign hook is left alone.
	if code, out := w.pgc(w.client, "", nil, "install", "--client", "--binary", binPath, w.client); code != 0 || !strings.Contains(out, "unchanged") {
		t.Fatalf("reinstall: exit %d\n%s", code, out)
	}
	foreign := filepath.Join(w.client, ".git", "hooks", "pre-commit")
	if err := os.WriteFile(foreign, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, out := w.pgc(w.client, "", nil, "install", "--client", "--binary", binPath, w.client); code != exitUsage || !strings.Contains(out, "not written by pushguard") {
		t.Fatalf("foreign hook: exit %d\n%s", code, out)
	}
}

// TestE2EPreCommitFirstCommitAndSuppression: before the first commit
// (no HEAD) every staged line is new; an inline suppression with a reason
// lets a suppressible finding through at commit time as on the server.
func TestE2EPreCommitFirstCommitAndSuppression(t *testing.T) {
	w := newWorld(t)
	w.write(map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	w.git(w.client, "add", "-A")
	if code, out := w.pgc(w.client, "", nil, "pre-commit"); code != exitRejected || !strings.Contains(out, "aws-access-key-id") {
		t.Fatalf("first commit: exit %d, want 1\n%s", code, out)
	}
	// PATHs (as the framework passes them) limit the report to those files.
	w.write(map[string]string{"notes.txt": "notes\n"})
	w.git(w.client, "add", "notes.txt")
	if code, out := w.pgc(w.client, "", nil, "pre-commit", "notes.txt"); code != exitOK {
		t.Fatalf("pre-commit notes.txt: exit %d, want 0 (the secret is in another file)\n%s", code, out)
	}
	if code, out := w.pgc(w.client, "", nil, "pre-commit", "notes.txt", "k.env"); code != exitRejected {
		t.Fatalf("pre-commit notes.txt k.env: exit %d, want 1\n%s", code, out)
	}
	w.git(w.client, "rm", "-q", "--cached", "k.env")
	w.write(map[string]string{"scripts/setup.sh": "curl -sL http://get.example.org/install.sh | sh\n"})
	w.git(w.client, "add", "scripts/setup.sh")
	code, out := w.pgc(w.client, "", nil, "pre-commit")
	if code != exitRejected || !strings.Contains(out, "# pushguard:allow curl-pipe-shell-plain-http -- <why this is safe>") {
		t.Fatalf("a suppressible finding: exit %d, want 1 and the suppression syntax\n%s", code, out)
	}
	w.write(map[string]string{"scripts/setup.sh": "# pushguard:allow curl-pipe-shell-plain-http -- mirror on the isolated build network\n" +
		"curl -sL http://get.example.org/install.sh | sh\n"})
	w.git(w.client, "add", "scripts/setup.sh")
	code, out = w.pgc(w.client, "", nil, "pre-commit")
	if code != exitOK {
		t.Fatalf("suppressed finding still stops the commit: exit %d\n%s", code, out)
	}
	// Nothing staged: nothing to say.
	w.git(w.client, "commit", "-q", "--no-verify", "-m", "x")
	if code, out := w.pgc(w.client, "", nil, "pre-commit"); code != exitOK || out != "" {
		t.Fatalf("nothing staged: exit %d, output %q", code, out)
	}
}

// TestE2EPrePushSameVerdictAsServer replays a sequence of pushes under one
// configuration (feature branches in audit mode, main enforced): for each,
// the pre-push hook (git's protocol, this clone's view of the remote) and
// the server's pre-receive hook must decide alike. The server decides with
// the client hook skipped (--no-verify), so each push really reaches it.
func TestE2EPrePushSameVerdictAsServer(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, `scopes:
  - name: features
    refs: ["refs/heads/feature/**"]
    mode: audit
`)
	w := newWorld(t)
	w.installHook("--config", cfg)
	w.commit("init", map[string]string{"README.md": "hi\n"})
	w.mustAccept(w.push("main"))
	zero := strings.Repeat("0", 40)
	steps := []struct {
		name      string
		prepare   func()
		local     string // local ref pushed
		remoteRef string
		accept    bool
	}{
		{"secret to a feature branch (audit)", func() {
			w.git(w.client, "checkout", "-q", "-b", "feature/a")
			w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
		}, "feature/a", "refs/heads/feature/a", true},
		{"clean commit on the feature branch", func() {
			w.commit("more", map[string]string{"more.txt": "x\n"})
		}, "feature/a", "refs/heads/feature/a", true},
		{"feature branch merged into main: the secret enters main", nil, "feature/a", "refs/heads/main", false},
		{"clean commit on main", func() {
			w.git(w.client, "checkout", "-q", "main")
			w.commit("clean", map[string]string{"ok.txt": "ok\n"})
		}, "main", "refs/heads/main", true},
		{"new branch from main adds nothing", func() {
			w.git(w.client, "branch", "-q", "release", "main")
		}, "release", "refs/heads/release", true},
		{"secret on main", func() {
			w.commit("leak", map[string]string{"k2.env": "K=" + fakeAWSKey + "\n"})
		}, "main", "refs/heads/main", false},
	}
	for _, s := range steps {
		if s.prepare != nil {
			s.prepare()
		}
		local := w.git(w.client, "rev-parse", s.local)
		remote := w.serverRef(s.remoteRef)
		if remote == "" {
			remote = zero
		}
		line := fmt.Sprintf("refs/heads/%s %s %s %s\n", s.local, local, s.remoteRef, remote)
		code, out := w.pgc(w.client, line, nil, "pre-push", "--config", cfg, "origin", w.server)
		p := w.push("--no-verify", s.local+":"+s.remoteRef)
		if p.accepted() != s.accept {
			t.Fatalf("%s: server accepted=%v, want %v\n%s", s.name, p.accepted(), s.accept, p.out)
		}
		if (code == exitOK) != p.accepted() {
			t.Errorf("%s: pre-push exit %d, server accepted=%v\npre-push:\n%s\nserver:\n%s", s.name, code, p.accepted(), out, p.remote())
		}
		if !s.accept && code != exitRejected {
			t.Errorf("%s: pre-push exit %d, want 1", s.name, code)
		}
	}
}

// TestE2EPrePushMalformedInput: a pre-push hook that cannot read git's
// lines stops the push (exit 2), never lets it through.
func TestE2EPrePushMalformedInput(t *testing.T) {
	w := newWorld(t)
	w.commit("init", map[string]string{"README.md": "hi\n"})
	for _, in := range []string{
		"refs/heads/main deadbeef refs/heads/main 0000\n",
		"refs/heads/main\n",
		"refs/heads/main " + strings.Repeat("a", 40) + " main " + strings.Repeat("0", 40) + "\n",
	} {
		if code, out := w.pgc(w.client, in, nil, "pre-push", "origin", w.server); code != exitUsage {
			t.Errorf("input %q: exit %d, want 2\n%s", in, code, out)
		}
	}
}

// TestE2EPreCommitFramework runs the real pre-commit framework
// (scripts/ci-deps.sh installs it) against this repository's
// .pre-commit-hooks.yaml: a throwaway repository whose
// .pre-commit-config.yaml points at a file:// clone of this project at
// HEAD; the framework builds the hook with `go install` (offline: the
// module cache is shared, the proxy is off) and runs it on the staged
// changes, through `pre-commit run` and through `git commit`.
func TestE2EPreCommitFramework(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pushguard inside the framework (-short)")
	}
	if _, err := exec.LookPath("pre-commit"); err != nil {
		t.Skip("pre-commit is not installed (scripts/ci-deps.sh installs it)")
	}
	root, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skip("not in a git checkout of pushguard")
	}
	project := strings.TrimSpace(string(root))
	rev, err := exec.Command("git", "-C", project, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", project, "cat-file", "-e", "HEAD:.pre-commit-hooks.yaml").Run(); err != nil {
		t.Skip("HEAD has no .pre-commit-hooks.yaml yet")
	}
	goEnv := func(k string) string {
		out, err := exec.Command("go", "env", k).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	w := newWorld(t)
	w.env = append(w.env,
		"PRE_COMMIT_HOME="+filepath.Join(w.home, "pre-commit"),
		"GOMODCACHE="+goEnv("GOMODCACHE"), "GOCACHE="+goEnv("GOCACHE"),
		"GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOSUMDB=off",
		"PATH="+filepath.Dir(goEnv("GOROOT")+"/bin/go")+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	w.write(map[string]string{".pre-commit-config.yaml": fmt.Sprintf(`repos:
  - repo: file://%s
    rev: %s
    hooks:
      - id: pushguard
`, project, strings.TrimSpace(string(rev)))})
	w.git(w.client, "add", ".pre-commit-config.yaml")
	w.git(w.client, "commit", "-q", "-m", "pre-commit config")

	preCommit := func(args ...string) (int, string) {
		cmd := exec.Command("pre-commit", args...)
		cmd.Dir = w.client
		cmd.Env = w.env
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatalf("pre-commit %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return 0, string(out)
	}
	w.write(map[string]string{"clean.txt": "nothing to see\n"})
	w.git(w.client, "add", "clean.txt")
	if code, out := preCommit("run"); code != 0 {
		t.Fatalf("pre-commit run on a clean change: exit %d\n%s", code, out)
	}
	w.write(map[string]string{"app/cfg.ini": "key = \"" + fakeAWSKey + "\"\n"})
	w.git(w.client, "add", "app/cfg.ini")
	code, out := preCommit("run")
	if code == 0 || !strings.Contains(out, "aws-access-key-id") || !strings.Contains(out, "pushguard (staged changes)") {
		t.Fatalf("pre-commit run with a staged secret: exit %d\n%s", code, out)
	}
	if code, out := preCommit("install"); code != 0 {
		t.Fatalf("pre-commit install: exit %d\n%s", code, out)
	}
	head := w.git(w.client, "rev-parse", "HEAD")
	if out, err := w.gitErr(w.client, "commit", "-q", "-m", "leak"); err == nil || !strings.Contains(out, "aws-access-key-id") {
		t.Fatalf("git commit through the framework's hook went through (err %v):\n%s", err, out)
	}
	if w.git(w.client, "rev-parse", "HEAD") != head {
		t.Fatal("the commit was made")
	}
}

// TestE2EPrePushUnderFramework: run by the pre-commit framework, the
// pre-push hook gets no stdin and no arguments, only the framework's
// PRE_COMMIT_* variables (the first ref of the push); it must check that
// ref, not pass silently.
func TestE2EPrePushUnderFramework(t *testing.T) {
	w := newWorld(t)
	w.commit("init", map[string]string{"README.md": "hi\n"})
	w.mustAccept(w.push("main"))
	base := w.git(w.client, "rev-parse", "HEAD")
	tip := w.commit("leak", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	env := []string{
		"PRE_COMMIT_FROM_REF=" + base, "PRE_COMMIT_TO_REF=" + tip,
		"PRE_COMMIT_LOCAL_BRANCH=refs/heads/main", "PRE_COMMIT_REMOTE_BRANCH=refs/heads/main",
		"PRE_COMMIT_REMOTE_NAME=origin", "PRE_COMMIT_REMOTE_URL=" + w.server,
	}
	if code, out := w.pgc(w.client, "", env, "pre-push"); code != exitRejected || !strings.Contains(out, "1 blocking finding in 1 commit not yet on the remote") {
		t.Fatalf("framework pre-push: exit %d, want 1\n%s", code, out)
	}
	// A new branch: the framework gives no FROM_REF; the remote's refs
	// exclude what it has.
	env[0] = "PRE_COMMIT_FROM_REF="
	env[3] = "PRE_COMMIT_REMOTE_BRANCH=refs/heads/topic"
	if code, out := w.pgc(w.client, "", env, "pre-push"); code != exitRejected || !strings.Contains(out, "in 1 commit not yet") {
		t.Fatalf("framework pre-push of a new branch: exit %d, want 1 over 1 commit\n%s", code, out)
	}
	// --pusher: break-glass is offered to a pusher the configuration
	// allows, with the --no-verify the local hook then needs.
	cfg := writeServerConfig(t, t.TempDir(), "bypass:\n  allowed_pushers: [alice]\n")
	for pusher, want := range map[string]bool{"alice": true, "bob": false} {
		_, out := w.pgc(w.client, "", env, "pre-push", "--config", cfg, "--pusher", pusher)
		if got := strings.Contains(out, "git push --no-verify -o pushguard.bypass="); got != want {
			t.Errorf("--pusher %s: break-glass offered = %v, want %v\n%s", pusher, got, want, out)
		}
	}
	// Neither git's lines nor the framework's variables: nothing to check.
	if code, out := w.pgc(w.client, "", nil, "pre-push", "origin", w.server); code != exitOK || out != "" {
		t.Fatalf("empty push: exit %d\n%s", code, out)
	}
}
