package gitstore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// baseHistory is main: A - B - C.
func baseHistory() *history {
	h := newHistory()
	h.commit("A", 0, nil, put("a.txt", "a\n"), put("dir/b.txt", "b\n"))
	h.commit("B", 10, []string{"A"}, put("a.txt", "a2\n"))
	h.commit("C", 20, []string{"B"}, put("c.txt", "c\n"))
	h.ref("refs/heads/main", "C")
	return h
}

func TestOpen(t *testing.T) {
	bare := newRepo(t, true)
	bareIDs := baseHistory().load(bare)
	work := newRepo(t, false)
	workIDs := baseHistory().load(work)

	linked := filepath.Join(t.TempDir(), "linked")
	work.git("worktree", "add", "-q", "--detach", linked, "main")

	sha256Dir := filepath.Join(t.TempDir(), "sha256.git")
	runGit(t, "", bare.env, "", "init", "-q", "--bare", "--object-format=sha256", sha256Dir)

	reftable := newRepo(t, true)
	reftable.git("config", "core.repositoryformatversion", "1")
	reftable.git("config", "extensions.refStorage", "reftable")

	tests := []struct {
		name    string
		gitDir  string
		want    plumbing.Hash // commit C must be readable
		wantErr string
		wantIs  error
	}{
		{name: "bare", gitDir: bare.dir, want: bareIDs["C"]},
		{name: "non-bare .git", gitDir: work.gitDir, want: workIDs["C"]},
		{name: "non-bare work tree", gitDir: work.dir, want: workIDs["C"]},
		{name: "linked work tree (gitdir file, commondir)", gitDir: linked, want: workIDs["C"]},
		{name: "not a repository", gitDir: t.TempDir(), wantErr: "not a git repository"},
		{name: "sha256", gitDir: sha256Dir, wantErr: "sha256 object format", wantIs: ErrUnsupportedRepository},
		{name: "reftable", gitDir: reftable.dir, wantErr: "reftable", wantIs: ErrUnsupportedRepository},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(Env{GitDir: tc.gitDir})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Open error = %v, want one containing %q", err, tc.wantErr)
				}
				if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
					t.Errorf("error %v is not %v", err, tc.wantIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			c, err := s.Commit(tc.want)
			if err != nil {
				t.Fatalf("Commit(C): %v", err)
			}
			if c.Message != "C" {
				t.Errorf("message %q, want C", c.Message)
			}
		})
	}
}

func TestOpenRelativeGitDir(t *testing.T) {
	r := newRepo(t, true)
	ids := baseHistory().load(r)
	t.Chdir(r.dir)
	env, err := EnvFromGetenv(func(string) string { return "" }) // GIT_DIR defaults to "."
	if err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, env)
	if _, err := s.Commit(ids["C"]); err != nil {
		t.Fatal(err)
	}
	if s.GitDir() != canonicalPath(r.dir) && s.GitDir() != r.dir {
		t.Errorf("GitDir() = %q, want %q", s.GitDir(), r.dir)
	}
}

// quarantineFixture is a repository with main at C and, in a separate
// directory only, the objects of two new commits D and E on top of C.
type quarantineFixture struct {
	repo   *testRepo
	qdir   string
	ids    map[string]plumbing.Hash
	newTxt plumbing.Hash // blob of d.txt, only in qdir
}

// newQuarantine creates the fixture. layout is "loose", "packed" or
// "mixed" (D's objects packed, E's loose).
func newQuarantine(t *testing.T, layout string) *quarantineFixture {
	t.Helper()
	main := newRepo(t, true)
	ids := baseHistory().load(main)

	// A work clone makes the new commits; their objects are loose in it.
	work := &testRepo{t: t, dir: filepath.Join(t.TempDir(), "work"), env: main.env}
	runGit(t, "", work.env, "", "clone", "-q", "--no-local", main.dir, work.dir)
	work.gitDir = filepath.Join(work.dir, ".git")
	if err := os.WriteFile(filepath.Join(work.dir, "d.txt"), []byte("token=quarantined\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	work.git("add", "d.txt")
	work.gitWith([]string{"GIT_COMMITTER_DATE=@1700000100 +0000"}, "commit", "-q", "-m", "D")
	if err := os.WriteFile(filepath.Join(work.dir, "e.txt"), []byte("e\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	work.git("add", "e.txt")
	work.gitWith([]string{"GIT_COMMITTER_DATE=@1700000200 +0000"}, "commit", "-q", "-m", "E")
	ids["D"] = work.hash("HEAD~1")
	ids["E"] = work.hash("HEAD")

	qdir := filepath.Join(t.TempDir(), "incoming-elsewhere")
	if err := os.MkdirAll(qdir, 0o755); err != nil {
		t.Fatal(err)
	}
	objectsOf := func(rng ...string) []string {
		var hs []string
		for _, line := range strings.Split(strings.TrimSpace(work.git(append([]string{"rev-list", "--objects"}, rng...)...)), "\n") {
			h, _, _ := strings.Cut(line, " ")
			hs = append(hs, h)
		}
		return hs
	}
	copyLoose := func(hs []string) {
		for _, h := range hs {
			src := filepath.Join(work.gitDir, "objects", h[:2], h[2:])
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(qdir, h[:2], h[2:])
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o444); err != nil {
				t.Fatal(err)
			}
		}
	}
	pack := func(hs []string) {
		if err := os.MkdirAll(filepath.Join(qdir, "pack"), 0o755); err != nil {
			t.Fatal(err)
		}
		work.gitIn(strings.Join(hs, "\n")+"\n", "pack-objects", "-q", filepath.Join(qdir, "pack", "pack"))
	}
	dObjs := objectsOf(ids["D"].String(), "--not", ids["C"].String())
	eObjs := objectsOf(ids["E"].String(), "--not", ids["D"].String())
	switch layout {
	case "loose":
		copyLoose(append(dObjs, eObjs...))
	case "packed":
		pack(append(dObjs, eObjs...))
	case "mixed":
		pack(dObjs)
		copyLoose(eObjs)
	default:
		t.Fatalf("layout %q", layout)
	}
	f := &quarantineFixture{repo: main, qdir: qdir, ids: ids}
	f.newTxt = work.hash("HEAD:d.txt")
	if _, err := os.Stat(filepath.Join(main.dir, "objects", f.newTxt.String()[:2], f.newTxt.String()[2:])); err == nil {
		t.Fatal("fixture broken: new blob is in the main repository")
	}
	return f
}

func TestQuarantineObjectDir(t *testing.T) {
	for _, layout := range []string{"loose", "packed", "mixed"} {
		t.Run(layout, func(t *testing.T) {
			f := newQuarantine(t, layout)
			mainObjects := filepath.Join(f.repo.dir, "objects")
			tests := []struct {
				name    string
				env     Env
				wantErr bool
			}{
				{name: "GIT_OBJECT_DIRECTORY and alternates", env: Env{GitDir: f.repo.dir, ObjectDir: f.qdir, Alternates: []string{mainObjects}}},
				{name: "GIT_OBJECT_DIRECTORY only", env: Env{GitDir: f.repo.dir, ObjectDir: f.qdir}},
				{name: "without quarantine", env: Env{GitDir: f.repo.dir}, wantErr: true},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					s := mustOpen(t, tc.env)
					refs, err := s.Refs()
					if err != nil {
						t.Fatal(err)
					}
					var exclude []plumbing.Hash
					for _, r := range refs {
						exclude = append(exclude, r.Hash)
					}
					got, err := s.NewCommits([]plumbing.Hash{f.ids["E"]}, exclude)
					if tc.wantErr {
						var miss *MissingObjectError
						if !errors.As(err, &miss) || miss.Hash != f.ids["E"] || !strings.Contains(err.Error(), f.ids["E"].String()) {
							t.Fatalf("NewCommits error = %v, want a missing object error naming E %s", err, f.ids["E"])
						}
						if _, _, err := s.ReadBlob(f.newTxt, 0); !errors.Is(err, plumbing.ErrObjectNotFound) {
							t.Errorf("ReadBlob of a quarantined blob: err = %v, want not found", err)
						}
						return
					}
					if err != nil {
						t.Fatalf("NewCommits: %v", err)
					}
					want := []plumbing.Hash{f.ids["D"], f.ids["E"]}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("NewCommits mismatch (-want +got):\n%s", diff)
					}
					d, err := s.Commit(f.ids["D"])
					if err != nil {
						t.Fatal(err)
					}
					c, err := s.Commit(d.Parents[0])
					if err != nil {
						t.Fatal(err)
					}
					chs, err := s.Changes(c.Tree, d.Tree)
					if err != nil {
						t.Fatal(err)
					}
					if len(chs) != 1 || chs[0].Path != "d.txt" || chs[0].Status != Added {
						t.Fatalf("Changes = %+v, want d.txt added", chs)
					}
					b, _, err := s.ReadBlob(chs[0].NewHash, 0)
					if err != nil || string(b) != "token=quarantined\n" {
						t.Fatalf("ReadBlob = %q, %v", b, err)
					}
				})
			}
		})
	}
}

// TestNoQuarantineGuessing puts objects where go-git's dotgit would look
// for a quarantine by name; they must stay invisible.
func TestNoQuarantineGuessing(t *testing.T) {
	f := newQuarantine(t, "loose")
	for _, name := range []string{"tmp_objdir-incoming-decoy", "incoming-decoy", "ghq_decoy"} {
		t.Run(name, func(t *testing.T) {
			decoy := filepath.Join(f.repo.dir, "objects", name)
			if err := os.Rename(f.qdir, decoy); err != nil {
				t.Fatal(err)
			}
			defer os.Rename(decoy, f.qdir)
			s := mustOpen(t, Env{GitDir: f.repo.dir})
			if _, err := s.Commit(f.ids["E"]); !errors.Is(err, plumbing.ErrObjectNotFound) {
				t.Fatalf("Commit(E) error = %v, want not found (no guessing)", err)
			}
			s2 := mustOpen(t, Env{GitDir: f.repo.dir, ObjectDir: decoy})
			if _, err := s2.Commit(f.ids["E"]); err != nil {
				t.Fatalf("with ObjectDir set: %v", err)
			}
		})
	}
}

func TestObjectDirMustExist(t *testing.T) {
	r := newRepo(t, true)
	_, err := Open(Env{GitDir: r.dir, ObjectDir: filepath.Join(r.dir, "objects", "tmp_objdir-gone")})
	if err == nil || !strings.Contains(err.Error(), "GIT_OBJECT_DIRECTORY") {
		t.Fatalf("Open error = %v, want a GIT_OBJECT_DIRECTORY error", err)
	}
}

func TestAlternates(t *testing.T) {
	// origin holds A-B-C; every other repository reaches them only through
	// some alternate and holds commit N (on C) itself.
	origin := newRepo(t, true)
	ids := baseHistory().load(origin)
	originObjects := filepath.Join(origin.dir, "objects")

	// makeChild creates a bare repo whose info/alternates holds
	// alternates(its objects dir), and commits N there with plumbing (N's
	// objects land in the child only).
	makeChild := func(t *testing.T, alternates func(objects string) string, env []string) (*testRepo, plumbing.Hash) {
		t.Helper()
		c := newRepo(t, true)
		if alternates != nil {
			content := alternates(filepath.Join(c.dir, "objects"))
			if err := os.WriteFile(filepath.Join(c.dir, "objects", "info", "alternates"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		full := append(append([]string(nil), c.env...), env...)
		blob := strings.TrimSpace(runGit(t, c.dir, full, "n\n", "hash-object", "-w", "--stdin"))
		base := strings.TrimSpace(runGit(t, c.dir, full, "", "rev-parse", ids["C"].String()+"^{tree}"))
		ls := runGit(t, c.dir, full, "", "ls-tree", base)
		tree := strings.TrimSpace(runGit(t, c.dir, full, ls+"100644 blob "+blob+"\tn.txt\n", "mktree"))
		n := strings.TrimSpace(runGit(t, c.dir, full, "", "commit-tree", tree, "-p", ids["C"].String(), "-m", "N"))
		return c, plumbing.NewHash(n)
	}
	fixed := func(content string) func(string) string {
		return func(string) string { return content }
	}

	t.Run("info/alternates absolute", func(t *testing.T) {
		c, n := makeChild(t, fixed(originObjects+"\n"), nil)
		checkAlternateReach(t, mustOpen(t, Env{GitDir: c.dir}), ids, n)
	})
	relative := func(t *testing.T) func(string) string {
		return func(objects string) string {
			rel, err := filepath.Rel(objects, originObjects)
			if err != nil || !strings.HasPrefix(rel, "..") {
				t.Fatalf("want a relative path going up, got %q, %v", rel, err)
			}
			return "# shared\n" + rel + "\n"
		}
	}
	// chdirElsewhere moves the process to a directory at another depth, so
	// that a relative entry wrongly resolved against it cannot land on the
	// right place by chance.
	chdirElsewhere := func(t *testing.T) {
		d := filepath.Join(t.TempDir(), "a", "b", "c", "d", "e", "f", "g")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Chdir(d)
	}
	t.Run("info/alternates relative to the objects dir", func(t *testing.T) {
		c, n := makeChild(t, relative(t), nil)
		chdirElsewhere(t)
		checkAlternateReach(t, mustOpen(t, Env{GitDir: c.dir}), ids, n)
	})
	t.Run("info/alternates relative to the real path of a symlinked repo", func(t *testing.T) {
		c, n := makeChild(t, relative(t), nil)
		link := filepath.Join(t.TempDir(), "x", "y", "link.git")
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(c.dir, link); err != nil {
			t.Fatal(err)
		}
		chdirElsewhere(t)
		// git resolves the entry against realpath(objects dir), not
		// lexically against the symlinked path.
		checkAlternateReach(t, mustOpen(t, Env{GitDir: link}), ids, n)
	})
	t.Run("nested alternates", func(t *testing.T) {
		mid, _ := makeChild(t, fixed(originObjects+"\n"), nil)
		c, n := makeChild(t, fixed(filepath.Join(mid.dir, "objects")+"\n"), nil)
		s := mustOpen(t, Env{GitDir: c.dir})
		checkAlternateReach(t, s, ids, n)
		if got := len(s.ObjectDirs()); got != 3 {
			t.Errorf("ObjectDirs() = %v, want 3 directories", s.ObjectDirs())
		}
	})
	t.Run("missing alternate is skipped", func(t *testing.T) {
		c, n := makeChild(t, fixed("/nonexistent/objects\n"+originObjects+"\n"), nil)
		checkAlternateReach(t, mustOpen(t, Env{GitDir: c.dir}), ids, n)
	})
	t.Run("env alternates", func(t *testing.T) {
		c, n := makeChild(t, nil, []string{"GIT_ALTERNATE_OBJECT_DIRECTORIES=" + originObjects})
		checkAlternateReach(t, mustOpen(t, Env{GitDir: c.dir, Alternates: []string{originObjects, originObjects}}), ids, n)
		// Without the alternate, the base history is missing.
		s := mustOpen(t, Env{GitDir: c.dir})
		if _, err := s.NewCommits([]plumbing.Hash{n}, nil); !errors.Is(err, plumbing.ErrObjectNotFound) ||
			!strings.Contains(err.Error(), ids["C"].String()) {
			t.Fatalf("NewCommits without alternate: err = %v, want missing C", err)
		}
	})
	t.Run("env alternates relative to the working directory", func(t *testing.T) {
		c, n := makeChild(t, nil, []string{"GIT_ALTERNATE_OBJECT_DIRECTORIES=" + originObjects})
		t.Chdir(filepath.Dir(origin.dir))
		env, err := EnvFromGetenv(func(k string) string {
			return map[string]string{
				"GIT_DIR":                          c.dir,
				"GIT_ALTERNATE_OBJECT_DIRECTORIES": filepath.Join(filepath.Base(origin.dir), "objects"),
			}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		checkAlternateReach(t, mustOpen(t, env), ids, n)
	})
}

// checkAlternateReach checks that s reads N (local) and A, B, C (through
// alternates).
func checkAlternateReach(t *testing.T, s *Store, ids map[string]plumbing.Hash, n plumbing.Hash) {
	t.Helper()
	got, err := s.NewCommits([]plumbing.Hash{n}, nil)
	if err != nil {
		t.Fatalf("NewCommits: %v (object dirs %v)", err, s.ObjectDirs())
	}
	want := []plumbing.Hash{ids["A"], ids["B"], ids["C"], n}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewCommits mismatch (-want +got):\n%s", diff)
	}
}

func TestRefs(t *testing.T) {
	r := newRepo(t, false)
	h := baseHistory()
	h.tag("v1", "B", "release 1", 15)
	ids := h.load(r)
	r.git("update-ref", "refs/heads/topic", ids["A"].String())
	r.git("pack-refs", "--all")
	// After packing: a loose ref overriding a packed one, a new loose ref,
	// a symbolic ref, a stale lock file, and a detached HEAD.
	r.git("update-ref", "refs/heads/topic", ids["B"].String())
	r.git("update-ref", "refs/heads/feature/x", ids["C"].String())
	r.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/heads/main")
	if err := os.WriteFile(filepath.Join(r.gitDir, "refs", "heads", "main.lock"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.git("checkout", "-q", "--detach", ids["A"].String())

	s := r.open()
	got, err := s.Refs()
	if err != nil {
		t.Fatal(err)
	}
	// Oracle: git for-each-ref (which skips nothing but symbolic refs are
	// shown resolved, so filter them) plus the detached HEAD.
	var want []Ref
	for _, line := range strings.Split(strings.TrimSpace(r.git("for-each-ref", "--format=%(refname) %(objectname) %(symref)")), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 {
			continue // symbolic
		}
		want = append(want, Ref{Name: f[0], Hash: plumbing.NewHash(f[1])})
	}
	want = append([]Ref{{Name: "HEAD", Hash: ids["A"]}}, want...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Refs mismatch (-want +got):\n%s", diff)
	}
	for _, ref := range got {
		if ref.Name == "refs/heads/topic" && ref.Hash != ids["B"] {
			t.Errorf("loose ref must win over packed: topic = %s", ref.Hash)
		}
	}

	resolveTests := []struct {
		rev  string
		want plumbing.Hash
	}{
		{"HEAD", ids["A"]},
		{"main", ids["C"]},
		{"refs/heads/main", ids["C"]},
		{"topic", ids["B"]},
		{"feature/x", ids["C"]},
		{"origin/HEAD", ids["C"]},
		{"v1", r.hash("refs/tags/v1")},
		{ids["B"].String(), ids["B"]},
	}
	for _, tc := range resolveTests {
		got, err := s.Resolve(tc.rev)
		if err != nil || got != tc.want {
			t.Errorf("Resolve(%q) = %s, %v; want %s", tc.rev, got, err, tc.want)
		}
	}
	for _, bad := range []string{"nope", "main~1", "", strings.Repeat("0", 40)} {
		if h, err := s.Resolve(bad); err == nil {
			t.Errorf("Resolve(%q) = %s, want an error", bad, h)
		}
	}
}

func TestCommitAndTagFacts(t *testing.T) {
	r := newRepo(t, true)
	ids := baseHistory().load(r)
	tree := r.hash(ids["C"].String() + "^{tree}")

	sig := "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n"
	raw := "tree " + tree.String() + "\n" +
		"parent " + ids["C"].String() + "\n" +
		"parent " + ids["A"].String() + "\n" +
		"author Jane Doe <jane@example.com> 1700000300 +0200\n" +
		"committer Bot <bot@example.com> 1700000400 -0130\n" +
		sig + "\n" +
		"Subject line\n\nBody.\n\nCo-authored-by: X <x@example.com>\n"
	signed := plumbing.NewHash(strings.TrimSpace(r.gitIn(raw, "hash-object", "-t", "commit", "-w", "--stdin")))

	tagRaw := "object " + signed.String() + "\ntype commit\ntag v2\ntagger Rel Eng <rel@example.com> 1700000500 +0000\n\n" +
		"Release 2\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n"
	signedTag := plumbing.NewHash(strings.TrimSpace(r.gitIn(tagRaw, "hash-object", "-t", "tag", "-w", "--stdin")))

	s := r.open()
	commitTests := []struct {
		name string
		h    plumbing.Hash
		want Commit
	}{
		{
			name: "signed merge",
			h:    signed,
			want: Commit{
				Hash: signed, Tree: tree, Parents: []plumbing.Hash{ids["C"], ids["A"]},
				Author:    Person{"Jane Doe", "jane@example.com", time.Unix(1700000300, 0).In(time.FixedZone("", 2*3600))},
				Committer: Person{"Bot", "bot@example.com", time.Unix(1700000400, 0).In(time.FixedZone("", -90*60))},
				Message:   "Subject line\n\nBody.\n\nCo-authored-by: X <x@example.com>\n",
				Signed:    true,
			},
		},
		{
			name: "root, unsigned",
			h:    ids["A"],
			want: Commit{
				Hash: ids["A"], Tree: r.hash(ids["A"].String() + "^{tree}"),
				Author:    Person{"A U Thor", "author@example.com", time.Unix(baseTime, 0).UTC()},
				Committer: Person{"C O Mitter", "committer@example.com", time.Unix(baseTime, 0).UTC()},
				Message:   "A", // fast-import data without a final newline
			},
		},
	}
	timeEq := cmp.Comparer(func(a, b time.Time) bool {
		_, oa := a.Zone()
		_, ob := b.Zone()
		return a.Equal(b) && oa == ob
	})
	for _, tc := range commitTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Commit(tc.h)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tc.want, got, timeEq); diff != "" {
				t.Errorf("Commit mismatch (-want +got):\n%s", diff)
			}
		})
	}

	gotTag, err := s.Tag(signedTag)
	if err != nil {
		t.Fatal(err)
	}
	wantTag := &Tag{
		Hash: signedTag, Name: "v2", Target: signed, TargetType: plumbing.CommitObject,
		Tagger:  Person{"Rel Eng", "rel@example.com", time.Unix(1700000500, 0).UTC()},
		Message: "Release 2\n", Signed: true,
	}
	if diff := cmp.Diff(wantTag, gotTag, timeEq); diff != "" {
		t.Errorf("Tag mismatch (-want +got):\n%s", diff)
	}

	// Wrong types are errors naming the object.
	if _, err := s.Commit(tree); err == nil || !strings.Contains(err.Error(), "is a tree, not a commit") {
		t.Errorf("Commit(tree) error = %v", err)
	}
	if _, err := s.Tag(signed); err == nil || !strings.Contains(err.Error(), signed.String()) {
		t.Errorf("Tag(commit) error = %v", err)
	}
}

func TestPeel(t *testing.T) {
	r := newRepo(t, false)
	ids := baseHistory().load(r)
	r.git("checkout", "-q", "main")
	r.git("tag", "-a", "inner", "-m", "inner", ids["B"].String())
	r.git("tag", "-a", "outer", "-m", "outer", "inner")
	r.git("tag", "-a", "treetag", "-m", "tree", ids["C"].String()+"^{tree}")
	r.git("tag", "-a", "blobtag", "-m", "blob", ids["C"].String()+":c.txt")
	s := r.open()

	tests := []struct {
		name     string
		h        plumbing.Hash
		want     plumbing.Hash
		wantType plumbing.ObjectType
		wantTags []string
	}{
		{"commit is itself", ids["C"], ids["C"], plumbing.CommitObject, nil},
		{"tag", r.hash("refs/tags/inner"), ids["B"], plumbing.CommitObject, []string{"inner"}},
		{"nested tags, outermost first", r.hash("refs/tags/outer"), ids["B"], plumbing.CommitObject, []string{"outer", "inner"}},
		{"tag of a tree", r.hash("refs/tags/treetag"), r.hash(ids["C"].String() + "^{tree}"), plumbing.TreeObject, []string{"treetag"}},
		{"tag of a blob", r.hash("refs/tags/blobtag"), r.hash(ids["C"].String() + ":c.txt"), plumbing.BlobObject, []string{"blobtag"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, typ, tags, err := s.Peel(tc.h)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tg := range tags {
				names = append(names, tg.Name)
			}
			if got != tc.want || typ != tc.wantType || !cmp.Equal(names, tc.wantTags) {
				t.Errorf("Peel = %s %s %v, want %s %s %v", got, typ, names, tc.want, tc.wantType, tc.wantTags)
			}
			ot, err := s.ObjectType(tc.h)
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.wantTags) > 0 && ot != plumbing.TagObject {
				t.Errorf("ObjectType = %s, want tag", ot)
			}
		})
	}
}

func TestMissingObject(t *testing.T) {
	r := newRepo(t, true)
	ids := baseHistory().load(r)
	ghost := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	tree := r.hash(ids["C"].String() + "^{tree}")
	orphanRaw := "tree " + tree.String() + "\nparent " + ghost.String() +
		"\nauthor A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000000 +0000\n\norphan\n"
	orphan := plumbing.NewHash(strings.TrimSpace(r.gitIn(orphanRaw, "hash-object", "-t", "commit", "-w", "--stdin", "--literally")))
	s := r.open()

	tests := []struct {
		name string
		call func() error
	}{
		{"Commit", func() error { _, err := s.Commit(ghost); return err }},
		{"Tag", func() error { _, err := s.Tag(ghost); return err }},
		{"ObjectType", func() error { _, err := s.ObjectType(ghost); return err }},
		{"Peel", func() error { _, _, _, err := s.Peel(ghost); return err }},
		{"BlobSize", func() error { _, err := s.BlobSize(ghost); return err }},
		{"ReadBlob", func() error { _, _, err := s.ReadBlob(ghost, 0); return err }},
		{"Changes old tree", func() error { _, err := s.Changes(ghost, tree); return err }},
		{"Changes new tree", func() error { _, err := s.Changes(tree, ghost); return err }},
		{"NewCommits tip", func() error { _, err := s.NewCommits([]plumbing.Hash{ghost}, nil); return err }},
		{"NewCommits exclude", func() error { _, err := s.NewCommits([]plumbing.Hash{ids["C"]}, []plumbing.Hash{ghost}); return err }},
		{"NewCommits missing parent", func() error {
			_, err := s.NewCommits([]plumbing.Hash{orphan}, []plumbing.Hash{ids["C"]})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var miss *MissingObjectError
			if !errors.As(err, &miss) || miss.Hash != ghost {
				t.Fatalf("error = %v, want MissingObjectError for %s", err, ghost)
			}
			if !errors.Is(err, plumbing.ErrObjectNotFound) || !strings.Contains(err.Error(), ghost.String()) {
				t.Errorf("error %q must name the hash and match plumbing.ErrObjectNotFound", err)
			}
		})
	}
}

func TestReadBlob(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef\n"), 150_000) // ~2.5 MB, above largeObjectThreshold
	bigEdited := append(append([]byte(nil), big...), []byte("tail line\n")...)
	small := []byte("hello, world\n")

	for _, layout := range []string{"loose", "packed"} {
		t.Run(layout, func(t *testing.T) {
			r := newRepo(t, true)
			write := func(b []byte) plumbing.Hash {
				return plumbing.NewHash(strings.TrimSpace(r.gitIn(string(b), "hash-object", "-w", "--stdin")))
			}
			hs := map[string]plumbing.Hash{"small": write(small), "big": write(big), "bigEdited": write(bigEdited), "empty": write(nil)}
			contents := map[string][]byte{"small": small, "big": big, "bigEdited": bigEdited, "empty": {}}
			if layout == "packed" {
				var list []string
				for _, h := range hs {
					list = append(list, h.String())
				}
				// --window makes bigEdited a delta of big.
				r.gitIn(strings.Join(list, "\n")+"\n", "pack-objects", "-q", "--window=10", filepath.Join(r.dir, "objects", "pack", "pack"))
				r.git("prune-packed")
				if out := r.git("count-objects", "-v"); !strings.Contains(out, "count: 0\n") {
					t.Fatalf("objects still loose:\n%s", out)
				}
			}
			s := r.open()
			tests := []struct {
				blob          string
				limit         int64
				wantLen       int
				wantTruncated bool
			}{
				{"small", 0, len(small), false},
				{"small", -1, len(small), false},
				{"small", 5, 5, true},
				{"small", int64(len(small)), len(small), false},
				{"small", int64(len(small)) + 1, len(small), false},
				{"empty", 0, 0, false},
				{"empty", 3, 0, false},
				{"big", 0, len(big), false},
				{"big", 1000, 1000, true},
				{"big", int64(len(big)), len(big), false},
				{"bigEdited", 0, len(bigEdited), false},
				{"bigEdited", int64(len(big)), len(big), true},
			}
			for _, tc := range tests {
				got, truncated, err := s.ReadBlob(hs[tc.blob], tc.limit)
				if err != nil {
					t.Fatalf("ReadBlob(%s, %d): %v", tc.blob, tc.limit, err)
				}
				if len(got) != tc.wantLen || truncated != tc.wantTruncated || !bytes.Equal(got, contents[tc.blob][:tc.wantLen]) {
					t.Errorf("ReadBlob(%s, %d) = %d bytes, truncated %v; want %d, %v", tc.blob, tc.limit, len(got), truncated, tc.wantLen, tc.wantTruncated)
				}
				size, err := s.BlobSize(hs[tc.blob])
				if err != nil || size != int64(len(contents[tc.blob])) {
					t.Errorf("BlobSize(%s) = %d, %v; want %d", tc.blob, size, err, len(contents[tc.blob]))
				}
			}
			// The returned slice belongs to the caller: scribbling on it
			// must not change what the next read returns.
			b, _, _ := s.ReadBlob(hs["small"], 0)
			copy(b, "XXXX")
			b2, _, _ := s.ReadBlob(hs["small"], 0)
			if !bytes.Equal(b2, small) {
				t.Errorf("ReadBlob after modifying a previous result = %q", b2)
			}
			// Not a blob.
			tree := plumbing.NewHash(strings.TrimSpace(r.gitIn("100644 blob "+hs["small"].String()+"\tf\n", "mktree")))
			if _, _, err := s.ReadBlob(tree, 0); err == nil || !strings.Contains(err.Error(), "not a blob") {
				t.Errorf("ReadBlob(tree) error = %v", err)
			}
			if _, err := s.BlobSize(tree); err == nil || !strings.Contains(err.Error(), "not a blob") {
				t.Errorf("BlobSize(tree) error = %v", err)
			}
		})
	}
}

// TestReadOnly runs every read operation and checks that no file of the
// repository changed.
func TestReadOnly(t *testing.T) {
	f := newQuarantine(t, "mixed")
	before := snapshot(t, f.repo.dir)
	beforeQ := snapshot(t, f.qdir)

	s := mustOpen(t, Env{GitDir: f.repo.dir, ObjectDir: f.qdir, Alternates: []string{filepath.Join(f.repo.dir, "objects")}})
	if _, err := s.Refs(); err != nil {
		t.Fatal(err)
	}
	hs, err := s.NewCommits([]plumbing.Hash{f.ids["E"]}, []plumbing.Hash{f.ids["C"]})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		c, err := s.Commit(h)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Commit(c.Parents[0])
		if err != nil {
			t.Fatal(err)
		}
		chs, err := s.Changes(p.Tree, c.Tree)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range chs {
			if _, _, err := s.ReadBlob(ch.NewHash, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, _ = s.Commit(plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")) // a miss re-lists packs
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, snapshot(t, f.repo.dir)); diff != "" {
		t.Errorf("repository changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(beforeQ, snapshot(t, f.qdir)); diff != "" {
		t.Errorf("quarantine changed (-before +after):\n%s", diff)
	}
}

// TestConcurrentUse exercises the Store from several goroutines (run with
// -race).
func TestConcurrentUse(t *testing.T) {
	r := newRepo(t, true)
	ids := baseHistory().load(r)
	s := r.open()
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			for j := 0; j < 20; j++ {
				c, err := s.Commit(ids["C"])
				if err != nil {
					done <- err
					return
				}
				if _, err := s.Changes(plumbing.ZeroHash, c.Tree); err != nil {
					done <- err
					return
				}
				if _, err := s.NewCommits([]plumbing.Hash{ids["C"]}, []plumbing.Hash{ids["A"]}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestConcurrentRepack repacks the repository while a Store is open: packs
// it listed disappear (one already open, one not yet opened) and objects
// written after it listed the packs move into a new pack.
func TestConcurrentRepack(t *testing.T) {
	r := newRepo(t, true)
	ids := baseHistory().loadPacked(r) // pack 1
	h := newHistory()
	h.commit("early", 50, nil, put("early.txt", "early\n"))
	early := h.loadPacked(r)["early"] // pack 2
	r.git("update-ref", "refs/heads/early", early.String())

	if out := r.git("count-objects", "-v"); !strings.Contains(out, "count: 0\n") || !strings.Contains(out, "packs: 2\n") {
		t.Fatalf("want two packs:\n%s", out)
	}
	s := r.open()
	if _, err := s.Commit(ids["A"]); err != nil { // lists both packs, opens pack 1
		t.Fatal(err)
	}
	h = newHistory()
	h.commit("late", 100, nil, put("late.txt", "late\n"))
	late := h.loadPacked(r)["late"] // pack 3, unknown to the Store
	r.git("update-ref", "refs/heads/late", late.String())
	r.git("repack", "-a", "-d", "-q") // packs 1-3 replaced by pack 4
	if out := r.git("count-objects", "-v"); !strings.Contains(out, "count: 0\n") || !strings.Contains(out, "packs: 1\n") {
		t.Fatalf("want everything in one new pack:\n%s", out)
	}
	tests := []struct {
		name string
		h    plumbing.Hash
	}{
		{"in the open, deleted pack", ids["C"]},
		{"in a listed pack deleted before it was opened", early},
		{"in a pack written after listing", late},
	}
	for _, tc := range tests {
		if _, err := s.Commit(tc.h); err != nil {
			t.Errorf("%s: Commit: %v", tc.name, err)
		}
	}
}
