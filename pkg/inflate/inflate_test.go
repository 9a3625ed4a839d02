package inflate

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// compress returns data as a zlib stream at level.
func compress(t testing.TB, data []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zlib.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// samples are inputs of every shape the encoder makes blocks of: empty,
// tiny, text, long repeats (overlapping copies at every distance), random
// bytes (stored blocks), and sizes around the window.
func samples() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int, alphabet string) []byte {
		b := make([]byte, n)
		for i := range b {
			if alphabet == "" {
				b[i] = byte(rng.UintN(256))
			} else {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		return b
	}
	text := strings.Repeat("package main\n\nfunc main() {\n\tprintln(\"hello, world\")\n}\n", 50)
	var periods []byte
	for p := 1; p <= 40; p++ {
		periods = append(periods, bytes.Repeat(random(p, "abcdefgh"), 300/p+3)...)
	}
	return map[string][]byte{
		"empty":        {},
		"one byte":     {'x'},
		"short text":   []byte("hello, world\n"),
		"go source":    []byte(text),
		"run of zeros": make([]byte, 100_000),
		"periods":      periods,
		"random":       random(70_000, ""),
		"small alpha":  random(200_000, "ab"),
		"window edge":  bytes.Repeat(random(32_768, "abcdefghij"), 3),
		"mixed":        append(append(random(5_000, ""), text...), random(40_000, "xyz \n")...),
	}
}

var levels = []int{zlib.NoCompression, zlib.BestSpeed, 5, zlib.BestCompression, zlib.HuffmanOnly}

func TestZlibDecodesWhatZlibWrites(t *testing.T) {
	var d Decoder
	for name, data := range samples() {
		for _, level := range levels {
			in := compress(t, data, level)
			out := make([]byte, len(data))
			if err := d.Zlib(out, in); err != nil {
				t.Errorf("%s, level %d: %v", name, level, err)
				continue
			}
			if !bytes.Equal(out, data) {
				t.Errorf("%s, level %d: decoded data differs", name, level)
			}
			// Bytes after the stream are not part of it.
			if err := d.Zlib(out, append(in, "trailing"...)); err != nil || !bytes.Equal(out, data) {
				t.Errorf("%s, level %d, with trailing bytes: %v", name, level, err)
			}
		}
	}
}

func TestZlibRefusesDamage(t *testing.T) {
	data := samples()["go source"]
	in := compress(t, data, 5)
	withHeader := func(cmf, flg byte) []byte {
		b := bytes.Clone(in)
		b[0], b[1] = cmf, flg
		return b
	}
	tests := []struct {
		name string
		out  int
		in   []byte
		want error
	}{
		{"no input", len(data), nil, ErrTruncated},
		{"one byte", len(data), in[:1], ErrTruncated},
		{"not deflate", len(data), withHeader(0x79, 0x01^0x1f), ErrHeader},
		{"bad header check", len(data), withHeader(0x78, 0x9d), ErrHeader},
		{"window too large", len(data), withHeader(0x88, 0x1c), ErrHeader},
		{"preset dictionary", len(data), withHeader(0x78, 0xbb), ErrDictionary},
		{"expected size too small", len(data) - 1, in, ErrTooLong},
		{"expected size too large", len(data) + 1, in, ErrTooShort},
		{"no checksum", len(data), in[:len(in)-4], ErrTruncated},
		{"half a checksum", len(data), in[:len(in)-2], ErrTruncated},
		{"reserved block type", 0, []byte{0x78, 0x9c, 0x07}, ErrCorrupt},
		// Fixed block: literal 'a', then length 3 at distance 2 with
		// one byte written.
		{"distance too far", 4, append([]byte{0x78, 0x9c}, fixedBlock(t)...), ErrCorrupt},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.Zlib(make([]byte, tt.out), tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// fixedBlock is a final fixed-Huffman block holding literal 'a' and a copy
// of length 3 from distance 2, which reaches before the start of the data.
func fixedBlock(t *testing.T) []byte {
	t.Helper()
	var w bitWriter
	w.bits(1, 1) // final
	w.bits(1, 2) // fixed Huffman
	w.code(0x30+'a', 8)
	w.code(1, 7)  // length code 257: length 3
	w.code(1, 5)  // distance code 1: distance 2
	w.code(0, 7)  // end of block
	w.bits(0, 32) // padding and a checksum
	return w.b
}

// bitWriter writes a deflate bit stream for hand-made tests.
type bitWriter struct {
	b  []byte
	n  uint
	cu uint64
}

// bits writes the n low bits of v, least significant first.
func (w *bitWriter) bits(v uint64, n uint) {
	for i := uint(0); i < n; i++ {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// code writes a Huffman code of n bits, most significant first.
func (w *bitWriter) code(c uint64, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.bits(c>>uint(i)&1, 1)
	}
}

// flateResult decodes in (a zlib stream) with compress/flate, ignoring the
// checksum as Zlib does: the data, and whether the stream is valid and
// decodes to exactly size bytes with a whole checksum after it.
func flateResult(in []byte, size int) ([]byte, bool) {
	if len(in) < 2 {
		return nil, false
	}
	cmf, flg := in[0], in[1]
	if cmf&15 != 8 || cmf>>4 > 7 || (uint16(cmf)<<8|uint16(flg))%31 != 0 || flg&0x20 != 0 {
		return nil, false
	}
	src := bytes.NewReader(in[2:])
	r := flate.NewReader(src)
	// Read at most size+1 bytes: a longer result is refused anyway.
	out, err := io.ReadAll(io.LimitReader(r, int64(size)+1))
	if err != nil || len(out) != size {
		return nil, false
	}
	// The stream must have ended there.
	var one [1]byte
	if n, err := r.Read(one[:]); n != 0 || err != io.EOF {
		return nil, false
	}
	// flate reads no byte past the end of the stream from an
	// io.ByteReader: what is left holds the checksum.
	if src.Len() < 4 {
		return nil, false
	}
	return out, true
}

// agree checks that Zlib and compress/flate agree on in decoded to size
// bytes: both refuse it, or both decode the same bytes.
func agree(t *testing.T, d *Decoder, in []byte, size int) {
	t.Helper()
	want, ok := flateResult(in, size)
	out := make([]byte, size)
	err := d.Zlib(out, in)
	switch {
	case ok && err != nil:
		t.Fatalf("compress/flate decodes %x (%d bytes), Zlib refuses it: %v", in, size, err)
	case !ok && err == nil:
		t.Fatalf("compress/flate refuses %x (%d bytes), Zlib decodes it", in, size)
	case ok && !bytes.Equal(out, want):
		t.Fatalf("decodings of %x differ", in)
	}
}

// TestZlibAgreesWithFlateOnDamage flips every bit of the first bytes of
// small streams, and cuts them at every length: the two decoders accept
// and refuse the same streams, with the same data.
func TestZlibAgreesWithFlateOnDamage(t *testing.T) {
	var d Decoder
	for name, data := range samples() {
		if len(data) > 20_000 {
			continue
		}
		for _, level := range levels {
			in := compress(t, data, level)
			for cut := range len(in) {
				agree(t, &d, in[:cut], len(data))
			}
			for i := range min(len(in), 64) {
				for bit := range 8 {
					b := bytes.Clone(in)
					b[i] ^= 1 << bit
					agree(t, &d, b, len(data))
				}
			}
			if t.Failed() {
				t.Fatalf("%s, level %d", name, level)
			}
		}
	}
}

func FuzzZlib(f *testing.F) {
	for _, data := range samples() {
		if len(data) < 5000 {
			for _, level := range levels {
				f.Add(compress(f, data, level), uint16(len(data)))
			}
		}
	}
	var d Decoder
	f.Fuzz(func(t *testing.T, in []byte, size uint16) {
		agree(t, &d, in, int(size))
	})
}
