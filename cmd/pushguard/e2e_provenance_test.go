package main

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scanSuspected runs `pushguard scan --all --format json` over the server
// and returns each commit's suspected tools by subject.
func scanSuspected(t *testing.T, w *world, args ...string) map[string][]string {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"scan", "--repo", w.server, "--all", "--format", "json", "--no-default-rules"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scan: %v\n%s", err, out)
	}
	var rep struct {
		Commits []struct {
			Subject string `json:"subject"`
			AI      struct {
				Suspected []string `json:"suspected"`
			} `json:"ai"`
		} `json:"commits"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("scan JSON: %v\n%s", err, out)
	}
	got := map[string][]string{}
	for _, c := range rep.Commits {
		got[c.Subject] = c.AI.Suspected
	}
	return got
}

// TestScanAgentBranchEvidenceOnlyForAddedCommits: an agent branch cut from
// main contains main's whole history, but in `pushguard scan --all` its
// name is evidence only about the commits it adds to the default branch
// (issue 15: gin's 1,923 commits "suspected Copilot"). The hook still
// credits the pushed branch to the commits the push brings in.
func TestScanAgentBranchEvidenceOnlyForAddedCommits(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("initial commit", map[string]string{"README.md": "# demo\n"})
	w.commit("add parser", map[string]string{"p.go": "package p\n"})
	w.mustAccept(w.push("main"))

	w.git(w.client, "checkout", "-q", "-b", "copilot/fix-parser")
	w.commit("fix parser edge case", map[string]string{"p.go": "package p\n\nconst x = 1\n"})
	p := w.push("copilot/fix-parser")
	w.mustAccept(p)

	want := map[string][]string{
		"initial commit":       nil,
		"add parser":           nil,
		"fix parser edge case": {"github-copilot"},
	}
	if diff := cmp.Diff(want, scanSuspected(t, w)); diff != "" {
		t.Errorf("scan --all, default branch from HEAD: suspected (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, scanSuspected(t, w, "--default-branch", "main")); diff != "" {
		t.Errorf("scan --all --default-branch main: suspected (-want +got):\n%s", diff)
	}
	// With the agent branch as the default branch it adds nothing.
	none := map[string][]string{"initial commit": nil, "add parser": nil, "fix parser edge case": nil}
	if diff := cmp.Diff(none, scanSuspected(t, w, "--default-branch", "refs/heads/copilot/fix-parser")); diff != "" {
		t.Errorf("scan --all --default-branch copilot/fix-parser: suspected (-want +got):\n%s", diff)
	}
	cmd := exec.Command(binPath, "scan", "--repo", w.server, "--all", "--default-branch", "no-such-branch")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "--default-branch no-such-branch") {
		t.Errorf("unknown --default-branch: err %v, output %s", err, out)
	}
}

// TestAICoAuthorIsDisclosure: a Co-authored-by trailer naming an AI tool
// declares the use, so the default pack's undeclared-use warning does not
// fire; a marker line or an agent identity alone still warns.
func TestAICoAuthorIsDisclosure(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("Add retry\n\n"+claudeTrailer, map[string]string{"a.go": "package a\n"})
	w.commit("Add backoff\n\nCo-authored-by: Roo Code <roomote@roocode.com>", map[string]string{"b.go": "package a\n"})
	p := w.push("main")
	w.mustAccept(p)
	if out := p.remote(); strings.Contains(out, "ai-undeclared-protected-branch") {
		t.Errorf("AI co-author warned as undeclared:\n%s", out)
	}
	mustContainAll(t, p.remote(), "2 of 2 new commits AI-assisted: claude-code 1, roo-code 1")

	w.commit("Add jitter\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)", map[string]string{"c.go": "package a\n"})
	p = w.push("main")
	w.mustAccept(p)
	if out := p.remote(); !strings.Contains(out, "ai-undeclared-protected-branch") {
		t.Errorf("footer-only AI commit not warned as undeclared:\n%s", out)
	}
}

// TestRealMessageShapesEndToEnd pushes commits whose messages have the
// shapes real agents write (issue 15) and checks the pusher's summary
// credits each to its tool.
func TestRealMessageShapesEndToEnd(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	msgs := []string{
		`style: apply ruff/format fixes\n\nCo-authored-by: openhands <openhands@all-hands.dev>`,
		"Fix JSON artifacts. Co-authored-by: Crush <crush@charm.land>",
		"Squashed\n\n    * fix\n\n    Co-authored-by: Claude <noreply@anthropic.com>",
		"Include tool imports\n\nCo-authored-by: OpenHands-GPT-5 openhands@all-hands.dev",
		"macos: mouse buttons\n\nAmp-Thread-ID:\nhttps://ampcode.com/threads/T-019bd74e-6b2b-731d",
		"Remove artifacts\n\nAgent-Logs-Url: https://github.com/o/r/sessions/28fb7719",
	}
	for i, m := range msgs {
		w.commit(m, map[string]string{"f.txt": strings.Repeat("x", i+1) + "\n"})
	}
	// The last one is Claude on GitHub's agent platform, not Copilot.
	w.git(w.client, "commit", "-q", "--amend", "--no-edit", "--author", "anthropic-code-agent[bot] <242468646+Claude@users.noreply.github.com>")
	p := w.push("main")
	w.mustAccept(p)
	mustContainAll(t, p.remote(), "6 of 6 new commits AI-assisted: claude-code 2, openhands 2, amp 1, crush 1")
	if slices.Contains(strings.Fields(p.remote()), "github-copilot") {
		t.Errorf("anthropic-code-agent[bot] credited to Copilot:\n%s", p.remote())
	}
}

// TestAINoteLineCounts: the lines an authorship note attests as AI-written
// reach the scan report per commit (ai.lines); a note with malformed ranges
// is ignored with a warning, never a crash, and counts nothing.
func TestAINoteLineCounts(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	c1 := w.commit("add main", map[string]string{"main.go": "package main\n\nfunc main() {}\n"})
	w.git(w.client, "notes", "--ref=ai", "add", "-m", authorshipLog, c1) // main.go 1-3
	c2 := w.commit("add util", map[string]string{"util.go": "package main\n"})
	w.git(w.client, "notes", "--ref=ai", "add", "-m", strings.Replace(authorshipLog, "1-3", "3-1", 1), c2)
	p := w.push("main", "refs/notes/ai")
	w.mustAccept(p)
	mustContainAll(t, p.remote(), "1 of 4 new commits AI-assisted: cursor 1", "WARNING: refs/notes/ai note", "ends before it starts")

	var rep struct {
		Commits []struct {
			SHA string `json:"sha"`
			AI  struct {
				Tools []string `json:"tools"`
				Lines int      `json:"lines"`
			} `json:"ai"`
		} `json:"commits"`
	}
	w.scanJSON(&rep, "--no-default-rules")
	got := map[string]int{}
	for _, c := range rep.Commits {
		if c.SHA == c1 || c.SHA == c2 { // the notes ref's own commits are scanned too
			got[c.SHA] = c.AI.Lines
		}
	}
	if diff := cmp.Diff(map[string]int{c1: 3, c2: 0}, got); diff != "" {
		t.Errorf("ai.lines per commit (-want +got):\n%s", diff)
	}
}

// TestScanAgentTrace: `pushguard scan --format agent-trace` writes one
// Agent Trace record per AI-marked commit: the note-attested files and
// ranges with contributor "ai", the commit-level classification in
// metadata, nothing for human commits, the same ids on a replay.
func TestScanAgentTrace(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	c1 := w.commit("add main", map[string]string{"main.go": "package main\n\nfunc main() {}\n"})
	w.git(w.client, "notes", "--ref=ai", "add", "-m", authorshipLog, c1) // cursor, main.go 1-3
	c2 := w.commit("Add retry\n\n"+claudeTrailer, map[string]string{"a.go": "package a\n"})
	w.commit("human change", map[string]string{"b.go": "package a\n"})
	w.mustAccept(w.push("main", "refs/notes/ai"))

	run := func() []byte {
		out, err := exec.Command(binPath, "scan", "--repo", w.server, "--all", "--format", "agent-trace", "--no-default-rules").Output()
		if err != nil {
			t.Fatalf("scan: %v\n%s", err, out)
		}
		return out
	}
	out := run()
	type rec struct {
		Version string `json:"version"`
		ID      string `json:"id"`
		VCS     struct {
			Type, Revision string
		} `json:"vcs"`
		Tool  struct{ Name string } `json:"tool"`
		Files []struct {
			Path          string `json:"path"`
			Conversations []struct {
				Contributor struct{ Type string } `json:"contributor"`
				Ranges      []struct {
					StartLine int `json:"start_line"`
					EndLine   int `json:"end_line"`
				} `json:"ranges"`
			} `json:"conversations"`
		} `json:"files"`
		Metadata map[string]struct {
			Tools    []string `json:"tools"`
			Declared bool     `json:"declared"`
			AILines  int      `json:"ai_lines"`
		} `json:"metadata"`
	}
	got := map[string]rec{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r rec
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("record %q: %v", line, err)
		}
		if r.Version != "0.1.0" || r.VCS.Type != "git" || r.Tool.Name != "pushguard" || len(r.ID) != 36 {
			t.Errorf("record header %+v", r)
		}
		got[r.VCS.Revision] = r
	}
	if len(got) != 2 {
		t.Fatalf("records for %d commits, want 2 (the AI-marked ones):\n%s", len(got), out)
	}
	r1 := got[c1]
	if len(r1.Files) != 1 || r1.Files[0].Path != "main.go" || r1.Files[0].Conversations[0].Contributor.Type != "ai" ||
		r1.Files[0].Conversations[0].Ranges[0].StartLine != 1 || r1.Files[0].Conversations[0].Ranges[0].EndLine != 3 {
		t.Errorf("note-attested commit record: %+v", r1)
	}
	if m := r1.Metadata["dev.pushguard"]; !slices.Equal(m.Tools, []string{"cursor"}) || m.AILines != 3 {
		t.Errorf("note-attested commit metadata: %+v", m)
	}
	r2 := got[c2]
	if len(r2.Files) != 0 {
		t.Errorf("trailer-only commit has files: %+v", r2.Files)
	}
	if m := r2.Metadata["dev.pushguard"]; !slices.Equal(m.Tools, []string{"claude-code"}) || !m.Declared {
		t.Errorf("trailer-only commit metadata: %+v", m)
	}
	if again := run(); string(again) != string(out) {
		t.Errorf("agent-trace output differs between two scans:\n%s\n---\n%s", out, again)
	}
}
