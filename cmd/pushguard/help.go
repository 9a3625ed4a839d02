package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// The command-line conventions every subcommand follows: -h, -help and
// --help print the command's usage on stdout and exit 0; a mistake of the
// caller (unknown flag, missing or extra argument) prints the error and
// the usage on stderr and exits 2 (exitUsage).

// parseFlags parses args with fs. head is the usage text printed before
// the flag defaults. ok is false when the caller must return code: exitOK
// after help was printed, exitUsage after a parse error.
func (a *app) parseFlags(fs *flag.FlagSet, head string, args []string) (code int, ok bool) {
	fs.SetOutput(a.stderr)
	fs.Usage = func() {} // printed below, where it belongs
	err := fs.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		printFlagUsage(a.stdout, fs, head)
		return exitOK, false
	}
	// The flag package has printed the error itself.
	printFlagUsage(a.stderr, fs, head)
	return exitUsage, false
}

// usageError prints a caller's mistake and the usage on stderr, and
// returns exitUsage.
func (a *app) usageError(fs *flag.FlagSet, head, format string, args ...any) int {
	fmt.Fprintf(a.stderr, format+"\n\n", args...)
	printFlagUsage(a.stderr, fs, head)
	return exitUsage
}

// printFlagUsage writes head, then the flags of fs with their defaults.
func printFlagUsage(w io.Writer, fs *flag.FlagSet, head string) {
	fmt.Fprint(w, head)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		out := fs.Output()
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
}

// isHelpArg reports whether s asks for help.
func isHelpArg(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

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
