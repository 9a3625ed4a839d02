package provenance

import (
	"strings"
	"testing"
)

// BenchmarkDetect measures one commit against the shipped markers: a
// typical human commit (the common case on the hot path) and an AI commit
// with a trailer block, a footer and an agent file.
func BenchmarkDetect(b *testing.B) {
	d := mustDefault(b)
	paths := make([]string, 0, 12)
	for _, p := range []string{"cmd/server/main.go", "internal/auth/session.go", "internal/auth/session_test.go", "go.mod", "go.sum", "README.md", "docs/auth.md", "web/src/App.tsx"} {
		paths = append(paths, p)
	}
	cases := []struct {
		name string
		in   Input
	}{
		{"human", Input{
			Message: "Fix session refresh race in auth middleware\n\n" +
				strings.Repeat("Take the lock before reading the expiry so two concurrent requests\ncannot both refresh the token.\n", 3) +
				"\nFixes: #123\nReviewed-by: John Smith <john@example.com>\nSigned-off-by: Jane Doe <jane@example.com>\n",
			AuthorName: "Jane Doe", AuthorEmail: "jane@example.com",
			CommitterName: "GitHub", CommitterEmail: "noreply@github.com",
			Refs: []string{"refs/heads/feature/session-race"}, Paths: paths,
		}},
		{"ai", Input{
			Message: "Fix session refresh race in auth middleware\n\n" +
				"Take the lock before reading the expiry so two concurrent requests\ncannot both refresh the token.\n\n" +
				"🤖 Generated with [Claude Code](https://claude.ai/code)\n\n" +
				"Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>\n",
			AuthorName: "Jane Doe", AuthorEmail: "jane@example.com",
			CommitterName: "Jane Doe", CommitterEmail: "jane@example.com",
			Refs: []string{"refs/heads/claude/fix-session-race-x1y2"}, Paths: append(paths, "CLAUDE.md"),
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Detect(c.in)
			}
		})
	}
}

// BenchmarkCompileAndDetectOnce is what a hook process pays for the
// shipped markers: compile them, then classify one human commit. "eager"
// compiles every regex; "validated" leaves them to their first use, as
// pkg/policy does for rule files this build validated before (most are
// never used: their prefilters rule the text out).
func BenchmarkCompileAndDetectOnce(b *testing.B) {
	specs := shippedSpecs(b)
	in := Input{
		Message:    "Fix session refresh race in auth middleware\n\nSigned-off-by: Jane Doe <jane@example.com>\n",
		AuthorName: "Jane Doe", AuthorEmail: "jane@example.com", CommitterName: "Jane Doe", CommitterEmail: "jane@example.com",
		Refs: []string{"refs/heads/main"}, Paths: []string{"main.go"},
	}
	for _, tc := range []struct {
		name      string
		validated bool
	}{{"eager", false}, {"validated", true}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := CompileWith(specs, CompileOptions{Validated: func(int) bool { return tc.validated }})
				if err != nil {
					b.Fatal(err)
				}
				d.Detect(in)
			}
		})
	}
}
