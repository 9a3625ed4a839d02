package main

import (
	"context"
	"flag"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/hook"
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
	out, err := hook.PreCommit(context.Background(), hook.PreCommitInput{
		GitDir: a.getenv("GIT_DIR"), Getenv: a.getenv, Flags: cf.flags(),
		RepoName: *cf.repoName, Pusher: cf.pusherName(a), Paths: fs.Args(),
	})
	return hook.ReportClient(a.stderr, "pre-commit", out, err)
}

// pusherName is --pusher, else $PUSHGUARD_PUSHER.
func (c *clientFlags) pusherName(a *app) string {
	if *c.pusher != "" {
		return *c.pusher
	}
	return a.getenv("PUSHGUARD_PUSHER")
}
