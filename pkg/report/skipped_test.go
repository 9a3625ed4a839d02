package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

func TestTextUnscannedFiles(t *testing.T) {
	c := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	big := func(p string) scan.Skip { return scan.Skip{Commit: c, Path: p, Reason: "larger than 5242880 bytes"} }
	binary := scan.Skip{Commit: c, Path: "logo.png", Reason: "binary"}
	sub := scan.Skip{Commit: c, Path: "vendor/lib", Reason: "submodule"}
	rule := &ruleset.Rule{ID: "aws-access-key-id", Message: "AWS key", Severity: ruleset.SeverityBlock}
	finding := scan.Finding{Rule: rule, Kind: scan.KindLine, Commit: c, Path: "a.env", Line: 1, Column: 1, Match: "AKIA"}
	var many []scan.Skip
	for i := 0; i < 12; i++ {
		many = append(many, big(fmt.Sprintf("data/%02d.csv", i)))
	}
	tests := []struct {
		name     string
		res      scan.Result
		prefix   string
		want     []string // substrings of the output, in order
		wantNone bool     // no output at all
		notWant  []string
	}{
		{name: "clean push", res: scan.Result{}, wantNone: true},
		{name: "binary and submodule only", res: scan.Result{Skipped: []scan.Skip{binary, sub}}, wantNone: true},
		{
			name:    "accepted with a large file",
			res:     scan.Result{Skipped: []scan.Skip{binary, big("dump.sql")}},
			want:    []string{"NOTE: 1 file was not scanned", "dump.sql in commit 0123456789: larger than 5242880 bytes", "nothing in them was checked"},
			notWant: []string{"logo.png", "REJECTED", "How to fix"},
		},
		{
			name:   "GitLab prefix on every line",
			res:    scan.Result{Skipped: []scan.Skip{big("dump.sql")}},
			prefix: push.GitLabWebPrefix,
			want:   []string{push.GitLabWebPrefix + "pushguard: NOTE", push.GitLabWebPrefix + "  dump.sql"},
		},
		{
			name: "rejected push lists it after the findings",
			res:  scan.Result{Findings: []scan.Finding{finding}, Skipped: []scan.Skip{big("dump.sql")}},
			want: []string{"push REJECTED", "a.env:1:1", "NOTE: 1 file was not scanned", "dump.sql", "How to fix"},
		},
		{
			name:    "capped list",
			res:     scan.Result{Skipped: many},
			want:    []string{"NOTE: 12 files were not scanned", "data/09.csv", "... and 2 more."},
			notWant: []string{"data/10.csv"},
		},
		{
			name:    "path escaped",
			res:     scan.Result{Skipped: []scan.Skip{big("a\x1b[2J\rb.txt")}},
			want:    []string{`a\x1b[2J\x0db.txt`},
			notWant: []string{"\x1b", "\r"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			v := verdict.Decide(&tc.res, verdict.Options{})
			if err := Text(&buf, v, TextOptions{LinePrefix: tc.prefix}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if tc.wantNone {
				if out != "" {
					t.Fatalf("want no output, got:\n%s", out)
				}
				return
			}
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, nw := range tc.notWant {
				if strings.Contains(out, nw) {
					t.Errorf("output contains %q:\n%s", nw, out)
				}
			}
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if !strings.HasPrefix(l, tc.prefix) {
					t.Errorf("line without prefix %q: %q", tc.prefix, l)
				}
			}
		})
	}
}
