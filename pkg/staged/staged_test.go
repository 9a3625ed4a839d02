package staged

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/internal/gittest"
	"github.com/pushguard/pushguard/pkg/gitstore"
)

// repo is a real work tree driven by git.
type repo struct {
	t   *testing.T
	dir string
	env []string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	dir, env := gittest.Init(t)
	return &repo{t: t, dir: dir, env: env}
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	return gittest.Run(r.t, r.dir, r.env, args...)
}

func (r *repo) write(name, content string, mode os.FileMode) {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		r.t.Fatal(err)
	}
}

// stage writes the staged tree and commit, and returns them.
func (r *repo) stage(indexFile string) (commit, tree plumbing.Hash, changed bool) {
	r.t.Helper()
	store, err := gitstore.Open(gitstore.Env{GitDir: r.dir})
	if err != nil {
		r.t.Fatal(err)
	}
	defer store.Close()
	var parent, parentTree plumbing.Hash
	if h, err := store.Resolve("HEAD"); err == nil {
		parent = h
		c, err := store.Commit(h)
		if err != nil {
			r.t.Fatal(err)
		}
		parentTree = c.Tree
	}
	scratch := r.t.TempDir()
	if indexFile == "" {
		indexFile = filepath.Join(r.dir, ".git", "index")
	}
	now := time.Unix(1700000000, 0)
	commit, changed, err = Write(Options{
		IndexFile: indexFile, ObjectDir: scratch, Parent: parent,
		Author:    gitstore.Person{Name: "A", Email: "a@example.com", When: now},
		Committer: gitstore.Person{Name: "A", Email: "a@example.com", When: now},
		Exists:    func(h plumbing.Hash) bool { _, err := store.ObjectType(h); return err == nil },
	}, parentTree)
	if err != nil {
		r.t.Fatal(err)
	}
	s2, err := gitstore.Open(gitstore.Env{GitDir: r.dir, ObjectDir: scratch})
	if err != nil {
		r.t.Fatal(err)
	}
	defer s2.Close()
	c, err := s2.Commit(commit)
	if err != nil {
		r.t.Fatalf("the staged commit cannot be read back: %v", err)
	}
	if !parent.IsZero() && (len(c.Parents) != 1 || c.Parents[0] != parent) {
		r.t.Fatalf("parents %v, want [%s]", c.Parents, parent)
	}
	return commit, c.Tree, changed
}

// TestTreeMatchesGit checks that the staged tree is the tree git itself
// writes from the same index (git write-tree), byte for byte, over the
// cases where git's tree format is subtle: nested directories, names that
// sort differently as directories ("a.b" against "a/"), executables,
// symbolic links, submodule gitlinks, removed files and `git add -N`.
func TestTreeMatchesGit(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hi\n", 0o644)
	r.write("a/b/c.txt", "c\n", 0o644)
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "init")
	if _, _, changed := r.stage(""); changed {
		t.Fatal("nothing staged, but the tree differs from HEAD's")
	}
	r.write("a.b", "dot\n", 0o644)
	r.write("a-b/x", "dash\n", 0o644)
	r.write("a/b/d.txt", "d\n", 0o644)
	r.write("a/z.sh", "#!/bin/sh\n", 0o755)
	r.write("deep/er/and/deeper/f", "f\n", 0o644)
	if err := os.Symlink("README.md", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.git("add", "-A")
	r.git("rm", "-q", "a/b/c.txt")
	r.git("update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("1", 40)+",sub")
	r.write("later.txt", "not yet\n", 0o644)
	r.git("add", "-N", "later.txt")
	want := plumbing.NewHash(strings.TrimSpace(r.gitNoIntent()))
	_, tree, changed := r.stage("")
	if tree != want {
		t.Fatalf("staged tree %s, git write-tree %s", tree, want)
	}
	if !changed {
		t.Fatal("changes staged, but reported unchanged")
	}
}

// gitNoIntent runs git write-tree, which leaves out intent-to-add entries.
func (r *repo) gitNoIntent() string { return r.git("write-tree") }

// TestAlternateIndex reads GIT_INDEX_FILE's index, as `git commit PATH`
// hands its hooks: only what that commit will hold.
func TestAlternateIndex(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "a\n", 0o644)
	r.git("add", "a.txt")
	r.git("commit", "-q", "-m", "init")
	r.write("b.txt", "b\n", 0o644)
	r.git("add", "b.txt")
	alt := filepath.Join(t.TempDir(), "index")
	r.env = append(r.env, "GIT_INDEX_FILE="+alt)
	r.git("read-tree", "HEAD")
	r.write("c.txt", "c\n", 0o644)
	r.git("add", "c.txt")
	want := plumbing.NewHash(r.git("write-tree"))
	_, tree, _ := r.stage(alt)
	if tree != want {
		t.Fatalf("tree of the alternate index %s, want %s", tree, want)
	}
}

// TestUnmerged refuses an index with conflicts, as an *Error.
func TestUnmerged(t *testing.T) {
	r := newRepo(t)
	r.write("f", "base\n", 0o644)
	r.git("add", "f")
	r.git("commit", "-q", "-m", "base")
	r.git("checkout", "-q", "-b", "other")
	r.write("f", "other\n", 0o644)
	r.git("commit", "-q", "-am", "other")
	r.git("checkout", "-q", "main")
	r.write("f", "main\n", 0o644)
	r.git("commit", "-q", "-am", "main")
	cmd := exec.Command("git", "merge", "-q", "other")
	cmd.Dir, cmd.Env = r.dir, r.env
	_ = cmd.Run() // conflicts: exits 1
	_, _, err := Write(Options{IndexFile: filepath.Join(r.dir, ".git", "index"), ObjectDir: t.TempDir()}, plumbing.ZeroHash)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "unmerged") {
		t.Fatalf("err = %v, want an unmerged-paths *Error", err)
	}
}
