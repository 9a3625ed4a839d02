package gitstore

import (
	"fmt"
	"math/rand"
	"os"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// benchRepo is a packed repository of benchCommits commits over a tree of
// 40 directories x 10 files (some nested), each commit editing a few files
// and now and then adding, deleting or moving one.
type benchRepo struct {
	repo    *testRepo
	commits []plumbing.Hash // oldest first
}

const benchCommits = 400

func newBenchRepo(b *testing.B) *benchRepo {
	b.Helper()
	rng := rand.New(rand.NewSource(42))
	h := newHistory()
	var files []string
	var base []op
	for d := 0; d < 40; d++ {
		for f := 0; f < 10; f++ {
			p := fmt.Sprintf("pkg%02d/sub%d/file%02d.go", d, f%3, f)
			files = append(files, p)
			base = append(base, put(p, fmt.Sprintf("package p%d\n\n// file %d\nvar x = %d\n", d, f, rng.Int())))
		}
	}
	h.commit("c0", 0, nil, base...)
	names := []string{"c0"}
	for i := 1; i < benchCommits; i++ {
		var ops []op
		for k := 0; k < 3; k++ {
			p := files[rng.Intn(len(files))]
			ops = append(ops, put(p, fmt.Sprintf("package p\n\n// edit %d.%d\nvar y = %d\n", i, k, rng.Int())))
		}
		switch rng.Intn(10) {
		case 0:
			p := fmt.Sprintf("pkg%02d/new%d.go", rng.Intn(40), i)
			files = append(files, p)
			ops = append(ops, put(p, fmt.Sprintf("package p\nvar n%d = 1\n", i)))
		case 1:
			j := rng.Intn(len(files))
			ops = append(ops, del(files[j]))
			files = append(files[:j], files[j+1:]...)
		}
		name := fmt.Sprintf("c%d", i)
		h.commit(name, int64(i*600), []string{names[i-1]}, ops...)
		names = append(names, name)
	}
	h.ref("refs/heads/main", names[len(names)-1])
	h.ref("refs/heads/old", names[len(names)-11])
	r := newRepo(b, true)
	ids := h.load(r)
	r.git("repack", "-a", "-d", "-q")
	br := &benchRepo{repo: r}
	for _, n := range names {
		br.commits = append(br.commits, ids[n])
	}
	return br
}

// BenchmarkChanges compares every commit of the generated history with its
// parent (one op = the whole history).
func BenchmarkChanges(b *testing.B) {
	br := newBenchRepo(b)
	s := br.repo.open()
	trees := make([]plumbing.Hash, len(br.commits))
	for i, h := range br.commits {
		c, err := s.Commit(h)
		if err != nil {
			b.Fatal(err)
		}
		trees[i] = c.Tree
	}
	run := func(b *testing.B, s *Store) int {
		n := 0
		for i := 1; i < len(trees); i++ {
			chs, err := s.Changes(trees[i-1], trees[i])
			if err != nil {
				b.Fatal(err)
			}
			n += len(chs)
		}
		return n
	}
	b.Run("warm", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n = run(b, s)
		}
		b.ReportMetric(float64(n), "changes/op")
	})
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cs, err := Open(Env{GitDir: br.repo.dir})
			if err != nil {
				b.Fatal(err)
			}
			run(b, cs)
			cs.Close()
		}
	})
}

// BenchmarkNewCommits lists new commits for typical pushes on the
// generated history.
func BenchmarkNewCommits(b *testing.B) {
	br := newBenchRepo(b)
	n := len(br.commits)
	tip := br.commits[n-1]
	cases := []struct {
		name    string
		tips    []plumbing.Hash
		exclude []plumbing.Hash
		want    int
	}{
		{"push10", []plumbing.Hash{tip}, []plumbing.Hash{br.commits[n-11]}, 10},
		{"newBranchOnOld", []plumbing.Hash{br.commits[n/2]}, []plumbing.Hash{tip}, 0},
		{"wholeHistory", []plumbing.Hash{tip}, nil, n},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			s := br.repo.open()
			b.ReportAllocs()
			for b.Loop() {
				got, err := s.NewCommits(tc.tips, tc.exclude)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != tc.want {
					b.Fatalf("got %d commits, want %d", len(got), tc.want)
				}
			}
		})
	}
}

// BenchmarkNewCommitsDecoded lists the whole generated history and
// decodes every commit of the list, from a new Store each time (nothing
// cached): "after" decodes them once the walk is done (NewCommits, then
// Commit per hash, as the scan did), "during" on the core the walk leaves
// idle (NewCommitsRead).
func BenchmarkNewCommitsDecoded(b *testing.B) {
	br := newBenchRepo(b)
	tip := br.commits[len(br.commits)-1]
	b.Run("after", func(b *testing.B) {
		for b.Loop() {
			s := br.repo.open()
			got, err := s.NewCommits([]plumbing.Hash{tip}, nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, h := range got {
				if _, err := s.Commit(h); err != nil {
					b.Fatal(err)
				}
			}
			s.Close()
		}
	})
	b.Run("during", func(b *testing.B) {
		for b.Loop() {
			s := br.repo.open()
			got, decoded, err := s.NewCommitsRead([]plumbing.Hash{tip}, nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, h := range got {
				if decoded[h] != nil {
					continue
				}
				if _, err := s.Commit(h); err != nil {
					b.Fatal(err)
				}
			}
			s.Close()
		}
	})
}

// BenchmarkTreeDecode compares this package's tree decoding with go-git's
// object.Tree on the largest tree of the generated repository.
func BenchmarkTreeDecode(b *testing.B) {
	br := newBenchRepo(b)
	s := br.repo.open()
	c, err := s.Commit(br.commits[len(br.commits)-1])
	if err != nil {
		b.Fatal(err)
	}
	// The root tree: 40 directory entries.
	data, err := s.typed(c.Tree, plumbing.TreeObject)
	if err != nil {
		b.Fatal(err)
	}
	obj := &rawObject{h: c.Tree, t: plumbing.TreeObject, data: data}
	b.Run("gitstore", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseTree(c.Tree, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-git", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var t object.Tree
			if err := t.Decode(obj); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReadBlobPrefixLargeDelta reads the first 8000 bytes (what
// telling binary content needs) of versions of a 24 MB file stored as
// deltas against each other: B/op shows that no delta base is built
// whole (it was about the file's size per read before spans).
func BenchmarkReadBlobPrefixLargeDelta(b *testing.B) {
	r := newRepo(b, true)
	h := newHistory()
	var sb []byte
	for i := 0; len(sb) < 24<<20; i++ {
		sb = fmt.Appendf(sb, "INSERT INTO events VALUES (%d, 'click', '{\"x\": %d}');\n", i, i*7%1000)
	}
	content := string(sb)
	var parents []string
	for i := range 4 {
		name := fmt.Sprintf("c%d", i)
		mid := len(content) * (i + 1) / 5
		content = content[:mid] + fmt.Sprintf("-- edit %d\n", i) + content[mid:]
		h.commit(name, int64(i), parents, put("dump.sql", content))
		parents = []string{name}
	}
	h.ref("refs/heads/main", "c3")
	h.loadPacked(r)
	r.git("repack", "-a", "-d", "-f", "-q")
	s := r.open()
	defer s.Close()
	var blobs []plumbing.Hash
	for i := range 4 {
		blobs = append(blobs, r.hash(fmt.Sprintf("main~%d:dump.sql", i)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, h := range blobs {
			data, _, err := s.ReadBlob(h, 8000)
			if err != nil || len(data) != 8000 {
				b.Fatalf("ReadBlob: %d bytes, %v", len(data), err)
			}
		}
	}
}

// BenchmarkSizeThenRead reads blobs the way the scan does: for every
// commit, oldest first, the size of each new version (BlobSize) and then
// its content (ReadBlobShared), with a fresh Store each op. "generated" is
// the generated history; "env" is the repository PUSHGUARD_BENCH_REPO
// names (a bare clone of a real history, e.g. gin), skipped when unset.
// A delta whose size is asked is built once, not once for the size and
// again for the read, and a small delta is inflated once.
func BenchmarkSizeThenRead(b *testing.B) {
	run := func(b *testing.B, open func() *Store) {
		s := open()
		refs, err := s.Refs()
		if err != nil {
			b.Fatal(err)
		}
		var tips []plumbing.Hash
		for _, r := range refs {
			tips = append(tips, r.Hash)
		}
		var tipCommits []plumbing.Hash
		for _, t := range tips {
			if typ, err := s.ObjectType(t); err == nil && typ == plumbing.CommitObject {
				tipCommits = append(tipCommits, t)
			}
		}
		commits, err := s.NewCommits(tipCommits, nil)
		if err != nil {
			b.Fatal(err)
		}
		var blobs []plumbing.Hash
		for _, h := range commits {
			c, err := s.Commit(h)
			if err != nil {
				b.Fatal(err)
			}
			prev := plumbing.ZeroHash
			if len(c.Parents) > 0 {
				p, err := s.Commit(c.Parents[0])
				if err != nil {
					b.Fatal(err)
				}
				prev = p.Tree
			}
			chs, err := s.Changes(prev, c.Tree)
			if err != nil {
				b.Fatal(err)
			}
			for _, ch := range chs {
				if ch.Status != Deleted && ch.NewMode.IsFile() {
					blobs = append(blobs, ch.NewHash)
				}
			}
		}
		s.Close()
		b.ReportAllocs()
		for b.Loop() {
			s := open()
			for _, h := range blobs {
				if _, err := s.BlobSize(h); err != nil {
					b.Fatal(err)
				}
				if _, _, err := s.ReadBlobShared(h, 5<<20); err != nil {
					b.Fatal(err)
				}
			}
			s.Close()
		}
		b.ReportMetric(float64(len(blobs)), "blobs/op")
	}
	b.Run("generated", func(b *testing.B) {
		br := newBenchRepo(b)
		run(b, br.repo.open)
	})
	b.Run("env", func(b *testing.B) {
		dir := os.Getenv("PUSHGUARD_BENCH_REPO")
		if dir == "" {
			b.Skip("PUSHGUARD_BENCH_REPO not set")
		}
		run(b, func() *Store {
			s, err := Open(Env{GitDir: dir})
			if err != nil {
				b.Fatal(err)
			}
			return s
		})
	})
}
