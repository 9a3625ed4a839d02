package gitstore

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// pushCase is a server that holds the history of exclude, and a
// quarantine directory holding what tips add to it, as git's pre-receive
// sees a push.
type pushCase struct {
	server *testRepo
	q      string
}

// newPushQuarantine pushes the exclude commits of full (as refs/e/N) into a new
// server and writes the objects of tips ^exclude into a quarantine
// directory, packed or loose.
func newPushQuarantine(t *testing.T, full *testRepo, tips, exclude []plumbing.Hash, loose bool) *pushCase {
	t.Helper()
	server := newRepo(t, true)
	for i, h := range exclude {
		full.git("push", "-q", server.dir, fmt.Sprintf("%s:refs/e/%d", h, i))
	}
	q := filepath.Join(t.TempDir(), "incoming")
	if err := os.MkdirAll(filepath.Join(q, "pack"), 0o755); err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	for _, h := range tips {
		fmt.Fprintln(&in, h)
	}
	for _, h := range exclude {
		fmt.Fprintf(&in, "^%s\n", h)
	}
	qenv := append(append([]string(nil), server.env...), "GIT_OBJECT_DIRECTORY="+q,
		"GIT_ALTERNATE_OBJECT_DIRECTORIES="+filepath.Join(server.dir, "objects"))
	if loose {
		pack := runGit(t, full.dir, full.env, in.String(), "pack-objects", "--revs", "--stdout", "-q")
		runGit(t, server.dir, qenv, pack, "unpack-objects", "-q")
	} else {
		runGit(t, full.dir, full.env, in.String(), "pack-objects", "--revs", "-q", filepath.Join(q, "pack", "pack"))
	}
	return &pushCase{server: server, q: q}
}

func (c *pushCase) open(t *testing.T) *Store {
	return mustOpen(t, Env{GitDir: c.server.dir, ObjectDir: c.q, Alternates: []string{filepath.Join(c.server.dir, "objects")}})
}

// TestPushedCommitsOracle: over random histories, the commits a simulated
// push brings, found from the quarantine alone, are exactly (and in the
// same order as) the paint walk's NewCommits(tips, every ref) and git
// rev-list's; the boundary is where the walk left the quarantine, all of it
// reachable from the server's refs.
func TestPushedCommitsOracle(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			g := randomHistory(rng, 60, false)
			full := newRepo(t, true)
			ids := g.h.load(full)
			for round := 0; round < 2; round++ {
				var tips, exclude []plumbing.Hash
				tipNames := g.pick(rng, 1+rng.Intn(3))
				exNames := g.pick(rng, rng.Intn(4))
				for _, n := range tipNames {
					tips = append(tips, ids[n])
				}
				for _, n := range exNames {
					exclude = append(exclude, ids[n])
				}
				c := newPushQuarantine(t, full, tips, exclude, round%2 == 1)
				s := c.open(t)
				got, boundary, err := s.PushedCommits(tips)
				if err != nil {
					t.Fatal(err)
				}
				refs, err := s.Refs()
				if err != nil {
					t.Fatal(err)
				}
				var all []plumbing.Hash
				for _, r := range refs {
					all = append(all, r.Hash)
				}
				want, err := s.NewCommits(tips, all)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("round %d tips %v exclude %v: PushedCommits differs from NewCommits (-want +got):\n%s", round, tipNames, exNames, diff)
				}
				// git rev-list sees the quarantine as the hook does.
				args := []string{"rev-list"}
				for _, h := range tips {
					args = append(args, h.String())
				}
				args = append(args, "--not", "--all")
				qenv := append(append([]string(nil), c.server.env...), "GIT_OBJECT_DIRECTORY="+c.q,
					"GIT_ALTERNATE_OBJECT_DIRECTORIES="+filepath.Join(c.server.dir, "objects"))
				var oracle []plumbing.Hash
				for _, line := range strings.Fields(runGit(t, c.server.dir, qenv, "", args...)) {
					oracle = append(oracle, plumbing.NewHash(line))
				}
				if !sameSet(oracle, got) {
					t.Fatalf("round %d: git rev-list lists %d commits, PushedCommits %d", round, len(oracle), len(got))
				}
				truth := g.reachable(tipNames, exNames)
				var wantSet []plumbing.Hash
				for n := range truth {
					wantSet = append(wantSet, ids[n])
				}
				if !sameSet(wantSet, got) {
					t.Fatalf("round %d: %d commits, want %d", round, len(got), len(wantSet))
				}
				closure := g.reachable(exNames, nil)
				for _, b := range boundary {
					found := false
					for n := range closure {
						if ids[n] == b {
							found = true
						}
					}
					if !found {
						t.Fatalf("boundary commit %s is not reachable from the server's refs", b)
					}
				}
				checkTopo(t, s, got)
				s.Close()
			}
		})
	}
}

// TestPushedCommitsRareTips covers the tips that leave the quarantine at
// once or through a commit no ref reaches, and a store without quarantine.
func TestPushedCommitsRareTips(t *testing.T) {
	h := newHistory()
	h.commit("a", baseTime, nil, put("f", "a"))
	h.commit("b", baseTime+10, []string{"a"}, put("f", "b"))
	h.commit("c", baseTime+20, []string{"b"}, put("f", "c"))
	h.commit("d", baseTime+30, []string{"c"}, put("f", "d"))
	full := newRepo(t, true)
	ids := h.load(full)

	t.Run("new branch on an existing commit", func(t *testing.T) {
		c := newPushQuarantine(t, full, []plumbing.Hash{ids["b"]}, []plumbing.Hash{ids["b"]}, false)
		s := c.open(t)
		defer s.Close()
		got, boundary, err := s.PushedCommits([]plumbing.Hash{ids["b"]})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 || !cmp.Equal(boundary, []plumbing.Hash{ids["b"]}) {
			t.Fatalf("got %v boundary %v; want no commit and the tip as boundary", got, boundary)
		}
	})
	t.Run("commit stored but unreachable", func(t *testing.T) {
		// The server has a and b through refs/e/0 and c without any ref
		// (a deleted branch); the push brings d.
		c := newPushQuarantine(t, full, []plumbing.Hash{ids["d"]}, []plumbing.Hash{ids["c"]}, true)
		c.server.git("update-ref", "-d", "refs/e/0")
		c.server.git("update-ref", "refs/e/1", ids["a"].String())
		s := c.open(t)
		defer s.Close()
		got, boundary, err := s.PushedCommits([]plumbing.Hash{ids["d"]})
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(got, []plumbing.Hash{ids["d"]}) || !cmp.Equal(boundary, []plumbing.Hash{ids["c"]}) {
			t.Fatalf("got %v boundary %v; want d and boundary c", got, boundary)
		}
		// The walk over the refs finds what the boundary hides.
		walked, err := s.NewCommits([]plumbing.Hash{ids["d"]}, []plumbing.Hash{ids["a"]})
		if err != nil {
			t.Fatal(err)
		}
		if want := []plumbing.Hash{ids["b"], ids["c"], ids["d"]}; !cmp.Equal(walked, want) {
			t.Fatalf("NewCommits = %v, want %v", walked, want)
		}
	})
	t.Run("object in both", func(t *testing.T) {
		c := newPushQuarantine(t, full, []plumbing.Hash{ids["d"]}, []plumbing.Hash{ids["b"]}, true)
		// The server already stores c as well (a racing push, a re-push).
		full.git("push", "-q", c.server.dir, ids["c"].String()+":refs/e/9")
		s := c.open(t)
		defer s.Close()
		if p, err := s.Pushed(ids["c"]); err != nil || p {
			t.Fatalf("Pushed(c) = %v, %v; want false: the repository has it", p, err)
		}
		if p, err := s.Pushed(ids["d"]); err != nil || !p {
			t.Fatalf("Pushed(d) = %v, %v; want true", p, err)
		}
		got, boundary, err := s.PushedCommits([]plumbing.Hash{ids["d"]})
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(got, []plumbing.Hash{ids["d"]}) || !cmp.Equal(boundary, []plumbing.Hash{ids["c"]}) {
			t.Fatalf("got %v boundary %v; want d and boundary c", got, boundary)
		}
	})
	t.Run("no quarantine", func(t *testing.T) {
		s := full.open()
		defer s.Close()
		if s.Quarantined() {
			t.Fatal("Quarantined() without an object directory")
		}
		if p, _ := s.Pushed(ids["a"]); p {
			t.Fatal("Pushed without quarantine")
		}
		if _, _, err := s.PushedCommits([]plumbing.Hash{ids["a"]}); err == nil {
			t.Fatal("PushedCommits without quarantine: no error")
		}
		own := mustOpen(t, Env{GitDir: full.dir, ObjectDir: filepath.Join(full.dir, "objects")})
		defer own.Close()
		if own.Quarantined() {
			t.Fatal("the repository's own objects directory is no quarantine")
		}
	})
}

// BenchmarkOneCommitPush lists what a one-commit push on top of main
// brings into the generated repository with 10 and with 10,000 loose refs
// and no commit-graph, as the hook does on each run: a fresh Store, then
// either the refs and the paint walk over all of them ("walk") or the
// quarantine alone ("quarantine"). benchstat compares the two.
func BenchmarkOneCommitPush(b *testing.B) {
	br := newBenchRepo(b)
	r := br.repo
	q := filepath.Join(b.TempDir(), "incoming")
	if err := os.MkdirAll(filepath.Join(q, "pack"), 0o755); err != nil {
		b.Fatal(err)
	}
	qenv := append(append([]string(nil), r.env...), "GIT_OBJECT_DIRECTORY="+q,
		"GIT_ALTERNATE_OBJECT_DIRECTORIES="+filepath.Join(r.dir, "objects"))
	tip := br.commits[len(br.commits)-1]
	pushed := plumbing.NewHash(strings.TrimSpace(runGit(b, r.dir, qenv, "", "commit-tree", tip.String()+"^{tree}", "-p", tip.String(), "-m", "one")))
	env := Env{GitDir: r.dir, ObjectDir: q, Alternates: []string{filepath.Join(r.dir, "objects")}}
	made := 0
	for _, refs := range []int{10, 10000} {
		var in strings.Builder
		for ; made < refs; made++ {
			fmt.Fprintf(&in, "create refs/bench/r%d %s\n", made, br.commits[made%len(br.commits)])
		}
		r.gitIn(in.String(), "update-ref", "--stdin")
		b.Run(fmt.Sprintf("walk/refs=%d", refs), func(b *testing.B) {
			for b.Loop() {
				s, err := Open(env)
				if err != nil {
					b.Fatal(err)
				}
				all, err := s.Refs()
				if err != nil {
					b.Fatal(err)
				}
				ex := make([]plumbing.Hash, len(all))
				for i, ref := range all {
					ex[i] = ref.Hash
				}
				got, err := s.NewCommits([]plumbing.Hash{pushed}, ex)
				if err != nil || len(got) != 1 {
					b.Fatalf("got %v, %v", got, err)
				}
				s.Close()
			}
		})
		b.Run(fmt.Sprintf("quarantine/refs=%d", refs), func(b *testing.B) {
			for b.Loop() {
				s, err := Open(env)
				if err != nil {
					b.Fatal(err)
				}
				got, boundary, err := s.PushedCommits([]plumbing.Hash{pushed})
				if err != nil || len(got) != 1 || len(boundary) != 1 || boundary[0] != tip {
					b.Fatalf("got %v boundary %v, %v", got, boundary, err)
				}
				s.Close()
			}
		})
	}
}
