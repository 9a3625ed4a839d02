package ruleset

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/rules"
)

// TestLowerASCIIStringAsStringsMap: the fast paths of lowerASCIIString
// give exactly what strings.Map with the same mapping gives, invalid UTF-8
// (turned into U+FFFD) and non-ASCII letters (left alone) included, on
// every line and word of the embedded rule files too.
func TestLowerASCIIStringAsStringsMap(t *testing.T) {
	ref := func(s string) string {
		return strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, s)
	}
	cases := []string{
		"", "a", "A", "token", "TOKEN", "Api_Key-2", "x-API-key", "@#$[]^`{}~\x7f", "\x00Z",
		"ÄPFEL", "straße", "ǅ", "K", "ſ", "\xff", "a\xffB", "\xc3", "\xef\xbf\xbd", "Z\xef\xbf\xbdZ", "日本Z",
	}
	// Every line and word of the embedded rule files, as written.
	for _, f := range []string{"secrets.yml", "providers.yml", "unicode.yml"} {
		data, err := fs.ReadFile(rules.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			cases = append(cases, line)
			cases = append(cases, strings.Fields(line)...)
		}
	}
	if len(cases) < 500 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, s := range cases {
		if got, want := lowerASCIIString(s), ref(s); got != want {
			t.Errorf("lowerASCIIString(%q) = %q; strings.Map gives %q", s, got, want)
		}
		if up := strings.ToUpper(s); lowerASCIIString(up) != ref(up) {
			t.Errorf("lowerASCIIString(%q) = %q; strings.Map gives %q", up, lowerASCIIString(up), ref(up))
		}
	}
}
