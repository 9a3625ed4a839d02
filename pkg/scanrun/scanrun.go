// Package scanrun is one `pushguard scan` run, as pkg/hook is one hook
// run: it loads the rules (of the command line, or of a server
// configuration), scans a repository's commits (--range, --all), a
// directory (--dir) or standard input (--stdin) with the hook's engine,
// applies the baseline and the repository's reviewed exceptions, decides
// the verdict and writes the report. cmd/pushguard only parses and checks
// the command line and calls Run.
package scanrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/atomicfile"
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

// Exit codes of Run besides Options.ExitCode (blocking findings).
const (
	// ExitOK: no blocking finding.
	ExitOK = 0
	// ExitUsage: a usage or configuration error (the message is printed).
	ExitUsage = 2
	// ExitInternal: the scan or the report failed.
	ExitInternal = 3
)

// Options are one checked `pushguard scan` command line. Exactly one of
// Range, All, Dir and Stdin selects what is scanned; the caller has
// validated the values (formats, ref names, exit code range).
type Options struct {
	// Repo is the repository scanned by Range and All (work tree, a
	// directory inside one, or bare); its work tree's ignore file applies.
	Repo string
	// Range is any revision or range git rev-parse understands.
	Range string
	// All scans every commit reachable from any ref.
	All bool
	// Dir scans the files under this directory, outside git.
	Dir string
	// Stdin scans Input as one file named StdinName.
	Stdin     bool
	StdinName string
	Input     io.Reader
	// Ref is the branch the content is headed to ("" when not given).
	Ref string
	// DefaultBranch is the branch whose commits get no agent-branch
	// evidence ("" picks HEAD's branch, else main or master).
	DefaultBranch string

	// Format is text, json, sarif, junit or agent-trace.
	Format string
	// MinSeverity is the least severity shown and counted.
	MinSeverity ruleset.Severity
	// ReportPath, when set, receives the Format report; stdout then gets
	// the text report.
	ReportPath string
	// Redact is report.ScanOptions.Redact (report.KeepRuleRedaction: the
	// rules' own).
	Redact int
	// ShowRefs lists, in JSON, the refs that reach each commit.
	ShowRefs bool
	// MaxLocations is the number of locations listed per rule in text (0:
	// all).
	MaxLocations int
	// ExitCode is Run's result when blocking findings exist.
	ExitCode int

	// ConfigPath is a server configuration whose rule sources, scopes,
	// modes and suppression settings apply; RepoName and Pusher select its
	// scopes.
	ConfigPath, RepoName, Pusher string
	// RulePaths are rule files or directories added to the defaults (or
	// to the configuration's sources); NoDefaultRules drops the embedded
	// rules.
	RulePaths      []string
	NoDefaultRules bool
	// MaxFileSize is the size above which files skip content rules;
	// with ConfigPath it overrides the configuration only when
	// MaxFileSizeSet.
	MaxFileSize    int64
	MaxFileSizeSet bool

	// BaselineIn drops the findings a baseline file knows; BaselineOut
	// records this scan's findings (commits only).
	BaselineIn, BaselineOut string

	// Version is pushguard's version, written into the reports.
	Version string
	// RevParse runs `git rev-parse ARGS...` in dir, for the revisions
	// go-git does not resolve (@{u}, reflog entries); nil when git is not
	// available. It is only ever given the user's own --range text.
	RevParse func(dir string, args ...string) (string, error)
}

// scanPolicy is what a scan enforces: the rules and how the configuration
// (if any) decides.
type scanPolicy struct {
	pol   *policy.Policy
	opts  scan.Options
	vopts verdict.Options
}

// runner is one run: its options and where it writes.
type runner struct {
	o              Options
	stdout, stderr io.Writer
}

// Run runs one scan and returns the process exit code: ExitOK, o.ExitCode
// (blocking findings), ExitUsage or ExitInternal. The report goes to
// stdout (or o.ReportPath), notes and errors to stderr.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) int {
	r := &runner{o: o, stdout: stdout, stderr: stderr}
	return r.run(ctx)
}

// loadScanPolicy loads the rules of the command line, or of the server
// configuration with --config (its sources, scopes, modes, suppression
// settings and file size limit) plus the command line's rule paths.
func (r *runner) loadScanPolicy(ctx context.Context) (*scanPolicy, error) {
	f := &r.o
	if f.ConfigPath == "" {
		pol, err := policy.Load(ctx, policy.CommandLine(f.RulePaths, f.NoDefaultRules), policy.Options{})
		if err != nil {
			return nil, err
		}
		return &scanPolicy{pol: pol, opts: scan.Options{MaxFileSize: f.MaxFileSize, Provenance: pol.AI}}, nil
	}
	cfg, err := config.Load(f.ConfigPath)
	if err != nil {
		return nil, &configError{err}
	}
	sources := cfg.Rules
	if f.NoDefaultRules {
		sources = nil
		for _, s := range cfg.Rules {
			if !s.Embedded {
				sources = append(sources, s)
			}
		}
	}
	srcs := policy.FromConfig(sources, nil)
	for _, p := range f.RulePaths {
		srcs = append(srcs, policy.Path(p))
	}
	pol, err := policy.Load(ctx, srcs, policy.Options{})
	if err != nil {
		return nil, err
	}
	maxFile := cfg.MaxFileSize
	if f.MaxFileSizeSet {
		maxFile = f.MaxFileSize
	}
	sp := &scanPolicy{pol: pol, opts: scan.ConfigOptions(cfg)}
	sp.opts.MaxFileSize, sp.opts.Provenance = maxFile, pol.AI
	sp.vopts = verdict.Options{Mode: verdict.Mode(cfg.Mode), Policy: verdict.ConfigPolicy(cfg, f.RepoName, f.Pusher)}
	return sp, nil
}

// run runs the checked options.
func (r *runner) run(ctx context.Context) int {
	f := &r.o
	sp, err := r.loadScanPolicy(ctx)
	if err != nil {
		var cerr *configError
		if errors.As(err, &cerr) {
			fmt.Fprintf(r.stderr, "pushguard scan: invalid configuration:\n%s\n", policy.Indent(err.Error()))
		} else {
			fmt.Fprintf(r.stderr, "pushguard: invalid rules:\n%s\n", policy.Indent(err.Error()))
		}
		return ExitUsage
	}
	var known *baseline.Baseline
	if f.BaselineIn != "" {
		if known, err = baseline.Load(f.BaselineIn); err != nil {
			fmt.Fprintf(r.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return ExitUsage
		}
	}
	o := report.ScanOptions{
		Redact: f.Redact, ShowRefs: f.ShowRefs, MaxLocations: f.MaxLocations,
		Rules: sp.pol.Rules.Rules, Version: f.Version,
	}
	if f.MaxLocations == 0 {
		o.MaxLocations = -1
	}
	var res *scan.Result
	var runErr error
	switch {
	case f.Dir != "":
		st, err := os.Stat(f.Dir)
		if err != nil || !st.IsDir() {
			fmt.Fprintf(r.stderr, "pushguard scan: --dir %s: not a directory\n", textsafe.Clean(f.Dir, 200))
			return ExitUsage
		}
		res, runErr = scan.New(nil, sp.pol.Rules, sp.opts).RunFS(ctx, os.DirFS(f.Dir), ".", branchOf(f.Ref))
		o.Scanned = fmt.Sprintf("%s under %s", plural(res.FilesRead, "file"), textsafe.Clean(f.Dir, 200))
		o.Branch = branchOf(f.Ref)
		r.noteUnscopedRules(sp, o.Branch, "--dir")
	case f.Stdin:
		name := filepath.ToSlash(filepath.Clean(f.StdinName))
		res, runErr = scan.New(nil, sp.pol.Rules, sp.opts).RunFiles(ctx, []scan.PlainFile{scan.ReaderFile(name, f.Input)}, branchOf(f.Ref))
		o.Scanned = "standard input (" + textsafe.Clean(name, 200) + ")"
		o.Branch = branchOf(f.Ref)
		r.noteUnscopedRules(sp, o.Branch, "--stdin")
	default:
		var code int
		res, code, runErr = r.scanCommits(ctx, sp, &o)
		if code != ExitOK {
			return code
		}
	}
	if runErr != nil && res == nil {
		fmt.Fprintf(r.stderr, "pushguard scan: %s\n", textsafe.Clean(runErr.Error(), 0))
		return ExitInternal
	}
	if f.BaselineOut != "" && runErr == nil {
		if err := baseline.WriteFile(f.BaselineOut, res.Findings); err != nil {
			fmt.Fprintf(r.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return ExitInternal
		}
	}
	res.Findings, _ = known.Filter(res.Findings)
	// Standard input is no file of the work tree: the repository's
	// reviewed exceptions do not cover it.
	if !f.Stdin {
		if code := r.applyRepoIgnore(res); code != ExitOK {
			return code
		}
	}
	vopts := sp.vopts
	vopts.Err = runErr
	v := verdict.Decide(res, vopts)
	code := ExitOK
	switch {
	case runErr != nil:
		code = ExitInternal
	case v.Enforced > 0:
		code = f.ExitCode
	}
	o.ExitCode = code
	shown, hidden := report.FilterSeverity(v, f.MinSeverity)
	o.Hidden = hidden
	if err := r.writeScanReports(shown, res.Commits, o); err != nil {
		fmt.Fprintf(r.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return ExitInternal
	}
	if runErr != nil {
		fmt.Fprintf(r.stderr, "pushguard scan: the scan did not finish: %s\n", textsafe.Clean(runErr.Error(), 0))
	}
	return code
}

// configError is a --config file that does not load.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// scanCommits scans the commits of --range or --all. A non-zero code ends
// the command (the message is printed).
func (r *runner) scanCommits(ctx context.Context, sp *scanPolicy, o *report.ScanOptions) (*scan.Result, int, error) {
	f := &r.o
	rr, rerr := newRevResolver(f.Repo, f.RevParse)
	dir := gitstore.WorkTreeGitDir(f.Repo)
	if rr != nil {
		o.RepositoryURI = rr.remoteURL()
		dir = rr.gitDir // --repo may be a subdirectory of the work tree
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: dir})
	if err != nil {
		fmt.Fprintf(r.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return nil, ExitUsage, nil
	}
	defer store.Close()
	var tips []scan.Tip
	var exclude []plumbing.Hash
	if f.All {
		refs, err := store.Refs()
		if err != nil {
			fmt.Fprintf(r.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return nil, ExitInternal, nil
		}
		for _, ref := range refs {
			tips = append(tips, scan.Tip{Ref: ref.Name, Hash: ref.Hash})
		}
	} else {
		if rerr != nil {
			fmt.Fprintf(r.stderr, "pushguard scan: %s\n", textsafe.Clean(rerr.Error(), 0))
			return nil, ExitUsage, nil
		}
		rng, err := rr.resolveRange(f.Range, f.Ref)
		if err != nil {
			fmt.Fprintf(r.stderr, "pushguard scan: --range %s\n", textsafe.Clean(err.Error(), 0))
			return nil, ExitUsage, nil
		}
		tips, exclude = rng.tips, rng.exclude
		o.Revision, o.Branch = rng.end.String(), rng.branch
		if rng.unnamed != "" {
			r.noteUnscopedRules(sp, "", fmt.Sprintf("--range (%s names no branch)", textsafe.Clean(rng.unnamed, 60)))
		}
	}
	base, err := defaultBranchTip(store, dir, f.DefaultBranch)
	if err != nil {
		fmt.Fprintf(r.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return nil, ExitUsage, nil
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
	return res, ExitOK, err
}

// noteUnscopedRules says, on stderr, which rules did not run because the
// scanned content is headed to no named branch: never silently.
func (r *runner) noteUnscopedRules(sp *scanPolicy, branch, what string) {
	if branch != "" {
		return
	}
	var ids []string
	for _, rule := range sp.pol.Rules.Rules {
		if rule.RefScoped() && !rule.MatchRef("") {
			ids = append(ids, rule.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	shown := ids
	if len(shown) > 5 {
		shown = append(shown[:5:5], "...")
	}
	fmt.Fprintf(r.stderr, "pushguard scan: note: %s: %s limited to some refs did not run (%s); give --ref BRANCH to run them as for that branch\n",
		what, plural(len(ids), "rule"), strings.Join(shown, ", "))
}

// branchOf is --ref as a full ref name, "" when not given.
func branchOf(ref string) string {
	if ref == "" {
		return ""
	}
	return FullRef(ref)
}

// writeScanReports writes the report in --format to stdout, or to
// --report-path with the text report on stdout.
func (r *runner) writeScanReports(v *verdict.Verdict, commits []scan.CommitInfo, o report.ScanOptions) error {
	render := func(w io.Writer, format string) error {
		switch format {
		case "json":
			return report.JSONWith(w, v, commits, report.JSONOptions{ShowRefs: o.ShowRefs, Redact: o.Redact})
		case "sarif":
			return report.SARIF(w, v, o)
		case "junit":
			return report.JUnit(w, v, commits, o)
		case "agent-trace":
			return report.WriteAgentTrace(w, commits, r.o.Version)
		}
		return report.ScanText(w, v, commits, o)
	}
	if r.o.ReportPath == "" {
		return render(r.stdout, r.o.Format)
	}
	var buf bytes.Buffer
	if err := render(&buf, r.o.Format); err != nil {
		return err
	}
	if err := atomicfile.Output(r.o.ReportPath, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--report-path: %w", err)
	}
	return render(r.stdout, "text")
}

// plural is "1 file", "2 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
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
