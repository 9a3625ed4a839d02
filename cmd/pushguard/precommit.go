package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/hook"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/staged"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

const preCommitUsage = `usage: pushguard pre-commit [--config FILE] [--rules PATH]... [--no-default-rules] [--baseline FILE] [PATH...]

A developer's pre-commit hook: checks the staged changes (the index against
HEAD, the lines they add) with the same rules and decision as the server.
Rules about the commit itself (message, trailers, identities) are left to
pre-push and the server: the commit has no message yet. PATHs (as the
pre-commit framework passes them) limit the report to those files.
Exit 0 nothing blocks, 1 blocking findings, 2 usage or configuration error,
3 internal error. Install with "pushguard install --client".
`

// clientFlags are the flags pre-commit and pre-push share with the hook.
type clientFlags struct {
	f          hook.Flags
	rules      stringList
	repoName   *string
	pusher     *string
	configHelp string
}

func addClientFlags(fs *flag.FlagSet) *clientFlags {
	c := &clientFlags{}
	fs.Var(&c.rules, "rules", "rule file or directory, added to the configured rules (repeatable)")
	fs.BoolVar(&c.f.NoDefaultRules, "no-default-rules", false, "do not load the embedded default rules")
	fs.StringVar(&c.f.Baseline, "baseline", "", "baseline file (pushguard scan --baseline-out): drop the findings it knows")
	fs.StringVar(&c.f.ConfigPath, "config", "", "configuration file, the server's for the same verdict (default $"+config.EnvVar+")")
	c.repoName = fs.String("repo-name", "", "repository name the server's scopes match (default: from the remote URL)")
	c.pusher = fs.String("pusher", "", "your login on the server, for scopes and break-glass advice (default $PUSHGUARD_PUSHER)")
	return c
}

func (c *clientFlags) flags() hook.Flags {
	f := c.f
	f.RulePaths = c.rules
	return f
}

// preCommit implements "pushguard pre-commit".
func (a *app) preCommit(args []string) int {
	fs := flag.NewFlagSet("pre-commit", flag.ContinueOnError)
	cf := addClientFlags(fs)
	if code, ok := a.parseFlags(fs, preCommitUsage, args); !ok {
		return code
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(a.stderr, "pushguard pre-commit: %s\n", textsafe.Clean(err.Error(), 0))
		return code
	}
	gitDir, err := findRepository(a.getenv("GIT_DIR"))
	if err != nil {
		return fail(exitUsage, err)
	}
	repo, err := gitstore.Open(gitstore.Env{GitDir: gitDir})
	if err != nil {
		return fail(exitUsage, err)
	}
	defer repo.Close()
	ref, head, err := currentHead(repo)
	if err != nil {
		return fail(exitInternal, err)
	}
	var parentTree plumbing.Hash
	if !head.IsZero() {
		c, err := repo.Commit(head)
		if err != nil {
			return fail(exitInternal, fmt.Errorf("read HEAD: %w", err))
		}
		parentTree = c.Tree
	}
	scratch, err := os.MkdirTemp("", "pushguard-staged-")
	if err != nil {
		return fail(exitInternal, err)
	}
	defer os.RemoveAll(scratch)
	indexFile := a.getenv("GIT_INDEX_FILE")
	if indexFile == "" {
		indexFile = filepath.Join(repo.GitDir(), "index")
	}
	now := time.Now()
	who := func(nameVar, emailVar string) gitstore.Person {
		return gitstore.Person{Name: a.getenv(nameVar), Email: a.getenv(emailVar), When: now}
	}
	commit, changed, err := staged.Write(staged.Options{
		IndexFile: indexFile, ObjectDir: scratch, Parent: head,
		Author: who("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"), Committer: who("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"),
		Exists: func(h plumbing.Hash) bool { _, err := repo.ObjectType(h); return err == nil },
	}, parentTree)
	var serr *staged.Error
	switch {
	case errors.As(err, &serr):
		return fail(exitUsage, err)
	case errors.Is(err, os.ErrNotExist):
		return exitOK // no index: nothing was ever staged
	case err != nil:
		return fail(exitInternal, err)
	case !changed:
		return exitOK
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: repo.GitDir(), ObjectDir: scratch})
	if err != nil {
		return fail(exitInternal, err)
	}
	defer store.Close()
	old := strings.Repeat("0", 40)
	var exclude []plumbing.Hash
	if !head.IsZero() {
		old = head.String()
		exclude = append(exclude, head)
	}
	out := hook.CheckClient(context.Background(), hook.Client{
		Store: store, Getenv: a.getenv, Flags: cf.flags(),
		Repo: cf.repo(a, ""), Pusher: cf.pusherName(a),
		Updates: []push.Update{{Old: old, New: commit.String(), Ref: ref}},
		Exclude: exclude, Staged: true, Mode: report.ClientPreCommit, Paths: fs.Args(),
	})
	return a.clientReport(out)
}

// clientReport prints a client check's report on stderr (git shows a
// hook's stderr) and returns its exit code.
func (a *app) clientReport(out hook.ClientOutcome) int {
	if err := report.Text(a.stderr, out.Verdict, out.Text); err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %s\n", err)
		return exitInternal
	}
	return out.Code
}

// repo is the repository name for scopes: --repo-name, else derived from
// the remote URL (pre-push), else "".
func (c *clientFlags) repo(a *app, url string) string {
	if *c.repoName != "" {
		return *c.repoName
	}
	return repoNameFromURL(url)
}

func (c *clientFlags) pusherName(a *app) string {
	if *c.pusher != "" {
		return *c.pusher
	}
	return a.getenv("PUSHGUARD_PUSHER")
}

// findRepository returns the repository of the working directory: dir
// ($GIT_DIR) when set, else the nearest directory upwards holding .git.
func findRepository(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return wd, nil // maybe bare: gitstore says if not
		}
	}
}

// currentHead returns the branch HEAD names (refs/heads/...; "HEAD" when
// detached) and its commit (zero before the first commit).
func currentHead(s *gitstore.Store) (string, plumbing.Hash, error) {
	ref := "HEAD"
	b, err := os.ReadFile(filepath.Join(s.GitDir(), "HEAD"))
	if err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("read HEAD: %w", err)
	}
	if target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "ref:"); ok {
		ref = strings.TrimSpace(target)
	}
	h, err := s.Resolve("HEAD")
	if err != nil {
		return ref, plumbing.ZeroHash, nil // unborn branch
	}
	return ref, h, nil
}
