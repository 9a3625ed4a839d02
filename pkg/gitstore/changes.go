package gitstore

import (
	"bytes"
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// emptyTree is the hash of the tree with no entries, which git knows
// without storing it.
var emptyTree = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// treeEntry is one entry of a decoded tree. Its name is
// data[off:off+n] of the raw tree object; the struct holds no pointer, so
// decoded trees cost the garbage collector nothing to scan.
type treeEntry struct {
	off, n uint32
	mode   filemode.FileMode
	hash   plumbing.Hash
}

// tree is a decoded tree object.
type tree struct {
	data    []byte
	entries []treeEntry
}

func (t *tree) name(i int) []byte {
	e := &t.entries[i]
	return t.data[e.off : e.off+e.n]
}

const (
	modeTypeMask = 0o170000
	modeTree     = 0o040000
	modeGitlink  = 0o160000
)

func isTreeMode(m filemode.FileMode) bool    { return m&modeTypeMask == modeTree }
func isGitlinkMode(m filemode.FileMode) bool { return m&modeTypeMask == modeGitlink }

// Changes compares two trees (a zero hash is the empty tree) and returns
// the non-tree entries that differ, paths joined with "/", sorted by Path.
//
// It walks the two sorted entry lists side by side and descends only into
// subtrees whose hashes differ. An entry that changes kind (file to
// directory or back) shows as the deletion of the one and the addition of
// the other's files; a change of mode alone (file to symlink, to
// executable, blob to gitlink) is Modified. Submodule gitlinks (mode
// 0160000) are reported with their mode so callers can skip content: their
// hash names a commit of another repository.
//
// Renames are paired within the comparison: an Added and a Deleted entry
// with the same hash become one Renamed change (an identical base name
// preferred among several candidates); then, among the rest, a base name
// that exactly one Added and exactly one Deleted entry share is a Renamed
// change with edited content. Pairs never mix gitlinks with files.
func (s *Store) Changes(oldTree, newTree plumbing.Hash) ([]Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Change
	if err := s.diffTrees(nil, oldTree, newTree, &out); err != nil {
		return nil, err
	}
	out = pairRenames(out)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].OldPath < out[j].OldPath
	})
	return out, nil
}

// diffTrees appends the differences between trees a and b, whose entries
// live under prefix (nil at the root, else ending in '/').
func (s *Store) diffTrees(prefix []byte, a, b plumbing.Hash, out *[]Change) error {
	if a == b {
		return nil
	}
	ta, err := s.tree(a)
	if err != nil {
		return err
	}
	tb, err := s.tree(b)
	if err != nil {
		return err
	}
	i, j := 0, 0
	for i < len(ta.entries) || j < len(tb.entries) {
		var c int
		switch {
		case i == len(ta.entries):
			c = 1
		case j == len(tb.entries):
			c = -1
		default:
			c = compareEntries(ta.name(i), ta.entries[i].mode, tb.name(j), tb.entries[j].mode)
		}
		switch {
		case c < 0:
			if err := s.emit(prefix, ta, i, Deleted, out); err != nil {
				return err
			}
			i++
		case c > 0:
			if err := s.emit(prefix, tb, j, Added, out); err != nil {
				return err
			}
			j++
		default:
			o, n := &ta.entries[i], &tb.entries[j]
			switch {
			case isTreeMode(o.mode):
				if o.hash != n.hash {
					if err := s.diffTrees(joinDir(prefix, ta.name(i)), o.hash, n.hash, out); err != nil {
						return err
					}
				}
			case o.hash != n.hash || o.mode != n.mode:
				p := string(prefix) + string(ta.name(i))
				*out = append(*out, Change{
					Status: Modified, Path: p, OldPath: p,
					OldHash: o.hash, NewHash: n.hash, OldMode: o.mode, NewMode: n.mode,
				})
			}
			i++
			j++
		}
	}
	return nil
}

// emit reports entry i of t as Added or Deleted, every file of it if it
// is a tree.
func (s *Store) emit(prefix []byte, t *tree, i int, st Status, out *[]Change) error {
	e := &t.entries[i]
	if isTreeMode(e.mode) {
		dir := joinDir(prefix, t.name(i))
		if st == Added {
			return s.diffTrees(dir, plumbing.ZeroHash, e.hash, out)
		}
		return s.diffTrees(dir, e.hash, plumbing.ZeroHash, out)
	}
	p := string(prefix) + string(t.name(i))
	c := Change{Status: st, Path: p}
	if st == Added {
		c.NewHash, c.NewMode = e.hash, e.mode
	} else {
		c.OldPath, c.OldHash, c.OldMode = p, e.hash, e.mode
	}
	*out = append(*out, c)
	return nil
}

func joinDir(prefix, name []byte) []byte {
	d := make([]byte, 0, len(prefix)+len(name)+1)
	d = append(d, prefix...)
	d = append(d, name...)
	return append(d, '/')
}

// noTree is the decoded empty tree.
var noTree = &tree{}

// tree returns decoded tree h (empty for the zero hash and the empty
// tree), its entries in git's tree order. The decoded entries are kept
// with the raw object in the cache, so a tree shared by consecutive
// commits is decoded once. The result must not be modified.
func (s *Store) tree(h plumbing.Hash) (*tree, error) {
	if h.IsZero() || h == emptyTree {
		return noTree, nil
	}
	o, err := s.rawObj(h)
	if err != nil {
		return nil, err
	}
	if o.t != plumbing.TreeObject {
		return nil, fmt.Errorf("object %s is a %s, not a tree", h, o.t)
	}
	if o.tree == nil {
		t, err := parseTree(h, o.data)
		if err != nil {
			return nil, err
		}
		o.tree = t
	}
	return o.tree, nil
}

// parseTree decodes the entries of a raw tree: "<octal mode> <name>\0<20
// byte hash>" each. Entries out of git's order (a malformed tree) are
// sorted so that the comparison stays correct.
func parseTree(h plumbing.Hash, data []byte) (*tree, error) {
	if len(data) > math.MaxUint32 {
		return nil, fmt.Errorf("tree %s: too large", h)
	}
	t := &tree{data: data}
	// An entry takes at least 28 bytes ("0 x\0" + 20); most take ~40.
	t.entries = make([]treeEntry, 0, len(data)/40+1)
	sorted := true
	pos := 0
	for pos < len(data) {
		sp := bytes.IndexByte(data[pos:], ' ')
		if sp <= 0 {
			return nil, fmt.Errorf("tree %s: malformed entry mode", h)
		}
		mode, err := parseMode(data[pos : pos+sp])
		if err != nil {
			return nil, fmt.Errorf("tree %s: %w", h, err)
		}
		pos += sp + 1
		nul := bytes.IndexByte(data[pos:], 0)
		if nul <= 0 || len(data)-pos < nul+1+20 {
			return nil, fmt.Errorf("tree %s: malformed entry name", h)
		}
		e := treeEntry{off: uint32(pos), n: uint32(nul), mode: mode}
		copy(e.hash[:], data[pos+nul+1:pos+nul+21])
		pos += nul + 21
		if n := len(t.entries); n > 0 && sorted {
			prev := &t.entries[n-1]
			if compareEntries(data[prev.off:prev.off+prev.n], prev.mode, data[e.off:e.off+e.n], e.mode) > 0 {
				sorted = false
			}
		}
		t.entries = append(t.entries, e)
	}
	if !sorted {
		sort.SliceStable(t.entries, func(i, j int) bool {
			return compareEntries(t.name(i), t.entries[i].mode, t.name(j), t.entries[j].mode) < 0
		})
	}
	return t, nil
}

func parseMode(b []byte) (filemode.FileMode, error) {
	var m uint32
	for _, c := range b {
		if c < '0' || c > '7' || m > 0o7777777 {
			return 0, fmt.Errorf("bad entry mode %s", strconv.Quote(string(b)))
		}
		m = m<<3 | uint32(c-'0')
	}
	return filemode.FileMode(m), nil
}

// compareEntries orders entries as git sorts trees (base_name_compare):
// by name, a tree's name compared as if it ended with '/'. Zero means same
// name and same kind (tree or not).
func compareEntries(a []byte, am filemode.FileMode, b []byte, bm filemode.FileMode) int {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	ca, cb := keyByte(a, am, n), keyByte(b, bm, n)
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	case len(a) < len(b):
		// Only reachable with a '/' in a name, which git forbids.
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// keyByte is the byte at offset i of an entry's sort key: past the name,
// '/' for a tree and NUL otherwise.
func keyByte(name []byte, mode filemode.FileMode, i int) byte {
	if i < len(name) {
		return name[i]
	}
	if isTreeMode(mode) {
		return '/'
	}
	return 0
}

// pairRenames turns Added/Deleted pairs into Renamed changes: first by
// identical hash, then by a base name unique to one Added and one Deleted
// entry.
func pairRenames(changes []Change) []Change {
	var added, deleted []int
	for i, c := range changes {
		switch c.Status {
		case Added:
			added = append(added, i)
		case Deleted:
			deleted = append(deleted, i)
		}
	}
	if len(added) == 0 || len(deleted) == 0 {
		return changes
	}
	byPath := func(idx []int) {
		sort.SliceStable(idx, func(a, b int) bool { return changes[idx[a]].Path < changes[idx[b]].Path })
	}
	byPath(added)
	byPath(deleted)

	used := make([]bool, len(changes))
	var renames []Change
	pair := func(ai, di int) {
		a, d := changes[ai], changes[di]
		renames = append(renames, Change{
			Status: Renamed, Path: a.Path, OldPath: d.Path,
			OldHash: d.OldHash, NewHash: a.NewHash, OldMode: d.OldMode, NewMode: a.NewMode,
		})
		used[ai], used[di] = true, true
	}

	// Exact renames.
	type key struct {
		h       plumbing.Hash
		gitlink bool
	}
	byHash := make(map[key][]int)
	for _, di := range deleted {
		d := changes[di]
		k := key{d.OldHash, isGitlinkMode(d.OldMode)}
		byHash[k] = append(byHash[k], di)
	}
	for _, ai := range added {
		a := changes[ai]
		cands := byHash[key{a.NewHash, isGitlinkMode(a.NewMode)}]
		best := -1
		for _, di := range cands {
			if used[di] {
				continue
			}
			if best < 0 {
				best = di
			}
			if path.Base(changes[di].Path) == path.Base(a.Path) {
				best = di
				break
			}
		}
		if best >= 0 {
			pair(ai, best)
		}
	}

	// Renames with edits: a base name left to exactly one of each.
	addByBase := make(map[string][]int)
	delByBase := make(map[string][]int)
	for _, ai := range added {
		if !used[ai] {
			b := path.Base(changes[ai].Path)
			addByBase[b] = append(addByBase[b], ai)
		}
	}
	for _, di := range deleted {
		if !used[di] {
			b := path.Base(changes[di].Path)
			delByBase[b] = append(delByBase[b], di)
		}
	}
	for _, ai := range added {
		if used[ai] {
			continue
		}
		b := path.Base(changes[ai].Path)
		as, ds := addByBase[b], delByBase[b]
		if len(as) != 1 || len(ds) != 1 {
			continue
		}
		if isGitlinkMode(changes[ai].NewMode) != isGitlinkMode(changes[ds[0]].OldMode) {
			continue
		}
		pair(ai, ds[0])
	}

	if len(renames) == 0 {
		return changes
	}
	out := make([]Change, 0, len(changes)-len(renames))
	for i, c := range changes {
		if !used[i] {
			out = append(out, c)
		}
	}
	return append(out, renames...)
}
