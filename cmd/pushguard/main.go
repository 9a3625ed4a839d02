// Command pushguard is a Git pre-receive hook that rejects pushes whose new
// commits break the organisation's rules: secrets, risky code and files,
// and AI-use policies. See README.md.
//
// Exit codes: 0 accepted, 1 rejected by policy, 2 usage or configuration
// error, 3 internal error. A hook exit other than 0 rejects the push.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Exit codes.
const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2
	exitInternal = 3
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// app carries what a subcommand needs from the process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

const usage = `pushguard: a Git pre-receive hook that enforces rules on what a push adds.

Usage:
  pushguard pre-receive            run as the hook (also when invoked as "pre-receive")
  pushguard post-receive           the companion hook: records which ref updates landed (audit log)
  pushguard scan [flags]           scan a repository's history with the same engine
  pushguard rules validate [PATH...]  load rule files and report every error
  pushguard rules test [PATH...]      run the tests written inside the rules
  pushguard install TARGET [flags]    put the hook in place (plain git, GitLab, Gitea/Forgejo, GHES)
  pushguard stats --audit-log FILE    summarise the audit log (pushes, rejections, AI share, top rules)
  pushguard config validate FILE      check a server configuration: rules, audit log, a dry-run push
  pushguard pre-commit             check the staged changes (a developer's pre-commit hook)
  pushguard pre-push REMOTE URL    check what a push would add (a developer's pre-push hook)
  pushguard version                print the version

Run "pushguard <command> -h" (or "pushguard help <command>") for a command's flags.
Exit codes: 0 accepted, 1 rejected by policy, 2 usage or configuration error, 3 internal error.
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) (code int) {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	switch filepath.Base(args[0]) {
	case "pre-receive":
		return a.preReceive(args[1:])
	case "post-receive":
		return a.postReceive(args[1:])
	}
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[1] {
	case "pre-receive":
		return a.preReceive(args[2:])
	case "post-receive":
		return a.postReceive(args[2:])
	case "scan":
		return a.scan(args[2:])
	case "rules":
		return a.rules(args[2:])
	case "install":
		return a.install(args[2:])
	case "stats":
		return a.stats(args[2:])
	case "pre-commit":
		return a.preCommit(args[2:])
	case "pre-push":
		return a.prePush(args[2:])
	case "config":
		return a.config(args[2:])
	case "version", "--version":
		return a.version(args[2:])
	case "help", "-h", "-help", "--help":
		return a.help(args[2:])
	default:
		fmt.Fprintf(stderr, "pushguard: unknown command %q\n\n%s", args[1], usage)
		return exitUsage
	}
}
