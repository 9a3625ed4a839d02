package report

import (
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"io"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
	"github.com/pushguard/pushguard/rules"
)

// benchVerdict is a rejected push of commits commits with findings
// findings of the embedded rules, their lines carrying some control
// characters and non-ASCII text to escape.
func benchVerdict(b *testing.B, commits, findings int) (*verdict.Verdict, []scan.CommitInfo) {
	b.Helper()
	rs, err := ruleset.LoadFS(rules.FS, ".")
	if err != nil {
		b.Fatal(err)
	}
	res := &scan.Result{}
	for i := range commits {
		var h plumbing.Hash
		copy(h[:], fmt.Sprintf("%020d", i))
		res.Commits = append(res.Commits, scan.CommitInfo{
			Hash: h, Refs: []string{"refs/heads/main"}, Subject: fmt.Sprintf("Change %d: tweak the \x1b[31mparser\x1b[0m", i),
			AI: scan.AI{Tools: []string{}, Evidence: []scan.Evidence{}},
		})
	}
	for i := range findings {
		c := res.Commits[i%commits]
		line := fmt.Sprintf("\tapi_key := \"AKIATESTKEY%06dAB\" // clé de test\r %d", i, i)
		res.Findings = append(res.Findings, scan.Finding{
			Rule: rs[i%len(rs)], Kind: scan.KindLine, Commit: c.Hash, Ref: "refs/heads/main",
			Path: fmt.Sprintf("internal/svc%02d/config.go", i%17), Line: 10 + i, Column: 13,
			Match: line[12:32], LineText: line,
		})
	}
	return verdict.Decide(res, verdict.Options{}), res.Commits
}

// BenchmarkText renders the pusher-facing text: a push (capped at the
// default 20 findings) and a `scan` report listing every finding.
func BenchmarkText(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts TextOptions
	}{
		{"mode=push", TextOptions{}},
		{"mode=scan", TextOptions{MaxFindings: 1 << 30, Scan: true}},
	} {
		b.Run(tc.name+"/findings=200", func(b *testing.B) {
			v, _ := benchVerdict(b, 50, 200)
			b.ReportAllocs()
			for b.Loop() {
				if err := Text(io.Discard, v, tc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJSON renders the JSON report of 200 findings over 50 commits.
func BenchmarkJSON(b *testing.B) {
	v, commits := benchVerdict(b, 50, 200)
	b.ReportAllocs()
	for b.Loop() {
		if err := JSON(io.Discard, v, commits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClean escapes a typical line and a hostile one.
func BenchmarkClean(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"input=plain", "\tif err := s.store.Put(ctx, key, value); err != nil { // plain ASCII line"},
		{"input=hostile", "\x1b[2J\x1b[Hremote: \u202eevil\u200b\r\nfake line\x00" + string(rune(0xfeff))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				textsafe.Clean(tc.s, 200)
			}
		})
	}
}
