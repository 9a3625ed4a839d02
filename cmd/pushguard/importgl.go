package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/gitleaks"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/textsafe"
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
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %v\n", err)
		return exitUsage
	}
	n := *examples
	if n == 0 {
		n = -1 // gitleaks.Options: negative is none
	}
	res, err := gitleaks.Convert(data, gitleaks.Options{Prefix: *prefix, Examples: n})
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %s\n", textsafe.Clean(err.Error(), 0))
		return exitUsage
	}
	a.reportGitleaks(res)
	if *out == "" {
		if _, err := a.stdout.Write(res.YAML); err != nil {
			fmt.Fprintf(a.stderr, "pushguard: %v\n", err)
			return exitInternal
		}
	} else if err := os.WriteFile(*out, res.YAML, 0o644); err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %v\n", err)
		return exitUsage
	}
	if *ignore == "" {
		return exitOK
	}
	return a.gitleaksBaseline(res, *prefix, *ignore, *repo, *baselineOut)
}

// reportGitleaks writes the conversion report.
func (a *app) reportGitleaks(res *gitleaks.Result) {
	conv, not := res.Converted(), res.NotConverted()
	withExamples := 0
	for _, r := range conv {
		if r.Examples > 0 {
			withExamples++
		}
	}
	fmt.Fprintf(a.stderr, "converted %d of %d gitleaks rules (%d with generated match examples)\n", len(conv), len(res.Rules), withExamples)
	for _, r := range not {
		fmt.Fprintf(a.stderr, "  not converted: %s: %s\n", textsafe.Clean(r.ID, 100), textsafe.Clean(r.Reason, 300))
	}
	for _, r := range conv {
		for _, n := range r.Notes {
			fmt.Fprintf(a.stderr, "  note: %s: %s\n", textsafe.Clean(r.ID, 100), textsafe.Clean(n, 300))
		}
		if r.Examples == 0 {
			fmt.Fprintf(a.stderr, "  note: %s: no match example could be generated; add tests by hand\n", textsafe.Clean(r.ID, 100))
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintf(a.stderr, "  note: %s\n", textsafe.Clean(n, 300))
	}
}

// gitleaksBaseline converts a .gitleaksignore file into a baseline.
func (a *app) gitleaksBaseline(res *gitleaks.Result, prefix, ignorePath, repoDir, out string) int {
	f, err := os.Open(ignorePath)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %v\n", err)
		return exitUsage
	}
	entries, problems, err := gitleaks.ParseIgnore(ignorePath, f)
	f.Close()
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %v\n", err)
		return exitUsage
	}
	rules, err := ruleset.Parse("imported.yml", res.YAML)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %v\n", err)
		return exitInternal
	}
	var store *gitstore.Store                      // opened on the first entry with a commit
	trees := map[string]map[string]plumbing.Hash{} // commit → path → blob
	read := func(commit, p string) ([]byte, error) {
		if commit == "" {
			if !filepath.IsLocal(filepath.FromSlash(p)) {
				return nil, fmt.Errorf("%s: not a path inside the repository", p)
			}
			return os.ReadFile(filepath.Join(repoDir, filepath.FromSlash(p)))
		}
		if store == nil {
			s, err := gitstore.Open(gitstore.Env{GitDir: gitDir(repoDir)})
			if err != nil {
				return nil, fmt.Errorf("open repository %s: %w", repoDir, err)
			}
			store = s
		}
		blobs, ok := trees[commit]
		if !ok {
			c, err := store.Commit(plumbing.NewHash(commit))
			if err != nil {
				return nil, fmt.Errorf("commit %s: %w", commit, err)
			}
			files, err := store.Changes(plumbing.ZeroHash, c.Tree)
			if err != nil {
				return nil, fmt.Errorf("list commit %.10s: %w", commit, err)
			}
			blobs = make(map[string]plumbing.Hash, len(files))
			for _, f := range files {
				blobs[f.Path] = f.NewHash
			}
			trees[commit] = blobs
		}
		h, ok := blobs[p]
		if !ok {
			return nil, fmt.Errorf("%s is not in commit %.10s", p, commit)
		}
		data, _, err := store.ReadBlob(h, 64<<20)
		if err != nil {
			return nil, fmt.Errorf("read %s in commit %.10s: %w", p, commit, err)
		}
		return data, nil
	}
	defer func() {
		if store != nil {
			store.Close()
		}
	}()
	findings, more := gitleaks.Findings(entries, ruleset.NewSet(rules), prefix, read)
	problems = append(problems, more...)
	for _, p := range problems {
		fmt.Fprintf(a.stderr, "  baseline: %s\n", textsafe.Clean(p, 300))
	}
	fmt.Fprintf(a.stderr, "baseline: %d of %d fingerprints converted\n", len(baseline.Build(findings).Findings), len(entries))
	if err := baseline.WriteFile(out, findings); err != nil {
		fmt.Fprintf(a.stderr, "pushguard: %v\n", err)
		return exitUsage
	}
	return exitOK
}
