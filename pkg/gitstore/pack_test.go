package gitstore

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/inflate"
)

// catAll returns every object of the repository as git reads it.
func catAll(t *testing.T, r *testRepo) map[plumbing.Hash]struct {
	typ  string
	data []byte
} {
	t.Helper()
	out := r.git("cat-file", "--batch-all-objects", "--batch")
	objs := map[plumbing.Hash]struct {
		typ  string
		data []byte
	}{}
	br := bufio.NewReader(strings.NewReader(out))
	for {
		hdr, err := br.ReadString('\n')
		if err == io.EOF {
			break
		}
		f := strings.Fields(hdr)
		if len(f) != 3 {
			t.Fatalf("cat-file header %q", hdr)
		}
		n, _ := strconv.Atoi(f[2])
		data := make([]byte, n+1) // content and a newline
		if _, err := io.ReadFull(br, data); err != nil {
			t.Fatal(err)
		}
		objs[plumbing.NewHash(f[0])] = struct {
			typ  string
			data []byte
		}{f[1], data[:n]}
	}
	return objs
}

// TestPackReadsEveryObject reads every object of repositories packed with
// long delta chains, offset and reference deltas, through a delta cache
// too small to hold much, and compares each with git's own reading.
func TestPackReadsEveryObject(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config []string
		budget int64
	}{
		{"ofs-delta", nil, 16 << 20},
		{"ref-delta", []string{"-c", "repack.useDeltaBaseOffset=false"}, 16 << 20},
		{"tiny-cache", nil, 4096},
		{"no-cache", nil, 0},
		{"read-at", nil, 16 << 20}, // packs read with ReadAt, as where mmap is unavailable
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRepo(t, true)
			h := newHistory()
			var lines []string
			for i := range 120 {
				lines = append(lines, fmt.Sprintf("line %d of a file that keeps growing, with some text to delta against", i))
				content := strings.Join(lines, "\n") + "\n"
				var parents []string
				if i > 0 {
					parents = []string{fmt.Sprintf("c%d", i-1)}
				}
				h.commit(fmt.Sprintf("c%d", i), int64(i), parents,
					put("grow.txt", content),
					put(fmt.Sprintf("dir%d/f.txt", i%7), content[len(content)/2:]),
					put("big.bin", strings.Repeat(fmt.Sprintf("block %d\x00", i%3), 20_000)))
			}
			h.ref("refs/heads/main", "c119")
			h.loadPacked(r)
			r.git(append(tc.config, "repack", "-a", "-d", "-f", "-q", "--depth=200", "--window=50")...)
			want := catAll(t, r)
			s := r.open()
			defer s.Close()
			s.deltas.budget = tc.budget
			// The pack must hold what the test is about: long chains of
			// the delta kind asked for.
			kinds := entryKinds(t, s)
			wantKind := objOfsDelta
			if tc.config != nil {
				wantKind = objRefDelta
			}
			if kinds[wantKind] < 100 || kinds[objOfsDelta+objRefDelta-wantKind] != 0 {
				t.Fatalf("pack entry kinds %v: want over 100 of type %d only", kinds, wantKind)
			}
			if tc.name == "read-at" {
				for _, d := range s.dirs {
					for _, p := range d.packs {
						if p.pr != nil && p.pr.data != nil {
							if err := unmapFile(p.pr.data); err != nil {
								t.Fatal(err)
							}
							p.pr.data = nil
						}
					}
				}
			}
			if out := r.git("verify-pack", "-v", packPath(t, s)); !strings.Contains(out, "chain length = 30:") {
				t.Fatalf("no delta chain of length 30:\n%s", out[strings.Index(out, "non delta"):])
			}
			for hash, w := range want {
				typ, err := s.ObjectType(hash)
				if err != nil {
					t.Fatalf("ObjectType(%s): %v", hash, err)
				}
				if typ.String() != w.typ {
					t.Fatalf("%s: type %s, git says %s", hash, typ, w.typ)
				}
				var got []byte
				switch typ {
				case plumbing.BlobObject:
					size, err := s.BlobSize(hash)
					if err != nil || size != int64(len(w.data)) {
						t.Fatalf("BlobSize(%s) = %d, %v; want %d", hash, size, err, len(w.data))
					}
					got, _, err = s.ReadBlob(hash, 0)
					if err != nil {
						t.Fatal(err)
					}
				default:
					s.mu.Lock()
					o, err := s.rawObj(hash)
					s.mu.Unlock()
					if err != nil {
						t.Fatal(err)
					}
					got = o.data
				}
				if !bytes.Equal(got, w.data) {
					t.Fatalf("%s %s: content differs from git's (%d bytes, want %d)", w.typ, hash, len(got), len(w.data))
				}
			}
			if s.deltas.used > max(tc.budget, 0) {
				t.Errorf("delta cache holds %d bytes, budget %d", s.deltas.used, tc.budget)
			}
		})
	}
}

// TestReadBlobOwned checks that ReadBlob's result belongs to the caller:
// modifying it changes no later read, whichever cache served it.
func TestReadBlobOwned(t *testing.T) {
	r := newRepo(t, true)
	h := newHistory()
	base := strings.Repeat("shared line of content\n", 200)
	h.commit("a", 0, nil, put("f.txt", base))
	h.commit("b", 1, []string{"a"}, put("f.txt", base+"one more\n"))
	h.commit("c", 2, []string{"b"}, put("f.txt", base+"one more\nand another\n"))
	h.ref("refs/heads/main", "c")
	h.loadPacked(r)
	r.git("repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=10")
	want := catAll(t, r)
	s := r.open()
	defer s.Close()
	for round := range 3 {
		for hash, w := range want {
			if w.typ != "blob" {
				continue
			}
			got, _, err := s.ReadBlob(hash, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, w.data) {
				t.Fatalf("round %d: blob %s changed after a caller modified an earlier read", round, hash)
			}
			for i := range got {
				got[i] = 'X'
			}
		}
	}
}

func TestApplyDelta(t *testing.T) {
	base := []byte("0123456789abcdef")
	// varint(16) varint(n), then instructions.
	tests := []struct {
		name  string
		delta []byte
		limit int64
		want  string // "" with err
		err   string
	}{
		{"copy all", []byte{16, 16, 0x90, 16}, -1, "0123456789abcdef", ""},
		{"copy offset", []byte{16, 4, 0x91, 10, 4}, -1, "abcd", ""},
		{"insert", []byte{16, 3, 3, 'x', 'y', 'z'}, -1, "xyz", ""},
		{"mixed", []byte{16, 6, 0x91, 2, 3, 3, 'x', 'y', 'z'}, -1, "234xyz", ""},
		{"wrong base size", []byte{15, 1, 1, 'x'}, -1, "", "base of 15 bytes"},
		{"copy out of range", []byte{16, 8, 0x91, 12, 8}, -1, "", "out of range"},
		{"result too long", []byte{16, 2, 3, 'x', 'y', 'z'}, -1, "", "out of range"},
		{"result too short", []byte{16, 5, 3, 'x', 'y', 'z'}, -1, "", "produced 3 bytes"},
		{"truncated insert", []byte{16, 3, 3, 'x'}, -1, "", "out of range"},
		{"truncated copy", []byte{16, 3, 0x91, 2}, -1, "", "truncated copy"},
		{"reserved op", []byte{16, 1, 0}, -1, "", "reserved"},
		{"truncated header", []byte{0x80}, -1, "", "truncated delta header"},
		{"limit stops early", []byte{16, 7, 0x91, 0, 4, 3, 'x', 'y', 'z'}, 2, "0123", ""},
		{"limit past the end", []byte{16, 7, 0x91, 0, 4, 3, 'x', 'y', 'z'}, 100, "0123xyz", ""},
		{"limit zero", []byte{16, 7, 0x91, 0, 4, 3, 'x', 'y', 'z'}, 0, "", ""},
	}
	for _, tc := range tests {
		got, err := applyDelta(base, tc.delta, tc.limit)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

// TestPackEntryCorrupt feeds malformed entry headers to the parser: each
// must be an error, never a panic or an out-of-range read.
func TestPackEntryCorrupt(t *testing.T) {
	pack := func(entry ...byte) *packReader {
		data := append([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x01"), entry...)
		data = append(data, make([]byte, 20)...) // trailer
		return &packReader{data: data, size: int64(len(data)), name: "test", cache: newDeltaCache(0),
			find: func(plumbing.Hash) (int64, bool) { return 0, false }}
	}
	tests := []struct {
		name  string
		entry []byte
		off   int64
		err   string
	}{
		{"type 0", []byte{0x05}, 12, "bad object type"},
		{"type 5", []byte{0x55}, 12, "bad object type"},
		{"offset before entries", []byte{0x35}, 4, "out of range"},
		{"offset in trailer", []byte{0x35}, 40, "out of range"},
		{"endless size", bytes.Repeat([]byte{0xff}, 40), 12, "bad entry header"},
		{"ofs base before pack", []byte{0x65, 0x7f}, 12, "bad base offset"},
		{"ofs base at self", []byte{0x65, 0x00}, 12, "bad base offset"},
		{"ref base missing", append([]byte{0x75}, make([]byte, 20)...), 12, "not in the pack"},
	}
	for _, tc := range tests {
		p := pack(tc.entry...)
		_, _, _, err := p.content(tc.off, -1)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.err)
		}
	}
}

// TestPackEntryStreamFallback: an entry the one-call decoder refuses (here
// a blob whose zlib checksum is cut off, which git's packs never have) is
// read as the stream reads it, as before that decoder; one neither reads
// is an error.
func TestPackEntryStreamFallback(t *testing.T) {
	content := []byte("hello, pack\n")
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(content)
	w.Close()
	stream := z.Bytes()
	pack := func(data []byte) *packReader {
		entry := append([]byte{0x30 | byte(len(content))}, data...) // blob, size < 16
		all := append([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x01"), entry...)
		all = append(all, make([]byte, 20)...) // trailer
		return &packReader{data: all, size: int64(len(all)), name: "test", cache: newDeltaCache(0),
			find: func(plumbing.Hash) (int64, bool) { return 0, false }}
	}
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"whole", stream, true},
		{"no checksum", stream[:len(stream)-4], true},
		{"corrupt", append([]byte{0x78, 0x9c, 0xff}, stream[3:]...), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pack(tc.data)
			var strict inflate.Decoder
			if strictErr := strict.Zlib(make([]byte, len(content)), tc.data); (strictErr == nil) != (tc.name == "whole") {
				t.Fatalf("the one-call decoder says %v: the case does not test the fallback", strictErr)
			}
			_, data, _, err := p.content(12, -1)
			if tc.ok && (err != nil || !bytes.Equal(data, content)) {
				t.Fatalf("content = %q, %v; want %q", data, err, content)
			}
			if !tc.ok && err == nil {
				t.Fatalf("content = %q, want an error", data)
			}
		})
	}
}

// TestDeltaCacheKeepsBlobAsked: a blob read whole, or built from its
// deltas, stays in the delta-base cache. git stores a file's newest
// version whole and older ones as deltas against it, and a history read
// from old to new asks for the newer versions as bases again; before,
// only the bases a read went through were kept, and gin's scan inflated
// 9 MB of its 45 MB twice.
func TestDeltaCacheKeepsBlobAsked(t *testing.T) {
	r := newRepo(t, true)
	h := newHistory()
	var lines []string
	for i := range 12 {
		lines = append(lines, fmt.Sprintf("line %d of a file that grows, with enough text to be a delta base", i))
		var parents []string
		if i > 0 {
			parents = []string{fmt.Sprintf("c%d", i-1)}
		}
		h.commit(fmt.Sprintf("c%d", i), int64(i), parents, put("grow.txt", strings.Join(lines, "\n")+"\n"))
	}
	h.ref("refs/heads/main", "c11")
	h.loadPacked(r)
	r.git("repack", "-a", "-d", "-f", "-q")
	newest := plumbing.NewHash(r.git("rev-parse", "main:grow.txt"))
	older := plumbing.NewHash(r.git("rev-parse", "main~3:grow.txt"))
	s := r.open()
	defer s.Close()
	for _, blob := range []plumbing.Hash{newest, older} {
		if _, _, err := s.ReadBlob(blob, 0); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range s.dirs {
			for _, p := range d.packs {
				if p.pr == nil || !p.idx.Contains(blob) {
					continue
				}
				off, err := p.idx.FindOffset(blob)
				if err != nil {
					t.Fatal(err)
				}
				e, err := p.pr.entry(off)
				if err != nil {
					t.Fatal(err)
				}
				if blob == newest && isDelta(e.typ) {
					t.Fatalf("the newest version is a delta in this pack: the case tests nothing")
				}
				if blob == older && !isDelta(e.typ) {
					t.Fatalf("the older version is whole in this pack: the case tests nothing")
				}
				_, _, found = s.deltas.get(p.pr, off)
			}
		}
		if !found {
			t.Errorf("blob %s (newest: %v) is not in the delta-base cache after a read", blob, blob == newest)
		}
	}
}

func TestDeltaCacheEviction(t *testing.T) {
	c := newDeltaCache(100)
	p := &packReader{}
	if !c.put(p, 1, plumbing.BlobObject, make([]byte, 20)) || !c.put(p, 2, plumbing.BlobObject, make([]byte, 20)) {
		t.Fatal("small entries refused")
	}
	if c.put(p, 3, plumbing.BlobObject, make([]byte, 30)) {
		t.Fatal("an entry over a quarter of the budget was kept")
	}
	c.get(p, 1) // 1 is now the most recent
	for off := int64(10); off < 14; off++ {
		c.put(p, off, plumbing.BlobObject, make([]byte, 20))
	}
	if _, _, ok := c.get(p, 2); ok {
		t.Error("least recently used entry survived")
	}
	if c.used > c.budget {
		t.Errorf("used %d over budget %d", c.used, c.budget)
	}
	c.dropPack(p)
	if c.used != 0 || c.lru.Len() != 0 || len(c.index) != 0 {
		t.Errorf("dropPack left %d bytes, %d entries", c.used, c.lru.Len())
	}
}

// entryKinds counts the entry types of the packs of s.
func entryKinds(t *testing.T, s *Store) map[int]int {
	t.Helper()
	kinds := map[int]int{}
	eachPackEntry(t, s, func(_ *packReader, e packEntry) { kinds[e.typ]++ })
	return kinds
}

// eachPackEntry calls fn with every entry of the packs of s, in index
// order, and the reader of its pack.
func eachPackEntry(tb testing.TB, s *Store, fn func(pr *packReader, e packEntry)) {
	tb.Helper()
	for _, d := range s.dirs {
		if err := d.loadPacks(); err != nil {
			tb.Fatal(err)
		}
		for _, p := range d.packs {
			pr, err := p.open(s.deltas)
			if err != nil {
				tb.Fatal(err)
			}
			for i := range p.idx.Count() {
				_, off, err := p.idx.At(i)
				if err != nil {
					tb.Fatal(err)
				}
				e, err := pr.entry(off)
				if err != nil {
					tb.Fatal(err)
				}
				fn(pr, e)
			}
		}
	}
}

// packPath returns the .pack file of a repository with one pack.
func packPath(t *testing.T, s *Store) string {
	t.Helper()
	for _, d := range s.dirs {
		if err := d.loadPacks(); err != nil {
			t.Fatal(err)
		}
		for _, p := range d.packs {
			return p.dir + "/pack-" + p.hash.String() + ".pack"
		}
	}
	t.Fatal("no pack")
	return ""
}

// TestReadSpansAgainstContent reads random spans of every blob of a pack
// with long delta chains by spans (no base built whole) and compares them
// with the content built in memory; prefix and bytes of a large delta go
// the same way.
func TestReadSpansAgainstContent(t *testing.T) {
	r := newRepo(t, true)
	h := newHistory()
	var lines []string
	for i := range 60 {
		lines = append(lines, fmt.Sprintf("line %d of a file that keeps growing, with some text to delta against", i))
		if i%5 == 0 && len(lines) > 3 {
			lines = append(lines[:1], lines[2:]...) // edits in the middle, not only appends
		}
		content := strings.Join(lines, "\n") + "\n"
		var parents []string
		if i > 0 {
			parents = []string{fmt.Sprintf("c%d", i-1)}
		}
		h.commit(fmt.Sprintf("c%d", i), int64(i), parents,
			put("grow.txt", content),
			put("big.bin", strings.Repeat(fmt.Sprintf("block %d\x00", i%3), 2_000)+content))
	}
	h.ref("refs/heads/main", "c59")
	h.loadPacked(r)
	r.git("repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50")
	want := catAll(t, r)
	s := r.open()
	defer s.Close()
	s.deltas.budget = 0 // no cached bases: every span read goes down the chain
	if err := s.dirs[len(s.dirs)-1].loadPacks(); err != nil {
		t.Fatal(err)
	}
	p := s.dirs[len(s.dirs)-1].packs[0]
	pr, err := p.open(s.deltas)
	if err != nil {
		t.Fatal(err)
	}
	rng := uint64(1)
	next := func(n int64) int64 { // xorshift: deterministic spans
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		if n <= 0 {
			return 0
		}
		return int64(rng % uint64(n))
	}
	deltas := 0
	for hash, w := range want {
		if w.typ != "blob" {
			continue
		}
		off, err := p.idx.FindOffset(hash)
		if err != nil {
			t.Fatal(err)
		}
		e, err := pr.entry(off)
		if err != nil {
			t.Fatal(err)
		}
		if isDelta(e.typ) {
			deltas++
		}
		size := int64(len(w.data))
		spans := []span{{0, size}, {0, min(size, 8000)}, {size, size}}
		for range 6 {
			a := next(size + 1)
			spans = append(spans, span{a, a + next(size-a+1)})
		}
		got, err := pr.readSpans(off, spans, 0)
		if err != nil {
			t.Fatalf("%s: %v", hash, err)
		}
		for i, sp := range spans {
			if !bytes.Equal(got[i], w.data[sp.from:sp.to]) {
				t.Fatalf("%s bytes %d-%d: got %d bytes, not git's", hash, sp.from, sp.to, len(got[i]))
			}
		}
		o, err := pr.object(hash, 100) // everything above 100 bytes counts as large
		if err != nil {
			t.Fatal(err)
		}
		head, _, err := o.prefix(50)
		if err != nil || !bytes.Equal(head, w.data[:min(size, 50)]) {
			t.Fatalf("%s: prefix(50) = %q, %v", hash, head, err)
		}
		all, _, err := o.bytes()
		if err != nil || !bytes.Equal(all, w.data) {
			t.Fatalf("%s: bytes() differs from git's (%v)", hash, err)
		}
		// A chain through a base larger than maxBuilt is read by spans.
		pr.maxBuilt = 64
		typ, built, _, err := pr.content(off, -1)
		pr.maxBuilt = maxBuiltBase
		if err != nil || typ != plumbing.BlobObject || !bytes.Equal(built, w.data) {
			t.Fatalf("%s: content with small bases = %s, %v; differs from git's", hash, typ, err)
		}
	}
	if deltas < 50 {
		t.Fatalf("only %d delta blobs: the pack does not exercise delta spans", deltas)
	}
	if _, err := pr.readSpans(mustOffset(t, p, want), []span{{0, 1 << 40}}, 0); err == nil {
		t.Error("a span past the end of an object was read")
	}
}

// mustOffset returns the pack offset of some blob of want.
func mustOffset(t *testing.T, p *pack, want map[plumbing.Hash]struct {
	typ  string
	data []byte
}) int64 {
	t.Helper()
	for h, w := range want {
		if w.typ == "blob" {
			off, err := p.idx.FindOffset(h)
			if err != nil {
				t.Fatal(err)
			}
			return off
		}
	}
	t.Fatal("no blob")
	return 0
}
