package gitstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/format/config"
)

const (
	// cacheSize bounds the LRU of decoded commits, trees, tags and small
	// blobs. Measured on 2,000- and 5,000-commit histories: larger caches
	// saved no CPU and cost their size in peak RSS (twice, with the GC's
	// headroom).
	cacheSize = 8 * cache.MiByte
	// deltaCacheSize bounds the delta bases kept by pack offset (git's
	// core.deltaBaseCacheLimit is 96 MiB; the hook must stay well under
	// 150 MB in all, and 8 MiB cost no measurable CPU).
	deltaCacheSize = 8 << 20
	// largeObjectThreshold: packed whole objects above this size are
	// streamed from the pack rather than inflated into memory, so reading
	// the start of a giant blob never inflates the rest.
	largeObjectThreshold = 1 << 20
	// maxAlternateDepth is git's limit on nested objects/info/alternates.
	maxAlternateDepth = 5
	// maxRawSize bounds the commits, trees and tags decoded in memory.
	maxRawSize = 256 << 20
)

// ErrUnsupportedRepository is wrapped by the error Open returns for a
// repository go-git v5 cannot read (SHA-256 object format, reftable refs).
// Callers should fail closed.
var ErrUnsupportedRepository = errors.New("unsupported repository format")

// MissingObjectError reports an object found in none of the object
// directories of the Store. It matches plumbing.ErrObjectNotFound with
// errors.Is.
type MissingObjectError struct {
	Hash plumbing.Hash
}

// Error implements error.
func (e *MissingObjectError) Error() string {
	return "object " + e.Hash.String() + " not found"
}

// Unwrap lets errors.Is(err, plumbing.ErrObjectNotFound) match.
func (e *MissingObjectError) Unwrap() error { return plumbing.ErrObjectNotFound }

// Store reads the objects and refs of one repository, looking objects up
// in the quarantine directory, the alternates and the repository's own
// objects directory. It never writes to the repository.
//
// A Store is safe for concurrent use; calls are serialised (go-git's pack
// readers keep a file position). Close it when done.
type Store struct {
	mu        sync.Mutex
	gitDir    string
	commonDir string
	dirs      []*objectDir
	cache     cache.Object
	deltas    *deltaCache
	// useGraph: commit-graphs may stand in for commit objects in the walk
	// (not in a shallow repository or one with grafts).
	useGraph bool
	// quarantine is the directory Env.ObjectDir names when it is not the
	// repository's own objects directory (quarantine.go); nil otherwise.
	quarantine *objectDir
}

// Open opens the repository described by env for reading.
//
// env.GitDir may be a bare repository, the .git directory of a work tree,
// or a work tree whose .git is a directory or a "gitdir:" file; a linked
// work tree's "commondir" is followed for objects, refs and config.
// Relative paths in env are resolved against the working directory of the
// process, as git does for GIT_DIR, GIT_OBJECT_DIRECTORY and
// GIT_ALTERNATE_OBJECT_DIRECTORIES.
//
// The object directories are, in this order: env.ObjectDir (which must
// exist when set), each env.Alternates entry, and the repository's objects
// directory; each of them followed, depth first as git does, by the entries
// of its own objects/info/alternates file, absolute or relative to the real
// path of the objects directory holding the file (nested at most 5 deep,
// like git). A directory listed twice is used once; one that does not exist
// is skipped, as git skips it. A lookup searches the packs of every
// directory in that order (an in-memory index search), then their loose
// objects; on a miss it lists the pack directories again once, in case a
// concurrent repack replaced them. Quarantine directories are never guessed
// from directory names.
//
// Open returns an error wrapping ErrUnsupportedRepository for a repository
// using the SHA-256 object format or reftable refs, which go-git v5 cannot
// read.
func Open(env Env) (*Store, error) {
	gitDir, err := findGitDir(env.GitDir)
	if err != nil {
		return nil, err
	}
	commonDir := gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		cd := strings.TrimRight(string(b), "\r\n")
		if !filepath.IsAbs(cd) {
			cd = filepath.Join(gitDir, cd)
		}
		commonDir = filepath.Clean(cd)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read commondir: %w", err)
	}
	if err := checkFormat(commonDir); err != nil {
		return nil, err
	}

	s := &Store{
		gitDir:    gitDir,
		commonDir: commonDir,
		cache:     cache.NewObjectLRU(cacheSize),
		deltas:    newDeltaCache(deltaCacheSize),
		useGraph:  graphUsable(gitDir, commonDir),
	}
	seen := make(map[string]bool)
	add := func(dir string) error { return s.addObjectDir(dir, 0, seen) }

	if env.ObjectDir != "" {
		dir, err := filepath.Abs(env.ObjectDir)
		if err != nil {
			return nil, fmt.Errorf("object directory %q: %w", env.ObjectDir, err)
		}
		if !isDir(dir) {
			return nil, fmt.Errorf("object directory %q (GIT_OBJECT_DIRECTORY) is not a directory", dir)
		}
		if err := add(dir); err != nil {
			return nil, err
		}
		if canonicalPath(dir) != canonicalPath(filepath.Join(commonDir, "objects")) {
			s.quarantine = s.dirs[0]
		}
	}
	for _, alt := range env.Alternates {
		dir, err := filepath.Abs(alt)
		if err != nil {
			return nil, fmt.Errorf("alternate object directory %q: %w", alt, err)
		}
		if err := add(dir); err != nil {
			return nil, err
		}
	}
	own := filepath.Join(commonDir, "objects")
	if !isDir(own) && env.ObjectDir == "" {
		return nil, fmt.Errorf("repository %s has no objects directory", commonDir)
	}
	if err := add(own); err != nil {
		return nil, err
	}
	if len(s.dirs) == 0 {
		return nil, fmt.Errorf("repository %s: no object directory found", gitDir)
	}
	return s, nil
}

// addObjectDir appends dir (absolute) unless already present or missing,
// then the entries of its info/alternates, depth first.
func (s *Store) addObjectDir(dir string, depth int, seen map[string]bool) error {
	if !isDir(dir) {
		return nil
	}
	key := canonicalPath(dir)
	if seen[key] {
		return nil
	}
	seen[key] = true
	s.dirs = append(s.dirs, newObjectDir(dir, s.deltas, largeObjectThreshold))

	altFile := filepath.Join(dir, "info", "alternates")
	b, err := os.ReadFile(altFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", altFile, err)
	}
	if depth >= maxAlternateDepth {
		// git: "ignoring alternate object stores, nesting too deep".
		return nil
	}
	entries, err := parseAlternates(string(b), '\n')
	if err != nil {
		return fmt.Errorf("%s: %w", altFile, err)
	}
	// Relative entries are relative to the real path of the objects
	// directory holding the file (git's relative_base).
	base := key
	for _, e := range entries {
		p := e
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		if err := s.addObjectDir(filepath.Clean(p), depth+1, seen); err != nil {
			return err
		}
	}
	return nil
}

// findGitDir resolves the repository directory from GIT_DIR.
func findGitDir(dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("git dir %q: %w", dir, err)
	}
	if isGitDir(abs) {
		return abs, nil
	}
	dotgit := filepath.Join(abs, ".git")
	fi, err := os.Stat(dotgit)
	switch {
	case err == nil && fi.IsDir() && isGitDir(dotgit):
		return dotgit, nil
	case err == nil && fi.Mode().IsRegular():
		b, err := os.ReadFile(dotgit)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", dotgit, err)
		}
		line := strings.TrimRight(string(b), "\r\n")
		target, ok := strings.CutPrefix(line, "gitdir: ")
		if !ok {
			return "", fmt.Errorf("%s: not a gitdir file", dotgit)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(abs, target)
		}
		target = filepath.Clean(target)
		if isGitDir(target) {
			return target, nil
		}
		return "", fmt.Errorf("%s points to %s, which is not a git repository", dotgit, target)
	}
	return "", fmt.Errorf("%s: not a git repository", abs)
}

// isGitDir reports whether dir looks like a repository: a HEAD file and a
// refs directory or a commondir file.
func isGitDir(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if isDir(filepath.Join(dir, "refs")) {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, "commondir"))
	return err == nil
}

// checkFormat rejects repositories go-git v5 cannot read.
func checkFormat(dir string) error {
	path := filepath.Join(dir, "config")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open repository config: %w", err)
	}
	defer f.Close()
	cfg := config.New()
	if err := config.NewDecoder(f).Decode(cfg); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	ext := cfg.Section("extensions")
	if v := ext.Options.Get("objectformat"); v != "" && !strings.EqualFold(v, "sha1") {
		return fmt.Errorf("repository %s uses the %s object format, which go-git v5 cannot read: %w",
			dir, v, ErrUnsupportedRepository)
	}
	if v := ext.Options.Get("refstorage"); v != "" && !strings.EqualFold(v, "files") {
		return fmt.Errorf("repository %s stores refs as %s, which go-git v5 cannot read: %w",
			dir, v, ErrUnsupportedRepository)
	}
	return nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// canonicalPath resolves symlinks so that one directory listed twice under
// different names is used once.
func canonicalPath(path string) string {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		return p
	}
	return filepath.Clean(path)
}

// GitDir returns the absolute path of the repository directory.
func (s *Store) GitDir() string { return s.gitDir }

// ObjectDirs returns the object directories the Store reads, in lookup
// order (for diagnostics and audit logs).
func (s *Store) ObjectDirs() []string {
	out := make([]string, len(s.dirs))
	for i, d := range s.dirs {
		out[i] = d.path
	}
	return out
}

// Close releases the open pack files.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.dirs {
		d.closePacks()
		d.graph.close()
		d.graph, d.graphLoaded = nil, false
	}
	s.cache.Clear()
	return nil
}

// graphHeader returns the walk's facts of commit h from a commit-graph of
// the object directories, when one holds it.
func (s *Store) graphHeader(h plumbing.Hash) (commitHeader, bool) {
	if !s.useGraph {
		return commitHeader{}, false
	}
	for _, d := range s.dirs {
		if g := d.commitGraph(); g != nil {
			if c, ok := g.header(h); ok {
				return c, true
			}
		}
	}
	return commitHeader{}, false
}

// lookup finds h in the object directories: packs first (an in-memory index
// search), then loose files. If neither has it, the pack directories are
// listed again once, in case a concurrent repack replaced them. Exactly one
// of obj and loose is non-nil on success; the caller closes loose.
func (s *Store) lookup(h plumbing.Hash) (obj plumbing.EncodedObject, loose *looseReader, err error) {
	if o, ok := s.cache.Get(h); ok {
		return o, nil, nil
	}
	for attempt := 0; attempt < 2; attempt++ {
		for _, d := range s.dirs {
			o, err := d.findPacked(h)
			if err == nil {
				return o, nil, nil
			}
			if !errors.Is(err, plumbing.ErrObjectNotFound) {
				return nil, nil, err
			}
		}
		for _, d := range s.dirs {
			r, err := d.openLoose(h)
			if err == nil {
				return nil, r, nil
			}
			if !errors.Is(err, plumbing.ErrObjectNotFound) {
				return nil, nil, err
			}
		}
		for _, d := range s.dirs {
			d.reload()
		}
	}
	return nil, nil, &MissingObjectError{Hash: h}
}

// header returns the type and size of h without reading its content when
// it can.
func (s *Store) header(h plumbing.Hash) (plumbing.ObjectType, int64, error) {
	obj, loose, err := s.lookup(h)
	if err != nil {
		return plumbing.InvalidObject, 0, err
	}
	if loose != nil {
		defer loose.Close()
		return loose.typ, loose.size, nil
	}
	return obj.Type(), obj.Size(), nil
}

// rawObj returns the whole content of h as a rawObject kept in the cache
// (replacing the copy go-git's pack reader may have cached), so later reads
// of the same commit or tree neither copy nor decode it again. Its data
// must not be modified.
func (s *Store) rawObj(h plumbing.Hash) (*rawObject, error) {
	obj, loose, err := s.lookup(h)
	if err != nil {
		return nil, err
	}
	if ro, ok := obj.(*rawObject); ok {
		return ro, nil
	}
	if po, ok := obj.(*packedObject); ok && !po.streaming {
		// Built in memory already: keep it without copying (the delta
		// cache may share it; neither side modifies it).
		if po.size > maxRawSize {
			return nil, fmt.Errorf("object %s: %s of %d bytes is too large to decode", h, po.typ, po.size)
		}
		data, _, err := po.bytes()
		if err != nil {
			return nil, fmt.Errorf("read object %s: %w", h, err)
		}
		ro := &rawObject{h: h, t: po.typ, data: data}
		s.cache.Put(ro)
		return ro, nil
	}
	var (
		r    io.Reader
		typ  plumbing.ObjectType
		size int64
	)
	if loose != nil {
		defer loose.Close()
		r, typ, size = loose, loose.typ, loose.size
	} else {
		rc, err := obj.Reader()
		if err != nil {
			return nil, fmt.Errorf("read object %s: %w", h, err)
		}
		defer rc.Close()
		r, typ, size = rc, obj.Type(), obj.Size()
	}
	if size > maxRawSize {
		return nil, fmt.Errorf("object %s: %s of %d bytes is too large to decode", h, typ, size)
	}
	data, err := readExactly(r, size)
	if err != nil {
		return nil, fmt.Errorf("read object %s: %w", h, err)
	}
	ro := &rawObject{h: h, t: typ, data: data}
	s.cache.Put(ro)
	return ro, nil
}

// readExactly reads n bytes into a buffer of exactly that size and checks
// that nothing follows.
func readExactly(r io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("short object content: %w", err)
	}
	var one [1]byte
	if k, _ := r.Read(one[:]); k != 0 {
		return nil, fmt.Errorf("object content longer than its header says")
	}
	return buf, nil
}

// WorkTreeGitDir returns the .git directory of a work tree at dir, or dir
// itself when it has none (a bare repository, or a path git resolves).
func WorkTreeGitDir(dir string) string {
	dotgit := filepath.Join(dir, ".git")
	if st, err := os.Stat(dotgit); err == nil && st.IsDir() {
		return dotgit
	}
	return dir
}
