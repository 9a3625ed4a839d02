package hook

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// quarantine is a directory receiving a simulated push's objects, as git
// receive-pack's quarantine does during pre-receive.
func (r *repo) quarantine() string {
	r.t.Helper()
	q := filepath.Join(r.t.TempDir(), "incoming")
	if err := os.MkdirAll(filepath.Join(q, "pack"), 0o755); err != nil {
		r.t.Fatal(err)
	}
	return q
}

// pushCommit is commit writing the new objects into the quarantine q.
func (r *repo) pushCommit(q, parent, msg string, files map[string]string) string {
	r.t.Helper()
	saved := r.env
	r.env = append(append([]string(nil), saved...), "GIT_OBJECT_DIRECTORY="+q,
		"GIT_ALTERNATE_OBJECT_DIRECTORIES="+filepath.Join(r.dir, ".git", "objects"))
	defer func() { r.env = saved }()
	return r.commit(parent, msg, files)
}

// runQ runs the hook in process with the quarantine environment.
func (r *repo) runQ(q, cfgBody, lines string) (Outcome, string) {
	r.t.Helper()
	env := map[string]string{
		"GIT_DIR":                          filepath.Join(r.dir, ".git"),
		"GIT_OBJECT_DIRECTORY":             q,
		"GIT_QUARANTINE_PATH":              q,
		"GIT_ALTERNATE_OBJECT_DIRECTORIES": filepath.Join(r.dir, ".git", "objects"),
	}
	flags := Flags{}
	if cfgBody != "" {
		p := filepath.Join(r.t.TempDir(), "pushguard.yml")
		if err := os.WriteFile(p, []byte(cfgBody), 0o644); err != nil {
			r.t.Fatal(err)
		}
		flags.ConfigPath = p
	}
	var out bytes.Buffer
	o := Run(context.Background(), strings.NewReader(lines), Env{Getenv: func(k string) string { return env[k] }, Out: &out, Version: "test", Flags: flags})
	return o, out.String()
}

// TestRunFromQuarantine: the hook plans a push from the quarantine alone
// when the pushed commits lead back to the old tip of a pushed ref or to
// HEAD's branch, and reads and walks the refs for the rare tips that leave
// the quarantine elsewhere; both decide alike.
func TestRunFromQuarantine(t *testing.T) {
	const auditSandbox = "scopes:\n  - name: sandbox\n    refs: [\"refs/heads/aaa/**\"]\n    mode: audit\n"
	tests := []struct {
		name    string
		cfg     string
		setup   func(r *repo, q string) string // returns the hook input
		want    int
		wantNew int
		say     string
	}{
		{
			name: "one commit on the pushed branch",
			setup: func(r *repo, q string) string {
				base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
				r.git("update-ref", "refs/heads/main", base)
				c := r.pushCommit(q, base, "add key", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
				return base + " " + c + " refs/heads/main\n"
			},
			want: ExitRejected, wantNew: 1,
		},
		{
			name: "new branch on HEAD's branch",
			setup: func(r *repo, q string) string {
				base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
				r.git("update-ref", "refs/heads/main", base)
				c := r.pushCommit(q, base, "docs", map[string]string{"a.md": "fine\n"})
				return zero + " " + c + " refs/heads/topic\n"
			},
			want: ExitOK, wantNew: 1,
		},
		{
			name: "new branch on an existing commit brings nothing",
			setup: func(r *repo, q string) string {
				base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
				secret := r.commit(base, "secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
				r.git("update-ref", "refs/heads/main", base)
				r.git("update-ref", "refs/heads/other", secret)
				return zero + " " + secret + " refs/heads/copy\n"
			},
			want: ExitOK, wantNew: 0,
		},
		{
			name: "a stored commit no ref reaches is checked",
			setup: func(r *repo, q string) string {
				base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
				r.git("update-ref", "refs/heads/main", base)
				// Stored by an earlier push whose branch was deleted.
				hidden := r.commit(base, "secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
				c := r.pushCommit(q, hidden, "docs", map[string]string{"a.md": "fine\n"})
				return base + " " + c + " refs/heads/main\n"
			},
			want: ExitRejected, wantNew: 2,
		},
		{
			name: "new branch on another branch's tip",
			setup: func(r *repo, q string) string {
				base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
				side := r.commit(base, "side", map[string]string{"s.md": "side\n"})
				r.git("update-ref", "refs/heads/main", base)
				r.git("update-ref", "refs/heads/side", side)
				c := r.pushCommit(q, side, "key", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
				return zero + " " + c + " refs/heads/more\n"
			},
			want: ExitRejected, wantNew: 1,
		},
		{
			name: "entering a stricter ref from a relaxed one",
			cfg:  auditSandbox,
			setup: func(r *repo, q string) string {
				base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
				secret := r.commit(base, "secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
				r.git("update-ref", "refs/heads/main", base)
				r.git("update-ref", "refs/heads/aaa/x", secret) // accepted in audit mode
				c := r.pushCommit(q, secret, "docs", map[string]string{"a.md": "fine\n"})
				return base + " " + c + " refs/heads/main\n"
			},
			want: ExitRejected, wantNew: 1, say: "1 new commit and 1 commit entering a ref with a stricter policy",
		},
		{
			name: "a relaxed ref's own old tip",
			cfg:  auditSandbox,
			setup: func(r *repo, q string) string {
				base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
				r.git("update-ref", "refs/heads/main", base)
				r.git("update-ref", "refs/heads/aaa/x", base)
				c := r.pushCommit(q, base, "key", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
				return base + " " + c + " refs/heads/aaa/x\n"
			},
			want: ExitOK, wantNew: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRepo(t)
			q := r.quarantine()
			lines := tc.setup(r, q)
			o, out := r.runQ(q, tc.cfg, lines)
			if o.Code != tc.want {
				t.Fatalf("code %d, want %d:\n%s", o.Code, tc.want, out)
			}
			if got := o.Event.NewCommits(); got != tc.wantNew {
				t.Errorf("%d new commits, want %d:\n%s", got, tc.wantNew, out)
			}
			if tc.say != "" && !strings.Contains(out, tc.say) {
				t.Errorf("the report does not say %q:\n%s", tc.say, out)
			}
			// The same push decided without the quarantine shortcut (the
			// objects moved into the repository, refs walked) agrees.
			copyTree(t, q, filepath.Join(r.dir, ".git", "objects"))
			o2, out2 := r.run(context.Background(), tc.cfg, lines)
			if o2.Code != o.Code || o2.Event.NewCommits() != o.Event.NewCommits() {
				t.Errorf("without quarantine: code %d, %d new commits; with: code %d, %d\n%s", o2.Code, o2.Event.NewCommits(), o.Code, o.Event.NewCommits(), out2)
			}
		})
	}
}

// copyTree copies the object files under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkOneCommitPush runs the whole hook in process for a one-commit
// push on top of main (quarantined objects), into a repository with 10
// refs and with 10,000 loose refs, no commit-graph. Policy loading (the
// embedded rules) is part of every run, as in the hook process.
func BenchmarkOneCommitPush(b *testing.B) {
	dir := b.TempDir()
	env := []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com",
	}
	git := func(extra []string, stdin string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(append([]string(nil), env...), extra...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	git(nil, "", "init", "-q", "-b", "main")
	var commits []string
	parent := ""
	for i := 0; i < 200; i++ {
		blob := git(nil, fmt.Sprintf("package p\n\nvar v%d = %d\n", i, i), "hash-object", "-w", "--stdin")
		git(nil, "", "update-index", "--add", "--cacheinfo", "100644,"+blob+",f"+fmt.Sprint(i%20)+".go")
		tree := git(nil, "", "write-tree")
		args := []string{"commit-tree", tree, "-m", fmt.Sprint("c", i)}
		if parent != "" {
			args = append(args, "-p", parent)
		}
		parent = git(nil, "", args...)
		commits = append(commits, parent)
	}
	git(nil, "", "update-ref", "refs/heads/main", parent)
	git(nil, "", "gc", "-q")
	q := filepath.Join(b.TempDir(), "incoming")
	objects := filepath.Join(dir, ".git", "objects")
	qenv := []string{"GIT_OBJECT_DIRECTORY=" + q, "GIT_ALTERNATE_OBJECT_DIRECTORIES=" + objects}
	if err := os.MkdirAll(filepath.Join(q, "pack"), 0o755); err != nil {
		b.Fatal(err)
	}
	blob := git(qenv, "package p\n\nvar pushed = 1\n", "hash-object", "-w", "--stdin")
	git(qenv, "", "update-index", "--add", "--cacheinfo", "100644,"+blob+",pushed.go")
	pushed := git(qenv, "", "commit-tree", git(qenv, "", "write-tree"), "-p", parent, "-m", "pushed")
	lines := parent + " " + pushed + " refs/heads/main\n"
	getenv := map[string]string{
		"GIT_DIR": filepath.Join(dir, ".git"), "GIT_OBJECT_DIRECTORY": q, "GIT_QUARANTINE_PATH": q,
		"GIT_ALTERNATE_OBJECT_DIRECTORIES": objects,
	}
	made := 1
	for _, refs := range []int{10, 10000} {
		var in strings.Builder
		for ; made < refs; made++ {
			fmt.Fprintf(&in, "create refs/bench/r%d %s\n", made, commits[made%len(commits)])
		}
		git(nil, in.String(), "update-ref", "--stdin")
		b.Run(fmt.Sprintf("refs=%d", refs), func(b *testing.B) {
			for b.Loop() {
				var out bytes.Buffer
				o := Run(context.Background(), strings.NewReader(lines), Env{Getenv: func(k string) string { return getenv[k] }, Out: &out, Version: "bench"})
				if o.Code != ExitOK {
					b.Fatalf("code %d:\n%s", o.Code, out.String())
				}
			}
		})
	}
}
