package policy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// stampCount counts the validation stamps in dir.
func stampCount(t *testing.T, dir string) int {
	t.Helper()
	return cacheFiles(t, dir, ".ok")
}

// testCount is the number of rule tests a policy has: none when its files
// were decoded lazily.
func testCount(p *Policy) int {
	n := 0
	for _, r := range p.Rules.Rules {
		m, nm := r.TestCounts()
		n += m + nm
	}
	return n
}

// corpus is every line of the embedded rule files (their examples are
// secrets and near misses of every rule) and a few lines of an admin's.
func corpus(t *testing.T) [][]byte {
	t.Helper()
	lines := [][]byte{[]byte("x := needle_admin_0123456789"), []byte("nothing to see")}
	err := fs.WalkDir(rules.FS, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := fs.ReadFile(rules.FS, p)
		lines = append(lines, bytes.Split(data, []byte("\n"))...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// findings renders what p's line rules find in lines.
func findings(p *Policy, lines [][]byte) []string {
	m := p.Rules.NewLineMatcher()
	var out []string
	for i, l := range lines {
		m.MatchLine(l, 1, nil, func(lm ruleset.LineMatch) {
			out = append(out, fmt.Sprintf("%d: %s %d-%d %s", i, lm.Rule.ID, lm.Start, lm.End, lm.Detail))
		})
	}
	return out
}

// TestStampsMakeLoadsLazy: the first load of a file validates it in full
// and stamps it; later loads of the same bytes are lazy (no tests decoded)
// and find exactly the same; Eager loads stay eager; a changed file is
// validated again.
func TestStampsMakeLoadsLazy(t *testing.T) {
	admin := writeFiles(t, map[string]string{"admin.yml": "rules:\n  - id: admin-needle\n    severity: block\n    message: m\n    content: {regex: 'needle_admin_[0-9]+', keywords: [needle_admin]}\n    tests: {match: ['needle_admin_1'], nomatch: ['needle']}\n"})
	srcs := []Source{Embedded(), Path(admin)}
	cache := t.TempDir()
	lines := corpus(t)

	ref, err := Load(context.Background(), srcs, Options{CacheDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	want := findings(ref, lines)
	if len(want) < 500 {
		t.Fatalf("only %d findings: the corpus does not exercise the rules", len(want))
	}
	wantTests := testCount(ref)
	if wantTests < 500 {
		t.Fatalf("only %d rule tests", wantTests)
	}
	files := 0
	_ = fs.WalkDir(rules.FS, ".", func(p string, de fs.DirEntry, err error) error {
		if err == nil && !de.IsDir() && strings.HasSuffix(p, ".yml") {
			files++
		}
		return nil
	})
	files++ // admin.yml

	for _, round := range []struct {
		name   string
		opt    Options
		tests  int
		stamps int
	}{
		{"cold: validated in full, stamped", Options{CacheDir: cache}, wantTests, files},
		{"warm: lazy", Options{CacheDir: cache}, 0, files},
		{"warm, eager", Options{CacheDir: cache, Eager: true}, wantTests, files},
		{"warm again: lazy", Options{CacheDir: cache}, 0, files},
	} {
		p, err := Load(context.Background(), srcs, round.opt)
		if err != nil {
			t.Fatalf("%s: %v", round.name, err)
		}
		if got := testCount(p); got != round.tests {
			t.Errorf("%s: %d rule tests; want %d", round.name, got, round.tests)
		}
		if got := stampCount(t, cache); got != round.stamps {
			t.Errorf("%s: %d stamps; want %d", round.name, got, round.stamps)
		}
		if diff := cmp.Diff(want, findings(p, lines)); diff != "" {
			t.Errorf("%s: findings differ (-no cache +cache):\n%s", round.name, diff)
		}
		if diff := cmp.Diff(ids(ref), ids(p)); diff != "" {
			t.Errorf("%s: rules differ:\n%s", round.name, diff)
		}
	}

	// An edited file is another content: validated again, stamped again.
	if err := os.WriteFile(filepath.Join(admin, "admin.yml"), []byte(rule("admin-edited")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), srcs, Options{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	if got := stampCount(t, cache); got != files+1 {
		t.Errorf("after an edit: %d stamps; want %d", got, files+1)
	}
}

// TestStampNeverForInvalid: a file that does not load is never stamped,
// and every load reports the same errors as a load without cache.
func TestStampNeverForInvalid(t *testing.T) {
	for name, body := range map[string]string{
		"regex":      "rules:\n  - {id: r, severity: warn, message: m, content: {regex: 'a(b', keywords: [a]}}\n",
		"empty":      "rules:\n  - {id: r, severity: warn, message: m, content: {regex: 'a*', keywords: [a]}}\n",
		"group":      "rules:\n  - {id: r, severity: warn, message: m, content: {regex: 'a(b)', keywords: [a], secret_group: 2}}\n",
		"tests":      "rules:\n  - {id: r, severity: warn, message: m, content: {regex: 'ab', keywords: [a]}, tests: {match: [{path: x}]}}\n",
		"allow":      "rules:\n  - {id: r, severity: warn, message: m, content: {regex: 'ab', keywords: [a], allow: ['[']}}\n",
		"ai markers": "rules:\n  - {id: r, severity: warn, message: m, content: {regex: 'ab'}}\nai_tools: [{id: 'Bad Id'}]\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"r.yml": body})
			_, want := Load(context.Background(), []Source{Path(dir)}, Options{CacheDir: "-"})
			if want == nil {
				t.Fatal("the file loads")
			}
			cache := t.TempDir()
			for round := range 3 {
				_, err := Load(context.Background(), []Source{Path(dir)}, Options{CacheDir: cache})
				if err == nil || err.Error() != want.Error() {
					t.Errorf("round %d: %v; want %v", round, err, want)
				}
			}
			if n := stampCount(t, cache); n != 0 {
				t.Errorf("%d stamps for a file that does not load", n)
			}
		})
	}
}

// TestStampIsPerContentAndBuild: a stamp vouches for one content and one
// build only.
func TestStampIsPerContentAndBuild(t *testing.T) {
	dir := t.TempDir()
	a := stamps{dir: dir, build: "build-a"}
	data := []byte(rule("x"))
	if a.valid(data) {
		t.Fatal("valid before any store")
	}
	a.store(data)
	if !a.valid(data) {
		t.Fatal("not valid after store")
	}
	if a.valid(append(bytes.Clone(data), ' ')) {
		t.Error("valid for other content")
	}
	if (stamps{dir: dir, build: "build-b"}).valid(data) {
		t.Error("valid for another build")
	}
	if (stamps{}).valid(data) {
		t.Error("valid without a cache")
	}
	// A directory where the stamp would be is no stamp.
	other := []byte(rule("y"))
	if err := os.Mkdir(a.path(other), 0o700); err != nil {
		t.Fatal(err)
	}
	if a.valid(other) {
		t.Error("a directory taken for a stamp")
	}
	// The running test binary has an identity, and two reads agree.
	if b := buildIdentity(); b == "" || b != buildIdentity() {
		t.Errorf("build identity %q", b)
	}
}

// TestForgedStampFailsClosed: should a file that does not compile still be
// decoded lazily (a stamp forged in the cache), the load succeeds but the
// first use of the rule panics with ruleset.ErrLazyCompile: matching never
// goes on as if the rule had found nothing. An eager load reports it.
func TestForgedStampFailsClosed(t *testing.T) {
	body := "rules:\n  - {id: broken, severity: warn, message: m, content: {regex: 'tok(en', keywords: [token]}}\n"
	dir := writeFiles(t, map[string]string{"r.yml": body})
	cache := t.TempDir()
	newStamps(cache).store([]byte(body))

	if _, err := Load(context.Background(), []Source{Path(dir)}, Options{CacheDir: cache, Eager: true}); err == nil || !strings.Contains(err.Error(), "invalid regex") {
		t.Fatalf("eager load: %v; want the invalid regex", err)
	}
	p, err := Load(context.Background(), []Source{Path(dir)}, Options{CacheDir: cache})
	if err != nil {
		t.Fatalf("lazy load: %v", err)
	}
	m := p.Rules.NewLineMatcher()
	m.Match([]byte("no keyword"), nil, func(*ruleset.Rule, int, int) {})
	defer func() {
		p := recover()
		err, ok := p.(error)
		if !ok || !errors.Is(err, ruleset.ErrLazyCompile) || !strings.Contains(err.Error(), `r.yml:2: rule "broken": content.regex: invalid regex`) {
			t.Fatalf("recovered %v; want an ErrLazyCompile naming the rule", p)
		}
	}()
	m.Match([]byte("token = x"), nil, func(*ruleset.Rule, int, int) { t.Error("a match") })
	t.Fatal("no panic")
}

// TestCheckStaysEager: `rules test` decodes and runs every test even when
// the files are stamped.
func TestCheckStaysEager(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	var outs []string
	for range 2 {
		var out, errOut bytes.Buffer
		if code := Check(context.Background(), true, nil, false, &out, &errOut); code != 0 {
			t.Fatalf("rules test: exit %d\n%s%s", code, out.String(), errOut.String())
		}
		outs = append(outs, out.String())
	}
	if outs[0] != outs[1] || !strings.Contains(outs[1], "tests pass") || strings.Contains(outs[1], "all 0 tests") {
		t.Errorf("rules test with a cold and a warm cache:\n%s\n%s", outs[0], outs[1])
	}
	// The load above stamped the embedded files, so that a default load
	// is now lazy.
	p, err := Load(context.Background(), []Source{Embedded()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := testCount(p); n != 0 {
		t.Errorf("a load after rules test has %d tests: not lazy", n)
	}
}
