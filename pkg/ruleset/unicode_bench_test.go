package ruleset

import (
	"strings"
	"testing"
)

// BenchmarkUnicodeCondition measures the hidden-Unicode condition on
// typical lines: ASCII code, non-ASCII prose (no hidden characters) and a
// line with a bidi control.
func BenchmarkUnicodeCondition(b *testing.B) {
	rules, err := Parse("t.yml", []byte("rules:\n  - {id: u, severity: block, message: m, content: {unicode: [bidi, zero-width, tags, variation-selectors]}}\n"))
	if err != nil {
		b.Fatal(err)
	}
	m := NewSet(rules).NewLineMatcher()
	for _, c := range []struct{ name, line string }{
		{"ascii", strings.Repeat("	if err := run(ctx, args); err != nil { return err } ", 2)},
		{"prose", strings.Repeat("“Déjà vu” — naïve café, 東京 ", 4)},
		{"bidi", strings.Repeat("x", 60) + "\u202e" + strings.Repeat("y", 40)},
	} {
		line := []byte(c.line)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			n := 0
			for b.Loop() {
				m.MatchLine(line, 3, nil, func(LineMatch) { n++ })
			}
		})
	}
}
