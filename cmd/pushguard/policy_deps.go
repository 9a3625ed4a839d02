package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// maxPolicyNamedFile bounds a file a policy rule file names (a dependency
// allowlist).
const maxPolicyNamedFile = 1 << 20

// treeReader reads the files a policy rule file at rulePath names, from the
// same tree (files): relative paths only, within the tree, regular files
// only (no symlinks, no submodules), at most 1 MiB. Nothing is read from
// disk.
func treeReader(store *gitstore.Store, files []gitstore.Change, rulePath, label string) ruleset.ReadFunc {
	return func(name string) ([]byte, string, error) {
		p := path.Join(path.Dir(rulePath), name)
		shown := label + ":" + p
		if path.IsAbs(name) || !fs.ValidPath(p) {
			return nil, shown, errors.New("must be a path relative to the rule file, within the policy repository")
		}
		for _, f := range files {
			if f.Path != p {
				continue
			}
			if f.NewMode == filemode.Symlink || f.NewMode == filemode.Submodule {
				return nil, shown, errors.New("not a regular file")
			}
			data, truncated, err := store.ReadBlob(f.NewHash, maxPolicyNamedFile)
			if err != nil {
				return nil, shown, fmt.Errorf("read: %w", err)
			}
			if truncated {
				return nil, shown, fmt.Errorf("larger than %d bytes", maxPolicyNamedFile)
			}
			return data, shown, nil
		}
		return nil, shown, fs.ErrNotExist
	}
}
