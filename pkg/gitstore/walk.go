package gitstore

import (
	"bytes"
	"container/heap"
	"fmt"
	"maps"
	"runtime"
	"strconv"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

const (
	// skewSlop: after every queued commit is OLD, the walk goes on while
	// the newest queued commit is no more than this older than the oldest
	// NEW commit seen (seconds). With clock skew below it the result is
	// exact.
	skewSlop = 24 * 60 * 60
	// slopCommits: like git's SLOP, the walk also pops at least this many
	// OLD commits in a row, in date order, after the last NEW one, whatever
	// their dates. This catches a skewed old tip that sits far in the past.
	slopCommits = 5
	// maxSlopCommits caps the OLD commits popped past the point where every
	// queued commit is OLD. A NEW commit with a committer date far in the
	// past (an imported history, a forged date) would otherwise drag the
	// window over the whole excluded history. Past the cap, skew can only
	// make the result list an old commit as new.
	maxSlopCommits = 10000
)

// walkNode is a commit met by the NewCommits walk.
type walkNode struct {
	hash         plumbing.Hash
	time         int64
	parentHashes []plumbing.Hash
	parents      []*walkNode // set once popped
	seq          int         // insertion order, breaks ties between equal times
	old          bool
	queued       bool
	popped       bool
}

// NewCommits returns the commits reachable from tips and from none of
// exclude, parents before children, like
// `git rev-list --topo-order --reverse TIPS --not EXCLUDE`.
//
// Tips and excludes may be annotated tags (peeled) or zero hashes (ignored,
// as for a deleted ref); objects that do not peel to a commit are ignored.
// A missing object is an error naming its hash.
//
// It is a paint walk: commits are popped newest first by committer time,
// tips painted NEW and excludes OLD, OLD spreading to parents (and, when it
// reaches a commit already popped, to that commit's popped ancestors
// again). It stops once every queued commit is OLD, so only the part of the
// excluded history that is newer than the new commits is read. To guard
// against clock skew it keeps going past that point while the newest queued
// commit is not older than the oldest NEW commit minus one day, and for at
// least 5 OLD commits in date order (at most 10000 OLD commits in all past
// that point). A commit that skew still hides is reported as new when it is
// not (an extra commit scanned), never the reverse: every commit reachable
// from a tip and no exclude is returned.
//
// Among commits whose parents are already listed, the oldest committer time
// comes first (then the hash), so the order is deterministic.
func (s *Store) NewCommits(tips, exclude []plumbing.Hash) ([]plumbing.Hash, error) {
	hashes, _, err := s.newCommits(tips, exclude, false)
	return hashes, err
}

// NewCommitsRead is NewCommits that also returns commits of the list
// already decoded, as Commit would return them. A long walk (from
// DecodeWhileWalking commits on) hands each commit it reads to goroutines
// that decode it while the walk goes on, on the cores the walk leaves
// idle. The map may lack any commit (a short walk, one the commit-graph
// answered, one that failed to decode): Commit reads those, and gives any
// error. It holds only what the walk read, including excluded commits.
func (s *Store) NewCommitsRead(tips, exclude []plumbing.Hash) ([]plumbing.Hash, map[plumbing.Hash]*Commit, error) {
	return s.newCommits(tips, exclude, true)
}

// DecodeWhileWalking is the number of commits a NewCommitsRead walk reads
// before it starts decoding them on other goroutines: a push of a few
// commits does not pay for them.
const DecodeWhileWalking = 256

func (s *Store) newCommits(tips, exclude []plumbing.Hash, read bool) ([]plumbing.Hash, map[plumbing.Hash]*Commit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	w := &walker{s: s, nodes: make(map[plumbing.Hash]*walkNode)}
	if read {
		w.dec = &decoders{}
		defer w.dec.stop() // on every return: the goroutines end
	}
	hashes, err := w.list(tips, exclude)
	if err != nil || w.dec == nil {
		return hashes, nil, err
	}
	return hashes, w.dec.stop(), nil
}

// list walks from tips and exclude (NewCommits).
func (w *walker) list(tips, exclude []plumbing.Hash) ([]plumbing.Hash, error) {
	for _, h := range exclude {
		n, err := w.start(h)
		if err != nil {
			return nil, fmt.Errorf("exclude %s: %w", h, err)
		}
		if n != nil {
			w.markOld(n)
		}
	}
	for _, h := range tips {
		if _, err := w.start(h); err != nil {
			return nil, fmt.Errorf("tip %s: %w", h, err)
		}
	}
	if err := w.run(); err != nil {
		return nil, err
	}
	return w.ordered(), nil
}

// decoders decode the commits a walk reads, on other goroutines. Until
// DecodeWhileWalking commits are read they are only kept; then the
// goroutines start, and take them and every later one in batches (one
// hand-over per commit would cost the walk more than the decoding saves).
// The data is the Store's cached copy, which nothing modifies, so the
// goroutines read it without the Store's lock.
type decoders struct {
	batch   []rawCommit
	work    chan []rawCommit // nil until started, and once stopped
	results []map[plumbing.Hash]*Commit
	wg      sync.WaitGroup
}

// decodeBatch is the number of commits handed over at once.
const decodeBatch = 64

// rawCommit is a commit's hash and content.
type rawCommit struct {
	h    plumbing.Hash
	data []byte
}

// add hands the content of commit h to the decoders.
func (d *decoders) add(h plumbing.Hash, data []byte) {
	d.batch = append(d.batch, rawCommit{h, data})
	switch {
	case d.work != nil && len(d.batch) >= decodeBatch:
		d.work <- d.batch
		d.batch = make([]rawCommit, 0, decodeBatch)
	case d.work == nil && len(d.batch) >= DecodeWhileWalking:
		d.start()
		d.work <- d.batch
		d.batch = make([]rawCommit, 0, decodeBatch)
	}
}

// start starts the goroutines, one per core the walk leaves.
func (d *decoders) start() {
	n := max(runtime.GOMAXPROCS(0)-1, 1)
	work := make(chan []rawCommit, 4) // the goroutines' own: stop clears d.work
	d.work = work
	d.results = make([]map[plumbing.Hash]*Commit, n)
	for i := range n {
		got := make(map[plumbing.Hash]*Commit)
		d.results[i] = got
		d.wg.Go(func() {
			for batch := range work {
				for _, c := range batch {
					if dc := decodeQuietly(c); dc != nil {
						got[c.h] = dc
					}
				}
			}
		})
	}
}

// decodeQuietly decodes c, or returns nil when it fails or panics (a
// decoder meeting hostile content): Commit reads that one again and
// reports its error.
func decodeQuietly(c rawCommit) (out *Commit) {
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	dc, err := decodeCommit(c.h, c.data)
	if err != nil {
		return nil
	}
	return dc
}

// stop waits for the goroutines and returns what they decoded: nil when
// they never started, or when stop ran already (then it only returns).
func (d *decoders) stop() map[plumbing.Hash]*Commit {
	if d.work == nil {
		return nil
	}
	d.work <- d.batch
	d.batch = nil
	close(d.work)
	d.work = nil
	d.wg.Wait()
	all := d.results[0]
	for _, m := range d.results[1:] {
		maps.Copy(all, m)
	}
	d.results = nil
	return all
}

type walker struct {
	s        *Store
	dec      *decoders // nil: commits read are not decoded
	nodes    map[plumbing.Hash]*walkNode
	queue    nodeHeap
	seq      int
	newQd    int // NEW commits in the queue
	sawNew   bool
	oldest   int64 // oldest committer time of a NEW commit popped
	newFound []*walkNode
}

// start peels h and queues the commit it names (NEW unless already OLD).
// It returns nil for a zero hash or a non-commit.
func (w *walker) start(h plumbing.Hash) (*walkNode, error) {
	if h.IsZero() {
		return nil, nil
	}
	if _, ok := w.s.graphHeader(h); ok {
		return w.node(h) // a commit: nothing to peel
	}
	target, typ, _, err := w.s.peel(h)
	if err != nil {
		return nil, err
	}
	if typ != plumbing.CommitObject {
		return nil, nil
	}
	return w.node(target)
}

// node returns the node of commit h, creating and queueing it (as NEW) on
// first sight.
func (w *walker) node(h plumbing.Hash) (*walkNode, error) {
	if n, ok := w.nodes[h]; ok {
		return n, nil
	}
	c, data, err := w.s.commitHeaderOf(h)
	if err != nil {
		return nil, err
	}
	if w.dec != nil && data != nil {
		w.dec.add(h, data)
	}
	n := &walkNode{hash: h, time: c.time, parentHashes: c.parents, seq: w.seq}
	w.seq++
	w.nodes[h] = n
	n.queued = true
	w.newQd++
	heap.Push(&w.queue, n)
	return n, nil
}

// markOld paints n and, through commits already popped, their ancestors
// OLD.
func (w *walker) markOld(n *walkNode) {
	stack := []*walkNode{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.old {
			continue
		}
		n.old = true
		if n.queued {
			w.newQd--
		}
		if n.popped {
			stack = append(stack, n.parents...)
		}
	}
}

func (w *walker) run() error {
	slop, extra := slopCommits, 0
	for w.queue.Len() > 0 {
		if w.newQd == 0 {
			if !w.sawNew {
				// Every tip is already reachable from an exclude.
				return nil
			}
			if (slop <= 0 && w.queue[0].time < w.oldest-skewSlop) || extra >= maxSlopCommits {
				return nil
			}
			extra++
		} else {
			extra = 0
		}
		n := heap.Pop(&w.queue).(*walkNode)
		n.queued = false
		n.popped = true
		if !n.old {
			w.newQd--
			if !w.sawNew || n.time < w.oldest {
				w.oldest = n.time
			}
			w.sawNew = true
			w.newFound = append(w.newFound, n)
		}
		n.parents = make([]*walkNode, 0, len(n.parentHashes))
		for _, ph := range n.parentHashes {
			p, err := w.node(ph)
			if err != nil {
				return fmt.Errorf("parent of %s: %w", n.hash, err)
			}
			n.parents = append(n.parents, p)
			if n.old {
				w.markOld(p)
			}
		}
		switch {
		case w.newQd > 0 || !n.old:
			slop = slopCommits
		case w.queue.Len() > 0 && w.queue[0].time >= n.time:
			// Dates out of order: clock skew in the excluded history.
			slop = slopCommits
		default:
			slop--
		}
	}
	return nil
}

// ordered returns the NEW commits, parents before children; among ready
// commits the oldest (then the smallest hash) first.
func (w *walker) ordered() []plumbing.Hash {
	var fresh []*walkNode
	for _, n := range w.newFound {
		if !n.old {
			fresh = append(fresh, n)
		}
	}
	pending := make(map[*walkNode]int, len(fresh))
	children := make(map[*walkNode][]*walkNode, len(fresh))
	for _, n := range fresh {
		seen := make(map[*walkNode]bool, len(n.parents))
		for _, p := range n.parents {
			if p.old || seen[p] {
				continue
			}
			seen[p] = true
			pending[n]++
			children[p] = append(children[p], n)
		}
	}
	ready := &readyHeap{}
	for _, n := range fresh {
		if pending[n] == 0 {
			heap.Push(ready, n)
		}
	}
	out := make([]plumbing.Hash, 0, len(fresh))
	for ready.Len() > 0 {
		n := heap.Pop(ready).(*walkNode)
		out = append(out, n.hash)
		for _, c := range children[n] {
			pending[c]--
			if pending[c] == 0 {
				heap.Push(ready, c)
			}
		}
	}
	return out
}

// nodeHeap pops the newest commit first, then the first queued.
type nodeHeap []*walkNode

func (h nodeHeap) Len() int { return len(h) }
func (h nodeHeap) Less(i, j int) bool {
	if h[i].time != h[j].time {
		return h[i].time > h[j].time
	}
	return h[i].seq < h[j].seq
}
func (h nodeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)   { *h = append(*h, x.(*walkNode)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// readyHeap pops the oldest commit first, then the smallest hash.
type readyHeap []*walkNode

func (h readyHeap) Len() int { return len(h) }
func (h readyHeap) Less(i, j int) bool {
	if h[i].time != h[j].time {
		return h[i].time < h[j].time
	}
	return bytes.Compare(h[i].hash[:], h[j].hash[:]) < 0
}
func (h readyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)   { *h = append(*h, x.(*walkNode)) }
func (h *readyHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// commitHeader is what the walk needs of a commit.
type commitHeader struct {
	tree    plumbing.Hash
	parents []plumbing.Hash
	time    int64
}

// parseCommitHeader reads the tree, parent and committer headers of a raw
// commit without decoding the rest. A missing or malformed committer date
// counts as 0, as in git.
func parseCommitHeader(h plumbing.Hash, data []byte) (commitHeader, error) {
	var c commitHeader
	sawTree := false
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		if len(line) == 0 {
			break // end of headers
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "tree":
			if !isHex40(string(val)) {
				return c, fmt.Errorf("commit %s: malformed tree header", h)
			}
			c.tree = plumbing.NewHash(string(val))
			sawTree = true
		case "parent":
			if !isHex40(string(val)) {
				return c, fmt.Errorf("commit %s: malformed parent header", h)
			}
			c.parents = append(c.parents, plumbing.NewHash(string(val)))
		case "committer":
			c.time = signatureTime(val)
		}
	}
	if !sawTree {
		return c, fmt.Errorf("commit %s: no tree header", h)
	}
	return c, nil
}

// signatureTime extracts the Unix time of "Name <email> 1234567890 +0000".
func signatureTime(sig []byte) int64 {
	gt := bytes.LastIndexByte(sig, '>')
	if gt < 0 {
		return 0
	}
	rest := bytes.TrimLeft(sig[gt+1:], " ")
	if sp := bytes.IndexByte(rest, ' '); sp >= 0 {
		rest = rest[:sp]
	}
	t, err := strconv.ParseInt(string(rest), 10, 64)
	if err != nil {
		return 0
	}
	return t
}

// commitHeaderOf reads the header of commit h.
func (s *Store) commitHeaderOf(h plumbing.Hash) (commitHeader, []byte, error) {
	if c, ok := s.graphHeader(h); ok {
		return c, nil, nil
	}
	data, err := s.typed(h, plumbing.CommitObject)
	if err != nil {
		return commitHeader{}, nil, err
	}
	c, err := parseCommitHeader(h, data)
	return c, data, err
}
