package gitstore

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// BenchmarkReadBlobShared reads the blobs every commit of the generated
// history changes, each twice (as a new version, then as the diff base of
// the next change), with ReadBlob (a copy when a cache holds the blob) and
// with ReadBlobShared (the cached bytes, read only).
func BenchmarkReadBlobShared(b *testing.B) {
	br := newBenchRepo(b)
	s := br.repo.open()
	var blobs []plumbing.Hash
	prev := plumbing.ZeroHash
	for _, h := range br.commits {
		c, err := s.Commit(h)
		if err != nil {
			b.Fatal(err)
		}
		chs, err := s.Changes(prev, c.Tree)
		if err != nil {
			b.Fatal(err)
		}
		for _, ch := range chs {
			if ch.Status != Deleted {
				blobs = append(blobs, ch.NewHash, ch.NewHash)
			}
		}
		prev = c.Tree
	}
	for _, tc := range []struct {
		name string
		read func(plumbing.Hash, int64) ([]byte, bool, error)
	}{{"copy", s.ReadBlob}, {"shared", s.ReadBlobShared}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, h := range blobs {
					if _, _, err := tc.read(h, 1<<20); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// TestReadBlobShared: the shared read gives the same bytes as ReadBlob,
// whole and truncated, cached or not.
func TestReadBlobShared(t *testing.T) {
	h := newHistory()
	h.commit("a", baseTime, nil, put("f", "hello shared world\n"), put("g", "other\n"))
	r := newRepo(t, true)
	h.ref("refs/heads/main", "a")
	ids := h.load(r)
	s := r.open()
	defer s.Close()
	c, err := s.Commit(ids["a"])
	if err != nil {
		t.Fatal(err)
	}
	chs, err := s.Changes(plumbing.ZeroHash, c.Tree)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chs {
		for _, limit := range []int64{0, 5, 1 << 20} {
			for round := 0; round < 2; round++ { // the second read is cached
				want, wt, err := s.ReadBlob(ch.NewHash, limit)
				if err != nil {
					t.Fatal(err)
				}
				got, gt, err := s.ReadBlobShared(ch.NewHash, limit)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) || gt != wt {
					t.Fatalf("%s limit %d: shared %q %v, copy %q %v", ch.Path, limit, got, gt, want, wt)
				}
			}
		}
	}
}
