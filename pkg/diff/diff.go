package diff

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// BinarySniffLen is how many leading bytes git looks at to decide whether
// content is binary (FIRST_FEW_BYTES in git's xdiff-interface.c): IsBinary
// of a content's first BinarySniffLen bytes is IsBinary of the content.
const BinarySniffLen = 8000

// Line is one line of the new version of a file.
type Line struct {
	// No is the 1-based number of the line in the new file.
	No int
	// Text is the line without its terminator: the "\n" and a "\r" right
	// before it are dropped. Text aliases the input given to Added,
	// AddedFunc or AddedMerge; it is not a copy, so it is only valid as
	// long as that input is, and must not be modified.
	Text []byte
}

// IsBinary reports whether content is binary the way git decides it: it
// contains a NUL byte in its first 8000 bytes. Callers should skip binary
// content rather than pass it to Added.
func IsBinary(b []byte) bool {
	if len(b) > BinarySniffLen {
		b = b[:BinarySniffLen]
	}
	return bytes.IndexByte(b, 0) >= 0
}

// Added returns the lines of newer that the new version adds compared with
// older, in increasing line order, or nil if it adds none. A nil or empty
// older means a new file: every line of newer is added.
//
// Lines are split at "\n"; a "\r" right before the "\n" is part of the
// terminator, so a line whose terminator alone changed (CRLF against LF) is
// not added. A last line without a trailing newline is a line; its text is
// everything after the last "\n" (a lone "\r" there is kept, as no "\n"
// follows it). A lone "\r" elsewhere is not a line terminator.
//
// Lines are compared by their text, and the result is defined as follows:
// the lines the two versions have in common at their start (the common
// prefix) and at their end (the common suffix, not overlapping the prefix)
// are set aside. In what remains of newer (the middle), a line is added when
// its text occurs more times in newer's middle than in older's middle: the
// first occurrences of a text in newer's middle are matched with the ones in
// older's middle and the surplus — the later occurrences — are added. This
// is a multiset difference, so:
//   - a moved line or block, or reordered lines, are not added;
//   - an edited line is added (its new text);
//   - an extra copy of an existing line is added, once per extra copy;
//   - a deleted line adds nothing.
//
// Which copy of a repeated line counts as the extra one follows from the
// prefix and suffix being set aside first: from "y\nx\n" to "x\ny\nx\n", the
// last "x" is common suffix, so line 1 is the added copy.
//
// Unlike a minimal diff (Myers, patience), this takes time and memory
// linear in len(older)+len(newer) whatever the content: each line is hashed
// once with a seed chosen per Differ, so crafted content can neither force
// quadratic work nor make hash collisions (which are resolved by comparing
// bytes, so the result is exact).
func Added(older, newer []byte) []Line {
	var d Differ
	return d.Added(older, newer)
}

// AddedFunc is the allocation-light form of Added: it calls fn for each line
// Added would return, in increasing line order, and stops as soon as fn
// returns false. The Line passed to fn aliases newer.
func AddedFunc(older, newer []byte, fn func(Line) bool) {
	var d Differ
	d.AddedFunc(older, newer, fn)
}

// AddedMerge returns the lines of newer that a merge result adds compared
// with all of its parents: the lines present in none of the parents'
// versions, that is, what the merge resolution itself introduced. A line is
// reported when it is added (in the sense of Added) compared with every
// parent version, so a line taken unchanged from any parent is not. With a
// single parent it is Added.
//
// A nil (or empty) entry in parents is a parent where the file is absent;
// compared with it every line is added, so it does not restrict the result.
// If no parent has the file (or parents is empty), every line of newer is
// added. If any parent version is identical to newer, nothing is added.
func AddedMerge(parents [][]byte, newer []byte) []Line {
	var d Differ
	return d.AddedMerge(parents, newer)
}

// Differ computes added lines like Added, AddedFunc and AddedMerge while
// reusing its hash table from one call to the next, which saves allocations
// when many files are examined in a row. The zero value is ready to use. A
// Differ is not safe for concurrent use; use one per goroutine. It keeps no
// reference to the content it was given once a call returns.
type Differ struct {
	seed   maphash.Seed
	seeded bool
	// slots is an open-addressing hash table (linear probing, at most half
	// full) of the distinct line texts of older's middle.
	slots []slot
	used  int
}

// slot is one distinct line text of older's middle. It holds offsets, not a
// slice, so the table is pointer-free (the garbage collector does not scan
// it) and never keeps a blob alive.
type slot struct {
	hash  uint64 // maphash of the text
	start int    // the text is older[start : stop-1]
	stop  int    // 0 for an empty slot
	count int    // occurrences not yet matched by a line of newer
}

const (
	// maxInitialSlots bounds the table a call starts with; it grows from
	// there when older's middle has more distinct lines.
	maxInitialSlots = 1 << 12
	// maxKeptSlots bounds the table a Differ keeps for the next call, so
	// that one huge file does not pin its memory.
	maxKeptSlots = 1 << 16
)

// Added is the package-level Added, reusing d's hash table.
func (d *Differ) Added(older, newer []byte) []Line {
	var out []Line
	d.AddedFunc(older, newer, func(l Line) bool {
		out = append(out, l)
		return true
	})
	return out
}

// AddedMerge is the package-level AddedMerge, reusing d's hash table.
func (d *Differ) AddedMerge(parents [][]byte, newer []byte) []Line {
	for _, p := range parents {
		if bytes.Equal(p, newer) {
			return nil
		}
	}
	var out []Line
	first := true
	for _, p := range parents {
		if len(p) == 0 {
			continue // absent in this parent: every line is added, no restriction
		}
		if first {
			first = false
			out = d.Added(p, newer)
		} else {
			out = d.intersect(out, p, newer)
		}
		if len(out) == 0 {
			return nil
		}
	}
	if first {
		return d.Added(nil, newer)
	}
	return out
}

// intersect keeps the lines of cur (sorted by No) that are also added by
// newer compared with older, in place.
func (d *Differ) intersect(cur []Line, older, newer []byte) []Line {
	kept, i := 0, 0
	d.AddedFunc(older, newer, func(l Line) bool {
		for i < len(cur) && cur[i].No < l.No {
			i++
		}
		if i == len(cur) {
			return false
		}
		if cur[i].No == l.No {
			cur[kept] = cur[i]
			kept++
			i++
		}
		return i < len(cur)
	})
	clear(cur[kept:]) // drop references to newer beyond the result
	return cur[:kept]
}

// AddedFunc is the package-level AddedFunc, reusing d's hash table. fn must
// not use d.
func (d *Differ) AddedFunc(older, newer []byte, fn func(Line) bool) {
	op, np, no := commonPrefix(older, newer)
	oe, ne := commonSuffix(older, newer, op, np)
	newMid := newer[:ne]
	if np >= ne {
		return // newer's middle is empty: nothing added
	}
	if op >= oe {
		// older's middle is empty: every line of newer's middle is added.
		for off := np; off < ne; {
			text, next := nextLine(newMid, off)
			no++
			if !fn(Line{No: no, Text: text}) {
				return
			}
			off = next
		}
		return
	}

	oldMid := older[:oe]
	d.reset(bytes.Count(oldMid[op:], []byte{'\n'}) + 1)
	defer d.release()
	for off := op; off < oe; {
		text, next := nextLine(oldMid, off)
		d.insert(older, text, off, maphash.Bytes(d.seed, text))
		off = next
	}
	for off := np; off < ne; {
		text, next := nextLine(newMid, off)
		no++
		if !d.take(older, text, maphash.Bytes(d.seed, text)) {
			if !fn(Line{No: no, Text: text}) {
				return
			}
		}
		off = next
	}
}

// reset readies an empty table for at most lines distinct lines: sized for
// all of them when the kept table is large enough, else sized for at most
// maxInitialSlots/2 and grown as needed, since many lines may be copies.
func (d *Differ) reset(lines int) {
	if !d.seeded {
		d.seed = maphash.MakeSeed()
		d.seeded = true
	}
	n := 16
	for n < 2*lines {
		n <<= 1
	}
	if n > cap(d.slots) {
		n = max(min(n, maxInitialSlots), cap(d.slots))
	}
	if n <= cap(d.slots) {
		d.slots = d.slots[:n]
		clear(d.slots)
	} else {
		d.slots = make([]slot, n)
	}
	d.used = 0
}

// release drops the table when it has grown too large to keep.
func (d *Differ) release() {
	if cap(d.slots) > maxKeptSlots {
		d.slots = nil
	}
}

// insert counts one occurrence of text, which is older[start:start+len(text)]
// and whose hash is h.
func (d *Differ) insert(older, text []byte, start int, h uint64) {
	mask := uint64(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &d.slots[i]
		if s.stop == 0 {
			*s = slot{hash: h, start: start, stop: start + len(text) + 1, count: 1}
			d.used++
			if 2*d.used > len(d.slots) {
				d.grow()
			}
			return
		}
		if s.hash == h && bytes.Equal(older[s.start:s.stop-1], text) {
			s.count++
			return
		}
	}
}

// grow doubles the table. The stored hashes place the entries again; no
// text is hashed twice.
func (d *Differ) grow() {
	slots := make([]slot, 2*len(d.slots))
	mask := uint64(len(slots) - 1)
	for _, s := range d.slots {
		if s.stop == 0 {
			continue
		}
		i := s.hash & mask
		for slots[i].stop != 0 {
			i = (i + 1) & mask
		}
		slots[i] = s
	}
	d.slots = slots
}

// take matches text (hash h) with one unmatched occurrence in older's middle
// and reports whether there was one.
func (d *Differ) take(older, text []byte, h uint64) bool {
	mask := uint64(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &d.slots[i]
		if s.stop == 0 {
			return false
		}
		if s.hash == h && bytes.Equal(older[s.start:s.stop-1], text) {
			if s.count == 0 {
				return false
			}
			s.count--
			return true
		}
	}
}

// nextLine returns the text of the line of b starting at off (off < len(b))
// and the offset where the next line starts.
func nextLine(b []byte, off int) (text []byte, next int) {
	rest := b[off:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return rest, len(b)
	}
	text = rest[:i]
	if i > 0 && text[i-1] == '\r' {
		text = text[:i-1]
	}
	return text, off + i + 1
}

// prevLine returns the text of the last line of b[lo:end] (lo < end, both at
// line starts or end == len(b)) and the offset where that line starts.
func prevLine(b []byte, lo, end int) (text []byte, start int) {
	e := end
	nl := b[e-1] == '\n'
	if nl {
		e--
	}
	start = lo + bytes.LastIndexByte(b[lo:e], '\n') + 1
	text = b[start:e]
	if nl && len(text) > 0 && text[len(text)-1] == '\r' {
		text = text[:len(text)-1]
	}
	return text, start
}

// commonPrefix returns the offsets in older and newer where their common
// prefix lines end, and how many lines it has.
func commonPrefix(older, newer []byte) (op, np, lines int) {
	// Fast path: lines lying entirely (terminator included) in the common
	// byte prefix are equal. Count them without splitting.
	n := commonPrefixLen(older, newer)
	if k := bytes.LastIndexByte(older[:n], '\n'); k >= 0 {
		op, np = k+1, k+1
		lines = bytes.Count(older[:op], []byte{'\n'})
	}
	if n == len(older) && n == len(newer) {
		if op < n { // identical, last line without a newline
			lines++
		}
		return n, n, lines
	}
	// Slow path from there: lines equal up to their terminator.
	for op < len(older) && np < len(newer) {
		ot, on := nextLine(older, op)
		nt, nn := nextLine(newer, np)
		if !bytes.Equal(ot, nt) {
			break
		}
		op, np = on, nn
		lines++
	}
	return op, np, lines
}

// commonSuffix returns the offsets in older and newer where their common
// suffix lines start, not before op and np.
func commonSuffix(older, newer []byte, op, np int) (oe, ne int) {
	oe, ne = len(older), len(newer)
	if oe == op || ne == np {
		return oe, ne
	}
	// Fast path: in the common byte suffix, the lines after its first "\n"
	// are whole and equal; so is the suffix itself when it starts at a line
	// start in both.
	n := commonSuffixLen(older[op:], newer[np:])
	if n > 0 {
		os, ns := oe-n, ne-n
		if (os == op || older[os-1] == '\n') && (ns == np || newer[ns-1] == '\n') {
			oe, ne = os, ns
		} else if k := bytes.IndexByte(older[os:], '\n'); k >= 0 && os+k+1 < oe {
			oe, ne = os+k+1, ns+k+1
		}
	}
	// Slow path from there: lines equal up to their terminator.
	for oe > op && ne > np {
		ot, os := prevLine(older, op, oe)
		nt, ns := prevLine(newer, np, ne)
		if !bytes.Equal(ot, nt) {
			break
		}
		oe, ne = os, ns
	}
	return oe, ne
}

// commonPrefixLen returns the length of the longest common byte prefix of a
// and b, comparing eight bytes at a time.
func commonPrefixLen(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffixLen returns the length of the longest common byte suffix of a
// and b, comparing eight bytes at a time.
func commonSuffixLen(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[len(a)-i-8:]) ^ binary.LittleEndian.Uint64(b[len(b)-i-8:]); x != 0 {
			return i + bits.LeadingZeros64(x)/8
		}
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}
