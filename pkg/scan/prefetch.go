package scan

import (
	"context"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/gitstore"
)

// The store serialises every call with one mutex, so two goroutines cannot
// inflate blobs at once. What can run in parallel is reading and matching:
// a producer goroutine walks the commits ahead of the engine, compares each
// with its parents and reads the blobs examine will need, while the engine
// diffs and matches the previous ones.
//
// The prefetch is only a cache: whenever it has nothing for what the engine
// asks (it stopped, failed, skipped a large blob), the engine does the work
// itself, exactly as without it. Findings, their order and errors therefore
// do not depend on it.

const (
	// prefetchQueue bounds the items read ahead.
	prefetchQueue = 32
	// prefetchBytes bounds the blob bytes read ahead and not yet taken by
	// the engine (one item may exceed it when nothing else is queued).
	prefetchBytes = 8 << 20
	// maxPrefetchBlob: larger blobs are left to the engine. Sizes come from
	// the object headers, so a larger blob is never read ahead at all.
	maxPrefetchBlob = 1 << 20
)

// prefetchItem is either the changes of a commit (key == "") or the blobs
// of one file change the engine will examine, keyed as examine keys it.
type prefetchItem struct {
	commit  plumbing.Hash
	changes []fileChange
	key     string
	blobs   map[plumbing.Hash][]byte
	size    int64 // of the new blob, -1 when not read
}

type prefetcher struct {
	items   <-chan prefetchItem
	pending *prefetchItem // received, not yet asked for
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	bytes   byteBudget
}

// byteBudget bounds the bytes of the items in the queue: the producer
// takes bytes before sending an item, the engine gives them back when it
// takes the item.
type byteBudget struct {
	mu   sync.Mutex
	cond *sync.Cond
	used int64
	max  int64
}

// take waits until n bytes fit (or nothing is queued) or ctx is done.
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

// wake lets a waiting producer see that its context is done.
func (b *byteBudget) wake() {
	b.mu.Lock()
	b.cond.Broadcast()
	b.mu.Unlock()
}

// itemBytes is what an item holds against the budget.
func itemBytes(it *prefetchItem) int64 {
	var n int64
	for _, b := range it.blobs {
		n += int64(len(b))
	}
	return n
}

// startPrefetch starts reading ahead for hashes; stop must be called.
func (e *Engine) startPrefetch(ctx context.Context, hashes []plumbing.Hash, commits map[plumbing.Hash]*gitstore.Commit, refs map[plumbing.Hash][]string) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	items := make(chan prefetchItem, prefetchQueue)
	p := &prefetcher{items: items, cancel: cancel}
	p.bytes.max = prefetchBytes
	p.bytes.cond = sync.NewCond(&p.bytes.mu)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(items)
		e.produce(ctx, hashes, commits, refs, items, &p.bytes)
	}()
	return p
}

// stop ends the producer and waits for it.
func (p *prefetcher) stop() {
	p.cancel()
	p.bytes.wake()
	p.wg.Wait()
}

// next returns the next item, or false when the producer has ended.
func (p *prefetcher) next() (prefetchItem, bool) {
	it, ok := p.peek()
	p.pending = nil
	return it, ok
}

// peek returns the next item without taking it. An item received from the
// queue gives its bytes back to the budget: it is the engine's now.
func (p *prefetcher) peek() (prefetchItem, bool) {
	if p.pending == nil {
		it, ok := <-p.items
		if !ok {
			return it, false
		}
		p.bytes.give(itemBytes(&it))
		p.pending = &it
	}
	return *p.pending, true
}

// prefetchedChanges returns the changes of c, read ahead when possible.
func (e *Engine) prefetchedChanges(c *gitstore.Commit) ([]fileChange, error) {
	if p := e.prefetch; p != nil {
		for {
			it, ok := p.next()
			if !ok {
				break
			}
			if it.key == "" && it.commit == c.Hash {
				return it.changes, nil
			}
			// An earlier commit's item the engine did not need: drop it.
		}
	}
	return e.changes(c)
}

// prefetchedSize returns the size of ch's new blob when it was read ahead,
// saving a call into the store (which may wait for the producer).
func (e *Engine) prefetchedSize(ch fileChange) (int64, bool) {
	if e.prefetch == nil {
		return 0, false
	}
	it, ok := e.prefetch.peek()
	if !ok || it.size < 0 || it.key != factsKey(ch) {
		return 0, false
	}
	return it.size, true
}

// prefetchedBlobs returns the blobs read ahead for the file change with
// examine key key, or nil.
func (e *Engine) prefetchedBlobs(key string) map[plumbing.Hash][]byte {
	p := e.prefetch
	if p == nil {
		return nil
	}
	it, ok := p.peek()
	if !ok || it.key != key {
		return nil // not read ahead (or not this one): leave it be
	}
	p.pending = nil
	return it.blobs
}

// produce sends, for every commit in order, its changes and then the blobs
// of each change examine will read for the first time. It stops at the
// first error, leaving the rest to the engine.
func (e *Engine) produce(ctx context.Context, hashes []plumbing.Hash, commits map[plumbing.Hash]*gitstore.Commit, refs map[plumbing.Hash][]string, items chan<- prefetchItem, budget *byteBudget) {
	send := func(it prefetchItem) bool {
		n := itemBytes(&it)
		if !budget.take(ctx, n) {
			return false
		}
		select {
		case items <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	seen := map[string]bool{}
	for _, h := range hashes {
		c := commits[h]
		if e.opts.Provenance == nil && !e.needsFiles(refs[h]) {
			continue
		}
		changes, err := e.changes(c)
		if err != nil || !send(prefetchItem{commit: h, changes: changes}) {
			return
		}
		if !e.needsFiles(refs[h]) {
			continue // provenance needs the paths only, not the blobs
		}
		for _, ch := range changes {
			if ch.Status == gitstore.Deleted || ch.NewMode == filemode.Submodule {
				continue
			}
			key := factsKey(ch)
			if seen[key] {
				continue
			}
			seen[key] = true
			if ctx.Err() != nil {
				return
			}
			blobs, size := e.readAhead(ch)
			if !send(prefetchItem{key: key, blobs: blobs, size: size}) {
				return
			}
		}
	}
}

// readAhead reads the blobs examine will read for ch, skipping large ones
// (by their header size, without reading them) and any it fails to read,
// and returns the new blob's size (-1 when unknown).
func (e *Engine) readAhead(ch fileChange) (map[plumbing.Hash][]byte, int64) {
	limit := min(int64(maxPrefetchBlob), e.opts.MaxFileSize)
	blobs := map[plumbing.Hash][]byte{}
	read := func(h plumbing.Hash) ([]byte, bool) {
		if data, ok := blobs[h]; ok {
			return data, true
		}
		size, err := e.store.BlobSize(h)
		if err != nil || size > limit {
			return nil, false
		}
		data, truncated, err := e.store.ReadBlobShared(h, limit)
		if err != nil || truncated {
			return nil, false
		}
		blobs[h] = data
		return data, true
	}
	size, err := e.store.BlobSize(ch.NewHash)
	if err != nil {
		return blobs, -1
	}
	newer, ok := read(ch.NewHash)
	if !ok || diff.IsBinary(newer) {
		return blobs, size
	}
	e.readAheadBases(ch, read)
	return blobs, size
}

// readAheadBases reads the parent and moved-from versions of ch.
func (e *Engine) readAheadBases(ch fileChange, read func(plumbing.Hash) ([]byte, bool)) {
	var first []byte
	for i, ph := range ch.parentBlobs {
		if ph.IsZero() {
			continue
		}
		if ph == ch.NewHash {
			return
		}
		data, ok := read(ph)
		if !ok {
			return
		}
		if i == 0 {
			first = data
		}
	}
	if len(ch.parentBlobs) == 1 && first == nil {
		for _, h := range ch.movedFrom {
			if _, ok := read(h); !ok {
				return
			}
		}
	}
}

// factsKey is the key of e.facts for ch: its new blob, its parent blobs
// and the blobs it may have been moved from.
func factsKey(ch fileChange) string {
	var kb strings.Builder
	kb.WriteString(ch.NewHash.String())
	for _, p := range ch.parentBlobs {
		kb.WriteString(p.String())
	}
	kb.WriteString("<")
	for _, p := range ch.movedFrom {
		kb.WriteString(p.String())
	}
	return kb.String()
}
