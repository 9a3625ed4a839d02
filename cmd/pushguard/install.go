package main

import (
	"context"
	"flag"
	"fmt"

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
	var t install.Targets
	fs.StringVar(&t.Plain, "plain", "", "plain bare repository to install into")
	fs.StringVar(&t.GitLab, "gitlab-hooks-dir", "", "GitLab (Gitaly) custom_hooks_dir")
	fs.StringVar(&t.GiteaRepo, "gitea-repo", "", "Gitea/Forgejo repository to install into")
	fs.StringVar(&t.GiteaRoot, "gitea-root", "", "Gitea/Forgejo repository root (ROOT/<owner>/<name>.git)")
	fs.StringVar(&t.GiteaTemplate, "gitea-template", "", "Gitea/Forgejo: write a git template directory (init.templateDir) for new repositories")
	fs.StringVar(&t.GHES, "ghes-bundle", "", "write a GHES pre-receive hook environment tarball here")
	fs.StringVar(&t.GHESBase, "ghes-base", "", "GHES: base root filesystem tarball (.tar.gz) providing /bin/sh, e.g. an exported alpine or busybox container")
	bin := fs.String("binary", "", "pushguard binary the hook runs (default: this executable)")
	cfg := fs.String("config", "", "configuration file the hook passes with --config (checked now; its warnings are printed)")
	fs.BoolVar(&t.Client, "client", false, "install the developer-side pre-commit and pre-push hooks in the clone REPO (default .)")
	force := fs.Bool("force", false, "replace a hook pushguard did not write (it is backed up); GHES: accept a base without /bin/sh")
	if code, ok := a.parseFlags(fs, installUsage, args); !ok {
		return code
	}
	if t.Count() != 1 || fs.NArg() > 1 || fs.NArg() == 1 && !t.Client {
		return a.usageError(fs, installUsage, "pushguard install: give exactly one TARGET")
	}
	t.ClientRepo = fs.Arg(0)
	fail := func(code int, err error) int {
		fmt.Fprintf(a.stderr, "pushguard install: %s\n", textsafe.Clean(err.Error(), 0))
		return code
	}
	binary, err := install.BinaryPath(*bin)
	if err != nil {
		return fail(exitUsage, err)
	}
	if *cfg != "" {
		// The configuration must work before a hook uses it: a broken one
		// would reject every push. Paths in it are the server's: a GHES
		// bundle runs elsewhere, a clone only reads the rules.
		v := hook.ValidateConfig(context.Background(), *cfg, hook.ValidateOptions{NoFiles: t.GHES != "" || t.Client})
		if !v.OK() {
			a.printValidation(*cfg, v, false)
			fmt.Fprintln(a.stderr, "pushguard install: nothing was installed; fix the configuration (pushguard config validate FILE) and run install again")
			return exitUsage
		}
	}
	in := &install.Installer{Bin: binary, Config: *cfg, Force: *force, Out: a.stdout, Warn: a.stderr}
	switch err := in.Install(t); {
	case err == nil:
		return exitOK
	case install.IsUsageError(err):
		return fail(exitUsage, err)
	default:
		return fail(exitInternal, err)
	}
}
