package benchrepo

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	gen := func(o Options) []byte {
		var b bytes.Buffer
		if _, err := Generate(&b, o); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a := gen(Options{Seed: 7, Commits: 300, Refs: 20})
	if b := gen(Options{Seed: 7, Commits: 300, Refs: 20}); !bytes.Equal(a, b) {
		t.Fatal("same options gave different streams")
	}
	if c := gen(Options{Seed: 8, Commits: 300, Refs: 20}); bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same stream")
	}
}

// gitInt runs a git command that prints one number.
func gitInt(t *testing.T, dir string, args ...string) int {
	t.Helper()
	out, err := Git(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("git %v: %q is not a number", args, out)
	}
	return n
}

func TestCreate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git fast-import")
	}
	tests := []struct {
		name string
		o    Options
	}{
		{"small", Options{Seed: 1, Commits: 400}},
		{"refs", Options{Seed: 2, Commits: 200, Refs: 300}},
		{"large", Options{Seed: 3, Commits: 800, Large: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "r.git")
			st, err := Create(dir, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := gitInt(t, dir, "rev-list", "--all", "--count"); got != st.Commits {
				t.Errorf("repository has %d commits, generator reports %d", got, st.Commits)
			}
			if got := gitInt(t, dir, "rev-list", "--count", "main"); got < tc.o.Commits {
				t.Errorf("main has %d commits, want at least %d", got, tc.o.Commits)
			}
			if got := gitInt(t, dir, "rev-list", "--all", "--merges", "--count"); got != st.Merges || got == 0 {
				t.Errorf("repository has %d merges, generator reports %d (want > 0)", got, st.Merges)
			}
			if st.Renames == 0 || st.Binaries == 0 || st.AITrailers == 0 {
				t.Errorf("history lacks variety: %+v", st)
			}
			if tc.o.Large && st.Large == 0 {
				t.Errorf("no large file: %+v", st)
			}
			refs, err := Git(dir, "for-each-ref", "--format=%(refname)", "refs/heads/r/")
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(refs, "\n"); got != tc.o.Refs {
				t.Errorf("%d extra refs, want %d", got, tc.o.Refs)
			}
			if _, err := Git(dir, "fsck", "--no-progress", "--connectivity-only"); err != nil {
				t.Error(err)
			}
			// Same options, same commit ids.
			again := filepath.Join(t.TempDir(), "again.git")
			if _, err := Create(again, tc.o); err != nil {
				t.Fatal(err)
			}
			a, _ := Git(dir, "rev-parse", "main")
			b, _ := Git(again, "rev-parse", "main")
			if a != b {
				t.Errorf("main is %s, then %s: not deterministic", a, b)
			}
		})
	}
	if _, err := Create(filepath.Join(t.TempDir()), Options{Commits: 1}); err == nil {
		t.Error("Create over an existing directory succeeded")
	}
}
