package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// A --range is any revision or range `git rev-parse` understands: one
// revision (everything reachable from it), A..B (reachable from B, not
// from A), A...B (reachable from either, not from their merge bases); an
// empty side is HEAD. Each revision is resolved with go-git (names, short
// ids, ~N, ^N, ^{/text}); what go-git cannot resolve (@{u}, @{push},
// reflog entries, ^{tree}...) is asked of git itself, with the user's own
// text after --end-of-options, never with anything read from the
// repository.

// scanRange is what a --range selects.
type scanRange struct {
	tips    []scan.Tip
	exclude []plumbing.Hash
	// end is the commit the range ends at (B), branch the ref the commits
	// are headed to ("" when the range names none and --ref is not given).
	end    plumbing.Hash
	branch string
	// unnamed is the revision that named no branch, for the note.
	unnamed string
}

// revResolver resolves revisions in one repository.
type revResolver struct {
	dir  string
	repo *git.Repository
	// gitRevParse runs `git rev-parse ARGS...` in dir (nil: not available).
	gitRevParse func(args ...string) (string, error)
}

func newRevResolver(dir string) (*revResolver, error) {
	// A bare repository or a work tree's root first; then the work tree
	// that dir is inside of.
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		repo, err = git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	return &revResolver{dir: dir, repo: repo, gitRevParse: func(args ...string) (string, error) { return runRevParse(dir, args) }}, nil
}

// resolveRange parses spec and resolves its revisions; ref (--ref) names
// the branch the commits are headed to, else the range's end does when it
// is a branch.
func (rr *revResolver) resolveRange(spec, ref string) (*scanRange, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("--range is empty")
	}
	var from, to string
	symmetric := false
	if a, b, ok := strings.Cut(spec, "..."); ok {
		from, to, symmetric = a, b, true
	} else if a, b, ok := strings.Cut(spec, ".."); ok {
		from, to = a, b
	} else {
		to = spec
	}
	if from == "" && (symmetric || strings.Contains(spec, "..")) {
		from = "HEAD"
	}
	if to == "" {
		to = "HEAD"
	}
	out := &scanRange{}
	toHash, toRef, err := rr.resolve(to)
	if err != nil {
		return nil, err
	}
	out.end = toHash
	out.branch = headedTo(toRef)
	if ref != "" {
		out.branch = fullRef(ref)
	}
	if out.branch == "" {
		out.unnamed = to
	}
	out.tips = []scan.Tip{{Ref: out.branch, Hash: toHash}}
	if from == "" {
		return out, nil
	}
	fromHash, fromRef, err := rr.resolve(from)
	if err != nil {
		return nil, err
	}
	if !symmetric {
		out.exclude = []plumbing.Hash{fromHash}
		return out, nil
	}
	// A...B: both sides, without what they share.
	fromBranch := headedTo(fromRef)
	if ref != "" {
		fromBranch = out.branch
	}
	out.tips = append(out.tips, scan.Tip{Ref: fromBranch, Hash: fromHash})
	a, err := rr.repo.CommitObject(fromHash)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", textsafe.Clean(from, 100), err)
	}
	b, err := rr.repo.CommitObject(toHash)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", textsafe.Clean(to, 100), err)
	}
	bases, err := a.MergeBase(b)
	if err != nil {
		return nil, fmt.Errorf("merge base of %s: %w", textsafe.Clean(spec, 100), err)
	}
	for _, c := range bases {
		out.exclude = append(out.exclude, c.Hash)
	}
	return out, nil
}

// resolve returns the commit rev names and, when rev is a ref name (or
// HEAD, followed to its branch), the full ref name.
func (rr *revResolver) resolve(rev string) (plumbing.Hash, string, error) {
	if rev == "@" {
		rev = "HEAD"
	}
	if base, ok := goGitSyntax(rev); ok {
		h, err := rr.repo.ResolveRevision(plumbing.Revision(rev))
		if err == nil {
			name := ""
			if base == rev {
				name = rr.refName(rev)
			}
			return *h, name, nil
		}
		if !errors.Is(err, plumbing.ErrReferenceNotFound) && !errors.Is(err, plumbing.ErrObjectNotFound) {
			return plumbing.ZeroHash, "", fmt.Errorf("resolve %q: %w", textsafe.Clean(rev, 100), err)
		}
	}
	// What go-git cannot resolve (or did not find): ask git, which knows
	// every syntax. The revision is the user's own argument.
	if !gitAvailable() {
		return plumbing.ZeroHash, "", fmt.Errorf("unknown revision %q (and git is not installed to resolve it)", textsafe.Clean(rev, 100))
	}
	out, err := rr.gitRevParse("--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil || len(out) != 40 {
		return plumbing.ZeroHash, "", fmt.Errorf("unknown revision %q: not a commit in %s", textsafe.Clean(rev, 100), textsafe.Clean(rr.dir, 200))
	}
	name, _ := rr.gitRevParse("--verify", "--quiet", "--symbolic-full-name", "--end-of-options", rev)
	if !strings.HasPrefix(name, "refs/") {
		name = ""
	}
	return plumbing.NewHash(out), name, nil
}

// goGitSuffix is the syntax go-git's ResolveRevision implements after a
// name or id: ~N, ^N, ^{/text}.
var goGitSuffix = regexp.MustCompile(`^(?:~[0-9]*|\^[0-9]*|\^\{/[^}]*\})*$`)

// goGitSyntax reports whether go-git's ResolveRevision implements all of
// rev's syntax, and returns its name or id part. go-git ignores what it
// does not implement (main@{u} would silently be main), so anything else
// goes to git.
func goGitSyntax(rev string) (string, bool) {
	i := strings.IndexAny(rev, "~^")
	if i < 0 {
		i = len(rev)
	}
	base := rev[:i]
	if base == "" || strings.Contains(base, "@{") || strings.ContainsAny(base, ": \t\n") || !goGitSuffix.MatchString(rev[i:]) {
		return "", false
	}
	return base, true
}

// refName returns the full name of the ref a short name means, the way
// git picks it, following HEAD to its branch; "" when name is no ref (a
// commit id).
func (rr *revResolver) refName(name string) string {
	candidates := []string{name, "refs/" + name, "refs/tags/" + name, "refs/heads/" + name, "refs/remotes/" + name, "refs/remotes/" + name + "/HEAD"}
	for _, c := range candidates {
		if c != "HEAD" && !strings.HasPrefix(c, "refs/") {
			continue
		}
		r, err := rr.repo.Reference(plumbing.ReferenceName(c), false)
		if err != nil {
			continue
		}
		for depth := 0; r.Type() == plumbing.SymbolicReference && depth < 5; depth++ {
			next, err := rr.repo.Reference(r.Target(), false)
			if err != nil {
				// An unborn or dangling symbolic ref: its target is still
				// the name.
				return string(r.Target())
			}
			r = next
		}
		if r.Name() == plumbing.HEAD {
			return "" // detached HEAD
		}
		return string(r.Name())
	}
	return ""
}

// headedTo is the branch commits reached through ref are headed to: a
// local branch or tag as is, a remote-tracking branch as the branch of
// that name on the remote (refs/remotes/origin/main → refs/heads/main).
func headedTo(ref string) string {
	if rest, ok := strings.CutPrefix(ref, "refs/remotes/"); ok {
		_, branch, ok := strings.Cut(rest, "/")
		if !ok || branch == "HEAD" {
			return ""
		}
		return "refs/heads/" + branch
	}
	return ref
}

// fullRef is a --ref value as a full ref name: "main" → "refs/heads/main".
func fullRef(name string) string {
	if strings.HasPrefix(name, "refs/") {
		return name
	}
	return "refs/heads/" + name
}

// gitDir is the git directory go-git found (dir itself, its .git, or the
// .git of the work tree dir is inside of); "" when unknown.
func (rr *revResolver) gitDir() string {
	if st, ok := rr.repo.Storer.(*filesystem.Storage); ok {
		return st.Filesystem().Root()
	}
	return ""
}

// remoteURL is the URL of the repository's "origin" remote (else of its
// only remote), for SARIF; "" when there is none.
func (rr *revResolver) remoteURL() string {
	remotes, err := rr.repo.Remotes()
	if err != nil || len(remotes) == 0 {
		return ""
	}
	for _, r := range remotes {
		if r.Config().Name == "origin" && len(r.Config().URLs) > 0 {
			return r.Config().URLs[0]
		}
	}
	if len(remotes) == 1 && len(remotes[0].Config().URLs) > 0 {
		return remotes[0].Config().URLs[0]
	}
	return ""
}
