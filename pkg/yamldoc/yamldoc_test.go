package yamldoc

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// bomb returns a document that names a string of size bytes n times.
func bomb(size, n int) string {
	var b strings.Builder
	b.WriteString("list:\n  - &a \"" + strings.Repeat("A", size) + "\"\n")
	for range n {
		b.WriteString("  - *a\n")
	}
	return b.String()
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		max     int64
		wantErr string // substring; "" for success
		line    int
		nilDoc  bool
	}{
		{name: "empty", src: "", nilDoc: true},
		{name: "comments only", src: "# nothing\n", nilDoc: true},
		{name: "plain", src: "a: [1, 2]\n"},
		{name: "small aliases", src: "a: &x [p, q]\nb: *x\nc: *x\n"},
		{name: "syntax", src: "a: b\n c: d: e\n", wantErr: "invalid YAML: mapping values are not allowed", line: 2},
		{name: "tab indent", src: "a:\n\t- b\n", wantErr: "YAML does not allow tabs for indentation", line: 2},
		{name: "two documents", src: "a: 1\n---\nb: 2\n", wantErr: "only one YAML document per file is allowed", line: 3},
		{name: "large scalar aliased many times", src: bomb(100_000, 3000), wantErr: "aliases expand to more than 1048576 bytes of values (at alias *a)", line: 13},
		{name: "just under the bound", src: bomb(1000, 10), max: 10 * 1001},
		{name: "just over the bound", src: bomb(1000, 10), max: 10*1001 - 1, wantErr: "aliases expand to more than 10009 bytes", line: 12},
		{name: "no bound", src: bomb(1000, 10), max: -1},
		{
			name:    "billion laughs",
			src:     "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
			wantErr: "aliases expand to more than",
			line:    6,
		},
		{name: "self reference", src: "a: &a [x, *a]\n", wantErr: "alias *a refers to a node that contains it", line: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.src), tt.max)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if (doc == nil) != tt.nilDoc {
					t.Errorf("doc = %v; want nil %v", doc, tt.nilDoc)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse: error %v (%T); want *Error", err, err)
			}
			if !strings.Contains(e.Msg, tt.wantErr) || e.Line != tt.line {
				t.Errorf("Parse: error %q at line %d; want %q at line %d", e.Msg, e.Line, tt.wantErr, tt.line)
			}
			if doc != nil {
				t.Errorf("Parse returned a document with an error")
			}
		})
	}
}

// BenchmarkParseBomb measures how fast a 140 KB alias bomb (300 MB
// expanded) is refused.
func BenchmarkParseBomb(b *testing.B) {
	src := []byte(bomb(100_000, 3000))
	for b.Loop() {
		if _, err := Parse(src, 0); err == nil {
			b.Fatal("bomb accepted")
		}
	}
}

// FuzzParse: any input parses or fails with an *Error, never panics, and
// what parses has aliases within the bound.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "a: 1\n", "a: &x [1]\nb: *x\n", bomb(100, 20), "a: &a [x, *a]\n",
		"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b, *b]\n", "a:\n\t- b\n", "a: 1\n---\nb: 2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data, 1000)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, not an *Error", err, err)
			}
			return
		}
		if doc == nil {
			return
		}
		w := walker{limit: 1000, sizes: map[*yaml.Node]int64{}, busy: map[*yaml.Node]bool{}}
		w.walk(doc)
		if w.total > 1000 || w.at != nil || w.cycle != nil {
			t.Fatalf("accepted a document whose aliases expand to %d bytes", w.total)
		}
	})
}
