package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/hook"
)

const preReceiveUsage = `usage: pushguard pre-receive [--config FILE] [--rules PATH]... [--no-default-rules] [--baseline FILE]

The server-side hook: git passes "<old> <new> <ref>" lines on stdin; the
pusher sees the verdict as "remote:" lines. Exit 0 accepted, 1 rejected by
policy, 2 configuration error, 3 internal error (the push is rejected on
every code but 0). Invoked under the name "pre-receive" it runs as the hook.
`

// preReceive runs the hook (pkg/hook): stdin holds the ref updates, the
// environment locates the quarantined objects. SIGTERM and SIGHUP (a
// platform cancelling the hook) end the run with an "interrupted" audit
// event and a rejection.
func (a *app) preReceive(args []string) int {
	fs := flag.NewFlagSet("pre-receive", flag.ContinueOnError)
	var f hook.Flags
	var rulePaths stringList
	fs.Var(&rulePaths, "rules", "rule file or directory, added to the configured rules (repeatable)")
	fs.BoolVar(&f.NoDefaultRules, "no-default-rules", false, "do not load the embedded default rules")
	fs.StringVar(&f.Baseline, "baseline", "", "baseline file (pushguard scan --baseline-out): drop the findings it knows")
	fs.StringVar(&f.ConfigPath, "config", "", "server configuration file (default $"+config.EnvVar+")")
	if code, ok := a.parseFlags(fs, preReceiveUsage, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return a.usageError(fs, preReceiveUsage, "pushguard pre-receive: unexpected argument %q (git passes the ref updates on stdin)", fs.Arg(0))
	}
	f.RulePaths = rulePaths

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, os.Interrupt)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			cancel(hook.ErrInterrupted)
		}
	}()

	out := hook.Run(ctx, a.stdin, hook.Env{Getenv: a.getenv, Out: a.stderr, Version: version, Flags: f, HoldGC: true})
	return out.Code
}
