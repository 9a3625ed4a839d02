package gitstore

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/google/go-cmp/cmp"
)

// short renders a change compactly: "A path", "M path 100644>100755",
// "D path", "R old>new".
func short(c Change) string {
	switch c.Status {
	case Added:
		return fmt.Sprintf("A %s %o", c.Path, uint32(c.NewMode))
	case Deleted:
		return fmt.Sprintf("D %s %o", c.Path, uint32(c.OldMode))
	case Modified:
		return fmt.Sprintf("M %s %o>%o", c.Path, uint32(c.OldMode), uint32(c.NewMode))
	case Renamed:
		same := "edited"
		if c.OldHash == c.NewHash {
			same = "same"
		}
		return fmt.Sprintf("R %s>%s %s", c.OldPath, c.Path, same)
	}
	return "?" + string(c.Status)
}

func TestChanges(t *testing.T) {
	h := newHistory()
	h.commit("base", 0, nil,
		put("a.txt", "alpha\n"),
		put("dir/b.txt", "bravo\n"),
		put("dir/sub/c.txt", "charlie\n"),
		put("dir/sub/deeper/d.txt", "delta\n"),
		put("x", "file x\n"),
		put("y/z.txt", "zulu\n"),
		put("tool.sh", "#!/bin/sh\n"),
		symlink("link", "a.txt"),
		put("dir.txt", "sorts between dir and dir/ as a name\n"),
		put("conf/app.yaml", "k: v\n"),
	)
	ops := map[string][]op{
		"add":              {put("new.txt", "new\n")},
		"modify":           {put("dir/sub/c.txt", "charlie 2\n")},
		"delete":           {del("a.txt")},
		"nested add":       {put("n1/n2/n3/leaf.txt", "leaf\n"), put("n1/top.txt", "top\n")},
		"delete dir":       {del("dir/sub")},
		"file to dir":      {del("x"), put("x/inner.txt", "inner\n")},
		"dir to file":      {del("y"), put("y", "now a file\n")},
		"exact rename":     {del("a.txt"), put("moved/a2.txt", "alpha\n")},
		"rename and edit":  {del("dir/b.txt"), put("other/b.txt", "bravo\nplus a line\n")},
		"ambiguous base":   {del("dir/b.txt"), put("p/b.txt", "one\n"), put("q/b.txt", "two\n")},
		"exec bit":         {putExe("tool.sh", "#!/bin/sh\n")},
		"symlink retarget": {symlink("link", "dir/b.txt")},
		"file to symlink":  {symlink("dir.txt", "a.txt")},
		"symlink added":    {symlink("dir/ln", "../a.txt")},
		"many at once": {
			put("a.txt", "alpha 2\n"), del("dir/sub/deeper/d.txt"), put("dir/sub/deeper/e.txt", "delta\n"),
			del("conf/app.yaml"), put("config/app.yaml", "k: v2\n"),
		},
		"unchanged content rewritten": {put("a.txt", "alpha\n")},
	}
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		h.commit(n, int64(i+1), []string{"base"}, ops[n]...)
	}
	r := newRepo(t, true)
	ids := h.loadPacked(r) // packed, with deltas between versions
	s := r.open()
	tree := func(name string) plumbing.Hash { return r.hash(ids[name].String() + "^{tree}") }

	tests := []struct {
		name string
		want []string
	}{
		{"add", []string{"A new.txt 100644"}},
		{"modify", []string{"M dir/sub/c.txt 100644>100644"}},
		{"delete", []string{"D a.txt 100644"}},
		{"nested add", []string{"A n1/n2/n3/leaf.txt 100644", "A n1/top.txt 100644"}},
		{"delete dir", []string{"D dir/sub/c.txt 100644", "D dir/sub/deeper/d.txt 100644"}},
		{"file to dir", []string{"D x 100644", "A x/inner.txt 100644"}},
		{"dir to file", []string{"A y 100644", "D y/z.txt 100644"}},
		{"exact rename", []string{"R a.txt>moved/a2.txt same"}},
		{"rename and edit", []string{"R dir/b.txt>other/b.txt edited"}},
		{"ambiguous base", []string{"D dir/b.txt 100644", "A p/b.txt 100644", "A q/b.txt 100644"}},
		{"exec bit", []string{"M tool.sh 100644>100755"}},
		{"symlink retarget", []string{"M link 120000>120000"}},
		{"file to symlink", []string{"M dir.txt 100644>120000"}},
		{"symlink added", []string{"A dir/ln 120000"}},
		{"many at once", []string{
			"M a.txt 100644>100644",
			"R conf/app.yaml>config/app.yaml edited",
			"R dir/sub/deeper/d.txt>dir/sub/deeper/e.txt same",
		}},
		{"unchanged content rewritten", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oldT, newT := tree("base"), tree(tc.name)
			got, err := s.Changes(oldT, newT)
			if err != nil {
				t.Fatal(err)
			}
			gotShort := []string{}
			for _, c := range got {
				gotShort = append(gotShort, short(c))
			}
			if diff := cmp.Diff(tc.want, gotShort); diff != "" {
				t.Errorf("Changes mismatch (-want +got):\n%s", diff)
			}
			checkSortedAndFields(t, got)
			compareDiffTree(t, r, oldT, newT, got)
			// The reverse comparison mirrors it.
			back, err := s.Changes(newT, oldT)
			if err != nil {
				t.Fatal(err)
			}
			compareDiffTree(t, r, newT, oldT, back)
		})
	}

	t.Run("from and to the empty tree", func(t *testing.T) {
		base := tree("base")
		for _, empty := range []plumbing.Hash{plumbing.ZeroHash, emptyTree} {
			add, err := s.Changes(empty, base)
			if err != nil {
				t.Fatal(err)
			}
			compareDiffTree(t, r, emptyTree, base, add)
			for _, c := range add {
				if c.Status != Added {
					t.Errorf("from empty: %s", short(c))
				}
			}
			gone, err := s.Changes(base, empty)
			if err != nil {
				t.Fatal(err)
			}
			compareDiffTree(t, r, base, emptyTree, gone)
		}
		same, err := s.Changes(base, base)
		if err != nil || len(same) != 0 {
			t.Errorf("Changes(t, t) = %v, %v", same, err)
		}
	})
}

// checkSortedAndFields checks the documented ordering and field contract.
func checkSortedAndFields(t *testing.T, chs []Change) {
	t.Helper()
	for i, c := range chs {
		if i > 0 && chs[i-1].Path > c.Path {
			t.Errorf("not sorted by Path: %q before %q", chs[i-1].Path, c.Path)
		}
		switch c.Status {
		case Added:
			if c.OldPath != "" || !c.OldHash.IsZero() || c.NewHash.IsZero() {
				t.Errorf("bad Added fields: %+v", c)
			}
		case Deleted, Modified:
			if c.OldPath != c.Path || c.OldHash.IsZero() {
				t.Errorf("bad %s fields: %+v", c.Status, c)
			}
		case Renamed:
			if c.OldPath == "" || c.OldPath == c.Path || c.OldHash.IsZero() || c.NewHash.IsZero() {
				t.Errorf("bad Renamed fields: %+v", c)
			}
		}
	}
}

// compareDiffTree checks chs against `git diff-tree -r --no-renames`,
// splitting each Renamed change back into a deletion and an addition.
func compareDiffTree(t *testing.T, r *testRepo, oldT, newT plumbing.Hash, chs []Change) {
	t.Helper()
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(r.git("diff-tree", "-r", "--no-renames", "--full-index", oldT.String(), newT.String())), "\n") {
		if line == "" {
			continue
		}
		meta, path, _ := strings.Cut(line, "\t")
		f := strings.Fields(strings.TrimPrefix(meta, ":"))
		status := f[4]
		if status == "T" {
			status = "M" // type change: Modified with both modes
		}
		want = append(want, strings.Join([]string{status, path, f[0], f[1], f[2], f[3]}, " "))
	}
	zero := plumbing.ZeroHash.String()
	mode := func(m filemode.FileMode) string { return fmt.Sprintf("%06o", uint32(m)) }
	var got []string
	for _, c := range chs {
		switch c.Status {
		case Added:
			got = append(got, strings.Join([]string{"A", c.Path, "000000", mode(c.NewMode), zero, c.NewHash.String()}, " "))
		case Deleted:
			got = append(got, strings.Join([]string{"D", c.Path, mode(c.OldMode), "000000", c.OldHash.String(), zero}, " "))
		case Modified:
			got = append(got, strings.Join([]string{"M", c.Path, mode(c.OldMode), mode(c.NewMode), c.OldHash.String(), c.NewHash.String()}, " "))
		case Renamed:
			got = append(got,
				strings.Join([]string{"D", c.OldPath, mode(c.OldMode), "000000", c.OldHash.String(), zero}, " "),
				strings.Join([]string{"A", c.Path, "000000", mode(c.NewMode), zero, c.NewHash.String()}, " "))
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("differs from git diff-tree -r --no-renames (-git +ours):\n%s", diff)
	}
}

func TestChangesGitlink(t *testing.T) {
	r := newRepo(t, false)
	write := func(name, content string) {
		p := filepath.Join(r.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sub1 := "1111111111111111111111111111111111111111"
	sub2 := "2222222222222222222222222222222222222222"
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"base", func() { write("README", "r\n"); r.git("add", "README") }, nil},
		{"add gitlink", func() {
			r.git("update-index", "--add", "--cacheinfo", "160000,"+sub1+",sub")
		}, []string{"A sub 160000"}},
		{"move gitlink", func() {
			r.git("update-index", "--force-remove", "sub")
			r.git("update-index", "--add", "--cacheinfo", "160000,"+sub1+",lib/sub")
		}, []string{"R sub>lib/sub same"}},
		{"bump gitlink", func() {
			r.git("update-index", "--cacheinfo", "160000,"+sub2+",lib/sub")
		}, []string{"M lib/sub 160000>160000"}},
		{"gitlink replaced by a file of the same base name", func() {
			r.git("update-index", "--force-remove", "lib/sub")
			write("other/sub", "file\n")
			r.git("add", "other/sub")
		}, []string{"D lib/sub 160000", "A other/sub 100644"}},
		{"file becomes gitlink in place", func() {
			r.git("rm", "-q", "--cached", "other/sub")
			r.git("update-index", "--add", "--cacheinfo", "160000,"+sub1+",other/sub")
		}, []string{"M other/sub 100644>160000"}},
	}
	s := r.open()
	var prev plumbing.Hash
	for i, st := range steps {
		st.do()
		r.gitWith([]string{fmt.Sprintf("GIT_COMMITTER_DATE=@%d +0000", baseTime+i)}, "commit", "-q", "-m", st.name)
		cur := r.hash("HEAD^{tree}")
		if i > 0 {
			t.Run(st.name, func(t *testing.T) {
				got, err := s.Changes(prev, cur)
				if err != nil {
					t.Fatal(err)
				}
				var gotShort []string
				for _, c := range got {
					gotShort = append(gotShort, short(c))
				}
				if diff := cmp.Diff(st.want, gotShort); diff != "" {
					t.Errorf("Changes mismatch (-want +got):\n%s", diff)
				}
				compareDiffTree(t, r, prev, cur, got)
			})
		}
		prev = cur
	}
}

// TestChangesUnsortedTree feeds a malformed tree whose entries are out of
// git's order; the comparison must still pair entries correctly.
func TestChangesUnsortedTree(t *testing.T) {
	r := newRepo(t, true)
	blob := func(s string) plumbing.Hash {
		return plumbing.NewHash(strings.TrimSpace(r.gitIn(s, "hash-object", "-w", "--stdin")))
	}
	b1, b2 := blob("1\n"), blob("2\n")
	rawTree := func(entries ...string) plumbing.Hash {
		var buf []byte
		for i := 0; i < len(entries); i += 2 {
			h := plumbing.NewHash(entries[i+1])
			buf = append(buf, []byte(entries[i])...)
			buf = append(buf, 0)
			buf = append(buf, h[:]...)
		}
		f := filepath.Join(t.TempDir(), "tree")
		if err := os.WriteFile(f, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		return plumbing.NewHash(strings.TrimSpace(r.git("hash-object", "-t", "tree", "-w", "--literally", f)))
	}
	sorted := rawTree("100644 a", b1.String(), "100644 b", b1.String(), "100644 c", b1.String())
	unsorted := rawTree("100644 c", b1.String(), "100644 a", b2.String(), "100644 b", b1.String())
	s := r.open()
	got, err := s.Changes(sorted, unsorted)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || short(got[0]) != "M a 100644>100644" {
		t.Errorf("Changes = %+v, want only a modified", got)
	}
}

func TestCompareEntries(t *testing.T) {
	type ent struct {
		name string
		mode filemode.FileMode
	}
	tests := []struct {
		a, b ent
		want int
	}{
		{ent{"a", filemode.Regular}, ent{"b", filemode.Regular}, -1},
		{ent{"a", filemode.Regular}, ent{"a", filemode.Regular}, 0},
		{ent{"a", filemode.Dir}, ent{"a", filemode.Dir}, 0},
		{ent{"a", filemode.Regular}, ent{"a", filemode.Dir}, -1},     // "a\0" < "a/"
		{ent{"a.txt", filemode.Regular}, ent{"a", filemode.Dir}, -1}, // '.' < '/'
		{ent{"a", filemode.Dir}, ent{"a0", filemode.Regular}, -1},    // '/' < '0'
		{ent{"a", filemode.Regular}, ent{"a.txt", filemode.Regular}, -1},
		{ent{"a", filemode.Submodule}, ent{"a", filemode.Regular}, 0}, // same kind: not a tree
	}
	for _, tc := range tests {
		if got := compareEntries([]byte(tc.a.name), tc.a.mode, []byte(tc.b.name), tc.b.mode); got != tc.want {
			t.Errorf("compareEntries(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := compareEntries([]byte(tc.b.name), tc.b.mode, []byte(tc.a.name), tc.a.mode); got != -tc.want {
			t.Errorf("compareEntries(%v, %v) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}
