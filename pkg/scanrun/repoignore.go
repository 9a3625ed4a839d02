package scanrun

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/policy"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// applyRepoIgnore drops the findings the scanned repository's reviewed
// exceptions cover: .pushguard/ignore.yml at the root of the work tree
// (of --repo, or the --dir scanned), picked up automatically and reported
// on stderr. A bare repository has no work tree, hence no ignore file. It
// returns ExitOK, or ExitUsage when the file is broken (a broken
// exception list must not pass silently).
func (r *runner) applyRepoIgnore(res *scan.Result) int {
	if res == nil {
		return ExitOK
	}
	root := r.o.Repo
	if r.o.Dir != "" {
		root = r.o.Dir
	}
	if r.o.Dir == "" && gitstore.WorkTreeGitDir(root) == root {
		return ExitOK // bare repository
	}
	name := filepath.Join(root, filepath.FromSlash(baseline.IgnoreFile))
	ig, err := baseline.LoadIgnore(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ExitOK
	case err != nil:
		fmt.Fprintf(r.stderr, "pushguard scan: invalid ignore file:\n%s\n", policy.Indent(err.Error()))
		return ExitUsage
	}
	var n int
	res.Findings, n = ig.Filter(res.Findings)
	fmt.Fprintf(r.stderr, "pushguard scan: %d finding(s) ignored by %s (%d reviewed exception(s))\n", n, textsafe.Clean(baseline.IgnoreFile, 0), len(ig.Entries))
	if r.o.All {
		for _, e := range ig.Entries {
			if e.Used == 0 {
				fmt.Fprintf(r.stderr, "pushguard scan: %s:%d: this exception ignored nothing in the whole history; remove it\n", textsafe.Clean(name, 0), e.Line)
			}
		}
	}
	return ExitOK
}
