// Package textenc decodes text that secret rules would otherwise not see:
// UTF-16 and UTF-32 files (which git calls binary), base64 values of
// Kubernetes Secret manifests, and the base64 "auth" values of Docker
// config.json files. It does no I/O; every function is bounded by its input.
package textenc

import (
	"bytes"
	"encoding/base64"
	"unicode/utf16"
	"unicode/utf8"
)

// Encoding names a text encoding DecodeUTF recognises.
type Encoding string

// Encodings DecodeUTF recognises.
const (
	UTF16LE Encoding = "UTF-16LE"
	UTF16BE Encoding = "UTF-16BE"
	UTF32LE Encoding = "UTF-32LE"
	UTF32BE Encoding = "UTF-32BE"
)

// sniffLen is how many leading bytes the NUL-pattern detection looks at.
const sniffLen = 8000

// DecodeUTF decodes b when it is UTF-16 or UTF-32 text, told by a byte order
// mark or, without one, by the NUL bytes of mostly-ASCII text (every other
// byte zero for UTF-16, three of four for UTF-32). It returns the text as
// UTF-8 without the byte order mark, and the encoding; ok is false when b
// is not such text (then b is binary, or plain 8-bit text). Invalid code
// units become U+FFFD; text that decodes to NUL or many control characters
// is not text, and ok is false.
func DecodeUTF(b []byte) (text []byte, enc Encoding, ok bool) {
	enc, skip := detect(b)
	if enc == "" {
		return nil, "", false
	}
	b = b[skip:]
	var out []byte
	switch enc {
	case UTF16LE, UTF16BE:
		out = decode16(b, enc == UTF16BE)
	default:
		out = decode32(b, enc == UTF32BE)
	}
	if !looksLikeText(out) {
		return nil, "", false
	}
	return out, enc, true
}

// detect returns the encoding of b and the length of its byte order mark.
func detect(b []byte) (Encoding, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}):
		return UTF32LE, 4
	case bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}):
		return UTF32BE, 4
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return UTF16LE, 2
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return UTF16BE, 2
	}
	s := b[:min(len(b), sniffLen)]
	if len(s) < 4 {
		return "", 0
	}
	// Count, for each position modulo 4, the zero bytes.
	var zeros [4]int
	for i, c := range s {
		if c == 0 {
			zeros[i%4]++
		}
	}
	quads := len(s) / 4
	pairs := len(s) / 2
	high := func(n, of int) bool { return of > 0 && n*10 >= of*9 }
	low := func(n, of int) bool { return n*10 <= of }
	switch {
	case high(zeros[1], quads) && high(zeros[2], quads) && high(zeros[3], quads) && low(zeros[0], quads):
		return UTF32LE, 0
	case high(zeros[0], quads) && high(zeros[1], quads) && high(zeros[2], quads) && low(zeros[3], quads):
		return UTF32BE, 0
	case high(zeros[1]+zeros[3], pairs) && low(zeros[0]+zeros[2], pairs):
		return UTF16LE, 0
	case high(zeros[0]+zeros[2], pairs) && low(zeros[1]+zeros[3], pairs):
		return UTF16BE, 0
	}
	return "", 0
}

func decode16(b []byte, big bool) []byte {
	units := make([]uint16, len(b)/2)
	for i := range units {
		if big {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	out := make([]byte, 0, len(units)+len(units)/2)
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	if len(b)%2 == 1 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return out
}

func decode32(b []byte, big bool) []byte {
	out := make([]byte, 0, len(b)/4+8)
	for i := 0; i+4 <= len(b); i += 4 {
		var v uint32
		if big {
			v = uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		} else {
			v = uint32(b[i+3])<<24 | uint32(b[i+2])<<16 | uint32(b[i+1])<<8 | uint32(b[i])
		}
		r := rune(v)
		if v > utf8.MaxRune || !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	if len(b)%4 != 0 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return out
}

// looksLikeText reports whether decoded UTF-8 is text: no NUL, and at most
// one in ten runes a control character (other than tab, CR, LF, FF) or
// U+FFFD.
func looksLikeText(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	runes, bad := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		runes++
		if r == utf8.RuneError || (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') || r == 0x7f {
			bad++
		}
	}
	return bad*10 <= runes
}

// Base64Text decodes s as base64 (standard or URL alphabet, padded or
// not) when what it encodes is text: valid UTF-8 without NUL and with few
// control characters. ok is false for anything else, and for values
// shorter than 8 characters.
func Base64Text(s []byte) (text []byte, ok bool) {
	s = bytes.TrimSpace(s)
	if len(s) < 8 {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		out := make([]byte, enc.DecodedLen(len(s)))
		n, err := enc.Decode(out, s)
		if err != nil {
			continue
		}
		out = out[:n]
		if !utf8.Valid(out) || !looksLikeText(out) {
			return nil, false
		}
		return out, true
	}
	return nil, false
}
