package scan

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
)

// TestRunJobPanic: a panic in a worker becomes the job's error (done is
// closed, the budget given back) instead of killing the process past the
// hook's recover; the engine then redoes the job on its own goroutine.
func TestRunJobPanic(t *testing.T) {
	w := &Engine{opts: Options{MaxFileSize: DefaultMaxFileSize}} // no store: BlobSize panics
	budget := &byteBudget{max: 100}
	budget.cond = sync.NewCond(&budget.mu)
	j := &factsJob{
		ch:   fileChange{Change: gitstore.Change{Path: "a.txt", NewHash: plumbing.NewHash("1111111111111111111111111111111111111111")}},
		done: make(chan struct{}),
	}
	w.runJob(context.Background(), j, budget)
	select {
	case <-j.done:
	default:
		t.Fatal("done not closed after a panic")
	}
	if j.err == nil || !strings.Contains(j.err.Error(), "panic") || j.facts != nil {
		t.Errorf("err = %v, facts = %v; want a panic error and no facts", j.err, j.facts)
	}
	if budget.used != 0 {
		t.Errorf("budget holds %d bytes after the job", budget.used)
	}
}

// TestPipelineTake: the engine takes the item at its position, drops the
// ones before it it did not need, and leaves later ones queued.
func TestPipelineTake(t *testing.T) {
	a, b := plumbing.NewHash("aa"), plumbing.NewHash("bb")
	items := make(chan pipeItem, 8)
	for _, it := range []pipeItem{{commit: a, pos: -1}, {commit: a, pos: 0}, {commit: a, pos: 2}, {commit: b, pos: -1}, {commit: b, pos: 1}} {
		items <- it
	}
	close(items)
	p := &pipeline{items: items, order: map[plumbing.Hash]int{a: 0, b: 1}}
	for _, tc := range []struct {
		commit plumbing.Hash
		pos    int
		found  bool
	}{
		{a, -1, true}, // a's changes
		{a, 1, false}, // a:0 dropped (not needed), a:2 is later: kept
		{a, 2, true},  // taken
		{b, 0, false}, // b's changes were never asked for: dropped; b:1 kept
		{b, 1, true},  // taken
		{b, 2, false}, // the queue is empty
	} {
		it := p.take(tc.commit, tc.pos)
		if (it != nil) != tc.found || it != nil && (it.commit != tc.commit || it.pos != tc.pos) {
			t.Fatalf("take(%s, %d) = %+v, want found=%v", tc.commit, tc.pos, it, tc.found)
		}
	}
}
