// Package install puts the pushguard pre-receive hook in place on a plain
// bare repository, GitLab (Gitaly's custom_hooks_dir), Gitea and Forgejo
// (hooks/pre-receive.d), and GitHub Enterprise Server (a pre-receive hook
// environment bundle).
//
// Every file it writes carries HookMarker: such a file is pushguard's to
// replace; a file without it is someone else's hook and is left alone
// (RefusedError) unless Installer.Force is set, which backs it up first.
// Files are written atomically (temporary file and rename) and, when run as
// root, owned like the repository or hooks directory they land in.
package install

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pushguard/pushguard/pkg/atomicfile"
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// HookMarker is in every file the installer writes: a file with it is ours
// to replace, a file without it is someone else's hook.
const HookMarker = "# Managed by \"pushguard install\"; reinstall rather than edit."

// BackupSuffix is appended to a foreign hook replaced with Force. It ends
// in "~" so that Gitaly skips it, and the backup loses its execute bits so
// that Gitea's pre-receive.d loop skips it too.
const BackupSuffix = ".pushguard-backup~"

// Paths inside the GitHub Enterprise Server hook environment (relative to
// the environment's root).
const (
	GHESBinary = "usr/local/bin/pushguard"
	GHESConfig = "etc/pushguard/config.yml"
	GHESScript = "usr/local/share/pushguard/pushguard-hook.sh"
	// GHESHookScriptName is the hook script written next to the bundle,
	// to commit to the hooks repository.
	GHESHookScriptName = "pushguard-hook.sh"
)

// warnPrefix starts every line written to Installer.Warn.
const warnPrefix = "pushguard install: warning: "

// Installer puts the hook in place. Each platform method validates the
// installer's fields first (so a bad configuration writes nothing), then
// reports what it did to Out, one line per file, and problems that do not
// stop the install to Warn, one "pushguard install: warning: ..." line
// each. An Installer is not modified by its methods.
type Installer struct {
	// Bin is the absolute path of the pushguard binary the hook runs (see
	// BinaryPath). For GHESBundle it is the binary copied into the bundle.
	Bin string
	// Config is the configuration file the hook passes with --config, or
	// "". It is loaded and checked before anything is written; a relative
	// path is made absolute.
	Config string
	// Force replaces a hook pushguard did not write, backing it up first;
	// for GHESBundle it also accepts a base without /bin/sh.
	Force bool
	// Out receives what was done; nil discards it.
	Out io.Writer
	// Warn receives warnings; nil discards them.
	Warn io.Writer
}

// RefusedError is a hook pushguard did not write, left unchanged because
// Installer.Force was not set.
type RefusedError struct {
	// Path is the foreign hook.
	Path string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s exists and was not written by pushguard; left unchanged (use --force to back it up to %s%s and replace it)",
		e.Path, filepath.Base(e.Path), BackupSuffix)
}

// ArgError is an argument the installer cannot use: a target that is not a
// repository or directory, a binary that cannot run where it is going, an
// unusable GHES base or an invalid configuration. It is the caller's
// mistake, not a failure of the installer.
type ArgError struct{ Err error }

func (e *ArgError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ArgError) Unwrap() error { return e.Err }

// argErrorf returns an *ArgError with a formatted message.
func argErrorf(format string, args ...any) error {
	return &ArgError{fmt.Errorf(format, args...)}
}

// IsUsageError reports whether err is the caller's mistake only: every
// error in it (GiteaRoot joins several) is a *RefusedError or an
// *ArgError. Any other error is a failure of the install itself.
func IsUsageError(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case *RefusedError, *ArgError:
		return true
	case interface{ Unwrap() []error }:
		errs := e.Unwrap()
		for _, sub := range errs {
			if !IsUsageError(sub) {
				return false
			}
		}
		return len(errs) > 0
	case interface{ Unwrap() error }:
		return IsUsageError(e.Unwrap())
	}
	return false
}

// BinaryPath returns the absolute, symlink-free path of the binary the hook
// runs: flagValue, or this executable when it is "". It checks that the
// path is an executable file; its errors are *ArgError.
func BinaryPath(flagValue string) (string, error) {
	p := flagValue
	if p == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find this executable: %w (pass --binary)", err)
		}
		p = exe
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", &ArgError{fmt.Errorf("binary %s: %w", p, err)}
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", &ArgError{fmt.Errorf("binary: %w", err)}
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return "", argErrorf("binary %s is not an executable file", abs)
	}
	return abs, nil
}

// prepare returns a copy of in ready to install for platform (a
// push.Platform* name): writers set, Bin checked, Config made absolute,
// loaded and its warnings for the platform reported. A binary under the
// temporary directory is warned about unless the bundle copies it (GHES).
func (in *Installer) prepare(platform string) (*Installer, error) {
	c := *in
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Warn == nil {
		c.Warn = io.Discard
	}
	if c.Bin == "" || !filepath.IsAbs(c.Bin) {
		return nil, argErrorf("binary path %q is not absolute", c.Bin)
	}
	if c.Config != "" {
		abs, err := filepath.Abs(c.Config)
		if err != nil {
			return nil, &ArgError{fmt.Errorf("configuration %s: %w", c.Config, err)}
		}
		c.Config = abs
		cfg, err := config.Load(abs)
		if err != nil {
			return nil, &ArgError{fmt.Errorf("configuration %s is not valid:\n%w", abs, err)}
		}
		runs := platform // the platform the hook will run on
		if cfg.Platform != "" {
			runs = cfg.Platform
		}
		for _, w := range cfg.ForPlatform(runs).Warnings {
			c.warnf("%s: %s", abs, textsafe.Clean(w, 0))
		}
	}
	tmp := filepath.Clean(os.TempDir()) + string(filepath.Separator)
	if platform != push.PlatformGHES && strings.HasPrefix(c.Bin, tmp) {
		c.warnf("the hook will run %s, under the temporary directory; install the binary (e.g. /usr/local/bin/pushguard) and pass --binary", c.Bin)
	}
	return &c, nil
}

// warnf writes one warning line to Warn.
func (in *Installer) warnf(format string, args ...any) {
	fmt.Fprintf(in.Warn, warnPrefix+format+"\n", args...)
}

// hookScript is the wrapper every platform but GHES runs: it execs the
// binary, so the hook's stdin, stderr and exit code are pushguard's.
func (in *Installer) hookScript() string {
	return in.hookScriptWith("")
}

// hookScriptWith is hookScript; companion, when set, is exported as
// $PUSHGUARD_POST_RECEIVE so that the hook knows the post-receive companion
// is installed where it cannot look for it (GitLab's global hooks).
func (in *Installer) hookScriptWith(companion string) string {
	cmd := "exec " + shQuote(in.Bin) + " pre-receive"
	if in.Config != "" {
		cmd += " --config " + shQuote(in.Config)
	}
	env := ""
	if companion != "" {
		env = PostReceiveEnv + "=" + shQuote(companion) + "\nexport " + PostReceiveEnv + "\n"
	}
	return "#!/bin/sh\n" +
		"# pushguard pre-receive hook: scans what a push adds and rejects what breaks the rules.\n" +
		HookMarker + "\n" +
		"# Uninstall: delete this file (see docs/install.md).\n" +
		env + cmd + "\n"
}

// PostReceiveMarker is in every post-receive companion: the pre-receive
// run looks for it (pkg/hook's PostReceiveMarker, the same text).
const PostReceiveMarker = "# pushguard post-receive companion"

// PostReceiveEnv is the variable that names the companion for the
// pre-receive run (pkg/hook's PostReceiveEnv).
const PostReceiveEnv = "PUSHGUARD_POST_RECEIVE"

// postReceiveScript is the post-receive companion: it records in the audit
// log which ref updates landed ("pushguard post-receive"). Git ignores a
// post-receive hook's exit code; the companion never prints on success.
func (in *Installer) postReceiveScript() string {
	cmd := "exec " + shQuote(in.Bin) + " post-receive"
	if in.Config != "" {
		cmd += " --config " + shQuote(in.Config)
	}
	return "#!/bin/sh\n" +
		PostReceiveMarker + ": records in the audit log which ref updates landed.\n" +
		HookMarker + "\n" +
		"# Uninstall: delete this file with the pre-receive hook (see docs/install.md).\n" +
		cmd + "\n"
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeHook writes an executable hook file at p, atomically, leaving it
// owned like owner (a directory) when run as root. It does nothing to an
// identical file, replaces a file of ours, and refuses a foreign one unless
// Force, which backs it up first.
func (in *Installer) writeHook(p, content, owner string) error {
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := writeFile(p, content, owner); err != nil {
			return err
		}
		fmt.Fprintf(in.Out, "installed %s\n", p)
		return nil
	case err != nil:
		return fmt.Errorf("inspect %s: %w", p, err)
	}
	var old []byte
	if st.Mode().IsRegular() {
		if old, err = os.ReadFile(p); err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
	}
	switch {
	case string(old) == content && st.Mode().IsRegular():
		if st.Mode().Perm() != 0o755 {
			if err := os.Chmod(p, 0o755); err != nil {
				return fmt.Errorf("chmod %s: %w", p, err)
			}
			fmt.Fprintf(in.Out, "updated %s (mode)\n", p)
			return nil
		}
		fmt.Fprintf(in.Out, "unchanged %s\n", p)
		return nil
	case bytes.Contains(old, []byte(HookMarker)):
		if err := writeFile(p, content, owner); err != nil {
			return err
		}
		fmt.Fprintf(in.Out, "updated %s\n", p)
		return nil
	case !in.Force:
		return &RefusedError{p}
	}
	backup, err := backupName(p)
	if err != nil {
		return err
	}
	if err := os.Rename(p, backup); err != nil {
		return fmt.Errorf("back up %s: %w", p, err)
	}
	if st.Mode().IsRegular() {
		if err := os.Chmod(backup, st.Mode().Perm()&^0o111); err != nil {
			return fmt.Errorf("chmod %s: %w", backup, err)
		}
	}
	fmt.Fprintf(in.Out, "backed up %s to %s\n", p, backup)
	if err := writeFile(p, content, owner); err != nil {
		return err
	}
	fmt.Fprintf(in.Out, "installed %s\n", p)
	return nil
}

// backupName returns p+BackupSuffix, or with a number when that exists.
func backupName(p string) (string, error) {
	for i := 0; i < 1000; i++ {
		name := p + BackupSuffix
		if i > 0 {
			name = fmt.Sprintf("%s.%d%s", p, i, BackupSuffix)
		}
		if _, err := os.Lstat(name); errors.Is(err, os.ErrNotExist) {
			return name, nil
		}
	}
	return "", fmt.Errorf("too many backups of %s", p)
}

// writeFile writes content to p with mode 0755 through a temporary file in
// the same directory (named "*~", which Gitaly ignores) and a rename, so a
// push never sees a half-written hook.
func writeFile(p, content, owner string) error {
	return atomicfile.Write(p, []byte(content), 0o755, func(tmp string) error {
		return matchOwner(tmp, owner)
	})
}

// mkdir creates dir (mode 0755, owned like owner when run as root) if it
// does not exist.
func mkdir(dir, owner string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return argErrorf("%s is not a directory", dir)
		}
		return nil
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return matchOwner(dir, owner)
}
