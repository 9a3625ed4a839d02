package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// TestMetadataFindingNamesField: a secret found in commit or tag metadata
// is shown with its field and line, redacted, in text and JSON.
func TestMetadataFindingNamesField(t *testing.T) {
	c := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	rule := &ruleset.Rule{ID: "aws-access-key-id", Message: "AWS key", Severity: ruleset.SeverityBlock, Redact: true}
	tests := []struct {
		name string
		f    scan.Finding
		want []string
	}{
		{"commit message", scan.Finding{Rule: rule, Kind: scan.KindCommit, Commit: c, Ref: "refs/heads/main", Field: scan.FieldMessage, Line: 3, Column: 9, Match: "AKIAZ7VRSQ5TLXKE4N2P"},
			[]string{"commit 0123456789 on refs/heads/main", "message, line 3:9  AKIA"}},
		{"author e-mail", scan.Finding{Rule: rule, Kind: scan.KindCommit, Commit: c, Field: scan.FieldAuthorEmail, Line: 1, Column: 1, Match: "AKIAZ7VRSQ5TLXKE4N2P"},
			[]string{"author email, line 1:1  AKIA"}},
		{"tag message", scan.Finding{Rule: rule, Kind: scan.KindTag, Commit: c, Field: scan.FieldTagMessage, Line: 1, Column: 7, Match: "AKIAZ7VRSQ5TLXKE4N2P"},
			[]string{"tag object 0123456789", "tag message, line 1:7  AKIA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := verdict.Decide(&scan.Result{Findings: []scan.Finding{tc.f}}, verdict.Options{})
			var buf bytes.Buffer
			if err := Text(&buf, v, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("text lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, tc.f.Match) {
				t.Errorf("text shows the secret unredacted:\n%s", out)
			}
			doc, err := json.Marshal(BuildJSON(v, nil))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(doc), `"field":"`+tc.f.Field+`"`) || strings.Contains(string(doc), tc.f.Match) {
				t.Errorf("JSON lacks the field or shows the secret: %s", doc)
			}
		})
	}
}
