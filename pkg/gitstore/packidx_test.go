package gitstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// idxOf writes a repository with some history, packs it, and returns the
// path of its one pack index.
func idxOf(t testing.TB) string {
	t.Helper()
	r := newRepo(t, true)
	h := newHistory()
	prev := []string(nil)
	for i := range 60 {
		name := fmt.Sprint("c", i)
		h.commit(name, int64(i), prev,
			put("a.txt", strings.Repeat("line\n", i+1)),
			put(fmt.Sprintf("d/%c.go", 'a'+i%26), "package d\n// "+strings.Repeat("x", i)+"\n"))
		prev = []string{name}
	}
	h.ref("refs/heads/main", prev[0])
	h.loadPacked(r)
	idx, err := filepath.Glob(filepath.Join(r.gitDir, "objects", "pack", "pack-*.idx"))
	if err != nil || len(idx) != 1 {
		t.Fatalf("pack indexes %v, %v", idx, err)
	}
	return idx[0]
}

// TestPackIndexMatchesIdxfile: every object of a real pack index is found
// at the offset go-git's decoder gives, in the same order, and names that
// are not there are not found.
func TestPackIndexMatchesIdxfile(t *testing.T) {
	path := idxOf(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(f).Decode(want); err != nil {
		t.Fatal(err)
	}
	got, err := openPackIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer got.close()
	n, _ := want.Count()
	if int64(got.Count()) != n || n < 100 {
		t.Fatalf("count %d, idxfile %d", got.Count(), n)
	}
	if got.PackfileChecksum != plumbing.Hash(want.PackfileChecksum) {
		t.Errorf("pack checksum %s, idxfile %x", got.PackfileChecksum, want.PackfileChecksum)
	}
	iter, err := want.Entries()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		e, err := iter.Next()
		if err != nil {
			break
		}
		off, err := got.FindOffset(e.Hash)
		if err != nil || off != int64(e.Offset) {
			t.Fatalf("%s: offset %d, %v; idxfile %d", e.Hash, off, err, e.Offset)
		}
		h, off, err := got.At(i)
		if err != nil || h != e.Hash || off != int64(e.Offset) {
			t.Fatalf("At(%d) = %s %d %v; idxfile %s %d", i, h, off, err, e.Hash, e.Offset)
		}
		// Names next to it (last byte changed) are not there, unless
		// they are.
		for _, d := range []byte{1, 0xff} {
			o := e.Hash
			o[19] += d
			if in, _ := want.Contains(o); !in {
				if got.Contains(o) {
					t.Fatalf("%s found, not in the index", o)
				}
				if _, err := got.FindOffset(o); !errors.Is(err, plumbing.ErrObjectNotFound) {
					t.Fatalf("FindOffset(%s) = %v, want not found", o, err)
				}
			}
		}
	}
	for _, h := range []plumbing.Hash{{}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} {
		if got.Contains(h) {
			t.Errorf("%s found", h)
		}
	}
}

// TestPackIndexLargeOffsets: an offset with the high bit set is read from
// the 8-byte table, and one past it is an error, not a panic.
func TestPackIndexLargeOffsets(t *testing.T) {
	var names [3]plumbing.Hash
	names[0][0], names[1][0], names[2][0] = 0x10, 0x20, 0x30
	b := []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}
	for i := range 256 {
		c := uint32(0)
		for _, h := range names {
			if int(h[0]) <= i {
				c++
			}
		}
		b = binary.BigEndian.AppendUint32(b, c)
	}
	for _, h := range names {
		b = append(b, h[:]...)
	}
	b = append(b, make([]byte, 12)...) // CRC-32s
	b = binary.BigEndian.AppendUint32(b, 12)
	b = binary.BigEndian.AppendUint32(b, 0x80000000)
	b = binary.BigEndian.AppendUint32(b, 0x80000001) // past the large table
	b = binary.BigEndian.AppendUint64(b, 5<<32)
	b = append(b, make([]byte, 40)...)
	p := filepath.Join(t.TempDir(), "x.idx")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := openPackIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	defer x.close()
	for i, want := range []int64{12, 5 << 32, -1} {
		off, err := x.FindOffset(names[i])
		switch {
		case want < 0 && !errors.Is(err, errBadIndex):
			t.Errorf("%d: %d, %v; want errBadIndex", i, off, err)
		case want >= 0 && (err != nil || off != want):
			t.Errorf("%d: %d, %v; want %d", i, off, err, want)
		}
	}
}

// TestPackIndexDamaged: an index that is truncated, of another version,
// or whose fan-out is not increasing or counts more objects than the file
// holds is refused when opened.
func TestPackIndexDamaged(t *testing.T) {
	good, err := os.ReadFile(idxOf(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"header only", func(b []byte) []byte { return b[:8] }},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"version 1", func(b []byte) []byte { b[7] = 1; return b }},
		{"bad magic", func(b []byte) []byte { b[1] = 'x'; return b }},
		{"fan-out decreasing", func(b []byte) []byte { binary.BigEndian.PutUint32(b[8+4*100:], 0xffff); return b }},
		{"count too big", func(b []byte) []byte { binary.BigEndian.PutUint32(b[8+4*255:], 1<<30); return b }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.idx")
			if err := os.WriteFile(p, tc.edit(bytes.Clone(good)), 0o644); err != nil {
				t.Fatal(err)
			}
			if x, err := openPackIndex(p); !errors.Is(err, errBadIndex) {
				if x != nil {
					x.close()
				}
				t.Fatalf("opened: %v, want errBadIndex", err)
			}
		})
	}
}

// BenchmarkPackIndexLookup opens a pack index and looks up one object, as
// a hook run does for the few objects of a push: in place (packIndex)
// against decoding the whole index first (go-git's idxfile, what the
// store did before). The first grows with the number of objects only
// through the binary search; the second reads and decodes every entry.
func BenchmarkPackIndexLookup(b *testing.B) {
	path := idxOf(b)
	x, err := openPackIndex(path)
	if err != nil {
		b.Fatal(err)
	}
	h, _, err := x.At(x.Count() / 2)
	x.close()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("in-place", func(b *testing.B) {
		for b.Loop() {
			x, err := openPackIndex(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := x.FindOffset(h); err != nil {
				b.Fatal(err)
			}
			x.close()
		}
	})
	b.Run("idxfile", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			idx := idxfile.NewMemoryIndex()
			if err := idxfile.NewDecoder(f).Decode(idx); err != nil {
				b.Fatal(err)
			}
			if _, err := idx.FindOffset(h); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}
