package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/pushguard/pushguard/pkg/hook"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// postReceive runs the post-receive companion (hook.PostReceive): it
// records in the audit log which ref updates landed. It never fails the
// push (the refs have moved already); a problem is reported on stderr and
// in the exit code, which git ignores for post-receive.
func (a *app) postReceive(args []string) int {
	fs := flag.NewFlagSet("post-receive", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	var f hook.Flags
	fs.StringVar(&f.ConfigPath, "config", "", "server configuration file (default $PUSHGUARD_CONFIG)")
	if code, ok := a.parseFlags(fs, "usage: pushguard post-receive [--config FILE]\n\nThe companion hook: records in the audit log which ref updates of a push landed.\n", args); !ok {
		return code
	}
	err := hook.PostReceive(context.Background(), a.stdin, hook.Env{Getenv: a.getenv, Out: a.stderr, Version: version, Flags: f})
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard post-receive: the landing of this push was not recorded: %s\n", textsafe.Clean(err.Error(), 300))
		return exitInternal
	}
	return exitOK
}
