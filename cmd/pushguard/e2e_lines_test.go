package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// End-to-end tests of line-level AI attribution (issue 15, item 4): a real
// `git push` of commits with git-ai authorship notes (refs/notes/ai),
// Agent Trace notes (refs/notes/agent-trace) or Agent Trace files
// (.agent-trace/*.jsonl), into a bare repository whose pre-receive hook is
// pushguard with rules/examples/ai-written-code.yml: risky code an AI
// wrote is blocked (ai.lines: true), the same line written by a human only
// warns (ai.lines: false).

const riskyPy = "import subprocess\nsubprocess.run(cmd, shell=True)\n" // line 2 is risky

// gitAINote is a git-ai authorship log crediting ranges of path to cursor.
func gitAINote(path, ranges string) string {
	return path + "\n  p1 " + ranges + "\n---\n" +
		`{"schema_version":"authorship/3.0.0","base_commit_sha":"","prompts":{"p1":{"agent_id":{"tool":"cursor","id":"s1","model":"gpt"}}}}`
}

// agentTrace is one Agent Trace record (JSON line) crediting lines
// first..last of path to claude-code; revision may be empty.
func agentTrace(revision, path string, first, last int) string {
	vcs := ""
	if revision != "" {
		vcs = `"vcs":{"type":"git","revision":"` + revision + `"},`
	}
	return fmt.Sprintf(`{"version":"0.1.0","id":"7d0c9a62-5b1e-4f43-8a2d-9e61c3b7f0a4","timestamp":"2026-01-02T03:04:05Z",%s`+
		`"tool":{"name":"claude-code","version":"2.0"},"files":[{"path":%q,"conversations":[{"contributor":{"type":"ai","model_id":"anthropic/claude-opus-4-5"},`+
		`"ranges":[{"start_line":%d,"end_line":%d}]}]}]}`, vcs, path, first, last)
}

// linesWorld is a world whose hook loads the example rules and writes an
// audit log.
func linesWorld(t *testing.T) (*world, string) {
	t.Helper()
	w := newWorld(t)
	rules, err := filepath.Abs(filepath.Join("..", "..", "rules", "examples", "ai-written-code.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	cfg := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logPath+"\n")
	w.installHook("--config", cfg, "--rules", rules)
	return w, logPath
}

// TestE2ELinesRules: who wrote the risky line decides between block and
// warn, by each kind of authorship record, and a commit that is AI-marked
// without usable line data counts as AI-written throughout.
func TestE2ELinesRules(t *testing.T) {
	tests := []struct {
		name string
		// setup commits on the client and returns the refs to push
		// along with main.
		setup   func(w *world) []string
		blocked bool   // ai-written-risky-code rejects the push
		warned  bool   // human-written-risky-code warns
		also    string // more the pusher must read
	}{
		{"git-ai note credits the risky line to the AI", func(w *world) []string {
			c := w.commit("add runner", map[string]string{"run.py": riskyPy})
			w.git(w.client, "notes", "--ref=ai", "add", "-m", gitAINote("run.py", "2"), c)
			return []string{"refs/notes/ai"}
		}, true, false, "1 line AI-written by authorship records in 1 commit"},
		{"git-ai note credits another line: the risky one is human-written", func(w *world) []string {
			c := w.commit("add runner", map[string]string{"run.py": riskyPy})
			w.git(w.client, "notes", "--ref=ai", "add", "-m", gitAINote("run.py", "1"), c)
			return []string{"refs/notes/ai"}
		}, false, true, "AI-assisted: cursor 1; 1 line AI-written by authorship records in 1 commit"},
		{"no record, human commit", func(w *world) []string {
			w.commit("add runner", map[string]string{"run.py": riskyPy})
			return nil
		}, false, true, ""},
		{"AI-marked commit without line data: every line is AI-written", func(w *world) []string {
			w.commit("add runner\n\n"+claudeTrailer, map[string]string{"run.py": riskyPy})
			return nil
		}, true, false, "AI-assisted: claude-code 1"},
		{"Agent Trace note credits the risky line", func(w *world) []string {
			c := w.commit("add runner", map[string]string{"run.py": riskyPy})
			w.git(w.client, "notes", "--ref=agent-trace", "add", "-m", agentTrace("", "run.py", 2, 2), c)
			return []string{"refs/notes/agent-trace"}
		}, true, false, "AI-assisted: claude-code 1"},
		{"Agent Trace note credits another line", func(w *world) []string {
			c := w.commit("add runner\n\n"+claudeTrailer, map[string]string{"run.py": riskyPy})
			w.git(w.client, "notes", "--ref=agent-trace", "add", "-m", agentTrace(c, "run.py", 1, 1), c)
			return []string{"refs/notes/agent-trace"}
		}, false, true, ""},
		{"Agent Trace file in the commit (revision: the parent) credits the risky line", func(w *world) []string {
			base := w.commit("base", map[string]string{"README.md": "hi\n"})
			w.commit("add runner", map[string]string{"run.py": riskyPy, ".agent-trace/traces.jsonl": agentTrace(base, "run.py", 2, 2) + "\n"})
			return nil
		}, true, false, ""},
		{"Agent Trace file credits another line", func(w *world) []string {
			base := w.commit("base", map[string]string{"README.md": "hi\n"})
			w.commit("add runner", map[string]string{"run.py": riskyPy, ".agent-trace/traces.jsonl": agentTrace(base, "run.py", 1, 1) + "\n"})
			return nil
		}, false, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := linesWorld(t)
			extra := tc.setup(w)
			p := w.push(append([]string{"main"}, extra...)...)
			out := p.remote()
			if tc.blocked {
				w.mustReject(p)
			} else {
				w.mustAccept(p)
			}
			if got := strings.Contains(out, "ai-written-risky-code"); got != tc.blocked {
				t.Errorf("ai-written-risky-code reported: %v, want %v:\n%s", got, tc.blocked, out)
			}
			if got := strings.Contains(out, "human-written-risky-code"); got != tc.warned {
				t.Errorf("human-written-risky-code reported: %v, want %v:\n%s", got, tc.warned, out)
			}
			if !strings.Contains(out, "run.py:2:") {
				t.Errorf("the risky line is not located:\n%s", out)
			}
			if tc.also != "" && !strings.Contains(out, tc.also) {
				t.Errorf("want %q in:\n%s", tc.also, out)
			}
		})
	}
}

// TestE2ELinesMalformed: a malformed authorship record is a warning of
// pushguard-authorship-record, never a crash and never a silent accept; on
// an AI-marked commit it makes every line AI-written (fail closed).
func TestE2ELinesMalformed(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(w *world) []string
		blocked bool
		want    []string
	}{
		{"git-ai note with a range ending before it starts", func(w *world) []string {
			c := w.commit("add runner", map[string]string{"run.py": riskyPy})
			w.git(w.client, "notes", "--ref=ai", "add", "-m", gitAINote("run.py", "2-1"), c)
			return []string{"refs/notes/ai"}
		}, false, []string{"pushguard-authorship-record", "ends before it starts", "human-written-risky-code", "push accepted with warnings"}},
		{"Agent Trace note that is not JSON", func(w *world) []string {
			c := w.commit("add runner", map[string]string{"run.py": riskyPy})
			w.git(w.client, "notes", "--ref=agent-trace", "add", "-m", `{"version":"0.1.0","files":[`, c)
			return []string{"refs/notes/agent-trace"}
		}, false, []string{"pushguard-authorship-record", "refs/notes/agent-trace:", "not JSON", "push accepted with warnings"}},
		{"Agent Trace note with a bad range on an AI-marked commit: fail closed", func(w *world) []string {
			c := w.commit("add runner\n\n"+claudeTrailer, map[string]string{"run.py": riskyPy})
			w.git(w.client, "notes", "--ref=agent-trace", "add", "-m", agentTrace("", "run.py", 1, 1)+"\n"+agentTrace("", "run.py", 0, 1), c)
			return []string{"refs/notes/agent-trace"}
		}, true, []string{"pushguard-authorship-record", "record 2", "want 1 <= start_line", "ai-written-risky-code"}},
		{"Agent Trace file with a malformed line", func(w *world) []string {
			w.commit("add runner", map[string]string{"run.py": riskyPy, ".agent-trace/traces.jsonl": "{\"version\": 1}\n"})
			return nil
		}, false, []string{"pushguard-authorship-record", ".agent-trace/traces.jsonl:1:1", "wrong type", "push accepted with warnings"}},
		{"hostile record text is escaped", func(w *world) []string {
			c := w.commit("add runner", map[string]string{"run.py": riskyPy})
			w.git(w.client, "notes", "--ref=agent-trace", "add", "-m", strings.Replace(agentTrace("", "run.py", 1, 1), `"0.1.0"`, `"\u001b[2J\u001b[31mowned"`, 1), c)
			return []string{"refs/notes/agent-trace"}
		}, false, []string{"pushguard-authorship-record", "is not a specification version"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, logPath := linesWorld(t)
			p := w.push(append([]string{"main"}, tc.setup(w)...)...)
			if tc.blocked {
				w.mustReject(p)
			} else {
				w.mustAccept(p)
			}
			out := p.remote()
			for _, s := range tc.want {
				if !strings.Contains(out, s) {
					t.Errorf("want %q in:\n%s", s, out)
				}
			}
			if strings.Contains(out, "\x1b") || strings.Contains(out, "panic") {
				t.Errorf("raw escape or panic in the report:\n%q", out)
			}
			ev := auditEvents(t, logPath)
			if len(ev) != 1 {
				t.Fatalf("%d audit events, want 1", len(ev))
			}
			found := false
			for _, f := range ev[0]["findings"].([]any) {
				if f.(map[string]any)["rule"] == "pushguard-authorship-record" {
					found = true
				}
			}
			if !found || ev[0]["decision"] == "accepted" {
				t.Errorf("audit event does not record the warning: %v", ev[0])
			}
		})
	}
}

// TestE2ELinesAudit: each push's audit event lists the AI-marked commits
// with their added and AI-written lines and how they were attributed, and
// `pushguard stats` sums the AI-written lines; `pushguard scan` reports the
// same per commit.
func TestE2ELinesAudit(t *testing.T) {
	w, logPath := linesWorld(t)
	noted := w.commit("add util", map[string]string{"util.py": "a = 1\nb = 2\nc = 3\nd = 4\n"})
	w.git(w.client, "notes", "--ref=ai", "add", "-m", gitAINote("util.py", "1-2,4"), noted)
	traced := w.commit("add lib", map[string]string{"lib.py": "x = 1\ny = 2\n"})
	w.git(w.client, "notes", "--ref=agent-trace", "add", "-m", agentTrace(traced, "lib.py", 2, 2), traced)
	marked := w.commit("add cfg\n\n"+claudeTrailer, map[string]string{"cfg.py": "p = 1\nq = 2\nr = 3\n"})
	human := w.commit("add doc", map[string]string{"doc.py": "z = 0\n"})
	w.mustAccept(w.push("main", "refs/notes/ai", "refs/notes/agent-trace"))

	ev := auditEvents(t, logPath)
	if len(ev) != 1 {
		t.Fatalf("%d audit events, want 1", len(ev))
	}
	type cl struct {
		Commit      string `json:"commit"`
		AddedLines  int    `json:"added_lines"`
		AILines     int    `json:"ai_lines"`
		Attribution string `json:"attribution"`
	}
	raw, _ := json.Marshal(ev[0]["ai_commit_lines"])
	var got []cl
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := []cl{
		{noted, 4, 3, "lines"},
		{traced, 2, 1, "lines"},
		{marked, 3, 3, "commit"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ai_commit_lines (-want +got):\n%s", diff)
	}
	if ev[0]["ai_written_lines"] != float64(7) {
		t.Errorf("ai_written_lines = %v, want 7", ev[0]["ai_written_lines"])
	}
	s, _ := auditStats(t, logPath)
	if s["ai_written_lines"] != float64(7) {
		t.Errorf("stats ai_written_lines = %v, want 7", s["ai_written_lines"])
	}

	var rep struct {
		Commits []struct {
			SHA string `json:"sha"`
			AI  struct {
				Lines       int      `json:"lines"`
				Attribution string   `json:"attribution"`
				Sources     []string `json:"line_sources"`
			} `json:"ai"`
		} `json:"commits"`
	}
	w.scanJSON(&rep, "--no-default-rules")
	type ai struct {
		Lines       int
		Attribution string
		Sources     string
	}
	gotScan := map[string]ai{}
	for _, c := range rep.Commits {
		switch c.SHA {
		case noted, traced, marked, human:
			gotScan[c.SHA] = ai{c.AI.Lines, c.AI.Attribution, strings.Join(c.AI.Sources, ",")}
		}
	}
	wantScan := map[string]ai{noted: {3, "lines", "note"}, traced: {1, "lines", "agent-trace"}, marked: {0, "commit", ""}, human: {}}
	if diff := cmp.Diff(wantScan, gotScan); diff != "" {
		t.Errorf("scan ai per commit (-want +got):\n%s", diff)
	}
}

// TestLinesExampleRuleTests: the example rule file's own tests pass under
// `pushguard rules test` (with the embedded AI-tool markers), and a lines
// rule without a content condition is refused with its position.
func TestLinesExampleRuleTests(t *testing.T) {
	rules, err := filepath.Abs(filepath.Join("..", "..", "rules", "examples", "ai-written-code.yml"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runPG(t, "rules", "test", rules)
	if code != 0 || !strings.Contains(out+errOut, "all 10 tests pass") {
		t.Errorf("rules test: exit %d\n%s%s", code, out, errOut)
	}
	bad := writeFileT(t, t.TempDir(), "bad.yml", "rules:\n  - id: r\n    severity: block\n    message: m\n    paths: {include: ['*.py']}\n    ai: {lines: true}\n", 0o644)
	code, out, errOut = runPG(t, "rules", "validate", bad)
	if code != 2 || !strings.Contains(out+errOut, `bad.yml:6:`) || !strings.Contains(out+errOut, `rule "r": ai.lines: applies to content rules only`) {
		t.Errorf("rules validate: exit %d\n%s%s", code, out, errOut)
	}
}
