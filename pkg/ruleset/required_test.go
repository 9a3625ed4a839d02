package ruleset

import (
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"testing"
	"unicode"
	"unicode/utf8"
)

// byteTable returns the set of bytes spec names: single bytes and ranges
// a-z (a '-' that starts spec is itself); "" is nil, for pre and post.
func byteTable(spec string) *[256]bool {
	if spec == "" {
		return nil
	}
	var t [256]bool
	for i := 0; i < len(spec); i++ {
		if i+2 < len(spec) && spec[i+1] == '-' {
			for b := int(spec[i]); b <= int(spec[i+2]); b++ {
				t[b] = true
			}
			i += 2
			continue
		}
		t[spec[i]] = true
	}
	return &t
}

// Byte sets the tests name often.
const (
	highBytes = "\x80-\xff"
	// notQuoteSpace is [^"'\s]: every byte but the quotes and \t \n \f \r
	// and space.
	notQuoteSpace = "\x00-\x08\x0b\x0e-\x1f!#-&(-\xff"
)

func TestRegexRun(t *testing.T) {
	for _, tc := range []struct {
		expr      string
		n         int    // 0: no run
		set       string // byteTable spec of the run's bytes
		pre, post string // byteTable specs; "": none
	}{
		{`[a-f0-9]{32}`, 32, "0-9a-f", "", ""},
		{`\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b`, 64, "0-9a-f", ".", ""},
		{`x[^"'\s]{12,}y`, 12, notQuoteSpace, "x", "y"},
		{`x.{10}`, 10, "\x00-\x09\x0b-\xff", "x", ""},
		{`(?s)x.{10}`, 10, "\x00-\xff", "x", ""},
		{`[\w-]{20}`, 20, "-0-9A-Z_a-z", "", ""},
		{`[\pL]{9}`, 9, "A-Za-z" + highBytes, "", ""},
		{`[a-z]{7}`, 0, "", "", ""}, // too short to be worth it
		// Literals hold a run too, but the line has the rule's keywords
		// already: only the characters of classes count.
		{`a{8}`, 0, "", "", ""},
		{`password=[0-9]{4}`, 0, "", "", ""},
		// Optional parts hold none of their own.
		{`(?:[a-z]{40})?`, 0, "", "", ""},
		{`(?:x[a-z]{40}){0,2}`, 0, "", "", ""},
		{`(?:[a-z]{40})*`, 0, "", "", ""},
		{`(?:[a-z]{40}){0}`, 0, "", "", ""},
		// A repetition holds what its body does, min times: y[a-z]{9}
		// twice is 20 bytes of [a-z] (y is one), better than 9 after a y.
		{`(?:y[a-z]{9}){2,}`, 20, "a-z", "", ""},
		{`((?:ab)[A-Z]{16})+`, 16, "A-Z", "b", ""},
		// Consecutive parts of a concatenation are one run over the
		// union of their sets.
		{`[a-z]{4}-[a-z]{4}`, 9, "-a-z", "", ""}, // [a-z]{4} is too short
		// The gmail app password: 19 bytes of [a-z ] or 16 of [a-z].
		{`([a-z]{4}\ [a-z]{4}\ [a-z]{4}\ [a-z]{4}|[a-z]{16})`, 16, " a-z", "", ""},
		// Spaces (p 0.18) just before are likelier than : or = (0.0125):
		// the run takes the spaces in and keeps :=.
		{`[:=]\s{0,4}([a-z]{4}\ [a-z]{4}\ [a-z]{4}\ [a-z]{4}|[a-z]{16})(?:[^A-Za-z0-9]|$)`, 16, "\t\n\f\r a-z", ":=", ""},
		// Bounded: a quote, 12 bytes that are neither quotes nor
		// spaces, a quote.
		{`["']([^"'\s]{12,})["']`, 12, notQuoteSpace, `"'`, `"'`},
		{`(?i)[\w.-]*(password|passwd|secret(?:[_-]?key)?|token|api[_-]?key)["']?\s*(?::=|=>|[:=])\s*["']([^"'\s]{12,})["']`,
			12, notQuoteSpace, `"'`, `"'`},
		// Bounds look through parts that may match nothing.
		{`=\s*[a-z0-9]{8,16}`, 8, "\t\n\f\r 0-9a-z", "=", ""},
		{`=(?:\s|\b|x?)[0-9]{10}y*(?:$|;)`, 10, "0-9", "\t\n\f\r =x", ""},
		{`[0-9]{10}\b;`, 10, "0-9", "", ";"},
		{`(?:x?)[0-9]{10}`, 10, "0-9", "", ""}, // may start the text
		// Empty-width assertions match no character: they do not
		// break a run.
		{`\b[a-z]{4}\b-\b[a-z]{4}\b`, 9, "-a-z", "", ""},
		{`^[a-z]{8}$`, 8, "a-z", "", ""},
		{`[a-z]{4}(?:-)?[a-z]{4}`, 8, "-a-z", "", ""},
		{`[a-z]{4}_*[a-z]{4}`, 8, "_a-z", "", ""},
		// (?i) folds literals and classes; k and s also match the Kelvin
		// sign and the long s, whose bytes are from 0x80 up.
		{`(?i)key[=:]([a-f0-9]{32})`, 32, "0-9A-Fa-f", ":=", ""},
		{`(?i)k[0-9]{8}`, 8, "0-9", "Kk" + highBytes, ""},
		{`(?i)x[0-9]{8}`, 8, "0-9", "Xx", ""},
		{`(?i)[a-z]{8}`, 8, "A-Za-z" + highBytes, "", ""},
		{`(?i)[a-j]{8}`, 8, "A-Ja-j", "", ""},
		{`(?i:a)[0-9]{8}(?i:s)`, 8, "0-9", "Aa", "Ss" + highBytes},
		{`é[0-9]{8}`, 8, "0-9", highBytes, ""},
		// Every branch of an alternation holds a run: the union, as
		// long as the shortest, bounded when every branch's run is.
		{`(?:^|\W)(cs_[0-9a-f]{40}|ck_[0-9a-f]{40})`, 40, "0-9a-f", "_", ""},
		{`(?:a[0-9]{10}|b[a-z]{12})`, 10, "0-9a-z", "ab", ""},
		{`(?:a[0-9]{10}|b)`, 0, "", "", ""},       // a branch without one
		{`(?:[0-9]{10}|[a-z]{3})`, 0, "", "", ""}, // the shortest is too short
	} {
		run := regexRun(tc.expr)
		if tc.n == 0 {
			if run != nil {
				t.Errorf("%s: run of %d, want none", tc.expr, run.n)
			}
			continue
		}
		checkRun(t, tc.expr, run, tc.n, tc.set, tc.pre, tc.post)
		if run != nil && run.also != nil {
			t.Errorf("%s: a second run of %d", tc.expr, run.also.n)
		}
	}
}

// checkRun checks that run is n bytes of set between pre and post (byteTable
// specs).
func checkRun(t *testing.T, expr string, run *byteRun, n int, set, pre, post string) {
	t.Helper()
	if run == nil || run.n != n {
		t.Errorf("%s: run %v, want %d", expr, run, n)
		return
	}
	for _, c := range []struct {
		name      string
		got, want *[256]bool
	}{{"set", &run.set, byteTable(set)}, {"pre", run.pre, byteTable(pre)}, {"post", run.post, byteTable(post)}} {
		if (c.got == nil) != (c.want == nil) {
			t.Errorf("%s: %s %v, want %v", expr, c.name, c.got != nil, c.want != nil)
			continue
		}
		if c.got == nil {
			continue
		}
		for b := range c.want {
			if c.got[b] != c.want[b] {
				t.Errorf("%s: %s has %q: %v, want %v", expr, c.name, byte(b), c.got[b], c.want[b])
			}
		}
	}
}

// TestRegexRunAlso: when the best run takes in bytes that only literals
// match, the line must also hold the best run of class bytes only (the
// byte model cannot know that the keywords' bytes are common in the lines
// that reach the regex: the resend key's _ in snake_case names).
func TestRegexRunAlso(t *testing.T) {
	type want struct {
		n              int
		set, pre, post string
	}
	for _, tc := range []struct {
		expr      string
		run, also want
	}{
		{`(?:^|[^A-Za-z0-9])(re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24})(?:[^A-Za-z0-9]|$)`,
			want{33, "0-9A-Z_a-z", "_", ""}, want{24, "0-9A-Za-z", "_", ""}},
		{`[0-9]{10}x[a-f]{12}`, want{23, "0-9a-fx", "", ""}, want{10, "0-9", "", "x"}},
		{`(?i)[0-9]{10}-[0-9]{10}`, want{21, "-0-9", "", ""}, want{10, "0-9", "", "-"}},
		// The union of the branches' pure runs.
		{`x(?:[0-9]{10}|(?:y[a-f]{9})+)`, want{10, "0-9a-fy", "x", ""}, want{9, "0-9a-f", "", ""}},
	} {
		run := regexRun(tc.expr)
		checkRun(t, tc.expr, run, tc.run.n, tc.run.set, tc.run.pre, tc.run.post)
		if run == nil {
			continue
		}
		checkRun(t, tc.expr+" (also)", run.also, tc.also.n, tc.also.set, tc.also.pre, tc.also.post)
		if run.also != nil && run.also.also != nil {
			t.Errorf("%s: a third run", tc.expr)
		}
	}
}

func TestByteRunIn(t *testing.T) {
	for _, tc := range []struct {
		run  *byteRun
		line string
		want bool
	}{
		{regexRun(`[a-f0-9]{8}`), "", false},
		{regexRun(`[a-f0-9]{8}`), "abcdef0", false},
		{regexRun(`[a-f0-9]{8}`), "abcdef01", true},
		{regexRun(`[a-f0-9]{8}`), "xx abcdef01 yy", true},
		{regexRun(`[a-f0-9]{8}`), "abcd-ef01", false},
		{regexRun(`[a-f0-9]{8}`), "abcdefg0123456", false},
		{regexRun(`[a-f0-9]{8}`), "abcdefg01234567", true},
		{regexRun(`["']([^"'\s]{12,})["']`), `"abcdefghijkl"`, true},
		{regexRun(`["']([^"'\s]{12,})["']`), `x = 'abcdefghijklmnop"; y`, true},
		{regexRun(`["']([^"'\s]{12,})["']`), `"abcdefghijk"`, false},
		{regexRun(`["']([^"'\s]{12,})["']`), `abcdefghijklm"`, false},
		{regexRun(`["']([^"'\s]{12,})["']`), `"abcdefghijklm`, false},
		{regexRun(`["']([^"'\s]{12,})["']`), `"abcdef ghijklmn"`, false},
		{regexRun(`["']([^"'\s]{12,})["']`), `"ab" "abcdefghijkl`, false},
		// Bounds inside the set: an a, 8 of [a-z], a b.
		{&byteRun{set: *byteTable("a-z"), n: 8, pre: byteTable("a"), post: byteTable("b")}, "xaaaaaaaaab", true},
		{&byteRun{set: *byteTable("a-z"), n: 8, pre: byteTable("a"), post: byteTable("b")}, "xaaaaaaaab", false},
		{&byteRun{set: *byteTable("a-z"), n: 8, pre: byteTable("a"), post: byteTable("b")}, "caaaaaaaazb", true},
		{&byteRun{set: *byteTable("a-z"), n: 8, pre: byteTable("a"), post: byteTable("b")}, "abbbbbbbbb", true},
		{&byteRun{set: *byteTable("a-z"), n: 8, pre: byteTable("a"), post: byteTable("b")}, "abbbbbbbb", false},
		{&byteRun{set: *byteTable("a-z"), n: 8, pre: byteTable("a"), post: byteTable("b")}, "zzzzzzzzzb", false},
		{&byteRun{set: *byteTable("a-z"), n: 8, pre: byteTable("a")}, "zzzzzzzzz", false},
		{&byteRun{set: *byteTable("a-z"), n: 8, pre: byteTable("a")}, "zazzzzzzzz", true},
		{&byteRun{set: *byteTable("a-z"), n: 8, post: byteTable("b")}, "zzzzzzzzb", true},
		{&byteRun{set: *byteTable("a-z"), n: 8, post: byteTable("b")}, "zzzzzzzz", false},
		{&byteRun{set: *byteTable("a-z"), n: 8, post: byteTable("b")}, "zzzzzzzb", false},
		// also: both runs.
		{&byteRun{set: *byteTable("a-z"), n: 8, also: &byteRun{set: *byteTable("0-9"), n: 8}}, "abcdefgh 12345678", true},
		{&byteRun{set: *byteTable("a-z"), n: 8, also: &byteRun{set: *byteTable("0-9"), n: 8}}, "abcdefgh 1234567", false},
		{&byteRun{set: *byteTable("a-z"), n: 8, also: &byteRun{set: *byteTable("0-9"), n: 8}}, "abcdefg 12345678", false},
	} {
		if got := tc.run.in([]byte(tc.line)); got != tc.want {
			t.Errorf("run %d %v %v: in(%q) = %v, want %v", tc.run.n, tc.run.pre != nil, tc.run.post != nil, tc.line, got, tc.want)
		}
	}
}

// runPieces mixes the classes' bytes, separators, quotes and
// multi-byte characters (and an invalid byte, and the characters that
// fold to k and s) so that runs are often just long enough or broken.
var runPieces = []string{"a", "f", "0", "9", "Z", "_", "-", ".", " ", "\"", "'", "é", "\u4e2d", "\xff", "k", "=", "\n", ":", "\u212a", "\u017f"}

// TestRegexRunNecessary checks on random lines that whenever a regex
// matches, the line holds its run: skipping the regex on lines without it
// loses nothing.
func TestRegexRunNecessary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	exprs := []string{
		`[a-f0-9]{8}`, `(?i)k([a-f0-9]{8,})`, `[^"\s]{8}`, `.{9}`, `[\w-]{8}Z`,
		`(?:k[0-9a-f]{8})+`, `k[0-9a-f]{11}`, `(?:k[0-9]{9}|[a-f]{8}k)`, `(?:9[0-9a-f]{8}|f[Z_-]{8})`, `[\pL\d]{8}`, `(?s)x?[^a]{10}`, `\b[A-Za-z0-9_]{8}\b`,
		`["']([^"'\s]{8,})["']`, `[:=k]\s*([a-f0-9]{4} ?[a-f0-9]{4}|[0-9]{8})(?:[^a-z]|$)`, `(?i)k[0-9]{8}(?i:s)`, `k[0-9a-f]{4}\B[0-9a-f]{4}\b`,
		`(?:[0-9]{8})?k[0-9a-f]{8}`, `(?:[0-9]{8}){0,1}k[0-9a-f]{8}`, `(?:[0-9]{8})*k[0-9a-f]{8}`,
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
				line = append(line, runPieces[rng.IntN(len(runPieces))]...)
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

// TestRegexRunNecessaryRules checks the runs of the embedded rules: every
// line a rule's regex matches holds its run. The lines are the rules' own
// test examples, and random matches of each regex (genMatch) between
// random text, each also with one byte cut out, doubled or replaced (to
// land just on either side of a run's bounds).
func TestRegexRunNecessaryRules(t *testing.T) {
	set := embeddedSet(t)
	rng := rand.New(rand.NewPCG(13, 17))
	withRun, checked := 0, 0
	for _, r := range set.Rules {
		if r.content == nil || r.content.re == nil {
			continue
		}
		re := r.content.re
		run := regexRun(re.String())
		if run == nil {
			continue
		}
		withRun++
		parsed, err := syntax.Parse(re.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		var lines [][]byte
		for _, ex := range r.tests {
			lines = append(lines, []byte(ex.line))
		}
		for range 150 {
			var line []byte
			line = randomText(rng, line)
			line = genMatch(rng, parsed, line)
			line = randomText(rng, line)
			lines = append(lines, line, mutate(rng, line))
		}
		matched := 0
		for _, line := range lines {
			if !re.Match(line) {
				continue
			}
			matched++
			if !run.in(line) {
				t.Fatalf("rule %s: %s matches %q, which has no run of %d", r.ID, re, line, run.n)
			}
		}
		if matched == 0 {
			t.Errorf("rule %s: no line matched; the test checks nothing", r.ID)
		}
		checked += matched
	}
	if withRun < 100 {
		t.Errorf("%d rules with a run; want most of the secret rules", withRun)
	}
	t.Logf("%d rules with a run, %d matching lines checked", withRun, checked)
}

// randomText appends up to 6 pieces of runPieces to b.
func randomText(rng *rand.Rand, b []byte) []byte {
	for range rng.IntN(7) {
		b = append(b, runPieces[rng.IntN(len(runPieces))]...)
	}
	return b
}

// mutate returns a copy of line with one byte cut out, doubled or replaced
// by a piece of runPieces.
func mutate(rng *rand.Rand, line []byte) []byte {
	if len(line) == 0 {
		return nil
	}
	i := rng.IntN(len(line))
	out := append([]byte(nil), line[:i]...)
	switch rng.IntN(3) {
	case 0:
	case 1:
		out = append(out, line[i], line[i])
	case 2:
		out = append(out, runPieces[rng.IntN(len(runPieces))]...)
	}
	return append(out, line[i+1:]...)
}

// genMatch appends to b a random text that re likely matches (assertions
// are ignored: the caller checks). It picks classes' characters near their
// ranges' ends, folds literals' case when the regex does (the Kelvin sign
// for k), and writes an invalid byte where U+FFFD may be.
func genMatch(rng *rand.Rand, re *syntax.Regexp, b []byte) []byte {
	if len(b) > 1<<12 {
		return b // long enough (a fuzzed regex may repeat a lot)
	}
	times := func(lo, hi int) int {
		if hi < 0 || hi > lo+3 {
			hi = lo + 3
		}
		return lo + rng.IntN(hi-lo+1)
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				for range rng.IntN(3) {
					c = unicode.SimpleFold(c)
				}
			}
			b = utf8.AppendRune(b, c)
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return b
		}
		i := 2 * rng.IntN(len(re.Rune)/2)
		lo, hi := re.Rune[i], re.Rune[i+1]
		c := lo
		switch rng.IntN(4) {
		case 0:
			c = hi
		case 1:
			c = lo + rune(rng.IntN(int(min(hi-lo, 200))+1))
		}
		if lo <= utf8.RuneError && utf8.RuneError <= hi && rng.IntN(2) == 0 {
			return append(b, 0xff)
		}
		b = utf8.AppendRune(b, c)
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		p := runPieces[rng.IntN(len(runPieces))]
		if p == "\n" && re.Op == syntax.OpAnyCharNotNL {
			p = "x"
		}
		b = append(b, p...)
	case syntax.OpCapture:
		b = genMatch(rng, re.Sub[0], b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		for range times(repeatBounds(re)) {
			b = genMatch(rng, re.Sub[0], b)
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			b = genMatch(rng, sub, b)
		}
	case syntax.OpAlternate:
		b = genMatch(rng, re.Sub[rng.IntN(len(re.Sub))], b)
	}
	return b
}

// TestRequiredRunLater: the run is computed only once the regex has run on
// requiredRunAfter lines (a small push never pays for the parse), or on a
// long line, then kept.
func TestRequiredRunLater(t *testing.T) {
	var q requiredRun
	re := regexp.MustCompile(`[a-f0-9]{32}`)
	for i := range requiredRunAfter {
		if q.getFor(re, 0) != nil {
			t.Fatalf("call %d: a run before %d calls", i+1, requiredRunAfter)
		}
	}
	for range 3 {
		if r := q.getFor(re, 0); r == nil || r.n != 32 {
			t.Fatalf("after %d calls: run %v, want one of 32", requiredRunAfter, r)
		}
	}
	// A long line gets it at once, and the lines after it.
	var long requiredRun
	if long.getFor(re, requiredRunLongLine-1) != nil {
		t.Fatal("a run for the first short line")
	}
	if r := long.getFor(re, requiredRunLongLine); r == nil || r.n != 32 {
		t.Fatalf("long line: run %v, want one of 32", r)
	}
	if r := long.getFor(re, 1); r == nil || r.n != 32 {
		t.Fatalf("short line after a long one: run %v, want one of 32", r)
	}
}

// FuzzRegexRunNecessary: for any regex, every line it matches holds its
// required run. The lines are the input and random matches of the regex
// (genMatch) after a prefix of it. Seeds: the expressions above and the
// embedded rules' regexes.
func FuzzRegexRunNecessary(f *testing.F) {
	for _, expr := range []string{
		`x([a-z]{4}\ [a-z]{4}\ [a-z]{4}\ [a-z]{4}|[a-z]{16})(?:[^A-Za-z0-9]|$)`,
		`(?i)[\w.-]*(password|token)["']?\s*(?::=|=>|[:=])\s*["']([^"'\s]{12,})["']`,
		`(?i)k[0-9]{8}(?i:s)`, `\b[a-z]{4}\b-\b[a-z]{4}\b`, `(?:[0-9]{8})?k[0-9a-f]{8}`,
		`(?:^|[^A-Za-z0-9])(re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24})(?:[^A-Za-z0-9]|$)`,
	} {
		f.Add(expr, "k=\"0123abcdef\" x", uint64(1))
	}
	for _, r := range embeddedSet(f).Rules {
		if r.content != nil && r.content.re != nil {
			f.Add(r.content.re.String(), "", uint64(2))
		}
	}
	f.Fuzz(func(t *testing.T, expr, line string, seed uint64) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		run := regexRun(expr)
		if run == nil {
			return
		}
		parsed, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 1))
		lines := [][]byte{[]byte(line)}
		for range 20 {
			l := genMatch(rng, parsed, []byte(line[:rng.IntN(len(line)+1)]))
			lines = append(lines, l, mutate(rng, l))
		}
		for _, l := range lines {
			if re.Match(l) && !run.in(l) {
				t.Fatalf("%s matches %q, which has no run of %d", expr, l, run.n)
			}
		}
	})
}
