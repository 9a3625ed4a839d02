package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

func TestRedactN(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"AKIAZ7VRSQ5TLXKE4N2P", 0, "***"},
		{"AKIAZ7VRSQ5TLXKE4N2P", 4, "AKIA***"},
		{"AKIAZ7VRSQ5TLXKE4N2P", 100, "AKIAZ7VRSQ***"}, // never more than half
		{"ab", 5, "a***"},
		{"a", 5, "***"},
		{"", 3, "***"},
		{"äöüßéè", 2, "äö***"},
		{"x", -3, "***"},
	}
	for _, tt := range tests {
		if got := RedactN(tt.in, tt.n); got != tt.want {
			t.Errorf("RedactN(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func scanVerdict(t *testing.T, findings ...scan.Finding) *verdict.Verdict {
	t.Helper()
	return verdict.Decide(&scan.Result{Findings: findings}, verdict.Options{})
}

var (
	blockRule = &ruleset.Rule{ID: "key", Message: "a key", Help: "remove it", Severity: ruleset.SeverityBlock, Redact: true}
	warnRule  = &ruleset.Rule{ID: "ci", Message: "ci change", Help: "review it", Severity: ruleset.SeverityWarn}
	infoRule  = &ruleset.Rule{ID: "note", Message: "fyi", Severity: ruleset.SeverityInfo}
)

func TestFilterSeverity(t *testing.T) {
	v := scanVerdict(t,
		scan.Finding{Rule: blockRule, Kind: scan.KindLine, Path: "a", Line: 1, Column: 1, Match: "k"},
		scan.Finding{Rule: warnRule, Kind: scan.KindFile, Path: "ci.yml"},
		scan.Finding{Rule: infoRule, Kind: scan.KindFile, Path: "x"},
		scan.Finding{Rule: warnRule, Kind: scan.KindFile, Path: "s", Suppressed: true},
	)
	tests := []struct {
		min                     ruleset.Severity
		shown, hidden, suppress int
	}{
		{ruleset.SeverityInfo, 3, 0, 1},
		{ruleset.SeverityWarn, 2, 1, 1},
		{ruleset.SeverityBlock, 1, 2, 0},
	}
	for _, tt := range tests {
		got, hidden := FilterSeverity(v, tt.min)
		if len(got.Findings) != tt.shown || hidden != tt.hidden || len(got.Suppressed) != tt.suppress {
			t.Errorf("min %s: %d shown, %d hidden, %d suppressed; want %d, %d, %d", tt.min, len(got.Findings), hidden, len(got.Suppressed), tt.shown, tt.hidden, tt.suppress)
		}
		if got.Decision != v.Decision || got.Enforced != v.Enforced || got.Counts[ruleset.SeverityBlock] != 1 {
			t.Errorf("min %s changed the decision or the blocking count", tt.min)
		}
	}
	if len(v.Findings) != 3 {
		t.Error("FilterSeverity changed its argument")
	}
}

func TestScanTextHostileAndOutsideGit(t *testing.T) {
	c := plumbing.NewHash("abcdefabcdefabcdefabcdefabcdefabcdefabcd")
	hostile := "evil\x1b[2J\nname\u202e.ini"
	tests := []struct {
		name     string
		findings []scan.Finding
		opts     ScanOptions
		want     []string
		not      []string
	}{
		{
			"hostile path and match",
			[]scan.Finding{{Rule: blockRule, Kind: scan.KindLine, Commit: c, Path: hostile, Line: 3, Column: 2, Match: "SECRET\x1b]0;x\x07VALUE"}},
			ScanOptions{Redact: KeepRuleRedaction},
			[]string{"BLOCK  key: a key  [1 finding]", "(commit abcdefabcd)", "Result: FAILED: 1 blocking finding (exit code 1)."},
			[]string{"\x1b", "\u202e", "SECRET\x1b", "VALUE"},
		},
		{
			"content outside git",
			[]scan.Finding{
				{Rule: blockRule, Kind: scan.KindLine, Path: "etc/app.ini", Line: 1, Column: 7, Match: "AKIAZ7VRSQ5TLXKE4N2P"},
				{Rule: warnRule, Kind: scan.KindFile, Path: ".github/workflows/x.yml"},
			},
			ScanOptions{Redact: 0, Scanned: "2 files under site"},
			[]string{"in 2 files under site", "etc/app.ini:1:7  ***", "  .github/workflows/x.yml\n"},
			[]string{"commit", "AKIA"},
		},
		{
			"no findings",
			nil,
			ScanOptions{Scanned: "12 commits"},
			[]string{"pushguard scan: no findings in 12 commits", "Result: passed: no blocking findings."},
			[]string{"Summary", " push"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.ExitCode = 1
			var b bytes.Buffer
			if err := ScanText(&b, scanVerdict(t, tt.findings...), nil, tt.opts); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("contains %q:\n%s", n, out)
				}
			}
		})
	}
}

func TestScanTextAuditModeAndError(t *testing.T) {
	f := scan.Finding{Rule: blockRule, Kind: scan.KindFile, Path: "a", Commit: plumbing.NewHash("1111111111111111111111111111111111111111")}
	v := verdict.Decide(&scan.Result{Findings: []scan.Finding{f}}, verdict.Options{Mode: verdict.Audit, Err: errors.New("budget")})
	var b bytes.Buffer
	if err := ScanText(&b, v, nil, ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"The scan did not finish (budget)", "Result: passed: 1 blocking finding on refs in audit mode"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("lacks %q:\n%s", w, b.String())
		}
	}
}

func TestJUnitParsesAndCounts(t *testing.T) {
	c := plumbing.NewHash("abcdefabcdefabcdefabcdefabcdefabcdefabcd")
	v := scanVerdict(t,
		scan.Finding{Rule: blockRule, Kind: scan.KindLine, Commit: c, Path: "a\x00b<&>\x1b.go", Line: 1, Column: 1, Match: "AKIAZ7VRSQ5TLXKE4N2P"},
		scan.Finding{Rule: warnRule, Kind: scan.KindFile, Commit: c, Path: "ci.yml"},
	)
	v.Err = errors.New("stopped \x1b early")
	var b bytes.Buffer
	if err := JUnit(&b, v, nil, ScanOptions{Rules: []*ruleset.Rule{blockRule, warnRule, infoRule}, Redact: KeepRuleRedaction}); err != nil {
		t.Fatal(err)
	}
	var doc JUnitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	s := doc.Suites[0]
	if doc.Tests != 4 || doc.Failures != 1 || doc.Errors != 1 || len(s.Cases) != 4 {
		t.Fatalf("tests %d failures %d errors %d cases %d", doc.Tests, doc.Failures, doc.Errors, len(s.Cases))
	}
	if s.Cases[0].Failure == nil || s.Cases[1].Failure != nil || !strings.Contains(s.Cases[1].SystemOut, "ci.yml") || s.Cases[2].Failure != nil || s.Cases[2].SystemOut != "" {
		t.Errorf("cases %+v", s.Cases)
	}
	if strings.ContainsAny(b.String(), "\x00\x1b") || strings.Contains(b.String(), "AKIAZ7VRSQ5TLXKE4N2P") {
		t.Errorf("raw control characters or the key in the XML:\n%s", b.String())
	}
}

func TestJSONWithOptions(t *testing.T) {
	c := plumbing.NewHash("abcdefabcdefabcdefabcdefabcdefabcdefabcd")
	v := scanVerdict(t,
		scan.Finding{Rule: warnRule, Kind: scan.KindLine, Path: "x", Line: 1, Column: 1, Match: "plainvalue"},
	)
	commits := []scan.CommitInfo{{Hash: c, Refs: []string{"refs/heads/a", "refs/heads/b"}}}
	tests := []struct {
		name  string
		o     JSONOptions
		refs  bool
		match string
	}{
		{"defaults", JSONOptions{Redact: KeepRuleRedaction}, false, "plainvalue"},
		{"refs and redaction", JSONOptions{ShowRefs: true, Redact: 2}, true, "pl***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSONWith(&b, v, commits, tt.o); err != nil {
				t.Fatal(err)
			}
			var doc JSONReport
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if (len(doc.Commits[0].Refs) == 2) != tt.refs || doc.Findings[0].Match != tt.match || doc.Findings[0].Commit != "" {
				t.Errorf("commits %+v findings %+v", doc.Commits, doc.Findings)
			}
		})
	}
}
