package provenance

import (
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// TestByteSet: the set of a text holds exactly its ASCII bytes, every
// non-ASCII byte as NUL; folded adds the lower case of upper-case letters,
// and 's' and 'k' when the text has a non-ASCII byte.
func TestByteSet(t *testing.T) {
	tests := []struct {
		text, in, out   string // bytes in / not in bytesOf(text)
		foldIn, foldOut string // bytes in / not in bytesOf(text).folded()
	}{
		{text: "", out: "a\x00\x7f", foldOut: "ask\x00"},
		{text: "Fix typo", in: "Fix typo", out: "fXT\x00", foldIn: "fix typoF", foldOut: "skT\x00"},
		{text: "ABCXYZ", in: "ABCXYZ", out: "abcxyz@[", foldIn: "abcxyzABCXYZ", foldOut: "@[`{"},
		{text: "@[`{", in: "@[`{", out: "AZaz", foldIn: "@[`{", foldOut: "AZaz"},
		{text: "José", in: "José\x00", out: "jS", foldIn: "jJos\x00k", foldOut: "S"}, // é is two bytes of 0x80 and above
		{text: "\u017f\u212a", in: "\x00", out: "sk", foldIn: "sk\x00"},
		{text: "\x7f\x01", in: "\x7f\x01", out: "\x00", foldOut: "sk"},
	}
	for _, tt := range tests {
		b := bytesOf(tt.text)
		f := b.folded()
		check := func(set byteSet, what, bytes string, want bool) {
			for i := 0; i < len(bytes); i++ {
				if got := set.has(bytesOf(bytes[i : i+1])); got != want {
					t.Errorf("%q: %s has %q = %v, want %v", tt.text, what, bytes[i], got, want)
				}
			}
		}
		check(b, "set", tt.in, true)
		check(b, "set", tt.out, false)
		check(f, "folded set", tt.foldIn, true)
		check(f, "folded set", tt.foldOut, false)
		if !b.has(byteSet{}) {
			t.Errorf("%q: the empty set is not a subset", tt.text)
		}
	}
}

// byteSetSound reports a literal that text contains while the set of text
// says it cannot (plain, and folded as foldASCII folds it).
func byteSetSound(t *testing.T, text, lit string) {
	t.Helper()
	if strings.Contains(text, lit) && !bytesOf(text).has(bytesOf(lit)) {
		t.Fatalf("%q contains %q, but its byte set rules it out", text, lit)
	}
	if low := strings.ToLower(lit); isASCII(lit) && strings.Contains(foldASCII(text), low) && !bytesOf(text).folded().has(bytesOf(low)) {
		t.Fatalf("%q folded contains %q, but its folded byte set rules it out", text, low)
	}
}

// TestByteSetSoundOnGin: no message, name or address of gin's history,
// nor any of them in upper case or with U+017F and U+212A, holds a
// literal of the shipped markers that its byte set rules out; and the
// byte sets do rule out most (message, literal) pairs.
func TestByteSetSoundOnGin(t *testing.T) {
	d := mustDefault(t)
	var lits []string
	addLits := func(p prefilter) {
		for _, alts := range p.all {
			for _, l := range alts {
				lits = append(lits, l.s)
			}
		}
	}
	for _, g := range d.messages {
		addLits(g.pre)
	}
	for _, tl := range d.tools {
		for _, l := range [][]reSignal{tl.emails, tl.names, tl.identities} {
			for _, s := range l {
				addLits(s.pre)
			}
		}
		for _, s := range tl.files {
			lits = append(lits, s.literal)
		}
	}
	odd := strings.NewReplacer("s", "\u017f", "k", "\u212a")
	pairs, ruledOut := 0, 0
	for _, in := range ginCommits(t) {
		for _, text := range []string{in.Message, in.AuthorName, in.AuthorEmail} {
			for _, v := range []string{text, strings.ToUpper(text), odd.Replace(text)} {
				set := bytesOf(v)
				for _, lit := range lits {
					byteSetSound(t, v, lit)
					pairs++
					if !set.has(bytesOf(lit)) {
						ruledOut++
					}
				}
			}
		}
	}
	if ruledOut < pairs/2 {
		t.Errorf("the byte sets rule out %d of %d (text, literal) pairs; want most", ruledOut, pairs)
	}
	t.Logf("%d of %d pairs ruled out", ruledOut, pairs)
}

// FuzzByteSetSound: a text that contains a literal (or whose folded form
// contains its lower case) always passes the byte-set check.
func FuzzByteSetSound(f *testing.F) {
	for _, s := range [][2]string{{"Aſſisted-by: x", "assisted"}, {"\u212Airo", "kiro"}, {"a\x00b", "\x00"}, {"Ünï", "ï"}, {"GENERATED with", "generated "}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, lit string) {
		byteSetSound(t, text, lit)
		for i := 0; i+len(lit) <= len(text) && i < 8; i++ {
			byteSetSound(t, text, text[i:i+len(lit)])
		}
	})
}

// TestGlobBytesSound: every path a shipped file or branch glob matches
// holds the glob's bytes. The paths are made from each glob (its wildcards
// written out in several ways), from the corpus and from gin's history.
func TestGlobBytesSound(t *testing.T) {
	d := mustDefault(t)
	var globs []string
	for _, tl := range d.tools {
		for _, s := range tl.files {
			globs = append(globs, s.glob)
		}
		for _, s := range tl.branches {
			globs = append(globs, s.glob)
		}
	}
	globs = append(globs, "**/x[ab].md", "{a,b}/c", `\*.md`, "a?c/**/d*e")
	var paths []string
	for _, g := range globs {
		for _, r := range []*strings.Replacer{
			strings.NewReplacer("**/", "", "**", "x", "*", "", "?", "q", "[0-9]", "7"),
			strings.NewReplacer("**/", "a/b/", "**", "a/b", "*", "zz", "?", "Q", "[0-9]", "0"),
			strings.NewReplacer("**/", "Ü/", "**", "é", "*", ".", "?", "/", "[0-9]", "9"),
		} {
			paths = append(paths, r.Replace(g))
		}
	}
	for _, c := range loadCorpus(t) {
		paths = append(paths, c.Paths...)
	}
	for _, in := range ginCommits(t) {
		paths = append(paths, in.Paths...)
	}
	matched := 0
	for _, g := range globs {
		need := globBytes(g)
		for _, p := range paths {
			if doublestar.MatchUnvalidated(g, p) {
				matched++
				if !bytesOf(p).has(need) {
					t.Errorf("%s matches %q, but the glob's bytes rule it out", g, p)
				}
			}
		}
	}
	if matched < len(globs) {
		t.Errorf("only %d (glob, path) matches for %d globs: the test checks little", matched, len(globs))
	}
	for _, g := range []string{"**/x[ab].md", "{a,b}/c", `\*.md`} {
		if globBytes(g) != (byteSet{}) {
			t.Errorf("%s: a glob with classes, alternatives or escapes gives bytes %v, want none", g, globBytes(g))
		}
	}
}

// lowerAgrees fails unless appendLowerASCII gives foldASCII(s) for an
// ASCII s (after what dst held) and reports false, leaving dst as it was,
// for any other.
func lowerAgrees(t *testing.T, s string) {
	t.Helper()
	for _, prefix := range []string{"", "Pre"} {
		got, ok := appendLowerASCII([]byte(prefix), s)
		switch {
		case ok != isASCII(s):
			t.Fatalf("%q: ok = %v, want %v", s, ok, isASCII(s))
		case ok && string(got) != prefix+foldASCII(s):
			t.Fatalf("%q: lowered to %q, want %q", s, got, prefix+foldASCII(s))
		case !ok && string(got) != prefix:
			t.Fatalf("%q: not ASCII, but dst became %q", s, got)
		}
	}
}

// TestAppendLowerASCII: every ASCII byte at every offset of a word, the
// bytes around 'A' and 'Z', non-ASCII bytes in the words and the tail,
// and gin's messages.
func TestAppendLowerASCII(t *testing.T) {
	for c := range 0x100 {
		for pad := range 17 {
			lowerAgrees(t, strings.Repeat("x", pad)+string(rune(c))+strings.Repeat("Y", 16-pad))
			lowerAgrees(t, strings.Repeat("x", pad)+string([]byte{byte(c)}))
		}
	}
	for _, s := range []string{"", "@AZ[`az{", "@@@@@@@@AAAAAAAAZZZZZZZZ[[[[[[[[````````zzzzzzzz{{{{{{{{", "GENERATED WITH [CLAUDE CODE]", "Ünïcödé", "ASCII then \u017f", "\u212aelvin"} {
		lowerAgrees(t, s)
	}
	for _, in := range ginCommits(t) {
		lowerAgrees(t, in.Message)
		lowerAgrees(t, strings.ToUpper(in.Message))
	}
}

// FuzzAppendLowerASCII: appendLowerASCII is foldASCII on ASCII text.
func FuzzAppendLowerASCII(f *testing.F) {
	for _, s := range []string{"Fix X", "@AZ[`az{", "Ü", "GENERATED with"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { lowerAgrees(t, s) })
}
