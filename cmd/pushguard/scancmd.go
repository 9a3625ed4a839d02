package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// scan implements "pushguard scan": the hook's engine over an ordinary
// repository, for CI, pre-push use and replaying history before enforcing.
func (a *app) scan(args []string) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	repo := fs.String("repo", ".", "repository to scan (work tree or bare)")
	rng := fs.String("range", "", "commits to scan, A..B (those reachable from B and not from A)")
	all := fs.Bool("all", false, "scan every commit reachable from any ref")
	defaultBranch := fs.String("default-branch", "", "branch whose commits get no agent-branch evidence (default: the branch HEAD names, else main or master)")
	format := fs.String("format", "text", "output format: text, json or agent-trace (one Agent Trace record per AI-marked commit, JSON lines)")
	maxFile := fs.Int64("max-file-size", scan.DefaultMaxFileSize, "files larger than this many bytes skip content rules")
	var rulePaths stringList
	fs.Var(&rulePaths, "rules", "rule file or directory, added to the embedded defaults (repeatable)")
	noDefaults := fs.Bool("no-default-rules", false, "do not load the embedded default rules")
	baselineIn := fs.String("baseline", "", "baseline file: drop the findings it knows (see --baseline-out)")
	baselineOut := fs.String("baseline-out", "", "write the findings of this scan to a baseline file (JSON)")
	prof := addProfileFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	stopProfiles, err := prof.start()
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", err)
		return exitUsage
	}
	defer func() {
		if err := stopProfiles(); err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", err)
		}
	}()
	if (*rng == "") == !*all || fs.NArg() > 0 {
		fmt.Fprintln(a.stderr, "pushguard scan: give exactly one of --range A..B or --all")
		return exitUsage
	}
	if *format != "text" && *format != "json" && *format != "agent-trace" {
		fmt.Fprintf(a.stderr, "pushguard scan: unknown --format %q (text, json, agent-trace)\n", *format)
		return exitUsage
	}
	pol, err := loadRules(rulePaths, *noDefaults)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: invalid rules:\n%s\n", indent(err.Error()))
		return exitUsage
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: gitDir(*repo)})
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return exitUsage
	}
	var tips []scan.Tip
	var exclude []plumbing.Hash
	if *all {
		refs, err := store.Refs()
		if err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return exitInternal
		}
		for _, r := range refs {
			tips = append(tips, scan.Tip{Ref: r.Name, Hash: r.Hash})
		}
	} else {
		from, to, ok := strings.Cut(*rng, "..")
		if !ok || to == "" {
			fmt.Fprintf(a.stderr, "pushguard scan: --range wants A..B, got %q\n", *rng)
			return exitUsage
		}
		toHash, err := store.Resolve(to)
		if err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return exitUsage
		}
		tips = []scan.Tip{{Ref: to, Hash: toHash}}
		if from != "" {
			fromHash, err := store.Resolve(from)
			if err != nil {
				fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
				return exitUsage
			}
			exclude = []plumbing.Hash{fromHash}
		}
	}
	var known *baseline.Baseline
	if *baselineIn != "" {
		if known, err = baseline.Load(*baselineIn); err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return exitUsage
		}
	}
	base, err := defaultBranchTip(store, gitDir(*repo), *defaultBranch)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return exitUsage
	}
	opts := scan.Options{
		MaxFileSize: *maxFile,
		Provenance:  pol.ai,
		// A replay of history is not a push: a branch that merely contains a
		// commit says nothing about who wrote it. Agent-branch evidence
		// applies only to the commits a branch adds to the default branch.
		BranchEvidence: scan.BranchEvidence{Limit: true, Base: base},
	}
	res, err := scan.New(store, pol.rules, opts).Run(context.Background(), tips, exclude)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
		return exitInternal
	}
	if *baselineOut != "" {
		if err := baseline.WriteFile(*baselineOut, res.Findings); err != nil {
			fmt.Fprintf(a.stderr, "pushguard scan: %s\n", textsafe.Clean(err.Error(), 0))
			return exitInternal
		}
	}
	res.Findings, _ = known.Filter(res.Findings)
	v := verdict.Decide(res, verdict.Options{})
	switch *format {
	case "json":
		err = report.JSON(a.stdout, v, res.Commits)
	case "agent-trace":
		err = writeAgentTrace(a.stdout, res.Commits)
	default:
		if v.Decision == verdict.Accept {
			fmt.Fprintf(a.stdout, "pushguard: no findings in %d commits\n", len(res.Commits))
		}
		err = report.Text(a.stdout, v, report.TextOptions{MaxFindings: 1 << 30, Scan: true})
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard scan: %s\n", err)
		return exitInternal
	}
	if v.Blocking() > 0 {
		return exitRejected
	}
	return exitOK
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
