// Package staged turns the staged changes of a work tree (its index) into a
// commit whose parent is HEAD, written to a scratch object directory, so
// that the scan engine checks them exactly as it checks a pushed commit:
// the index's tree against HEAD's, added lines only, the same rules. The
// repository itself is never written to: run the engine on a
// gitstore.Store opened with the scratch directory as its object
// directory (the way pre-receive reads a quarantine).
package staged

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"

	"github.com/pushguard/pushguard/pkg/gitstore"
)

// maxIndexSize bounds the index file read (git's own limit is far above
// any real repository's index).
const maxIndexSize = 1 << 30

// Options say what to write and where.
type Options struct {
	// IndexFile is the index to read: $GIT_INDEX_FILE (git sets it for
	// hooks of `git commit -a` and `git commit PATH`), else GITDIR/index.
	IndexFile string
	// ObjectDir is an existing directory, empty or holding earlier scratch
	// objects, that receives the objects (loose, zlib-compressed).
	ObjectDir string
	// Parent is HEAD's commit, or the zero hash before the first commit.
	Parent plumbing.Hash
	// Author and Committer of the synthetic commit; its message is empty.
	Author, Committer gitstore.Person
	// Exists reports whether the repository already holds an object; such
	// trees are not written again (nil: write every tree).
	Exists func(plumbing.Hash) bool
}

// Error is an index pushguard cannot turn into a commit (unmerged paths,
// a split or sparse index): the caller's situation, not a failure.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Write reads the index and writes its tree and a commit onto Parent into
// ObjectDir; it returns the commit and whether the staged tree differs
// from the parent's (false: nothing is staged).
func Write(o Options, parentTree plumbing.Hash) (commit plumbing.Hash, changed bool, err error) {
	idx, err := readIndex(o.IndexFile)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	var entries []*index.Entry
	for _, e := range idx.Entries {
		switch {
		case e.Stage != 0: // go-git's index.Merged is 1, but a merged entry decodes as stage 0
			return plumbing.ZeroHash, false, &Error{fmt.Sprintf("%s has unmerged paths (%s, ...): resolve the conflicts and `git add` them first", o.IndexFile, e.Name)}
		case e.IntentToAdd:
			continue // `git add -N`: nothing staged yet
		}
		entries = append(entries, e)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	w := &writer{o: o}
	tree, err := w.tree(entries, "")
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", tree)
	if !o.Parent.IsZero() {
		fmt.Fprintf(&b, "parent %s\n", o.Parent)
	}
	fmt.Fprintf(&b, "author %s\ncommitter %s\n\n", sig(o.Author), sig(o.Committer))
	h, err := w.write(plumbing.CommitObject, b.Bytes())
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	return h, tree != parentTree, nil
}

// readIndex decodes an index file (versions 2 to 4).
func readIndex(path string) (*index.Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the index: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > maxIndexSize {
		return nil, fmt.Errorf("index %s is larger than %d bytes", path, maxIndexSize)
	}
	idx := &index.Index{}
	if err := index.NewDecoder(bufio.NewReader(f)).Decode(idx); err != nil {
		if errors.Is(err, index.ErrUnknownExtension) {
			return nil, &Error{fmt.Sprintf("index %s uses a split or sparse index, which pushguard cannot read yet "+
				"(git config core.splitIndex false; git sparse-checkout disable, or set index.sparse false)", path)}
		}
		return nil, fmt.Errorf("read the index %s: %w", path, err)
	}
	return idx, nil
}

// sig renders an identity line; names and e-mails lose the characters
// that would break the header.
func sig(p gitstore.Person) string {
	clean := strings.NewReplacer("\n", " ", "<", "", ">", "", "\x00", "")
	name, email := clean.Replace(p.Name), clean.Replace(p.Email)
	if name == "" {
		name = "pushguard pre-commit"
	}
	return fmt.Sprintf("%s <%s> %d +0000", name, email, p.When.Unix())
}

type writer struct {
	o Options
}

// treeEntry is one entry of a tree object being built.
type treeEntry struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
}

// tree writes the tree of the entries under prefix (sorted by name) and
// returns its hash.
func (w *writer) tree(entries []*index.Entry, prefix string) (plumbing.Hash, error) {
	var out []treeEntry
	for i := 0; i < len(entries); {
		rest := entries[i].Name[len(prefix):]
		dir, _, isDir := strings.Cut(rest, "/")
		if !isDir {
			if rest == "" {
				return plumbing.ZeroHash, fmt.Errorf("index entry %q: empty name", entries[i].Name)
			}
			out = append(out, treeEntry{name: rest, mode: entries[i].Mode, hash: entries[i].Hash})
			i++
			continue
		}
		sub := prefix + dir + "/"
		j := i
		for j < len(entries) && strings.HasPrefix(entries[j].Name, sub) {
			j++
		}
		h, err := w.tree(entries[i:j], sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		out = append(out, treeEntry{name: dir, mode: filemode.Dir, hash: h})
		i = j
	}
	// Git orders tree entries by name, a directory's as if it ended in '/'.
	key := func(e treeEntry) string {
		if e.mode == filemode.Dir {
			return e.name + "/"
		}
		return e.name
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	var b bytes.Buffer
	for _, e := range out {
		fmt.Fprintf(&b, "%o %s\x00", uint32(e.mode), e.name)
		b.Write(e.hash[:])
	}
	return w.write(plumbing.TreeObject, b.Bytes())
}

// write stores an object in the scratch directory unless the repository
// has it already, and returns its hash.
func (w *writer) write(t plumbing.ObjectType, content []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(t, content)
	if w.o.Exists != nil && w.o.Exists(h) {
		return h, nil
	}
	hex := h.String()
	dir := filepath.Join(w.o.ObjectDir, hex[:2])
	p := filepath.Join(dir, hex[2:])
	if _, err := os.Stat(p); err == nil {
		return h, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return h, fmt.Errorf("write object %s: %w", hex, err)
	}
	var buf bytes.Buffer
	ow := objfile.NewWriter(&buf)
	if err := ow.WriteHeader(t, int64(len(content))); err != nil {
		return h, fmt.Errorf("write object %s: %w", hex, err)
	}
	if _, err := ow.Write(content); err != nil {
		return h, fmt.Errorf("write object %s: %w", hex, err)
	}
	if err := ow.Close(); err != nil {
		return h, fmt.Errorf("write object %s: %w", hex, err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o444); err != nil {
		return h, fmt.Errorf("write object %s: %w", hex, err)
	}
	return h, nil
}
