package ruleset

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

func TestRegexRun(t *testing.T) {
	for _, tc := range []struct {
		expr string
		n    int    // 0: no run
		in   string // bytes that must be in the set
		out  string // bytes that must not be
	}{
		{`\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b`, 64, "af09", "gAG._-"},
		{`(?i)key[=:]([a-f0-9]{32})`, 32, "afAF09", "gG"}, // (?i) folds the class
		{`x[^"'\s]{12,}y`, 12, "ab\x80\xff", "\"' \t"},
		{`x.{10}`, 10, "a\x80", "\n"},
		{`[\w-]{20}`, 20, "aZ_-9", ".\x80"},
		{`[\pL]{9}`, 9, "aZ\xc3\x80", "0_"},
		{`a{8}`, 0, "", ""},                     // a literal: the keywords' business
		{`(?:[a-z]{40}|b)`, 0, "", ""},          // an alternative
		{`(?:[a-z]{40})?`, 0, "", ""},           // optional
		{`(?:x[a-z]{40}){0,2}`, 0, "", ""},      // may repeat zero times
		{`[a-z]{7}`, 0, "", ""},                 // too short to be worth it
		{`(?:y[a-z]{9}){2,}`, 9, "az", "AZ"},    // in every repetition
		{`[0-9]{10}x[a-f]{12}`, 12, "af", "09"}, // the longest
		{`((?:ab)[A-Z]{16})+`, 16, "AZ", "az"},  // through groups
		{`token\s*=\s*([a-z0-9]{8,16})`, 8, "a0", "A"},
		// Every branch of an alternation holds a run: the union, as
		// long as the shortest.
		{`(?:^|\W)(cs_[0-9a-f]{40}|ck_[0-9a-f]{40})`, 40, "09af", "gz_"},
		{`(?:a[0-9]{10}|b[a-z]{12})`, 10, "09az", "AZ"},
		{`(?:a[0-9]{10}|b)`, 0, "", ""},       // a branch without one
		{`(?:[0-9]{10}|[a-z]{3})`, 0, "", ""}, // the shortest is too short
		{`x(?:[0-9]{10}|(?:y[a-f]{9})+)`, 9, "09af", "gy"},
	} {
		run := regexRun(tc.expr)
		if tc.n == 0 {
			if run != nil {
				t.Errorf("%s: run of %d, want none", tc.expr, run.n)
			}
			continue
		}
		if run == nil || run.n != tc.n {
			t.Errorf("%s: run %v, want %d", tc.expr, run, tc.n)
			continue
		}
		for _, b := range []byte(tc.in) {
			if !run.set[b] {
				t.Errorf("%s: %q not in the set", tc.expr, b)
			}
		}
		for _, b := range []byte(tc.out) {
			if run.set[b] {
				t.Errorf("%s: %q in the set", tc.expr, b)
			}
		}
	}
}

func TestByteRunIn(t *testing.T) {
	run := regexRun(`[a-f0-9]{8}`)
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"", false},
		{"abcdef0", false},
		{"abcdef01", true},
		{"xx abcdef01 yy", true},
		{"abcd-ef01", false},
		{"abcdefg0123456", false},
		{"abcdefg01234567", true},
	} {
		if got := run.in([]byte(tc.line)); got != tc.want {
			t.Errorf("in(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestRegexRunNecessary checks on random lines that whenever a regex
// matches, the line holds its run: skipping the regex on lines without it
// loses nothing. The alphabet mixes the classes' bytes, separators and
// multi-byte characters so that runs are often just long enough or
// broken.
func TestRegexRunNecessary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"a", "f", "0", "9", "Z", "_", "-", ".", " ", "\"", "é", "\u4e2d", "\xff", "k", "=", "\n"}
	exprs := []string{
		`[a-f0-9]{8}`, `(?i)k([a-f0-9]{8,})`, `[^"\s]{8}`, `.{9}`, `[\w-]{8}Z`,
		`(?:k[0-9a-f]{8})+`, `k[0-9a-f]{11}`, `(?:k[0-9]{9}|[a-f]{8}k)`, `(?:9[0-9a-f]{8}|f[Z_-]{8})`, `[\pL\d]{8}`, `(?s)x?[^a]{10}`, `\b[A-Za-z0-9_]{8}\b`,
	}
	for _, expr := range exprs {
		re := regexp.MustCompile(expr)
		run := regexRun(expr)
		if run == nil {
			t.Fatalf("%s: no run", expr)
		}
		matched := 0
		for range 20000 {
			var line []byte
			for range rng.IntN(30) {
				if rng.IntN(8) == 0 {
					// A hex run of about the length the
					// expressions need, after a "k".
					line = append(line, 'k')
					for range 5 + rng.IntN(8) {
						line = append(line, "0123456789abcdef"[rng.IntN(16)])
					}
				}
				line = append(line, pieces[rng.IntN(len(pieces))]...)
			}
			if re.Match(line) {
				matched++
				if !run.in(line) {
					t.Fatalf("%s matches %q, which has no run of %d", expr, line, run.n)
				}
			}
		}
		if matched == 0 {
			t.Errorf("%s: no random line matched; the test checks nothing", expr)
		}
	}
}

// TestRequiredRunLater: the run is computed only once the regex has run on
// requiredRunAfter lines (a small push never pays for the parse), then kept.
func TestRequiredRunLater(t *testing.T) {
	var q requiredRun
	re := regexp.MustCompile(`[a-f0-9]{32}`)
	for i := range requiredRunAfter {
		if q.get(re) != nil {
			t.Fatalf("call %d: a run before %d calls", i+1, requiredRunAfter)
		}
	}
	for range 3 {
		if r := q.get(re); r == nil || r.n != 32 {
			t.Fatalf("after %d calls: run %v, want one of 32", requiredRunAfter, r)
		}
	}
}
