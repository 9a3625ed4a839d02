package provenance

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"
)

// ginCommits reads testdata/gin-commits.gz: the 2,063 commits of a bare
// clone of github.com/gin-gonic/gin (every branch and tag, oldest first),
// as Detect reads them during `pushguard scan --all`. It was made with
//
//	git -C gin.git log --all --reverse \
//	  --format='%x1e%B%x00%an%x00%ae%x00%cn%x00%ce%x00' \
//	  --name-only --no-renames --diff-merges=first-parent | gzip -9n
//
// Each record is RS, the raw message, then NUL-terminated author name,
// author email, committer name and committer email, then the changed
// paths one a line. Every commit is given the branch refs/heads/master.
func ginCommits(tb testing.TB) []Input {
	tb.Helper()
	f, err := os.Open("testdata/gin-commits.gz")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("gin-commits.gz: %v", err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("gin-commits.gz: %v", err)
	}
	var out []Input
	for _, rec := range bytes.Split(data, []byte{0x1e})[1:] {
		f := strings.Split(string(rec), "\x00")
		if len(f) != 6 {
			tb.Fatalf("gin-commits.gz: record %d has %d fields, want 6", len(out), len(f))
		}
		in := Input{
			Message: f[0], AuthorName: f[1], AuthorEmail: f[2], CommitterName: f[3], CommitterEmail: f[4],
			Refs: []string{"refs/heads/master"},
		}
		for _, p := range strings.Split(f[5], "\n") {
			if p != "" {
				in.Paths = append(in.Paths, p)
			}
		}
		out = append(out, in)
	}
	if len(out) != 2063 {
		tb.Fatalf("gin-commits.gz: %d commits, want 2063", len(out))
	}
	return out
}

// BenchmarkDetectGin classifies every commit of gin's history with the
// shipped markers, as `pushguard scan --all` does: one op is 2,063
// commits. "cold" starts each op with an empty identity cache, as one scan
// does; "warm" keeps it from op to op (a long-lived Detector).
func BenchmarkDetectGin(b *testing.B) {
	d := mustDefault(b)
	commits := ginCommits(b)
	for _, warm := range []bool{false, true} {
		name := "cold"
		if warm {
			name = "warm"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !warm {
					d.idents.reset()
				}
				for i := range commits {
					d.Detect(commits[i])
				}
			}
		})
	}
}
