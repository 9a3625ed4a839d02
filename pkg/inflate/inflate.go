// Package inflate decodes a whole zlib stream (RFC 1950, deflate data as
// RFC 1951) into a buffer of its known size, in one call.
//
// Git pack entries are such streams, and the pack entry header gives the
// inflated size. A streaming decoder (compress/flate, klauspost/compress)
// keeps a 32 KB window, copies every byte from it to the caller, and reads
// its input a byte at a time through an io.ByteReader; profiling
// `pushguard scan` on a real history showed that as a fifth of its CPU.
// Decoding straight into the final buffer needs no window (back
// references point into the output itself), and reading the input from a
// byte slice lets the bit buffer refill eight bytes at a time. On every
// object of the gin history this decoder takes about two thirds of the
// time klauspost/compress/zlib takes (BenchmarkInflate in pkg/gitstore).
//
// The decoder accepts exactly the deflate streams compress/flate accepts
// (same checks on Huffman codes, lengths and distances; fuzzed against it)
// and refuses a stream whose output is not exactly the buffer's size. It
// never reads outside its input nor writes outside its output.
//
// The Adler-32 checksum at the end of a zlib stream is required to be
// present but is not verified: a pack's objects are verified by git
// itself (index-pack checks every object's SHA-1 before a push reaches
// the hook, and the pack's own trailer), and a checksum anyone can
// recompute proves nothing about who wrote the content.
package inflate

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// Errors returned by Decoder.Zlib; every one means the stream is corrupt
// or is not of the expected size.
var (
	ErrHeader     = errors.New("inflate: invalid zlib header")
	ErrDictionary = errors.New("inflate: zlib stream needs a preset dictionary")
	ErrCorrupt    = errors.New("inflate: corrupt deflate data")
	ErrTruncated  = errors.New("inflate: unexpected end of input")
	ErrTooLong    = errors.New("inflate: data longer than expected")
	ErrTooShort   = errors.New("inflate: data shorter than expected")
)

// Root table sizes, in bits (zlib's choice: small objects, which are most
// of a pack, decode few symbols per table built).
const (
	litRoot  = 9
	distRoot = 6
	clRoot   = 7 // code length codes are at most 7 bits: one level

	maxLitCodes  = 286 // HLIT limit, as compress/flate
	maxDistCodes = 30  // HDIST limit
)

// A table entry packs, from bit 0: the code length to consume (5 bits),
// the kind (3 bits), the extra bits to read after it or, for a subtable
// pointer, the subtable's index bits (4 bits), and from bit 16 the value:
// the literal byte, the base length or distance, or the subtable offset.
type entry = uint32

const (
	kindLiteral = iota
	kindLength
	kindEnd
	kindSub
	kindBad
	kindDist
)

func mkEntry(n, kind, extra, val uint32) entry { return n | kind<<5 | extra<<8 | val<<16 }

func entryKind(e entry) uint32  { return e >> 5 & 7 }
func entryExtra(e entry) uint32 { return e >> 8 & 15 }

var (
	lengthBase  = [29]uint32{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint32{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint32{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clOrder     = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// alphabet says what the symbols of a code stand for.
type alphabet int

const (
	litLen alphabet = iota
	distance
	codeLength
)

// symbolEntry returns the kind, extra bits and value of symbol s.
func symbolEntry(a alphabet, s int) (kind, extra, val uint32) {
	switch a {
	case litLen:
		switch {
		case s < 256:
			return kindLiteral, 0, uint32(s)
		case s == 256:
			return kindEnd, 0, 0
		case s < 286:
			return kindLength, lengthExtra[s-257], lengthBase[s-257]
		}
		return kindBad, 0, 0 // 286 and 287: in the fixed code, never valid
	case distance:
		if s < 30 {
			return kindDist, distExtra[s], distBase[s]
		}
		return kindBad, 0, 0 // 30 and 31: in the fixed code, never valid
	}
	return kindLiteral, 0, uint32(s)
}

// table is a two-level Huffman decoding table: a root indexed by the next
// root bits of input, with subtables for longer codes.
type table struct {
	root uint
	t    []entry
}

// build makes t decode the canonical code of lengths. It refuses the codes
// compress/flate refuses: over-subscribed or incomplete ones, except a
// single code of length 1; a code with no symbols is accepted, and every
// lookup in it fails. sub is scratch of at least 1<<root bytes.
func (t *table) build(lengths []uint8, root uint, a alphabet, sub []uint8) error {
	var count [16]int
	maxLen := 0
	for _, n := range lengths {
		if n != 0 {
			count[n]++
			maxLen = max(maxLen, int(n))
		}
	}
	if maxLen > 0 && maxLen < int(root) {
		// No code is longer than maxLen bits: a root of that many bits
		// holds them all, and a small object's code is built faster.
		root = uint(maxLen)
	}
	size := 1 << root
	t.root = root
	if cap(t.t) < size {
		t.t = make([]entry, size, 2*size)
	}
	t.t = t.t[:size]
	bad := mkEntry(0, kindBad, 0, 0)
	if maxLen == 0 {
		for i := range t.t {
			t.t[i] = bad
		}
		return nil
	}
	// Codes used, in units of the longest code: a complete code uses
	// them all.
	used := 0
	for n := 1; n <= maxLen; n++ {
		used += count[n] << (maxLen - n)
	}
	if used != 1<<maxLen && !(used == 1 && maxLen == 1) {
		return ErrCorrupt
	}
	if used != 1<<maxLen {
		// The single code of length 1 leaves entries no input reaches
		// in a valid stream.
		for i := range t.t {
			t.t[i] = bad
		}
	}
	var next [16]int
	code := 0
	for n := 1; n <= maxLen; n++ {
		code = (code + count[n-1]) << 1
		next[n] = code
	}
	if maxLen > int(root) {
		// The subtable of each root entry holds the codes that start
		// with its bits; its size is set by the longest of them.
		sub = sub[:size]
		clear(sub)
		nc := next
		for _, n := range lengths {
			if int(n) <= int(root) {
				continue
			}
			rev := int(bits.Reverse16(uint16(nc[n])) >> (16 - n))
			nc[n]++
			p := rev & (size - 1)
			sub[p] = max(sub[p], n-uint8(root))
		}
		for p, sb := range sub {
			if sb != 0 {
				t.t[p] = mkEntry(0, kindSub, uint32(sb), uint32(len(t.t)))
				t.t = append(t.t, make([]entry, 1<<sb)...)
			}
		}
	}
	for s, n := range lengths {
		if n == 0 {
			continue
		}
		rev := int(bits.Reverse16(uint16(next[n])) >> (16 - n))
		next[n]++
		kind, extra, val := symbolEntry(a, s)
		e := mkEntry(uint32(n), kind, extra, val)
		if int(n) <= int(root) {
			for i := rev; i < size; i += 1 << n {
				t.t[i] = e
			}
			continue
		}
		ptr := t.t[rev&(size-1)]
		off, sb := int(ptr>>16), entryExtra(ptr)
		for i := rev >> root; i < 1<<sb; i += 1 << (int(n) - int(root)) {
			t.t[off+i] = e
		}
	}
	return nil
}

// fixed is the fixed Huffman code of RFC 1951 3.2.6.
type fixed struct {
	lit, dist table
}

func newFixed() *fixed {
	var f fixed
	var lit [288]uint8
	for i := range lit {
		switch {
		case i < 144:
			lit[i] = 8
		case i < 256:
			lit[i] = 9
		case i < 280:
			lit[i] = 7
		default:
			lit[i] = 8
		}
	}
	var dist [32]uint8
	for i := range dist {
		dist[i] = 5
	}
	sub := make([]uint8, 1<<litRoot)
	if err := f.lit.build(lit[:], litRoot, litLen, sub); err != nil {
		panic("inflate: fixed literal code: " + err.Error())
	}
	if err := f.dist.build(dist[:], distRoot, distance, sub); err != nil {
		panic("inflate: fixed distance code: " + err.Error())
	}
	return &f
}

// Decoder decodes zlib streams; it keeps its tables between calls. The
// zero value is ready to use. A Decoder is not safe for concurrent use.
type Decoder struct {
	fixed         *fixed
	lit, dist, cl table
	lens          [maxLitCodes + maxDistCodes]uint8
	sub           [1 << litRoot]uint8
}

// Zlib decodes the zlib stream at the start of in into out, which must be
// exactly as long as the decoded data; bytes after the stream are ignored.
// On error, out holds partial data.
func (d *Decoder) Zlib(out, in []byte) error {
	if len(in) < 2 {
		return ErrTruncated
	}
	cmf, flg := in[0], in[1]
	if cmf&15 != 8 || cmf>>4 > 7 || (uint16(cmf)<<8|uint16(flg))%31 != 0 {
		return ErrHeader
	}
	if flg&0x20 != 0 {
		return ErrDictionary
	}
	n, err := d.Deflate(out, in[2:])
	if err != nil {
		return err
	}
	if len(in)-2-n < 4 {
		return ErrTruncated // the Adler-32 checksum is missing
	}
	return nil
}

// bitReader reads the bits of a deflate stream, least significant first.
type bitReader struct {
	in   []byte
	pos  int    // next byte of in to load
	over int    // zero bytes loaded past the end of in
	bb   uint64 // the bits loaded and not consumed, from bit 0
	nb   uint   // how many
}

// maxOver bounds the zero bytes read past the input: a valid stream never
// needs more than the bit buffer holds beyond its last byte.
const maxOver = 16

// refill loads bytes until at least 56 bits are buffered. It returns false
// once far past the end of the input (the stream is truncated).
func (r *bitReader) refill() bool {
	if r.pos+8 <= len(r.in) {
		// Eight bytes at once: the bytes that fit whole are counted, and
		// the bits of the next one above nb are that byte's own, which a
		// later load writes again unchanged.
		r.bb |= binary.LittleEndian.Uint64(r.in[r.pos:]) << r.nb
		r.pos += int(63-r.nb) >> 3
		r.nb |= 56
		return true
	}
	for r.nb <= 56 {
		if r.pos < len(r.in) {
			r.bb |= uint64(r.in[r.pos]) << r.nb
			r.pos++
		} else {
			if r.over++; r.over > maxOver {
				return false
			}
		}
		r.nb += 8
	}
	return true
}

// fill is refill's fast path for a bit buffer decodeBlock holds in
// locals (small enough to be inlined there): it loads eight bytes when
// the input has them, and reports false when it does not.
func fill(in []byte, pos int, bb uint64, nb uint) (int, uint64, uint, bool) {
	if pos+8 > len(in) {
		return pos, bb, nb, false
	}
	bb |= binary.LittleEndian.Uint64(in[pos:]) << nb
	return pos + int(63-nb)>>3, bb, nb | 56, true
}

// refillLocals is refill for a bit buffer held in locals, near the end of
// the input (where fill fails).
func (r *bitReader) refillLocals(pos int, bb uint64, nb uint) (int, uint64, uint, bool) {
	r.pos, r.bb, r.nb = pos, bb, nb
	ok := r.refill()
	return r.pos, r.bb, r.nb, ok
}

// take consumes n bits (n <= nb) and returns them.
func (r *bitReader) take(n uint) uint32 {
	v := uint32(r.bb & (1<<n - 1))
	r.bb >>= n
	r.nb -= n
	return v
}

// used returns how many bits of the input were consumed, counting the zero
// bytes loaded past its end.
func (r *bitReader) used() int { return (r.pos+r.over)*8 - int(r.nb) }

// Deflate decodes the raw deflate stream at the start of in into out,
// which must be exactly as long as the decoded data, and returns how many
// bytes of in the stream took (its last byte counted whole).
func (d *Decoder) Deflate(out, in []byte) (int, error) {
	if d.fixed == nil {
		d.fixed = newFixed()
	}
	r := bitReader{in: in}
	o := 0
	for final := false; !final; {
		if !r.refill() {
			return 0, ErrTruncated
		}
		final = r.take(1) == 1
		var lit, dist *table
		switch r.take(2) {
		case 0:
			n, err := r.stored(out[o:])
			if err != nil {
				return 0, err
			}
			o += n
			continue
		case 1:
			lit, dist = &d.fixed.lit, &d.fixed.dist
		case 2:
			if err := d.dynamic(&r); err != nil {
				return 0, err
			}
			lit, dist = &d.lit, &d.dist
		default:
			return 0, ErrCorrupt
		}
		var err error
		if o, err = decodeBlock(&r, out, o, lit, dist); err != nil {
			return 0, err
		}
		if r.used() > len(in)*8 {
			return 0, ErrTruncated
		}
	}
	if o != len(out) {
		return 0, ErrTooShort
	}
	return (r.used() + 7) / 8, nil
}

// stored copies a stored block into out and returns its length.
func (r *bitReader) stored(out []byte) (int, error) {
	// To a byte boundary, then LEN and NLEN.
	r.take(r.nb & 7)
	p := r.pos + r.over - int(r.nb/8) // the first byte not consumed
	if p+4 > len(r.in) {
		return 0, ErrTruncated
	}
	n := int(binary.LittleEndian.Uint16(r.in[p:]))
	if nn := int(binary.LittleEndian.Uint16(r.in[p+2:])); n != ^nn&0xffff {
		return 0, ErrCorrupt
	}
	p += 4
	if p+n > len(r.in) {
		return 0, ErrTruncated
	}
	if n > len(out) {
		return 0, ErrTooLong
	}
	copy(out, r.in[p:p+n])
	r.pos, r.over, r.bb, r.nb = p+n, 0, 0, 0
	return n, nil
}

// decodeBlock decodes the symbols of a Huffman-coded block into out from
// position o up to the end-of-block code, and returns the new position.
func decodeBlock(r *bitReader, out []byte, o int, lit, dist *table) (int, error) {
	lt, lmask, lroot := lit.t, uint64(1)<<lit.root-1, lit.root
	dt, dmask, droot := dist.t, uint64(1)<<dist.root-1, dist.root
	// The bit buffer and the input position live in locals here; r is
	// written back on return.
	in := r.in
	bb, nb, pos := r.bb, r.nb, r.pos
	for {
		if nb < 15 {
			// 15 bits hold a literal/length code; a refill leaves 56 or
			// more, enough for three literals in a row.
			var ok bool
			if pos, bb, nb, ok = fill(in, pos, bb, nb); !ok {
				if pos, bb, nb, ok = r.refillLocals(pos, bb, nb); !ok {
					return 0, ErrTruncated
				}
			}
		}
		e := lt[bb&lmask]
		if entryKind(e) == kindSub {
			e = lt[uint64(e>>16)+(bb>>lroot)&(1<<entryExtra(e)-1)]
		}
		n := e & 31
		bb >>= n
		nb -= uint(n)
		switch entryKind(e) {
		case kindLiteral:
			if o >= len(out) {
				return 0, ErrTooLong
			}
			out[o] = byte(e >> 16)
			o++
			continue
		case kindLength:
		case kindEnd:
			r.bb, r.nb, r.pos = bb, nb, pos
			return o, nil
		default:
			return 0, ErrCorrupt
		}
		if nb < 33 {
			// 33 bits hold a length's extra bits (5), a distance code
			// (15) and its extra bits (13).
			var ok bool
			if pos, bb, nb, ok = fill(in, pos, bb, nb); !ok {
				if pos, bb, nb, ok = r.refillLocals(pos, bb, nb); !ok {
					return 0, ErrTruncated
				}
			}
		}
		x := entryExtra(e)
		length := int(e>>16) + int(bb&(1<<x-1))
		bb >>= x
		nb -= uint(x)
		de := dt[bb&dmask]
		if entryKind(de) == kindSub {
			de = dt[uint64(de>>16)+(bb>>droot)&(1<<entryExtra(de)-1)]
		}
		if entryKind(de) != kindDist {
			return 0, ErrCorrupt
		}
		bb >>= de & 31
		nb -= uint(de & 31)
		x = entryExtra(de)
		dist := int(de>>16) + int(bb&(1<<x-1))
		bb >>= x
		nb -= uint(x)
		if dist > o {
			return 0, ErrCorrupt // before the start of the data
		}
		if o+length > len(out) {
			return 0, ErrTooLong
		}
		switch src := o - dist; {
		case dist >= 8 && o+length+8 <= len(out):
			// Eight bytes at a time: each read is of bytes already
			// written (dist >= 8); the bytes written past length are
			// written again later.
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(out[o+i:], binary.LittleEndian.Uint64(out[src+i:]))
			}
		case dist >= length:
			copy(out[o:o+length], out[src:])
		default:
			for i := range length {
				out[o+i] = out[src+i]
			}
		}
		o += length
	}
}

// dynamic reads the code definitions of a dynamic block into d.lit and
// d.dist.
func (d *Decoder) dynamic(r *bitReader) error {
	if r.nb < 14 && !r.refill() {
		return ErrTruncated
	}
	nlit := int(r.take(5)) + 257
	ndist := int(r.take(5)) + 1
	ncl := int(r.take(4)) + 4
	if nlit > maxLitCodes || ndist > maxDistCodes {
		return ErrCorrupt
	}
	var cl [19]uint8
	for i := range ncl {
		if r.nb < 3 && !r.refill() {
			return ErrTruncated
		}
		cl[clOrder[i]] = uint8(r.take(3))
	}
	if err := d.cl.build(cl[:], clRoot, codeLength, d.sub[:]); err != nil {
		return err
	}
	lens := d.lens[:nlit+ndist]
	ct := d.cl.t
	for i := 0; i < len(lens); {
		// A code (7 bits at most) and its extra bits (7 at most).
		if r.nb < 14 && !r.refill() {
			return ErrTruncated
		}
		e := ct[r.bb&(1<<d.cl.root-1)]
		if entryKind(e) == kindBad {
			return ErrCorrupt
		}
		r.take(uint(e & 31))
		sym := e >> 16
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16: // the previous length, 3-6 times
			if i == 0 {
				return ErrCorrupt
			}
			val = lens[i-1]
			rep = 3 + int(r.take(2))
		case 17: // zero, 3-10 times
			rep = 3 + int(r.take(3))
		default: // zero, 11-138 times
			rep = 11 + int(r.take(7))
		}
		if i+rep > len(lens) {
			return ErrCorrupt
		}
		for ; rep > 0; rep-- {
			lens[i] = val
			i++
		}
	}
	if err := d.lit.build(lens[:nlit], litRoot, litLen, d.sub[:]); err != nil {
		return err
	}
	return d.dist.build(lens[nlit:], distRoot, distance, d.sub[:])
}
