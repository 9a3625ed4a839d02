package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/policy"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
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
		if err := validRefName(fullRef(f.ref)); err != nil {
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
	return a.runScan(f)
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

// scanPolicy is what a scan enforces: the rules and how the configuration
// (if any) decides.
type scanPolicy struct {
	pol   *policy.Policy
	opts  scan.Options
	vopts verdict.Options
}

// loadScanPolicy loads the rules of the command line, or of the server
// configuration with --config (its sources, scopes, modes, suppression
// settings and file size limit) plus the command line's rule paths.
func (a *app) loadScanPolicy(f *scanFlags) (*scanPolicy, error) {
	ctx := context.Background()
	if f.configPath == "" {
		pol, err := policy.Load(ctx, cliSources(f.rulePaths, f.noDefaults), policy.Options{})
		if err != nil {
			return nil, err
		}
		return &scanPolicy{pol: pol, opts: scan.Options{MaxFileSize: f.maxFile, Provenance: pol.AI}}, nil
	}
	cfg, err := config.Load(f.configPath)
	if err != nil {
		return nil, &configError{err}
	}
	sources := cfg.Rules
	if f.noDefaults {
		sources = nil
		for _, s := range cfg.Rules {
			if !s.Embedded {
				sources = append(sources, s)
			}
		}
	}
	srcs := policy.FromConfig(sources, nil)
	for _, p := range f.rulePaths {
		srcs = append(srcs, policy.Path(p))
	}
	pol, err := policy.Load(ctx, srcs, policy.Options{})
	if err != nil {
		return nil, err
	}
	maxFile := cfg.MaxFileSize
	if f.maxFileSet {
		maxFile = f.maxFile
	}
	sp := &scanPolicy{pol: pol, opts: scan.Options{
		MaxFileSize: maxFile, Provenance: pol.AI, NoInlineSuppression: !cfg.InlineSuppression,
		Suppressible:    scan.SuppressibleSecrets(cfg.InlineSuppressionSecretRules),
		MinReasonLength: cfg.InlineSuppressionMinReason,
	}}
	sp.vopts = verdict.Options{
		Mode: verdict.Mode(cfg.Mode),
		Policy: func(ref string) verdict.RefPolicy {
			p := cfg.PolicyFor(f.repoName, ref, f.pusher)
			return verdict.RefPolicy{
				Mode: verdict.Mode(p.Mode), Scope: p.ScopeName(),
				Applies: func(r *ruleset.Rule) bool { return p.Applies(r.ID, r.Tags) },
			}
		},
	}
	return sp, nil
}

// runScan runs a checked command line.
func (a *app) runScan(f *scanFlags) int {
	sp, err := a.loadScanPolicy(f)
	if err != nil {
		var cerr *configError
		if errors.As(err, &cerr) {
			fmt.Fprintf(a.stderr, "pushguard scan: invalid configuration:\n%s\n", indent(err.Error()))
		} else {
			fmt.Fprintf(a.stderr, "pushguard: invalid rules:\n%s\n", indent(err.Error()))
		}
		return exitUsage
	}
	var known *baseline.Baseline
	if f.baselineIn != "" {
		if known, err = baseline.Load(f.baselineIn); err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return exitUsage
		}
	}
	o := report.ScanOptions{
		Redact: f.redact.value(), ShowRefs: f.showRefs, MaxLocations: f.maxLocations,
		Rules: sp.pol.Rules.Rules, Version: version,
	}
	if f.maxLocations == 0 {
		o.MaxLocations = -1
	}
	ctx := context.Background()
	var res *scan.Result
	var runErr error
	switch {
	case f.dir != "":
		st, err := os.Stat(f.dir)
		if err != nil || !st.IsDir() {
			fmt.Fprintf(a.stderr, "pushguard scan: --dir %s: not a directory\n", textsafe.Clean(f.dir, 200))
			return exitUsage
		}
		res, runErr = scan.New(nil, sp.pol.Rules, sp.opts).RunFS(ctx, os.DirFS(f.dir), ".", branchOf(f.ref))
		o.Scanned = fmt.Sprintf("%s under %s", plural(res.FilesRead, "file"), textsafe.Clean(f.dir, 200))
		o.Branch = branchOf(f.ref)
		a.noteUnscopedRules(sp, o.Branch, "--dir")
	case f.stdin:
		name := filepath.ToSlash(filepath.Clean(f.stdinName))
		res, runErr = scan.New(nil, sp.pol.Rules, sp.opts).RunFiles(ctx, []scan.PlainFile{scan.ReaderFile(name, a.stdin)}, branchOf(f.ref))
		o.Scanned = "standard input (" + textsafe.Clean(name, 200) + ")"
		o.Branch = branchOf(f.ref)
		a.noteUnscopedRules(sp, o.Branch, "--stdin")
	default:
		var code int
		res, code, runErr = a.scanCommits(ctx, f, sp, &o)
		if code != exitOK {
			return code
		}
	}
	if runErr != nil && res == nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(runErr.Error(), 0))
		return exitInternal
	}
	if f.baselineOut != "" && runErr == nil {
		if err := baseline.WriteFile(f.baselineOut, res.Findings); err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return exitInternal
		}
	}
	res.Findings, _ = known.Filter(res.Findings)
	// Standard input is no file of the work tree: the repository's
	// reviewed exceptions do not cover it.
	if !f.stdin {
		if code := a.applyRepoIgnore(f.repo, f.dir, f.all, res); code != exitOK {
			return code
		}
	}
	vopts := sp.vopts
	vopts.Err = runErr
	v := verdict.Decide(res, vopts)
	code := exitOK
	switch {
	case runErr != nil:
		code = exitInternal
	case v.Enforced > 0:
		code = f.exitCode
	}
	o.ExitCode = code
	min, _ := parseSeverity(f.severity)
	shown, hidden := report.FilterSeverity(v, min)
	o.Hidden = hidden
	if err := a.writeScanReports(f, shown, res.Commits, o); err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return exitInternal
	}
	if runErr != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: the scan did not finish: %s\n", textsafe.Clean(runErr.Error(), 0))
	}
	return code
}

// configError is a --config file that does not load.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// scanCommits scans the commits of --range or --all. A non-zero code ends
// the command (the message is printed).
func (a *app) scanCommits(ctx context.Context, f *scanFlags, sp *scanPolicy, o *report.ScanOptions) (*scan.Result, int, error) {
	rr, rerr := newRevResolver(f.repo)
	dir := gitDir(f.repo)
	if rr != nil {
		o.RepositoryURI = rr.remoteURL()
		dir = rr.gitDir // --repo may be a subdirectory of the work tree
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: dir})
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return nil, exitUsage, nil
	}
	defer store.Close()
	var tips []scan.Tip
	var exclude []plumbing.Hash
	if f.all {
		refs, err := store.Refs()
		if err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return nil, exitInternal, nil
		}
		for _, r := range refs {
			tips = append(tips, scan.Tip{Ref: r.Name, Hash: r.Hash})
		}
	} else {
		if rerr != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(rerr.Error(), 0))
			return nil, exitUsage, nil
		}
		r, err := rr.resolveRange(f.rng, f.ref)
		if err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: --range %s\n", textsafe.Clean(err.Error(), 0))
			return nil, exitUsage, nil
		}
		tips, exclude = r.tips, r.exclude
		o.Revision, o.Branch = r.end.String(), r.branch
		if r.unnamed != "" {
			a.noteUnscopedRules(sp, "", fmt.Sprintf("--range (%s names no branch)", textsafe.Clean(r.unnamed, 60)))
		}
	}
	base, err := defaultBranchTip(store, dir, f.defaultBranch)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return nil, exitUsage, nil
	}
	opts := sp.opts
	// A replay of history is not a push: a branch that merely contains a
	// commit says nothing about who wrote it. Agent-branch evidence applies
	// only to the commits a branch adds to the default branch.
	opts.BranchEvidence = scan.BranchEvidence{Limit: true, Base: base}
	eng := scan.New(store, sp.pol.Rules, opts)
	res, err := eng.Run(ctx, tips, exclude)
	o.Scanned = plural(len(res.Commits), "commit")
	if len(res.Tags) > 0 {
		o.Scanned += ", " + plural(len(res.Tags), "tag")
	}
	return res, exitOK, err
}

// noteUnscopedRules says, on stderr, which rules did not run because the
// scanned content is headed to no named branch: never silently.
func (a *app) noteUnscopedRules(sp *scanPolicy, branch, what string) {
	if branch != "" {
		return
	}
	var ids []string
	for _, r := range sp.pol.Rules.Rules {
		if r.RefScoped() && !r.MatchRef("") {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	shown := ids
	if len(shown) > 5 {
		shown = append(shown[:5:5], "...")
	}
	fmt.Fprintf(a.stderr, "pushguard scan: note: %s: %s limited to some refs did not run (%s); give --ref BRANCH to run them as for that branch\n",
		what, plural(len(ids), "rule"), strings.Join(shown, ", "))
}

// branchOf is --ref as a full ref name, "" when not given.
func branchOf(ref string) string {
	if ref == "" {
		return ""
	}
	return fullRef(ref)
}

// writeScanReports writes the report in --format to stdout, or to
// --report-path with the text report on stdout.
func (a *app) writeScanReports(f *scanFlags, v *verdict.Verdict, commits []scan.CommitInfo, o report.ScanOptions) error {
	render := func(w io.Writer, format string) error {
		switch format {
		case "json":
			return report.JSONWith(w, v, commits, report.JSONOptions{ShowRefs: o.ShowRefs, Redact: o.Redact})
		case "sarif":
			return report.SARIF(w, v, o)
		case "junit":
			return report.JUnit(w, v, commits, o)
		case "agent-trace":
			return writeAgentTrace(w, commits) // agenttrace.go
		}
		return report.ScanText(w, v, commits, o)
	}
	if f.reportPath == "" {
		return render(a.stdout, f.format)
	}
	var buf bytes.Buffer
	if err := render(&buf, f.format); err != nil {
		return err
	}
	if err := writeFileAtomic(f.reportPath, buf.Bytes()); err != nil {
		return fmt.Errorf("--report-path: %w", err)
	}
	return render(a.stdout, "text")
}

// writeFileAtomic writes data to name through a temporary file in the same
// directory, so that a reader never sees half a report.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".pushguard-report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// plural is "1 file", "2 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// gitDir returns the git directory of a work tree, or dir itself when it is
// a bare repository.
func gitDir(dir string) string {
	dotgit := filepath.Join(dir, ".git")
	if st, err := os.Stat(dotgit); err == nil && st.IsDir() {
		return dotgit
	}
	return dir
}

// defaultBranchTip returns the tip of the default branch: name when given
// (a branch name or full ref), else the branch HEAD points at, else main or
// master. It is zero when none exists (then no branch is evidence at all).
func defaultBranchTip(store *gitstore.Store, dir, name string) (plumbing.Hash, error) {
	if name != "" {
		ref := name
		if !strings.HasPrefix(ref, "refs/") {
			ref = "refs/heads/" + ref
		}
		h, err := store.Resolve(ref)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("--default-branch %s: %w", name, err)
		}
		return h, nil
	}
	var candidates []string
	if data, err := os.ReadFile(filepath.Join(dir, "HEAD")); err == nil {
		if ref, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "ref: "); ok && strings.HasPrefix(ref, "refs/heads/") {
			candidates = append(candidates, ref)
		}
	}
	candidates = append(candidates, "refs/heads/main", "refs/heads/master")
	for _, ref := range candidates {
		if h, err := store.Resolve(ref); err == nil {
			return h, nil
		}
	}
	return plumbing.ZeroHash, nil
}
