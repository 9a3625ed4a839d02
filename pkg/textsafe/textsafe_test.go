package textsafe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain/path.go", 0, "plain/path.go"},
		{"a\x1b[31mred", 0, `a\x1b[31mred`},
		{"cr\rhides", 0, `cr\x0dhides`},
		{"nl\nx", 0, `nl\x0ax`},
		{"del\x7f", 0, `del\x7f`},
		{"c1\u009bx", 0, `c1\u009bx`},
		{"bidi\u202eevil", 0, `bidi\u202eevil`},
		{"isolate\u2066x", 0, `isolate\u2066x`},
		{"zw\u200bj", 0, `zw\u200bj`},
		{"shy\u00adx", 0, `shy\u00adx`},
		{"tag\U000E0041", 0, `tag\ue0041`},
		{"vs\ufe0f", 0, `vs\ufe0f`},
		{"ls\u2028x", 0, `ls\u2028x`},
		{"bad\xffutf8", 0, `bad\xffutf8`},
		{`back\slash`, 0, `back\\slash`},
		{"héllo wörld ✓", 0, "héllo wörld ✓"},
		{"abcdef", 3, "abc…"},
		{"abc", 3, "abc"},
		{"a\x1bcdef", 3, `a\x1bc…`},
	}
	for _, tc := range tests {
		if got := Clean(tc.in, tc.max); got != tc.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// FuzzClean: no control or invisible character survives, the output is
// valid UTF-8, and clean text passes through unchanged.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"a\x1b[2Jb", "\u202e\u2066x", "\xff\xfe", "ok", "\r\n\t\x00", `a\b`} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			max = 0
		}
		out := Clean(s, max)
		if !utf8.ValidString(out) {
			t.Fatalf("Clean(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || Invisible(r) {
				t.Fatalf("Clean(%q) = %q keeps %U", s, out, r)
			}
		}
		if safe(s, max) && out != s {
			t.Fatalf("safe text %q changed to %q", s, out)
		}
	})
}

func TestVisibleLen(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"incident 4711", 12},
		{strings.Repeat("\u200b", 12), 0},
		{strings.Repeat("\x01", 12), 0},
		{"ok" + strings.Repeat("\u2003", 12), 2},
		{"\u202eabc\u2066", 3},
		{"\xff\xfe", 0},
		{"été", 3},
	}
	for _, tt := range tests {
		if got := VisibleLen(tt.in); got != tt.want {
			t.Errorf("VisibleLen(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestVisible(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain/path.go", 0, "plain/path.go"},
		{"a\x1b[31mred", 0, `a\x1b[31mred`},
		{"bidi\u202eevil", 0, `bidi\u202eevil`},
		{"zw\u200bj", 0, `zw\u200bj`},
		{"bad\xffutf8", 0, `bad\xffutf8`},
		// Backslashes stay single: the audit log stores escapes already.
		{`stored \u202e escape`, 0, `stored \u202e escape`},
		{"abcdef", 3, "abc…"},
		{"a\x1bcdef", 3, `a\x1bc…`},
	}
	for _, tc := range tests {
		if got := Visible(tc.in, tc.max); got != tc.want {
			t.Errorf("Visible(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestPrefixAndSuffix(t *testing.T) {
	tests := []struct {
		in           string
		max          int
		prefix, tail string
	}{
		{"abc", 5, "abc", "abc"},
		{"abcdef", 3, "abc", "def"},
		{"aé", 2, "a", "é"}, // é is 2 bytes: no half character either way
		{"éa", 2, "é", "a"},
		{"✓✓", 4, "✓", "✓"}, // ✓ is 3 bytes
		{"abc", 0, "", ""},
	}
	for _, tc := range tests {
		if got := Prefix(tc.in, tc.max); got != tc.prefix {
			t.Errorf("Prefix(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.prefix)
		}
		if got := string(Prefix([]byte(tc.in), tc.max)); got != tc.prefix {
			t.Errorf("Prefix([]byte %q, %d) = %q, want %q", tc.in, tc.max, got, tc.prefix)
		}
		if got := Suffix(tc.in, tc.max); got != tc.tail {
			t.Errorf("Suffix(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.tail)
		}
	}
}
