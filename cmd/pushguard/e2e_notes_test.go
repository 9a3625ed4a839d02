package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// authorshipLog is a minimal Git AI Standard v3.0.0 authorship log.
const authorshipLog = "main.go\n  p1 1-3\n---\n" +
	`{"schema_version":"authorship/3.0.0","base_commit_sha":"","prompts":{"p1":{"agent_id":{"tool":"cursor","id":"s1","model":"gpt"}}}}`

// TestAINotesRefMarksCommits: a push carrying refs/notes/ai authorship
// notes makes the annotated commits AI-assisted for that push: the summary
// counts them and an AI policy applies to them; a malformed note is ignored
// with a warning, never a crash.
func TestAINotesRefMarksCommits(t *testing.T) {
	t.Run("summary", func(t *testing.T) {
		w := newWorld(t)
		w.installHook()
		c := w.commit("add main", map[string]string{"main.go": "package main\n\nfunc main() {}\n"})
		w.git(w.client, "notes", "--ref=ai", "add", "-m", authorshipLog, c)
		p := w.push("main", "refs/notes/ai")
		w.mustAccept(p)
		if !strings.Contains(p.remote(), "1 of 2 new commits AI-assisted: cursor 1") {
			t.Errorf("note not counted:\n%s", p.remote())
		}
	})
	t.Run("policy", func(t *testing.T) {
		w := newWorld(t)
		rules, err := filepath.Abs(filepath.Join("..", "..", "rules", "examples", "forbid-ai.yml"))
		if err != nil {
			t.Fatal(err)
		}
		w.installHook("--rules", rules)
		c := w.commit("add main", map[string]string{"main.go": "package main\n\nfunc main() {}\n"})
		w.git(w.client, "notes", "--ref=ai", "add", "-m", authorshipLog, c)
		w.mustAccept(w.push("main")) // without the note nothing marks it...
		w.commit("more", map[string]string{"b.go": "package main\n"})
		c2 := w.git(w.client, "rev-parse", "HEAD")
		w.git(w.client, "notes", "--ref=ai", "add", "-m", authorshipLog, c2)
		p := w.push("main", "refs/notes/ai") // ...with it the new commit is AI-marked
		w.mustReject(p)
		if !strings.Contains(p.remote(), c2[:10]) || !strings.Contains(p.remote(), "note") {
			t.Errorf("note-marked commit not rejected with evidence:\n%s", p.remote())
		}
	})
	t.Run("malformed", func(t *testing.T) {
		w := newWorld(t)
		w.installHook()
		c := w.commit("add main", map[string]string{"main.go": "package main\n"})
		w.git(w.client, "notes", "--ref=ai", "add", "-m", "looks good to me", c)
		p := w.push("main", "refs/notes/ai")
		w.mustAccept(p)
		if !strings.Contains(p.remote(), "WARNING: refs/notes/ai note") || !strings.Contains(p.remote(), "not a Git AI authorship log") {
			t.Errorf("malformed note not reported:\n%s", p.remote())
		}
		if strings.Contains(p.remote(), "AI-assisted") {
			t.Errorf("malformed note counted as AI:\n%s", p.remote())
		}
	})
}
