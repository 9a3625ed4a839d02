package audit

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"testing"
)

// benchEvent is a typical rejected push: two refs, a dozen commits, a few
// findings and suppressions.
func benchEvent() Event {
	e := sampleEvent()
	e.Refs = append(e.Refs, Ref{Name: "refs/heads/feature", Old: e.Refs[0].Old, New: e.Refs[0].New, Decision: DecisionRejected, Blocking: 1})
	for i := 0; i < 10; i++ {
		e.AddCommit([]string{"claude"})
	}
	for i := 0; i < 5; i++ {
		e.AddSuppression(Suppression{Rule: "generic-api-key", Commit: e.Refs[0].New, Path: "test/fixtures/f" + strconv.Itoa(i) + ".go", Line: i + 1, Reason: "test fixture"})
	}
	return e
}

func BenchmarkMarshal(b *testing.B) {
	e := benchEvent()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileWrite is one hook's audit write with the lock free: lock,
// fstat, append, unlock.
func BenchmarkFileWrite(b *testing.B) {
	l, err := Open(Options{Destination: File, Path: filepath.Join(b.TempDir(), "audit.jsonl")})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := benchEvent()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := l.WriteContext(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputeStats reads a log of 10,000 events.
func BenchmarkComputeStats(b *testing.B) {
	var buf bytes.Buffer
	l := New(&buf)
	e := benchEvent()
	for i := 0; i < 10000; i++ {
		e.Repo = "group/repo-" + strconv.Itoa(i%50)
		if err := l.Write(e); err != nil {
			b.Fatal(err)
		}
	}
	log := buf.Bytes()
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ComputeStats(bytes.NewReader(log), StatsOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
