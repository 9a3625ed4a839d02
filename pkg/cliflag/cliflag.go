// Package cliflag holds the command-line conventions every pushguard
// subcommand follows: -h, -help and --help print the command's usage on
// stdout and exit 0; a mistake of the caller (unknown flag, missing or extra
// argument) prints the error and the usage on stderr and exits 2.
package cliflag

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit codes of the conventions.
const (
	ExitOK    = 0
	ExitUsage = 2
)

// Parse parses args with fs. head is the usage text printed before the
// flag defaults. ok is false when the caller must return code: ExitOK after
// help was printed on stdout, ExitUsage after a parse error (the flag
// package prints the error; the usage follows on stderr).
func Parse(fs *flag.FlagSet, head string, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below, where it belongs
	err := fs.Parse(args)
	switch {
	case err == nil:
		return ExitOK, true
	case errors.Is(err, flag.ErrHelp):
		PrintUsage(stdout, fs, head)
		return ExitOK, false
	}
	PrintUsage(stderr, fs, head)
	return ExitUsage, false
}

// UsageError prints a caller's mistake and the usage on stderr, and
// returns ExitUsage.
func UsageError(stderr io.Writer, fs *flag.FlagSet, head, format string, args ...any) int {
	fmt.Fprintf(stderr, format+"\n\n", args...)
	PrintUsage(stderr, fs, head)
	return ExitUsage
}

// PrintUsage writes head, then the flags of fs with their defaults.
func PrintUsage(w io.Writer, fs *flag.FlagSet, head string) {
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

// IsHelp reports whether s asks for help.
func IsHelp(s string) bool { return s == "-h" || s == "-help" || s == "--help" }
