package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
)

// ErrNoPolicyRef is wrapped by the load error of a policy repository whose
// configured ref does not exist.
var ErrNoPolicyRef = errors.New("the policy ref does not exist")

// Tree is the rule files under dir (slash-separated, relative; "" or "."
// for the whole tree) in the tree of commit, read from store's objects
// through a [gitstore.TreeFS]: no checkout, no network, links and
// submodules never followed, each file bounded by Options.MaxFileBytes.
// Messages name the files label:path, path from the top of the tree. The
// store must stay open until the load is done. The policy's Version is the
// commit id.
func Tree(store *gitstore.Store, commit plumbing.Hash, dir, label string) Source {
	return Source{Name: label, Version: commit.String(), open: func(opt Options) (Source, func() error, error) {
		return treeSource(store, commit, dir, label, opt)
	}}
}

// treeSource opens the tree of commit for a load.
func treeSource(store *gitstore.Store, commit plumbing.Hash, dir, label string, opt Options) (Source, func() error, error) {
	root := "."
	if d := strings.Trim(dir, "/"); d != "" {
		root = path.Clean(d)
	}
	if !fs.ValidPath(root) {
		return Source{}, nil, fmt.Errorf("policy %s: invalid rules directory %q", label, dir)
	}
	tfs, err := store.TreeFS(commit, opt.MaxFileBytes)
	if err != nil {
		return Source{}, nil, fmt.Errorf("policy %s: read commit %s: %w", label, commit, err)
	}
	return Source{Name: label, FS: tfs, Root: root, Version: commit.String()}, nil, nil
}

// repo is a configured policy repository, opened at load time: its ref is
// resolved then, so that a load sees the rules deployed at that moment.
// With skipMissing (the repository being pushed to, whose first push
// creates the ref), a missing ref loads nothing.
func repo(s config.Source, skipMissing bool) Source {
	label := s.Repo + "@" + s.Ref
	return Source{Name: label, open: func(opt Options) (Source, func() error, error) {
		store, err := gitstore.Open(gitstore.Env{GitDir: s.Repo})
		if err != nil {
			return Source{}, nil, fmt.Errorf("policy repository %s: %w", s.Repo, err)
		}
		h, err := store.Resolve(s.Ref)
		if err != nil {
			store.Close()
			if skipMissing {
				return Source{}, nil, errSkip
			}
			return Source{}, nil, fmt.Errorf("policy repository %s: ref %s: %w: %w", s.Repo, s.Ref, ErrNoPolicyRef, err)
		}
		target, typ, _, err := store.Peel(h)
		if err != nil || typ != plumbing.CommitObject {
			store.Close()
			return Source{}, nil, fmt.Errorf("policy repository %s: ref %s does not point at a commit", s.Repo, s.Ref)
		}
		src, _, err := treeSource(store, target, s.Dir, label, opt)
		if err != nil {
			store.Close()
			return Source{}, nil, err
		}
		return src, store.Close, nil
	}}
}

// FromConfig turns the server configuration's rule sources into Sources,
// in order. self is the policy source being pushed to, if any: its ref may
// not exist yet (the first push creates it, and is validated on its own by
// [CheckPush]), and then it loads nothing. Any other missing ref is a load
// error wrapping [ErrNoPolicyRef]: the hook fails closed.
func FromConfig(sources []config.Source, self *config.Source) []Source {
	out := make([]Source, 0, len(sources))
	for _, s := range sources {
		switch {
		case s.Embedded:
			out = append(out, Embedded())
		case s.Repo != "":
			out = append(out, repo(s, self != nil && *self == s))
		default:
			out = append(out, Path(s.Path))
		}
	}
	return out
}

// ValidatePush is what rule files must pass to be deployed: they load (on
// their own, with the embedded AI-tool markers) and every rule's own tests
// pass. The error's first line says which of the two failed; the lines
// after it list every problem, one per line.
func ValidatePush(ctx context.Context, src Source, opt Options) error {
	opt.Eager = true // every check now, and the tests to run
	pol, err := Load(ctx, []Source{src}, opt)
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("the pushed rules could not be checked within the time budget: %w", ctx.Err())
	case err != nil:
		return fmt.Errorf("the pushed rules do not load, so they cannot be deployed:\n%w", err)
	}
	fails := pol.Rules.RunTestsWith(pol.AI)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("the pushed rules could not be checked within the time budget: %w", err)
	}
	if len(fails) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the pushed rules fail %d of their own tests, so they cannot be deployed:", len(fails))
	for _, f := range fails {
		b.WriteString("\n")
		b.WriteString(f.String())
	}
	return errors.New(b.String())
}

// CheckPush validates a push to the policy repository self: the policy ref
// may not be deleted, must point at a commit, and the rules of each commit
// pushed to it must pass [ValidatePush]. Updates of other refs are not
// checked. store reads the pushed objects (quarantine included).
func CheckPush(ctx context.Context, store *gitstore.Store, self config.Source, updates []push.Update, opt Options) error {
	for _, u := range updates {
		if u.Ref != self.Ref {
			continue
		}
		if u.Deleted() {
			return fmt.Errorf("%s is the pushguard policy ref; it cannot be deleted", self.Ref)
		}
		if len(u.New) != 2*len(plumbing.ZeroHash) {
			return fmt.Errorf("policy ref %s: only SHA-1 repositories are supported", self.Ref)
		}
		target, typ, _, err := store.Peel(plumbing.NewHash(u.New))
		if err != nil || typ != plumbing.CommitObject {
			return fmt.Errorf("policy ref %s must point at a commit", self.Ref)
		}
		if err := ValidatePush(ctx, Tree(store, target, self.Dir, self.Ref), opt); err != nil {
			return err
		}
	}
	return nil
}
