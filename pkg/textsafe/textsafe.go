// Package textsafe makes untrusted text (anything that came from a push)
// safe to print on a terminal or write to a log: nothing in it can move the
// cursor, recolour the screen, reorder what is displayed or hide characters.
package textsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean replaces C0 and C1 control characters, DEL, every Unicode format
// character (bidi controls, zero-width characters, tag characters, soft
// hyphen, ...), variation selectors, line and paragraph separators and
// invalid UTF-8 bytes by visible escapes (\x1b, \u202e), doubles
// backslashes so escapes stay unambiguous, and caps the result at max runes
// (0 = no cap), with "…" marking the cut. Text that needs none of this is
// returned as it is, without allocating.
func Clean(s string, max int) string {
	if safe(s, max) {
		return s
	}
	return escape(s, max, true)
}

// Visible replaces control characters, invisible characters (see Invisible)
// and invalid UTF-8 bytes by visible escapes and caps the result at max runes
// (0 = no cap) with "…", like Clean, but leaves backslashes as they are: for
// text that already stores such characters as these escapes (the audit log)
// and is shown as stored.
func Visible(s string, max int) string {
	return escape(s, max, false)
}

// escape is the one loop behind Clean and Visible.
func escape(s string, max int, doubleBackslash bool) string {
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
		case r == '\\' && doubleBackslash:
			b.WriteString(`\\`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case 0x80 <= r && r <= 0x9f, Invisible(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
		n++
	}
	return b.String()
}

// safe reports whether Clean would return s unchanged.
func safe(s string, max int) bool {
	n := 0
	for _, r := range s {
		n++
		if (max > 0 && n > max) || r == utf8.RuneError || r == '\\' || r < 0x20 || r == 0x7f ||
			(0x80 <= r && r <= 0x9f) || Invisible(r) {
			return false
		}
	}
	return true
}

// Invisible reports characters that change how text displays without being
// seen: Unicode format characters (bidi controls, zero-width characters,
// tag characters, ...), variation selectors, line and paragraph separators.
func Invisible(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case r == 0x2028, r == 0x2029:
		return true
	case 0xfe00 <= r && r <= 0xfe0f, 0xe0100 <= r && r <= 0xe01ef:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// VisibleLen counts the characters of s a reader can see: every rune that
// is not a control character, an invisible one (see Invisible), a space
// separator or invalid UTF-8. A reason or justification typed by a pusher
// must reach a minimum length in visible characters, so that zero-width or
// control characters cannot fill it.
func VisibleLen(s string) int {
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || Invisible(r) {
			continue
		}
		n++
	}
	return n
}

// Prefix returns s cut to at most max bytes, at a rune boundary (so that a
// bound on bytes never splits a character).
func Prefix[T ~string | ~[]byte](s T, max int) T {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// Suffix returns the last at most max bytes of s, starting at a rune
// boundary.
func Suffix[T ~string | ~[]byte](s T, max int) T {
	if len(s) <= max {
		return s
	}
	cut := len(s) - max
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	return s[cut:]
}
