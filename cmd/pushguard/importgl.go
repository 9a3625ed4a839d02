package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/pushguard/pushguard/pkg/gitleaks"
)

const importGitleaksUsage = `usage: pushguard rules import-gitleaks [flags] gitleaks.toml

Converts a gitleaks configuration into a pushguard rule file (written to -o,
or to standard output) and reports, on standard error, what was converted,
what was approximated and what could not be converted. With --ignore, the
fingerprints of a .gitleaksignore file become a pushguard baseline
(--baseline-out), matched against the files of the repository --repo.

Flags:
`

// importGitleaks implements "pushguard rules import-gitleaks".
func (a *app) importGitleaks(args []string) int {
	fs := flag.NewFlagSet("rules import-gitleaks", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprint(a.stderr, importGitleaksUsage)
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "write the pushguard rules to `FILE` (default: standard output)")
	prefix := fs.String("prefix", "gitleaks-", "put `PREFIX` before every rule id")
	examples := fs.Int("examples", 2, "generate up to `N` match examples per rule (0: none)")
	ignore := fs.String("ignore", "", "convert the fingerprints of this .gitleaksignore `FILE` to a baseline")
	repo := fs.String("repo", ".", "the repository the fingerprints of --ignore refer to (`DIR`)")
	baselineOut := fs.String("baseline-out", "", "write the baseline of --ignore to `FILE`")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 || (*ignore != "") != (*baselineOut != "") {
		fs.Usage()
		return exitUsage
	}
	err := gitleaks.Import(gitleaks.ImportOptions{
		ConfigPath: fs.Arg(0), Out: *out, Prefix: *prefix, Examples: *examples,
		Ignore: *ignore, BaselineOut: *baselineOut, Repo: *repo,
		Stdout: a.stdout, Report: a.stderr,
	})
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %s\n", err)
		var ie *gitleaks.ImportError
		if errors.As(err, &ie) && ie.Internal {
			return exitInternal
		}
		return exitUsage
	}
	return exitOK
}
