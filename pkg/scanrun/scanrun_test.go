package scanrun

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/internal/gittest"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// fakeAWSKey is an AWS access key id the embedded rules block.
const fakeAWSKey = "AKIA" + "QYLPMN5HHHFPZAM2"

// testRepo is a real work tree made with git.
type testRepo struct {
	t   *testing.T
	dir string
	env []string
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir, env := gittest.Init(t)
	return &testRepo{t: t, dir: dir, env: env}
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return gittest.Run(r.t, r.dir, r.env, args...)
}

// commit writes name with body and commits it on the current branch.
func (r *testRepo) commit(name, body string) string {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(body), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.git("add", name)
	r.git("commit", "-q", "-m", "add "+name)
	return r.git("rev-parse", "HEAD")
}

// revParse is Options.RevParse as cmd/pushguard gives it.
func revParse(dir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", dir, "rev-parse"}, args...)...).Output()
	return strings.TrimSpace(string(out)), err
}

func TestResolveRange(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit("a.txt", "one\n")
	c2 := r.commit("b.txt", "two\n")
	r.git("checkout", "-q", "-b", "feature")
	c3 := r.commit("c.txt", "three\n")
	r.git("checkout", "-q", "main")
	r.git("tag", "-a", "-m", "v1", "v1", c1)
	tests := []struct {
		spec, ref  string
		revParse   bool
		end        string
		exclude    []string
		branch     string
		unnamed    string
		tips       int
		wantErrSub string
	}{
		{spec: "main", end: c2, branch: "refs/heads/main", tips: 1},
		{spec: "main~1..main", end: c2, exclude: []string{c1}, branch: "refs/heads/main", tips: 1},
		{spec: "main..feature", end: c3, exclude: []string{c2}, branch: "refs/heads/feature", tips: 1},
		{spec: "main...feature", end: c3, exclude: []string{c2}, branch: "refs/heads/feature", tips: 2},
		{spec: "HEAD~1..", end: c2, exclude: []string{c1}, branch: "refs/heads/main", tips: 1},
		{spec: "@", end: c2, branch: "refs/heads/main", tips: 1},
		{spec: c2[:7], end: c2, unnamed: c2[:7], tips: 1},
		{spec: c2[:7], ref: "release", end: c2, branch: "refs/heads/release", tips: 1},
		{spec: "v1", end: c1, branch: "refs/tags/v1", tips: 1},
		{spec: "main^{/add a}", end: c1, unnamed: "main^{/add a}", tips: 1},
		{spec: "main@{0}", revParse: true, end: c2, unnamed: "main@{0}", tips: 1},
		{spec: "main@{0}", wantErrSub: "git is not installed"},
		{spec: "nope", revParse: true, wantErrSub: `unknown revision "nope"`},
		{spec: " ", wantErrSub: "--range is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			var rp func(string, ...string) (string, error)
			if tt.revParse {
				rp = revParse
			}
			rr, err := newRevResolver(r.dir, rp)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rr.resolveRange(tt.spec, tt.ref)
			if tt.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSub) {
					t.Fatalf("err = %v, want %q", err, tt.wantErrSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var excl []string
			for _, h := range got.exclude {
				excl = append(excl, h.String())
			}
			if got.end != plumbing.NewHash(tt.end) || strings.Join(excl, ",") != strings.Join(tt.exclude, ",") ||
				got.branch != tt.branch || got.unnamed != tt.unnamed || len(got.tips) != tt.tips {
				t.Errorf("resolveRange(%q, %q) = end %s exclude %v branch %q unnamed %q tips %d", tt.spec, tt.ref, got.end, excl, got.branch, got.unnamed, len(got.tips))
			}
		})
	}
}

func TestHeadedToAndFullRef(t *testing.T) {
	tests := []struct{ in, headed, full string }{
		{"refs/heads/main", "refs/heads/main", "refs/heads/main"},
		{"refs/remotes/origin/dev", "refs/heads/dev", "refs/remotes/origin/dev"},
		{"refs/remotes/origin/HEAD", "", "refs/remotes/origin/HEAD"},
		{"refs/tags/v1", "refs/tags/v1", "refs/tags/v1"},
		{"main", "main", "refs/heads/main"},
	}
	for _, tt := range tests {
		if got := headedTo(tt.in); got != tt.headed {
			t.Errorf("headedTo(%q) = %q, want %q", tt.in, got, tt.headed)
		}
		if got := FullRef(tt.in); got != tt.full {
			t.Errorf("FullRef(%q) = %q, want %q", tt.in, got, tt.full)
		}
	}
}

func TestRun(t *testing.T) {
	r := newTestRepo(t)
	r.commit("clean.txt", "hello\n")
	r.commit("key.txt", "aws = "+fakeAWSKey+"\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "k.txt"), []byte("id "+fakeAWSKey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reportPath := filepath.Join(t.TempDir(), "out.json")
	base := Options{Repo: r.dir, Format: "text", MinSeverity: ruleset.SeverityInfo, Redact: report.KeepRuleRedaction,
		ExitCode: 1, MaxFileSize: 1 << 20, StdinName: "stdin", Version: "test", RevParse: revParse}
	tests := []struct {
		name       string
		edit       func(o *Options)
		code       int
		stdoutSub  string
		stderrSub  string
		reportFile bool
	}{
		{name: "range blocks", edit: func(o *Options) { o.Range = "main" }, code: 1, stdoutSub: "2 commits"},
		{name: "range clean", edit: func(o *Options) { o.Range = "main~1" }, code: 0, stdoutSub: "1 commit"},
		{name: "exit code", edit: func(o *Options) { o.All, o.ExitCode = true, 7 }, code: 7},
		{name: "dir", edit: func(o *Options) { o.Dir = dir }, code: 1, stdoutSub: "1 file under"},
		{name: "stdin", edit: func(o *Options) { o.Stdin, o.Input = true, strings.NewReader("x "+fakeAWSKey+"\n") }, code: 1, stdoutSub: "standard input (stdin)"},
		{name: "stdin clean", edit: func(o *Options) { o.Stdin, o.Input = true, strings.NewReader("nothing\n") }, code: 0},
		{name: "not a dir", edit: func(o *Options) { o.Dir = filepath.Join(dir, "k.txt") }, code: ExitUsage, stderrSub: "not a directory"},
		{name: "bad range", edit: func(o *Options) { o.Range = "nope" }, code: ExitUsage, stderrSub: "--range unknown revision"},
		{name: "missing config", edit: func(o *Options) { o.Range, o.ConfigPath = "main", filepath.Join(dir, "none.yml") }, code: ExitUsage, stderrSub: "invalid configuration"},
		{name: "missing rules", edit: func(o *Options) { o.Range, o.RulePaths = "main", []string{filepath.Join(dir, "none.yml")} }, code: ExitUsage, stderrSub: "invalid rules"},
		{name: "bad default branch", edit: func(o *Options) { o.Range, o.DefaultBranch = "main", "nope" }, code: ExitUsage, stderrSub: "--default-branch nope"},
		{name: "report path", edit: func(o *Options) { o.Range, o.Format, o.ReportPath = "main", "json", reportPath }, code: 1, stdoutSub: "2 commits", reportFile: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base
			tt.edit(&o)
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), o, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdoutSub) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdoutSub, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.stderrSub) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderrSub, stderr.String())
			}
			if tt.code == 1 && strings.Contains(stdout.String(), fakeAWSKey) {
				t.Errorf("the report shows the whole secret:\n%s", stdout.String())
			}
			if tt.reportFile {
				data, err := os.ReadFile(reportPath)
				if err != nil || !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
					t.Errorf("report file: %v %.200s", err, data)
				}
			}
		})
	}
}
