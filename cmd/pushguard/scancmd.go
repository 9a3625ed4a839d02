package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/pushguard/pushguard/pkg/profiling"
	"github.com/pushguard/pushguard/pkg/scanrun"
)

const scanUsage = `Usage: pushguard scan (--range REV | --all | --dir PATH | --stdin) [flags]

Scans with the hook's engine and rules, for CI, pre-push checks, and
replaying history before enforcing a rule.

What to scan (exactly one):
  --range REV        commits as git rev-parse understands them: A..B (in B, not in A),
                     A...B (in either, not in both), or one revision (everything it
                     reaches); short ids, HEAD~2, origin/main, @{u} all work
  --all              every commit reachable from any ref
  --dir PATH         the files under PATH, outside git (file rules on the paths,
                     content rules on every line)
  --stdin            standard input, as one file named by --stdin-name

Flags:
`

const scanUsageTail = `
Exit codes: 0 no blocking finding, --exit-code (default 1) blocking findings,
2 usage or configuration error, 3 internal error.
`

// scanFlags are the command line of `pushguard scan`.
type scanFlags struct {
	scanrun.Flags
	prof profiling.Flags
	fs   *flag.FlagSet
}

func parseScanFlags(args []string, stderr io.Writer) (*scanFlags, error) {
	f := &scanFlags{}
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	f.fs = fs
	f.Register(fs)
	f.prof = profiling.Register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return f, nil
}

// scan implements "pushguard scan": the hook's engine over a repository's
// commits, a directory or standard input, for CI, pre-push use and
// replaying history before enforcing.
func (a *app) scan(args []string) int {
	f, err := parseScanFlags(args, a.stderr)
	if errors.Is(err, flag.ErrHelp) {
		a.scanHelp()
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(a.stderr, "Run 'pushguard scan -h' for usage.")
		return exitUsage
	}
	if err := f.Check(); err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", err)
		return exitUsage
	}
	stopProfiles, err := f.prof.Start()
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", err)
		return exitUsage
	}
	defer func() {
		if err := stopProfiles(); err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", err)
		}
	}()
	return scanrun.Run(context.Background(), a.scanOptions(f), a.stdout, a.stderr)
}

// scanHelp prints the usage on stdout.
func (a *app) scanHelp() {
	fmt.Fprint(a.stdout, scanUsage)
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	parsed, _ := parseScanFlags(nil, io.Discard)
	parsed.fs.VisitAll(func(fl *flag.Flag) {
		if fl.Name == "cpuprofile" || fl.Name == "memprofile" || fl.Name == "trace" {
			return
		}
		fs.Var(fl.Value, fl.Name, fl.Usage)
	})
	fs.SetOutput(a.stdout)
	fs.PrintDefaults()
	fmt.Fprint(a.stdout, scanUsageTail)
}

// scanOptions is the checked command line as the run's options.
func (a *app) scanOptions(f *scanFlags) scanrun.Options {
	o := f.Options()
	o.Input, o.Version = a.stdin, version
	if gitAvailable() {
		o.RevParse = func(dir string, args ...string) (string, error) { return runRevParse(dir, args) }
	}
	return o
}
