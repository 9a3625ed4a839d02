package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runPG runs the pushguard command line in-process.
func runPG(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"pushguard"}, args...), strings.NewReader(""), &out, &errb, os.Getenv)
	return code, out.String(), errb.String()
}

// fakeBinary writes a stand-in for pushguard that records its arguments,
// stdin and first push option next to itself and exits with $FAKE_EXIT.
// Its directory has a space and a quote, to exercise the wrapper's quoting.
func fakeBinary(t *testing.T) (bin, dir string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "it's bin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "pushguard")
	script := `#!/bin/sh
d=$(dirname "$0")
printf '%s\n' "$@" > "$d/args"
cat > "$d/stdin"
printf '%s' "${GIT_PUSH_OPTION_0-}" > "$d/option"
exit "${FAKE_EXIT:-0}"
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, dir
}

// writeConfig writes a valid configuration file.
func writeConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pushguard.yml")
	if err := os.WriteFile(p, []byte("mode: audit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// gitCmd runs git hermetically in dir.
func gitCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(gitEnv(t.TempDir()), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func bareRepo(t *testing.T, p string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, filepath.Dir(p), nil, "init", "-q", "--bare", "-b", "main", p)
	return p
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestInstallPlain(t *testing.T) {
	bin, binDir := fakeBinary(t)
	cfg := writeConfig(t)
	repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
	hook := filepath.Join(repo, "hooks", "pre-receive")

	code, out, errOut := runPG(t, "install", "--plain", repo, "--binary", bin, "--config", cfg)
	if code != exitOK {
		t.Fatalf("install: exit %d\n%s%s", code, out, errOut)
	}
	want := "#!/bin/sh\n" +
		"# pushguard pre-receive hook: scans what a push adds and rejects what breaks the rules.\n" +
		hookMarker + "\n" +
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
	if !strings.Contains(out, "installed "+hook) || !strings.Contains(out, "receive.advertisePushOptions=true") {
		t.Errorf("output:\n%s", out)
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
	code, out, _ = runPG(t, "install", "--plain", repo, "--binary", bin, "--config", cfg)
	if code != exitOK || !strings.Contains(out, "unchanged "+hook) || !strings.Contains(out, "unchanged ") || strings.Contains(out, "installed") {
		t.Errorf("second install: exit %d\n%s", code, out)
	}
	// A different binary path updates our own hook.
	code, out, _ = runPG(t, "install", "--plain", repo, "--binary", bin)
	if code != exitOK || !strings.Contains(out, "updated "+hook) || strings.Contains(readFile(t, hook), "--config") {
		t.Errorf("reinstall without --config: exit %d\n%s", code, out)
	}
}

// TestInstallPlainPush pushes through the installed hook: git runs it, push
// options reach it, and its exit code decides.
func TestInstallPlainPush(t *testing.T) {
	bin, binDir := fakeBinary(t)
	root := t.TempDir()
	repo := bareRepo(t, filepath.Join(root, "server.git"))
	if code, out, errOut := runPG(t, "install", "--plain", repo, "--binary", bin); code != exitOK {
		t.Fatalf("install: exit %d\n%s%s", code, out, errOut)
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

func TestInstallRefusesForeignHook(t *testing.T) {
	bin, _ := fakeBinary(t)
	repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
	hook := filepath.Join(repo, "hooks", "pre-receive")
	const foreign = "#!/bin/sh\necho legacy checks\n"
	if err := os.WriteFile(hook, []byte(foreign), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runPG(t, "install", "--plain", repo, "--binary", bin)
	if code != exitUsage || !strings.Contains(errOut, "was not written by pushguard") || !strings.Contains(errOut, "--force") {
		t.Fatalf("install over a foreign hook: exit %d\n%s%s", code, out, errOut)
	}
	if readFile(t, hook) != foreign {
		t.Fatal("foreign hook changed without --force")
	}
	code, out, errOut = runPG(t, "install", "--plain", repo, "--binary", bin, "--force")
	if code != exitOK {
		t.Fatalf("install --force: exit %d\n%s%s", code, out, errOut)
	}
	backup := hook + backupSuffix
	if readFile(t, backup) != foreign || mode(t, backup)&0o111 != 0 {
		t.Errorf("backup %s: content %q mode %v; want the old hook, not executable", backup, readFile(t, backup), mode(t, backup))
	}
	if !strings.Contains(readFile(t, hook), hookMarker) {
		t.Error("hook not replaced")
	}
	// A second foreign hook gets a numbered backup, never overwriting the first.
	if err := os.WriteFile(hook, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runPG(t, "install", "--plain", repo, "--binary", bin, "--force"); code != exitOK {
		t.Fatal(errOut)
	}
	if readFile(t, backup) != foreign || readFile(t, hook+".1"+backupSuffix) != "#!/bin/sh\n" {
		t.Error("second backup overwrote the first")
	}
}

func TestInstallUsageErrors(t *testing.T) {
	bin, _ := fakeBinary(t)
	repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
	badCfg := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(badCfg, []byte("mode: enforce\nmdoe: audit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(t.TempDir(), "pushguard")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"--binary", bin}, "usage: pushguard install"},
		{"two targets", []string{"--plain", repo, "--gitlab-hooks-dir", t.TempDir(), "--binary", bin}, "usage: pushguard install"},
		{"invalid config", []string{"--plain", repo, "--binary", bin, "--config", badCfg}, `bad.yml:2: unknown key "mdoe"`},
		{"missing config", []string{"--plain", repo, "--binary", bin, "--config", badCfg + ".missing"}, "no such file"},
		{"binary not executable", []string{"--plain", repo, "--binary", notExec}, "is not an executable file"},
		{"not a repository", []string{"--plain", t.TempDir(), "--binary", bin}, "is not a git repository"},
		{"ghes without base", []string{"--ghes-bundle", filepath.Join(t.TempDir(), "b.tar.gz"), "--binary", bin}, "needs --ghes-base"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runPG(t, append([]string{"install"}, tc.args...)...)
			if code == exitOK || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want failure with %q (stdout %q)", code, errOut, tc.want, out)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(repo, "hooks", "pre-receive")); err == nil {
		t.Error("a failed install left a hook behind")
	}
}

func TestInstallGitLab(t *testing.T) {
	bin, _ := fakeBinary(t)
	cfg := writeConfig(t)
	dir := filepath.Join(t.TempDir(), "custom_hooks")
	if code, _, errOut := runPG(t, "install", "--gitlab-hooks-dir", dir, "--binary", bin); code == exitOK || !strings.Contains(errOut, "is not a directory") {
		t.Errorf("missing hooks dir: exit %d %s", code, errOut)
	}
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runPG(t, "install", "--gitlab-hooks-dir", dir, "--binary", bin, "--config", cfg)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
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
	if code, out, _ := runPG(t, "install", "--gitlab-hooks-dir", dir, "--binary", bin, "--config", cfg); code != exitOK || !strings.Contains(out, "unchanged "+hook) {
		t.Errorf("second install: exit %d\n%s", code, out)
	}
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runPG(t, "install", "--gitlab-hooks-dir", dir, "--binary", bin); code != exitUsage || !strings.Contains(errOut, "not written by pushguard") {
		t.Errorf("foreign pre-receive.d/pushguard: exit %d %s", code, errOut)
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

func TestInstallGitea(t *testing.T) {
	bin, _ := fakeBinary(t)
	root := t.TempDir()
	repos := []string{
		bareRepo(t, filepath.Join(root, "acme", "api.git")),
		bareRepo(t, filepath.Join(root, "acme", "api.wiki.git")),
		bareRepo(t, filepath.Join(root, "bob", "dotfiles.git")),
	}
	for _, r := range repos[:2] {
		if err := os.WriteFile(filepath.Join(r, "hooks", "pre-receive"), []byte(giteaWrapper), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Not repositories: a plain folder and a file.
	if err := os.MkdirAll(filepath.Join(root, "acme", "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "README"), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runPG(t, "install", "--gitea-root", root, "--binary", bin)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, r := range repos {
		hook := filepath.Join(r, "hooks", "pre-receive.d", "pushguard")
		if !strings.Contains(readFile(t, hook), hookMarker) || mode(t, hook) != 0o755 {
			t.Errorf("%s not installed", hook)
		}
	}
	if !strings.Contains(out, "3 repositories under "+root+", 0 failed") {
		t.Errorf("output:\n%s", out)
	}
	// bob/dotfiles has no Gitea wrapper: warned, still installed.
	if !strings.Contains(errOut, filepath.Join(repos[2], "hooks", "pre-receive")+" does not run hooks/pre-receive.d/*") ||
		strings.Count(errOut, "does not run") != 1 {
		t.Errorf("warnings:\n%s", errOut)
	}
	// Idempotent, so it can run from cron after new repositories appear.
	code, out, _ = runPG(t, "install", "--gitea-root", root, "--binary", bin)
	if code != exitOK || strings.Count(out, "unchanged ") != 3 {
		t.Errorf("second install: exit %d\n%s", code, out)
	}

	// The Gitea wrapper runs the installed hook and passes its stdin.
	bin2, binDir := fakeBinary(t)
	if code, _, errOut := runPG(t, "install", "--gitea-repo", repos[0], "--binary", bin2); code != exitOK {
		t.Fatal(errOut)
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

	empty := t.TempDir()
	if code, _, errOut := runPG(t, "install", "--gitea-root", empty, "--binary", bin); code == exitOK || !strings.Contains(errOut, "no repositories found") {
		t.Errorf("empty root: exit %d %s", code, errOut)
	}
}

// tarGz builds a .tar.gz from entries (a name ending in / is a directory).
func tarGz(t *testing.T, p string, entries map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	gw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gw)
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		h := &tar.Header{Name: name, Mode: 0o755, Typeflag: tar.TypeReg, Size: int64(len(entries[name]))}
		if strings.HasSuffix(name, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(entries[name])); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	gw.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

type tarEntry struct {
	mode int64
	dir  bool
	data string
}

func readTarGz(t *testing.T, p string) map[string]tarEntry {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gr)
	got := map[string]tarEntry{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := got[h.Name]; dup {
			t.Errorf("duplicate entry %s", h.Name)
		}
		data, _ := io.ReadAll(tr)
		got[h.Name] = tarEntry{mode: h.Mode, dir: h.Typeflag == tar.TypeDir, data: string(data)}
	}
	return got
}

func TestInstallGHESBundle(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the bundled binary must be linux/amd64; the test binary is built for this machine")
	}
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
	cfg := writeConfig(t)
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(outDir, "pushguard-env.tar.gz")

	// binPath is the static build made by TestMain (CGO_ENABLED=0).
	code, out, errOut := runPG(t, "install", "--ghes-bundle", bundle, "--ghes-base", base, "--binary", binPath, "--config", cfg)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	got := readTarGz(t, bundle)
	binData := readFile(t, binPath)
	if e := got[ghesBinary]; e.data != binData || e.mode != 0o755 {
		t.Errorf("%s: %d bytes mode %o; want the binary, 0755", ghesBinary, len(e.data), e.mode)
	}
	if _, old := got["./usr/local/bin/pushguard"]; old {
		t.Error("the base's old pushguard is still in the bundle")
	}
	if e := got[ghesConfig]; e.data != "mode: audit\n" || e.mode != 0o644 {
		t.Errorf("%s = %+v", ghesConfig, e)
	}
	if e := got[ghesScript]; e.data != ghesHookScript() || e.mode != 0o755 {
		t.Errorf("%s = %+v", ghesScript, e)
	}
	for _, keep := range []string{"./bin/sh", "./etc/os-release", "./usr/local/bin/other-tool"} {
		if _, ok := got[keep]; !ok {
			t.Errorf("base entry %s missing", keep)
		}
	}
	if e, ok := got["usr/local/share/pushguard/"]; !ok || !e.dir {
		t.Error("missing parent directory entry usr/local/share/pushguard/")
	}
	script := filepath.Join(outDir, ghesHookScriptName)
	if readFile(t, script) != ghesHookScript() || mode(t, script) != 0o755 {
		t.Errorf("%s not written next to the bundle", script)
	}
	for _, s := range []string{script} {
		if out, err := exec.Command("sh", "-n", s).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v %s", s, err, out)
		}
	}
	// Rebuilding is fine; the script is ours and unchanged.
	code, out, _ = runPG(t, "install", "--ghes-bundle", bundle, "--ghes-base", base, "--binary", binPath)
	if code != exitOK || !strings.Contains(out, "unchanged "+script) {
		t.Errorf("rebuild: exit %d\n%s", code, out)
	}
	if _, ok := readTarGz(t, bundle)[ghesConfig]; ok {
		t.Error("rebuild without --config kept the configuration")
	}

	// A base without /bin/sh cannot run the hook script.
	noShell := filepath.Join(dir, "scratch.tar.gz")
	tarGz(t, noShell, map[string]string{"etc/": ""})
	other := filepath.Join(dir, "other.tar.gz")
	if code, _, errOut := runPG(t, "install", "--ghes-bundle", other, "--ghes-base", noShell, "--binary", binPath); code == exitOK || !strings.Contains(errOut, "has no bin/sh") {
		t.Errorf("base without sh: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("refused bundle was written")
	}
	if code, _, errOut := runPG(t, "install", "--ghes-bundle", other, "--ghes-base", noShell, "--binary", binPath, "--force"); code != exitOK || !strings.Contains(errOut, "warning") {
		t.Errorf("base without sh, --force: exit %d %s", code, errOut)
	}

	// Only a static linux/amd64 binary runs in the environment.
	fake, _ := fakeBinary(t)
	if code, _, errOut := runPG(t, "install", "--ghes-bundle", other, "--ghes-base", base, "--binary", fake); code == exitOK || !strings.Contains(errOut, "not a Linux ELF binary") {
		t.Errorf("script as binary: exit %d %s", code, errOut)
	}
	if code, _, errOut := runPG(t, "install", "--ghes-bundle", other, "--ghes-base", cfg, "--binary", binPath); code == exitOK || !strings.Contains(errOut, "is not a .tar.gz") {
		t.Errorf("base not a tarball: exit %d %s", code, errOut)
	}
}

func TestWrapperScriptsParse(t *testing.T) {
	in := &installer{bin: "/opt/it's/pushguard", config: "/etc/push guard/c.yml"}
	for name, s := range map[string]string{"wrapper": in.hookScript(), "ghes": ghesHookScript()} {
		cmd := exec.Command("sh", "-n")
		cmd.Stdin = strings.NewReader(s)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s script does not parse: %v %s\n%s", name, err, out, s)
		}
	}
}
