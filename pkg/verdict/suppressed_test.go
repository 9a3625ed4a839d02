package verdict

import (
	"testing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
)

func TestSuppressedFindingsDoNotCount(t *testing.T) {
	block := &ruleset.Rule{ID: "b", Severity: ruleset.SeverityBlock}
	warn := &ruleset.Rule{ID: "w", Severity: ruleset.SeverityWarn}
	tests := []struct {
		name       string
		findings   []scan.Finding
		want       Decision
		counted    int
		suppressed int
	}{
		{"only suppressed", []scan.Finding{{Rule: block, Suppressed: true}}, Accept, 0, 1},
		{"suppressed and warn", []scan.Finding{{Rule: block, Suppressed: true}, {Rule: warn}}, AcceptWithWarnings, 1, 1},
		{"suppressed and block", []scan.Finding{{Rule: block, Suppressed: true}, {Rule: block}}, Reject, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Decide(&scan.Result{Findings: tt.findings}, Options{})
			if v.Decision != tt.want || len(v.Findings) != tt.counted || len(v.Suppressed) != tt.suppressed {
				t.Errorf("decision %v, %d counted, %d suppressed; want %v, %d, %d",
					v.Decision, len(v.Findings), len(v.Suppressed), tt.want, tt.counted, tt.suppressed)
			}
			if v.Counts[ruleset.SeverityBlock] != tt.counted-countWarn(tt.findings) {
				t.Errorf("block count %d includes suppressed findings", v.Counts[ruleset.SeverityBlock])
			}
		})
	}
}

func countWarn(fs []scan.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Rule.Severity == ruleset.SeverityWarn && !f.Suppressed {
			n++
		}
	}
	return n
}
