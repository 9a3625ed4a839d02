package policy

import (
	"context"
	"testing"
)

// BenchmarkLoadEmbedded loads the embedded rules and AI-tool markers, as
// every hook run without a policy repository does: parsing the YAML and
// compiling every rule ("parse"); reading the parsed trees from a warm
// parse cache and compiling every rule ("cached-eager", as rules test
// does); from a warm cache with validation stamps, the regexes compiled
// on first use ("stamped", what the hook did from its second run on
// before the compiled cache); and from the compiled rules and automaton
// ("cached", what the hook does from its second run on).
func BenchmarkLoadEmbedded(b *testing.B) {
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"parse", Options{CacheDir: "-"}},
		{"cached-eager", Options{CacheDir: b.TempDir(), Eager: true}},
		{"stamped", Options{CacheDir: b.TempDir(), noCompiled: true}},
		{"cached", Options{CacheDir: b.TempDir()}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if _, err := Load(context.Background(), []Source{Embedded()}, tc.opt); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(context.Background(), []Source{Embedded()}, tc.opt); err != nil {
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
