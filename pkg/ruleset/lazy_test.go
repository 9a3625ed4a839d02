package ruleset

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/rules"
)

// allMatches runs every line through a fresh LineMatcher of s, all rules
// active, and renders each match as "line#: rule start-end detail".
func allMatches(s *Set, lines [][]byte) []string {
	m := s.NewLineMatcher()
	var out []string
	for i, l := range lines {
		m.MatchLine(l, 1, nil, func(lm LineMatch) {
			out = append(out, fmt.Sprintf("%d: %s %d-%d %s", i, lm.Rule.ID, lm.Start, lm.End, lm.Detail))
		})
	}
	return out
}

// ruleFileLines returns every line of the embedded rule files (their
// examples are secrets and near misses of every rule) and every example
// line of the rules' tests.
func ruleFileLines(t *testing.T, eager *Set) [][]byte {
	t.Helper()
	var lines [][]byte
	err := fs.WalkDir(rules.FS, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := fs.ReadFile(rules.FS, p)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eager.Rules {
		for _, ex := range r.tests {
			if ex.line != "" {
				lines = append(lines, []byte(ex.line))
			}
		}
	}
	return lines
}

// TestLazyDecodeMatchesEager: the embedded rules decoded lazily find
// exactly what they find decoded eagerly, in the same order, on realistic
// code and on every line of the rule files and their examples.
func TestLazyDecodeMatchesEager(t *testing.T) {
	docs := embeddedDocs(t)
	eager := decodeDocs(t, docs, DecodeOptions{})
	lazy := decodeDocs(t, docs, DecodeOptions{Lazy: true})
	if len(eager.Rules) != len(lazy.Rules) {
		t.Fatalf("%d rules eager, %d lazy", len(eager.Rules), len(lazy.Rules))
	}
	lazyRules := 0
	for i, r := range lazy.Rules {
		e := eager.Rules[i]
		if r.ID != e.ID || r.Severity != e.Severity || r.Source != e.Source || r.Redact != e.Redact {
			t.Errorf("rule %d: lazy %v %s, eager %v %s", i, r, r.Severity, e, e.Severity)
		}
		if m, n := r.TestCounts(); m+n != 0 {
			t.Errorf("rule %s decoded lazily has %d tests; want none (not decoded)", r.ID, m+n)
		}
		if r.content != nil && r.content.lazy != nil {
			lazyRules++
			if r.content.re != nil || r.content.allow != nil {
				t.Errorf("rule %s decoded lazily has compiled regexes", r.ID)
			}
		}
	}
	if lazyRules < 300 {
		t.Errorf("only %d rules decoded lazily; want the regex rules (300+)", lazyRules)
	}
	lines := append(codeLines(5000), ruleFileLines(t, eager)...)
	want := allMatches(eager, lines)
	got := allMatches(lazy, lines)
	if len(want) < 1000 {
		t.Fatalf("only %d matches: the corpus does not exercise the rules", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lazy matches differ from eager (-eager +lazy):\n%s", diff)
	}
	// Explanations of rule tests read the regexes too.
	for _, r := range lazy.Rules {
		if r.content != nil && r.content.lazy != nil {
			e := eager.Lookup(r.ID)
			if got, want := r.content.explainNoMatch([]byte("nothing here")), e.content.explainNoMatch([]byte("nothing here")); got != want {
				t.Errorf("rule %s: lazy explanation %q, eager %q", r.ID, got, want)
			}
		}
	}
}

// TestLazyCompileFailsClosed: what an eager load reports about a regex, a
// lazy decode leaves to the first use, which then panics with an error
// wrapping ErrLazyCompile and the same message: matching never goes on as
// if the rule had found nothing.
func TestLazyCompileFailsClosed(t *testing.T) {
	for _, tt := range []struct {
		name, content, want string
	}{
		{"invalid regex", `{regex: 'tok(en', keywords: [tok]}`, `content.regex: invalid regex (Go RE2 syntax): missing closing ): "tok(en"`},
		{"lookahead", `{regex: 'tok(?=en)', keywords: [tok]}`, `content.regex: invalid regex (Go RE2 syntax): invalid or unsupported Perl syntax: "(?="`},
		{"matches empty", `{regex: '(tok)?', keywords: [tok]}`, "content.regex: matches the empty string"},
		{"secret group", `{regex: 'tok(en)', keywords: [tok], secret_group: 2}`, "content.secret_group: group 2 does not exist: the regex has 1 capture group(s)"},
		{"entropy group", `{regex: 'tok(en)', keywords: [tok], entropy: {min: 1, group: 3}}`, "content.entropy.group: group 3 does not exist: the regex has 1 capture group(s)"},
		{"allow", `{regex: 'token', keywords: [tok], allow: ['ok', '[z']}`, `content.allow[1]: invalid regex (Go RE2 syntax): missing closing ]: "[z"`},
		{"allow of providers", `{providers: {credential_words: [key], min_entropy: 3, default_shapes: ['[alnum]{20}'], list: ['Tok | tok']}, allow: ['(']}`, `content.allow[0]: invalid regex`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := "rules:\n  - {id: r, severity: warn, message: m, content: " + tt.content + "}\n"
			_, err := Parse("t.yml", []byte(body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("eager Parse: error %v; want one containing %q", err, tt.want)
			}
			doc, err := ParseDocument("t.yml", []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			rs, err := DecodeDocumentWith(context.Background(), "t.yml", doc, nil, DecodeOptions{Lazy: true})
			if err != nil {
				t.Fatalf("lazy decode: %v (the regex checks are left to first use)", err)
			}
			m := NewSet(rs).NewLineMatcher()
			// A line without the keyword does not run the rule.
			m.Match([]byte("nothing"), nil, func(*Rule, int, int) { t.Error("a match without the keyword") })
			for range 2 { // and the second use fails the same way
				func() {
					defer func() {
						p := recover()
						err, ok := p.(error)
						if !ok || !errors.Is(err, ErrLazyCompile) {
							t.Fatalf("recovered %v; want an error wrapping ErrLazyCompile", p)
						}
						if msg := err.Error(); !strings.Contains(msg, `t.yml:2: rule "r": `+tt.want) {
							t.Errorf("error %q; want it to name the rule and contain %q", msg, tt.want)
						}
					}()
					m.Match([]byte(`tok = "token 0123456789abcdefghij"`), nil, func(*Rule, int, int) {
						t.Error("a match of a rule that does not compile")
					})
				}()
			}
		})
	}
}

// TestLazyCompileConcurrent: the rules of one Set compile on first use
// from many matchers at once (go test -race), each rule once.
func TestLazyCompileConcurrent(t *testing.T) {
	lazy := decodeDocs(t, embeddedDocs(t), DecodeOptions{Lazy: true})
	eager := embeddedSet(t)
	lines := codeLines(2000)
	want := allMatches(eager, lines)
	var wg sync.WaitGroup
	results := make([][]string, 4)
	for i := range results {
		wg.Go(func() { results[i] = allMatches(lazy, lines) })
	}
	wg.Wait()
	for i, got := range results {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("matcher %d (-eager +lazy):\n%s", i, diff)
		}
	}
}

// TestLazySkipsTests: a lazy decode does not decode the rules' tests, so it
// neither has them nor reports problems inside them (pkg/policy decodes
// lazily only files validated in full before); every other check stays.
func TestLazySkipsTests(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		eagerErr   string
		lazyErr    string
	}{
		{"valid tests", "  - {id: r, severity: warn, message: m, content: {regex: x+, keywords: [x]}, tests: {match: [xx], nomatch: [y]}}\n", "", ""},
		{"broken tests", "  - {id: r, severity: warn, message: m, content: {regex: x+, keywords: [x]}, tests: {match: [{path: a}]}}\n", `tests.match[0]: missing required key "line"`, ""},
		{"other problems stay", "  - {id: r, severity: wrong, message: m, content: {regex: x+, keywords: []}, tests: {match: [xx]}}\n", "invalid severity", "invalid severity"},
		{"unknown key stays", "  - {id: r, severity: warn, message: m, content: {regex: x+}, testz: {match: [xx]}}\n", `unknown key "testz"`, `unknown key "testz"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte("rules:\n" + tt.body)
			check := func(mode string, rs []*Rule, err error, want string) {
				t.Helper()
				switch {
				case want == "" && err != nil:
					t.Errorf("%s: %v", mode, err)
				case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
					t.Errorf("%s: error %v; want one containing %q", mode, err, want)
				}
				if mode == "lazy" {
					for _, r := range rs {
						if m, n := r.TestCounts(); m+n > 0 {
							t.Errorf("lazy: rule %s has %d tests", r.ID, m+n)
						}
					}
				}
			}
			rs, err := Parse("t.yml", body)
			check("eager", rs, err, tt.eagerErr)
			if err == nil && len(rs) == 1 {
				if m, n := rs[0].TestCounts(); m+n == 0 {
					t.Error("eager: the rule has no tests")
				}
			}
			doc, err := ParseDocument("t.yml", body)
			if err != nil {
				t.Fatal(err)
			}
			rs, err = DecodeDocumentWith(context.Background(), "t.yml", doc, nil, DecodeOptions{Lazy: true})
			check("lazy", rs, err, tt.lazyErr)
		})
	}
}

// TestDuplicateKeysInLargeMappings: duplicate keys are found before and
// after a mapping outgrows the small key set (keySet), at their lines.
func TestDuplicateKeysInLargeMappings(t *testing.T) {
	var b strings.Builder
	b.WriteString("rules:\n  - id: r\n")
	for i := range 20 {
		fmt.Fprintf(&b, "    k%d: x\n", i) // lines 3..22
	}
	b.WriteString("    k2: x\n")  // line 23
	b.WriteString("    k18: x\n") // line 24
	_, err := Parse("t.yml", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`t.yml:23: rule "r": k2: duplicate key (first given at line 5)`,
		`t.yml:24: rule "r": k18: duplicate key (first given at line 21)`,
		`t.yml:3: rule "r": unknown key "k0"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestEmptyMatchWithGroups: a regex that matches the empty string is one
// problem, not also one for its secret group (which it has).
func TestEmptyMatchWithGroups(t *testing.T) {
	_, err := Parse("t.yml", []byte("rules:\n  - {id: r, severity: warn, message: m, content: {regex: '(a*)', keywords: [a], secret_group: 1}}\n"))
	if err == nil || !strings.Contains(err.Error(), "matches the empty string") || strings.Contains(err.Error(), "secret_group") {
		t.Errorf("error %v; want only the empty match", err)
	}
}
