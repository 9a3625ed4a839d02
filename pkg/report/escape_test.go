package report

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
		{"bell\a", 0, `bell\x07`},
		{"del\x7f", 0, `del\x7f`},
		{"c1\u009bx", 0, `c1\u009bx`},
		{"bidi\u202eevil", 0, `bidi\u202eevil`},
		{"zw\u200bj", 0, `zw\u200bj`},
		{"tag\U000E0041", 0, `tag\ue0041`},
		{"bad\xffutf8", 0, `bad\xffutf8`},
		{`back\slash`, 0, `back\\slash`},
		{"héllo wörld", 0, "héllo wörld"},
		{"abcdef", 3, "abc…"},
		{"abc", 3, "abc"},
	}
	for _, tc := range tests {
		if got := Clean(tc.in, tc.max); got != tc.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AKIAQYLPMN5HHHFPZAM2", "AKIA***"},
		{"short", "s***"},
		{"abc", "***"},
		{"", "***"},
		{"ghp_R8x2TqLm4VbN7cZp1WsY9dKf3HjQ6gAe5uXo", "ghp_***"},
		{"ééééééééé", "éé***"},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzClean checks the property the hook relies on: no control or invisible
// format character survives, and the output is valid UTF-8.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"a\x1b[2Jb", "\u202e\u2066x", "\xff\xfe", "ok", "\r\n\t\x00"} {
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
			if unicode.IsControl(r) || invisible(r) {
				t.Fatalf("Clean(%q) = %q keeps %U", s, out, r)
			}
		}
		if max > 0 && utf8.RuneCountInString(strings.TrimSuffix(out, "…")) > max*10 {
			t.Fatalf("Clean(%q, %d) not capped: %d runes", s, max, utf8.RuneCountInString(out))
		}
	})
}
