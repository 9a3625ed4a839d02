package scanrun

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// A --range is any revision or range `git rev-parse` understands: one
// revision (everything reachable from it), A..B (reachable from B, not
// from A), A...B (reachable from either, not from their merge bases); an
// empty side is HEAD. Each revision is resolved over go-git's storage by
// the rules of go-git's Repository.ResolveRevision (names by git's rules,
// full and short ids, ~N, ^N, ^{/text}, annotated tags peeled), without
// linking go-git's top-level package and its transports into the hook's
// binary (4.3 MB and half a millisecond of start-up per hook run); what
// that does not implement (@{u}, @{push}, reflog entries, ^{tree}...) is
// asked of git itself, with the user's own text after --end-of-options,
// never with anything read from the repository.

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

// revResolver resolves revisions in one repository, reading it with
// go-git's storage (objects, refs, config).
type revResolver struct {
	dir    string
	gitDir string
	st     *filesystem.Storage
	// gitRevParse runs `git rev-parse ARGS...` in dir; nil when git is
	// not installed.
	gitRevParse func(args ...string) (string, error)
}

// newRevResolver opens the repository at dir (or around it); revParse
// (Options.RevParse) is how git itself is asked, nil when it cannot be.
func newRevResolver(dir string, revParse func(dir string, args ...string) (string, error)) (*revResolver, error) {
	gd, err := findGitDir(dir)
	if err != nil {
		return nil, err
	}
	var fs billy.Filesystem = osfs.New(gd)
	// A linked work tree or a submodule: refs and objects live in the
	// common directory its "commondir" file names.
	if b, err := os.ReadFile(filepath.Join(gd, "commondir")); err == nil {
		common := strings.TrimSpace(string(b))
		if !filepath.IsAbs(common) {
			common = filepath.Join(gd, common)
		}
		fs = dotgit.NewRepositoryFilesystem(fs, osfs.New(common))
	}
	st := filesystem.NewStorageWithOptions(fs, cache.NewObjectLRUDefault(), filesystem.Options{AlternatesFS: osfs.New("/")})
	rr := &revResolver{dir: dir, gitDir: gd, st: st}
	if revParse != nil {
		rr.gitRevParse = func(args ...string) (string, error) { return revParse(dir, args...) }
	}
	return rr, nil
}

// findGitDir returns the git directory of dir: dir itself when it is one
// (bare), else the .git of dir or of the nearest work tree above it (a
// directory, or a file "gitdir: PATH" as linked work trees and submodules
// have).
func findGitDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("repository %s: %w", dir, err)
	}
	isGitDir := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "HEAD"))
		if err != nil {
			return false
		}
		for _, sub := range []string{"objects", "commondir"} {
			if _, err := os.Stat(filepath.Join(d, sub)); err == nil {
				return true
			}
		}
		return false
	}
	if isGitDir(abs) {
		return abs, nil
	}
	for d := abs; ; d = filepath.Dir(d) {
		g := filepath.Join(d, ".git")
		st, err := os.Stat(g)
		switch {
		case err == nil && st.IsDir() && isGitDir(g):
			return g, nil
		case err == nil && st.Mode().IsRegular():
			b, err := os.ReadFile(g)
			if err != nil {
				return "", fmt.Errorf("read %s: %w", g, err)
			}
			target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
			if !ok {
				return "", fmt.Errorf("%s: not a gitdir file", g)
			}
			target = strings.TrimSpace(target)
			if !filepath.IsAbs(target) {
				target = filepath.Join(d, target)
			}
			if !isGitDir(target) {
				return "", fmt.Errorf("%s points at %s, which is not a git directory", g, target)
			}
			return target, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s: not a git repository (nor inside a work tree)", dir)
		}
	}
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
		out.branch = FullRef(ref)
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
	a, err := object.GetCommit(rr.st, fromHash)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", textsafe.Clean(from, 100), err)
	}
	b, err := object.GetCommit(rr.st, toHash)
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
		h, err := rr.resolveGoGit(base, rev[len(base):])
		if err == nil {
			name := ""
			if base == rev {
				name = rr.refName(rev)
			}
			return h, name, nil
		}
		if !errors.Is(err, plumbing.ErrReferenceNotFound) && !errors.Is(err, plumbing.ErrObjectNotFound) {
			return plumbing.ZeroHash, "", fmt.Errorf("resolve %q: %w", textsafe.Clean(rev, 100), err)
		}
	}
	// What go-git cannot resolve (or did not find): ask git, which knows
	// every syntax. The revision is the user's own argument.
	if rr.gitRevParse == nil {
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
var goGitSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:~[0-9]*|\^[0-9]*|\^\{/[^}]*\})*$`) })

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
	if base == "" || strings.Contains(base, "@{") || strings.ContainsAny(base, ": \t\n") || !goGitSuffix().MatchString(rev[i:]) {
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
		r, err := rr.st.Reference(plumbing.ReferenceName(c))
		if err != nil {
			continue
		}
		for depth := 0; r.Type() == plumbing.SymbolicReference && depth < 5; depth++ {
			next, err := rr.st.Reference(r.Target())
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

// FullRef is a --ref value as a full ref name: "main" → "refs/heads/main".
func FullRef(name string) string {
	if strings.HasPrefix(name, "refs/") {
		return name
	}
	return "refs/heads/" + name
}

// remoteURL is the URL of the repository's "origin" remote (else of its
// only remote), for SARIF; "" when there is none.
func (rr *revResolver) remoteURL() string {
	cfg, err := rr.st.Config()
	if err != nil || len(cfg.Remotes) == 0 {
		return ""
	}
	if r, ok := cfg.Remotes["origin"]; ok && len(r.URLs) > 0 {
		return r.URLs[0]
	}
	if len(cfg.Remotes) == 1 {
		for _, r := range cfg.Remotes {
			if len(r.URLs) > 0 {
				return r.URLs[0]
			}
		}
	}
	return ""
}

// resolveGoGit resolves a name or commit id followed by ~N, ^N and
// ^{/text} (suffix matches goGitSuffix) to a commit, as go-git's
// Repository.ResolveRevision does: an id or id prefix first, then a ref
// by git's rules; annotated tags are peeled.
func (rr *revResolver) resolveGoGit(base, suffix string) (plumbing.Hash, error) {
	var c *object.Commit
	for _, h := range rr.candidates(base) {
		if c = rr.peelCommit(h); c != nil {
			break
		}
	}
	if c == nil {
		return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
	}
	for _, m := range suffixPart().FindAllStringSubmatch(suffix, -1) {
		switch {
		case m[1] != "": // ^{/text}: the newest commit whose message matches
			re, err := regexp.Compile(m[1][3 : len(m[1])-1])
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("%s: %w", m[1], err)
			}
			var found *object.Commit
			err = object.NewCommitPreorderIter(c, nil, nil).ForEach(func(x *object.Commit) error {
				if re.MatchString(x.Message) {
					found = x
					return storer.ErrStop
				}
				return nil
			})
			if err != nil {
				return plumbing.ZeroHash, err
			}
			if found == nil {
				return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
			}
			c = found
		default: // ~N: N first parents; ^N: the Nth parent
			n := 1
			if m[3] != "" {
				n, _ = strconv.Atoi(m[3])
			}
			if m[2] == "~" {
				for i := 0; i < n; i++ {
					if c = rr.parent(c, 1); c == nil {
						return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
					}
				}
			} else if n > 0 {
				if c = rr.parent(c, n); c == nil {
					return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
				}
			}
		}
	}
	return c.Hash, nil
}

// suffixPart is one ~N, ^N or ^{/text} of a revision.
var suffixPart = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\^\{/[^}]*\})|([~^])([0-9]*)`) })

// parent returns the nth (1-based) parent of c, nil when it has none.
func (rr *revResolver) parent(c *object.Commit, n int) *object.Commit {
	if n < 1 || n > len(c.ParentHashes) {
		return nil
	}
	p, err := object.GetCommit(rr.st, c.ParentHashes[n-1])
	if err != nil {
		return nil
	}
	return p
}

// candidates are the objects base may name: a full id, the objects an id
// prefix names, then the ref git's rules find.
func (rr *revResolver) candidates(base string) []plumbing.Hash {
	var out []plumbing.Hash
	if isHexString(base) && len(base) >= 4 && len(base) <= 40 {
		if len(base) == 40 {
			out = append(out, plumbing.NewHash(base))
		} else if prefix, err := hex.DecodeString(base[:len(base)&^1]); err == nil {
			hs, _ := rr.st.HashesWithPrefix(prefix)
			for _, h := range hs {
				if strings.HasPrefix(h.String(), strings.ToLower(base)) {
					out = append(out, h)
				}
			}
		}
	}
	for _, rule := range plumbing.RefRevParseRules {
		if r, err := storer.ResolveReference(rr.st, plumbing.ReferenceName(fmt.Sprintf(rule, base))); err == nil {
			out = append(out, r.Hash())
			break
		}
	}
	return out
}

// peelCommit returns the commit h names, through annotated tags.
func (rr *revResolver) peelCommit(h plumbing.Hash) *object.Commit {
	for i := 0; i < 10; i++ {
		if c, err := object.GetCommit(rr.st, h); err == nil {
			return c
		}
		t, err := object.GetTag(rr.st, h)
		if err != nil || t.TargetType != plumbing.CommitObject && t.TargetType != plumbing.TagObject {
			return nil
		}
		h = t.Target
	}
	return nil
}

func isHexString(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}
