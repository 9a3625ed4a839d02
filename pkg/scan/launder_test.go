package scan

import (
	"strings"
	"testing"
)

const launderKey = "k = AKIAZ7VRSQ5TLXKE4N2P"

// TestSkippedVersionIsNeverADiffBase: a version the engine did not scan
// (binary, over the size limit) cannot hide the lines of the next version,
// whether it is the parent's version, a merge parent's, a rename's source
// or a deleted file the new one may have moved from.
func TestSkippedVersionIsNeverADiffBase(t *testing.T) {
	big := strings.Repeat("filler line of text\n", 8) // over the 100-byte limit below
	tests := []struct {
		name  string
		build func(r *testRepo) Tip
		want  string
	}{
		{"binary parent: NUL line deleted", func(r *testRepo) Tip {
			r.commit("c1", map[string]string{"a.txt": "\x00\nx\n" + launderKey + "\n"})
			return Tip{"refs/heads/main", r.commit("c2", map[string]string{"a.txt": "x\n" + launderKey + "\n"})}
		}, "aws line a.txt:2"},
		{"oversized parent shrunk", func(r *testRepo) Tip {
			r.commit("c1", map[string]string{"a.txt": launderKey + "\n" + big})
			return Tip{"refs/heads/main", r.commit("c2", map[string]string{"a.txt": launderKey + "\n"})}
		}, "aws line a.txt:1"},
		{"renamed from a binary version", func(r *testRepo) Tip {
			r.commit("c1", map[string]string{"d1/a.txt": "\x00\n" + launderKey + "\n"})
			return Tip{"refs/heads/main", r.commit("c2", map[string]string{"d1/a.txt": "", "d2/a.txt": "y\n" + launderKey + "\n"})}
		}, "aws line d2/a.txt:2"},
		{"moved from a binary deleted file", func(r *testRepo) Tip {
			r.commit("c1", map[string]string{"old.txt": "\x00\n" + launderKey + "\n"})
			return Tip{"refs/heads/main", r.commit("c2", map[string]string{"old.txt": "", "new.txt": "y\n" + launderKey + "\n"})}
		}, "aws line new.txt:2"},
		{"moved from an oversized deleted file", func(r *testRepo) Tip {
			r.commit("c1", map[string]string{"old.txt": launderKey + "\n" + big})
			return Tip{"refs/heads/main", r.commit("c2", map[string]string{"old.txt": "", "new.txt": launderKey + "\n"})}
		}, "aws line new.txt:1"},
		{"merge with a binary parent version", func(r *testRepo) Tip {
			r.commit("base", map[string]string{"a.txt": "x\n"})
			r.git(nil, "checkout", "-q", "-b", "side")
			r.commit("side", map[string]string{"a.txt": "\x00\n" + launderKey + "\n"})
			r.git(nil, "checkout", "-q", "main")
			r.commit("main", map[string]string{"a.txt": "x\ny\n"})
			r.git(nil, "merge", "-q", "-s", "ours", "--no-commit", "side")
			return Tip{"refs/heads/main", r.commit("merge", map[string]string{"a.txt": "x\ny\n" + launderKey + "\n"})}
		}, "aws line a.txt:3"},
		{"submodule replaced by a file", func(r *testRepo) Tip {
			r.commit("base", map[string]string{"README": "x\n"})
			r.git(nil, "update-index", "--add", "--cacheinfo", "160000,1111111111111111111111111111111111111111,a.txt")
			r.git(nil, "commit", "-q", "-m", "submodule")
			r.git(nil, "rm", "-q", "--cached", "a.txt")
			return Tip{"refs/heads/main", r.commit("file", map[string]string{"a.txt": "x\n" + launderKey + "\n"})}
		}, "aws line a.txt:2"},
		{"a scanned text parent still is a base", func(r *testRepo) Tip {
			r.commit("c1", map[string]string{"a.txt": "x\n" + launderKey + "\n"})
			return Tip{"refs/heads/main", r.commit("c2", map[string]string{"a.txt": "y\n" + launderKey + "\n"})}
		}, "aws line a.txt:2"}, // from c1; c2 adds only "y"
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRepo(t)
			tip := tc.build(r)
			res := runAll(t, New(r.store(), parseRules(t, keyRules), Options{MaxFileSize: 100}), tip)
			var got []string
			for _, f := range res.Findings {
				got = append(got, findingKeys([]Finding{f})[0]+" @"+f.Commit.String()[:7])
			}
			want := tc.want + " @" + tip.Hash.String()[:7]
			if tc.name == "a scanned text parent still is a base" {
				want = tc.want + " @" + r.rev("HEAD~1").String()[:7]
			}
			if strings.Join(got, ",") != want {
				t.Errorf("findings %q, want %q", got, want)
			}
		})
	}
}
