package gitleaks

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// ImportOptions are the inputs of "pushguard rules import-gitleaks".
type ImportOptions struct {
	// ConfigPath is the gitleaks.toml to convert.
	ConfigPath string
	// Out is the rule file to write; empty: Stdout.
	Out string
	// Prefix goes before every rule id.
	Prefix string
	// Examples is how many match examples to generate per rule (0: none).
	Examples int
	// Ignore is a .gitleaksignore file whose fingerprints become a
	// baseline written to BaselineOut (both set or both empty).
	Ignore, BaselineOut string
	// Repo is the repository (work tree or bare) the fingerprints of
	// Ignore refer to.
	Repo string
	// Stdout receives the rules when Out is empty; Report the conversion
	// report.
	Stdout, Report io.Writer
}

// ImportError is why Import failed. Its message is ready to show (after
// "pushguard: "); Internal tells an internal error from a usage or input
// error.
type ImportError struct {
	// Internal is true for an internal error (exit 3), false for a usage
	// or input error (exit 2).
	Internal bool
	msg      string
	err      error
}

// Error returns the message.
func (e *ImportError) Error() string { return e.msg }

// Unwrap returns the cause.
func (e *ImportError) Unwrap() error { return e.err }

func importErr(internal bool, err error) error {
	return &ImportError{Internal: internal, msg: err.Error(), err: err}
}

// Import converts a gitleaks configuration into a pushguard rule file
// and reports what was converted, approximated and left out on
// o.Report; with o.Ignore, it also converts a .gitleaksignore file into
// a baseline. Errors are *ImportError.
func Import(o ImportOptions) error {
	if (o.Ignore != "") != (o.BaselineOut != "") {
		return &ImportError{msg: "--ignore and --baseline-out go together"}
	}
	data, err := os.ReadFile(o.ConfigPath)
	if err != nil {
		return importErr(false, err)
	}
	n := o.Examples
	if n == 0 {
		n = -1 // Options: negative is none
	}
	res, err := Convert(data, Options{Prefix: o.Prefix, Examples: n})
	if err != nil {
		return &ImportError{msg: textsafe.Clean(err.Error(), 0), err: err}
	}
	writeReport(o.Report, res)
	if o.Out == "" {
		if _, err := o.Stdout.Write(res.YAML); err != nil {
			return importErr(true, err)
		}
	} else if err := os.WriteFile(o.Out, res.YAML, 0o644); err != nil {
		return importErr(false, err)
	}
	if o.Ignore == "" {
		return nil
	}
	return importBaseline(o.Report, res, o.Prefix, o.Ignore, o.Repo, o.BaselineOut)
}

// writeReport writes the conversion report.
func writeReport(w io.Writer, res *Result) {
	conv, not := res.Converted(), res.NotConverted()
	withExamples := 0
	for _, r := range conv {
		if r.Examples > 0 {
			withExamples++
		}
	}
	fmt.Fprintf(w, "converted %d of %d gitleaks rules (%d with generated match examples)\n", len(conv), len(res.Rules), withExamples)
	for _, r := range not {
		fmt.Fprintf(w, "  not converted: %s: %s\n", textsafe.Clean(r.ID, 100), textsafe.Clean(r.Reason, 300))
	}
	for _, r := range conv {
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  note: %s: %s\n", textsafe.Clean(r.ID, 100), textsafe.Clean(n, 300))
		}
		if r.Examples == 0 {
			fmt.Fprintf(w, "  note: %s: no match example could be generated; add tests by hand\n", textsafe.Clean(r.ID, 100))
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "  note: %s\n", textsafe.Clean(n, 300))
	}
}

// importBaseline converts a .gitleaksignore file into a baseline.
func importBaseline(w io.Writer, res *Result, prefix, ignorePath, repoDir, out string) error {
	f, err := os.Open(ignorePath)
	if err != nil {
		return importErr(false, err)
	}
	entries, problems, err := ParseIgnore(ignorePath, f)
	f.Close()
	if err != nil {
		return importErr(false, err)
	}
	rules, err := ruleset.Parse("imported.yml", res.YAML)
	if err != nil {
		return importErr(true, err)
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
			s, err := gitstore.Open(gitstore.Env{GitDir: gitstore.WorkTreeGitDir(repoDir)})
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
	findings, more := Findings(entries, ruleset.NewSet(rules), prefix, read)
	problems = append(problems, more...)
	for _, p := range problems {
		fmt.Fprintf(w, "  baseline: %s\n", textsafe.Clean(p, 300))
	}
	fmt.Fprintf(w, "baseline: %d of %d fingerprints converted\n", len(baseline.Build(findings).Findings), len(entries))
	if err := baseline.WriteFile(out, findings); err != nil {
		return importErr(false, err)
	}
	return nil
}
