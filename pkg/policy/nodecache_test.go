package policy

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// TestNodeCacheRoundTrip: for every embedded rule file and a few shapes
// (aliases, comments, styles), the cached tree is the parsed tree, field
// for field, so the decoders see the same input either way.
func TestNodeCacheRoundTrip(t *testing.T) {
	files := map[string][]byte{
		"aliases.yml": []byte("a: &x [1, 2]\nb: *x\n# head\nc: 'q' # line\nd: |\n  block\n"),
	}
	err := fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			return err
		}
		b, err := fs.ReadFile(rules.FS, p)
		files[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			doc, err := ruleset.ParseDocument(name, data)
			if err != nil {
				t.Skip("not a valid rule file:", err)
			}
			dir := t.TempDir()
			if got := loadNodes(dir, data); got != nil {
				t.Fatal("a tree from an empty cache")
			}
			storeNodes(dir, data, doc)
			got := loadNodes(dir, data)
			if got == nil {
				t.Fatal("no tree from the cache just written")
			}
			if diff := cmp.Diff(doc, got); diff != "" {
				t.Fatalf("cached tree differs (-parsed +cached):\n%s", diff)
			}
			if other := loadNodes(dir, append(append([]byte(nil), data...), ' ')); other != nil {
				t.Fatal("a tree for other content")
			}
		})
	}
}

// TestNodeCacheCorrupt: a damaged cache file is ignored, and the load
// parses the file as without a cache.
func TestNodeCacheCorrupt(t *testing.T) {
	data := []byte("rules:\n  - id: x\n")
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "v"}}}
	for _, damage := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }},
		{"flipped byte", func(b []byte) []byte { b[len(b)/3] ^= 0xff; return b }},
		{"empty", func([]byte) []byte { return nil }},
		{"other version", func(b []byte) []byte {
			return []byte(strings.Replace(string(b), nodeCacheVersion, nodeCacheVersion+"x", 1))
		}},
	} {
		t.Run(damage.name, func(t *testing.T) {
			dir := t.TempDir()
			storeNodes(dir, data, doc)
			p := nodeCachePath(dir, data)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, damage.edit(b), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := loadNodes(dir, data); got != nil {
				t.Fatalf("a damaged cache file was used: %+v", got)
			}
		})
	}
}

// TestLoadWithCache: loading through the cache (cold, then warm) gives the
// same rules, AI tools and errors as loading without it, for the embedded
// rules and for an admin's file, broken or not.
func TestLoadWithCache(t *testing.T) {
	admin := t.TempDir()
	good := filepath.Join(admin, "good.yml")
	if err := os.WriteFile(good, []byte(rule("admin-rule", "needle")), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(admin, "bad.yml")
	if err := os.WriteFile(bad, []byte("rules:\n  - id: broken\n    severity: nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	summary := func(p *Policy, err error) string {
		if err != nil {
			return "error: " + err.Error()
		}
		var b strings.Builder
		for _, r := range p.Rules.Rules {
			b.WriteString(r.ID + " " + string(r.Severity) + " " + r.Level().String() + " " + r.Message + "\n")
		}
		b.WriteString(strings.Join(p.AI.Tools(), ","))
		return b.String()
	}
	for _, srcs := range [][]Source{{Embedded()}, {Embedded(), Path(good)}, {Path(bad)}} {
		want := summary(Load(context.Background(), srcs, Options{CacheDir: "-"}))
		cache := t.TempDir()
		for _, round := range []string{"cold", "warm"} {
			got := summary(Load(context.Background(), srcs, Options{CacheDir: cache}))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s cache: load differs (-without +with):\n%s", round, diff)
			}
		}
		if entries, _ := os.ReadDir(cache); len(entries) == 0 && srcs[0].kind == kindEmbedded {
			t.Error("nothing cached")
		}
	}
}
