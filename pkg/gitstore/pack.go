package gitstore

import (
	"bufio"
	"bytes"
	"cmp"
	"container/list"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/klauspost/compress/zlib"

	"github.com/pushguard/pushguard/pkg/inflate"
)

// This file reads objects out of pack files directly, the way git does,
// instead of through go-git's packfile.Packfile. Profiling `pushguard scan`
// showed go-git spending over half of the time there: it inflates a whole
// object to answer a size query, SHA-1 hashes (with collision detection)
// every object it puts in its cache, copies content through a byte-at-a-time
// scanner, and keys its delta-base cache by hash. Here:
//   - type and size come from the object headers alone (for a delta, the
//     first bytes of the delta data), never from the content;
//   - content is inflated straight into a buffer of its final size;
//   - delta bases are cached by pack offset, as git's delta_base_cache
//     does, within a byte budget;
//   - a large non-delta object is streamed, so reading its first bytes never
//     inflates the rest.
// Packs are trusted to be well formed only as far as memory safety goes:
// every offset, size and delta instruction is checked.

const (
	objCommit   = 1
	objTree     = 2
	objBlob     = 3
	objTag      = 4
	objOfsDelta = 6
	objRefDelta = 7
	// maxDeltaDepth bounds delta chains (git's default is 50, aggressive
	// repacks use 250); a longer chain is a corrupt or hostile pack.
	maxDeltaDepth = 10000
	// maxHeader is the most bytes an entry header takes: a 10-byte size
	// and a 20-byte base hash.
	maxHeader = 32
)

// packEntry is the header of one pack entry.
type packEntry struct {
	offset   int64 // of the header
	data     int64 // of the compressed data
	typ      int   // objCommit..objRefDelta
	size     int64 // inflated size of the data (the delta itself for deltas)
	baseOff  int64 // objOfsDelta: offset of the base
	baseHash plumbing.Hash
}

// packReader reads the objects of one open pack.
type packReader struct {
	f     *os.File
	data  []byte // the mapped pack, or nil: read with ReadAt
	size  int64
	name  string
	find  func(plumbing.Hash) (int64, bool) // offset of an object in this pack
	cache *deltaCache
	// spare is an inflater kept for reuse (its zlib state is 40 KB).
	spare *inflater
	// dec decodes whole entries of a mapped pack (readDataInto).
	dec inflate.Decoder
	// deltaBuf is the buffer content inflates delta instructions into,
	// and topBuf the one object inflates the delta it reads whole into
	// (top), kept for reuse (at most maxDeltaScratch bytes each).
	deltaBuf, topBuf []byte
	// maxBuilt is the largest delta base content builds in memory
	// (maxBuiltBase; smaller in tests).
	maxBuilt int64
	// last is the object a size query on a delta had to build, kept for
	// the read that usually follows (BlobSize, then ReadBlob).
	last struct {
		off    int64
		typ    plumbing.ObjectType
		data   []byte
		shared bool
	}
	// top is the inflated data of the delta object inflated whole to learn
	// its result size, for content to apply without inflating it again
	// (valid during one object call).
	top struct {
		off  int64
		data []byte
	}
	hdr [maxHeader]byte
}

func openPackReader(path string, find func(plumbing.Hash) (int64, bool), cache *deltaCache) (*packReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	p := &packReader{f: f, size: st.Size(), name: path, find: find, cache: cache, maxBuilt: maxBuiltBase}
	p.data = mapFile(f, p.size)
	return p, nil
}

func (p *packReader) Close() error {
	p.cache.dropPack(p)
	var err error
	if p.data != nil {
		err = unmapFile(p.data)
		p.data = nil
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// entry parses the header of the entry at off.
func (p *packReader) entry(off int64) (packEntry, error) {
	e := packEntry{offset: off}
	if off < 12 || off >= p.size-20 {
		return e, fmt.Errorf("pack %s: entry offset %d out of range", p.name, off)
	}
	var b []byte
	if p.data != nil {
		b = p.data[off:min(off+maxHeader, p.size)]
	} else {
		n, err := p.f.ReadAt(p.hdr[:min(int64(maxHeader), p.size-off)], off)
		if n == 0 {
			return e, fmt.Errorf("pack %s: read entry at %d: %w", p.name, off, err)
		}
		b = p.hdr[:n]
	}
	i := 0
	c := b[i]
	i++
	e.typ = int(c>>4) & 7
	e.size = int64(c & 15)
	for shift := 4; c&0x80 != 0; shift += 7 {
		if i >= len(b) || shift > 56 {
			return e, fmt.Errorf("pack %s: bad entry header at %d", p.name, off)
		}
		c = b[i]
		i++
		e.size |= int64(c&0x7f) << shift
	}
	switch e.typ {
	case objCommit, objTree, objBlob, objTag:
	case objOfsDelta:
		if i >= len(b) {
			return e, fmt.Errorf("pack %s: bad delta header at %d", p.name, off)
		}
		c = b[i]
		i++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(b) || rel > 1<<48 {
				return e, fmt.Errorf("pack %s: bad delta offset at %d", p.name, off)
			}
			c = b[i]
			i++
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		e.baseOff = off - rel
		if rel <= 0 || e.baseOff < 12 {
			return e, fmt.Errorf("pack %s: delta at %d has a bad base offset", p.name, off)
		}
	case objRefDelta:
		if len(b)-i < 20 {
			return e, fmt.Errorf("pack %s: bad delta header at %d", p.name, off)
		}
		copy(e.baseHash[:], b[i:i+20])
		i += 20
	default:
		return e, fmt.Errorf("pack %s: bad object type %d at %d", p.name, e.typ, off)
	}
	e.data = off + int64(i)
	return e, nil
}

// inflate returns a reader of the inflated data of e. Close it.
func (p *packReader) inflate(e packEntry) (*inflater, error) {
	r := p.spare
	p.spare = nil
	if r == nil {
		r = &inflater{p: p}
	}
	var src io.Reader
	if p.data != nil {
		r.mem.Reset(p.data[e.data:])
		src = &r.mem
	} else {
		sr := io.NewSectionReader(p.f, e.data, p.size-e.data)
		if r.buf == nil {
			r.buf = bufio.NewReaderSize(sr, 8192)
		} else {
			r.buf.Reset(sr)
		}
		src = r.buf
	}
	if r.z == nil {
		z, err := zlib.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("pack %s: inflate entry at %d: %w", p.name, e.offset, err)
		}
		r.z = z
	} else if err := r.z.(zlib.Resetter).Reset(src, nil); err != nil {
		return nil, fmt.Errorf("pack %s: inflate entry at %d: %w", p.name, e.offset, err)
	}
	r.left, r.closed = e.size, false
	return r, nil
}

// inflater reads exactly the declared size of an entry's data and goes
// back to its pack for reuse on Close.
type inflater struct {
	p      *packReader
	z      io.ReadCloser
	mem    bytes.Reader  // source over the mapped pack
	buf    *bufio.Reader // source over the file when not mapped
	left   int64
	closed bool
}

func (r *inflater) Read(b []byte) (int, error) {
	if r.closed {
		return 0, errors.New("read after close")
	}
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > r.left {
		b = b[:r.left]
	}
	n, err := r.z.Read(b)
	r.left -= int64(n)
	if err == io.EOF {
		if r.left > 0 {
			return n, io.ErrUnexpectedEOF
		}
		return n, nil // the next call returns io.EOF
	}
	return n, err
}

func (r *inflater) Close() error {
	if !r.closed {
		r.closed = true
		r.p.spare = r
	}
	return nil
}

// readData inflates all of e's data into a new buffer.
func (p *packReader) readData(e packEntry) ([]byte, error) {
	return p.readDataInto(e, nil)
}

// readDataInto inflates all of e's data into buf when it is large enough
// (else into a new buffer) and returns it.
func (p *packReader) readDataInto(e packEntry, buf []byte) ([]byte, error) {
	if e.size > maxObjectSize {
		return nil, fmt.Errorf("pack %s: entry at %d: %d bytes is too large", p.name, e.offset, e.size)
	}
	if int64(cap(buf)) >= e.size {
		buf = buf[:e.size]
	} else {
		buf = make([]byte, e.size)
	}
	if p.data != nil {
		// The whole stream is in memory: decode it in one call. The
		// one-call decoder is stricter than the stream below (it wants
		// the exact size and a whole stream with its checksum), which
		// git's own packs always satisfy; whatever it refuses is read
		// again by the stream, so that no entry git and the stream read
		// becomes unreadable here (a read error is a hook error, and a
		// server may accept on error).
		if err := p.dec.Zlib(buf, p.data[e.data:]); err == nil {
			return buf, nil
		}
	}
	r, err := p.inflate(e)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("pack %s: inflate entry at %d: %w", p.name, e.offset, err)
	}
	return buf, nil
}

// maxDeltaScratch is the largest delta whose instructions content inflates
// into the pack reader's reused buffer (larger ones get their own).
const maxDeltaScratch = 1 << 20

// maxObjectSize bounds any object materialised in memory.
const maxObjectSize = 1 << 31

// baseOf returns the entry a delta applies to.
func (p *packReader) baseOf(e packEntry) (packEntry, error) {
	off := e.baseOff
	if e.typ == objRefDelta {
		var ok bool
		if off, ok = p.find(e.baseHash); !ok {
			return packEntry{}, fmt.Errorf("pack %s: base %s of the delta at %d is not in the pack", p.name, e.baseHash, e.offset)
		}
	}
	return p.entry(off)
}

// object returns object h of this pack, its type and size read from the
// headers only (and the first bytes of h's delta data when h is a delta).
// Whole objects larger than streamAbove are streamed when read.
func (p *packReader) object(h plumbing.Hash, streamAbove int64) (*packedObject, error) {
	off, ok := p.find(h)
	if !ok {
		return nil, plumbing.ErrObjectNotFound
	}
	e, err := p.entry(off)
	if err != nil {
		return nil, err
	}
	o := &packedObject{p: p, h: h, off: off}
	if !isDelta(e.typ) {
		o.typ, o.size, o.streaming = objectType(e.typ), e.size, e.size > streamAbove
		return o, nil
	}
	if p.last.data != nil && p.last.off == off {
		// Built by the previous call (a size query, now the read).
		o.typ, o.size = p.last.typ, int64(len(p.last.data))
		return o, nil
	}
	var size int64
	if e.size <= maxInflatedDelta {
		// A small delta: inflate it whole once, for its result size and
		// for content to apply, rather than once for each.
		delta, err := p.readDataInto(e, p.topBuf) // dropped when this call returns
		if err != nil {
			return nil, err
		}
		if cap(delta) <= maxDeltaScratch && cap(delta) > cap(p.topBuf) {
			p.topBuf = delta
		}
		if size, err = deltaResultSize(delta); err != nil {
			return nil, fmt.Errorf("pack %s: delta at %d: %w", p.name, e.offset, err)
		}
		p.top.off, p.top.data = off, delta
		defer func() { p.top.data = nil }()
	} else if size, err = p.deltaTargetSize(e); err != nil {
		return nil, err
	}
	if size > streamAbove {
		// Large: find the type from the chain's headers and build the
		// content only if it is read (at most the part that is read).
		o.size, o.largeDelta = size, true
		for depth := 0; isDelta(e.typ); depth++ {
			if depth > maxDeltaDepth {
				return nil, fmt.Errorf("pack %s: delta chain at %d too long", p.name, off)
			}
			if e, err = p.baseOf(e); err != nil {
				return nil, err
			}
		}
		o.typ = objectType(e.typ)
		return o, nil
	}
	// Small: building it costs little more than walking its chain for the
	// type, and the content is nearly always read next.
	typ, data, shared, err := p.content(off, -1)
	if err != nil {
		return nil, err
	}
	p.last.off, p.last.typ, p.last.data, p.last.shared = off, typ, data, shared
	o.typ, o.size = typ, int64(len(data))
	return o, nil
}

// maxInflatedDelta: object inflates a delta this small whole to learn its
// result size (and keeps it for content); a larger one only its first bytes.
const maxInflatedDelta = 1 << 20

// deltaResultSize returns the result size a delta's header gives.
func deltaResultSize(delta []byte) (int64, error) {
	_, rest, err := deltaVarint(delta)
	if err != nil {
		return 0, err
	}
	size, _, err := deltaVarint(rest)
	return size, err
}

// deltaTargetSize reads the result size from the start of the delta e,
// inflating only its first bytes.
func (p *packReader) deltaTargetSize(e packEntry) (int64, error) {
	r, err := p.inflate(e)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var hdr [20]byte
	n, err := io.ReadFull(r, hdr[:min(int64(len(hdr)), e.size)])
	if err != nil {
		return 0, fmt.Errorf("pack %s: delta at %d: %w", p.name, e.offset, err)
	}
	b := hdr[:n]
	if _, b, err = deltaVarint(b); err != nil {
		return 0, fmt.Errorf("pack %s: delta at %d: %w", p.name, e.offset, err)
	}
	size, _, err := deltaVarint(b)
	if err != nil {
		return 0, fmt.Errorf("pack %s: delta at %d: %w", p.name, e.offset, err)
	}
	return size, nil
}

// bytes returns the whole content of a non-streaming object. shared
// reports that the slice is also held by the delta cache (copy it before
// handing it to a caller who may modify it).
func (o *packedObject) bytes() (data []byte, shared bool, err error) {
	p := o.p
	if p.last.data != nil && p.last.off == o.off {
		data, shared = p.last.data, p.last.shared
		p.last.data = nil
		return data, shared, nil
	}
	if o.largeDelta {
		// Built from the spans it copies: its bases are never held whole.
		return o.prefix(o.size)
	}
	_, data, shared, err = p.content(o.off, -1)
	return data, shared, err
}

// prefix returns the first limit bytes of the object (all of it when
// shorter) without building any whole delta base: the bytes each delta of
// the chain copies are read from its base, down to a whole object that is
// streamed (readSpans). Memory is about limit, whatever the size of the
// bases; telling whether a giant blob is binary costs 8000 bytes.
func (o *packedObject) prefix(limit int64) ([]byte, bool, error) {
	out, err := o.p.readSpans(o.off, []span{{0, min(limit, o.size)}}, 0)
	if err != nil {
		return nil, false, err
	}
	return out[0], false, nil
}

// content returns the type and whole content of the object at off,
// resolving deltas through the delta-base cache. shared reports that the
// result is also held by the cache: it must not be modified then. With
// limit >= 0, applying the last delta stops once limit bytes are built.
func (p *packReader) content(off, limit int64) (typ plumbing.ObjectType, data []byte, shared bool, err error) {
	// Walk down the chain to a cached or whole object, then apply the
	// deltas back up, caching the intermediate bases. A chain through a
	// base larger than maxBuiltBase is read by spans instead, so that a
	// small object never makes a giant base be built in memory.
	off0 := off
	var chain []packEntry
	for depth := 0; ; depth++ {
		if depth > maxDeltaDepth {
			return plumbing.InvalidObject, nil, false, fmt.Errorf("pack %s: delta chain at %d too long", p.name, off)
		}
		if t, d, ok := p.cache.get(p, off); ok {
			typ, data, shared = t, d, true
			break
		}
		e, err := p.entry(off)
		if err != nil {
			return plumbing.InvalidObject, nil, false, err
		}
		if !isDelta(e.typ) {
			if len(chain) > 0 && e.size > p.maxBuilt {
				return p.contentBySpans(off0, e, limit)
			}
			if data, err = p.readData(e); err != nil {
				return plumbing.InvalidObject, nil, false, err
			}
			typ = objectType(e.typ)
			if len(chain) > 0 || typ == plumbing.BlobObject {
				// A blob is kept too when it is the object asked for:
				// packs store a file's newest version whole and older
				// ones as deltas against it, so a history read from old
				// to new asks for it again as their base.
				shared = p.cache.put(p, off, typ, data)
			}
			break
		}
		chain = append(chain, e)
		if e.typ == objOfsDelta {
			off = e.baseOff
		} else {
			var ok bool
			if off, ok = p.find(e.baseHash); !ok {
				return plumbing.InvalidObject, nil, false, fmt.Errorf("pack %s: base %s of the delta at %d is not in the pack", p.name, e.baseHash, e.offset)
			}
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		var delta []byte
		if i == 0 && p.top.data != nil && p.top.off == off0 {
			delta = p.top.data // inflated by object already
		} else {
			// The instructions are dropped once applied (applyDelta
			// builds a new result): inflate them into a reused buffer.
			if delta, err = p.readDataInto(chain[i], p.deltaBuf); err != nil {
				return plumbing.InvalidObject, nil, false, err
			}
			if cap(delta) <= maxDeltaScratch && cap(delta) > cap(p.deltaBuf) {
				p.deltaBuf = delta
			}
		}
		dstLimit := int64(-1)
		if i == 0 {
			dstLimit = limit
		} else if _, rest, err := deltaVarint(delta); err == nil {
			if size, _, err := deltaVarint(rest); err == nil && size > p.maxBuilt {
				return p.contentBySpans(off0, chain[len(chain)-1], limit)
			}
		}
		if data, err = applyDelta(data, delta, dstLimit); err != nil {
			return plumbing.InvalidObject, nil, false, fmt.Errorf("pack %s: delta at %d: %w", p.name, chain[i].offset, err)
		}
		shared = false
		if i > 0 || (typ == plumbing.BlobObject && limit < 0) {
			// The blob asked for is kept as well (see above): a newer
			// version may be a delta against it.
			shared = p.cache.put(p, chain[i].offset, typ, data)
		}
	}
	return typ, data, shared, nil
}

func isDelta(t int) bool { return t == objOfsDelta || t == objRefDelta }

func objectType(t int) plumbing.ObjectType {
	switch t {
	case objCommit:
		return plumbing.CommitObject
	case objTree:
		return plumbing.TreeObject
	case objBlob:
		return plumbing.BlobObject
	case objTag:
		return plumbing.TagObject
	}
	return plumbing.InvalidObject
}

// deltaVarint reads a little-endian base-128 size from the start of a delta.
func deltaVarint(b []byte) (int64, []byte, error) {
	var v int64
	for i, shift := 0, 0; i < len(b) && shift < 63; i, shift = i+1, shift+7 {
		v |= int64(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return v, b[i+1:], nil
		}
	}
	return 0, nil, errors.New("truncated delta header")
}

// applyDelta builds the object a git delta describes from base. With
// limit >= 0 it stops once at least limit bytes are built.
func applyDelta(base, delta []byte, limit int64) ([]byte, error) {
	srcSize, d, err := deltaVarint(delta)
	if err != nil {
		return nil, err
	}
	if srcSize != int64(len(base)) {
		return nil, fmt.Errorf("delta expects a base of %d bytes, base has %d", srcSize, len(base))
	}
	dstSize, d, err := deltaVarint(d)
	if err != nil {
		return nil, err
	}
	if dstSize > maxObjectSize {
		return nil, fmt.Errorf("delta result of %d bytes is too large", dstSize)
	}
	want := dstSize
	if limit >= 0 && limit < dstSize {
		want = limit
	}
	out := make([]byte, 0, want)
	for len(d) > 0 && int64(len(out)) < want {
		op := d[0]
		d = d[1:]
		switch {
		case op&0x80 != 0: // copy from base
			var off, n int64
			for i := uint(0); i < 4; i++ {
				if op&(1<<i) != 0 {
					if len(d) == 0 {
						return nil, errors.New("truncated copy instruction")
					}
					off |= int64(d[0]) << (8 * i)
					d = d[1:]
				}
			}
			for i := uint(0); i < 3; i++ {
				if op&(0x10<<i) != 0 {
					if len(d) == 0 {
						return nil, errors.New("truncated copy instruction")
					}
					n |= int64(d[0]) << (8 * i)
					d = d[1:]
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > int64(len(base)) || int64(len(out))+n > dstSize {
				return nil, errors.New("copy instruction out of range")
			}
			out = append(out, base[off:off+n]...)
		case op != 0: // insert op bytes
			n := int(op)
			if n > len(d) || int64(len(out)+n) > dstSize {
				return nil, errors.New("insert instruction out of range")
			}
			out = append(out, d[:n]...)
			d = d[n:]
		default:
			return nil, errors.New("reserved delta instruction 0")
		}
	}
	if int64(len(out)) < want || (want == dstSize && int64(len(out)) != dstSize) {
		return nil, fmt.Errorf("delta produced %d bytes, want %d", len(out), dstSize)
	}
	return out, nil
}

// deltaCache keeps recently built delta bases, keyed by pack and offset,
// within a byte budget (least recently used out first). Objects larger than
// a quarter of the budget are not kept.
type deltaCache struct {
	budget, used int64
	lru          *list.List // of *deltaCacheEntry, most recent first
	index        map[deltaKey]*list.Element
}

type deltaKey struct {
	p   *packReader
	off int64
}

type deltaCacheEntry struct {
	key  deltaKey
	typ  plumbing.ObjectType
	data []byte
}

func newDeltaCache(budget int64) *deltaCache {
	return &deltaCache{budget: budget, lru: list.New(), index: map[deltaKey]*list.Element{}}
}

func (c *deltaCache) get(p *packReader, off int64) (plumbing.ObjectType, []byte, bool) {
	el, ok := c.index[deltaKey{p, off}]
	if !ok {
		return plumbing.InvalidObject, nil, false
	}
	c.lru.MoveToFront(el)
	e := el.Value.(*deltaCacheEntry)
	return e.typ, e.data, true
}

// put keeps data and reports whether it did.
func (c *deltaCache) put(p *packReader, off int64, typ plumbing.ObjectType, data []byte) bool {
	size := int64(len(data))
	if size > c.budget/4 {
		return false
	}
	k := deltaKey{p, off}
	if _, ok := c.index[k]; ok {
		return false
	}
	for c.used+size > c.budget {
		c.remove(c.lru.Back())
	}
	c.index[k] = c.lru.PushFront(&deltaCacheEntry{key: k, typ: typ, data: data})
	c.used += size
	return true
}

func (c *deltaCache) remove(el *list.Element) {
	e := el.Value.(*deltaCacheEntry)
	c.lru.Remove(el)
	delete(c.index, e.key)
	c.used -= int64(len(e.data))
}

// dropPack forgets the entries of a closed pack.
func (c *deltaCache) dropPack(p *packReader) {
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if el.Value.(*deltaCacheEntry).key.p == p {
			c.remove(el)
		}
		el = next
	}
}

// packedObject is an object of a pack, its type and size known from the
// headers; its content is read only when Reader is called.
type packedObject struct {
	p          *packReader
	h          plumbing.Hash
	off        int64
	typ        plumbing.ObjectType
	size       int64
	streaming  bool // a non-delta object above the streaming threshold
	largeDelta bool // a delta whose result is above that threshold
}

func (o *packedObject) Hash() plumbing.Hash             { return o.h }
func (o *packedObject) Type() plumbing.ObjectType       { return o.typ }
func (o *packedObject) SetType(plumbing.ObjectType)     {}
func (o *packedObject) Size() int64                     { return o.size }
func (o *packedObject) SetSize(int64)                   {}
func (o *packedObject) Writer() (io.WriteCloser, error) { return nil, errReadOnly }

// Reader returns the content: streamed from the pack for a large whole
// object, else built in memory (deltas resolved). It is valid until the
// next read from the same pack.
func (o *packedObject) Reader() (io.ReadCloser, error) {
	if o.streaming {
		e, err := o.p.entry(o.off)
		if err != nil {
			return nil, err
		}
		return o.p.inflate(e)
	}
	data, _, err := o.bytes()
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// maxBuiltBase is the largest delta base content builds in memory; a chain
// through a larger base (or intermediate result) is read by spans.
const maxBuiltBase = 32 << 20

// contentBySpans is content for a chain whose bottom entry is bottom,
// read by spans: the type comes from bottom, the size from the delta at
// off.
func (p *packReader) contentBySpans(off int64, bottom packEntry, limit int64) (plumbing.ObjectType, []byte, bool, error) {
	e, err := p.entry(off)
	if err != nil {
		return plumbing.InvalidObject, nil, false, err
	}
	size := e.size
	if isDelta(e.typ) {
		if size, err = p.deltaTargetSize(e); err != nil {
			return plumbing.InvalidObject, nil, false, err
		}
	}
	if limit >= 0 {
		size = min(size, limit)
	}
	if size > maxObjectSize {
		return plumbing.InvalidObject, nil, false, fmt.Errorf("pack %s: entry at %d: %d bytes is too large", p.name, off, size)
	}
	out, err := p.readSpans(off, []span{{0, size}}, 0)
	if err != nil {
		return plumbing.InvalidObject, nil, false, err
	}
	return objectType(bottom.typ), out[0], false, nil
}

// span is the byte range [from, to) of an object's content.
type span struct{ from, to int64 }

// piece is one part of a span of a delta's result: literal bytes of the
// delta, or the bytes of span base (an index into the spans asked of the
// base).
type piece struct {
	lit  []byte
	base int
}

// readSpans returns the bytes of each span of the object at off (each must
// lie within the object), reading as little as it can: a whole object is
// inflated as a stream up to the end of the last span, keeping only the
// spans; a delta's instructions are streamed, keeping the literal bytes
// inside the spans, and the bytes its copies take from the base are read
// from the base the same way, one level down. No base is built whole, so
// memory stays about the total length of the spans, whatever the sizes of
// the objects in the chain. Cached bases are used when present.
func (p *packReader) readSpans(off int64, spans []span, depth int) ([][]byte, error) {
	if depth > maxDeltaDepth {
		return nil, fmt.Errorf("pack %s: delta chain at %d too long", p.name, off)
	}
	out := make([][]byte, len(spans))
	if _, d, ok := p.cache.get(p, off); ok {
		for i, sp := range spans {
			if sp.from < 0 || sp.to < sp.from || sp.to > int64(len(d)) {
				return nil, fmt.Errorf("pack %s: read of bytes %d-%d past the object at %d", p.name, sp.from, sp.to, off)
			}
			out[i] = bytes.Clone(d[sp.from:sp.to])
		}
		return out, nil
	}
	e, err := p.entry(off)
	if err != nil {
		return nil, err
	}
	if !isDelta(e.typ) {
		return p.readWholeSpans(e, spans)
	}
	return p.readDeltaSpans(e, spans, depth)
}

// readWholeSpans streams the non-delta entry e once, keeping the bytes of
// the union of the spans.
func (p *packReader) readWholeSpans(e packEntry, spans []span) ([][]byte, error) {
	for _, sp := range spans {
		if sp.from < 0 || sp.to < sp.from || sp.to > e.size {
			return nil, fmt.Errorf("pack %s: read of bytes %d-%d past the %d-byte object at %d", p.name, sp.from, sp.to, e.size, e.offset)
		}
	}
	// The union of the spans, as disjoint runs in order.
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	var runs []span
	for _, sp := range sorted {
		if n := len(runs); n > 0 && sp.from <= runs[n-1].to {
			runs[n-1].to = max(runs[n-1].to, sp.to)
			continue
		}
		runs = append(runs, sp)
	}
	r, err := p.inflate(e)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data := make([][]byte, len(runs))
	var pos int64
	for i, run := range runs {
		if _, err := io.CopyN(io.Discard, r, run.from-pos); err != nil {
			return nil, fmt.Errorf("pack %s: inflate entry at %d: %w", p.name, e.offset, err)
		}
		data[i] = make([]byte, run.to-run.from)
		if _, err := io.ReadFull(r, data[i]); err != nil {
			return nil, fmt.Errorf("pack %s: inflate entry at %d: %w", p.name, e.offset, err)
		}
		pos = run.to
	}
	out := make([][]byte, len(spans))
	for i, sp := range spans {
		// The run holding the span: the last one starting at or before it.
		k := sort.Search(len(runs), func(j int) bool { return runs[j].from > sp.from }) - 1
		out[i] = data[k][sp.from-runs[k].from : sp.to-runs[k].from]
	}
	return out, nil
}

// readDeltaSpans reads the spans of the result of delta entry e: its
// instructions are streamed once, and the bytes its copies need are read
// from its base with one readSpans call.
func (p *packReader) readDeltaSpans(e packEntry, spans []span, depth int) ([][]byte, error) {
	r, err := p.inflate(e)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 16<<10)
	parts, baseSpans, dstSize, err := walkDelta(br, spans)
	r.Close()
	if err != nil {
		return nil, fmt.Errorf("pack %s: delta at %d: %w", p.name, e.offset, err)
	}
	for _, sp := range spans {
		if sp.from < 0 || sp.to < sp.from || sp.to > dstSize {
			return nil, fmt.Errorf("pack %s: read of bytes %d-%d past the %d-byte object at %d", p.name, sp.from, sp.to, dstSize, e.offset)
		}
	}
	var based [][]byte
	if len(baseSpans) > 0 {
		base, err := p.baseOf(e)
		if err != nil {
			return nil, err
		}
		if based, err = p.readSpans(base.offset, baseSpans, depth+1); err != nil {
			return nil, err
		}
	}
	out := make([][]byte, len(spans))
	for i, ps := range parts {
		buf := make([]byte, 0, spans[i].to-spans[i].from)
		for _, pc := range ps {
			if pc.lit != nil {
				buf = append(buf, pc.lit...)
			} else {
				buf = append(buf, based[pc.base]...)
			}
		}
		if int64(len(buf)) != spans[i].to-spans[i].from {
			return nil, fmt.Errorf("pack %s: delta at %d builds %d bytes of %d-%d", p.name, e.offset, len(buf), spans[i].from, spans[i].to)
		}
		out[i] = buf
	}
	return out, nil
}

// walkDelta reads a delta's instructions from r up to the end of the last
// span and returns, per span, the pieces that build it, the spans of the
// base those pieces copy, and the size of the delta's result.
func walkDelta(r *bufio.Reader, spans []span) (parts [][]piece, baseSpans []span, dstSize int64, err error) {
	varint := func() (int64, error) {
		var v int64
		for shift := 0; shift < 63; shift += 7 {
			c, err := r.ReadByte()
			if err != nil {
				return 0, errors.New("truncated delta header")
			}
			v |= int64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, nil
			}
		}
		return 0, errors.New("bad delta header")
	}
	srcSize, err := varint()
	if err != nil {
		return nil, nil, 0, err
	}
	if dstSize, err = varint(); err != nil {
		return nil, nil, 0, err
	}
	parts = make([][]piece, len(spans))
	var end int64
	for _, sp := range spans {
		end = max(end, min(sp.to, dstSize))
	}
	// overlap adds the piece [lo, hi) of the result to every span it
	// meets; lit is the piece's bytes (nil for a copy from base offset
	// boff).
	overlap := func(lo, hi int64, lit []byte, boff int64) {
		for i, sp := range spans {
			a, b := max(lo, sp.from), min(hi, sp.to)
			if a >= b {
				continue
			}
			if lit != nil {
				parts[i] = append(parts[i], piece{lit: lit[a-lo : b-lo]})
			} else {
				parts[i] = append(parts[i], piece{base: len(baseSpans)})
				baseSpans = append(baseSpans, span{boff + a - lo, boff + b - lo})
			}
		}
	}
	var pos int64
	var buf [127]byte
	for pos < end {
		op, err := r.ReadByte()
		if err != nil {
			return nil, nil, 0, fmt.Errorf("delta ends at %d of %d bytes", pos, dstSize)
		}
		switch {
		case op&0x80 != 0: // copy from base
			var boff, n int64
			for i := uint(0); i < 7; i++ {
				if op&(1<<i) == 0 {
					continue
				}
				c, err := r.ReadByte()
				if err != nil {
					return nil, nil, 0, errors.New("truncated copy instruction")
				}
				if i < 4 {
					boff |= int64(c) << (8 * i)
				} else {
					n |= int64(c) << (8 * (i - 4))
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if boff+n > srcSize || pos+n > dstSize {
				return nil, nil, 0, errors.New("copy instruction out of range")
			}
			overlap(pos, pos+n, nil, boff)
			pos += n
		case op != 0: // insert op bytes
			n := int64(op)
			if pos+n > dstSize {
				return nil, nil, 0, errors.New("insert instruction out of range")
			}
			if _, err := io.ReadFull(r, buf[:n]); err != nil {
				return nil, nil, 0, errors.New("truncated insert instruction")
			}
			overlap(pos, pos+n, bytes.Clone(buf[:n]), 0)
			pos += n
		default:
			return nil, nil, 0, errors.New("reserved delta instruction 0")
		}
	}
	return parts, baseSpans, dstSize, nil
}
