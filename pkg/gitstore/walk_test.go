package gitstore

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

const day = 24 * 60 * 60

func TestNewCommits(t *testing.T) {
	// main:    A - B - C
	// topic:    \- T1          (existing, off A)
	// pushed:  C - D - E       (new on main)
	//          B - F           (new, force-push of main to B-F)
	//          M = merge(C, T1) (new merge of existing work)
	//          N on C, tagged by annotated tag X (new)
	h := newHistory()
	h.commit("A", 0, nil, put("a", "1"))
	h.commit("B", 10, []string{"A"}, put("a", "2"))
	h.commit("C", 20, []string{"B"}, put("a", "3"))
	h.commit("T1", 15, []string{"A"}, put("t", "1"))
	h.commit("D", 30, []string{"C"}, put("d", "1"))
	h.commit("E", 40, []string{"D"}, put("e", "1"))
	h.commit("F", 35, []string{"B"}, put("f", "1"))
	h.commit("M", 50, []string{"C", "T1"}, put("m", "1"))
	h.commit("N", 60, []string{"C"}, put("n", "1"))
	h.commit("G", 70, []string{"E", "F"}, put("g", "1"))
	h.ref("refs/heads/main", "C")
	h.ref("refs/heads/topic", "T1")
	h.ref("refs/heads/n", "N")
	h.tag("v1", "B", "old release", 12)
	h.tag("x", "N", "new release", 61)
	r := newRepo(t, true)
	ids := h.load(r)
	tagV1 := r.hash("refs/tags/v1")
	tagX := r.hash("refs/tags/x")
	treeC := r.hash(ids["C"].String() + "^{tree}")
	blobA := r.hash(ids["C"].String() + ":a")
	outer := plumbing.NewHash(strings.TrimSpace(r.gitIn(
		"object "+tagX.String()+"\ntype tag\ntag outer\ntagger T <t@x> 1700000100 +0000\n\nouter\n",
		"hash-object", "-t", "tag", "-w", "--stdin")))
	r.git("update-ref", "-d", "refs/heads/n") // N is only reachable from the tags

	s := r.open()
	names := func(hs []plumbing.Hash) []string {
		byHash := make(map[plumbing.Hash]string)
		for n, h := range ids {
			byHash[h] = n
		}
		out := []string{}
		for _, h := range hs {
			if n, ok := byHash[h]; ok {
				out = append(out, n)
			} else {
				out = append(out, h.String())
			}
		}
		return out
	}
	hs := func(ns ...string) []plumbing.Hash {
		var out []plumbing.Hash
		for _, n := range ns {
			out = append(out, ids[n])
		}
		return out
	}

	tests := []struct {
		name    string
		tips    []plumbing.Hash
		exclude []plumbing.Hash
		want    []string
	}{
		{"linear new commits on an existing branch", hs("E"), hs("C", "T1"), []string{"D", "E"}},
		{"new branch on an existing commit", hs("B"), hs("C", "T1"), []string{}},
		{"new branch on the tip", hs("C"), hs("C"), []string{}},
		{"force push: only the new commits", hs("F"), hs("C", "T1"), []string{"F"}},
		{"merge of existing work: only the merge", hs("M"), hs("C", "T1"), []string{"M"}},
		{"merge pulling in a new side branch", hs("G"), hs("C"), []string{"D", "F", "E", "G"}},
		{"annotated tag pointing at a new commit", []plumbing.Hash{tagX}, hs("C"), []string{"N"}},
		{"nested tags as tip", []plumbing.Hash{outer}, hs("C"), []string{"N"}},
		{"exclude through a tag object only", hs("F"), []plumbing.Hash{tagV1}, []string{"F"}},
		{"exclude with non-commit targets ignored", hs("D"), []plumbing.Hash{tagV1, treeC, blobA, ids["C"]}, []string{"D"}},
		{"non-commit tips ignored", []plumbing.Hash{treeC, blobA}, nil, []string{}},
		{"zero hash tip (deleted ref) ignored", []plumbing.Hash{plumbing.ZeroHash}, hs("C"), []string{}},
		{"several tips sharing history, no duplicates", hs("E", "D", "M"), hs("C", "T1"), []string{"D", "E", "M"}},
		{"no exclude: whole history", hs("C"), nil, []string{"A", "B", "C"}},
		{"tip also excluded", hs("E"), hs("E"), []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.NewCommits(tc.tips, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, names(got)); diff != "" {
				t.Errorf("NewCommits mismatch (-want +got):\n%s", diff)
			}
			read, decoded, err := s.NewCommitsRead(tc.tips, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, read); diff != "" {
				t.Errorf("NewCommitsRead lists other commits than NewCommits (-NewCommits +NewCommitsRead):\n%s", diff)
			}
			if decoded != nil {
				t.Errorf("a walk of a few commits decoded %d of them on other goroutines", len(decoded))
			}
			// Cross-check with git rev-list.
			var args []string
			for _, h := range tc.tips {
				if !h.IsZero() { // git rev-list rejects the zero hash
					args = append(args, h.String())
				}
			}
			args = append(args, "--not")
			for _, h := range tc.exclude {
				args = append(args, h.String())
			}
			if oracle := revList(t, r, args...); !sameSet(oracle, got) {
				t.Errorf("git rev-list says %v, NewCommits %v", names(oracle), names(got))
			}
			checkTopo(t, s, got)
		})
	}
}

// TestNewCommitsClockSkew covers histories whose committer dates go
// backwards, where a naive paint walk stops too early.
func TestNewCommitsClockSkew(t *testing.T) {
	tests := []struct {
		name    string
		build   func(h *history)
		tips    []string
		exclude []string
		want    []string
	}{
		{
			// A new commit dated in the past on top of newer ones.
			name: "new commit dated before its parents",
			build: func(h *history) {
				h.commit("A", 0, nil, put("a", "1"))
				h.commit("B", 10*day, []string{"A"}, put("a", "2"))
				h.commit("N", -30*day, []string{"B"}, put("n", "1"))
				h.commit("N2", -29*day, []string{"N"}, put("n", "2"))
			},
			tips: []string{"N2"}, exclude: []string{"B"}, want: []string{"N", "N2"},
		},
		{
			// The old tip is dated a month before the shared history
			// below it: OLD reaches B and A only after they were popped
			// as NEW and must repaint them.
			name: "old tip dated far in the past",
			build: func(h *history) {
				h.commit("A", 0, nil, put("a", "1"))
				h.commit("B", 10*day, []string{"A"}, put("a", "2"))
				h.commit("X", -30*day, []string{"B"}, put("x", "1"))
				h.commit("N", 11*day, []string{"B"}, put("n", "1"))
			},
			tips: []string{"N"}, exclude: []string{"X"}, want: []string{"N"},
		},
		{
			// Eight old commits within a day below the new root-side
			// history: beyond git's 5-commit slop, within the 1-day one.
			name: "long skewed old chain within a day",
			build: func(h *history) {
				h.commit("B", 0, nil, put("b", "1"))
				prev := "B"
				for i := 1; i <= 8; i++ {
					name := fmt.Sprintf("M%d", i)
					h.commit(name, int64(-20*3600+i*3600), []string{prev}, put("m", name))
					prev = name
				}
				h.commit("X", -2*3600, []string{prev}, put("x", "1"))
				h.commit("N", 3600, []string{"B"}, put("n", "1"))
			},
			tips: []string{"N"}, exclude: []string{"X"}, want: []string{"N"},
		},
		{
			name: "skew inside the new commits keeps parents first",
			build: func(h *history) {
				h.commit("A", 0, nil, put("a", "1"))
				h.commit("N1", 5*day, []string{"A"}, put("n", "1"))
				h.commit("N2", 1*day, []string{"N1"}, put("n", "2"))
				h.commit("N3", 3*day, []string{"N2"}, put("n", "3"))
			},
			tips: []string{"N3"}, exclude: []string{"A"}, want: []string{"N1", "N2", "N3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory()
			tc.build(h)
			r := newRepo(t, true)
			ids := h.load(r)
			s := r.open()
			var tips, exclude []plumbing.Hash
			for _, n := range tc.tips {
				tips = append(tips, ids[n])
			}
			for _, n := range tc.exclude {
				exclude = append(exclude, ids[n])
			}
			got, err := s.NewCommits(tips, exclude)
			if err != nil {
				t.Fatal(err)
			}
			var want []plumbing.Hash
			for _, n := range tc.want {
				want = append(want, ids[n])
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("NewCommits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewCommitsOracle compares NewCommits on random multi-branch histories
// with the exact answer (computed from the generated graph) and with
// `git rev-list --topo-order --reverse TIPS --not EXCLUDE`.
func TestNewCommitsOracle(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		// Odd seeds jitter dates by up to ±10h around increasing base
		// dates: below the 1-day slop, so the result must still be exact.
		jitter := seed%2 == 1
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			g := randomHistory(rng, 90, jitter)
			r := newRepo(t, true)
			ids := g.h.load(r)
			s := r.open()
			for round := 0; round < 6; round++ {
				tips := g.pick(rng, 1+rng.Intn(3))
				exclude := g.pick(rng, rng.Intn(5))
				truth := g.reachable(tips, exclude)

				var tipH, exH []plumbing.Hash
				args := []string{"--topo-order", "--reverse"}
				for _, n := range tips {
					tipH = append(tipH, ids[n])
					args = append(args, ids[n].String())
				}
				args = append(args, "--not")
				for _, n := range exclude {
					exH = append(exH, ids[n])
					args = append(args, ids[n].String())
				}
				got, err := s.NewCommits(tipH, exH)
				if err != nil {
					t.Fatal(err)
				}
				var want []plumbing.Hash
				for n := range truth {
					want = append(want, ids[n])
				}
				if !sameSet(want, got) {
					t.Fatalf("round %d tips %v exclude %v: got %d commits, want %d", round, tips, exclude, len(got), len(want))
				}
				oracle := revList(t, r, args...)
				if !jitter && !sameSet(oracle, got) {
					t.Fatalf("round %d: git rev-list lists %d commits, NewCommits %d", round, len(oracle), len(got))
				}
				checkTopo(t, s, got)
			}
		})
	}
}

// TestNewCommitsReadDecodes: a walk that reads DecodeWhileWalking commits
// or more lists what NewCommits lists and decodes every commit it lists
// as Commit does; a walk that fails (a missing tip) returns the error.
func TestNewCommitsReadDecodes(t *testing.T) {
	// A line of commits with a side branch merged back now and then.
	h := newHistory()
	var names []string
	for i := range DecodeWhileWalking + 150 {
		name := fmt.Sprintf("c%03d", i)
		var ps []string
		switch {
		case i == 0:
		case i%40 == 39:
			ps = []string{names[i-1], names[i-5]}
		default:
			ps = []string{names[i-1]}
		}
		h.commit(name, int64(i)*3600, ps, put(fmt.Sprintf("f%d", i%7), name))
		names = append(names, name)
	}
	r := newRepo(t, true)
	ids := h.load(r)
	s := r.open()
	last := ids[names[len(names)-1]]
	tests := []struct {
		name    string
		tips    []plumbing.Hash
		exclude []plumbing.Hash
		all     bool // the walk reads enough commits to decode them all
	}{
		{"whole history", []plumbing.Hash{last}, nil, true},
		{"several tips", []plumbing.Hash{ids[names[200]], last, ids[names[300]]}, nil, true},
		{"recent commits only", []plumbing.Hash{last}, []plumbing.Hash{ids[names[len(names)-20]]}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := s.NewCommits(tc.tips, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			got, decoded, err := s.NewCommitsRead(tc.tips, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("NewCommitsRead lists other commits than NewCommits (-want +got):\n%s", diff)
			}
			for h, c := range decoded {
				wantC, err := s.Commit(h)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantC, c); diff != "" {
					t.Errorf("commit %s decoded by the walk differs from Commit (-want +got):\n%s", h, diff)
				}
			}
			missing := 0
			for _, h := range got {
				if decoded[h] == nil {
					missing++
				}
			}
			if tc.all && missing > 0 {
				t.Errorf("%d of %d listed commits were not decoded by a walk of %d", missing, len(got), len(got))
			}
			if !tc.all && decoded != nil {
				t.Errorf("a walk of %d commits decoded %d on other goroutines", len(got), len(decoded))
			}
		})
	}
	if _, _, err := s.NewCommitsRead([]plumbing.Hash{last, plumbing.NewHash("1111111111111111111111111111111111111111")}, nil); err == nil {
		t.Error("a missing tip is not an error")
	}
}

// genGraph is a random commit graph with its fast-import history.
type genGraph struct {
	h       *history
	names   []string
	parents map[string][]string
}

func randomHistory(rng *rand.Rand, n int, jitter bool) *genGraph {
	g := &genGraph{h: newHistory(), parents: make(map[string][]string)}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("c%03d", i)
		var ps []string
		switch x := rng.Float64(); {
		case i == 0 || x < 0.04:
			// root
		case x < 0.22 && i > 2:
			a := g.names[max(0, i-1-rng.Intn(8))]
			b := g.names[rng.Intn(i)]
			ps = []string{a}
			if b != a {
				ps = append(ps, b)
			}
		default:
			ps = []string{g.names[max(0, i-1-rng.Intn(6))]}
		}
		when := int64(i) * 3 * 3600 // a commit every 3 hours
		if jitter {
			when += int64(rng.Intn(20*3600)) - 10*3600
		}
		g.h.commit(name, when, ps, put(fmt.Sprintf("f%d", i%7), name))
		g.names = append(g.names, name)
		g.parents[name] = ps
	}
	return g
}

func (g *genGraph) pick(rng *rand.Rand, k int) []string {
	out := make([]string, 0, k)
	for i := 0; i < k; i++ {
		out = append(out, g.names[rng.Intn(len(g.names))])
	}
	return out
}

// reachable is the exact set: ancestors of tips minus ancestors of exclude.
func (g *genGraph) reachable(tips, exclude []string) map[string]bool {
	closure := func(start []string) map[string]bool {
		seen := make(map[string]bool)
		stack := append([]string(nil), start...)
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[n] {
				continue
			}
			seen[n] = true
			stack = append(stack, g.parents[n]...)
		}
		return seen
	}
	in, out := closure(tips), closure(exclude)
	for n := range out {
		delete(in, n)
	}
	return in
}

func revList(t *testing.T, r *testRepo, args ...string) []plumbing.Hash {
	t.Helper()
	var out []plumbing.Hash
	for _, line := range strings.Fields(runGit(t, r.dir, r.env, "", append([]string{"rev-list"}, args...)...)) {
		out = append(out, plumbing.NewHash(line))
	}
	return out
}

func sameSet(a, b []plumbing.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	as := append([]plumbing.Hash(nil), a...)
	bs := append([]plumbing.Hash(nil), b...)
	less := func(s []plumbing.Hash) func(i, j int) bool {
		return func(i, j int) bool { return s[i].String() < s[j].String() }
	}
	sort.Slice(as, less(as))
	sort.Slice(bs, less(bs))
	return cmp.Equal(as, bs)
}

// checkTopo fails unless every commit comes after those of its parents
// that are in the list, and the list has no duplicates.
func checkTopo(t *testing.T, s *Store, list []plumbing.Hash) {
	t.Helper()
	pos := make(map[plumbing.Hash]int, len(list))
	for i, h := range list {
		if _, dup := pos[h]; dup {
			t.Fatalf("commit %s listed twice", h)
		}
		pos[h] = i
	}
	for i, h := range list {
		c, err := s.Commit(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.Parents {
			if j, ok := pos[p]; ok && j > i {
				t.Fatalf("commit %s (position %d) listed before its parent %s (position %d)", h, i, p, j)
			}
		}
	}
}
