package diff

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// show renders lines as "No:Text" with the text quoted, for readable diffs
// in failure messages.
func show(ls []Line) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, strconv.Itoa(l.No)+":"+strconv.Quote(string(l.Text)))
	}
	return out
}

// want builds the expected rendering from "No:text" pairs given unquoted.
func want(pairs ...string) []string {
	out := make([]string, 0, len(pairs))
	for _, p := range pairs {
		no, text, _ := strings.Cut(p, ":")
		out = append(out, no+":"+strconv.Quote(text))
	}
	return out
}

func TestIsBinary(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want bool
	}{
		{"nil", nil, false},
		{"empty", []byte{}, false},
		{"text", []byte("hello\nworld\n"), false},
		{"utf8 and control bytes", []byte("h\xc3\xa9\x01\x7f\r\n"), false},
		{"nul first", []byte{0, 'a'}, true},
		{"nul in middle", []byte("abc\x00def"), true},
		{"nul at byte 7999", append(bytes.Repeat([]byte("a"), 7999), 0), true},
		{"nul at byte 8000", append(bytes.Repeat([]byte("a"), 8000), 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsBinary(tt.in); got != tt.want {
				t.Errorf("IsBinary = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdded(t *testing.T) {
	tests := []struct {
		name         string
		older, newer string
		nilOlder     bool
		want         []string
	}{
		{name: "both empty", want: want()},
		{name: "new file", nilOlder: true, newer: "a\nb\n", want: want("1:a", "2:b")},
		{name: "new file without trailing newline", nilOlder: true, newer: "a\nb", want: want("1:a", "2:b")},
		{name: "new file of one empty line", nilOlder: true, newer: "\n", want: want("1:")},
		{name: "empty older is a new file", older: "", newer: "x", want: want("1:x")},
		{name: "file emptied", older: "a\nb\n", newer: "", want: want()},
		{name: "identical", older: "a\nb\nc\n", newer: "a\nb\nc\n", want: want()},
		{name: "identical without trailing newline", older: "a\nb", newer: "a\nb", want: want()},
		{name: "append", older: "a\nb\n", newer: "a\nb\nc\nd\n", want: want("3:c", "4:d")},
		{name: "prepend", older: "a\nb\n", newer: "x\na\nb\n", want: want("1:x")},
		{name: "insert in middle", older: "a\nb\nc\n", newer: "a\nb\nnew\nc\n", want: want("3:new")},
		{name: "edit one line", older: "a\nb\nc\n", newer: "a\nB\nc\n", want: want("2:B")},
		{name: "replace everything", older: "a\nb\n", newer: "c\nd\n", want: want("1:c", "2:d")},
		{name: "delete lines", older: "a\nb\nc\nd\n", newer: "a\nd\n", want: want()},
		{name: "swap two lines", older: "a\nb\n", newer: "b\na\n", want: want()},
		{name: "moved block", older: "1\n2\n3\n4\n5\n6\n", newer: "1\n4\n5\n2\n3\n6\n", want: want()},
		{name: "moved block and edit", older: "1\n2\n3\n4\n5\n6\n", newer: "1\n4\n5\n2\nthree\n6\n", want: want("5:three")},
		{name: "reversed", older: "a\nb\nc\nd\n", newer: "d\nc\nb\na\n", want: want()},
		{name: "duplicate an existing line", older: "a\nb\nc\n", newer: "a\nb\nb\nc\n", want: want("3:b")},
		{name: "duplicate a line elsewhere", older: "a\nb\nc\nd\n", newer: "a\nb\nc\nb\n", want: want("4:b")},
		{
			name:  "surplus is the later occurrences",
			older: "s\na\nb\ne\n", newer: "s\nb\na\na\nb\nz\ne\n",
			want: want("4:a", "5:b", "6:z"),
		},
		{name: "three extra copies", older: "k\nx\nk\n", newer: "k\nx\nx\nx\nx\nk\n", want: want("3:x", "4:x", "5:x")},
		{name: "prefix and suffix overlap", older: "a\na\n", newer: "a\na\na\n", want: want("3:a")},
		{name: "one line doubled", older: "a\n", newer: "a\na\n", want: want("2:a")},
		{name: "prefix wins over suffix", older: "y\nx\n", newer: "x\ny\nx\n", want: want("1:x")},
		{name: "blank lines added", older: "a\n", newer: "a\n\n\n", want: want("2:", "3:")},
		{name: "blank line edited", older: "a\n\nb\n", newer: "a\n \nb\n", want: want("2: ")},
		{name: "LF to CRLF", older: "a\nb\nc\n", newer: "a\r\nb\r\nc\r\n", want: want()},
		{name: "CRLF to LF", older: "a\r\nb\r\n", newer: "a\nb\n", want: want()},
		{name: "CRLF with edit", older: "a\r\nb\r\nc\r\n", newer: "a\r\nB\r\nc\r\n", want: want("2:B")},
		{name: "mixed terminators with edit", older: "a\nb\r\nc\n", newer: "a\r\nb\nC\r\n", want: want("3:C")},
		{name: "only one CR is a terminator", older: "a\r\n", newer: "a\r\r\n", want: want("1:a\r")},
		{name: "lone CR is not a terminator", older: "a\nb\n", newer: "a\rb\n", want: want("1:a\rb")},
		{name: "CR at end of file without newline is text", older: "a\r\n", newer: "a\r", want: want("1:a\r")},
		{name: "trailing newline added", older: "a\nb", newer: "a\nb\n", want: want()},
		{name: "trailing newline removed", older: "a\nb\n", newer: "a\nb", want: want()},
		{name: "line appended to file without newline", older: "a\nb", newer: "a\nb\nc", want: want("3:c")},
		{name: "last line edited without newline", older: "a\nb", newer: "a\nbc", want: want("2:bc")},
		{name: "suffix bytes not at a line start", older: "a\nxy\nz\n", newer: "a\nwy\nz\n", want: want("2:wy")},
		{name: "common byte suffix spans lines", older: "head\nfoo bar\nbaz\n", newer: "head\nbar\nbaz\n", want: want("2:bar")},
		{name: "common byte prefix inside a line", older: "abc\nd\n", newer: "abd\nd\n", want: want("1:abd")},
		{name: "long lines edited", older: strings.Repeat("x", 100) + "\n" + strings.Repeat("y", 100) + "\n", newer: strings.Repeat("x", 100) + "\n" + strings.Repeat("y", 99) + "z\n", want: want("2:" + strings.Repeat("y", 99) + "z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			older := []byte(tt.older)
			if tt.nilOlder {
				older = nil
			}
			newer := []byte(tt.newer)
			got := show(Added(older, newer))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Added(%q, %q)\n got %q\nwant %q", tt.older, tt.newer, got, tt.want)
			}
			if ref := show(refAdded(older, newer)); !slices.Equal(ref, tt.want) {
				t.Errorf("reference disagrees with the table: %q", ref)
			}
		})
	}
}

func TestAddedTextAliasesInput(t *testing.T) {
	newer := []byte("a\nb\r\nc")
	got := Added(nil, newer)
	if len(got) != 3 {
		t.Fatalf("got %d lines, want 3", len(got))
	}
	offsets := []int{0, 2, 5}
	for i, l := range got {
		if &l.Text[:1][0] != &newer[offsets[i]] {
			t.Errorf("line %d: Text does not alias the input at offset %d", l.No, offsets[i])
		}
	}
}

func TestAddedFuncStopsEarly(t *testing.T) {
	tests := []struct {
		name      string
		older     string
		stopAfter int
		want      []string
	}{
		{name: "new file", stopAfter: 2, want: want("1:a", "2:b")},
		{name: "with older", older: "x\n", stopAfter: 1, want: want("1:a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Line
			AddedFunc([]byte(tt.older), []byte("a\nb\nc\nd\n"), func(l Line) bool {
				got = append(got, l)
				return len(got) < tt.stopAfter
			})
			if !slices.Equal(show(got), tt.want) {
				t.Errorf("got %q, want %q", show(got), tt.want)
			}
		})
	}
}

func TestAddedMerge(t *testing.T) {
	const base = "a\nb\nc\n"
	tests := []struct {
		name    string
		parents []string // "<nil>" is a parent without the file
		newer   string
		want    []string
	}{
		{name: "clean merge of two sides", parents: []string{"a\nB1\nc\n", "a\nb\nC2\n"}, newer: "a\nB1\nC2\n", want: want()},
		{name: "conflict resolved with new text", parents: []string{"a\nB1\nc\n", "a\nB2\nc\n"}, newer: "a\nB3\nc\n", want: want("2:B3")},
		{name: "resolution keeps both sides", parents: []string{"a\nB1\nc\n", "a\nB2\nc\n"}, newer: "a\nB1\nB2\nc\n", want: want()},
		{name: "evil merge adds a line", parents: []string{"a\nB1\nc\n", "a\nb\nC2\n"}, newer: "a\nB1\nC2\nevil\n", want: want("4:evil")},
		{name: "parent identical", parents: []string{base, "x\ny\n"}, newer: base, want: want()},
		{name: "second parent identical", parents: []string{"x\ny\n", base}, newer: base, want: want()},
		{name: "file absent in one parent", parents: []string{"<nil>", "a\n"}, newer: "a\nb\n", want: want("2:b")},
		{name: "file absent in every parent", parents: []string{"<nil>", "<nil>"}, newer: "a\nb\n", want: want("1:a", "2:b")},
		{name: "no parents", parents: nil, newer: "a\n", want: want("1:a")},
		{name: "single parent is Added", parents: []string{"a\nb\n"}, newer: "a\nx\nb\n", want: want("2:x")},
		{name: "octopus of three", parents: []string{"a\n", "b\n", "c\n"}, newer: "a\nb\nc\nd\n", want: want("4:d")},
		{name: "octopus with one side edited", parents: []string{"p\na\n", "p\nb\n", "p\nc\n"}, newer: "p\nA\n", want: want("2:A")},
		{name: "octopus resolution from every side", parents: []string{"h\n1\nt\n", "h\n2\nt\n", "h\n3\nt\n"}, newer: "h\n3\n1\n2\nt\n", want: want()},
		{name: "extra copy of a parent line", parents: []string{"x\n", "y\n"}, newer: "x\nx\ny\n", want: want("2:x")},
		{name: "CRLF in one parent", parents: []string{"a\r\nb\r\n", "a\nc\n"}, newer: "a\nb\nc\nd\n", want: want("4:d")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parents [][]byte
			for _, p := range tt.parents {
				if p == "<nil>" {
					parents = append(parents, nil)
				} else {
					parents = append(parents, []byte(p))
				}
			}
			got := show(AddedMerge(parents, []byte(tt.newer)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("AddedMerge(%q, %q)\n got %q\nwant %q", tt.parents, tt.newer, got, tt.want)
			}
			if ref := show(refAddedMerge(parents, []byte(tt.newer))); !slices.Equal(ref, tt.want) {
				t.Errorf("reference disagrees with the table: %q", ref)
			}
		})
	}
}

// TestAddedMatchesReference compares Added, AddedFunc, a reused Differ and
// AddedMerge with the slow reference implementation on random inputs.
func TestAddedMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var d Differ // reused across every case, to test reuse too
	iterations := 20000
	if testing.Short() {
		iterations = 2000
	}
	for i := range iterations {
		var older, newer []byte
		switch i % 3 {
		case 0: // random bytes from a tiny alphabet: stresses line splitting
			older, newer = randomBytes(rng), randomBytes(rng)
		default: // newer derived from older by edits: stresses matching
			lines := randomLines(rng, rng.Intn(30))
			older = render(rng, lines)
			newer = render(rng, mutate(rng, lines))
		}
		want := show(refAdded(older, newer))
		if got := show(Added(older, newer)); !slices.Equal(got, want) {
			t.Fatalf("case %d: Added(%q, %q)\n got %q\nwant %q", i, older, newer, got, want)
		}
		var viaFunc []Line
		d.AddedFunc(older, newer, func(l Line) bool { viaFunc = append(viaFunc, l); return true })
		if got := show(viaFunc); !slices.Equal(got, want) {
			t.Fatalf("case %d: Differ.AddedFunc(%q, %q)\n got %q\nwant %q", i, older, newer, got, want)
		}

		lines := randomLines(rng, rng.Intn(20))
		parents := make([][]byte, 1+rng.Intn(3))
		for j := range parents {
			if rng.Intn(8) > 0 {
				parents[j] = render(rng, mutate(rng, lines))
			}
		}
		merged := render(rng, mutate(rng, lines))
		if rng.Intn(10) == 0 {
			merged = slices.Clone(parents[rng.Intn(len(parents))])
		}
		wantMerge := show(refAddedMerge(parents, merged))
		if got := show(d.AddedMerge(parents, merged)); !slices.Equal(got, wantMerge) {
			t.Fatalf("case %d: AddedMerge(%q, %q)\n got %q\nwant %q", i, parents, merged, got, wantMerge)
		}
	}
}

// TestAddedPathological runs inputs that make a quadratic diff crawl (a
// quadratic algorithm takes minutes on them; this takes milliseconds). The
// results are checked, the time is not.
func TestAddedPathological(t *testing.T) {
	const n = 200_000
	same := func(line string, k int) []byte { return bytes.Repeat([]byte(line+"\n"), k) }
	distinct := func(k int) [][]byte {
		ls := make([][]byte, k)
		for i := range ls {
			ls[i] = fmt.Appendf(nil, "line %d", i)
		}
		return ls
	}
	join := func(ls [][]byte) []byte { return append(bytes.Join(ls, []byte("\n")), '\n') }
	shuffled := func(ls [][]byte, seed int64) [][]byte {
		out := slices.Clone(ls)
		rand.New(rand.NewSource(seed)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	lines := distinct(n)
	edited := shuffled(lines, 2)
	edited[n/2] = []byte("edited")
	edited = append(edited, []byte("line 7"))

	tests := []struct {
		name         string
		older, newer []byte
		wantCount    int
		wantFirst    int // line number of the first added line, 0 for none
	}{
		{"identical lines, same", same("x", n), same("x", n), 0, 0},
		{"identical lines, more of them", same("x", n), same("x", n+n/2), n / 2, n + 1},
		{"identical lines, all replaced", same("a", n), same("b", n), n, 1},
		{"identical lines, ends edited", same("x", n), append(append([]byte("first\n"), same("x", n)...), "last\n"...), 2, 1},
		{"alternating, shifted by one", bytes.Repeat([]byte("a\nb\n"), n/2), bytes.Repeat([]byte("b\na\n"), n/2), 0, 0},
		{"distinct lines, shuffled", join(lines), join(shuffled(lines, 1)), 0, 0},
		{"distinct lines, reversed", join(lines), join(reversed(lines)), 0, 0},
		{"distinct lines, shuffled and edited", join(lines), join(edited), 2, -1},
		{"LF to CRLF", join(lines), bytes.ReplaceAll(join(lines), []byte("\n"), []byte("\r\n")), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Added(tt.older, tt.newer)
			if len(got) != tt.wantCount {
				t.Fatalf("got %d added lines, want %d", len(got), tt.wantCount)
			}
			if tt.wantFirst > 0 && got[0].No != tt.wantFirst {
				t.Errorf("first added line is %d, want %d", got[0].No, tt.wantFirst)
			}
		})
	}
}

// TestDifferReuse checks that a Differ gives the same results when it is
// reused, including after a call whose scratch space was too large to keep
// and after a call stopped early.
func TestDifferReuse(t *testing.T) {
	big := make([]byte, 0, 1<<20)
	for i := range maxKeptSlots + 10 {
		big = fmt.Appendf(big, "%d\n", i)
	}
	calls := []struct {
		older, newer []byte
		stop         bool
	}{
		{[]byte("a\nb\n"), []byte("a\nc\nb\n"), false},
		{big, append([]byte("new\n"), big...), false},
		{[]byte("x\ny\nz\n"), []byte("q\nz\ny\nx\nw\n"), true},
		{[]byte("x\ny\nz\n"), []byte("q\nz\ny\nx\nw\n"), false},
		{[]byte("a\nb\n"), []byte("a\nc\nb\n"), false},
	}
	var d Differ
	for i, c := range calls {
		if c.stop {
			d.AddedFunc(c.older, c.newer, func(Line) bool { return false })
			continue
		}
		got, want := show(d.Added(c.older, c.newer)), show(refAdded(c.older, c.newer))
		if !slices.Equal(got, want) {
			t.Errorf("call %d: got %q, want %q", i, got, want)
		}
	}
}

func reversed(ls [][]byte) [][]byte {
	out := slices.Clone(ls)
	slices.Reverse(out)
	return out
}

// randomBytes returns up to 40 bytes drawn from an alphabet rich in line
// terminators.
func randomBytes(rng *rand.Rand) []byte {
	const alphabet = "ab\n\n\r"
	b := make([]byte, rng.Intn(40))
	for i := range b {
		b[i] = alphabet[rng.Intn(len(alphabet))]
	}
	return b
}

// randomLines returns n lines drawn from a small vocabulary, so that
// duplicates are common.
func randomLines(rng *rand.Rand, n int) []string {
	vocab := []string{"a", "b", "c", "d", "", " ", "a\r", "func f() {", "}"}
	ls := make([]string, n)
	for i := range ls {
		ls[i] = vocab[rng.Intn(len(vocab))]
	}
	return ls
}

// mutate applies a few random edits: delete, insert, duplicate, move, edit.
func mutate(rng *rand.Rand, lines []string) []string {
	out := slices.Clone(lines)
	for range rng.Intn(5) {
		switch op := rng.Intn(5); {
		case op == 0 && len(out) > 0:
			i := rng.Intn(len(out))
			out = slices.Delete(out, i, i+1)
		case op == 1:
			out = slices.Insert(out, rng.Intn(len(out)+1), randomLines(rng, 1+rng.Intn(3))...)
		case op == 2 && len(out) > 0:
			i := rng.Intn(len(out))
			out = slices.Insert(out, rng.Intn(len(out)+1), out[i])
		case op == 3 && len(out) > 1:
			i, j := rng.Intn(len(out)), rng.Intn(len(out))
			out[i], out[j] = out[j], out[i]
		case op == 4 && len(out) > 0:
			out[rng.Intn(len(out))] += "x"
		}
	}
	return out
}

// render joins lines with random terminators, the last one sometimes
// without a newline.
func render(rng *rand.Rand, lines []string) []byte {
	var b []byte
	for i, l := range lines {
		b = append(b, l...)
		if i == len(lines)-1 && rng.Intn(4) == 0 {
			break
		}
		if rng.Intn(4) == 0 {
			b = append(b, '\r')
		}
		b = append(b, '\n')
	}
	return b
}

// refLines splits b into line texts the straightforward way.
func refLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	parts := strings.SplitAfter(string(b), "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	for i, p := range parts {
		if s, ok := strings.CutSuffix(p, "\n"); ok {
			parts[i] = strings.TrimSuffix(s, "\r")
		}
	}
	return parts
}

// refAdded is a slow, obviously correct implementation of Added's semantics.
func refAdded(older, newer []byte) []Line {
	o, n := refLines(older), refLines(newer)
	p := 0
	for p < len(o) && p < len(n) && o[p] == n[p] {
		p++
	}
	s := 0
	for s < len(o)-p && s < len(n)-p && o[len(o)-1-s] == n[len(n)-1-s] {
		s++
	}
	count := map[string]int{}
	for _, l := range o[p : len(o)-s] {
		count[l]++
	}
	var out []Line
	for i := p; i < len(n)-s; i++ {
		if count[n[i]] > 0 {
			count[n[i]]--
			continue
		}
		out = append(out, Line{No: i + 1, Text: []byte(n[i])})
	}
	return out
}

// refAddedMerge is a slow implementation of AddedMerge's semantics: the
// lines added compared with every parent.
func refAddedMerge(parents [][]byte, newer []byte) []Line {
	for _, p := range parents {
		if bytes.Equal(p, newer) {
			return nil
		}
	}
	votes := map[int]int{}
	for _, p := range parents {
		for _, l := range refAdded(p, newer) {
			votes[l.No]++
		}
	}
	var out []Line
	for _, l := range refAdded(nil, newer) {
		if votes[l.No] == len(parents) {
			out = append(out, l)
		}
	}
	return out
}
