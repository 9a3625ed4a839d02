package baseline

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
)

var (
	secretRule = &ruleset.Rule{ID: "aws", Severity: ruleset.SeverityBlock, Redact: true}
	codeRule   = &ruleset.Rule{ID: "tls-off", Severity: ruleset.SeverityWarn}
	fileRule   = &ruleset.Rule{ID: "pem", Severity: ruleset.SeverityBlock}
	commitA    = plumbing.NewHash("1111111111111111111111111111111111111111")
	commitB    = plumbing.NewHash("2222222222222222222222222222222222222222")
)

func lineFinding(r *ruleset.Rule, commit plumbing.Hash, path string, line int, match, text string) scan.Finding {
	return scan.Finding{Rule: r, Kind: scan.KindLine, Commit: commit, Path: path, Line: line, Column: 3, Match: match, LineText: text}
}

func TestFingerprint(t *testing.T) {
	base := lineFinding(secretRule, commitA, "cfg/app.env", 2, "AKIAXXXX", "KEY=AKIAXXXX")
	code := lineFinding(codeRule, commitA, "main.go", 10, "InsecureSkipVerify: true", "\tInsecureSkipVerify: true,")
	tests := []struct {
		name string
		a, b scan.Finding
		same bool
	}{
		{"secret moved and rebased", base, lineFinding(secretRule, commitB, "cfg/app.env", 40, "AKIAXXXX", "export KEY=AKIAXXXX # moved"), true},
		{"other secret", base, lineFinding(secretRule, commitA, "cfg/app.env", 2, "AKIAYYYY", "KEY=AKIAYYYY"), false},
		{"other path", base, lineFinding(secretRule, commitA, "cfg/prod.env", 2, "AKIAXXXX", "KEY=AKIAXXXX"), false},
		{"other rule", base, lineFinding(&ruleset.Rule{ID: "aws2", Redact: true}, commitA, "cfg/app.env", 2, "AKIAXXXX", "KEY=AKIAXXXX"), false},
		{"code line re-indented and moved", code, lineFinding(codeRule, commitB, "main.go", 99, "InsecureSkipVerify: true", "    InsecureSkipVerify:   true,"), true},
		{"code line edited", code, lineFinding(codeRule, commitA, "main.go", 10, "InsecureSkipVerify: true", "\tInsecureSkipVerify: true, // why"), false},
		{"file finding in another commit", scan.Finding{Rule: fileRule, Kind: scan.KindFile, Commit: commitA, Path: "k.pem"},
			scan.Finding{Rule: fileRule, Kind: scan.KindFile, Commit: commitB, Path: "k.pem"}, true},
		{"commit finding in another commit", scan.Finding{Rule: fileRule, Kind: scan.KindCommit, Commit: commitA},
			scan.Finding{Rule: fileRule, Kind: scan.KindCommit, Commit: commitB}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa, fb := Fingerprint(tt.a), Fingerprint(tt.b)
			if len(fa) != 64 {
				t.Fatalf("fingerprint %q is not 64 hex digits", fa)
			}
			if (fa == fb) != tt.same {
				t.Errorf("same fingerprint = %v, want %v", fa == fb, tt.same)
			}
		})
	}
}

func TestRoundTripAndFilter(t *testing.T) {
	known := lineFinding(secretRule, commitA, "a.env", 1, "AKIAXXXX", "K=AKIAXXXX")
	suppressed := lineFinding(secretRule, commitA, "b.env", 1, "AKIAZZZZ", "K=AKIAZZZZ")
	suppressed.Suppressed = true
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := WriteFile(path, []scan.Finding{known, known, suppressed}); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 1 {
		t.Errorf("baseline holds %d fingerprints, want 1 (duplicates and suppressed findings left out)", b.Len())
	}
	moved := lineFinding(secretRule, commitB, "a.env", 7, "AKIAXXXX", "K=AKIAXXXX")
	fresh := lineFinding(secretRule, commitB, "a.env", 8, "AKIANEW1", "K=AKIANEW1")
	kept, dropped := b.Filter([]scan.Finding{moved, fresh})
	if dropped != 1 || len(kept) != 1 || kept[0].Match != "AKIANEW1" {
		t.Errorf("Filter kept %v, dropped %d; want only the new finding kept", kept, dropped)
	}
	var nilB *Baseline
	if kept, n := nilB.Filter([]scan.Finding{fresh}); n != 0 || len(kept) != 1 {
		t.Error("a nil baseline must drop nothing")
	}
}

func TestWriteFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []scan.Finding{lineFinding(secretRule, commitA, "a.env", 3, "AKIAXXXX", "K=AKIAXXXX")}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"version": 1`, `"rule": "aws"`, `"path": "a.env"`, `"commit": "1111111111111111111111111111111111111111"`, `"line": 3`, `"fingerprint": "`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("baseline lacks %s:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "AKIAXXXX") {
		t.Error("the baseline must not contain the secret")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"not json", "nope", "read baseline"},
		{"version", `{"version": 2, "findings": []}`, "unsupported version 2"},
		{"fingerprint", `{"version": 1, "findings": [{"rule": "a", "fingerprint": "xyz", "commit": ""}]}`, "finding 1: fingerprint must be 64"},
		{"unknown field", `{"version": 1, "findings": [], "extra": 1}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
