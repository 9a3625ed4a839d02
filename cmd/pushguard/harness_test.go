package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binPath is the pushguard binary built once for the end-to-end tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pushguard-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "pushguard")
	// PUSHGUARD_E2E_BIN runs the suite against another build (an older
	// release, to show which cases fail there); by default the package is
	// built from source.
	if other := os.Getenv("PUSHGUARD_E2E_BIN"); other != "" {
		binPath = other
	} else {
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build pushguard: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gitEnv is a hermetic environment for git: no user or system config, fixed
// identities and dates so commit ids are the same on every run.
func gitEnv(home string) []string {
	env := []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Dev Eloper",
		"GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev Eloper",
		"GIT_COMMITTER_EMAIL=dev@example.com",
		"GIT_AUTHOR_DATE=2026-01-02T03:04:05Z",
		"GIT_COMMITTER_DATE=2026-01-02T03:04:05Z",
		"LC_ALL=C",
		"TZ=UTC",
	}
	return env
}

// world is one test's server (bare repo with the hook) and client clone.
type world struct {
	t      *testing.T
	home   string
	server string // bare repository
	client string // work tree
	env    []string
	tick   int // commit clock, advanced per commit for distinct dates
}

// newWorld creates a bare server repository and a client work tree. The
// hook is not installed yet: call installHook.
func newWorld(t *testing.T) *world {
	t.Helper()
	root := t.TempDir()
	w := &world{t: t, home: filepath.Join(root, "home"), server: filepath.Join(root, "server.git"), client: filepath.Join(root, "client")}
	for _, d := range []string{w.home, w.client} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w.env = gitEnv(w.home)
	w.git(root, "init", "-q", "--bare", "-b", "main", w.server)
	w.git(w.client, "init", "-q", "-b", "main")
	w.git(w.client, "remote", "add", "origin", w.server)
	return w
}

// installHook makes the freshly built binary the server's pre-receive hook,
// invoked under the name "pre-receive" (a symlink) or, with extra
// arguments, through a small shell script.
func (w *world) installHook(args ...string) {
	w.t.Helper()
	hook := filepath.Join(w.server, "hooks", "pre-receive")
	_ = os.Remove(hook)
	if len(args) == 0 {
		if err := os.Symlink(binPath, hook); err != nil {
			w.t.Fatal(err)
		}
		return
	}
	script := "#!/bin/sh\nexec " + shellQuote(binPath) + " pre-receive"
	for _, a := range args {
		script += " " + shellQuote(a)
	}
	if err := os.WriteFile(hook, []byte(script+"\n"), 0o755); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) removeHook() {
	w.t.Helper()
	if err := os.Remove(filepath.Join(w.server, "hooks", "pre-receive")); err != nil {
		w.t.Fatal(err)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// git runs git in dir and fails the test on error.
func (w *world) git(dir string, args ...string) string {
	w.t.Helper()
	out, err := w.gitErr(dir, args...)
	if err != nil {
		w.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

func (w *world) gitErr(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string(nil), w.env...), w.dateEnv()...)
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	err := cmd.Run()
	return buf.String(), err
}

func (w *world) dateEnv() []string {
	d := fmt.Sprintf("2026-01-02T03:%02d:%02dZ", (w.tick/60)%60, w.tick%60)
	return []string{"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d}
}

// write creates or replaces files in the client work tree.
func (w *world) write(files map[string]string) {
	w.t.Helper()
	for name, content := range files {
		p := filepath.Join(w.client, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

// commit writes files, stages everything and commits; returns the commit id.
func (w *world) commit(msg string, files map[string]string) string {
	w.t.Helper()
	w.write(files)
	w.git(w.client, "add", "-A")
	w.tick++
	w.git(w.client, "commit", "-q", "--allow-empty", "-m", msg)
	return w.git(w.client, "rev-parse", "HEAD")
}

// pushResult is what a real `git push` returned.
type pushResult struct {
	out string // combined output, with git's "remote: " lines
	err error
}

func (p pushResult) accepted() bool { return p.err == nil }

// remote returns only the lines the hook printed, without "remote: ".
func (p pushResult) remote() string {
	var lines []string
	for _, l := range strings.Split(p.out, "\n") {
		if rest, ok := strings.CutPrefix(l, "remote: "); ok {
			lines = append(lines, strings.TrimRight(rest, " \r"))
		} else if l == "remote:" {
			lines = append(lines, "")
		}
	}
	return strings.Join(lines, "\n")
}

// push runs `git push` from the client with the given arguments.
func (w *world) push(args ...string) pushResult {
	w.t.Helper()
	out, err := w.gitErr(w.client, append([]string{"push", "--porcelain", "origin"}, args...)...)
	return pushResult{out: out, err: err}
}

func (w *world) mustAccept(p pushResult) {
	w.t.Helper()
	if !p.accepted() {
		w.t.Fatalf("push rejected, want accepted:\n%s", p.out)
	}
}

func (w *world) mustReject(p pushResult) {
	w.t.Helper()
	if p.accepted() {
		w.t.Fatalf("push accepted, want rejected:\n%s", p.out)
	}
	if !strings.Contains(p.out, "pre-receive hook declined") {
		w.t.Fatalf("push failed, but not by the hook:\n%s", p.out)
	}
}

// serverRef returns the id a ref has on the server, or "" when it is absent.
func (w *world) serverRef(ref string) string {
	out, err := w.gitErr(w.server, "rev-parse", "--verify", "-q", ref)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

// scanJSON runs `pushguard scan --repo <server> --all --format json` with
// extra arguments and decodes its report into v.
func (w *world) scanJSON(v any, extra ...string) {
	w.t.Helper()
	out, err := exec.Command(binPath, append([]string{"scan", "--repo", w.server, "--all", "--format", "json"}, extra...)...).Output()
	if err != nil {
		w.t.Fatalf("scan: %v\n%s", err, out)
	}
	if err := json.Unmarshal(out, v); err != nil {
		w.t.Fatalf("scan JSON: %v\n%s", err, out)
	}
}
