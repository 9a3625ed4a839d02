package install

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gitconfig "github.com/go-git/go-git/v5/plumbing/format/config"

	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// Plain installs hooks/pre-receive in a bare repository (or a work tree's
// .git) and sets receive.advertisePushOptions so that clients can send push
// options (for break-glass bypass).
func (in *Installer) Plain(repo string) error {
	in, err := in.prepare(push.PlatformGit)
	if err != nil {
		return err
	}
	dir, err := repoDir(repo)
	if err != nil {
		return err
	}
	cfgFile := filepath.Join(dir, "config")
	if hp := gitConfigGet(cfgFile, "core", "hooksPath"); hp != "" {
		in.warnf("%s sets core.hooksPath=%s: git runs hooks from there, not from %s",
			cfgFile, textsafe.Clean(hp, 200), filepath.Join(dir, "hooks"))
	}
	hooks := filepath.Join(dir, "hooks")
	if err := mkdir(hooks, dir); err != nil {
		return err
	}
	if err := in.writeHook(filepath.Join(hooks, "pre-receive"), in.hookScript(), dir); err != nil {
		return err
	}
	// The companion: a foreign post-receive is left alone (the push
	// is still checked; only its landing goes unrecorded).
	post := filepath.Join(hooks, "post-receive")
	var refused *RefusedError
	if err := in.writeHook(post, in.postReceiveScript(), dir); errors.As(err, &refused) {
		in.warnf("%s exists and was not written by pushguard: left unchanged, so the audit log will not say which accepted pushes landed "+
			"(call \"%s post-receive\" from it with the same stdin, or use --force)", post, textsafe.Clean(in.Bin, 200))
	} else if err != nil {
		return err
	}
	return in.advertisePushOptions(cfgFile, dir)
}

// GitLab installs HOOKSDIR/pre-receive.d/pushguard in Gitaly's global
// custom_hooks_dir, which Gitaly runs for every repository after GitLab's
// own checks. hooksDir must exist.
func (in *Installer) GitLab(hooksDir string) error {
	in, err := in.prepare(push.PlatformGitLab)
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(hooksDir)
	if err != nil {
		return fmt.Errorf("gitlab hooks directory %s: %w", hooksDir, err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return argErrorf("%s is not a directory (create GitLab's custom_hooks_dir first, owned by the git user)", dir)
	}
	d := filepath.Join(dir, "pre-receive.d")
	if err := mkdir(d, dir); err != nil {
		return err
	}
	pd := filepath.Join(dir, "post-receive.d")
	if err := mkdir(pd, dir); err != nil {
		return err
	}
	companion := filepath.Join(pd, "pushguard")
	if err := in.writeHook(companion, in.postReceiveScript(), dir); err != nil {
		return err
	}
	return in.writeHook(filepath.Join(d, "pushguard"), in.hookScriptWith(companion), dir)
}

// GiteaRepo installs hooks/pre-receive.d/pushguard in one Gitea or Forgejo
// repository; Gitea's own hooks/pre-receive runs every executable there
// (a warning says so when that wrapper is missing).
func (in *Installer) GiteaRepo(repo string) error {
	in, err := in.prepare(push.PlatformGitea)
	if err != nil {
		return err
	}
	return in.giteaRepo(repo)
}

// GiteaRoot installs into every ROOT/<owner>/<name>.git (wikis included).
// It goes on after a repository fails and returns every failure, joined.
// Being idempotent, it can run from cron as repositories appear.
func (in *Installer) GiteaRoot(root string) error {
	in, err := in.prepare(push.PlatformGitea)
	if err != nil {
		return err
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return argErrorf("gitea root %s is not a directory", root)
	}
	owners, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("gitea root: %w", err)
	}
	var errs []error
	n := 0
	for _, o := range owners {
		if !o.IsDir() {
			continue
		}
		repos, err := os.ReadDir(filepath.Join(root, o.Name()))
		if err != nil {
			errs = append(errs, fmt.Errorf("gitea owner: %w", err))
			continue
		}
		for _, r := range repos {
			if !r.IsDir() || !strings.HasSuffix(r.Name(), ".git") {
				continue
			}
			n++
			if err := in.giteaRepo(filepath.Join(root, o.Name(), r.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	fmt.Fprintf(in.Out, "%d repositories under %s, %d failed\n", n, root, len(errs))
	if n == 0 {
		errs = append(errs, argErrorf("no repositories found under %s/<owner>/<name>.git", root))
	}
	return errors.Join(errs...)
}

// giteaRepo is GiteaRepo on a prepared installer.
func (in *Installer) giteaRepo(repo string) error {
	dir, err := repoDir(repo)
	if err != nil {
		return err
	}
	hooks := filepath.Join(dir, "hooks")
	if err := mkdir(hooks, dir); err != nil {
		return err
	}
	wrapper, err := os.ReadFile(filepath.Join(hooks, "pre-receive"))
	runsD := err == nil && bytes.Contains(wrapper, []byte(".d/"))
	if !runsD {
		in.warnf("%s does not run hooks/pre-receive.d/*: let Gitea rewrite its hooks "+
			"(Site Administration > Dashboard > Resynchronize git hooks), or pushguard will not run there",
			filepath.Join(hooks, "pre-receive"))
	}
	if err := in.giteaHooks(hooks, dir); err != nil {
		return err
	}
	if !runsD {
		return nil // warned above
	}
	wrapper, err = os.ReadFile(filepath.Join(hooks, "post-receive"))
	if err != nil || !bytes.Contains(wrapper, []byte(".d/")) {
		in.warnf("%s does not run hooks/post-receive.d/*: the audit log will not say which accepted pushes landed there "+
			"(Site Administration > Dashboard > Resynchronize git hooks)", filepath.Join(hooks, "post-receive"))
	}
	return nil
}

// giteaHooks writes pre-receive.d/pushguard and the companion
// post-receive.d/pushguard under hooks, owned like owner.
func (in *Installer) giteaHooks(hooks, owner string) error {
	for _, h := range []struct{ dir, content string }{
		{"post-receive.d", in.postReceiveScript()},
		{"pre-receive.d", in.hookScript()},
	} {
		d := filepath.Join(hooks, h.dir)
		if err := mkdir(d, owner); err != nil {
			return err
		}
		if err := in.writeHook(filepath.Join(d, "pushguard"), h.content, owner); err != nil {
			return err
		}
	}
	return nil
}

// GiteaTemplate writes a git template directory, DIR/hooks/pre-receive.d/
// pushguard and DIR/hooks/post-receive.d/pushguard, for new repositories:
// with "[git.config] init.templateDir = DIR" in Gitea's (or Forgejo's)
// app.ini, every repository Gitea creates from then on (new, forked,
// migrated, generated, and wikis), which it does with git init or git
// clone, starts with pushguard's hooks, and Gitea's own hook files are
// written next to them. DIR is created if missing; existing repositories
// need GiteaRoot once.
func (in *Installer) GiteaTemplate(dir string) error {
	in, err := in.prepare(push.PlatformGitea)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("template directory %s: %w", dir, err)
	}
	parent := filepath.Dir(abs)
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return argErrorf("%s is not a directory (the template directory's parent must exist)", parent)
	}
	if err := mkdir(abs, parent); err != nil {
		return err
	}
	hooks := filepath.Join(abs, "hooks")
	if err := mkdir(hooks, abs); err != nil {
		return err
	}
	if err := in.giteaHooks(hooks, abs); err != nil {
		return err
	}
	fmt.Fprintf(in.Out, "template ready: set init.templateDir in Gitea's app.ini and restart Gitea:\n"+
		"  [git.config]\n  init.templateDir = %s\n"+
		"then install into the existing repositories once with --gitea-root\n", abs)
	return nil
}

// repoDir returns the absolute git directory of repo (a bare repository,
// or a work tree's .git), checking that it is one.
func repoDir(repo string) (string, error) {
	abs, err := filepath.Abs(repo)
	if err != nil {
		return "", fmt.Errorf("repository %s: %w", repo, err)
	}
	dir := abs
	if st, err := os.Stat(filepath.Join(abs, ".git")); err == nil && st.IsDir() {
		dir = filepath.Join(abs, ".git")
	}
	for _, want := range []string{"HEAD", "objects", "config"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			return "", argErrorf("%s is not a git repository (no %s)", dir, want)
		}
	}
	return dir, nil
}

// advertisePushOptions makes receive.advertisePushOptions true in a
// repository's config file without running git: the file is rewritten the
// way git does it, under git's own lock file (config.lock, created
// exclusively, then renamed over the file), with a [receive] section
// appended; git takes the last value of a key.
func (in *Installer) advertisePushOptions(cfgFile, owner string) error {
	const key = "receive.advertisePushOptions"
	if gitConfigGet(cfgFile, "receive", "advertisePushOptions") == "true" {
		fmt.Fprintf(in.Out, "unchanged %s: %s=true\n", cfgFile, key)
		return nil
	}
	if err := appendGitConfig(cfgFile, "[receive]\n\tadvertisePushOptions = true\n", owner); err != nil {
		return fmt.Errorf("set %s in %s: %w", key, cfgFile, err)
	}
	fmt.Fprintf(in.Out, "set %s: %s=true\n", cfgFile, key)
	return nil
}

// appendGitConfig appends text to a git config file under git's lock
// protocol, keeping the file's mode and, when root runs this, giving it the
// owner of owner.
func appendGitConfig(cfgFile, text, owner string) (err error) {
	st, err := os.Stat(cfgFile)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", cfgFile)
	}
	lockName := cfgFile + ".lock"
	lock, err := os.OpenFile(lockName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return fmt.Errorf("lock (is git writing it? remove a stale %s): %w", lockName, err)
	}
	defer func() {
		if err != nil {
			lock.Close()
			os.Remove(lockName)
		}
	}()
	old, err := os.ReadFile(cfgFile) // read under the lock
	if err != nil {
		return err
	}
	if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
		old = append(old, '\n')
	}
	if _, err := lock.Write(append(old, text...)); err != nil {
		return fmt.Errorf("write %s: %w", lockName, err)
	}
	if err := lock.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", lockName, err)
	}
	if err := lock.Close(); err != nil {
		return fmt.Errorf("write %s: %w", lockName, err)
	}
	if err := os.Chmod(lockName, st.Mode().Perm()); err != nil {
		return fmt.Errorf("chmod %s: %w", lockName, err)
	}
	if err := matchOwner(lockName, owner); err != nil {
		return err
	}
	if err := os.Rename(lockName, cfgFile); err != nil {
		return fmt.Errorf("rename %s: %w", lockName, err)
	}
	return nil
}

// gitConfigGet returns the value of section.key in a git config file, the
// last one when it is set more than once (as git does), or "" when it is
// not set or the file cannot be read or parsed. Include directives are not
// followed, like "git config --file".
func gitConfigGet(cfgFile, section, key string) string {
	data, err := os.ReadFile(cfgFile)
	if err != nil {
		return ""
	}
	cfg := gitconfig.New()
	if err := gitconfig.NewDecoder(bytes.NewReader(data)).Decode(cfg); err != nil {
		return ""
	}
	return cfg.Section(section).Options.Get(key)
}
