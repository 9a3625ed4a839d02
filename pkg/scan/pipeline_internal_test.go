package scan

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// mustRules is one content rule matching "TODO-SECRET" after "token".
func mustRules(t *testing.T) []*ruleset.Rule {
	t.Helper()
	rs, err := ruleset.Parse("t.yml", []byte("rules:\n  - {id: t, severity: warn, message: m, content: {regex: 'TODO-SECRET', keywords: [token]}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

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

// TestRunJobRead: a worker matches what the producer read (no store
// access: the engine has none here) and gives back the budget the producer
// took; a job whose reading failed is closed with that error.
func TestRunJobRead(t *testing.T) {
	set := ruleset.NewSet(mustRules(t))
	w := &Engine{opts: Options{MaxFileSize: DefaultMaxFileSize}, rules: set, matcher: set.NewLineMatcher()}
	budget := &byteBudget{max: 100}
	budget.cond = sync.NewCond(&budget.mu)
	ch := fileChange{Change: gitstore.Change{Path: "a.txt", NewHash: plumbing.NewHash("1111111111111111111111111111111111111111")}}
	newer := []byte("one\ntoken TODO-SECRET\n")
	j := &factsJob{ch: ch, done: make(chan struct{}), held: 60,
		in: &blobInput{f: &blobFacts{}, match: true, newer: newer, parents: [][]byte{[]byte("one\n")}}}
	budget.used = 60
	w.runJob(context.Background(), j, budget)
	<-j.done
	if j.err != nil || j.facts == nil || j.facts.added != 1 || len(j.facts.matches) != 1 {
		t.Fatalf("err = %v, facts = %+v; want one added line with one match", j.err, j.facts)
	}
	if budget.used != 0 {
		t.Errorf("budget holds %d bytes after the job", budget.used)
	}
	failed := &factsJob{ch: ch, done: make(chan struct{}), err: errors.New("read failed")}
	w.runJob(context.Background(), failed, budget)
	<-failed.done
	if failed.err == nil || failed.facts != nil {
		t.Errorf("failed read: err = %v, facts = %v", failed.err, failed.facts)
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
