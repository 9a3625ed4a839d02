package ruleset

import (
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// TestFastGlob checks every fast matcher against doublestar itself over
// paths chosen to hit the edges: dot files, nested names, names that only
// share a prefix or suffix, empty components.
func TestFastGlob(t *testing.T) {
	patterns := []string{
		".env", "go.sum", "a/b.txt", // literals
		"**/.env", "**/id_rsa", "**/go.mod", // any-depth names
		"**/*.pem", "**/*.env", "**/*_test.go", "**/*.tar.gz", "**/*", // any-depth suffixes
		"vendor/**", "node_modules/**", "a/b/**", // directories
		"**/tests/**", "**/__tests__/**", "**/a/b/**", "**/.aws/credentials", "**/.pushguard*", // any-depth shapes
		"**/client_secret*.json", "**/test_*.py", "**/*.so.*", "**/.env.*.example", "**/a*a", // one star
		"**/*.{go,py,ts}", "**/*.{c,h,cc}", "**/*.{tar.gz,zip}", "**/*.{go,}", // extension lists
		"**/*.{pem,key}", "src/**/*.go", "*.go", "**/[ab].txt", "**/x\\*y", "**/", // left to doublestar
	}
	paths := []string{
		"", ".env", "x/.env", "x/y/.env", ".env.local", "x/.env.local", "a.env", "dir.env/file",
		"go.sum", "go.sum.bak", "x/go.sum", "go.mod", "x/go.mod", "xgo.mod",
		"a/b.txt", "a/b.txtx", "x/a/b.txt", "b.txt", "a.txt", "x/b.txt",
		"id_rsa", "keys/id_rsa", "keys/id_rsa.pub", "myid_rsa",
		"cert.pem", "x/cert.pem", "x/cert.pem/y", ".pem", "x/.pem", "cert.key",
		"foo_test.go", "x/foo_test.go", "_test.go", "foo_test.go.orig",
		"a.tar.gz", "x/a.tar.gz", "a.gz",
		"vendor", "vendor/", "vendor/x", "vendor/x/y.go", "vendorx/y", "x/vendor/y",
		"tests", "tests/", "tests/a.go", "x/tests/a.go", "x/tests", "xtests/a", "x/testsy/a", "a/tests.go",
		".aws/credentials", "home/.aws/credentials", "x.aws/credentials", ".aws/credentials.bak",
		".pushguard", ".pushguard.yml", "x/.pushguard.yml", "x/.pushguard/y", "x.pushguard",
		"client_secret.json", "x/client_secret_123.json", "client_secret.jsonx", "client_secrets/x.json",
		"test_a.py", "x/test_.py", "test.py", "x/test_a.pyc", "libx.so.1", "x/libx.so.", "x/libx.so",
		".env.prod.example", "x/.env..example", ".env.example", "a", "aa", "aba", "x/aXa",
		"a.go", "x/b.py", "x/b.ts", "x/b.tsx", ".go", "go", "x.go/y", "a.c", "a.cc", "a.ccc", "a.h", "a.tar.gz", "a.zip", "x/.cc",
		"node_modules/a/b.js", "a/b", "a/b/c", "a/bc", "a/b/", "main.go", "src/a/main.go", "x*y", "q/x*y",
	}
	for _, p := range patterns {
		if !doublestar.ValidatePattern(p) {
			t.Fatalf("test pattern %q is invalid", p)
		}
		m := fastGlob(p)
		for _, s := range paths {
			if got, want := m(s), doublestar.MatchUnvalidated(p, s); got != want {
				t.Errorf("fastGlob(%q)(%q) = %v, doublestar says %v", p, s, got, want)
			}
		}
	}
}

func TestCompiledGlobs(t *testing.T) {
	tests := []struct {
		include, exclude []string
		path             string
		want             bool
	}{
		{nil, nil, "a.go", true},
		{[]string{"**/*.go"}, nil, "x/a.go", true},
		{[]string{"**/*.go"}, nil, "x/a.py", false},
		{[]string{"**/*.go"}, []string{"vendor/**"}, "vendor/a.go", false},
		{[]string{"**/*.py", "**/*.go"}, []string{"**/*_test.go"}, "x/a_test.go", false},
		{[]string{"**/*.py", "**/*.go"}, []string{"**/*_test.go"}, "x/a.go", true},
		{nil, []string{"docs/**"}, "docs/a.md", false},
	}
	for _, tc := range tests {
		g := &globSet{include: tc.include, exclude: tc.exclude}
		if got := g.match(tc.path); got != tc.want {
			t.Errorf("include %q exclude %q: match(%q) = %v, want %v", tc.include, tc.exclude, tc.path, got, tc.want)
		}
		if slow := g.matchSlow(tc.path); slow != tc.want {
			t.Errorf("include %q exclude %q: matchSlow(%q) = %v, want %v", tc.include, tc.exclude, tc.path, slow, tc.want)
		}
	}
}

// FuzzFastGlob compares the fast matchers with doublestar on arbitrary
// paths.
func FuzzFastGlob(f *testing.F) {
	patterns := []string{".env", "**/.env", "**/*.pem", "**/tests/**", "vendor/**", "**/client_secret*.json", "**/*.{go,py}", "**/.aws/credentials", "**/*"}
	for _, s := range []string{"a/.env", "x/tests/y", "vendor/a", "k/client_secret_1.json", "m.go", ".aws/credentials", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range patterns {
			if got, want := fastGlob(p)(s), doublestar.MatchUnvalidated(p, s); got != want {
				t.Errorf("fastGlob(%q)(%q) = %v, doublestar says %v", p, s, got, want)
			}
		}
	})
}
