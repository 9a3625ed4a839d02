package gitstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing"
)

// packIndex is a pack's .idx file (version 2), read in place: mapped
// where the platform allows, else read whole. A lookup is a binary search
// in the names of one fan-out bucket, which touches a few pages of the
// file; nothing is decoded up front. Decoding the whole index (go-git's
// idxfile) on every hook run cost in proportion to the repository, ~0.45
// µs an object (5.0 ms for gin's 11,296 objects against 60 µs in place,
// BenchmarkPackIndexLookup), for a push that looks up a handful.
//
// The layout (gitformat-pack(5)): magic "\377tOc", version 2, 256
// big-endian fan-out counts, the N sorted 20-byte object names, N CRC-32s,
// N 4-byte offsets (the high bit set: an index into the 8-byte offsets
// that follow), then the pack's and the index's checksums.
type packIndex struct {
	data   []byte
	mapped bool
	n      int
	// names, offsets and large are the tables within data.
	names, offsets, large []byte
	// PackfileChecksum is the checksum of the pack the index describes.
	PackfileChecksum plumbing.Hash
}

// errBadIndex marks a pack index that is not a valid version 2 index.
var errBadIndex = errors.New("not a valid version 2 pack index")

const (
	idxHeader = 8
	idxFanout = 256 * 4
	sha1Size  = 20
)

// openPackIndex opens the pack index at path and checks its layout.
func openPackIndex(path string) (*packIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open pack index: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open pack index: %w", err)
	}
	x := &packIndex{}
	if x.data = mapFile(f, st.Size()); x.data != nil {
		x.mapped = true
	} else if x.data, err = os.ReadFile(path); err != nil {
		return nil, fmt.Errorf("read pack index: %w", err)
	}
	if err := x.parse(); err != nil {
		x.close()
		return nil, fmt.Errorf("pack index %s: %w", path, err)
	}
	return x, nil
}

// parse checks the header, the fan-out table and the sizes of the tables.
func (x *packIndex) parse() error {
	d := x.data
	if len(d) < idxHeader+idxFanout+2*sha1Size {
		return fmt.Errorf("%w: %d bytes", errBadIndex, len(d))
	}
	if !bytes.Equal(d[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(d[4:8]) != 2 {
		return fmt.Errorf("%w: bad header", errBadIndex)
	}
	prev := uint32(0)
	for i := range 256 {
		c := binary.BigEndian.Uint32(d[idxHeader+4*i:])
		if c < prev {
			return fmt.Errorf("%w: fan-out not increasing", errBadIndex)
		}
		prev = c
	}
	n := int(prev)
	tables := idxHeader + idxFanout
	// names, CRC-32s and offsets, then at least the two checksums.
	if n < 0 || (len(d)-tables-2*sha1Size)/28 < n {
		return fmt.Errorf("%w: %d objects do not fit in %d bytes", errBadIndex, n, len(d))
	}
	x.n = n
	x.names = d[tables : tables+20*n]
	x.offsets = d[tables+24*n : tables+28*n]
	x.large = d[tables+28*n : len(d)-2*sha1Size]
	copy(x.PackfileChecksum[:], d[len(d)-2*sha1Size:])
	return nil
}

// close releases the index's memory.
func (x *packIndex) close() {
	if x.mapped && x.data != nil {
		_ = unmapFile(x.data)
	}
	x.data, x.names, x.offsets, x.large = nil, nil, nil, nil
}

// find returns the position of h in the index, or -1.
func (x *packIndex) find(h plumbing.Hash) int {
	lo := 0
	if h[0] > 0 {
		lo = int(binary.BigEndian.Uint32(x.data[idxHeader+4*(int(h[0])-1):]))
	}
	hi := int(binary.BigEndian.Uint32(x.data[idxHeader+4*int(h[0]):]))
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(x.names[20*mid:20*mid+20], h[:]); {
		case c == 0:
			return mid
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return -1
}

// Contains reports whether the pack holds h.
func (x *packIndex) Contains(h plumbing.Hash) bool {
	return x.find(h) >= 0
}

// FindOffset returns the offset of h in the pack.
func (x *packIndex) FindOffset(h plumbing.Hash) (int64, error) {
	i := x.find(h)
	if i < 0 {
		return 0, plumbing.ErrObjectNotFound
	}
	return x.offset(i, h)
}

// At returns the name and pack offset of the i-th object (0 <= i < Count),
// in name order.
func (x *packIndex) At(i int) (plumbing.Hash, int64, error) {
	var h plumbing.Hash
	copy(h[:], x.names[20*i:])
	off, err := x.offset(i, h)
	return h, off, err
}

// offset returns the pack offset of the i-th object, named h.
func (x *packIndex) offset(i int, h plumbing.Hash) (int64, error) {
	off := binary.BigEndian.Uint32(x.offsets[4*i:])
	if off&0x80000000 == 0 {
		return int64(off), nil
	}
	j := int(off & 0x7fffffff)
	if j >= len(x.large)/8 {
		return 0, fmt.Errorf("%w: large offset %d of %s out of range", errBadIndex, j, h)
	}
	big := binary.BigEndian.Uint64(x.large[8*j:])
	if big > 1<<62 {
		return 0, fmt.Errorf("%w: offset of %s out of range", errBadIndex, h)
	}
	return int64(big), nil
}

// Count is the number of objects in the pack.
func (x *packIndex) Count() int { return x.n }
