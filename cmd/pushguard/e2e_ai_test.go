package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const claudeTrailer = "Co-Authored-By: Claude <noreply@anthropic.com>"

// commitAs commits files with the given author ("Name <email>").
func (w *world) commitAs(author, msg string, files map[string]string) string {
	w.t.Helper()
	w.write(files)
	w.git(w.client, "add", "-A")
	w.tick++
	w.git(w.client, "commit", "-q", "--allow-empty", "--author", author, "-m", msg)
	return w.git(w.client, "rev-parse", "HEAD")
}

// example returns the absolute path of an example rule file.
func example(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "rules", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustContainAll(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

// TestAIPushCIChangeNeedsHumanReview: the default pack blocks a Claude Code
// commit that changes a workflow, shows the evidence and the exact command,
// refuses a self-review, and accepts the commit once a human reviewed it.
func TestAIPushCIChangeNeedsHumanReview(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("add readme", map[string]string{"README.md": "# demo\n"})
	p := w.push("main")
	w.mustAccept(p)
	if p.remote() != "" {
		t.Errorf("human push printed:\n%s", p.remote())
	}

	bad := w.commit("Add CI cache\n\n"+claudeTrailer, map[string]string{".github/workflows/ci.yml": "on: push\njobs: {}\n"})
	p = w.push("main")
	w.mustReject(p)
	out := p.remote()
	mustContainAll(t, out,
		"push REJECTED",
		"pushguard: 1 of 1 new commit AI-assisted: claude-code 1",
		"BLOCK  ai-ci-change-unreviewed: AI-assisted change to a CI/CD definition needs a human review",
		"commit "+bad[:10]+" on refs/heads/main",
		"  .github/workflows/ci.yml",
		`evidence: trailer "`+claudeTrailer+`" (claude-code)`,
		`add:  git commit --amend --no-edit --trailer "Reviewed-by: Name <email>"`,
		"git rebase --exec 'git commit --amend --no-edit --trailer \"Reviewed-by: Name <email>\"' "+bad[:10]+"~1",
		"Nothing from this push was accepted.",
	)
	// The Claude co-author discloses the AI use (issue 15): no undeclared-use warning.
	if strings.Contains(out, "ai-undeclared-protected-branch") {
		t.Errorf("AI co-author warned as undeclared use:\n%s", out)
	}
	if strings.Contains(out, "A secret that left your machine") {
		t.Errorf("AI-policy rejection gives the secrets advice:\n%s", out)
	}

	// A review by the author is no review.
	w.git(w.client, "commit", "-q", "--amend", "--no-edit", "--trailer", "Reviewed-by: Dev Eloper <dev@example.com>")
	w.mustReject(w.push("main"))

	// The command the hook suggested, with a real reviewer, makes it pass.
	w.git(w.client, "commit", "-q", "--amend", "--no-edit", "--trailer", "Reviewed-by: Rita Viewer <rita@example.com>")
	p = w.push("main")
	w.mustAccept(p)
	mustContainAll(t, p.remote(), "push accepted with warnings", "1 of 1 new commit AI-assisted: claude-code 1")
	if strings.Contains(p.remote(), "ai-ci-change-unreviewed") {
		t.Errorf("reviewed commit still blocked:\n%s", p.remote())
	}
}

// TestAIPushRebaseFixFromAdvice runs the rebase the hook suggests for an
// older commit, and the result is accepted.
func TestAIPushRebaseFixFromAdvice(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("add readme", map[string]string{"README.md": "# demo\n"})
	w.mustAccept(w.push("main"))
	w.git(w.client, "checkout", "-q", "-b", "agent-work")
	w.commit("Tweak pre-commit hook\n\n"+claudeTrailer, map[string]string{".husky/pre-commit": "npm test\n"})
	w.commit("Add docs", map[string]string{"docs/a.md": "a\n"})
	p := w.push("agent-work")
	w.mustReject(p)
	m := regexp.MustCompile(`\(older commit: (git rebase --exec '[^']+' [0-9a-f]{10}~1)\)`).FindStringSubmatch(p.remote())
	if m == nil {
		t.Fatalf("no rebase advice in:\n%s", p.remote())
	}
	cmd := strings.ReplaceAll(m[1], "Name <email>", "Rita Viewer <rita@example.com>")
	c := exec.Command("sh", "-c", cmd)
	c.Dir = w.client
	c.Env = append(append([]string(nil), w.env...), w.dateEnv()...)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	p = w.push("agent-work")
	w.mustAccept(p)
	mustContainAll(t, p.remote(), "push accepted; 1 of 2 new commits AI-assisted: claude-code 1")
}

// TestAIPushForbidExample: forbid-ai.yml rejects a Cursor agent's commit and
// accepts human commits that merely mention AI tools, silently.
func TestAIPushForbidExample(t *testing.T) {
	w := newWorld(t)
	w.installHook("--rules", example(t, "forbid-ai.yml"))
	w.commit("fix cursor pagination", map[string]string{"api/page.go": "package api\n"})
	w.commit("bump copilot-language-server to 1.300", map[string]string{"package.json": "{}\n"})
	p := w.push("main")
	w.mustAccept(p)
	if p.remote() != "" {
		t.Errorf("human commits mentioning tools printed:\n%s", p.remote())
	}

	bad := w.commitAs("Cursor Agent <cursoragent@cursor.com>", "Speed up pagination", map[string]string{"api/page.go": "package api\n\nconst N = 50\n"})
	p = w.push("main")
	w.mustReject(p)
	mustContainAll(t, p.remote(),
		"BLOCK  forbid-ai-contributions: This project does not accept AI-generated contributions.",
		"commit "+bad[:10],
		`evidence: identity "Cursor Agent <cursoragent@cursor.com>" (cursor)`,
		"1 of 1 new commit AI-assisted: cursor 1",
		"Bypass not possible: rule(s) forbid-ai-contributions cannot be bypassed.",
	)
}

// TestAIPushKernelStyle: kernel-style.yml requires Assisted-by AGENT:MODEL
// and forbids an agent's Signed-off-by.
func TestAIPushKernelStyle(t *testing.T) {
	w := newWorld(t)
	w.installHook("--no-default-rules", "--rules", example(t, "kernel-style.yml"))
	w.commit("init", map[string]string{"mm/a.c": "int a;\n"})
	w.mustAccept(w.push("main"))

	w.commit("mm: fix leak\n\n"+claudeTrailer+"\nSigned-off-by: Dev Eloper <dev@example.com>", map[string]string{"mm/a.c": "int a = 1;\n"})
	p := w.push("main")
	w.mustReject(p)
	// The fix names the tool that made the commit in place of the rule's
	// AGENT placeholder.
	mustContainAll(t, p.remote(), "kernel-assisted-by-required", `--trailer "Assisted-by: claude-code:MODEL"`)

	w.git(w.client, "commit", "-q", "--amend", "-m",
		"mm: fix leak\n\nAssisted-by: claude-code:claude-opus-4-5\nSigned-off-by: Claude <noreply@anthropic.com>\nSigned-off-by: Dev Eloper <dev@example.com>")
	p = w.push("main")
	w.mustReject(p)
	out := p.remote()
	mustContainAll(t, out, "kernel-no-agent-signoff", "only a human can certify")
	if strings.Contains(out, "kernel-assisted-by-required") {
		t.Errorf("declared commit still asked for Assisted-by:\n%s", out)
	}

	w.git(w.client, "commit", "-q", "--amend", "-m",
		"mm: fix leak\n\nAssisted-by: claude-code:claude-opus-4-5\nSigned-off-by: Dev Eloper <dev@example.com>")
	p = w.push("main")
	w.mustAccept(p)
	mustContainAll(t, p.remote(), "push accepted; 1 of 1 new commit AI-assisted: claude-code 1")
}

// TestAIPushSummaryAndScanJSON: the summary line counts commits per tool,
// and `pushguard scan --format json` shows each commit's ai tools.
func TestAIPushSummaryAndScanJSON(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("add readme", map[string]string{"README.md": "# demo\n"})
	w.git(w.client, "checkout", "-q", "-b", "feature/x")
	w.commit("Add retry\n\n"+claudeTrailer, map[string]string{"a.go": "package a\n"})
	w.commitAs("Cursor Agent <cursoragent@cursor.com>", "Add backoff", map[string]string{"b.go": "package a\n"})
	w.commit("Add jitter\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"+claudeTrailer, map[string]string{"c.go": "package a\n"})
	w.commit("add Claude API client", map[string]string{"d.go": "package a\n"})
	p := w.push("feature/x")
	w.mustAccept(p)
	if got, want := p.remote(), "pushguard: push accepted; 3 of 5 new commits AI-assisted: claude-code 2, cursor 1"; got != want {
		t.Errorf("remote output:\n%s\nwant:\n%s", got, want)
	}

	var rep struct {
		Commits []struct {
			Subject string `json:"subject"`
			AI      struct {
				Detected bool     `json:"detected"`
				Tools    []string `json:"tools"`
				Evidence []struct {
					Kind, Text string
				} `json:"evidence"`
			} `json:"ai"`
		} `json:"commits"`
	}
	w.scanJSON(&rep)
	got := map[string]string{}
	for _, c := range rep.Commits {
		got[c.Subject] = strings.Join(c.AI.Tools, ",")
		if c.AI.Detected != (len(c.AI.Tools) > 0) || (c.AI.Detected && len(c.AI.Evidence) == 0) {
			t.Errorf("%q: detected %v with tools %v and %d evidence", c.Subject, c.AI.Detected, c.AI.Tools, len(c.AI.Evidence))
		}
	}
	want := map[string]string{"add readme": "", "Add retry": "claude-code", "Add backoff": "cursor", "Add jitter": "claude-code", "add Claude API client": ""}
	for s, tools := range want {
		if g, ok := got[s]; !ok || g != tools {
			t.Errorf("scan JSON: commit %q has tools %q (present %v); want %q", s, g, ok, tools)
		}
	}
}
