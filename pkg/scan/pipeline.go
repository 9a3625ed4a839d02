package scan

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/gitstore"
)

// A long scan keeps every core busy. Run feeds a pipeline:
//
//   - a producer goroutine walks the commits in order, compares each with
//     its parents and queues, for every file change examine would read for
//     the first time in this run, a job: the change and its position, with
//     the blobs examine reads for it (read here: the store serialises
//     reads, so workers reading would wait for each other's reads while a
//     core idles);
//   - GOMAXPROCS workers take the jobs in queue order, each with its own
//     line matcher and differ, and diff and match the added lines, which is
//     most of the work;
//   - the engine itself goes through the commits in order as without the
//     pipeline, and when it reaches a file change that has a job it waits
//     for that job and takes its facts. Everything recorded in the Result
//     (commits, findings, skips, their order) is therefore decided by the
//     engine in commit order, exactly as in a sequential run.
//
// The pipeline is only a cache: a job is computed with the very change the
// engine examines at that position, and whenever the pipeline has nothing
// for what the engine asks (it stopped, the job failed or was cancelled),
// the engine does the work itself exactly as without it. So findings, their
// order and errors do not depend on it.
//
// Memory: at most pipelineAhead items wait for the engine (changes and
// finished facts, which are kept in e.facts anyway), and the jobs read and
// not yet matched hold at most pipelineBytes of blob content at once (one
// job alone may exceed it: a large file is then examined alone, as in a
// sequential run).

const (
	// pipelineAhead bounds the items queued for the engine and the jobs
	// queued for the workers.
	pipelineAhead = 64
	// maxWorkers caps the default number of workers on a large server: the
	// store serialises reads and the engine's own pass over the commits is
	// serial, so more workers than this would mostly wait (and a push
	// would claim every core of the server).
	maxWorkers = 8
	// pipelineBytes bounds the blob bytes the workers hold at once: the new
	// version of each file being examined, counted once per version it is
	// compared with plus once for itself.
	pipelineBytes = 32 << 20
)

// pipeItem is either the changes of a commit (pos < 0) or the job of its
// change at index pos.
type pipeItem struct {
	commit  plumbing.Hash
	pos     int
	changes []fileChange
	job     *factsJob
}

// factsJob is the examination of one file change by a worker. done is
// closed when size, facts and err are set.
type factsJob struct {
	ch    fileChange
	done  chan struct{}
	size  int64
	facts *blobFacts
	err   error
	// in is what the producer read for the job (readInput), nil when it
	// did not; held is the budget it took for it, which the worker gives
	// back.
	in   *blobInput
	held int64
}

type pipeline struct {
	items   <-chan pipeItem
	pending *pipeItem // received, not yet taken
	order   map[plumbing.Hash]int
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	bytes   byteBudget
}

// byteBudget bounds the bytes the workers hold: a worker takes bytes before
// reading a job's blobs and gives them back when the job is done.
type byteBudget struct {
	mu   sync.Mutex
	cond *sync.Cond
	used int64
	max  int64
}

// take waits until n bytes fit (or nothing is held) or ctx is done.
func (b *byteBudget) take(ctx context.Context, n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used > 0 && b.used+n > b.max {
		if ctx.Err() != nil {
			return false
		}
		b.cond.Wait()
	}
	if ctx.Err() != nil {
		return false
	}
	b.used += n
	return true
}

// give returns n bytes.
func (b *byteBudget) give(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// wake lets a waiting worker see that its context is done.
func (b *byteBudget) wake() {
	b.mu.Lock()
	b.cond.Broadcast()
	b.mu.Unlock()
}

// startPipeline starts the producer and the workers for hashes; stop must
// be called. It returns nil (no pipeline: the engine does everything) when
// Options.Workers is negative.
func (e *Engine) startPipeline(ctx context.Context, hashes []plumbing.Hash, commits map[plumbing.Hash]*gitstore.Commit, refs map[plumbing.Hash][]string) *pipeline {
	workers := e.opts.Workers
	if workers < 0 {
		return nil
	}
	if workers == 0 {
		workers = min(runtime.GOMAXPROCS(0), maxWorkers)
	}
	ctx, cancel := context.WithCancel(ctx)
	ahead := min(pipelineAhead, 8*len(hashes)) // a small push: small queues
	items := make(chan pipeItem, ahead)
	work := make(chan *factsJob, ahead)
	p := &pipeline{items: items, cancel: cancel, order: make(map[plumbing.Hash]int, len(hashes))}
	for i, h := range hashes {
		p.order[h] = i
	}
	p.bytes.max = pipelineBytes
	p.bytes.cond = sync.NewCond(&p.bytes.mu)
	p.wg.Add(1 + workers)
	go func() {
		defer p.wg.Done()
		defer close(items)
		defer close(work)
		// A panic here must not kill the process past the hook's recover:
		// the producer just stops, and the engine, which then compares the
		// commits itself, meets the same panic on its own goroutine.
		defer func() { _ = recover() }()
		e.produce(ctx, hashes, commits, refs, items, work, &p.bytes)
	}()
	for range workers {
		w := e.worker()
		go func() {
			defer p.wg.Done()
			for j := range work {
				w.runJob(ctx, j, &p.bytes)
			}
		}()
	}
	return p
}

// stop ends the producer and the workers and waits for them.
func (p *pipeline) stop() {
	if p == nil {
		return
	}
	p.cancel()
	p.bytes.wake()
	p.wg.Wait()
}

// peek returns the next item without taking it, or false when the
// producer has ended.
func (p *pipeline) peek() (*pipeItem, bool) {
	if p.pending == nil {
		it, ok := <-p.items
		if !ok {
			return nil, false
		}
		p.pending = &it
	}
	return p.pending, true
}

// before reports whether item it comes before position pos of commit c in
// the engine's order (it is for something the engine has passed).
func (p *pipeline) before(it *pipeItem, c plumbing.Hash, pos int) bool {
	if it.commit == c {
		return it.pos < pos
	}
	return p.order[it.commit] < p.order[c]
}

// take returns the item at position pos of commit c (-1: its changes),
// dropping the items before it the engine did not need, or nil when the
// pipeline has none for it.
func (p *pipeline) take(c plumbing.Hash, pos int) *pipeItem {
	for {
		it, ok := p.peek()
		if !ok {
			return nil
		}
		if it.commit == c && it.pos == pos {
			p.pending = nil
			return it
		}
		if !p.before(it, c, pos) {
			return nil // for later: leave it be
		}
		p.pending = nil
	}
}

// prefetchedChanges returns the changes of c, from the pipeline when it
// compared c already.
func (e *Engine) prefetchedChanges(c *gitstore.Commit) ([]fileChange, error) {
	if p := e.pipe; p != nil {
		if it := p.take(c.Hash, -1); it != nil {
			return it.changes, nil
		}
	}
	changes, err := e.changes(c)
	numberChanges(changes)
	return changes, err
}

// numberChanges sets each change's position.
func numberChanges(changes []fileChange) {
	for i := range changes {
		changes[i].pos = i
	}
}

// fileFacts returns the size of ch's new blob (a change of commit c that
// is neither a deletion nor a submodule) and what examine learns about it:
// from the pipeline when a worker examined it without error, otherwise by
// examining it here.
func (e *Engine) fileFacts(ctx context.Context, c *gitstore.Commit, ch fileChange) (int64, *blobFacts, error) {
	if p := e.pipe; p != nil {
		if it := p.take(c.Hash, ch.pos); it != nil && it.job != nil {
			j := it.job
			<-j.done
			if j.err == nil {
				key := factsKey(ch)
				f, ok := e.facts[key] // learnt by an earlier Run
				if !ok {
					f = j.facts
					e.facts[key] = f
				}
				return j.size, f, nil
			}
			// Failed or cancelled: do it here, with the errors a
			// sequential run reports.
		}
	}
	size, err := e.store.BlobSize(ch.NewHash)
	if err != nil {
		return 0, nil, fmt.Errorf("size of %s in commit %s: %w", ch.Path, c.Hash, err)
	}
	facts, err := e.examine(ctx, ch, size)
	if err != nil {
		return 0, nil, fmt.Errorf("read %s in commit %s: %w", ch.Path, c.Hash, err)
	}
	return size, facts, nil
}

// produce queues, for every commit in order that needs its changes, the
// changes and then a job for each change examine will read for the first
// time. It stops at the first error, leaving the rest to the engine.
func (e *Engine) produce(ctx context.Context, hashes []plumbing.Hash, commits map[plumbing.Hash]*gitstore.Commit, refs map[plumbing.Hash][]string, items chan<- pipeItem, work chan<- *factsJob, budget *byteBudget) {
	send := func(it pipeItem) bool {
		select {
		case items <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	seen := map[string]bool{}
	for _, h := range hashes {
		needsFiles := e.needsFiles(refs[h])
		if e.opts.Provenance == nil && !needsFiles {
			continue
		}
		changes, err := e.changes(commits[h])
		if err != nil {
			return
		}
		numberChanges(changes)
		if !send(pipeItem{commit: h, pos: -1, changes: changes}) {
			return
		}
		if !needsFiles {
			continue // provenance needs the paths only, not the blobs
		}
		for i, ch := range changes {
			if ch.Status == gitstore.Deleted || ch.NewMode == filemode.Submodule {
				continue
			}
			key := factsKey(ch)
			if seen[key] {
				continue
			}
			seen[key] = true
			j := &factsJob{ch: ch, done: make(chan struct{})}
			if !e.readJob(ctx, j, budget) {
				return
			}
			select {
			case work <- j:
			case <-ctx.Done():
				budget.give(j.held)
				return
			}
			if !send(pipeItem{commit: h, pos: i, job: j}) {
				return
			}
		}
	}
}

// worker returns an engine for one pipeline worker: the same store, rules
// and options, its own matcher and differ, and none of the state of a run
// (facts, findings, notes), which only the engine itself touches.
func (e *Engine) worker() *Engine {
	return &Engine{
		store:     e.store,
		rules:     e.rules,
		opts:      e.opts,
		matcher:   e.rules.NewLineMatcher(),
		allowRule: e.allowRule,
		secret:    e.secret,
	}
}

// readJob reads the blobs of j (readInput) within the byte budget, for a
// worker to match. The store serialises reads: when the workers read, each
// waits for the other's reads, and a core idles; the producer reading
// ahead in commit order leaves the workers only the matching. A read error
// becomes the job's error (the engine then examines the change itself and
// reports it). It returns false when ctx is done.
func (e *Engine) readJob(ctx context.Context, j *factsJob, budget *byteBudget) bool {
	if j.size, j.err = e.store.BlobSize(j.ch.NewHash); j.err != nil {
		return true
	}
	n := e.jobBytes(j)
	if !budget.take(ctx, n) {
		return false
	}
	j.held = n
	if j.in, j.err = e.readInput(j.ch, j.size); j.err != nil {
		budget.give(n)
		j.held = 0
	}
	return true
}

// jobBytes is the budget j takes: the new version of its file, counted
// once per version it is compared with plus once for itself.
func (e *Engine) jobBytes(j *factsJob) int64 {
	return min(j.size, e.opts.MaxFileSize) * int64(1+len(j.ch.parentBlobs)+len(j.ch.movedFrom))
}

// runJob examines the file change of j within the byte budget: it matches
// what the producer read, or reads it first. A panic becomes the job's
// error: the engine then examines the change itself and meets the panic on
// its own goroutine, where the hook recovers it.
func (w *Engine) runJob(ctx context.Context, j *factsJob, budget *byteBudget) {
	defer close(j.done)
	defer func() {
		if p := recover(); p != nil {
			j.facts, j.err = nil, fmt.Errorf("examine %s: panic: %v", j.ch.Path, p)
		}
	}()
	defer func() { budget.give(j.held) }()
	if j.err != nil {
		return // reading failed: the engine reads again and reports it
	}
	if j.err = ctx.Err(); j.err != nil {
		return
	}
	if j.in == nil {
		if j.size, j.err = w.store.BlobSize(j.ch.NewHash); j.err != nil {
			return
		}
		n := w.jobBytes(j)
		if !budget.take(ctx, n) {
			j.err = ctx.Err()
			return
		}
		j.held = n
		if j.in, j.err = w.readInput(j.ch, j.size); j.err != nil {
			return
		}
	}
	j.facts, j.err = w.matchInput(ctx, j.ch, j.in)
	j.in = nil // the blobs are no longer needed
}

// factsKey is the key of e.facts for ch: its new blob, its parent blobs
// and the blobs it may have been moved from.
func factsKey(ch fileChange) string {
	// The raw hashes (hex would cost an encoding per hash and per call),
	// after the number of parent blobs, so that no two lists share a key.
	var kb strings.Builder
	kb.Grow(binary.MaxVarintLen64 + (1+len(ch.parentBlobs)+len(ch.movedFrom))*len(ch.NewHash))
	var n [binary.MaxVarintLen64]byte
	kb.Write(binary.AppendUvarint(n[:0], uint64(len(ch.parentBlobs))))
	kb.Write(ch.NewHash[:])
	for _, p := range ch.parentBlobs {
		kb.Write(p[:])
	}
	for _, p := range ch.movedFrom {
		kb.Write(p[:])
	}
	return kb.String()
}
