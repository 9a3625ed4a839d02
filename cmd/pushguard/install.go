package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/pushguard/pushguard/pkg/config"
)

// hookMarker is in every file "pushguard install" writes: a file with it
// is ours to replace, a file without it is someone else's hook.
const hookMarker = "# Managed by \"pushguard install\"; reinstall rather than edit."

// backupSuffix is appended to a foreign hook replaced with --force. It ends
// in "~" so that Gitaly skips it, and the backup loses its execute bits so
// that Gitea's pre-receive.d loop skips it too.
const backupSuffix = ".pushguard-backup~"

// Paths inside the GitHub Enterprise Server hook environment.
const (
	ghesBinary = "usr/local/bin/pushguard"
	ghesConfig = "etc/pushguard/config.yml"
	ghesScript = "usr/local/share/pushguard/pushguard-hook.sh"
	// ghesHookScriptName is the hook script written next to the bundle,
	// to commit to the hooks repository.
	ghesHookScriptName = "pushguard-hook.sh"
)

// installer puts the hook in place.
type installer struct {
	bin    string // absolute path of the pushguard binary the hook runs
	config string // absolute configuration path, or ""
	force  bool
	out    io.Writer // what was done, one line per file
	warn   io.Writer // problems that do not stop the install
}

// install implements "pushguard install".
func (a *app) install(args []string) int {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprint(a.stderr, `usage: pushguard install TARGET [--binary PATH] [--config FILE] [--force]

TARGET is exactly one of:
  --plain REPO.git              hooks/pre-receive of a plain bare repository
  --gitlab-hooks-dir DIR        GitLab's global custom_hooks_dir (DIR/pre-receive.d/pushguard)
  --gitea-repo REPO.git         one Gitea/Forgejo repository (hooks/pre-receive.d/pushguard)
  --gitea-root DIR              every Gitea/Forgejo repository DIR/<owner>/<name>.git
  --ghes-bundle OUT.tar.gz      a GitHub Enterprise Server pre-receive environment (needs --ghes-base)

`)
		fs.PrintDefaults()
	}
	plain := fs.String("plain", "", "plain bare repository to install into")
	gitlab := fs.String("gitlab-hooks-dir", "", "GitLab (Gitaly) custom_hooks_dir")
	giteaRepo := fs.String("gitea-repo", "", "Gitea/Forgejo repository to install into")
	giteaRoot := fs.String("gitea-root", "", "Gitea/Forgejo repository root (ROOT/<owner>/<name>.git)")
	ghes := fs.String("ghes-bundle", "", "write a GHES pre-receive hook environment tarball here")
	ghesBase := fs.String("ghes-base", "", "GHES: base root filesystem tarball (.tar.gz) providing /bin/sh, e.g. an exported alpine or busybox container")
	bin := fs.String("binary", "", "pushguard binary the hook runs (default: this executable)")
	cfg := fs.String("config", "", "configuration file the hook passes with --config (checked now)")
	force := fs.Bool("force", false, "replace a hook pushguard did not write (it is backed up); GHES: accept a base without /bin/sh")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	targets := 0
	for _, t := range []string{*plain, *gitlab, *giteaRepo, *giteaRoot, *ghes} {
		if t != "" {
			targets++
		}
	}
	if targets != 1 || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	in := &installer{force: *force, out: a.stdout, warn: a.stderr}
	fail := func(code int, err error) int {
		fmt.Fprintf(a.stderr, "pushguard install: %s\n", textsafe.Clean(err.Error(), 0))
		return code
	}
	var err error
	if in.bin, err = binaryPath(*bin); err != nil {
		return fail(exitUsage, err)
	}
	if tmp := os.TempDir(); strings.HasPrefix(in.bin, filepath.Clean(tmp)+string(filepath.Separator)) && *ghes == "" {
		fmt.Fprintf(a.stderr, "pushguard install: warning: the hook will run %s, under the temporary directory; install the binary (e.g. /usr/local/bin/pushguard) and pass --binary\n", in.bin)
	}
	if *cfg != "" {
		if in.config, err = filepath.Abs(*cfg); err != nil {
			return fail(exitUsage, err)
		}
		if _, err := config.Load(in.config); err != nil {
			return fail(exitUsage, fmt.Errorf("--config %s is not valid:\n%s", in.config, err))
		}
	}
	switch {
	case *plain != "":
		err = in.plain(*plain)
	case *gitlab != "":
		err = in.gitlab(*gitlab)
	case *giteaRepo != "":
		err = in.giteaRepo(*giteaRepo)
	case *giteaRoot != "":
		err = in.giteaRoot(*giteaRoot)
	case *ghes != "":
		if *ghesBase == "" {
			return fail(exitUsage, errors.New("--ghes-bundle needs --ghes-base ROOTFS.tar.gz: GHES runs hooks in a chroot that must provide /bin/sh "+
				"(for example: docker export $(docker create alpine:3) | gzip > base.tar.gz); see docs/install.md"))
		}
		err = in.ghesBundle(*ghes, *ghesBase)
	}
	if err != nil {
		var refused *refusedError
		if errors.As(err, &refused) {
			return fail(exitUsage, err)
		}
		return fail(exitInternal, err)
	}
	return exitOK
}

// refusedError is a hook pushguard did not write, left alone.
type refusedError struct{ path string }

func (e *refusedError) Error() string {
	return fmt.Sprintf("%s exists and was not written by pushguard; left unchanged (use --force to back it up to %s%s and replace it)",
		e.path, filepath.Base(e.path), backupSuffix)
}

// binaryPath returns the absolute, symlink-free path of the binary the hook
// runs, checking that it is an executable file.
func binaryPath(flagValue string) (string, error) {
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
		return "", fmt.Errorf("binary %s: %w", p, err)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("binary: %w", err)
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("binary %s is not an executable file", abs)
	}
	return abs, nil
}

// hookScript is the wrapper every platform but GHES runs: it execs the
// binary, so the hook's stdin, stderr and exit code are pushguard's.
func (in *installer) hookScript() string {
	cmd := "exec " + shQuote(in.bin) + " pre-receive"
	if in.config != "" {
		cmd += " --config " + shQuote(in.config)
	}
	return "#!/bin/sh\n" +
		"# pushguard pre-receive hook: scans what a push adds and rejects what breaks the rules.\n" +
		hookMarker + "\n" +
		"# Uninstall: delete this file (see docs/install.md).\n" +
		cmd + "\n"
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeHook writes an executable hook file at p, atomically, leaving it
// owned like owner (a directory) when run as root. It does nothing to an
// identical file, replaces a file of ours, and refuses a foreign one unless
// --force, which backs it up first.
func (in *installer) writeHook(p, content, owner string) error {
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := in.writeFile(p, content, owner); err != nil {
			return err
		}
		fmt.Fprintf(in.out, "installed %s\n", p)
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
			fmt.Fprintf(in.out, "updated %s (mode)\n", p)
			return nil
		}
		fmt.Fprintf(in.out, "unchanged %s\n", p)
		return nil
	case bytes.Contains(old, []byte(hookMarker)):
		if err := in.writeFile(p, content, owner); err != nil {
			return err
		}
		fmt.Fprintf(in.out, "updated %s\n", p)
		return nil
	case !in.force:
		return &refusedError{p}
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
	fmt.Fprintf(in.out, "backed up %s to %s\n", p, backup)
	if err := in.writeFile(p, content, owner); err != nil {
		return err
	}
	fmt.Fprintf(in.out, "installed %s\n", p)
	return nil
}

// backupName returns p+backupSuffix, or with a number when that exists.
func backupName(p string) (string, error) {
	for i := 0; i < 1000; i++ {
		name := p + backupSuffix
		if i > 0 {
			name = fmt.Sprintf("%s.%d%s", p, i, backupSuffix)
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
func (in *installer) writeFile(p, content, owner string) error {
	dir := filepath.Dir(p)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+"-*~")
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod %s: %w", p, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := matchOwner(tmp.Name(), owner); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// mkdir creates dir (mode 0755, owned like owner when run as root) if it
// does not exist.
func (in *installer) mkdir(dir, owner string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return matchOwner(dir, owner)
}

// repoDir returns the absolute git directory of repo (a bare repository,
// or a work tree's .git), checking that it is one.
func repoDir(repo string) (string, error) {
	abs, err := filepath.Abs(repo)
	if err != nil {
		return "", fmt.Errorf("repository %s: %w", repo, err)
	}
	dir := gitDir(abs)
	for _, want := range []string{"HEAD", "objects", "config"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			return "", fmt.Errorf("%s is not a git repository (no %s)", dir, want)
		}
	}
	return dir, nil
}

// plain installs hooks/pre-receive in a bare repository and lets clients
// send push options (for break-glass bypass).
func (in *installer) plain(repo string) error {
	dir, err := repoDir(repo)
	if err != nil {
		return err
	}
	cfgFile := filepath.Join(dir, "config")
	if hp, _ := gitConfigGet(cfgFile, "core.hooksPath"); hp != "" {
		fmt.Fprintf(in.warn, "pushguard install: warning: %s sets core.hooksPath=%s: git runs hooks from there, not from %s\n",
			cfgFile, textsafe.Clean(hp, 200), filepath.Join(dir, "hooks"))
	}
	hooks := filepath.Join(dir, "hooks")
	if err := in.mkdir(hooks, dir); err != nil {
		return err
	}
	if err := in.writeHook(filepath.Join(hooks, "pre-receive"), in.hookScript(), dir); err != nil {
		return err
	}
	return in.advertisePushOptions(cfgFile, dir)
}

// advertisePushOptions sets receive.advertisePushOptions=true in a
// repository's config file, running git with fixed arguments on the file
// itself (no repository discovery, no safe.directory check).
func (in *installer) advertisePushOptions(cfgFile, owner string) error {
	const key = "receive.advertisePushOptions"
	if v, _ := gitConfigGet(cfgFile, key); v == "true" {
		fmt.Fprintf(in.out, "unchanged %s: %s=true\n", cfgFile, key)
		return nil
	}
	cmd := exec.Command("git", "config", "--file", cfgFile, key, "true")
	cmd.Env = gitConfigEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git config --file %s %s true: %v: %s", cfgFile, key, err, strings.TrimSpace(string(out)))
	}
	// git rewrites the file through a lock file: give it back to the
	// repository's owner when root ran this.
	if err := matchOwner(cfgFile, owner); err != nil {
		return err
	}
	fmt.Fprintf(in.out, "set %s: %s=true\n", cfgFile, key)
	return nil
}

// gitConfigGet reads one key of a config file; "" when it is not set.
func gitConfigGet(cfgFile, key string) (string, error) {
	cmd := exec.Command("git", "config", "--file", cfgFile, "--get", key)
	cmd.Env = gitConfigEnv()
	out, err := cmd.Output()
	if err != nil {
		return "", err // exit 1: not set
	}
	return strings.TrimSpace(string(out)), nil
}

// gitConfigEnv is the environment without variables that would redirect
// git to another repository or configuration.
func gitConfigEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// gitlab installs <custom_hooks_dir>/pre-receive.d/pushguard, which Gitaly
// runs for every repository after GitLab's own checks.
func (in *installer) gitlab(hooksDir string) error {
	dir, err := filepath.Abs(hooksDir)
	if err != nil {
		return err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a directory (create GitLab's custom_hooks_dir first, owned by the git user)", dir)
	}
	d := filepath.Join(dir, "pre-receive.d")
	if err := in.mkdir(d, dir); err != nil {
		return err
	}
	return in.writeHook(filepath.Join(d, "pushguard"), in.hookScript(), dir)
}

// giteaRepo installs hooks/pre-receive.d/pushguard in one repository; Gitea's
// own hooks/pre-receive runs every executable there.
func (in *installer) giteaRepo(repo string) error {
	dir, err := repoDir(repo)
	if err != nil {
		return err
	}
	hooks := filepath.Join(dir, "hooks")
	if err := in.mkdir(hooks, dir); err != nil {
		return err
	}
	wrapper, err := os.ReadFile(filepath.Join(hooks, "pre-receive"))
	if err != nil || !bytes.Contains(wrapper, []byte(".d/")) {
		fmt.Fprintf(in.warn, "pushguard install: warning: %s does not run hooks/pre-receive.d/*: let Gitea rewrite its hooks "+
			"(Site Administration > Dashboard > Resynchronize git hooks), or pushguard will not run there\n",
			filepath.Join(hooks, "pre-receive"))
	}
	d := filepath.Join(hooks, "pre-receive.d")
	if err := in.mkdir(d, dir); err != nil {
		return err
	}
	return in.writeHook(filepath.Join(d, "pushguard"), in.hookScript(), dir)
}

// giteaRoot installs into every ROOT/<owner>/<name>.git (wikis included).
// It goes on after a repository fails and reports every failure.
func (in *installer) giteaRoot(root string) error {
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
			errs = append(errs, err)
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
	fmt.Fprintf(in.out, "%d repositories under %s, %d failed\n", n, root, len(errs))
	if n == 0 {
		errs = append(errs, fmt.Errorf("no repositories found under %s/<owner>/<name>.git", root))
	}
	return errors.Join(errs...)
}

// ghesHookScript is the script to commit to the GHES hooks repository. It
// runs inside the environment's chroot.
func ghesHookScript() string {
	return `#!/bin/sh
# pushguard pre-receive hook for GitHub Enterprise Server.
` + hookMarker + `
# Commit this file, executable, to the repository that holds your pre-receive
# hooks, and run it in the environment built by "pushguard install --ghes-bundle".
# A pushguard.yml committed next to this script overrides the configuration
# built into the environment (/etc/pushguard/config.yml).
case "$0" in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
if [ -f "$here/pushguard.yml" ]; then
	exec /` + ghesBinary + ` pre-receive --config "$here/pushguard.yml"
fi
if [ -f /` + ghesConfig + ` ]; then
	exec /` + ghesBinary + ` pre-receive --config /` + ghesConfig + `
fi
exec /` + ghesBinary + ` pre-receive
`
}

// ghesBundle writes a GHES pre-receive hook environment: the base root
// filesystem with the static binary at /usr/local/bin/pushguard, the hook
// script and the configuration (with --config) added, and the hook script
// next to out for the hooks repository.
func (in *installer) ghesBundle(out, base string) error {
	if err := checkStaticLinuxAMD64(in.bin); err != nil {
		return err
	}
	bin, err := os.ReadFile(in.bin)
	if err != nil {
		return fmt.Errorf("read binary: %w", err)
	}
	binInfo, err := os.Stat(in.bin)
	if err != nil {
		return fmt.Errorf("binary: %w", err)
	}
	added := []tarFile{
		{name: ghesBinary, mode: 0o755, data: bin},
		{name: ghesScript, mode: 0o755, data: []byte(ghesHookScript())},
	}
	if in.config != "" {
		data, err := os.ReadFile(in.config)
		if err != nil {
			return fmt.Errorf("read configuration: %w", err)
		}
		added = append(added, tarFile{name: ghesConfig, mode: 0o644, data: data})
	}

	outAbs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if st, err := os.Stat(filepath.Dir(outAbs)); err != nil || !st.IsDir() {
		return fmt.Errorf("directory %s does not exist (create it first)", filepath.Dir(outAbs))
	}
	tmp, err := os.CreateTemp(filepath.Dir(outAbs), "."+filepath.Base(outAbs)+"-*~")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	hasShell, err := writeBundle(tmp, base, added, binInfo.ModTime())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if !hasShell {
		msg := fmt.Sprintf("%s has no bin/sh: GHES needs /bin/sh in the environment to run the hook script", base)
		if !in.force {
			return errors.New(msg + " (use a base such as an exported alpine or busybox container, or --force)")
		}
		fmt.Fprintf(in.warn, "pushguard install: warning: %s\n", msg)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), outAbs); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintf(in.out, "wrote %s (GHES pre-receive environment: /%s", outAbs, ghesBinary)
	if in.config != "" {
		fmt.Fprintf(in.out, ", /%s", ghesConfig)
	}
	fmt.Fprintln(in.out, ")")
	script := filepath.Join(filepath.Dir(outAbs), ghesHookScriptName)
	if err := in.writeHook(script, ghesHookScript(), filepath.Dir(outAbs)); err != nil {
		return err
	}
	fmt.Fprintf(in.out, "next: commit %s to your hooks repository and create the hook (docs/install.md, GitHub Enterprise Server)\n", ghesHookScriptName)
	return nil
}

// tarFile is a file added to the bundle.
type tarFile struct {
	name string
	mode int64
	data []byte
}

// writeBundle copies the gzip'd tar base to w, leaving out entries the
// bundle replaces, then appends the added files (and their missing parent
// directories). It reports whether the base provides bin/sh.
func writeBundle(w io.Writer, base string, added []tarFile, mtime time.Time) (hasShell bool, err error) {
	bf, err := os.Open(base)
	if err != nil {
		return false, fmt.Errorf("base: %w", err)
	}
	defer bf.Close()
	gr, err := gzip.NewReader(bf)
	if err != nil {
		return false, fmt.Errorf("base %s is not a .tar.gz: %w", base, err)
	}
	gw := gzip.NewWriter(w)
	tw := tar.NewWriter(gw)
	replaced := map[string]bool{}
	for _, f := range added {
		replaced[f.name] = true
	}
	dirs := map[string]bool{}
	tr := tar.NewReader(gr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, fmt.Errorf("base %s: %w", base, err)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if replaced[name] {
			continue
		}
		switch name {
		case "bin/sh", "usr/bin/sh":
			hasShell = true
		}
		if h.Typeflag == tar.TypeDir {
			dirs[name] = true
		}
		if err := tw.WriteHeader(h); err != nil {
			return false, err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return false, fmt.Errorf("base %s: %w", base, err)
		}
	}
	t := mtime.UTC().Truncate(time.Second)
	for _, f := range added {
		var parents []string
		for d := path.Dir(f.name); d != "." && !dirs[d]; d = path.Dir(d) {
			parents = append([]string{d}, parents...)
		}
		for _, d := range parents {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: t, Format: tar.FormatPAX}); err != nil {
				return false, err
			}
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: t, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return false, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return false, err
		}
	}
	if err := tw.Close(); err != nil {
		return false, err
	}
	return hasShell, gw.Close()
}

// checkStaticLinuxAMD64 checks that the binary can run in a GHES hook
// environment: a linux/amd64 ELF executable without a dynamic loader.
func checkStaticLinuxAMD64(p string) error {
	f, err := elf.Open(p)
	if err != nil {
		return fmt.Errorf("%s is not a Linux ELF binary (%v): build one with CGO_ENABLED=0 GOOS=linux GOARCH=amd64 and pass --binary", p, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s is built for %s; GHES runs x86-64: build with GOOS=linux GOARCH=amd64 and pass --binary", p, f.Machine)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked; the GHES environment needs a static binary: build with CGO_ENABLED=0 (make build)", p)
		}
	}
	return nil
}
