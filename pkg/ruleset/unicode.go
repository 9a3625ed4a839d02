package ruleset

import (
	"encoding/binary"
	"fmt"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// This file is the hidden-Unicode content condition:
//
//	content:
//	  unicode: [bidi, zero-width, tags, variation-selectors, "U+00AD"]
//
// It fires on invisible code points that change how text reads (Trojan
// Source, CVE-2021-42574) or hide text from the reader but not from a
// program or an AI agent (ASCII smuggling in tag characters, data hidden in
// variation selectors). Uses that are legitimate text are not reported:
// a byte order mark at the very start of a file, variation selectors
// right after an emoji or CJK base character, joiners inside emoji
// sequences and between letters of joining scripts, the three emoji
// flag tag sequences (England, Scotland, Wales), and an implicit
// direction mark (LRM, RLM, ALM) that is the whole content of a string
// literal: `\lrm`: "‎" in an entity table is data.
//
// The implicit marks are strong characters, not the explicit embeddings,
// overrides and isolates of Trojan Source that open a reordered span
// (rustc's text_direction_codepoint_in_literal, GHC and Dart flag only
// those nine: U+202A-U+202E, U+2066-U+2069). A lone mark between two
// quotes cannot reorder the code around it; anywhere else pushguard still
// reports it, since next to right-to-left letters a mark can move
// neutral characters such as quotes and operators.

// unicodeClasses are the named classes of the unicode condition. This and
// the other tables of this file are read-only.
var unicodeClasses = map[string][]runeRange{
	"bidi": {
		{0x061c, 0x061c}, {0x200e, 0x200f}, {0x202a, 0x202e}, {0x2066, 0x2069},
	},
	"zero-width": {
		{0x200b, 0x200d}, {0x2060, 0x2060}, {0xfeff, 0xfeff},
	},
	"tags": {
		{0xe0000, 0xe007f},
	},
	"variation-selectors": {
		{0xfe00, 0xfe0f}, {0xe0100, 0xe01ef},
	},
}

// unicodeClassNames lists the class names, for messages.
const unicodeClassNames = "bidi, zero-width, tags, variation-selectors"

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

// unicodeCond is a compiled content.unicode condition.
type unicodeCond struct {
	ranges []runeRange // sorted, merged
	// lead marks the bytes a UTF-8 encoding of a listed code point can start
	// with: a line without any of them is skipped without decoding.
	lead [256]bool
}

// compileUnicode validates content.unicode: class names or code point
// ranges "U+202A-U+202E" / single code points "U+202E".
func (d *decoder) compileUnicode(c *ContentSpec, n *yaml.Node) *unicodeCond {
	if d.emptyList(&c.Unicode) {
		d.errorf(d.at(&c.Unicode, n), "content.unicode", "empty list (give classes such as %s, or ranges such as \"U+202A-U+202E\")", unicodeClassNames)
		return nil
	}
	u := &unicodeCond{}
	for i, s := range c.Unicode {
		if d.bad[&c.Unicode[i]] {
			continue
		}
		if rs, ok := unicodeClasses[strings.ToLower(strings.TrimSpace(s))]; ok {
			u.ranges = append(u.ranges, rs...)
			continue
		}
		r, err := parseRuneRange(s)
		if err != nil {
			d.errorf(d.at(&c.Unicode[i], n), fmt.Sprintf("content.unicode[%d]", i), "%v", err)
			continue
		}
		u.ranges = append(u.ranges, r)
	}
	u.ranges = mergeRanges(u.ranges)
	for _, r := range u.ranges {
		lo, hi := firstByte(r.lo), firstByte(r.hi)
		for b := lo; ; b++ {
			u.lead[b] = true
			if b == hi {
				break
			}
		}
	}
	return u
}

// parseRuneRange parses "U+202E" or "U+202A-U+202E" (the "U+" is optional,
// hexadecimal digits are required).
func parseRuneRange(s string) (runeRange, error) {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(s), "-")
	a, err := parseCodePoint(lo)
	if err != nil {
		return runeRange{}, fmt.Errorf("invalid entry %s: %v (use a class: %s, or \"U+202E\", or \"U+202A-U+202E\")", yamlmsg.Quote(s), err, unicodeClassNames)
	}
	b := a
	if isRange {
		if b, err = parseCodePoint(hi); err != nil {
			return runeRange{}, fmt.Errorf("invalid entry %s: %v (use a class: %s, or \"U+202E\", or \"U+202A-U+202E\")", yamlmsg.Quote(s), err, unicodeClassNames)
		}
	}
	if b < a {
		return runeRange{}, fmt.Errorf("invalid range %s: the end is below the start", yamlmsg.Quote(s))
	}
	if a < 0x80 {
		return runeRange{}, fmt.Errorf("invalid range %s: ASCII code points are not hidden characters; use content.regex", yamlmsg.Quote(s))
	}
	return runeRange{a, b}, nil
}

// parseCodePoint parses "U+202E" or "202E".
func parseCodePoint(s string) (rune, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[:2] == "U+" || s[:2] == "u+") {
		s = s[2:]
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil || s == "" {
		return 0, fmt.Errorf("%s is not a code point", yamlmsg.Quote(s))
	}
	if v > unicode.MaxRune || (0xd800 <= v && v <= 0xdfff) {
		return 0, fmt.Errorf("U+%04X is not a Unicode scalar value", v)
	}
	return rune(v), nil
}

// mergeRanges sorts ranges and merges overlapping or adjacent ones.
func mergeRanges(rs []runeRange) []runeRange {
	sort.Slice(rs, func(i, j int) bool { return rs[i].lo < rs[j].lo })
	var out []runeRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// firstByte is the first byte of r's UTF-8 encoding; it grows with r.
func firstByte(r rune) byte {
	var buf [utf8.UTFMax]byte
	utf8.EncodeRune(buf[:], r)
	return buf[0]
}

// has reports whether r is listed.
func (u *unicodeCond) has(r rune) bool {
	i := sort.Search(len(u.ranges), func(i int) bool { return u.ranges[i].hi >= r })
	return i < len(u.ranges) && u.ranges[i].lo <= r
}

// maybe reports whether line holds a listed code point: a byte test, and
// a decode only where a listed code point can start. Most lines, including
// most non-ASCII ones (accents, typographic quotes), stop here.
func (u *unicodeCond) maybe(line []byte) bool {
	// Listed code points are not ASCII: skip ASCII eight bytes at a time.
	i := 0
	for ; i+8 <= len(line); i += 8 {
		if binary.LittleEndian.Uint64(line[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(line); i++ {
		if b := line[i]; u.lead[b] {
			if r, _ := utf8.DecodeRune(line[i:]); u.has(r) {
				return true
			}
		}
	}
	return false
}

// hiddenRune is one decoded code point of a line.
type hiddenRune struct {
	r          rune
	start, end int // byte offsets
	col        int // 1-based character column
}

// each calls fn for every run of listed code points in line that are not
// part of legitimate text. lineNo is the line's 1-based number in its file
// (0 when unknown): a U+FEFF at column 1 of line 1 is a byte order mark.
// A run is consecutive hidden code points of one class (bidi, zero-width,
// tags, variation selectors, other); it is reported once, naming its first
// code point and column.
func (u *unicodeCond) each(line []byte, lineNo int, fn func(start, end int, detail string)) {
	if !u.maybe(line) {
		return
	}
	runes := make([]hiddenRune, 0, len(line))
	col := 0
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRune(line[i:])
		col++
		runes = append(runes, hiddenRune{r: r, start: i, end: i + size, col: col})
		i += size
	}
	for i := 0; i < len(runes); i++ {
		if n := flagTagSequence(runes[i:]); n > 0 {
			i += n - 1
			continue
		}
		if !u.hidden(runes, i, lineNo) {
			continue
		}
		cls := hiddenClass(runes[i].r)
		j := i + 1
		for j < len(runes) && hiddenClass(runes[j].r) == cls && u.hidden(runes, j, lineNo) {
			j++
		}
		fn(runes[i].start, runes[j-1].end, describeRun(runes[i:j], cls))
		i = j - 1
	}
}

// hidden reports whether runes[i] is listed and not part of legitimate text.
func (u *unicodeCond) hidden(runes []hiddenRune, i int, lineNo int) bool {
	r := runes[i].r
	if r < 0x80 || !u.has(r) {
		return false
	}
	prev, next := rune(-1), rune(-1)
	if i > 0 {
		prev = runes[i-1].r
	}
	if i+1 < len(runes) {
		next = runes[i+1].r
	}
	switch {
	case r == 0xfeff:
		return !(lineNo == 1 && i == 0) // a byte order mark
	case r == 0xfe0e || r == 0xfe0f:
		return !(isEmojiBase(prev) || unicode.Is(unicode.Han, prev))
	case 0xfe00 <= r && r <= 0xfe0d:
		return !(unicode.Is(unicode.Han, prev) || unicode.Is(unicode.Sm, prev))
	case 0xe0100 <= r && r <= 0xe01ef:
		return !unicode.Is(unicode.Han, prev) // ideographic variation sequences
	case r == 0x200d:
		if (isEmojiBase(prev) || prev == 0xfe0f || isSkinTone(prev)) && isEmojiBase(next) {
			return false // emoji ZWJ sequence
		}
		return !joiningContext(prev, next)
	case r == 0x200c:
		return !joiningContext(prev, next)
	case r == 0x200e || r == 0x200f || r == 0x061c:
		return !soleLiteral(prev, next)
	}
	return true
}

// soleLiteral reports whether a code point between prev and next is the
// whole content of a string or character literal: the same quote on both
// sides ("…", '…', `…`).
func soleLiteral(prev, next rune) bool {
	return prev == next && (prev == '"' || prev == '\'' || prev == '`')
}

// flagTagSequence returns the length of an emoji flag tag sequence at the
// start of runes (U+1F3F4, tag letters, U+E007F CANCEL TAG) for the only
// recommended ones, England, Scotland and Wales; else 0.
func flagTagSequence(runes []hiddenRune) int {
	if len(runes) == 0 || runes[0].r != 0x1f3f4 {
		return 0
	}
	var b strings.Builder
	for i := 1; i < len(runes) && i <= 6; i++ {
		r := runes[i].r
		switch {
		case r == 0xe007f:
			switch b.String() {
			case "gbeng", "gbsct", "gbwls":
				return i + 1
			}
			return 0
		case 0xe0061 <= r && r <= 0xe007a:
			b.WriteRune(r - 0xe0000)
		default:
			return 0
		}
	}
	return 0
}

// Classes of hidden code points, for grouping runs.
const (
	classOther = iota
	classBidi
	classZeroWidth
	classTag
	classVariation
)

// hiddenClass returns the class of a code point.
func hiddenClass(r rune) int {
	for _, c := range []struct {
		name string
		cls  int
	}{{"bidi", classBidi}, {"zero-width", classZeroWidth}, {"tags", classTag}, {"variation-selectors", classVariation}} {
		for _, rr := range unicodeClasses[c.name] {
			if rr.lo <= r && r <= rr.hi {
				return c.cls
			}
		}
	}
	return classOther
}

// isEmojiBase reports code points that start an emoji presentation
// sequence (an approximation of Unicode's Emoji property: the symbol and
// pictograph blocks, and the keycap bases # * 0-9).
func isEmojiBase(r rune) bool {
	switch {
	case r == '#', r == '*', '0' <= r && r <= '9':
		return true
	case r == 0xa9, r == 0xae, r == 0x203c, r == 0x2049, r == 0x2122, r == 0x2139,
		r == 0x24c2, r == 0x2934, r == 0x2935, r == 0x3030, r == 0x303d, r == 0x3297, r == 0x3299:
		return true
	case 0x2194 <= r && r <= 0x21aa, 0x231a <= r && r <= 0x23ff, 0x25aa <= r && r <= 0x25fe,
		0x2600 <= r && r <= 0x27bf, 0x2b05 <= r && r <= 0x2b55, 0x1f000 <= r && r <= 0x1faff:
		return true
	}
	return false
}

// isSkinTone reports the emoji skin tone modifiers.
func isSkinTone(r rune) bool { return 0x1f3fb <= r && r <= 0x1f3ff }

// joiningScripts are scripts whose spelling uses U+200C and U+200D between
// letters (Persian, Urdu, the Indic scripts, ...).
var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian,
	unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya,
	unicode.Tamil, unicode.Telugu, unicode.Kannada, unicode.Malayalam, unicode.Sinhala,
}

// joiningContext reports whether a joiner between prev and next sits
// between two characters of the same joining script.
func joiningContext(prev, next rune) bool {
	if prev < 0 || next < 0 {
		return false
	}
	for _, s := range joiningScripts {
		if unicode.Is(s, prev) && unicode.Is(s, next) {
			return true
		}
	}
	return false
}

// describeRun says what a run of hidden code points is:
// "U+202E RIGHT-TO-LEFT OVERRIDE at column 17", plus how many follow.
func describeRun(run []hiddenRune, cls int) string {
	first := run[0]
	s := fmt.Sprintf("U+%04X", first.r)
	if name := runeName(first.r); name != "" {
		s += " " + name
	}
	s += fmt.Sprintf(" at column %d", first.col)
	if len(run) == 1 {
		return s
	}
	s += fmt.Sprintf(", first of %d hidden characters (columns %d-%d)", len(run), first.col, run[len(run)-1].col)
	if cls == classTag {
		var b strings.Builder
		for _, h := range run {
			if 0xe0020 <= h.r && h.r <= 0xe007e {
				b.WriteRune(h.r - 0xe0000)
			}
		}
		if b.Len() > 0 {
			s += " spelling " + yamlmsg.Quote(b.String())
		}
	}
	return s
}

// runeNames are the names of the hidden code points outside the ranges
// that runeName computes.
var runeNames = map[rune]string{
	0x00ad:  "SOFT HYPHEN",
	0x061c:  "ARABIC LETTER MARK",
	0x180e:  "MONGOLIAN VOWEL SEPARATOR",
	0x200b:  "ZERO WIDTH SPACE",
	0x200c:  "ZERO WIDTH NON-JOINER",
	0x200d:  "ZERO WIDTH JOINER",
	0x200e:  "LEFT-TO-RIGHT MARK",
	0x200f:  "RIGHT-TO-LEFT MARK",
	0x2028:  "LINE SEPARATOR",
	0x2029:  "PARAGRAPH SEPARATOR",
	0x202a:  "LEFT-TO-RIGHT EMBEDDING",
	0x202b:  "RIGHT-TO-LEFT EMBEDDING",
	0x202c:  "POP DIRECTIONAL FORMATTING",
	0x202d:  "LEFT-TO-RIGHT OVERRIDE",
	0x202e:  "RIGHT-TO-LEFT OVERRIDE",
	0x2060:  "WORD JOINER",
	0x2061:  "FUNCTION APPLICATION",
	0x2062:  "INVISIBLE TIMES",
	0x2063:  "INVISIBLE SEPARATOR",
	0x2064:  "INVISIBLE PLUS",
	0x2066:  "LEFT-TO-RIGHT ISOLATE",
	0x2067:  "RIGHT-TO-LEFT ISOLATE",
	0x2068:  "FIRST STRONG ISOLATE",
	0x2069:  "POP DIRECTIONAL ISOLATE",
	0xfeff:  "ZERO WIDTH NO-BREAK SPACE",
	0xe0001: "LANGUAGE TAG",
	0xe0020: "TAG SPACE",
	0xe007f: "CANCEL TAG",
}

// asciiNames are the Unicode names of ASCII punctuation, for tag characters.
var asciiNames = map[rune]string{
	'!': "EXCLAMATION MARK", '"': "QUOTATION MARK", '#': "NUMBER SIGN", '$': "DOLLAR SIGN",
	'%': "PERCENT SIGN", '&': "AMPERSAND", '\'': "APOSTROPHE", '(': "LEFT PARENTHESIS",
	')': "RIGHT PARENTHESIS", '*': "ASTERISK", '+': "PLUS SIGN", ',': "COMMA",
	'-': "HYPHEN-MINUS", '.': "FULL STOP", '/': "SOLIDUS", ':': "COLON", ';': "SEMICOLON",
	'<': "LESS-THAN SIGN", '=': "EQUALS SIGN", '>': "GREATER-THAN SIGN", '?': "QUESTION MARK",
	'@': "COMMERCIAL AT", '[': "LEFT SQUARE BRACKET", '\\': "REVERSE SOLIDUS",
	']': "RIGHT SQUARE BRACKET", '^': "CIRCUMFLEX ACCENT", '_': "LOW LINE", '`': "GRAVE ACCENT",
	'{': "LEFT CURLY BRACKET", '|': "VERTICAL LINE", '}': "RIGHT CURLY BRACKET", '~': "TILDE",
}

// digitNames are the names of the ASCII digits.
var digitNames = [10]string{"ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"}

// runeName returns the Unicode name of the hidden code points pushguard
// knows, or "".
func runeName(r rune) string {
	if n, ok := runeNames[r]; ok {
		return n
	}
	switch {
	case 0xfe00 <= r && r <= 0xfe0f:
		return fmt.Sprintf("VARIATION SELECTOR-%d", r-0xfe00+1)
	case 0xe0100 <= r && r <= 0xe01ef:
		return fmt.Sprintf("VARIATION SELECTOR-%d", r-0xe0100+17)
	case 0xe0021 <= r && r <= 0xe007e:
		a := r - 0xe0000
		switch {
		case 'A' <= a && a <= 'Z':
			return "TAG LATIN CAPITAL LETTER " + string(a)
		case 'a' <= a && a <= 'z':
			return "TAG LATIN SMALL LETTER " + string(a-'a'+'A')
		case '0' <= a && a <= '9':
			return "TAG DIGIT " + digitNames[a-'0']
		}
		return "TAG " + asciiNames[a]
	}
	return ""
}

// checkUnicodeContent compiles a content condition written with unicode:
// the regex filters (regex, entropy, stopwords, allow) do not apply to it.
func (d *decoder) checkUnicodeContent(c *ContentSpec, n *yaml.Node) *unicodeCond {
	for _, k := range []struct {
		ptr  any
		name string
	}{{&c.Regex, "regex"}, {&c.Entropy, "entropy"}, {&c.Stopwords, "stopwords"}, {&c.Allow, "allow"}} {
		if d.has(k.ptr) {
			d.errorf(d.at(k.ptr, n), "content."+k.name, "does not apply with content.unicode: give either unicode or regex")
		}
	}
	if d.bad[&c.Unicode] {
		return nil
	}
	return d.compileUnicode(c, n)
}
