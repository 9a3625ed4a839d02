package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Clean makes a pushed string safe to print on a terminal or in a log: C0 and
// C1 control characters, DEL, bidirectional controls, zero-width and other
// invisible format characters and invalid UTF-8 bytes are replaced by visible
// escapes (\x1b, \u202e), and the result is capped at max runes (0 = no cap),
// with "…" marking the cut.
func Clean(s string, max int) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		if max > 0 && n >= max {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case 0x80 <= r && r <= 0x9f, invisible(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
		n++
	}
	return b.String()
}

// invisible reports format characters that change how text displays without
// being seen: bidi controls, zero-width characters, tag characters, variation
// selectors, line and paragraph separators.
func invisible(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x00ad:
		return true
	case 0x200b <= r && r <= 0x200d, r == 0x2060, r == 0xfeff:
		return true
	case 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case 0xe0000 <= r && r <= 0xe007f:
		return true
	case 0xfe00 <= r && r <= 0xfe0f, 0xe0100 <= r && r <= 0xe01ef:
		return true
	}
	return false
}

// Redact shows the first few characters of a secret and hides the rest.
func Redact(s string) string {
	keep := utf8.RuneCountInString(s) / 4
	if keep > 4 {
		keep = 4
	}
	i := 0
	for k := 0; k < keep && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "***"
}
