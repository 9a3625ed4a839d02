package hook

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/scan"
)

func TestResultsMergeOncePerCommitTagAndSkip(t *testing.T) {
	c1, c2 := plumbing.NewHash("01"), plumbing.NewHash("02")
	tag := plumbing.NewHash("0a")
	skip := scan.Skip{Commit: c1, Path: "big.bin", Reason: "binary"}
	runs := []*scan.Result{
		{Commits: []scan.CommitInfo{{Hash: c1}}, Tags: []plumbing.Hash{tag}, Skipped: []scan.Skip{skip},
			Findings: []scan.Finding{{Path: "a"}}, FilesRead: 2, BytesRead: 10},
		nil, // a run that failed before it had a result
		{Commits: []scan.CommitInfo{{Hash: c1}, {Hash: c2}}, Tags: []plumbing.Hash{tag}, Skipped: []scan.Skip{skip},
			Findings: []scan.Finding{{Path: "a"}}, FilesRead: 1, BytesRead: 5},
	}
	total := &scan.Result{}
	m := newResults(total)
	for _, r := range runs {
		m.add(r)
	}
	want := &scan.Result{
		Commits: []scan.CommitInfo{{Hash: c1}, {Hash: c2}},
		Tags:    []plumbing.Hash{tag},
		Skipped: []scan.Skip{skip},
		// Findings are kept per run: each group judges its own refs.
		Findings:  []scan.Finding{{Path: "a"}, {Path: "a"}},
		FilesRead: 3, BytesRead: 15,
	}
	if diff := cmp.Diff(want, total, cmp.Comparer(func(a, b plumbing.Hash) bool { return a == b })); diff != "" {
		t.Fatalf("merged result (-want +got):\n%s", diff)
	}
}
