package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// ErrFileTooLarge is wrapped by the error a TreeFS returns for a file larger
// than its bound.
var ErrFileTooLarge = errors.New("file too large")

// ErrNotRegular is wrapped by the error a TreeFS returns when asked to open
// a symbolic link or a submodule: their content is not followed.
var ErrNotRegular = errors.New("not a regular file (symbolic links and submodules are not followed)")

const (
	modeRegular = 0o100000
	modeSymlink = 0o120000
)

// TreeFS is a read-only fs.FS over a tree of the repository, read straight
// from the object store: no checkout, nothing written to disk. Paths are
// slash-separated and relative to the tree ("." is the tree itself); use
// fs.Sub for a subdirectory.
//
// Regular files (modes 100644 and 100755) open as files of at most the
// bound given to [Store.TreeFS]; a larger one is an error wrapping
// [ErrFileTooLarge], and is never read whole into memory. Symbolic links
// and submodule entries are listed by ReadDir and described by Stat (mode
// fs.ModeSymlink, fs.ModeIrregular) but never followed: opening one is an
// error wrapping [ErrNotRegular]. Stat does not follow links either, so a
// loader that accepts only regular files can tell them apart.
//
// TreeFS implements fs.FS, fs.StatFS, fs.ReadDirFS and fs.ReadFileFS. It
// is safe for concurrent use as long as the Store is open.
type TreeFS struct {
	s       *Store
	root    plumbing.Hash
	maxFile int64
}

// TreeFS returns the tree of commit h (or tree h itself) as a [TreeFS]
// whose files may be at most maxFile bytes (maxFile > 0).
func (s *Store) TreeFS(h plumbing.Hash, maxFile int64) (*TreeFS, error) {
	if maxFile <= 0 {
		return nil, fmt.Errorf("tree fs: the file size bound must be positive, got %d", maxFile)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _, err := s.header(h)
	if err != nil {
		return nil, err
	}
	switch t {
	case plumbing.TreeObject:
	case plumbing.CommitObject:
		c, err := s.commit(h)
		if err != nil {
			return nil, err
		}
		h = c.Tree
	default:
		return nil, fmt.Errorf("object %s is a %s, not a commit or tree", h, t)
	}
	return &TreeFS{s: s, root: h, maxFile: maxFile}, nil
}

// entry is what a path names in the tree.
type entry struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
}

func (e entry) isDir() bool { return isTreeMode(e.mode) }

// lookup finds the entry at name, which must be a valid fs path.
func (f *TreeFS) lookup(op, name string) (entry, error) {
	if !fs.ValidPath(name) {
		return entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	e := entry{name: ".", mode: filemode.Dir, hash: f.root}
	if name == "." {
		return e, nil
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	for part := range strings.SplitSeq(name, "/") {
		if !e.isDir() {
			return entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		t, err := f.s.tree(e.hash)
		if err != nil {
			return entry{}, &fs.PathError{Op: op, Path: name, Err: err}
		}
		found := false
		for i := range t.entries {
			if string(t.name(i)) == part {
				e = entry{name: part, mode: t.entries[i].mode, hash: t.entries[i].hash}
				found = true
				break
			}
		}
		if !found {
			return entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
	}
	return e, nil
}

// info describes e; for a file it reads the blob's size from its header.
func (f *TreeFS) info(e entry) (*treeInfo, error) {
	fi := &treeInfo{name: e.name, mode: fsMode(e.mode)}
	if m := e.mode & modeTypeMask; m == modeRegular || m == modeSymlink {
		size, err := f.s.BlobSize(e.hash)
		if err != nil {
			return nil, err
		}
		fi.size = size
	}
	return fi, nil
}

// fsMode maps a git entry mode to an fs.FileMode.
func fsMode(m filemode.FileMode) fs.FileMode {
	switch m & modeTypeMask {
	case modeTree:
		return fs.ModeDir | 0o555
	case modeRegular:
		if m&0o111 != 0 {
			return 0o555
		}
		return 0o444
	case modeSymlink:
		return fs.ModeSymlink | 0o777
	default: // gitlink, or a mode git does not write
		return fs.ModeIrregular
	}
}

// Stat describes the entry at name without following a symbolic link.
func (f *TreeFS) Stat(name string) (fs.FileInfo, error) {
	e, err := f.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	fi, err := f.info(e)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return fi, nil
}

// ReadFile returns the content of the regular file at name.
func (f *TreeFS) ReadFile(name string) ([]byte, error) {
	e, err := f.lookup("read", name)
	if err != nil {
		return nil, err
	}
	return f.read("read", name, e)
}

// read reads the blob of regular file e, within the bound.
func (f *TreeFS) read(op, name string, e entry) ([]byte, error) {
	switch {
	case e.isDir():
		return nil, &fs.PathError{Op: op, Path: name, Err: errors.New("is a directory")}
	case e.mode&modeTypeMask != modeRegular:
		return nil, &fs.PathError{Op: op, Path: name, Err: ErrNotRegular}
	}
	data, truncated, err := f.s.ReadBlob(e.hash, f.maxFile)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	if truncated {
		return nil, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%w: larger than %d bytes", ErrFileTooLarge, f.maxFile)}
	}
	return data, nil
}

// ReadDir lists the directory at name, sorted by name.
func (f *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := f.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !e.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	f.s.mu.Lock()
	t, err := f.s.tree(e.hash)
	var entries []entry
	if err == nil {
		entries = make([]entry, len(t.entries))
		for i := range t.entries {
			entries[i] = entry{name: string(t.name(i)), mode: t.entries[i].mode, hash: t.entries[i].hash}
		}
	}
	f.s.mu.Unlock()
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(entries))
	for _, c := range entries {
		if c.name == "." || !fs.ValidPath(c.name) || strings.Contains(c.name, "/") {
			continue // a malformed tree: an entry no path can name
		}
		out = append(out, &treeDirEntry{f: f, e: c})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Open opens the regular file or directory at name.
func (f *TreeFS) Open(name string) (fs.File, error) {
	e, err := f.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if e.isDir() {
		fi, _ := f.info(e)
		return &treeDir{f: f, path: name, info: fi}, nil
	}
	data, err := f.read("open", name, e)
	if err != nil {
		return nil, err
	}
	fi := &treeInfo{name: e.name, mode: fsMode(e.mode), size: int64(len(data))}
	return &treeFile{Reader: bytes.NewReader(data), info: fi}, nil
}

// treeInfo is the fs.FileInfo of a tree entry.
type treeInfo struct {
	name string
	mode fs.FileMode
	size int64
}

func (i *treeInfo) Name() string       { return i.name }
func (i *treeInfo) Size() int64        { return i.size }
func (i *treeInfo) Mode() fs.FileMode  { return i.mode }
func (i *treeInfo) ModTime() time.Time { return time.Time{} }
func (i *treeInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *treeInfo) Sys() any           { return nil }

// treeDirEntry is one entry of a ReadDir listing.
type treeDirEntry struct {
	f *TreeFS
	e entry
}

func (d *treeDirEntry) Name() string      { return d.e.name }
func (d *treeDirEntry) IsDir() bool       { return d.e.isDir() }
func (d *treeDirEntry) Type() fs.FileMode { return fsMode(d.e.mode).Type() }
func (d *treeDirEntry) Info() (fs.FileInfo, error) {
	return d.f.info(d.e)
}

// treeFile is an open regular file.
type treeFile struct {
	*bytes.Reader
	info *treeInfo
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *treeFile) Close() error               { return nil }

// treeDir is an open directory.
type treeDir struct {
	f       *TreeFS
	path    string
	info    *treeInfo
	entries []fs.DirEntry
	listed  bool
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Close() error               { return nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: errors.New("is a directory")}
}

// ReadDir implements fs.ReadDirFile.
func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.listed {
		entries, err := d.f.ReadDir(d.path)
		if err != nil {
			return nil, err
		}
		d.entries, d.listed = entries, true
	}
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, nil
}
