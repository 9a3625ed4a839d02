package scan

import (
	"errors"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/deps"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

func TestUnparsedRule(t *testing.T) {
	for _, tt := range []struct{ in, want ruleset.Severity }{
		{ruleset.SeverityBlock, ruleset.SeverityWarn},
		{ruleset.SeverityWarn, ruleset.SeverityWarn},
		{ruleset.SeverityInfo, ruleset.SeverityInfo},
	} {
		r := &ruleset.Rule{ID: "dep", Severity: tt.in, Message: "m", Index: 3}
		u := unparsedRule(r, errors.New("parse package.json: line 2: invalid JSON"))
		if u.Severity != tt.want || u.ID != "dep" || u.Index != 3 || !strings.Contains(u.Message, "line 2: invalid JSON") {
			t.Errorf("unparsedRule(%s) = %+v", tt.in, u)
		}
		if r.Severity != tt.in || r.Message != "m" {
			t.Errorf("unparsedRule changed the rule it was given: %+v", r)
		}
	}
}

func TestDeclarationLines(t *testing.T) {
	content := []byte("a\r\nflask==3\n" + strings.Repeat("x", maxLineText+10) + "\n")
	got := declarationLines(content, []deps.Dep{{Line: 2}, {Line: 3}})
	if got[2] != "flask==3" || len(got[3]) != maxLineText || len(got) != 2 {
		t.Errorf("declarationLines = %v", got)
	}
}
