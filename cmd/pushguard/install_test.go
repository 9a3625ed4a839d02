package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The installers themselves are tested in pkg/install; these tests drive
// the command line: flags, help, exit codes, warnings, and a real push
// through a hook installed by "pushguard install".

// runPG runs the pushguard command line in-process.
func runPG(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"pushguard"}, args...), strings.NewReader(""), &out, &errb, os.Getenv)
	return code, out.String(), errb.String()
}

// writeFileT writes content to dir/name and returns its path.
func writeFileT(t *testing.T, dir, name, content string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInstallRealHookPush installs the real binary with "pushguard install
// --plain" and pushes through it: a secret is rejected, a clean push lands.
func TestInstallRealHookPush(t *testing.T) {
	w := newWorld(t)
	cfg := writeFileT(t, t.TempDir(), "pushguard.yml", "mode: enforce\n", 0o644)
	code, out, errOut := runPG(t, "install", "--plain", w.server, "--binary", binPath, "--config", cfg)
	if code != exitOK {
		t.Fatalf("install: exit %d\n%s%s", code, out, errOut)
	}
	hook := filepath.Join(w.server, "hooks", "pre-receive")
	if !strings.Contains(out, "installed "+hook) {
		t.Errorf("install output:\n%s", out)
	}
	w.commit("add config", map[string]string{"app.env": "AWS_ACCESS_KEY_ID=" + fakeAWSKey + "\n"})
	p := w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "aws-access-key-id") {
		t.Errorf("remote output:\n%s", p.remote())
	}
	w.git(w.client, "checkout", "-q", "--orphan", "clean")
	w.git(w.client, "rm", "-q", "-rf", ".")
	w.commit("readme", map[string]string{"README.md": "# demo\n"})
	w.mustAccept(w.push("clean:main"))
}

// TestInstallExitCodes: the caller's mistakes exit 2 with a message on
// stderr, help exits 0 on stdout, a failing install exits 3.
func TestInstallExitCodes(t *testing.T) {
	dir := t.TempDir()
	bin := writeFileT(t, dir, "fake-pushguard", "#!/bin/sh\nexit 0\n", 0o755)
	notExec := writeFileT(t, dir, "not-exec", "x", 0o644)
	badCfg := writeFileT(t, dir, "bad.yml", "mode: enforce\nmdoe: audit\n", 0o644)
	newRepo := func(name string) string {
		w := newWorld(t)
		dst := filepath.Join(dir, name)
		if err := os.Rename(w.server, dst); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	foreign := newRepo("foreign.git")
	writeFileT(t, filepath.Join(foreign, "hooks"), "pre-receive", "#!/bin/sh\necho legacy\n", 0o755)
	// A repository whose config is a directory: setting a key fails, which
	// is not the caller's mistake.
	broken := newRepo("broken.git")
	if err := os.Remove(filepath.Join(broken, "config")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(broken, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	emptyRoot := t.TempDir()
	base := writeFileT(t, dir, "base.tar.gz", "not a tarball", 0o644)

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring of stdout ("" checks it is empty)
		stderr string // substring of stderr ("" checks it is empty)
	}{
		{"-h", []string{"-h"}, exitOK, "usage: pushguard install", ""},
		{"--help", []string{"--help"}, exitOK, "-gitlab-hooks-dir", ""},
		{"-help with a target", []string{"--plain", foreign, "-help"}, exitOK, "usage: pushguard install", ""},
		{"unknown flag", []string{"--plian", foreign}, exitUsage, "", "flag provided but not defined: -plian"},
		{"no target", []string{"--binary", bin}, exitUsage, "", "usage: pushguard install"},
		{"two targets", []string{"--plain", foreign, "--gitlab-hooks-dir", dir, "--binary", bin}, exitUsage, "", "usage: pushguard install"},
		{"extra argument", []string{"--plain", foreign, "--binary", bin, "extra"}, exitUsage, "", "usage: pushguard install"},
		{"missing repository", []string{"--plain", "/missing.git", "--binary", bin}, exitUsage, "", "/missing.git is not a git repository"},
		{"not a repository", []string{"--plain", dir, "--binary", bin}, exitUsage, "", "is not a git repository (no HEAD)"},
		{"invalid config", []string{"--plain", foreign, "--binary", bin, "--config", badCfg}, exitUsage, "", `bad.yml:2: unknown key "mdoe"`},
		{"missing config", []string{"--plain", foreign, "--binary", bin, "--config", badCfg + ".missing"}, exitUsage, "", "no such file"},
		{"binary not executable", []string{"--plain", foreign, "--binary", notExec}, exitUsage, "", "is not an executable file"},
		{"binary missing", []string{"--plain", foreign, "--binary", notExec + ".missing"}, exitUsage, "", "no such file"},
		{"foreign hook", []string{"--plain", foreign, "--binary", bin}, exitUsage, "", "was not written by pushguard"},
		{"gitlab dir missing", []string{"--gitlab-hooks-dir", filepath.Join(dir, "nope"), "--binary", bin}, exitUsage, "", "is not a directory"},
		{"gitea repo missing", []string{"--gitea-repo", "/missing.git", "--binary", bin}, exitUsage, "", "is not a git repository"},
		{"gitea root missing", []string{"--gitea-root", filepath.Join(dir, "nope"), "--binary", bin}, exitUsage, "", "is not a directory"},
		{"gitea root empty", []string{"--gitea-root", emptyRoot, "--binary", bin}, exitUsage, "0 repositories", "no repositories found"},
		{"ghes without base", []string{"--ghes-bundle", filepath.Join(dir, "b.tar.gz"), "--binary", bin}, exitUsage, "", "needs --ghes-base"},
		{"ghes script as binary", []string{"--ghes-bundle", filepath.Join(dir, "b.tar.gz"), "--ghes-base", base, "--binary", bin}, exitUsage, "", "not a Linux ELF binary"},
		{"config is a directory", []string{"--plain", broken, "--binary", bin}, exitInternal, "installed", "set receive.advertisePushOptions in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runPG(t, append([]string{"install"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			for _, c := range []struct{ name, got, want string }{{"stdout", out, tc.stdout}, {"stderr", errOut, tc.stderr}} {
				if c.want == "" && c.got != "" && !strings.Contains(c.got, "under the temporary directory") {
					t.Errorf("%s not empty:\n%s", c.name, c.got)
				}
				if !strings.Contains(c.got, c.want) {
					t.Errorf("%s lacks %q:\n%s", c.name, c.want, c.got)
				}
			}
		})
	}
	if got, err := os.ReadFile(filepath.Join(foreign, "hooks", "pre-receive")); err != nil || string(got) != "#!/bin/sh\necho legacy\n" {
		t.Errorf("foreign hook changed: %q %v", got, err)
	}
}

// TestInstallConfigWarnings: the configuration's warnings for the target's
// platform (or the platform it forces) reach the admin on stderr.
func TestInstallConfigWarnings(t *testing.T) {
	const clamp = "time_budget 10s is longer than GitHub Enterprise Server allows"
	tests := []struct {
		name   string
		config string
		target func(t *testing.T) []string
		warn   bool
	}{
		{"plain, 10s budget", "time_budget: 10s\n", plainTarget, false},
		{"plain, platform ghes, 10s budget", "platform: ghes\ntime_budget: 10s\n", plainTarget, true},
		{"plain, platform ghes, 4s budget", "platform: ghes\ntime_budget: 4s\n", plainTarget, false},
		{"ghes bundle, 10s budget", "time_budget: 10s\n", ghesTarget, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFileT(t, t.TempDir(), "pushguard.yml", tc.config, 0o644)
			code, out, errOut := runPG(t, append([]string{"install", "--config", cfg}, tc.target(t)...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			want := "pushguard install: warning: " + cfg + ": " + clamp
			if got := strings.Contains(errOut, want); got != tc.warn {
				t.Errorf("warning printed: %v, want %v (%q)\nstderr:\n%s", got, tc.warn, want, errOut)
			}
		})
	}
}

// plainTarget installs into a fresh bare repository.
func plainTarget(t *testing.T) []string {
	return []string{"--plain", newWorld(t).server, "--binary", binPath}
}

// ghesTarget builds a GHES bundle from a base with /bin/sh; the bundled
// binary is the static build of TestMain, so it needs linux/amd64.
func ghesTarget(t *testing.T) []string {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the bundled binary must be linux/amd64")
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	gw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gw)
	const sh = "#!busybox"
	if err := tw.WriteHeader(&tar.Header{Name: "bin/sh", Mode: 0o755, Typeflag: tar.TypeReg, Size: int64(len(sh))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(sh)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	base := writeFileT(t, dir, "base.tar.gz", buf.String(), 0o644)
	return []string{"--ghes-bundle", filepath.Join(dir, "out.tar.gz"), "--ghes-base", base, "--binary", binPath}
}
