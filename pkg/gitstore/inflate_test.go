package gitstore

import (
	"bytes"
	stdzlib "compress/zlib"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zlib"

	"github.com/pushguard/pushguard/pkg/inflate"
)

// BenchmarkInflate inflates every object of the generated history (as
// loose objects, zlib streams like pack entries) with the standard
// library's compress/zlib, with klauspost/compress/zlib (odb.go, and
// pack.go where a pack is not mapped or an object is streamed), and with
// pkg/inflate's one-call decoder (pack.go: whole entries of a mapped
// pack). On the gin history (11,296 objects, this 2-core machine under
// load) klauspost took 6.3-8.2 s against 8.7-14.9 s for the standard
// library; on gin's pack entries (36 MB inflated, one run, best of 15)
// the one-call decoder took 134-141 ms against 183-246 ms for klauspost,
// and on this benchmark's 5,026 objects (-benchtime 30x -count 3)
// 11.3-13.1 ms against 17.6-18.7 ms.
func BenchmarkInflate(b *testing.B) {
	br := newBenchRepo(b)
	loose := newRepo(b, true)
	packs, err := filepath.Glob(filepath.Join(br.repo.dir, "objects", "pack", "*.pack"))
	if err != nil || len(packs) == 0 {
		b.Fatalf("no pack: %v", err)
	}
	pack, err := os.ReadFile(packs[0])
	if err != nil {
		b.Fatal(err)
	}
	loose.gitIn(string(pack), "unpack-objects", "-q")
	var streams [][]byte
	err = filepath.WalkDir(filepath.Join(loose.dir, "objects"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && len(filepath.Base(filepath.Dir(p))) == 2 {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			streams = append(streams, data)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	type resetter interface {
		Reset(r io.Reader, dict []byte) error
	}
	run := func(b *testing.B, open func(io.Reader) (io.ReadCloser, error)) {
		var z io.ReadCloser
		var out bytes.Buffer
		var src bytes.Reader
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range streams {
				src.Reset(s)
				if z == nil {
					if z, err = open(&src); err != nil {
						b.Fatal(err)
					}
				} else if err := z.(resetter).Reset(&src, nil); err != nil {
					b.Fatal(err)
				}
				out.Reset()
				if _, err := io.Copy(&out, z); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(streams)), "objects/op")
	}
	b.Run("stdlib", func(b *testing.B) { run(b, stdzlib.NewReader) })
	b.Run("klauspost", func(b *testing.B) { run(b, zlib.NewReader) })
	b.Run("oneshot", func(b *testing.B) {
		// The decoder needs the inflated size, as a pack entry's header
		// gives it: learnt here, outside the timing.
		sizes := make([]int, len(streams))
		for i, s := range streams {
			z, err := stdzlib.NewReader(bytes.NewReader(s))
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, z)
			if err != nil {
				b.Fatal(err)
			}
			sizes[i] = int(n)
		}
		var d inflate.Decoder
		var out []byte
		b.ReportAllocs()
		for b.Loop() {
			for i, s := range streams {
				if cap(out) < sizes[i] {
					out = make([]byte, sizes[i])
				}
				if err := d.Zlib(out[:sizes[i]], s); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(streams)), "objects/op")
	})
}

// BenchmarkInflatePackEntries inflates every entry of the packs of a real
// repository (BENCH_REPO, a bare clone such as gin's; skipped without it)
// with the one-call decoder, as pack.go does for a mapped pack: delta
// entries are inflated too (their delta data), none is applied. On gin
// (11,296 entries, 36 MB inflated; interleaved runs, medians of 8) it
// took 173 ms before decodeBlock refilled inline, 148 ms after.
func BenchmarkInflatePackEntries(b *testing.B) {
	repo := os.Getenv("BENCH_REPO")
	if repo == "" {
		b.Skip("set BENCH_REPO to a bare clone of a real repository")
	}
	s, err := Open(Env{GitDir: repo})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	type entry struct {
		data []byte
		size int64
	}
	var entries []entry
	total := int64(0)
	mapped := true
	eachPackEntry(b, s, func(pr *packReader, e packEntry) {
		if pr.data == nil {
			mapped = false
			return
		}
		entries = append(entries, entry{pr.data[e.data:], e.size})
		total += e.size
	})
	if !mapped {
		b.Skip("pack not mapped")
	}
	var d inflate.Decoder
	var out []byte
	b.SetBytes(total)
	for b.Loop() {
		for _, e := range entries {
			if int64(cap(out)) < e.size {
				out = make([]byte, e.size)
			}
			if err := d.Zlib(out[:e.size], e.data); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(entries)), "entries/op")
}
