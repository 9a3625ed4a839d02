package policy

import (
	"context"
	"testing"
)

// BenchmarkLoadEmbedded loads the embedded rules and AI-tool markers, as
// every hook run without a policy repository does: parsing the YAML
// ("parse") or reading the parsed trees from a warm parse cache
// ("cached", nodecache.go).
func BenchmarkLoadEmbedded(b *testing.B) {
	for _, tc := range []struct{ name, dir string }{{"parse", "-"}, {"cached", b.TempDir()}} {
		b.Run(tc.name, func(b *testing.B) {
			opt := Options{CacheDir: tc.dir}
			if _, err := Load(context.Background(), []Source{Embedded()}, opt); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(context.Background(), []Source{Embedded()}, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadMarkersOnly loads an admin's small rule file, with the
// embedded AI-tool markers but not the embedded rules.
func BenchmarkLoadMarkersOnly(b *testing.B) {
	src := mapSource("a", map[string]string{"r.yml": rule("x", "y")})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), []Source{src}, Options{CacheDir: "-"}); err != nil {
			b.Fatal(err)
		}
	}
}
