package scan_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/internal/benchrepo"
	"github.com/pushguard/pushguard/pkg/scan"
)

// resultLines renders a result for a readable diff: one line per commit,
// finding and skip, in order.
func resultLines(res *scan.Result) []string {
	var out []string
	for _, c := range res.Commits {
		out = append(out, fmt.Sprintf("commit %s refs=%v added=%d ai=%v/%v", c.Hash, c.Refs, c.AddedLines, c.AI.Detected, c.AI.Tools))
	}
	for _, f := range res.Findings {
		out = append(out, fmt.Sprintf("finding %s %s %s %s %s:%d:%d %q %q supp=%v", f.Rule.ID, f.Kind, f.Commit, f.Ref, f.Path, f.Line, f.Column, f.Match, f.Detail, f.Suppressed))
	}
	for _, s := range res.Skipped {
		out = append(out, fmt.Sprintf("skip %s %s %s", s.Commit, s.Path, s.Reason))
	}
	return out
}

// TestPipelineSameResult: a scan with the pipeline (1, 2 and 8 workers)
// gives exactly the result of a scan on one goroutine (Workers < 0) on a
// generated history with merges, renames, binary and large files and
// secrets: the same commits, findings and skips in the same order, and
// the same error-free run. Run with -race, it also checks that workers
// share nothing they write.
func TestPipelineSameResult(t *testing.T) {
	dir, stats, set, det := generated(t, benchrepo.Options{Seed: 7, Commits: 150, Refs: 5, Large: true})
	store := openStore(t, dir)
	tips := allTips(t, store)
	run := func(workers int) *scan.Result {
		res, err := scan.New(store, set, scan.Options{Provenance: det, Workers: workers}).Run(context.Background(), tips, nil)
		if err != nil {
			t.Fatalf("workers %d: %v", workers, err)
		}
		return res
	}
	want := run(-1)
	if len(want.Findings) == 0 || len(want.Skipped) == 0 || stats.Secrets == 0 {
		t.Fatalf("the history gives %d findings and %d skips (%d secrets): the comparison would prove nothing", len(want.Findings), len(want.Skipped), stats.Secrets)
	}
	for _, workers := range []int{1, 2, 8} {
		got := run(workers)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("workers %d: result differs from the sequential scan (-sequential +pipeline):\n%s", workers, cmp.Diff(resultLines(want), resultLines(got)))
		}
	}
}

// TestPipelineDeadline: a scan whose deadline passes while workers are
// examining files ahead stops with the deadline's error, keeps the
// findings of the commits it finished (a prefix of the full result, in
// the same order) and leaves no goroutine behind.
func TestPipelineDeadline(t *testing.T) {
	dir, _, set, _ := generated(t, benchrepo.Options{Seed: 3, Commits: 120})
	store := openStore(t, dir)
	tips := allTips(t, store)
	full, err := scan.New(store, set, scan.Options{Workers: -1}).Run(context.Background(), tips, nil)
	if err != nil {
		t.Fatal(err)
	}
	full1, err := scan.New(store, set, scan.Options{Workers: 2}).Run(context.Background(), tips, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(full1, full) {
		t.Fatal("the pipeline's full result differs from the sequential one")
	}
	for _, n := range []int{2, 10, 40} {
		// A context that ends when the engine checks it for the n-th time.
		before := runtime.NumGoroutine()
		parent, cancel := context.WithCancel(context.Background())
		ctx := &cancelAfter{Context: parent, cancel: cancel, n: n}
		res, err := scan.New(store, set, scan.Options{Workers: 2}).Run(ctx, tips, nil)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel at check %d: err = %v, want context.Canceled", n, err)
		}
		if !strings.HasPrefix(err.Error(), "scan stopped after ") {
			t.Errorf("err = %q, want the engine's stop message", err)
		}
		if res == nil || len(res.Commits) > len(full.Commits) {
			t.Fatalf("cancel at check %d: result %v", n, res)
		}
		// What was recorded is what the full scan recorded first.
		for i, f := range res.Findings {
			if i >= len(full.Findings) || !reflect.DeepEqual(f, full.Findings[i]) {
				t.Fatalf("cancel at check %d: finding %d differs from the full scan's", n, i)
			}
		}
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := runtime.NumGoroutine(); got > before {
			t.Errorf("cancel at check %d: %d goroutines, %d before the scan", n, got, before)
		}
	}
}
