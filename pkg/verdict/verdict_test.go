package verdict

import (
	"errors"
	"testing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
)

func TestDecidePerRef(t *testing.T) {
	secret := &ruleset.Rule{ID: "aws", Severity: ruleset.SeverityBlock, Tags: []string{"secret"}, Bypassable: true}
	dump := &ruleset.Rule{ID: "dump", Severity: ruleset.SeverityBlock}
	warn := &ruleset.Rule{ID: "w", Severity: ruleset.SeverityWarn}
	// refs/heads/sandbox is in audit mode, refs/heads/nosecret does not
	// select secret rules, everything else is enforced with all rules.
	policy := func(ref string) RefPolicy {
		switch ref {
		case "refs/heads/sandbox":
			return RefPolicy{Mode: Audit, Scope: "sandbox"}
		case "refs/heads/nosecret":
			return RefPolicy{Mode: Enforce, Scope: "nosecret", Applies: func(r *ruleset.Rule) bool { return r.ID != "aws" }}
		}
		return RefPolicy{}
	}
	f := func(r *ruleset.Rule, ref string) scan.Finding { return scan.Finding{Rule: r, Ref: ref} }
	transient := errors.New("budget")
	tests := []struct {
		name       string
		findings   []scan.Finding
		opts       Options
		want       Decision
		enforced   int
		audit      int
		outOfScope int
		bypassed   bool
		refusal    string
	}{
		{"clean", nil, Options{}, Accept, 0, 0, 0, false, ""},
		{"secret on main", []scan.Finding{f(secret, "refs/heads/main")}, Options{}, Reject, 1, 0, 0, false, ""},
		{"secret on audit ref only", []scan.Finding{f(secret, "refs/heads/sandbox")}, Options{}, AcceptWithWarnings, 0, 1, 0, false, ""},
		{"secret out of scope only", []scan.Finding{f(secret, "refs/heads/nosecret")}, Options{}, Accept, 0, 0, 1, false, ""},
		{"same secret on a relaxed ref and on main", []scan.Finding{f(secret, "refs/heads/sandbox"), f(secret, "refs/heads/nosecret"), f(secret, "refs/heads/main")}, Options{}, Reject, 1, 1, 1, false, ""},
		{"warning only", []scan.Finding{f(warn, "refs/heads/main")}, Options{}, AcceptWithWarnings, 0, 0, 0, false, ""},
		{"bypass allowed", []scan.Finding{f(secret, "refs/heads/main")}, Options{Bypass: &Request{Allowed: true, Pusher: "alice", Reason: "incident 1"}}, AcceptWithWarnings, 1, 0, 0, true, ""},
		{"bypass refused", []scan.Finding{f(secret, "refs/heads/main")}, Options{Bypass: &Request{Refusal: "not allowed"}}, Reject, 1, 0, 0, false, "not allowed"},
		{"bypass of a non-bypassable rule", []scan.Finding{f(dump, "refs/heads/main")}, Options{Bypass: &Request{Allowed: true}}, Reject, 1, 0, 0, false, "not bypassable: dump"},
		{"budget overrun after a finding, fail open", []scan.Finding{f(secret, "refs/heads/main")}, Options{Err: transient, FailOpen: true}, Reject, 1, 0, 0, false, ""},
		{"budget overrun, nothing found, fail open", nil, Options{Err: transient, FailOpen: true}, AcceptWithWarnings, 0, 0, 0, false, ""},
		{"budget overrun, nothing found, fail closed", nil, Options{Err: transient}, Reject, 0, 0, 0, false, ""},
		{"permanent condition, fail open", nil, Options{Err: transient, Permanent: true, FailOpen: true}, Reject, 0, 0, 0, false, ""},
		{"budget overrun with bypass", []scan.Finding{f(secret, "refs/heads/main")}, Options{Err: transient, FailOpen: true, Bypass: &Request{Allowed: true}}, Reject, 1, 0, 0, false, "the push could not be fully checked"},
		{"global audit mode", []scan.Finding{f(secret, "refs/heads/main")}, Options{Mode: Audit}, AcceptWithWarnings, 0, 1, 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.Mode == "" {
				tt.opts.Policy = policy
			}
			v := Decide(&scan.Result{Findings: tt.findings}, tt.opts)
			if v.Decision != tt.want || v.Enforced != tt.enforced || v.AuditBlocked != tt.audit || v.OutOfScope != tt.outOfScope || v.Bypassed != tt.bypassed || v.BypassRefusal != tt.refusal {
				t.Errorf("got %v enforced=%d audit=%d outOfScope=%d bypassed=%v refusal=%q; want %v %d %d %d %v %q",
					v.Decision, v.Enforced, v.AuditBlocked, v.OutOfScope, v.Bypassed, v.BypassRefusal,
					tt.want, tt.enforced, tt.audit, tt.outOfScope, tt.bypassed, tt.refusal)
			}
			if v.FailedOpen != (tt.opts.Err != nil && v.Decision != Reject) {
				t.Errorf("FailedOpen = %v", v.FailedOpen)
			}
		})
	}
}
