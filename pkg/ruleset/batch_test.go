package ruleset

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// matchAllLines runs every line through MatchLineIn (scanned=false) or
// through ScanLines and MatchScanned, and returns the matches as
// "line:rule:start-end:detail".
func matchAllLines(m *LineMatcher, lines [][]byte, paths [][]byte, scanned bool) []string {
	var out []string
	if scanned {
		m.ScanLines(lines)
	}
	for i, l := range lines {
		fn := func(lm LineMatch) {
			out = append(out, fmt.Sprintf("%d:%s:%d-%d:%s", i, lm.Rule.ID, lm.Start, lm.End, lm.Detail))
		}
		var path []byte
		if paths != nil {
			path = paths[i]
		}
		if scanned {
			m.MatchScanned(i, i+1, path, nil, fn)
		} else {
			m.MatchLineIn(l, i+1, path, nil, fn)
		}
	}
	return out
}

// TestScanLinesEmbedded checks that scanning the lines at once finds what
// matching them one by one finds, with the default rules, for batches of
// every size around the number of interleaved scans (whose parts are then
// empty or one line long), with empty lines, lines holding secrets,
// non-ASCII lines for the hidden-Unicode rules, and configuration paths.
func TestScanLinesEmbedded(t *testing.T) {
	set := embeddedSet(t)
	code := codeLines(3000)
	code = append(code,
		[]byte(""),
		[]byte("x := \"\u202eevil\u202c\" // bidi"),
		[]byte("const label = \"café\""),
		[]byte("AKIA"), // a keyword and nothing else
		[]byte("password"),
	)
	one := set.NewLineMatcher()
	batch := set.NewLineMatcher() // reused across batches, as the scanner does
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 64, 1000, len(code)} {
		for _, start := range []int{0, len(code) - n} {
			lines := code[start : start+n]
			want := matchAllLines(one, lines, nil, false)
			got := matchAllLines(batch, lines, nil, true)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%d lines from %d: batch differs (-line by line +batch):\n%s", n, start, diff)
			}
		}
	}
	// Configuration paths add the keywords they hold.
	lines := [][]byte{[]byte(`    api_key: "sk_live_TESTfake0123456789abcdefGH"`), []byte(`    token: "Zq8xR2mN7vL4kP9wT3yB6cH1"`)}
	paths := [][]byte{[]byte("services.stripe"), []byte("services.sendgrid")}
	want := matchAllLines(one, lines, paths, false)
	if got := matchAllLines(batch, lines, paths, true); !cmp.Equal(want, got) {
		t.Errorf("with paths: line by line %v, batch %v", want, got)
	}
}

// TestScanLinesAgainstNaive checks the keywords ScanLines finds per line
// against a plain case-insensitive substring search, on random keywords
// over a small alphabet (overlapping, nested and repeated keywords) and
// random batches (short ones, and long ones where the interleaved walk
// stops and resumes many times), with a matcher reused across batches.
func TestScanLinesAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	randBytes := func(n int) []byte { return smallAlphabet(rng, n) }
	for round := range 200 {
		nRules := 1 + rng.IntN(8)
		var body strings.Builder
		perRule := make([][]string, nRules)
		for r := range nRules {
			var kws []string
			for range 1 + rng.IntN(4) {
				k := string(randBytes(1 + rng.IntN(5)))
				kws = append(kws, fmt.Sprintf("%q", k))
				perRule[r] = append(perRule[r], lowerASCIIString(k))
			}
			// The regex matches any line: what runs is what the
			// prefilter let through.
			fmt.Fprintf(&body, "  - {id: r%d, severity: info, message: m, content: {regex: '(?s).', keywords: [%s]}}\n", r, strings.Join(kws, ", "))
		}
		set := NewSet(mustParse(t, body.String()))
		m := set.NewLineMatcher()
		for batch := range 5 {
			// Most batches are short; some are long enough for the
			// interleaved walk to run long and stop many times.
			n, width := rng.IntN(30), 40
			if batch == 4 {
				n, width = 200+rng.IntN(200), 160
			}
			lines := make([][]byte, n)
			for i := range lines {
				lines[i] = randBytes(rng.IntN(width))
			}
			m.ScanLines(lines)
			for i, l := range lines {
				ran := make([]bool, nRules)
				m.MatchScanned(i, i+1, nil, nil, func(lm LineMatch) {
					var r int
					fmt.Sscanf(lm.Rule.ID, "r%d", &r)
					ran[r] = true
				})
				for r := range nRules {
					if want := hasKeyword(l, perRule[r]) && len(l) > 0; ran[r] != want {
						t.Fatalf("round %d: keywords %q in %q: ran %v, want %v", round, perRule[r], l, ran[r], want)
					}
				}
			}
		}
	}
}

// TestScanLinesNewlineKeyword: a keyword holding a newline cannot be found
// in the joined lines; ScanLines then leaves each line to MatchScanned.
func TestScanLinesNewlineKeyword(t *testing.T) {
	set := NewSet(mustParse(t, `
  - {id: nl, severity: info, message: m, content: {regex: 'a', keywords: ["a\nb"]}}
  - {id: a, severity: info, message: m, content: {regex: 'a+', keywords: [a]}}
`))
	m := set.NewLineMatcher()
	lines := [][]byte{[]byte("xa"), []byte("b"), []byte("aa")}
	want := matchAllLines(set.NewLineMatcher(), lines, nil, false)
	if got := matchAllLines(m, lines, nil, true); !cmp.Equal(want, got) || len(got) != 2 {
		t.Errorf("line by line %v, batch %v", want, got)
	}
}

// TestScanLinesNoKeywords: rules without keywords run on every line; those
// with content.unicode only on lines with a byte from 0x80 up, in rule order
// with the others.
func TestScanLinesNoKeywords(t *testing.T) {
	set := NewSet(mustParse(t, `
  - {id: u, severity: info, message: m, content: {unicode: [bidi]}}
  - {id: t, severity: info, message: m, content: {regex: 'TODO'}}
  - {id: z, severity: info, message: m, content: {unicode: [zero-width]}}
`))
	lines := [][]byte{[]byte("a TODO"), []byte("none"), []byte("TODO \u202e\u200b"), []byte("caf\u00e9 TODO")}
	want := []string{
		"0:t:2-6:",
		"2:u:5-8:U+202E RIGHT-TO-LEFT OVERRIDE at column 6", "2:t:0-4:", "2:z:8-11:U+200B ZERO WIDTH SPACE at column 7",
		"3:t:6-10:",
	}
	for _, scanned := range []bool{false, true} {
		if got := matchAllLines(set.NewLineMatcher(), lines, nil, scanned); !cmp.Equal(got, want) {
			t.Errorf("scanned %v: got %q\nwant %q", scanned, got, want)
		}
	}
}

func TestScanLinesDoesNotAllocate(t *testing.T) {
	set := embeddedSet(t)
	m := set.NewLineMatcher()
	lines := codeLines(500)
	m.ScanLines(lines) // sizes the buffers
	allocs := testing.AllocsPerRun(20, func() { m.ScanLines(lines) })
	if allocs != 0 {
		t.Errorf("ScanLines: %v allocations per batch once warm; want 0", allocs)
	}
}

func TestScannedContain(t *testing.T) {
	set := embeddedSet(t)
	m := set.NewLineMatcher()
	m.ScanLines([][]byte{[]byte("a pushguard:allow x"), nil, []byte("b")})
	for _, tc := range []struct {
		sub  string
		want bool
	}{{"pushguard:allow", true}, {"b", true}, {`"auth"`, false}} {
		if got := m.ScannedContain([]byte(tc.sub)); got != tc.want {
			t.Errorf("ScannedContain(%q) = %v, want %v", tc.sub, got, tc.want)
		}
	}
	// Without keywords the lines are not joined: anything may occur.
	plain := NewSet(mustParse(t, "  - {id: t, severity: info, message: m, content: {regex: 'TODO'}}\n")).NewLineMatcher()
	plain.ScanLines([][]byte{[]byte("a")})
	if !plain.ScannedContain([]byte(`"auth"`)) {
		t.Error("ScannedContain = false for lines that were not joined")
	}
}

// TestScanLinesReleases: ending a batch lets go of the buffers a large one
// grew, and the next batch scans as before.
func TestScanLinesReleases(t *testing.T) {
	set := embeddedSet(t)
	m := set.NewLineMatcher()
	big := make([][]byte, 0, 20000)
	for _, l := range codeLines(20000) {
		big = append(big, []byte(strings.Repeat(string(l)+" ", 2)))
	}
	m.ScanLines(big)
	if cap(m.batch.buf) <= maxKeptBatch {
		t.Fatalf("the batch of %d lines used %d bytes; the test needs more than %d", len(big), cap(m.batch.buf), maxKeptBatch)
	}
	m.ScanLines(nil)
	if m.batch.buf != nil || m.batch.lines != nil {
		t.Errorf("after ScanLines(nil): %d bytes of joined lines and %d lines kept", cap(m.batch.buf), len(m.batch.lines))
	}
	lines := codeLines(300)
	want := matchAllLines(set.NewLineMatcher(), lines, nil, false)
	if got := matchAllLines(m, lines, nil, true); !cmp.Equal(want, got) {
		t.Error("the batch after a released one differs from matching line by line")
	}
}
