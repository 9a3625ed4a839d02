package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// preReceive runs the hook: stdin holds the ref updates, the environment
// locates the quarantined objects. Anything that goes wrong rejects the push
// (fail closed) with a message the pusher can read.
func (a *app) preReceive(args []string) (code int) {
	out := bufio.NewWriter(a.stderr) // git shows hook stderr to the pusher as "remote:" lines
	defer out.Flush()
	defer func() {
		if p := recover(); p != nil {
			// Never let a crash accept a push; the stack goes to the admin's
			// log only in debug builds of the message, never pushed data.
			v := verdict.Failed(fmt.Errorf("internal error: %v", p), false)
			_ = report.Text(out, v, report.TextOptions{})
			if a.getenv("PUSHGUARD_DEBUG") != "" {
				fmt.Fprintf(out, "%s\n", report.Clean(string(debug.Stack()), 0))
			}
			code = exitInternal
		}
	}()

	fs := flag.NewFlagSet("pre-receive", flag.ContinueOnError)
	fs.SetOutput(out)
	var rulePaths stringList
	fs.Var(&rulePaths, "rules", "rule file or directory, added to the embedded defaults (repeatable)")
	noDefaults := fs.Bool("no-default-rules", false, "do not load the embedded default rules")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if env := a.getenv("PUSHGUARD_RULES"); env != "" && len(rulePaths) == 0 {
		rulePaths = strings.Split(env, ":")
	}

	fail := func(code int, err error) int {
		_ = report.Text(out, verdict.Failed(err, false), report.TextOptions{})
		return code
	}
	updates, err := push.ParseUpdates(a.stdin)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("malformed hook input: %w", err))
	}
	if _, err := push.FromEnv(a.getenv); err != nil {
		return fail(exitUsage, err)
	}
	pol, err := loadRules(rulePaths, *noDefaults)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("the server's pushguard rules are invalid: %w", err))
	}
	env, err := gitstore.EnvFromGetenv(a.getenv)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("hook environment: %w", err))
	}
	store, err := gitstore.Open(env)
	if err != nil {
		return fail(exitInternal, fmt.Errorf("open repository: %w", err))
	}
	refs, err := store.Refs()
	if err != nil {
		return fail(exitInternal, fmt.Errorf("list refs: %w", err))
	}
	exclude := make([]plumbing.Hash, 0, len(refs))
	for _, r := range refs {
		exclude = append(exclude, r.Hash)
	}
	var tips []scan.Tip
	for _, u := range updates {
		if u.Deleted() {
			continue
		}
		if len(u.New) != 40 {
			return fail(exitInternal, errors.New("SHA-256 repositories are not supported yet"))
		}
		tips = append(tips, scan.Tip{Ref: u.Ref, Hash: plumbing.NewHash(u.New)})
	}
	res, err := scan.New(store, pol.rules, scan.Options{Provenance: pol.ai}).Run(context.Background(), tips, exclude)
	if err != nil {
		return fail(exitInternal, err)
	}
	v := verdict.Decide(res, verdict.Options{})
	if err := report.Text(out, v, report.TextOptions{}); err != nil {
		return exitInternal
	}
	if v.Decision == verdict.Reject {
		return exitRejected
	}
	return exitOK
}
