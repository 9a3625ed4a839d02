package hook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pushguard/pushguard/internal/gittest"
	"github.com/pushguard/pushguard/pkg/audit"
)

// The end-to-end suites in cmd/pushguard push with real git; these tests
// run the same hook in process, so that `go test -race` covers a real run
// over a real repository.

const fakeAWSKey = "AKIA" + "QYLPMN5HHHFPZAM2"

// repo is a real repository with commits that no ref reaches yet, as a
// pushed commit is before the hook accepts it.
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

// commit adds files on top of parent ("" for a root commit) without moving
// any ref, and returns the new commit id.
func (r *repo) commit(parent, msg string, files map[string]string) string {
	r.t.Helper()
	if parent != "" {
		r.git("read-tree", parent)
	} else {
		r.git("read-tree", "--empty")
	}
	for name, body := range files {
		p := filepath.Join(r.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			r.t.Fatal(err)
		}
		r.git("update-index", "--add", name)
	}
	tree := r.git("write-tree")
	args := []string{"commit-tree", tree, "-m", msg}
	if parent != "" {
		args = append(args, "-p", parent)
	}
	return r.git(args...)
}

// run runs the hook in process on the ref update lines.
func (r *repo) run(ctx context.Context, cfgBody string, lines string) (Outcome, string) {
	r.t.Helper()
	env := map[string]string{"GIT_DIR": filepath.Join(r.dir, ".git")}
	flags := Flags{}
	if cfgBody != "" {
		p := filepath.Join(r.t.TempDir(), "pushguard.yml")
		if err := os.WriteFile(p, []byte(cfgBody), 0o644); err != nil {
			r.t.Fatal(err)
		}
		flags.ConfigPath = p
	}
	var out bytes.Buffer
	o := Run(ctx, strings.NewReader(lines), Env{Getenv: func(k string) string { return env[k] }, Out: &out, Version: "test", Flags: flags})
	return o, out.String()
}

const zero = "0000000000000000000000000000000000000000"

func TestRunInProcess(t *testing.T) {
	r := newRepo(t)
	base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
	r.git("update-ref", "refs/heads/main", base)
	clean := r.commit(base, "clean", map[string]string{"a.txt": "a\n"})
	secret := r.commit(base, "secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := "audit:\n  destination: file\n  path: " + auditPath + "\n" +
		"scopes:\n  - name: sandbox\n    refs: [\"refs/heads/aaa/**\"]\n    mode: audit\n"

	tests := []struct {
		name     string
		lines    string
		code     int
		decision string
		commits  int
		want     string
	}{
		{"clean", base + " " + clean + " refs/heads/main\n", ExitOK, audit.DecisionAccepted, 1, ""},
		{"secret on main", base + " " + secret + " refs/heads/main\n", ExitRejected, audit.DecisionRejected, 1, "aws-access-key-id"},
		{"secret on an audit ref", zero + " " + secret + " refs/heads/aaa/x\n", ExitOK, audit.DecisionWarned, 1, "audit mode"},
		{"secret on an audit ref and main together", zero + " " + secret + " refs/heads/aaa/x\n" + base + " " + secret + " refs/heads/main\n", ExitRejected, audit.DecisionRejected, 1, "refs/heads/main"},
		{"delete", base + " " + zero + " refs/heads/main\n", ExitOK, audit.DecisionAccepted, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, out := r.run(context.Background(), cfg, tt.lines)
			if o.Code != tt.code || o.Event.Decision != tt.decision {
				t.Fatalf("code %d decision %q, want %d %q\n%s", o.Code, o.Event.Decision, tt.code, tt.decision, out)
			}
			if o.Event.NewCommits() != tt.commits {
				t.Errorf("new commits %d, want %d", o.Event.NewCommits(), tt.commits)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
			line, err := o.Event.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			// Each pushed commit adds one line; a deletion adds none.
			if want := fmt.Sprintf(`"added_lines":%d`, tt.commits); !strings.Contains(string(line), want) {
				t.Errorf("event lacks %s: %s", want, line)
			}
		})
	}
	if n := len(strings.Split(strings.TrimSpace(readFile(t, auditPath)), "\n")); n != len(tests) {
		t.Errorf("%d audit events, want %d", n, len(tests))
	}
}

func TestRunEnteringAStricterRefIsRescanned(t *testing.T) {
	r := newRepo(t)
	base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
	secret := r.commit(base, "secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	r.git("update-ref", "refs/heads/main", base)
	r.git("update-ref", "refs/heads/aaa/x", secret) // accepted earlier in audit mode
	cfg := "scopes:\n  - name: sandbox\n    refs: [\"refs/heads/aaa/**\"]\n    mode: audit\n"
	o, out := r.run(context.Background(), cfg, base+" "+secret+" refs/heads/main\n")
	if o.Code != ExitRejected {
		t.Fatalf("code %d, want rejected:\n%s", o.Code, out)
	}
	if o.Event.NewCommits() != 0 {
		t.Errorf("a commit the repository had counts as new: %d", o.Event.NewCommits())
	}
	if !strings.Contains(out, "0 new commits and 1 commit entering a ref with a stricter policy") {
		t.Errorf("the report does not say what was checked:\n%s", out)
	}
	// A ref with the same policy as main already holds the commit: covered.
	r.git("update-ref", "refs/heads/release/1", secret)
	o, out = r.run(context.Background(), cfg, base+" "+secret+" refs/heads/main\n")
	if o.Code != ExitOK {
		t.Fatalf("code %d, want accepted (covered by an equally strict ref):\n%s", o.Code, out)
	}
}

func TestRunInterrupted(t *testing.T) {
	r := newRepo(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	ctx, cancel := context.WithCancelCause(context.Background())
	pr, pw := io.Pipe() // stdin that never ends, like a stalled platform
	defer pw.Close()
	env := map[string]string{"GIT_DIR": filepath.Join(r.dir, ".git")}
	cfgPath := filepath.Join(t.TempDir(), "c.yml")
	if err := os.WriteFile(cfgPath, []byte("audit:\n  destination: file\n  path: "+auditPath+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel(ErrInterrupted)
	}()
	o := Run(ctx, pr, Env{Getenv: func(k string) string { return env[k] }, Out: &out, Flags: Flags{ConfigPath: cfgPath}})
	if o.Code != ExitRejected || o.Event.Decision != audit.DecisionInterrupted {
		t.Fatalf("code %d decision %q:\n%s", o.Code, o.Event.Decision, out.String())
	}
	if !strings.Contains(readFile(t, auditPath), `"decision":"interrupted"`) {
		t.Errorf("no interrupted event in the audit log: %s", readFile(t, auditPath))
	}
}

func TestRunAbandonedAfterBudgetAndGrace(t *testing.T) {
	r := newRepo(t)
	pr, pw := io.Pipe() // the check blocks reading stdin past its budget
	defer pw.Close()
	env := map[string]string{"GIT_DIR": filepath.Join(r.dir, ".git")}
	cfgPath := filepath.Join(t.TempDir(), "c.yml")
	if err := os.WriteFile(cfgPath, []byte("time_budget: 10ms\non_error: accept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o := Run(context.Background(), pr, Env{Getenv: func(k string) string { return env[k] }, Out: &out, Flags: Flags{ConfigPath: cfgPath}})
	if o.Code == ExitOK {
		t.Fatalf("a run that does not stop was accepted (fail open must not apply):\n%s", out.String())
	}
	if !strings.Contains(out.String(), "did not stop") {
		t.Errorf("not explained:\n%s", out.String())
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
