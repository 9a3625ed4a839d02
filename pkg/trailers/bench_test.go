package trailers

import (
	"strings"
	"testing"
)

// benchMessages returns realistic commit messages of various shapes; the
// names are stable so that benchstat can compare runs.
func benchMessages() []struct{ name, message string } {
	body := strings.Repeat("This line of the body explains what the change does and why it is needed.\n", 40)
	return []struct{ name, message string }{
		{"msg=short-signed-off", "Fix the frobnicator\n\nSigned-off-by: Ada Lovelace <ada@example.com>\n"},
		{"msg=long-body-trailers", "Rework the parser\n\n" + body + "\nReviewed-by: R <r@example.com>\nCo-authored-by: Claude <noreply@anthropic.com>\nSigned-off-by: S <s@example.com>\n"},
		{"msg=long-body-no-trailers", "Rework the parser\n\n" + body},
		{"msg=subject-only", "Bump version to 1.2.3"},
	}
}

func BenchmarkParse(b *testing.B) {
	for _, m := range benchMessages() {
		b.Run(m.name, func(b *testing.B) {
			b.SetBytes(int64(len(m.message)))
			b.ReportAllocs()
			for b.Loop() {
				Parse(m.message)
			}
		})
	}
}

func BenchmarkLines(b *testing.B) {
	for _, m := range benchMessages() {
		b.Run(m.name, func(b *testing.B) {
			b.SetBytes(int64(len(m.message)))
			b.ReportAllocs()
			for b.Loop() {
				Lines(m.message)
			}
		})
	}
}
