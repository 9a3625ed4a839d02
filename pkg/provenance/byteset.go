package provenance

import (
	"encoding/binary"
	"strings"
)

// byteSet is the set of bytes a text holds: one bit per ASCII byte, and
// bit 0 (NUL) for every byte of 0x80 and above. A text that contains a
// literal holds every byte of it, so a literal whose set is not a subset of
// a text's cannot occur in it: one pass over a text rules out many
// literals at once, each for the cost of two AND-NOTs, before any
// strings.Contains.
type byteSet [2]uint64

// bytesOf returns the set of the bytes of s.
func bytesOf(s string) byteSet {
	var lo, hi uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			c = 0
		}
		// Without a branch on which word: letters and the rest alternate.
		bit := uint64(1) << (c & 63)
		inHi := -uint64(c >> 6) // all ones when c >= 64
		hi |= bit & inHi
		lo |= bit &^ inHi
	}
	return byteSet{lo, hi}
}

// has reports whether every byte of sub is in b.
func (b byteSet) has(sub byteSet) bool {
	return sub[0]&^b[0] == 0 && sub[1]&^b[1] == 0
}

// add returns b with the bytes of o.
func (b byteSet) add(o byteSet) byteSet {
	return byteSet{b[0] | o[0], b[1] | o[1]}
}

// folded returns a set that holds every byte of foldASCII(s), given b, the
// set of s: b, the lower-case letters of its upper-case ones, and 's' and
// 'k' when s has a non-ASCII byte (foldASCII writes U+017F as "s" and
// U+212A as "k"). It may hold more (the upper-case letters themselves).
func (b byteSet) folded() byteSet {
	const upper = uint64(1<<26-1) << ('A' - 64) // 'A'..'Z', in b[1]
	f := b
	f[1] |= (b[1] & upper) << ('a' - 'A')
	if b[0]&1 != 0 {
		f[1] |= 1<<('s'-64) | 1<<('k'-64)
	}
	return f
}

// globBytes returns the set of bytes every path a glob matches holds: the
// bytes of its plain characters, '/' left out (`**/` may match nothing).
// It is empty (no constraint) when the glob has character classes,
// alternatives or escapes, whose text is not literal (see globLiteral).
func globBytes(g string) byteSet {
	if strings.ContainsAny(g, "[{\\") {
		return byteSet{}
	}
	var b byteSet
	for _, part := range strings.FieldsFunc(g, func(r rune) bool { return r == '*' || r == '?' || r == '/' }) {
		b = b.add(bytesOf(part))
	}
	return b
}

// appendLowerASCII appends s with its ASCII letters lowered to dst, and
// reports true, when s is ASCII (then this is foldASCII(s)); otherwise it
// returns dst unchanged and false. It works on eight bytes at a time.
func appendLowerASCII(dst []byte, s string) ([]byte, bool) {
	const (
		high  = 0x8080808080808080
		fromA = 0x3f3f3f3f3f3f3f3f // + byte: bit 7 set when byte >= 'A'
		pastZ = 0x2525252525252525 // + byte: bit 7 set when byte > 'Z'
	)
	n := len(dst)
	dst = append(dst, s...)
	b := dst[n:]
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if w&high != 0 {
			return dst[:n], false
		}
		// No byte is 0x80 or more, so no sum carries into the next byte.
		upper := (w + fromA) &^ (w + pastZ) & high
		binary.LittleEndian.PutUint64(b[i:], w|upper>>2)
	}
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= 0x80:
			return dst[:n], false
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		}
	}
	return dst, true
}
