// Package gittest runs real git for tests: a hermetic environment (no user
// or system configuration, fixed identities and dates, so commit ids are the
// same on every run) and one way to run a git command that fails the test on
// error.
package gittest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Env is a hermetic environment for git with home as HOME: no system or
// global configuration, author and committer "Dev <dev@example.com>" at a
// fixed date, PATH kept.
func Env(home string) []string {
	return []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com",
		"GIT_AUTHOR_DATE=2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z",
	}
}

// Init makes a new repository with branch main in a fresh temporary
// directory and returns the directory and its hermetic environment. It skips
// the test when git is not installed.
func Init(t testing.TB) (dir string, env []string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir = t.TempDir()
	env = Env(dir)
	Run(t, dir, env, "init", "-q", "-b", "main")
	return dir, env
}

// Run runs git with args in dir and env and returns its combined output
// without surrounding space; the test fails on a non-zero exit.
func Run(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
