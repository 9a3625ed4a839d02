package ruleset

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sameRules compares rules field by field, unexported ones too: regexes by
// their source, and without the state filled on first use (compiled
// globs, lazily compiled regexes).
var sameRules = []cmp.Option{
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmp.Comparer(func(a, b *regexp.Regexp) bool {
		if a == nil || b == nil {
			return a == b
		}
		return a.String() == b.String()
	}),
	// Automata by their tables, fast (cmp walks big tables slowly).
	cmp.Comparer(func(a, b *automaton) bool {
		if a == nil || b == nil {
			return a == b
		}
		return a.class == b.class && a.width == b.width && slices.Equal(a.first, b.first) &&
			slices.Equal(a.sibling, b.sibling) && slices.Equal(a.edgeClass, b.edgeClass) &&
			slices.Equal(a.edgeTo, b.edgeTo) && slices.Equal(a.root, b.root) &&
			slices.Equal(a.fail, b.fail) && slices.Equal(a.mark, b.mark) && slices.Equal(a.outs, b.outs)
	}),
	cmp.Comparer(func(a, b [256]bool) bool { return a == b }),
	cmpopts.IgnoreTypes(sync.Once{}, &compiledGlobs{}),
	cmpopts.IgnoreFields(lazyRegexps{}, "re", "allow", "err"),
}

// extraRules uses the conditions the embedded and example rules do not.
const extraRules = `
allowlist:
  paths: ["vendor/**"]
  regexes: ['^EXAMPLE']
  stopwords: [dummy]
  commits: [abcdef1]
rules:
  - id: commit-cond
    severity: warn
    message: m
    refs: {include: ["refs/heads/**"], exclude: [refs/heads/tmp/*]}
    commit:
      message: '(?i)wip'
      author_email: '@example\.com$'
      trailers_present: [Signed-off-by]
      trailers_absent: [Co-authored-by]
  - id: file-cond
    severity: block
    message: m
    paths: {include: ["**/*.pem"]}
    file: {status: [added, renamed], size_min: 100KiB, binary: false}
  - id: content-cond
    severity: block
    message: m
    tags: [a, b]
    redact: false
    bypassable: false
    suppressible: false
    content:
      regex: 'key=([a-z0-9]{8})'
      secret_group: 1
      keywords: [KEY]
      stopwords: [example]
      allow: ['^00']
      entropy: {min: 2.5, group: 1}
    allowlist: {paths: [test/**], regexes: ['^ab']}
  - id: unicode-cond
    severity: warn
    message: m
    content: {unicode: [bidi, "U+200B"]}
  - id: ai-cond
    severity: warn
    message: m
    ai: {detected: true, tools: [claude-code], declared: false}
    require:
      trailers:
        - key: Reviewed-by
          value: '^[A-Z]'
      signed: true
  - id: deps-cond
    severity: warn
    message: m
    dependencies:
      new: true
      ecosystems: [npm]
      allow: {npm: ["@types/*", left-pad]}
  - id: gone
    disabled: true
`

// compiledCorpus returns the rule files of the round-trip tests: the
// embedded rules, the example policies and a few written for the
// conditions those do not use.
func compiledCorpus(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	files["extra.yml"] = []byte(extraRules)
	for _, dir := range []string{"../../rules", "../../rules/examples"} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".yml") {
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				files[filepath.Base(dir)+"/"+e.Name()] = data
			}
		}
	}
	return files
}

// decodeFile decodes one rule file; its named files are read next to the
// corpus files of the examples.
func decodeFile(t *testing.T, name string, data []byte, opt DecodeOptions) []*Rule {
	t.Helper()
	doc, err := ParseDocument(name, data)
	if err != nil {
		t.Fatal(err)
	}
	read := FSReader(os.DirFS("../../rules/examples"), "x.yml", name)
	rs, err := DecodeDocumentWith(context.Background(), name, doc, read, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestCompiledRoundTrip: every rule file, decoded eagerly or lazily from
// YAML, encoded and decoded back, gives exactly the rules a lazy decode
// of its YAML gives, field by field, unexported fields too.
func TestCompiledRoundTrip(t *testing.T) {
	files := compiledCorpus(t)
	total, conds := 0, map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		data := files[name]
		want := decodeFile(t, name, data, DecodeOptions{Lazy: true})
		for _, mode := range []struct {
			name string
			opt  DecodeOptions
		}{{"eager", DecodeOptions{}}, {"lazy", DecodeOptions{Lazy: true}}} {
			src := decodeFile(t, name, data, mode.opt)
			got, err := DecodeCompiled(string(EncodeCompiled(src)))
			if err != nil {
				t.Fatalf("%s (%s): %v", name, mode.name, err)
			}
			if diff := cmp.Diff(want, got, sameRules...); diff != "" {
				t.Errorf("%s (%s): compiled rules differ from a lazy decode (-yaml +compiled):\n%s", name, mode.name, diff)
			}
		}
		total += len(want)
		for _, r := range want {
			for c, set := range map[string]bool{
				"refs": r.refs != nil, "paths": r.paths != nil, "commit": r.commit != nil, "file": r.file != nil,
				"regex": r.content != nil && r.content.lazy != nil, "unicode": r.content != nil && r.content.unicode != nil,
				"providers": r.content != nil && r.content.providers != nil, "ai": r.ai != nil, "deps": r.deps != nil,
				"deps-file": r.deps != nil && len(r.deps.allow) > 0, "require": r.require != nil, "allowlist": r.allow != nil,
				"global": r.global != nil, "disabled": r.Disabled,
			} {
				if set {
					conds[c]++
				}
			}
		}
	}
	if total < 450 {
		t.Errorf("%d rules round-tripped; want the embedded ones and more", total)
	}
	for _, c := range []string{"refs", "paths", "commit", "file", "regex", "unicode", "providers", "ai", "deps", "deps-file", "require", "allowlist", "global", "disabled"} {
		if conds[c] == 0 {
			t.Errorf("no rule of the corpus has %s: the round trip does not cover it", c)
		}
	}
}

// TestCompiledMatchesLikeYAML: the embedded rules decoded from the
// compiled form find exactly what they find decoded from YAML.
func TestCompiledMatchesLikeYAML(t *testing.T) {
	docs := embeddedDocs(t)
	eager := decodeDocs(t, docs, DecodeOptions{})
	var all []*Rule
	err := fs.WalkDir(os.DirFS("../../rules"), ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, ".yml") || p != filepath.Base(p) {
			return err
		}
		data, err := os.ReadFile(filepath.Join("../../rules", p))
		if err != nil {
			return err
		}
		rs, err := DecodeCompiled(string(EncodeCompiled(decodeFile(t, p, data, DecodeOptions{}))))
		all = append(all, rs...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	compiled := NewSet(all)
	lines := append(codeLines(5000), ruleFileLines(t, eager)...)
	want := allMatches(eager, lines)
	if len(want) < 1000 {
		t.Fatalf("only %d matches: the corpus does not exercise the rules", len(want))
	}
	if diff := cmp.Diff(want, allMatches(compiled, lines)); diff != "" {
		t.Errorf("compiled matches differ from eager (-eager +compiled):\n%s", diff)
	}
}

// TestDecodeCompiledRejectsDamage: every truncation and every flipped byte
// of an encoding either decodes into the same rules (a byte whose change
// means nothing) or is an error: never a panic, never a hang, never other
// rules silently.
func TestDecodeCompiledRejectsDamage(t *testing.T) {
	data := EncodeCompiled(decodeFile(t, "extra.yml", compiledCorpus(t)["extra.yml"], DecodeOptions{}))
	for i := range len(data) {
		if _, err := DecodeCompiled(string(data[:i])); !errors.Is(err, errWire) {
			t.Fatalf("truncated at %d of %d: err = %v, want errWire", i, len(data), err)
		}
	}
	if _, err := DecodeCompiled(string(append(slices.Clone(data), 0))); !errors.Is(err, errWire) {
		t.Errorf("trailing byte: err = %v, want errWire", err)
	}
	for i := range len(data) {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			d := slices.Clone(data)
			d[i] ^= x
			_, _ = DecodeCompiled(string(d)) // must return
		}
	}
}

// TestDecodeCompiledChecksAutomata: an automaton read back whose links
// loop or leave their tables is refused (a scan would hang or index out of
// range).
func TestDecodeCompiledChecksAutomata(t *testing.T) {
	base := newAutomaton([]keyword{{"abc", 0}, {"bc", 1}, {"c", 2}})
	if !base.valid(3) {
		t.Fatal("a built automaton is not valid")
	}
	for _, tc := range []struct {
		name  string
		slots int
		edit  func(a *automaton)
	}{
		{"fail loop", 3, func(a *automaton) { a.fail[1], a.fail[2] = 2, 1 }},
		{"fail to self", 3, func(a *automaton) { a.fail[2] = 2 }},
		{"edge out of range", 3, func(a *automaton) { a.edgeTo[0] = 99 }},
		{"edge back to root", 3, func(a *automaton) { a.edgeTo[len(a.edgeTo)-1] = 0 }},
		{"sibling loop", 3, func(a *automaton) { a.sibling[0] = 0 }},
		{"class out of range", 3, func(a *automaton) { a.class['a'] = a.width }},
		{"mark out of range", 3, func(a *automaton) { a.mark[1] = int32(len(a.outs) + 1) }},
		{"slot out of range", 2, func(*automaton) {}},
		{"unended outputs", 3, func(a *automaton) { a.outs = a.outs[:len(a.outs)-1] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &wireWriter{}
			encodeAutomaton(w, base)
			r := &wireReader{s: string(w.b)}
			a := decodeAutomaton(r, 3)
			if r.err != nil {
				t.Fatal(r.err)
			}
			tc.edit(a)
			if a.valid(tc.slots) {
				t.Error("valid() accepts it")
			}
		})
	}
}

// BenchmarkLoadCompiled decodes the embedded rule files from their
// compiled form and builds their Set, against BenchmarkLoadRules/lazy
// (the same from parsed YAML).
func BenchmarkLoadCompiled(b *testing.B) {
	docs := embeddedDocs(b)
	var encoded []string
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		rs, err := DecodeDocumentWith(context.Background(), name, docs[name], nil, DecodeOptions{Lazy: true})
		if err != nil {
			b.Fatal(err)
		}
		encoded = append(encoded, string(EncodeCompiled(rs)))
	}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range encoded {
				if _, err := DecodeCompiled(e); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("decode+set", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var lists [][]*Rule
			for _, e := range encoded {
				rs, err := DecodeCompiled(e)
				if err != nil {
					b.Fatal(err)
				}
				lists = append(lists, rs)
			}
			NewSet(lists...)
		}
	})
}

// mapCache is an AutomatonCache in memory that counts what it stores.
type mapCache struct {
	m    map[string][]byte
	puts int
}

func (c *mapCache) Get(key string) string { return string(c.m[key]) }

func (c *mapCache) Put(key string, data []byte) {
	c.puts++
	c.m[key] = data
}

// TestNewSetCached: the keyword automaton of a Set comes from the cache
// when it holds it, is the one NewSet builds, and a damaged entry is
// rebuilt rather than used.
func TestNewSetCached(t *testing.T) {
	docs := embeddedDocs(t)
	var all []*Rule
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		rs, err := DecodeDocumentWith(context.Background(), name, docs[name], nil, DecodeOptions{Lazy: true})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rs...)
	}
	want := NewSet(all).lines.ac
	cache := &mapCache{m: map[string][]byte{}}
	for i, tc := range []struct {
		name   string
		damage func()
		hit    bool
	}{
		{"empty cache: built and stored", func() {}, false},
		{"second set: from the cache", func() {}, true},
		{"truncated entry: rebuilt", func() {
			for k, v := range cache.m {
				cache.m[k] = v[:len(v)/2]
			}
		}, false},
		{"after the rebuild: from the cache", func() {}, true},
		{"inconsistent entry: rebuilt", func() {
			for k, v := range cache.m {
				// The class of 'a' set to 0, out of range (class 0 is
				// never used).
				d := slices.Clone(v)
				d[1+int('a')] = 0
				cache.m[k] = d
			}
		}, false},
	} {
		tc.damage()
		puts := cache.puts
		got := NewSetCached(cache, all).lines.ac
		if diff := cmp.Diff(want, got, sameRules...); diff != "" {
			t.Fatalf("%d %s: automaton differs from NewSet's:\n%s", i, tc.name, diff)
		}
		if hit := cache.puts == puts; hit != tc.hit {
			t.Errorf("%d %s: served from the cache = %v, want %v", i, tc.name, hit, tc.hit)
		}
		if len(cache.m) != 1 {
			t.Errorf("%d %s: %d cache entries, want 1", i, tc.name, len(cache.m))
		}
	}
}

// FuzzDecodeCompiled: any bytes given as compiled rules (a damaged or
// forged cache file past its checksum) decode into rules or an error,
// never a panic; and the keyword automata of rules that decode are sound
// enough for a scan to end: every line runs through a matcher of the
// decoded rules (the panic a lazily compiled regex may raise by design
// aside).
func FuzzDecodeCompiled(f *testing.F) {
	for _, doc := range []string{extraRules, "rules:\n  - {id: p, severity: warn, message: m, content: {providers: {credential_words: [key], min_entropy: 3, default_shapes: ['[token]{20,200}'], list: ['Acme | acme | ak_[alnum]{8}']}}}\n"} {
		doc := []byte(doc)
		d, err := ParseDocument("f.yml", doc)
		if err != nil {
			f.Fatal(err)
		}
		rs, err := DecodeDocumentWith(context.Background(), "f.yml", d, nil, DecodeOptions{Lazy: true})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(EncodeCompiled(rs), []byte("acme_key = ak_x7Qp2Lm9 token KEY=abcd1234"))
	}
	f.Fuzz(func(t *testing.T, data, line []byte) {
		rs, err := DecodeCompiled(string(data))
		if err != nil {
			return
		}
		defer func() {
			if p := recover(); p != nil {
				if e, ok := p.(error); !ok || !errors.Is(e, ErrLazyCompile) {
					panic(p)
				}
			}
		}()
		m := NewSet(rs).NewLineMatcher()
		m.MatchLine(line, 1, nil, func(LineMatch) {})
	})
}
