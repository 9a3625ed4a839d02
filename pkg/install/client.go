package install

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// Client installs the developer-side hooks in a clone: hooks/pre-commit
// (pushguard pre-commit: the staged changes) and hooks/pre-push (pushguard
// pre-push: the commits the remote does not have), marker-managed like the
// server hooks. repo is a work tree (its .git directory or file is
// followed; linked work trees and submodules share their repository's
// hooks) or a git directory. With Config, both pass --config, so that the
// developer meets the server's policy; a configuration that names server
// paths (audit log, policy repository) is the server's to check.
func (in *Installer) Client(repo string) error {
	in, err := in.prepare(push.PlatformGit)
	if err != nil {
		return err
	}
	gitDir, err := clientGitDir(repo)
	if err != nil {
		return err
	}
	hooks := filepath.Join(gitDir, "hooks")
	cfgFile := filepath.Join(gitDir, "config")
	if hp := gitConfigGet(cfgFile, "core", "hooksPath"); hp != "" {
		in.warnf("%s sets core.hooksPath=%s: git runs hooks from there, not from %s; add `%s` to the hooks there",
			cfgFile, textsafe.Clean(hp, 200), hooks, textsafe.Clean(in.clientCommand("pre-commit", false), 0))
	}
	if err := mkdir(hooks, gitDir); err != nil {
		return err
	}
	if err := in.writeHook(filepath.Join(hooks, "pre-commit"), in.clientScript("pre-commit"), gitDir); err != nil {
		return err
	}
	return in.writeHook(filepath.Join(hooks, "pre-push"), in.clientScript("pre-push"), gitDir)
}

// clientCommand is the command a client hook runs; args passes the hook's
// arguments on (pre-push gets REMOTE and URL).
func (in *Installer) clientCommand(hook string, args bool) string {
	cmd := shQuote(in.Bin) + " " + hook
	if in.Config != "" {
		cmd += " --config " + shQuote(in.Config)
	}
	if args {
		cmd += ` "$@"`
	}
	return cmd
}

// clientScript is a developer-side hook wrapper.
func (in *Installer) clientScript(hook string) string {
	what := "checks the staged changes before each commit"
	skip := "git commit --no-verify"
	if hook == "pre-push" {
		what = "checks the commits a push would add, as the server will"
		skip = "git push --no-verify"
	}
	return "#!/bin/sh\n" +
		"# pushguard " + hook + " hook: " + what + ".\n" +
		HookMarker + "\n" +
		"# Skip once: " + skip + " (the server checks again). Uninstall: delete this file.\n" +
		"exec " + in.clientCommand(hook, hook == "pre-push") + "\n"
}

// clientGitDir returns the directory whose hooks/ git runs for repo: the
// common git directory of a work tree, linked work tree or submodule, or
// repo itself when it is a git directory.
func clientGitDir(repo string) (string, error) {
	abs, err := filepath.Abs(repo)
	if err != nil {
		return "", fmt.Errorf("repository %s: %w", repo, err)
	}
	dir := abs
	dotgit := filepath.Join(abs, ".git")
	if st, err := os.Stat(dotgit); err == nil {
		switch {
		case st.IsDir():
			dir = dotgit
		case st.Mode().IsRegular():
			b, err := os.ReadFile(dotgit)
			if err != nil {
				return "", fmt.Errorf("read %s: %w", dotgit, err)
			}
			target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
			if !ok {
				return "", argErrorf("%s is not a gitdir file", dotgit)
			}
			target = strings.TrimSpace(target)
			if !filepath.IsAbs(target) {
				target = filepath.Join(abs, target)
			}
			dir = filepath.Clean(target)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "commondir")); err == nil {
		cd := strings.TrimSpace(string(b))
		if !filepath.IsAbs(cd) {
			cd = filepath.Join(dir, cd)
		}
		dir = filepath.Clean(cd)
	}
	for _, want := range []string{"HEAD", "objects", "config"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			return "", argErrorf("%s is not a git repository (no %s)", abs, want)
		}
	}
	return dir, nil
}
