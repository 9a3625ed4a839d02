package audit

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
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

// millionLog writes a log of n events as a fleet writes them: 200
// repositories, pushes of 1 to 4 commits (some AI-assisted, with added
// line counts), one in ten with findings, one in twenty with a
// suppression, some bypasses, and a landed record after most accepted
// pushes.
func millionLog(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), "audit.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		e := Event{Time: start.Add(time.Duration(i) * 3 * time.Second), Platform: "gitlab",
			Repo: "group-" + strconv.Itoa(i%7) + "/repo-" + strconv.Itoa(i%200), Pusher: "user" + strconv.Itoa(i%97),
			Protocol: "ssh", Mode: ModeEnforce, RulesetVersion: "embedded", Version: "1.2.0", PostReceive: i%2 == 0,
			Refs: []Ref{{Name: "refs/heads/main", Old: strings.Repeat("1", 40), New: strconv.Itoa(i) + strings.Repeat("2", 32)}}}
		for c := 0; c <= i%4; c++ {
			if (i+c)%3 == 0 {
				e.AddCommit([]string{"claude-code"})
				e.AddLines(10*(i%7+1), true)
			} else {
				e.AddCommit(nil)
				e.AddLines(5*(i%5+1), false)
			}
		}
		e.Decision = DecisionAccepted
		switch {
		case i%10 == 0:
			e.AddFinding("aws-access-key", SeverityBlock)
			e.Decision = DecisionRejected
		case i%10 == 1:
			e.AddFinding("todo", "info")
		case i%20 == 2:
			e.AddSuppression(Suppression{Rule: "generic-api-key", Commit: e.Refs[0].New, Path: "test/keys.go", Line: 3, Reason: "fixture"})
		case i%50 == 3:
			e.AddFinding("private-key", SeverityBlock)
			e.Bypass = &Bypass{Used: true, Reason: "INC-1 revoked"}
			e.Decision = DecisionWarned
		}
		line, err := e.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		w.Write(line)
		if e.PostReceive && e.Decision != DecisionRejected {
			l := Landed{Time: e.Time.Add(time.Second), Platform: e.Platform, Repo: e.Repo, Pusher: e.Pusher, Refs: e.Refs, Version: "1.2.0"}
			line, _ := l.Marshal()
			w.Write(line)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkStatsMillion summarises one million push events (and their
// landed records) read from a file: what "pushguard stats" does for a
// fleet's month.
func BenchmarkStatsMillion(b *testing.B) {
	path := millionLog(b, 1_000_000)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		srcs, cl, err := OpenLogs([]string{path})
		if err != nil {
			b.Fatal(err)
		}
		s, err := ComputeStatsSources(srcs, StatsOptions{})
		cl.Close()
		if err != nil {
			b.Fatal(err)
		}
		if s.Pushes != 1_000_000 || s.Malformed != 0 {
			b.Fatalf("%d pushes, %d malformed", s.Pushes, s.Malformed)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/event")
}
