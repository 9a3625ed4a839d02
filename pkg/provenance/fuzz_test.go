package provenance

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzDetect checks that Detect never panics and keeps its invariants on
// any input: tools sorted and unique, Detected iff a tool was found,
// suspected tools disjoint from detected ones, evidence capped and pointing
// at known tools.
func FuzzDetect(f *testing.F) {
	d := mustDefault(f)
	seeds := []struct{ msg, email, name, ref, path string }{
		{"Add dark mode\nCo-Authored-By: Claude <noreply@anthropic.com>\n", "jane@example.com", "Jane", "refs/heads/main", "src/a.go"},
		{"aider: fix\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>\n", "j@x", "Jane (aider)", "refs/heads/aider/x", ".aider.chat.history.md"},
		{"x\n\nAssisted-by: Claude:claude-opus-4\nSigned-off-by: A <a@b>\n", "a@b", "A", "refs/heads/claude/x", "CLAUDE.md"},
		{"x\n\nAI-assisted: no\nGenerated-by: protoc\n", "", "", "refs/tags/v1", ""},
		{"```\nMade-with: Cursor\n```\n", "198982749+Copilot@users.noreply.github.com", "copilot-swe-agent[bot]", "refs/heads/copilot/fix-1", ".github/copilot-instructions.md"},
		{"x\r\n\r\nCo-authored-by:\r\n  Claude\r\n <noreply@anthropic.com>\r\n", "\xff", "\x00", "refs/heads/", "/"},
		{"\n\n\n:\n-:\n a: b\n#c: d\n", "<>", "<@>", "refs/heads/devin/1718000000-x", "**"},
		{"Assisted-by: <x@y>\n\nAssisted-by: a <b@c>\nAssisted-by: (\nAssisted-by: :\n", "x", "y", "", ".aider.tags.cache.v3/x"},
	}
	for _, s := range seeds {
		f.Add(s.msg, s.email, s.name, s.ref, s.path)
	}
	known := d.Tools()
	f.Fuzz(func(t *testing.T, msg, email, name, ref, path string) {
		res := d.Detect(Input{
			Message: msg, AuthorName: name, AuthorEmail: email, CommitterName: email, CommitterEmail: name,
			Refs: []string{ref, "refs/heads/" + path}, Paths: []string{path, ref},
		})
		for _, list := range [][]string{res.Tools, res.Suspected} {
			if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) {
				t.Fatalf("not sorted and unique: %q", list)
			}
			for _, id := range list {
				if !slices.Contains(known, id) {
					t.Fatalf("unknown tool %q", id)
				}
			}
		}
		if res.Detected != (len(res.Tools) > 0) {
			t.Fatalf("Detected=%v, Tools=%q", res.Detected, res.Tools)
		}
		for _, id := range res.Suspected {
			if slices.Contains(res.Tools, id) {
				t.Fatalf("%s both detected and suspected", id)
			}
		}
		if len(res.Tools) > 1 && slices.Contains(res.Tools, DeclaredID) {
			t.Fatalf("declared with other tools: %q", res.Tools)
		}
		if res.Declared != (len(res.DeclaredValues) > 0) {
			t.Fatalf("Declared=%v, values %q", res.Declared, res.DeclaredValues)
		}
		valid := true
		for _, s := range []string{msg, email, name, ref, path} {
			valid = valid && utf8.ValidString(s)
		}
		for _, e := range res.Evidence {
			if len(e.Text) > MaxEvidenceText {
				t.Fatalf("evidence text of %d bytes", len(e.Text))
			}
			if valid && !utf8.ValidString(e.Text) {
				t.Fatalf("evidence cut inside a character: %q", e.Text)
			}
			if !slices.Contains(known, e.Tool) {
				t.Fatalf("evidence for unknown tool %q", e.Tool)
			}
			if e.Strong && !slices.Contains(res.Tools, e.Tool) && !(e.Tool == DeclaredID && len(res.Tools) > 0) {
				t.Fatalf("strong evidence for %s not in Tools %q", e.Tool, res.Tools)
			}
		}
	})
}
