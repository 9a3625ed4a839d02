package ruleset

import (
	"encoding/binary"
	"errors"
	"math"
)

// The byte encoding of compiled rules (compiled.go): unsigned and signed
// varints, float64 as 8 little-endian bytes, strings and slices prefixed
// by their length. A slice's length is written plus one, so that 0 says
// nil: a nil list and an empty one mean different things to some
// conditions (dependencies.ecosystems: nil is every ecosystem).

// errWire is the error of a truncated or malformed encoding.
var errWire = errors.New("malformed compiled rules")

// wireWriter appends an encoding to b.
type wireWriter struct{ b []byte }

func (w *wireWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *wireWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }

func (w *wireWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// optBool writes a *bool: 0 nil, 1 false, 2 true.
func (w *wireWriter) optBool(p *bool) {
	switch {
	case p == nil:
		w.b = append(w.b, 0)
	case !*p:
		w.b = append(w.b, 1)
	default:
		w.b = append(w.b, 2)
	}
}

func (w *wireWriter) float(v float64) {
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v))
}

func (w *wireWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// size writes the length of a slice, 0 for nil.
func (w *wireWriter) size(n int, isNil bool) {
	if isNil {
		w.uint(0)
		return
	}
	w.uint(uint64(n) + 1)
}

func (w *wireWriter) strs(s []string) {
	w.size(len(s), s == nil)
	for _, v := range s {
		w.str(v)
	}
}

// int32sFixed writes an int32 table 4 bytes an entry (little-endian):
// bigger than varints for small values, and much faster to read back.
func (w *wireWriter) int32sFixed(s []int32) {
	w.size(len(s), s == nil)
	for _, v := range s {
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(v))
	}
}

func (w *wireWriter) bools(s []bool) {
	w.size(len(s), s == nil)
	for _, v := range s {
		w.bool(v)
	}
}

// byteSet writes a [256]bool as 32 bytes of bits.
func (w *wireWriter) byteSet(s *[256]bool) {
	var bits [32]byte
	for i, v := range s {
		if v {
			bits[i/8] |= 1 << (i % 8)
		}
	}
	w.b = append(w.b, bits[:]...)
}

// wireReader reads an encoding from s, a string so that the strings it
// returns share its memory. The first problem sticks in err; the reads
// after it return zero values.
type wireReader struct {
	s   string
	i   int
	err error
}

func (r *wireReader) fail() {
	if r.err == nil {
		r.err = errWire
	}
	r.i = len(r.s)
}

func (r *wireReader) uint() uint64 {
	var v uint64
	var shift uint
	for {
		if r.i >= len(r.s) || shift > 63 {
			r.fail()
			return 0
		}
		c := r.s[r.i]
		r.i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
		shift += 7
	}
}

func (r *wireReader) int() int64 {
	u := r.uint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// count reads a non-negative int that fits an int32.
func (r *wireReader) count() int {
	v := r.uint()
	if v > math.MaxInt32 {
		r.fail()
		return 0
	}
	return int(v)
}

func (r *wireReader) byte() byte {
	if r.i >= len(r.s) {
		r.fail()
		return 0
	}
	c := r.s[r.i]
	r.i++
	return c
}

func (r *wireReader) bool() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail()
	return false
}

func (r *wireReader) optBool() *bool {
	switch r.byte() {
	case 0:
		return nil
	case 1:
		v := false
		return &v
	case 2:
		v := true
		return &v
	}
	r.fail()
	return nil
}

func (r *wireReader) float() float64 {
	if len(r.s)-r.i < 8 {
		r.fail()
		return 0
	}
	var b [8]byte
	copy(b[:], r.s[r.i:r.i+8])
	r.i += 8
	return math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
}

func (r *wireReader) str() string {
	n := r.count()
	if n > len(r.s)-r.i {
		r.fail()
		return ""
	}
	s := r.s[r.i : r.i+n]
	r.i += n
	return s
}

// size reads a slice length written by wireWriter.size: -1 for nil. Each
// element takes at least one byte, which bounds a corrupt length.
func (r *wireReader) size() int {
	n := r.count()
	if n == 0 {
		return -1
	}
	n--
	if n > len(r.s)-r.i {
		r.fail()
		return -1
	}
	return n
}

func (r *wireReader) strs() []string {
	n := r.size()
	if n < 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *wireReader) int32sFixed() []int32 {
	n := r.count()
	if n == 0 {
		return nil
	}
	n--
	if n > (len(r.s)-r.i)/4 {
		r.fail()
		return nil
	}
	out := make([]int32, n)
	s := r.s[r.i : r.i+4*n]
	for i := range out {
		j := 4 * i
		out[i] = int32(uint32(s[j]) | uint32(s[j+1])<<8 | uint32(s[j+2])<<16 | uint32(s[j+3])<<24)
	}
	r.i += 4 * n
	return out
}

func (r *wireReader) bools() []bool {
	n := r.size()
	if n < 0 {
		return nil
	}
	out := make([]bool, n)
	for i := range out {
		out[i] = r.bool()
	}
	return out
}

func (r *wireReader) byteSet(s *[256]bool) {
	if len(r.s)-r.i < 32 {
		r.fail()
		return
	}
	for i := range s {
		s[i] = r.s[r.i+i/8]&(1<<(i%8)) != 0
	}
	r.i += 32
}
