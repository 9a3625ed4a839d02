package diff

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
)

// benchInput is one older/newer pair of the benchmarks.
type benchInput struct {
	name         string
	older, newer []byte
}

// codeLines returns n distinct lines that look like source code.
func codeLines(n int) [][]byte {
	ls := make([][]byte, n)
	for i := range ls {
		ls[i] = fmt.Appendf(nil, "\tresult%d := compute(ctx, input[%d], %q) // step %d", i, i%97, "value", i)
	}
	return ls
}

func joinLines(ls [][]byte) []byte { return append(bytes.Join(ls, []byte("\n")), '\n') }

// benchInputs builds the benchmark cases. The names are stable so that
// benchstat can compare runs.
func benchInputs() []benchInput {
	// A small edit in a 10k-line file: three lines edited, two inserted.
	base := codeLines(10_000)
	edited := make([][]byte, 0, len(base)+2)
	for i, l := range base {
		switch i {
		case 2500, 5000, 7500:
			edited = append(edited, []byte("\tsecret := \"AKIA0000000000000000\""))
		case 6000:
			edited = append(edited, l, []byte("\t// inserted"), []byte("\tinserted()"))
		default:
			edited = append(edited, l)
		}
	}

	// A new 1 MB file.
	var newFile []byte
	for i := 0; len(newFile) < 1<<20; i++ {
		newFile = fmt.Appendf(newFile, "\tresult%d := compute(ctx, input[%d]) // new\n", i, i%97)
	}

	// 100k identical lines, with the first and last lines edited so that
	// the common prefix and suffix do not hide the work.
	same := bytes.Repeat([]byte("\t}\n"), 100_000)
	sameEdited := append(append([]byte("first\n"), same[3:len(same)-3]...), "last\n"...)

	// 100k distinct lines, shuffled.
	lines := codeLines(100_000)
	shuffled := append([][]byte(nil), lines...)
	rand.New(rand.NewSource(1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })

	return []benchInput{
		{"input=edit-10k-lines", joinLines(base), joinLines(edited)},
		{"input=new-1MB", nil, newFile},
		{"input=identical-100k-lines", same, sameEdited},
		{"input=shuffled-100k-lines", joinLines(lines), joinLines(shuffled)},
		{"input=crlf-10k-lines", joinLines(base), bytes.ReplaceAll(joinLines(base), []byte("\n"), []byte("\r\n"))},
	}
}

// BenchmarkAdded measures the package-level Added, which allocates its
// scratch space and result on every call.
func BenchmarkAdded(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.older) + len(in.newer)))
			b.ReportAllocs()
			for b.Loop() {
				Added(in.older, in.newer)
			}
		})
	}
}

// BenchmarkDifferAddedFunc measures the hot-path form: a reused Differ and a
// callback, no result slice.
func BenchmarkDifferAddedFunc(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			var d Differ
			n := 0
			count := func(Line) bool { n++; return true }
			b.SetBytes(int64(len(in.older) + len(in.newer)))
			b.ReportAllocs()
			for b.Loop() {
				d.AddedFunc(in.older, in.newer, count)
			}
		})
	}
}

// BenchmarkAddedMerge measures a two-parent merge of a 10k-line file.
func BenchmarkAddedMerge(b *testing.B) {
	base := codeLines(10_000)
	left := joinLines(append(append([][]byte{}, base[:3000]...), append([][]byte{[]byte("left")}, base[3000:]...)...))
	right := joinLines(append(append([][]byte{}, base[:7000]...), append([][]byte{[]byte("right")}, base[7000:]...)...))
	merged := bytes.Replace(left, base[7000], append([]byte("right\n"), base[7000]...), 1)
	merged = append(merged, "evil\n"...)
	parents := [][]byte{left, right}
	b.SetBytes(int64(len(left) + len(right) + len(merged)))
	b.ReportAllocs()
	var d Differ
	for b.Loop() {
		if got := d.AddedMerge(parents, merged); len(got) != 1 {
			b.Fatalf("got %d lines, want 1", len(got))
		}
	}
}

// BenchmarkIsBinary measures binary detection on a large text file (the
// whole 8000-byte window is scanned) and on binary content.
func BenchmarkIsBinary(b *testing.B) {
	text := bytes.Repeat([]byte("some ordinary text, line after line\n"), 30_000)
	bin := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), text...)
	for _, in := range []struct {
		name string
		b    []byte
	}{{"input=text-1MB", text}, {"input=png", bin}} {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				IsBinary(in.b)
			}
		})
	}
}
