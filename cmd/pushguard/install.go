package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/pushguard/pushguard/pkg/hook"
	"github.com/pushguard/pushguard/pkg/install"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

const installUsage = `usage: pushguard install TARGET [--binary PATH] [--config FILE] [--force]

TARGET is exactly one of:
  --client [REPO]               a developer's clone (default .; REPO after the other flags):
                                its hooks/pre-commit and hooks/pre-push
  --plain REPO.git              hooks/pre-receive of a plain bare repository
  --gitlab-hooks-dir DIR        GitLab's global custom_hooks_dir (DIR/pre-receive.d/pushguard)
  --gitea-repo REPO.git         one Gitea/Forgejo repository (hooks/pre-receive.d/pushguard)
  --gitea-root DIR              every Gitea/Forgejo repository DIR/<owner>/<name>.git
  --gitea-template DIR          a git template directory for the repositories Gitea/Forgejo creates
                                from now on (set [git.config] init.templateDir = DIR in app.ini)
  --ghes-bundle OUT.tar.gz      a GitHub Enterprise Server pre-receive environment (needs --ghes-base)

`

// install implements "pushguard install": flags to an install.Installer
// call, errors to exit codes (2 for the caller's mistakes, 3 for failures).
func (a *app) install(args []string) int {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {} // printed below, on stdout for --help
	printUsage := func(w io.Writer) {
		fs.SetOutput(w)
		fmt.Fprint(w, installUsage)
		fs.PrintDefaults()
	}
	plain := fs.String("plain", "", "plain bare repository to install into")
	gitlab := fs.String("gitlab-hooks-dir", "", "GitLab (Gitaly) custom_hooks_dir")
	giteaRepo := fs.String("gitea-repo", "", "Gitea/Forgejo repository to install into")
	giteaRoot := fs.String("gitea-root", "", "Gitea/Forgejo repository root (ROOT/<owner>/<name>.git)")
	giteaTemplate := fs.String("gitea-template", "", "Gitea/Forgejo: write a git template directory (init.templateDir) for new repositories")
	ghes := fs.String("ghes-bundle", "", "write a GHES pre-receive hook environment tarball here")
	ghesBase := fs.String("ghes-base", "", "GHES: base root filesystem tarball (.tar.gz) providing /bin/sh, e.g. an exported alpine or busybox container")
	bin := fs.String("binary", "", "pushguard binary the hook runs (default: this executable)")
	cfg := fs.String("config", "", "configuration file the hook passes with --config (checked now; its warnings are printed)")
	client := fs.Bool("client", false, "install the developer-side pre-commit and pre-push hooks in the clone REPO (default .)")
	force := fs.Bool("force", false, "replace a hook pushguard did not write (it is backed up); GHES: accept a base without /bin/sh")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(a.stdout)
			return exitOK
		}
		printUsage(a.stderr)
		return exitUsage
	}
	targets := 0
	for _, t := range []string{*plain, *gitlab, *giteaRepo, *giteaRoot, *giteaTemplate, *ghes} {
		if t != "" {
			targets++
		}
	}
	if *client {
		targets++
	}
	if targets != 1 || fs.NArg() > 1 || fs.NArg() == 1 && !*client {
		printUsage(a.stderr)
		return exitUsage
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(a.stderr, "pushguard install: %s\n", textsafe.Clean(err.Error(), 0))
		return code
	}
	if *ghes != "" && *ghesBase == "" {
		return fail(exitUsage, errors.New("--ghes-bundle needs --ghes-base ROOTFS.tar.gz: GHES runs hooks in a chroot that must provide /bin/sh "+
			"(for example: docker export $(docker create alpine:3) | gzip > base.tar.gz); see docs/install.md"))
	}
	binary, err := install.BinaryPath(*bin)
	if err != nil {
		return fail(exitUsage, err)
	}
	if *cfg != "" {
		// The configuration must work before a hook uses it: a broken one
		// would reject every push. Paths in it are the server's: a GHES
		// bundle runs elsewhere, a clone only reads the rules.
		v := hook.ValidateConfig(context.Background(), *cfg, hook.ValidateOptions{NoFiles: *ghes != "" || *client})
		if !v.OK() {
			a.printValidation(*cfg, v, false)
			fmt.Fprintln(a.stderr, "pushguard install: nothing was installed; fix the configuration (pushguard config validate FILE) and run install again")
			return exitUsage
		}
	}
	in := &install.Installer{Bin: binary, Config: *cfg, Force: *force, Out: a.stdout, Warn: a.stderr}
	switch {
	case *client:
		repo := "."
		if fs.NArg() == 1 {
			repo = fs.Arg(0)
		}
		err = in.Client(repo)
	case *plain != "":
		err = in.Plain(*plain)
	case *gitlab != "":
		err = in.GitLab(*gitlab)
	case *giteaRepo != "":
		err = in.GiteaRepo(*giteaRepo)
	case *giteaRoot != "":
		err = in.GiteaRoot(*giteaRoot)
	case *giteaTemplate != "":
		err = in.GiteaTemplate(*giteaTemplate)
	default:
		err = in.GHESBundle(*ghes, *ghesBase)
	}
	switch {
	case err == nil:
		return exitOK
	case install.IsUsageError(err):
		return fail(exitUsage, err)
	}
	return fail(exitInternal, err)
}
