package policy

import (
	"context"
	"testing"
)

// BenchmarkLoadEmbedded loads the embedded rules and AI-tool markers, as
// every hook run without a policy repository does.
func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), []Source{Embedded()}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadMarkersOnly loads an admin's small rule file, with the
// embedded AI-tool markers but not the embedded rules.
func BenchmarkLoadMarkersOnly(b *testing.B) {
	src := mapSource("a", map[string]string{"r.yml": rule("x", "y")})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), []Source{src}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
