package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/scanrun"
	"github.com/pushguard/pushguard/pkg/textsafe"
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

// redactFlag is --redact[=N]: absent keeps the rules' redaction, bare
// redacts every match completely, N shows at most N leading characters.
// The zero value is "absent".
type redactFlag struct {
	on bool
	n  int
}

// value is the report.ScanOptions.Redact the flag asks for.
func (r *redactFlag) value() int {
	if !r.on {
		return report.KeepRuleRedaction
	}
	return r.n
}

func (r *redactFlag) String() string {
	if r == nil || !r.on {
		return ""
	}
	return strconv.Itoa(r.n)
}

func (r *redactFlag) Set(s string) error {
	switch s {
	case "true":
		r.on, r.n = true, 0
		return nil
	case "false":
		r.on = false
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a number of characters, got %q", s)
	}
	r.on, r.n = true, n
	return nil
}

// IsBoolFlag lets --redact stand alone.
func (r *redactFlag) IsBoolFlag() bool { return true }

// scanFlags are the command line of `pushguard scan`.
type scanFlags struct {
	repo, rng, dir, stdinName, ref   string
	all, stdin, showRefs, noDefaults bool
	format, severity, reportPath     string
	configPath, repoName, pusher     string
	defaultBranch                    string
	exitCode, maxLocations           int
	maxFile                          int64
	maxFileSet                       bool
	redact                           redactFlag
	rulePaths                        stringList
	baselineIn, baselineOut          string
	prof                             profileFlags
	fs                               *flag.FlagSet
}

func parseScanFlags(args []string, stderr io.Writer) (*scanFlags, error) {
	f := &scanFlags{}
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	f.fs = fs
	fs.StringVar(&f.repo, "repo", ".", "repository to scan (work tree or bare)")
	fs.StringVar(&f.rng, "range", "", "commits to scan: any revision or range git rev-parse understands")
	fs.BoolVar(&f.all, "all", false, "scan every commit reachable from any ref")
	fs.StringVar(&f.dir, "dir", "", "scan the files under this directory, outside git")
	fs.BoolVar(&f.stdin, "stdin", false, "scan standard input as one file")
	fs.StringVar(&f.stdinName, "stdin-name", "stdin", "the path standard input is scanned as (file rules match it)")
	fs.StringVar(&f.ref, "ref", "", "the branch the commits or files are headed to (main or refs/heads/main): rules limited to refs run as for it")
	fs.StringVar(&f.format, "format", "text", "output format: text, json, sarif, junit or agent-trace (one Agent Trace record per AI-marked commit, JSON lines)")
	fs.StringVar(&f.defaultBranch, "default-branch", "", "branch whose commits get no agent-branch evidence (default: the branch HEAD names, else main or master)")
	fs.StringVar(&f.severity, "severity", "info", "minimum severity shown and counted: info, warn or block")
	fs.IntVar(&f.exitCode, "exit-code", exitRejected, "exit code when blocking findings exist (0-255)")
	fs.StringVar(&f.reportPath, "report-path", "", "write the report (--format) to this file; the text report goes to stdout")
	fs.Var(&f.redact, "redact", "redact every match in every format; --redact=N shows at most N leading characters (default: each rule's own redaction)")
	fs.BoolVar(&f.showRefs, "show-refs", false, "JSON: list the refs that reach each commit")
	fs.IntVar(&f.maxLocations, "max-locations", report.DefaultMaxLocations, "text: locations listed per rule (0: all)")
	fs.StringVar(&f.configPath, "config", "", "server configuration: its rule sources, scopes, modes and suppression settings apply")
	fs.StringVar(&f.repoName, "repo-name", "", "with --config: the repository name scopes match (as the server sees it, e.g. group/app)")
	fs.StringVar(&f.pusher, "pusher", "", "with --config: the pusher scopes match")
	fs.Int64Var(&f.maxFile, "max-file-size", scan.DefaultMaxFileSize, "files larger than this many bytes skip content rules")
	fs.Var(&f.rulePaths, "rules", "rule file or directory, added to the embedded defaults (repeatable)")
	fs.BoolVar(&f.noDefaults, "no-default-rules", false, "do not load the embedded default rules")
	fs.StringVar(&f.baselineIn, "baseline", "", "baseline file: drop the findings it knows (see --baseline-out)")
	fs.StringVar(&f.baselineOut, "baseline-out", "", "write the findings of this scan to a baseline file (JSON)")
	f.prof = addProfileFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "max-file-size" {
			f.maxFileSet = true
		}
	})
	return f, nil
}

// check finds the caller's mistakes.
func (f *scanFlags) check() error {
	n := 0
	for _, set := range []bool{f.rng != "", f.all, f.dir != "", f.stdin} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return errors.New("give exactly one of --range REV, --all, --dir PATH or --stdin")
	case f.fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q (flags come before nothing else; see pushguard scan -h)", textsafe.Clean(f.fs.Arg(0), 100))
	case f.format != "text" && f.format != "json" && f.format != "sarif" && f.format != "junit" && f.format != "agent-trace":
		return fmt.Errorf("unknown --format %q (text, json, sarif, junit, agent-trace)", textsafe.Clean(f.format, 50))
	case f.exitCode < 0 || f.exitCode > 255:
		return fmt.Errorf("--exit-code %d: want 0 to 255", f.exitCode)
	case f.maxLocations < 0:
		return fmt.Errorf("--max-locations %d: want 0 (all) or more", f.maxLocations)
	case f.all && f.ref != "":
		return errors.New("--ref applies to --range, --dir and --stdin; --all scans every ref under its own name")
	case (f.repoName != "" || f.pusher != "") && f.configPath == "":
		return errors.New("--repo-name and --pusher select the scopes of a --config")
	case f.stdinName == "" || strings.ContainsRune(f.stdinName, 0):
		return errors.New("--stdin-name must name a path")
	case f.baselineOut != "" && (f.dir != "" || f.stdin):
		return errors.New("--baseline-out records commits: use it with --range or --all")
	}
	if _, err := parseSeverity(f.severity); err != nil {
		return err
	}
	if f.reportPath != "" {
		if st, err := os.Stat(filepath.Dir(f.reportPath)); err != nil || !st.IsDir() {
			return fmt.Errorf("--report-path %s: its directory does not exist", textsafe.Clean(f.reportPath, 200))
		}
	}
	if f.ref != "" {
		if err := validRefName(scanrun.FullRef(f.ref)); err != nil {
			return err
		}
	}
	return nil
}

func parseSeverity(s string) (ruleset.Severity, error) {
	switch ruleset.Severity(s) {
	case ruleset.SeverityInfo, ruleset.SeverityWarn, ruleset.SeverityBlock:
		return ruleset.Severity(s), nil
	}
	return "", fmt.Errorf("unknown --severity %q (info, warn, block)", textsafe.Clean(s, 50))
}

// validRefName checks a --ref value the way git would accept a ref name.
func validRefName(name string) error {
	bad := name == "refs/heads/" || strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//") ||
		strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, ".") ||
		strings.ContainsAny(name, " ~^:?*[\\\x7f")
	for _, r := range name {
		bad = bad || r < 0x20
	}
	if bad {
		return fmt.Errorf("--ref %q is not a valid ref name", textsafe.Clean(name, 100))
	}
	return nil
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
	if err := f.check(); err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", err)
		return exitUsage
	}
	stopProfiles, err := f.prof.start()
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
		if fl.Name == "cpuprofile" || fl.Name == "memprofile" {
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
	min, _ := parseSeverity(f.severity)
	o := scanrun.Options{
		Repo: f.repo, Range: f.rng, All: f.all, Dir: f.dir,
		Stdin: f.stdin, StdinName: f.stdinName, Input: a.stdin,
		Ref: f.ref, DefaultBranch: f.defaultBranch,
		Format: f.format, MinSeverity: min, ReportPath: f.reportPath,
		Redact: f.redact.value(), ShowRefs: f.showRefs, MaxLocations: f.maxLocations,
		ExitCode:   f.exitCode,
		ConfigPath: f.configPath, RepoName: f.repoName, Pusher: f.pusher,
		RulePaths: f.rulePaths, NoDefaultRules: f.noDefaults,
		MaxFileSize: f.maxFile, MaxFileSizeSet: f.maxFileSet,
		BaselineIn: f.baselineIn, BaselineOut: f.baselineOut,
		Version: version,
	}
	if gitAvailable() {
		o.RevParse = func(dir string, args ...string) (string, error) { return runRevParse(dir, args) }
	}
	return o
}
