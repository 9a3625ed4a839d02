package scan

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// TestBranchEvidence replays a history where an agent branch (copilot/fix)
// was cut from main: main's commits are contained in the branch, but only
// the commit the branch adds may carry its branch evidence in a scan. The
// hook's rule (the zero Options.BranchEvidence) gives the pushed branch to
// every commit it brings in.
func TestBranchEvidence(t *testing.T) {
	r := looseRepo{t: t, dir: filepath.Join(t.TempDir(), "r.git")}
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", r.dir).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	t.Setenv("GIT_AUTHOR_NAME", "Ann")
	t.Setenv("GIT_AUTHOR_EMAIL", "ann@example.com")
	t.Setenv("GIT_AUTHOR_DATE", "2026-01-02T03:04:05Z")
	commit := func(msg string, parents ...string) string {
		blob := r.git(msg+"\n", "hash-object", "-w", "--stdin")
		tree := r.git("100644 blob "+blob+"\tf.txt\n", "mktree")
		args := []string{"commit-tree", tree, "-m", msg}
		for _, p := range parents {
			args = append(args, "-p", p)
		}
		return r.git("", args...)
	}
	root := commit("initial commit")
	second := commit("second", root)
	onBranch := commit("fix by a person on the agent branch", second)
	r.git("", "update-ref", "refs/heads/main", second)
	r.git("", "update-ref", "refs/heads/copilot/fix", onBranch)

	specs, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	det, err := provenance.Compile(specs)
	if err != nil {
		t.Fatal(err)
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: r.dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := plumbing.NewHash
	tips := []Tip{{"refs/heads/copilot/fix", h(onBranch)}, {"refs/heads/main", h(second)}}

	tests := []struct {
		name string
		opts BranchEvidence
		want map[string][]string // commit → suspected tools
	}{
		{"hook: the pushed branch is evidence for every commit it brings", BranchEvidence{},
			map[string][]string{root: {"github-copilot"}, second: {"github-copilot"}, onBranch: {"github-copilot"}}},
		{"scan: only the commits the branch adds to main", BranchEvidence{Limit: true, Base: h(second)},
			map[string][]string{root: nil, second: nil, onBranch: {"github-copilot"}}},
		{"scan without a default branch: no branch evidence", BranchEvidence{Limit: true},
			map[string][]string{root: nil, second: nil, onBranch: nil}},
		{"scan with the agent branch as base: nothing added", BranchEvidence{Limit: true, Base: h(onBranch)},
			map[string][]string{root: nil, second: nil, onBranch: nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := New(store, ruleset.NewSet(), Options{Provenance: det, BranchEvidence: tc.opts}).Run(context.Background(), tips, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, c := range res.Commits {
				got[c.Hash.String()] = c.AI.Suspected
				// Rule scoping still sees every ref that carries the commit.
				if c.Hash.String() == root && !slices.Contains(c.Refs, "refs/heads/copilot/fix") {
					t.Errorf("root commit refs %v: want the agent branch listed", c.Refs)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("suspected per commit (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnionSorted(t *testing.T) {
	tests := []struct {
		a, b, want []string
	}{
		{nil, nil, nil},
		{[]string{"a"}, nil, []string{"a"}},
		{nil, []string{"b"}, []string{"b"}},
		{[]string{"a", "c"}, []string{"b", "c", "d"}, []string{"a", "b", "c", "d"}},
		{[]string{"a", "b", "c"}, []string{"b"}, []string{"a", "b", "c"}},
		{[]string{"b"}, []string{"a", "b", "c"}, []string{"a", "b", "c"}},
	}
	for _, tc := range tests {
		got := unionSorted(tc.a, tc.b)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("unionSorted(%v, %v) (-want +got):\n%s", tc.a, tc.b, diff)
		}
		// Reuse: a superset input is returned as is, not copied.
		if len(got) > 0 && len(tc.a) == len(got) && &got[0] != &tc.a[0] {
			t.Errorf("unionSorted(%v, %v) copied a superset", tc.a, tc.b)
		}
	}
}
