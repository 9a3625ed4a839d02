package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// benchScanVerdict is a full-history-sized result: 2,000 commits, 300
// findings of 8 rules (file findings of one path in many commits, line
// findings), as a scan of a large repository gives.
func benchScanVerdict() (*verdict.Verdict, []scan.CommitInfo, []*ruleset.Rule) {
	var rules []*ruleset.Rule
	for i := 0; i < 8; i++ {
		sev := ruleset.SeverityWarn
		if i < 2 {
			sev = ruleset.SeverityBlock
		}
		rules = append(rules, &ruleset.Rule{ID: fmt.Sprintf("rule-%d", i), Message: "message", Help: "line one\nline two", Severity: sev, Redact: i == 0})
	}
	res := &scan.Result{}
	for i := 0; i < 2000; i++ {
		h := plumbing.NewHash(fmt.Sprintf("%040x", i+1))
		res.Commits = append(res.Commits, scan.CommitInfo{Hash: h, Subject: "subject", Refs: []string{"refs/heads/main"}})
		if i%7 == 0 {
			r := rules[i%8]
			f := scan.Finding{Rule: r, Kind: scan.KindFile, Commit: h, Path: ".github/workflows/ci.yml"}
			if i%2 == 0 {
				f = scan.Finding{Rule: r, Kind: scan.KindLine, Commit: h, Path: fmt.Sprintf("pkg/f%d.go", i), Line: i, Column: 3, Match: "AKIAZ7VRSQ5TLXKE4N2P"}
			}
			res.Findings = append(res.Findings, f)
		}
	}
	return verdict.Decide(res, verdict.Options{}), res.Commits, rules
}

func BenchmarkScanReport(b *testing.B) {
	v, commits, rules := benchScanVerdict()
	o := ScanOptions{Rules: rules, Redact: KeepRuleRedaction, ExitCode: 1}
	formats := []struct {
		name   string
		render func(io.Writer) error
	}{
		{"text", func(w io.Writer) error { return ScanText(w, v, commits, o) }},
		{"json", func(w io.Writer) error { return JSONWith(w, v, commits, JSONOptions{Redact: KeepRuleRedaction}) }},
		{"sarif", func(w io.Writer) error { return SARIF(w, v, o) }},
		{"junit", func(w io.Writer) error { return JUnit(w, v, commits, o) }},
	}
	for _, f := range formats {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := f.render(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
