package scan

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/gitstore"
)

// checkLoose scans a pushed ref that points, directly or through annotated
// tags, at a tree or a blob instead of a commit (`git push origin
// <blob>:refs/tags/x` is legal). That content reaches the server without a
// commit, so it is checked as if a root commit added it: every file of the
// tree, or the blob as one file named after the ref. Only file and line
// rules apply (there is no commit message); findings carry the tree or
// blob id in place of a commit id.
func (e *Engine) checkLoose(ctx context.Context, res *Result, ref string, h plumbing.Hash, typ plumbing.ObjectType) error {
	var changes []fileChange
	switch typ {
	case plumbing.TreeObject:
		chs, err := e.store.Changes(plumbing.ZeroHash, h)
		if err != nil {
			return fmt.Errorf("list tree %s pushed as %s: %w", h, ref, err)
		}
		for _, ch := range chs {
			changes = append(changes, fileChange{Change: ch, parentBlobs: []plumbing.Hash{plumbing.ZeroHash}})
		}
	case plumbing.BlobObject:
		changes = []fileChange{{
			Change:      gitstore.Change{Status: gitstore.Added, Path: ref, NewHash: h, NewMode: filemode.Regular},
			parentBlobs: []plumbing.Hash{plumbing.ZeroHash},
		}}
	default:
		return nil
	}
	// The rules as for content outside git (no commit), on ref.
	sel, ruleRef := e.plainRules(ref)
	if len(sel.active) == 0 {
		return nil
	}
	c := &gitstore.Commit{Hash: h}
	for _, ch := range changes {
		if err := done(ctx); err != nil {
			return err
		}
		if err := e.checkFile(ctx, res, c, ch, sel, ruleRef); err != nil {
			return fmt.Errorf("%s pushed as %s: %w", typ, ref, err)
		}
	}
	return nil
}
