package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// applyRepoIgnore drops the findings the scanned repository's reviewed
// exceptions cover: .pushguard/ignore.yml at the root of the work tree
// (of --repo, or the --dir scanned), picked up automatically and reported
// on stderr. A bare repository has no work tree, hence no ignore file. It
// returns exitOK, or exitUsage when the file is broken (a broken
// exception list must not pass silently).
//
// repo is --repo, dir is --dir ("" unless given), all is --all.
func (a *app) applyRepoIgnore(repo, dir string, all bool, res *scan.Result) int {
	if res == nil {
		return exitOK
	}
	root := repo
	if dir != "" {
		root = dir
	}
	if dir == "" && gitDir(root) == root {
		return exitOK // bare repository
	}
	name := filepath.Join(root, filepath.FromSlash(baseline.IgnoreFile))
	ig, err := baseline.LoadIgnore(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return exitOK
	case err != nil:
		fmt.Fprintf(a.stderr, "pushguard scan: invalid ignore file:\n%s\n", indent(err.Error()))
		return exitUsage
	}
	var n int
	res.Findings, n = ig.Filter(res.Findings)
	fmt.Fprintf(a.stderr, "pushguard scan: %d finding(s) ignored by %s (%d reviewed exception(s))\n", n, textsafe.Clean(baseline.IgnoreFile, 0), len(ig.Entries))
	if all {
		for _, e := range ig.Entries {
			if e.Used == 0 {
				fmt.Fprintf(a.stderr, "pushguard scan: %s:%d: this exception ignored nothing in the whole history; remove it\n", textsafe.Clean(name, 0), e.Line)
			}
		}
	}
	return exitOK
}
