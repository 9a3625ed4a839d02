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
	// maxPrefetchBlob: larger blobs are left to the engine, bounding the
	// memory held by the queue.
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
}

// startPrefetch starts reading ahead for hashes; stop must be called.
func (e *Engine) startPrefetch(ctx context.Context, hashes []plumbing.Hash, commits map[plumbing.Hash]*gitstore.Commit, refs map[plumbing.Hash][]string) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	items := make(chan prefetchItem, prefetchQueue)
	p := &prefetcher{items: items, cancel: cancel}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(items)
		e.produce(ctx, hashes, commits, refs, items)
	}()
	return p
}

// stop ends the producer and waits for it.
func (p *prefetcher) stop() {
	p.cancel()
	p.wg.Wait()
}

// next returns the next item, or false when the producer has ended.
func (p *prefetcher) next() (prefetchItem, bool) {
	it, ok := p.peek()
	p.pending = nil
	return it, ok
}

// peek returns the next item without taking it.
func (p *prefetcher) peek() (prefetchItem, bool) {
	if p.pending == nil {
		it, ok := <-p.items
		if !ok {
			return it, false
		}
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
func (e *Engine) produce(ctx context.Context, hashes []plumbing.Hash, commits map[plumbing.Hash]*gitstore.Commit, refs map[plumbing.Hash][]string, items chan<- prefetchItem) {
	send := func(it prefetchItem) bool {
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
			blobs := e.readAhead(ch)
			size := int64(-1)
			if data, ok := blobs[ch.NewHash]; ok {
				size = int64(len(data))
			}
			if !send(prefetchItem{key: key, blobs: blobs, size: size}) {
				return
			}
		}
	}
}

// readAhead reads the blobs examine will read for ch, skipping large ones
// and any it fails to read.
func (e *Engine) readAhead(ch fileChange) map[plumbing.Hash][]byte {
	// A blob over the limit is read no further than the limit, and
	// dropped: examine reads it again, as it would without prefetch.
	limit := min(int64(maxPrefetchBlob), e.opts.MaxFileSize)
	blobs := map[plumbing.Hash][]byte{}
	read := func(h plumbing.Hash) ([]byte, bool) {
		if data, ok := blobs[h]; ok {
			return data, true
		}
		data, truncated, err := e.store.ReadBlob(h, limit)
		if err != nil || truncated {
			return nil, false
		}
		blobs[h] = data
		return data, true
	}
	newer, ok := read(ch.NewHash)
	if !ok || diff.IsBinary(newer) {
		return blobs
	}
	var first []byte
	for i, ph := range ch.parentBlobs {
		if ph.IsZero() {
			continue
		}
		if ph == ch.NewHash {
			return blobs
		}
		data, ok := read(ph)
		if !ok {
			return blobs
		}
		if i == 0 {
			first = data
		}
	}
	if len(ch.parentBlobs) == 1 && first == nil {
		for _, h := range ch.movedFrom {
			if _, ok := read(h); !ok {
				return blobs
			}
		}
	}
	return blobs
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
