package gitstore

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Refs returns every reference of the repository with the object it
// points at, sorted by name: the loose refs under refs/ and the entries of
// packed-refs (a loose ref wins over a packed one of the same name), and
// HEAD when it is detached. Symbolic refs are skipped. Like git, a ref file
// that holds no valid object name (e.g. being written) is ignored; lock
// files are ignored.
//
// In a pre-receive hook these are the refs as they were before the push.
func (s *Store) Refs() ([]Ref, error) {
	size := 0
	if st, err := os.Stat(filepath.Join(s.commonDir, "packed-refs")); err == nil {
		size = int(min(st.Size()/64, 1<<20)) // about 64 bytes a line
	}
	refs := make(map[string]plumbing.Hash, size)
	if err := readPackedRefs(filepath.Join(s.commonDir, "packed-refs"), refs); err != nil {
		return nil, err
	}
	if err := readLooseRefs(s.commonDir, refs); err != nil {
		return nil, err
	}
	if h, ok, err := readRefFile(filepath.Join(s.gitDir, "HEAD")); err != nil {
		return nil, err
	} else if ok {
		refs["HEAD"] = h
	}
	out := make([]Ref, 0, len(refs))
	for name, h := range refs {
		out = append(out, Ref{Name: name, Hash: h})
	}
	slices.SortFunc(out, func(a, b Ref) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// readPackedRefs parses a packed-refs file: "<hex> <name>" lines, a
// "# pack-refs with:" header and "^<hex>" peeled lines (skipped).
func readPackedRefs(path string, refs map[string]plumbing.Hash) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open packed-refs: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Bytes() // no copy: only the name is kept, as a string
		if len(line) == 0 || line[0] == '#' || line[0] == '^' {
			continue
		}
		var h plumbing.Hash
		if len(line) < 42 || line[40] != ' ' || !isHex40Bytes(line[:40]) {
			return fmt.Errorf("%s: malformed line %q", path, line)
		}
		if _, err := hex.Decode(h[:], line[:40]); err != nil {
			return fmt.Errorf("%s: malformed line %q", path, line)
		}
		refs[string(line[41:])] = h
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read packed-refs: %w", err)
	}
	return nil
}

// readLooseRefs walks dir/refs and adds every ref file holding an object
// name.
func readLooseRefs(dir string, refs map[string]plumbing.Hash) error {
	root := filepath.Join(dir, "refs")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				// Removed while walking (a concurrent ref deletion).
				return nil
			}
			return err
		}
		if d.IsDir() || strings.HasSuffix(d.Name(), ".lock") {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		h, ok, err := readRefFile(path)
		if err != nil {
			return err
		}
		if ok {
			refs[filepath.ToSlash(rel)] = h
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read refs: %w", err)
	}
	return nil
}

// readRefFile reads a loose ref. ok is false for a symbolic ref, a missing
// file, or content that is not an object name.
func readRefFile(path string) (plumbing.Hash, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("read ref: %w", err)
	}
	b = bytes.TrimRight(b, "\r\n\t ")
	if bytes.HasPrefix(b, []byte("ref:")) || len(b) < 40 || !isHex40(string(b[:40])) {
		return plumbing.ZeroHash, false, nil
	}
	if len(b) > 40 && b[40] != ' ' && b[40] != '\t' {
		return plumbing.ZeroHash, false, nil
	}
	return plumbing.NewHash(string(b[:40])), true, nil
}

func isHex40Bytes(b []byte) bool {
	if len(b) != 40 {
		return false
	}
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func isHex40(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// maxSymrefDepth bounds chains of symbolic refs, as git does.
const maxSymrefDepth = 5

// Resolve returns the object a revision names: a full 40-hex object name
// (which must exist), HEAD or another all-caps pseudo-ref, a full ref name,
// or a short name tried as git tries it: refs/<rev>, refs/tags/<rev>,
// refs/heads/<rev>, refs/remotes/<rev>, refs/remotes/<rev>/HEAD.
// Symbolic refs are followed. Revision syntax (~, ^, :, ..) is not
// supported.
func (s *Store) Resolve(rev string) (plumbing.Hash, error) {
	if rev == "" {
		return plumbing.ZeroHash, fmt.Errorf("empty revision")
	}
	if isHex40(strings.ToLower(rev)) {
		h := plumbing.NewHash(rev)
		if _, err := s.ObjectType(h); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("revision %s: %w", rev, err)
		}
		return h, nil
	}
	var candidates []string
	if strings.HasPrefix(rev, "refs/") || isPseudoRef(rev) {
		candidates = append(candidates, rev)
	}
	for _, f := range []string{"refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"} {
		candidates = append(candidates, fmt.Sprintf(f, rev))
	}
	for _, name := range candidates {
		h, ok, err := s.readRef(name, 0)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("revision %s: %w", rev, err)
		}
		if ok {
			return h, nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("revision %q: no such ref or object", rev)
}

// isPseudoRef reports whether name looks like HEAD, FETCH_HEAD and the like.
func isPseudoRef(name string) bool {
	for _, c := range name {
		if (c < 'A' || c > 'Z') && c != '_' {
			return false
		}
	}
	return true
}

// readRef reads one ref by full name, loose first then packed, following
// symbolic refs. ok is false when it does not exist.
func (s *Store) readRef(name string, depth int) (plumbing.Hash, bool, error) {
	if depth > maxSymrefDepth {
		return plumbing.ZeroHash, false, fmt.Errorf("ref %s: symbolic refs nested too deep", name)
	}
	if strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return plumbing.ZeroHash, false, fmt.Errorf("bad ref name %q", name)
	}
	dir := s.commonDir
	if !strings.HasPrefix(name, "refs/") {
		dir = s.gitDir // HEAD and pseudo-refs are per work tree
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	switch {
	case err == nil:
		line := strings.TrimRight(string(b), "\r\n\t ")
		if target, ok := strings.CutPrefix(line, "ref:"); ok {
			return s.readRef(strings.TrimSpace(target), depth+1)
		}
		if len(line) >= 40 && isHex40(line[:40]) {
			return plumbing.NewHash(line[:40]), true, nil
		}
		return plumbing.ZeroHash, false, nil
	case errors.Is(err, fs.ErrNotExist), isDirErr(err):
	default:
		return plumbing.ZeroHash, false, fmt.Errorf("read ref %s: %w", name, err)
	}
	packed := make(map[string]plumbing.Hash)
	if err := readPackedRefs(filepath.Join(s.commonDir, "packed-refs"), packed); err != nil {
		return plumbing.ZeroHash, false, err
	}
	h, ok := packed[name]
	return h, ok, nil
}

// isDirErr reports the error of reading a directory as a file (a ref name
// that is a prefix of other refs).
func isDirErr(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Op == "read"
}
