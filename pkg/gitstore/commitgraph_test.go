package gitstore

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// graphHistory builds a history with merges and an octopus merge (whose
// extra parents live in the EDGE chunk), and a clock skew.
func graphHistory(r *testRepo, n int) map[string]plumbing.Hash {
	h := newHistory()
	h.commit("c0", 0, nil, put("f", "0"))
	for i := 1; i < n; i++ {
		parents := []string{fmt.Sprintf("c%d", i-1)}
		when := int64(i * 60)
		switch {
		case i%10 == 0 && i >= 3:
			parents = append(parents, fmt.Sprintf("s%d", i-3), fmt.Sprintf("s%d", i-2), fmt.Sprintf("s%d", i-1))
		case i == n/2:
			when = 5 // skewed
		}
		h.commit(fmt.Sprintf("s%d", i), when, []string{fmt.Sprintf("c%d", i-1)}, put(fmt.Sprintf("side%d", i), "x"))
		h.commit(fmt.Sprintf("c%d", i), when, parents, put("f", fmt.Sprint(i)))
		h.ref(fmt.Sprintf("refs/heads/b%d", i), fmt.Sprintf("s%d", i))
	}
	h.ref("refs/heads/main", fmt.Sprintf("c%d", n-1))
	return h.loadPacked(r)
}

func TestCommitGraphHeaders(t *testing.T) {
	for _, split := range []bool{false, true} {
		t.Run(fmt.Sprintf("split=%v", split), func(t *testing.T) {
			r := newRepo(t, true)
			ids := graphHistory(r, 40)
			if split {
				// Two layers: the graph of part of the history, then the rest.
				r.gitIn(ids["c20"].String()+"\n", "commit-graph", "write", "--split", "--stdin-commits", "--no-progress")
				r.git("commit-graph", "write", "--split=no-merge", "--reachable", "--no-progress")
				if _, err := os.Stat(filepath.Join(r.dir, "objects", "info", "commit-graphs", "commit-graph-chain")); err != nil {
					t.Fatal("no split commit-graph written")
				}
				if chain, _ := os.ReadFile(filepath.Join(r.dir, "objects", "info", "commit-graphs", "commit-graph-chain")); strings.Count(string(chain), "\n") < 2 {
					t.Fatalf("commit-graph chain has one layer:\n%s", chain)
				}
			} else {
				r.git("commit-graph", "write", "--reachable", "--no-progress")
			}
			s := r.open()
			defer s.Close()
			if !s.useGraph {
				t.Fatal("graph not used")
			}
			octopus := 0
			for name, h := range ids {
				got, ok := s.graphHeader(h)
				if !ok {
					t.Fatalf("%s (%s) not found in the commit-graph", name, h)
				}
				data, err := s.typed(h, plumbing.CommitObject)
				if err != nil {
					t.Fatal(err)
				}
				want, err := parseCommitHeader(h, data)
				if err != nil {
					t.Fatal(err)
				}
				if got.tree != want.tree || got.time != want.time || !slices.Equal(got.parents, want.parents) {
					t.Fatalf("%s: graph says %+v, object says %+v", name, got, want)
				}
				if len(want.parents) > 2 {
					octopus++
				}
			}
			if octopus == 0 {
				t.Fatal("history has no octopus merge")
			}
			if _, ok := s.graphHeader(plumbing.NewHash(strings.Repeat("ab", 20))); ok {
				t.Error("unknown commit found in the graph")
			}
		})
	}
}

// TestCommitGraphWalk checks that NewCommits gives the same answer with
// and without a commit-graph, and with a corrupt one (ignored).
func TestCommitGraphWalk(t *testing.T) {
	r := newRepo(t, true)
	ids := graphHistory(r, 60)
	cases := []struct {
		tips, exclude []string
	}{
		{[]string{"c59"}, []string{"c58"}},
		{[]string{"c59"}, []string{"c10", "s40"}},
		{[]string{"s30"}, []string{"c59"}},
		{[]string{"c59", "s55"}, nil},
		{[]string{"c40"}, []string{"c25", "s27", "s50"}},
	}
	hashes := func(names []string) []plumbing.Hash {
		var out []plumbing.Hash
		for _, n := range names {
			out = append(out, ids[n])
		}
		return out
	}
	walk := func() [][]plumbing.Hash {
		s := r.open()
		defer s.Close()
		var out [][]plumbing.Hash
		for _, c := range cases {
			got, err := s.NewCommits(hashes(c.tips), hashes(c.exclude))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, got)
		}
		return out
	}
	want := walk()
	r.git("commit-graph", "write", "--reachable", "--no-progress")
	graph := filepath.Join(r.dir, "objects", "info", "commit-graph")
	if got := walk(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("with a commit-graph: %v, without: %v", got, want)
	}
	for _, corrupt := range []func([]byte) []byte{
		func(b []byte) []byte { return b[:len(b)/2] },                          // truncated
		func(b []byte) []byte { b[4] = 9; return b },                           // unknown version
		func(b []byte) []byte { b[6] = 200; return b },                         // chunk table past the end
		func(b []byte) []byte { return append([]byte("XXXX"), b[4:]...) },      // bad signature
		func(b []byte) []byte { copy(b[8+4:8+12], make([]byte, 8)); return b }, // chunk offset 0
	} {
		r.git("commit-graph", "write", "--reachable", "--no-progress")
		good, _ := os.ReadFile(graph)
		if err := os.WriteFile(graph, corrupt(append([]byte(nil), good...)), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := walk(); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("with a corrupt commit-graph: %v, want %v", got, want)
		}
	}
	// A shallow repository does not use the graph.
	r.git("commit-graph", "write", "--reachable", "--no-progress")
	if err := os.WriteFile(filepath.Join(r.dir, "shallow"), []byte(ids["c30"].String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s := r.open(); s.useGraph {
		t.Error("commit-graph used in a shallow repository")
	}
}
