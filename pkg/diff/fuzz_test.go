package diff

import (
	"slices"
	"testing"
)

// FuzzAdded checks the invariants of Added on arbitrary inputs, and that it
// agrees with the reference implementation.
func FuzzAdded(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\nd"))
	f.Add([]byte("x\r\ny\r\n"), []byte("y\nx\n"))
	f.Add([]byte(""), []byte("\n\n\r\n"))
	f.Fuzz(func(t *testing.T, older, newer []byte) {
		got := Added(older, newer)
		lines := refLines(newer)
		prev := 0
		for _, l := range got {
			if l.No <= prev {
				t.Fatalf("line numbers not strictly increasing: %d after %d", l.No, prev)
			}
			prev = l.No
			if l.No < 1 || l.No > len(lines) || lines[l.No-1] != string(l.Text) {
				t.Fatalf("line %d %q is not line %d of newer", l.No, l.Text, l.No)
			}
			if len(l.Text) > 0 && !aliases(newer, l.Text) {
				t.Fatalf("line %d does not alias newer", l.No)
			}
		}
		if want := show(refAdded(older, newer)); !slices.Equal(show(got), want) {
			t.Fatalf("Added(%q, %q)\n got %q\nwant %q", older, newer, show(got), want)
		}
		if again := Added(newer, newer); len(again) != 0 {
			t.Fatalf("Added(x, x) = %q, want nothing", show(again))
		}
		all := Added(nil, newer)
		if len(all) != len(lines) {
			t.Fatalf("Added(nil, x) has %d lines, want %d", len(all), len(lines))
		}
		for i, l := range all {
			if l.No != i+1 || string(l.Text) != lines[i] {
				t.Fatalf("Added(nil, x)[%d] = %d:%q, want %d:%q", i, l.No, l.Text, i+1, lines[i])
			}
		}
		if merged := AddedMerge([][]byte{older, nil}, newer); !slices.Equal(show(merged), show(got)) {
			t.Fatalf("AddedMerge([older, nil]) = %q, want Added = %q", show(merged), show(got))
		}
	})
}

// aliases reports whether sub is a reslicing of b (shares its memory).
func aliases(b, sub []byte) bool {
	off := cap(b) - cap(sub)
	return len(sub) > 0 && off >= 0 && off < len(b) && &b[off] == &sub[0]
}
