package scan

import (
	"slices"
	"testing"
)

// TestOctopusMergeDroppedPath: a merge of three parents where a path
// differs from the first parent, equals the second parent's version
// (so it was not introduced by the merge) and differs from the third
// parent's. The shape of browser-use/browser-use bfabe9e ("Merge branch
// 'main', remote-tracking branch 'upstream' into …"), which made the
// engine index past the end of its change list and panic. The merge
// adds nothing of its own: the key is found once, in the commit that
// wrote it.
func TestOctopusMergeDroppedPath(t *testing.T) {
	r := newTestRepo(t)
	r.commit("base", map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
	r.git(nil, "checkout", "-q", "-b", "p2")
	keyCommit := r.commit("p2: b", map[string]string{"b.txt": "b\n" + launderKey + "\n"})
	r.git(nil, "checkout", "-q", "main")
	r.git(nil, "checkout", "-q", "-b", "p3")
	r.commit("p3: a", map[string]string{"a.txt": "a\nA\n"})
	r.git(nil, "checkout", "-q", "main")
	r.commit("main: c", map[string]string{"c.txt": "c\n"})
	r.git(nil, "merge", "-q", "--no-ff", "-m", "octopus", "p2", "p3")
	tip := r.rev("HEAD")
	if parents := r.git(nil, "rev-list", "--parents", "-n1", "HEAD"); len(parents) != 4*40+3 {
		t.Fatalf("not an octopus merge: %q", parents)
	}
	res := runAll(t, New(r.store(), parseRules(t, keyRules), Options{}), Tip{"refs/heads/main", tip})
	var got []string
	for _, f := range res.Findings {
		got = append(got, findingKeys([]Finding{f})[0]+" @"+f.Commit.String()[:7])
	}
	want := []string{"aws line b.txt:2 @" + keyCommit.String()[:7]}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
