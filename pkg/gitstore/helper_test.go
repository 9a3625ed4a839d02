package gitstore

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// baseTime is the fixed date of test commits (2023-11-14T22:13:20Z).
const baseTime = 1700000000

// gitEnv is a deterministic environment for the git CLI: no system or
// user config, fixed identities and dates, no inherited GIT_* variables.
func gitEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	date := fmt.Sprintf("@%d +0000", baseTime)
	return append(env,
		"HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=A U Thor", "GIT_AUTHOR_EMAIL=author@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=C O Mitter", "GIT_COMMITTER_EMAIL=committer@example.com", "GIT_COMMITTER_DATE="+date,
		"LC_ALL=C",
	)
}

// testRepo is a repository made with the git CLI in a temporary directory.
type testRepo struct {
	t      testing.TB
	dir    string // work tree, or the repository itself when bare
	gitDir string
	env    []string
}

// newRepo runs git init (bare or not) in a fresh temporary directory.
func newRepo(t testing.TB, bare bool) *testRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not available")
	}
	home := t.TempDir()
	dir := filepath.Join(t.TempDir(), "repo")
	r := &testRepo{t: t, dir: dir, gitDir: dir, env: gitEnv(home)}
	args := []string{"init", "-q", "-b", "main"}
	if bare {
		args = append(args, "--bare")
	} else {
		r.gitDir = filepath.Join(dir, ".git")
	}
	runGit(t, "", r.env, "", append(args, dir)...)
	return r
}

// runGit runs git in dir and returns its standard output; it fails the test
// on error.
func runGit(t testing.TB, dir string, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// git runs a git command in the repository.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return runGit(r.t, r.dir, r.env, "", args...)
}

// gitIn runs a git command with stdin.
func (r *testRepo) gitIn(stdin string, args ...string) string {
	r.t.Helper()
	return runGit(r.t, r.dir, r.env, stdin, args...)
}

// gitWith runs a git command with extra environment variables.
func (r *testRepo) gitWith(extra []string, args ...string) string {
	r.t.Helper()
	return runGit(r.t, r.dir, append(append([]string(nil), r.env...), extra...), "", args...)
}

// hash resolves a revision with git rev-parse.
func (r *testRepo) hash(rev string) plumbing.Hash {
	r.t.Helper()
	return plumbing.NewHash(strings.TrimSpace(r.git("rev-parse", "--verify", rev)))
}

// open opens the repository with only GIT_DIR set.
func (r *testRepo) open() *Store {
	r.t.Helper()
	return mustOpen(r.t, Env{GitDir: r.gitDir})
}

func mustOpen(t testing.TB, env Env) *Store {
	t.Helper()
	s, err := Open(env)
	if err != nil {
		t.Fatalf("Open(%+v): %v", env, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// op is one file operation of a fast-import commit.
type op struct {
	kind byte // 'M' modify, 'D' delete
	mode string
	path string
	data string // inline content
}

func put(path, content string) op    { return op{'M', "100644", path, content} }
func putExe(path, content string) op { return op{'M', "100755", path, content} }
func symlink(path, target string) op { return op{'M', "120000", path, target} }
func del(path string) op             { return op{'D', "", path, ""} }

// history builds a git fast-import stream. Commits are named; refs are set
// at the end.
type history struct {
	b     strings.Builder
	marks map[string]int
	refs  map[string]string // ref -> commit name
	next  int
}

func newHistory() *history {
	return &history{marks: make(map[string]int), refs: make(map[string]string), next: 1}
}

func fiData(b *strings.Builder, s string) {
	fmt.Fprintf(b, "data %d\n%s\n", len(s), s)
}

// commit adds a commit with the given committer time (seconds after
// baseTime), parents (by name) and file operations. Without parents it is a
// root commit with an empty tree plus ops.
func (h *history) commit(name string, when int64, parents []string, ops ...op) {
	if _, dup := h.marks[name]; dup {
		panic("duplicate commit name " + name)
	}
	mark := h.next
	h.next++
	h.marks[name] = mark
	b := &h.b
	b.WriteString("reset refs/fi/tmp\n")
	b.WriteString("commit refs/fi/tmp\n")
	fmt.Fprintf(b, "mark :%d\n", mark)
	fmt.Fprintf(b, "author A U Thor <author@example.com> %d +0000\n", baseTime+when)
	fmt.Fprintf(b, "committer C O Mitter <committer@example.com> %d +0000\n", baseTime+when)
	fiData(b, name)
	for i, p := range parents {
		m, ok := h.marks[p]
		if !ok {
			panic("unknown parent " + p)
		}
		if i == 0 {
			fmt.Fprintf(b, "from :%d\n", m)
		} else {
			fmt.Fprintf(b, "merge :%d\n", m)
		}
	}
	for _, o := range ops {
		switch {
		case o.kind == 'D':
			fmt.Fprintf(b, "D %s\n", o.path)
		default:
			fmt.Fprintf(b, "M %s inline %s\n", o.mode, o.path)
			fiData(b, o.data)
		}
	}
	b.WriteString("\n")
}

// tag adds an annotated tag refs/tags/<name> on commit target.
func (h *history) tag(name, target, msg string, when int64) {
	fmt.Fprintf(&h.b, "tag %s\nfrom :%d\ntagger T Agger <tagger@example.com> %d +0000\n", name, h.marks[target], baseTime+when)
	fiData(&h.b, msg)
}

// ref points ref at the named commit.
func (h *history) ref(ref, commit string) { h.refs[ref] = commit }

// load runs git fast-import in r and returns the hashes of the commits by
// name. Like git, fast-import leaves fewer than 100 objects loose.
func (h *history) load(r *testRepo) map[string]plumbing.Hash {
	r.t.Helper()
	return h.loadWith(r)
}

// loadPacked is load writing a pack whatever the number of objects.
func (h *history) loadPacked(r *testRepo) map[string]plumbing.Hash {
	r.t.Helper()
	return h.loadWith(r, "-c", "fastimport.unpackLimit=0")
}

func (h *history) loadWith(r *testRepo, gitOpts ...string) map[string]plumbing.Hash {
	r.t.Helper()
	stream := h.b.String()
	refNames := make([]string, 0, len(h.refs))
	for ref := range h.refs {
		refNames = append(refNames, ref)
	}
	sort.Strings(refNames)
	var tail strings.Builder
	for _, ref := range refNames {
		fmt.Fprintf(&tail, "reset %s\nfrom :%d\n\n", ref, h.marks[h.refs[ref]])
	}
	marksFile := filepath.Join(r.t.TempDir(), "marks")
	r.gitIn(stream+tail.String(), append(gitOpts, "fast-import", "--quiet", "--export-marks="+marksFile)...)
	if len(h.marks) > 0 {
		r.git("update-ref", "-d", "refs/fi/tmp")
	}
	f, err := os.Open(marksFile)
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	byMark := make(map[int]plumbing.Hash)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m, sha, _ := strings.Cut(sc.Text(), " ")
		n, err := strconv.Atoi(strings.TrimPrefix(m, ":"))
		if err != nil {
			r.t.Fatalf("marks line %q", sc.Text())
		}
		byMark[n] = plumbing.NewHash(sha)
	}
	out := make(map[string]plumbing.Hash, len(h.marks))
	for name, m := range h.marks {
		out[name] = byMark[m]
	}
	return out
}

// snapshot records every file under dir with size, mode and modification
// time, to prove the Store writes nothing.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		out[path] = fmt.Sprintf("%d %v %d", fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
