package scan_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/internal/benchrepo"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/rules"
)

// benchCommits is the size of the generated history; 500 commits keep one
// iteration well under a second.
const benchCommits = 500

// generated makes a history with benchrepo in a temporary directory and
// loads the embedded rules and AI-tool markers, as `pushguard scan` does.
func generated(tb testing.TB, o benchrepo.Options) (dir string, stats benchrepo.Stats, set *ruleset.Set, det *provenance.Detector) {
	tb.Helper()
	dir = filepath.Join(tb.TempDir(), "repo.git")
	stats, err := benchrepo.Create(dir, o)
	if err != nil {
		tb.Fatal(err)
	}
	rs, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		tb.Fatal(err)
	}
	specs, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		tb.Fatal(err)
	}
	if det, err = provenance.Compile(specs); err != nil {
		tb.Fatal(err)
	}
	return dir, stats, ruleset.NewSet(rs), det
}

// benchSetup is the history of the benchmarks: benchCommits commits.
func benchSetup(b *testing.B) (dir string, set *ruleset.Set, det *provenance.Detector) {
	b.Helper()
	dir, _, set, det = generated(b, benchrepo.Options{Seed: 1, Commits: benchCommits})
	return dir, set, det
}

// openStore opens the repository at dir for the rest of the test.
func openStore(tb testing.TB, dir string) *gitstore.Store {
	tb.Helper()
	store, err := gitstore.Open(gitstore.Env{GitDir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// allTips lists every ref of store as a tip, as `scan --all` does.
func allTips(tb testing.TB, store *gitstore.Store) []scan.Tip {
	tb.Helper()
	refs, err := store.Refs()
	if err != nil {
		tb.Fatal(err)
	}
	var tips []scan.Tip
	for _, r := range refs {
		tips = append(tips, scan.Tip{Ref: r.Name, Hash: r.Hash})
	}
	return tips
}

// BenchmarkEngineRun scans the whole generated history with the embedded
// rules: "cold" opens the repository each time (empty object cache, as the
// hook and `scan` run), "warm" reuses one store. "workers=seq" runs on one
// goroutine (Options.Workers < 0), "workers=auto" with the pipeline on
// GOMAXPROCS workers (pipeline.go). Besides wall time per op, each reports
// cpu-ns/op (user + system time of the process) and cores (CPU / wall): how
// many cores the scan kept busy.
func BenchmarkEngineRun(b *testing.B) {
	dir, set, det := benchSetup(b)
	run := func(b *testing.B, store *gitstore.Store, workers int) *scan.Result {
		res, err := scan.New(store, set, scan.Options{Provenance: det, Workers: workers}).Run(context.Background(), allTips(b, store), nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Commits) < benchCommits {
			b.Fatalf("scanned %d commits, want at least %d", len(res.Commits), benchCommits)
		}
		return res
	}
	for _, w := range []struct {
		name    string
		workers int
	}{{"seq", -1}, {"auto", 0}} {
		b.Run("cache=cold/workers="+w.name, func(b *testing.B) {
			b.ReportAllocs()
			var res *scan.Result
			cpu0 := cpuTime()
			for b.Loop() {
				store, err := gitstore.Open(gitstore.Env{GitDir: dir})
				if err != nil {
					b.Fatal(err)
				}
				res = run(b, store, w.workers)
				store.Close()
			}
			reportCPU(b, cpu0)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(res.Commits)), "ns/commit")
		})
		b.Run("cache=warm/workers="+w.name, func(b *testing.B) {
			store, err := gitstore.Open(gitstore.Env{GitDir: dir})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				run(b, store, w.workers)
			}
			reportCPU(b, cpu0)
		})
	}
}

// reportCPU reports the process CPU time since cpu0 per op, and the cores
// it kept busy, when the platform tells CPU time.
func reportCPU(b *testing.B, cpu0 int64) {
	cpu := cpuTime()
	if cpu0 < 0 || cpu < 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(cpu-cpu0)/float64(b.N), "cpu-ns/op")
	if wall := b.Elapsed().Nanoseconds(); wall > 0 {
		b.ReportMetric(float64(cpu-cpu0)/float64(wall), "cores")
	}
}

// BenchmarkEngineOneCommit scans the newest commit only, excluding its
// parent: the shape of a typical push.
func BenchmarkEngineOneCommit(b *testing.B) {
	dir, set, det := benchSetup(b)
	store, err := gitstore.Open(gitstore.Env{GitDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	tip, err := store.Resolve("refs/heads/main")
	if err != nil {
		b.Fatal(err)
	}
	c, err := store.Commit(tip)
	if err != nil {
		b.Fatal(err)
	}
	exclude := []plumbing.Hash{c.Parents[0]}
	b.ReportAllocs()
	for b.Loop() {
		res, err := scan.New(store, set, scan.Options{Provenance: det}).Run(context.Background(), []scan.Tip{{Ref: "refs/heads/main", Hash: tip}}, exclude)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Commits) != 1 {
			b.Fatalf("scanned %d commits, want 1", len(res.Commits))
		}
	}
}
