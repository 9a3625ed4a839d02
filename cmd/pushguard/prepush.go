package main

import (
	"context"
	"flag"

	"github.com/pushguard/pushguard/pkg/hook"
)

const prePushUsage = `usage: pushguard pre-push [flags] REMOTE URL   (ref lines on stdin)

A developer's pre-push hook, speaking git's pre-push protocol: REMOTE and
URL as arguments, one "<local ref> <local sha> <remote ref> <remote sha>"
line per ref on stdin. It checks the commits the remote does not have yet
(not reachable from what the remote's refs, as last fetched, and the
remote's side of each ref point at) under the policy of the remote ref
they go to: the same grouping and decision as the server's pre-receive
hook for the same configuration (pass the server's with --config).
Exit 0 nothing blocks, 1 blocking findings, 2 usage or configuration error,
3 internal error. Install with "pushguard install --client".
`

// prePush implements "pushguard pre-push REMOTE URL".
func (a *app) prePush(args []string) int {
	fs := flag.NewFlagSet("pre-push", flag.ContinueOnError)
	cf := addClientFlags(fs)
	if code, ok := a.parseFlags(fs, prePushUsage, args); !ok {
		return code
	}
	if fs.NArg() > 2 {
		return a.usageError(fs, prePushUsage, "pushguard pre-push: unexpected argument %q (git passes REMOTE and URL)", fs.Arg(2))
	}
	out, err := hook.PrePush(context.Background(), hook.PrePushInput{
		Remote: fs.Arg(0), URL: fs.Arg(1), GitDir: a.getenv("GIT_DIR"), Stdin: a.stdin,
		Getenv: a.getenv, Flags: cf.flags(), RepoName: *cf.repoName, Pusher: cf.pusherName(a),
	})
	return hook.ReportClient(a.stderr, "pre-push", out, err)
}
