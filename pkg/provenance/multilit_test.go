package provenance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// containsEach is what multiLit.find must return: bit i set when s
// contains lits[i].
func containsEach(lits []string, s string) uint64 {
	var want uint64
	for i, l := range lits {
		if strings.Contains(s, l) {
			want |= 1 << i
		}
	}
	return want
}

// TestMultiLit: overlapping literals, literals inside others, repeated
// prefixes (failure links), bytes in no literal, non-ASCII bytes, and the
// limits (none, an empty literal, more than 64, too large a table).
func TestMultiLit(t *testing.T) {
	tests := []struct {
		lits  []string
		texts []string
	}{
		{[]string{"he", "she", "his", "hers"}, []string{"", "ushers", "his", "hhhers", "sh", "she", "h e r s"}},
		{[]string{"aaa", "aab", "ab", "b"}, []string{"aaaab", "aabaa", "aaab", "ba", "aaa", "xaax"}},
		{[]string{".claude", "CLAUDE.md", "CLAUDE.local.md", "AGENT.md", "AGENTS.md"}, []string{".claude/settings.json", "docs/CLAUDE.local.md", "AGENTS.md", "AGENT.mdx", "claude.md", "CLAUDE.m"}},
		{[]string{"ü", "\xff", "é.md"}, []string{"Über/é.md", "\xff\xfe", "e.md", "ü"}},
		{[]string{"x"}, []string{"", "x", "xx", "yxy", "y"}},
		{[]string{"abcabd", "bcab", "cabd", "abd"}, []string{"abcabcabd", "abcab", "bcabd", "xabdx"}},
	}
	for _, tt := range tests {
		m := newMultiLit(tt.lits)
		if m == nil {
			t.Fatalf("%q: no automaton", tt.lits)
		}
		for _, s := range tt.texts {
			if got, want := m.find(s), containsEach(tt.lits, s); got != want {
				t.Errorf("%q in %q: found %b, want %b", tt.lits, s, got, want)
			}
		}
	}
	many := make([]string, maxMultiLits+1)
	for i := range many {
		many[i] = fmt.Sprint("lit", i)
	}
	for _, lits := range [][]string{nil, {"a", ""}, many, {strings.Repeat("ab", 1<<15)}} {
		if newMultiLit(lits) != nil {
			t.Errorf("%.40q: an automaton, want none", lits)
		}
	}
	if newMultiLit(many[:maxMultiLits]) == nil {
		t.Errorf("%d literals: no automaton", maxMultiLits)
	}
}

// TestMultiLitShippedFiles: the automaton of the shipped file globs'
// literals finds exactly the literals strings.Contains finds, in every
// path of gin's history and of the corpus, and in variants of each
// literal (cut, doubled, in upper case, under a directory).
func TestMultiLitShippedFiles(t *testing.T) {
	d := mustDefault(t)
	if d.fileAutomaton(1) != nil {
		t.Fatal("an automaton before any path")
	}
	auto := d.fileAutomaton(automatonAfter)
	if auto == nil {
		t.Fatal("the shipped file globs have no automaton")
	}
	lits := d.fileLitList
	var paths []string
	for _, in := range ginCommits(t) {
		paths = append(paths, in.Paths...)
	}
	for _, c := range loadCorpus(t) {
		paths = append(paths, c.Paths...)
	}
	for _, l := range lits {
		paths = append(paths, l, l[1:], l[:len(l)-1], l+l, strings.ToUpper(l), "a/"+l+"/b", l[:len(l)/2]+"/"+l[len(l)/2:])
	}
	hits := 0
	for _, p := range paths {
		got, want := auto.find(p), containsEach(lits, p)
		if got != want {
			t.Fatalf("%q: found %b, want %b", p, got, want)
		}
		if want != 0 {
			hits++
		}
	}
	if hits < len(lits) {
		t.Errorf("only %d paths hold a literal: the test checks little", hits)
	}
}

// FuzzMultiLit: find agrees with strings.Contains for any literals (split
// from the first argument at '|') and text.
func FuzzMultiLit(f *testing.F) {
	f.Add("he|she|his|hers", "ushers")
	f.Add(".claude|CLAUDE.md|AGENTS.md", "x/.claude/CLAUDE.md")
	f.Add("aa|a|aaa", "aaaa")
	f.Fuzz(func(t *testing.T, spec, text string) {
		lits := strings.Split(spec, "|")
		m := newMultiLit(lits)
		if m == nil {
			return
		}
		if got, want := m.find(text), containsEach(lits, text); got != want {
			t.Fatalf("%q in %q: found %b, want %b", lits, text, got, want)
		}
	})
}

// TestDetectFilesLayouts: file signals give the reference result signal
// by signal (before the automaton, or with too many literals for one) and
// with the automaton of their literals; a glob without a literal is
// tried on every path either way.
func TestDetectFilesLayouts(t *testing.T) {
	for _, n := range []int{3, maxMultiLits + 6} {
		t.Run(fmt.Sprint(n, " globs"), func(t *testing.T) {
			var files []Pattern
			for i := range n {
				files = append(files, Pattern{Pattern: fmt.Sprintf("**/agent%d.md", i)})
			}
			files = append(files, Pattern{Pattern: "**/x[ab].md"}, Pattern{Pattern: "docs/*/agent0.md"})
			d, err := Compile([]ToolSpec{
				{ID: "one", Files: files},
				{ID: "two", Files: []Pattern{{Pattern: ".two/**"}, {Pattern: "**/agent1.md"}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			inputs := [][]string{
				{"agent1.md", "docs/a/agent0.md", "xa.md", "src/xb.md", ".two/x"},
				{"README.md", "agent11.md", fmt.Sprintf("a/agent%d.md", n-1)},
				{"docs/agent0.md", "agent0.md.bak", "xc.md", ".two"},
			}
			for _, automaton := range []bool{false, true} {
				if automaton {
					if got := d.fileAutomaton(automatonAfter); (got == nil) != (n > maxMultiLits) {
						t.Fatalf("automaton %v for %d literals", got != nil, n+2)
					}
				} else if d.fileLits != nil {
					t.Fatal("an automaton before any path")
				}
				for _, paths := range inputs {
					in := Input{Message: "x\n", Paths: paths}
					want := d.referenceDetect(in)
					if diff := cmp.Diff(want, d.Detect(in)); diff != "" {
						t.Errorf("automaton %v, %q (-reference +Detect):\n%s", automaton, paths, diff)
					}
					if len(want.Evidence) == 0 && paths[0] != "README.md" {
						t.Errorf("%q: no evidence: the case tests little", paths)
					}
				}
			}
		})
	}
}
