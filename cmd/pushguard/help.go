package main

import (
	"flag"
	"fmt"

	"github.com/pushguard/pushguard/pkg/cliflag"
)

// parseFlags applies the command-line conventions (pkg/cliflag).
func (a *app) parseFlags(fs *flag.FlagSet, head string, args []string) (code int, ok bool) {
	return cliflag.Parse(fs, head, args, a.stdout, a.stderr)
}

// usageError prints a caller's mistake and the usage on stderr (exit 2).
func (a *app) usageError(fs *flag.FlagSet, head, format string, args ...any) int {
	return cliflag.UsageError(a.stderr, fs, head, format, args...)
}

// isHelpArg reports whether s asks for help.
func isHelpArg(s string) bool { return cliflag.IsHelp(s) }

// version implements "pushguard version": the version, or help.
func (a *app) version(args []string) int {
	switch {
	case len(args) > 0 && isHelpArg(args[0]):
		fmt.Fprint(a.stdout, "usage: pushguard version\n\nPrints the version of this pushguard binary.\n")
		return exitOK
	case len(args) > 0:
		fmt.Fprintf(a.stderr, "pushguard version: unexpected argument %q\nusage: pushguard version\n", args[0])
		return exitUsage
	}
	fmt.Fprintf(a.stdout, "pushguard %s\n", version)
	return exitOK
}

// help implements "pushguard help [COMMAND...]": the overview, or the
// command's own --help.
func (a *app) help(args []string) int {
	if len(args) == 0 || isHelpArg(args[0]) {
		fmt.Fprint(a.stdout, usage)
		return exitOK
	}
	if args[0] == "help" {
		fmt.Fprint(a.stdout, usage)
		return exitOK
	}
	cmd := append([]string{"pushguard"}, args...)
	return run(append(cmd, "--help"), a.stdin, a.stdout, a.stderr, a.getenv)
}
