package scan

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/gitstore"
)

// TestReadCommits: a list long enough to be read on every core gives the
// commits in order, as one Commit call per hash does, whichever of them
// the walk decoded already (NewCommitsRead, which decodes a long walk's
// commits as Commit does); a missing commit is an error naming the first
// missing one in order, whichever part holds it.
func TestReadCommits(t *testing.T) {
	r := newTestRepo(t)
	n := 2*parallelCommitReads + 7
	var stream strings.Builder
	for i := range n {
		fmt.Fprintf(&stream, "commit refs/heads/main\nmark :%d\ncommitter Dev <dev@example.com> %d +0000\ndata <<EOF\ncommit %d\n\nbody of commit %d\nEOF\n", i+1, 1700000000+i, i, i)
		if i > 0 {
			fmt.Fprintf(&stream, "from :%d\n", i)
		}
		fmt.Fprintf(&stream, "M 100644 inline f%d.txt\ndata <<EOF\nline %d\nEOF\n\n", i%10, i)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.Stdin = strings.NewReader(stream.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fast-import: %v\n%s", err, out)
	}
	var hashes []plumbing.Hash
	for _, h := range strings.Fields(r.git(nil, "rev-list", "--reverse", "main")) {
		hashes = append(hashes, plumbing.NewHash(h))
	}
	if len(hashes) != n {
		t.Fatalf("%d commits, want %d", len(hashes), n)
	}
	s := r.store()
	e := &Engine{store: s}
	want := make([]*gitstore.Commit, n)
	var err error
	for i, h := range hashes {
		if want[i], err = s.Commit(h); err != nil {
			t.Fatal(err)
		}
	}
	// The walk decodes what it reads (the list is long enough).
	walked, decoded, err := s.NewCommitsRead([]plumbing.Hash{hashes[n-1]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(hashes, walked); diff != "" {
		t.Errorf("NewCommitsRead lists other commits than rev-list (-want +got):\n%s", diff)
	}
	if len(decoded) != n {
		t.Errorf("the walk decoded %d commits, want all %d", len(decoded), n)
	}
	for i, h := range hashes {
		if diff := cmp.Diff(want[i], decoded[h]); diff != "" {
			t.Errorf("commit %d decoded by the walk differs from Commit (-want +got):\n%s", i, diff)
		}
	}
	half := map[plumbing.Hash]*gitstore.Commit{}
	for i, h := range hashes {
		if i%2 == 0 {
			half[h] = decoded[h]
		}
	}
	for _, tc := range []struct {
		name    string
		decoded map[plumbing.Hash]*gitstore.Commit
	}{
		{"none decoded", nil},
		{"all decoded", decoded},
		{"half decoded", half},
	} {
		got, err := e.readCommits(hashes, tc.decoded)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: readCommits differs from Commit per hash (-want +got):\n%s", tc.name, diff)
		}
	}

	missing1 := plumbing.NewHash("1111111111111111111111111111111111111111")
	missing2 := plumbing.NewHash("2222222222222222222222222222222222222222")
	for _, tc := range []struct {
		name  string
		at    []int // positions replaced by missing hashes, in order
		first plumbing.Hash
	}{
		{"in the last part", []int{n - 3}, missing1},
		{"in the first part", []int{5}, missing1},
		{"in both parts", []int{7, n - 1}, missing1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list := append([]plumbing.Hash(nil), hashes...)
			for k, i := range tc.at {
				list[i] = []plumbing.Hash{missing1, missing2}[k]
			}
			_, err := e.readCommits(list, half)
			if err == nil || !strings.Contains(err.Error(), tc.first.String()) {
				t.Errorf("error %v, want one naming %s", err, tc.first)
			}
		})
	}
}

// TestMarkBaseAmongNewCommits: when the base is a new commit, the commits
// it reaches are found among the new commits through their parents; they
// are exactly the new commits the store's walk from the base finds, with
// and without excluded history, for bases on either side of merges.
func TestMarkBaseAmongNewCommits(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("one", map[string]string{"a.txt": "1\n"})
	c2 := r.commit("two", map[string]string{"a.txt": "2\n"})
	r.git(nil, "checkout", "-q", "-b", "feature")
	f1 := r.commit("feature one", map[string]string{"b.txt": "1\n"})
	r.git(nil, "checkout", "-q", "main")
	c3 := r.commit("three", map[string]string{"a.txt": "3\n"})
	r.git(nil, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	m := r.rev("HEAD")
	r.git(nil, "checkout", "-q", "feature")
	f2 := r.commit("feature two", map[string]string{"b.txt": "2\n"})
	r.git(nil, "checkout", "-q", "-b", "side", c2.String())
	side := r.commit("side", map[string]string{"c.txt": "1\n"})
	s := r.store()
	tips := []plumbing.Hash{m, f2}
	for _, tc := range []struct {
		name    string
		base    plumbing.Hash
		exclude []plumbing.Hash
	}{
		{"base at the merge", m, nil},
		{"base on the feature", f2, nil},
		{"base before the merge", c3, nil},
		{"base at the root", c1, nil},
		{"with excluded history", m, []plumbing.Hash{c2}},
		{"base on the feature, excluded history", f2, []plumbing.Hash{c2}},
		{"base excluded", c2, []plumbing.Hash{c2}},
		{"base in the tips' history", f1, []plumbing.Hash{c1}},
		{"base outside the new commits", side, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hashes, err := s.NewCommits(tips, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			e := &Engine{store: s, opts: Options{BranchEvidence: BranchEvidence{Limit: true, Base: tc.base}}}
			read, err := e.readCommits(hashes, nil)
			if err != nil {
				t.Fatal(err)
			}
			commits := map[plumbing.Hash]*gitstore.Commit{}
			for _, c := range read {
				commits[c.Hash] = c
			}
			if err := e.markBase(hashes, tc.exclude, commits); err != nil {
				t.Fatal(err)
			}
			walked, err := s.NewCommits([]plumbing.Hash{tc.base}, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			want, got := map[plumbing.Hash]bool{}, map[plumbing.Hash]bool{}
			for _, h := range walked {
				if commits[h] != nil {
					want[h] = true
				}
			}
			for _, h := range hashes {
				if e.onBase[h] {
					got[h] = true
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("new commits on the base (-walk +marked):\n%s", diff)
			}
			if len(want) == 0 && tc.base != c2 {
				t.Errorf("no new commit on base %s: the case tests nothing", tc.base)
			}
		})
	}
}
