package scanrun

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// DefaultExitCode is --exit-code's default: Run's result when blocking
// findings exist.
const DefaultExitCode = 1

// Redact is the --redact[=N] flag: absent keeps the rules' redaction, bare
// redacts every match completely, N shows at most N leading characters.
// The zero value is "absent". It implements flag.Value.
type Redact struct {
	on bool
	n  int
}

// Value is the report.ScanOptions.Redact the flag asks for.
func (r *Redact) Value() int {
	if !r.on {
		return report.KeepRuleRedaction
	}
	return r.n
}

// String is the flag's value as given: empty when absent.
func (r *Redact) String() string {
	if r == nil || !r.on {
		return ""
	}
	return strconv.Itoa(r.n)
}

// Set takes "true" (bare --redact), "false" or a number of characters.
func (r *Redact) Set(s string) error {
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
func (r *Redact) IsBoolFlag() bool { return true }

// pathList is a repeatable string flag.
type pathList []string

func (s *pathList) String() string     { return strings.Join(*s, ",") }
func (s *pathList) Set(v string) error { *s = append(*s, v); return nil }

// Flags are the command line of `pushguard scan`: Register them on a flag
// set, parse it, Check them, then turn them into Options.
type Flags struct {
	repo, rng, dir, stdinName, ref   string
	all, stdin, showRefs, noDefaults bool
	format, severity, reportPath     string
	configPath, repoName, pusher     string
	defaultBranch                    string
	exitCode, maxLocations           int
	maxFile                          int64
	redact                           Redact
	rulePaths                        pathList
	baselineIn, baselineOut          string
	fs                               *flag.FlagSet
}

// Register defines the scan flags on fs, which f remembers for Check
// (positional arguments) and Options (whether --max-file-size was given).
func (f *Flags) Register(fs *flag.FlagSet) {
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
	fs.IntVar(&f.exitCode, "exit-code", DefaultExitCode, "exit code when blocking findings exist (0-255)")
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
}

// Check finds the caller's mistakes in the parsed flags; its error is the
// message to print after "pushguard scan: ".
func (f *Flags) Check() error {
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
	if _, err := ParseSeverity(f.severity); err != nil {
		return err
	}
	if f.reportPath != "" {
		if st, err := os.Stat(filepath.Dir(f.reportPath)); err != nil || !st.IsDir() {
			return fmt.Errorf("--report-path %s: its directory does not exist", textsafe.Clean(f.reportPath, 200))
		}
	}
	if f.ref != "" {
		if err := ValidRefName(FullRef(f.ref)); err != nil {
			return err
		}
	}
	return nil
}

// Options is the checked command line as a run's options. Input, Version
// and RevParse are the caller's to fill in.
func (f *Flags) Options() Options {
	min, _ := ParseSeverity(f.severity)
	maxFileSet := false
	f.fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "max-file-size" {
			maxFileSet = true
		}
	})
	return Options{
		Repo: f.repo, Range: f.rng, All: f.all, Dir: f.dir,
		Stdin: f.stdin, StdinName: f.stdinName,
		Ref: f.ref, DefaultBranch: f.defaultBranch,
		Format: f.format, MinSeverity: min, ReportPath: f.reportPath,
		Redact: f.redact.Value(), ShowRefs: f.showRefs, MaxLocations: f.maxLocations,
		ExitCode:   f.exitCode,
		ConfigPath: f.configPath, RepoName: f.repoName, Pusher: f.pusher,
		RulePaths: f.rulePaths, NoDefaultRules: f.noDefaults,
		MaxFileSize: f.maxFile, MaxFileSizeSet: maxFileSet,
		BaselineIn: f.baselineIn, BaselineOut: f.baselineOut,
	}
}

// ParseSeverity is a --severity value as a rule severity.
func ParseSeverity(s string) (ruleset.Severity, error) {
	switch ruleset.Severity(s) {
	case ruleset.SeverityInfo, ruleset.SeverityWarn, ruleset.SeverityBlock:
		return ruleset.Severity(s), nil
	}
	return "", fmt.Errorf("unknown --severity %q (info, warn, block)", textsafe.Clean(s, 50))
}

// ValidRefName checks a full --ref name the way git would accept a ref name.
func ValidRefName(name string) error {
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
