// Package verdict is the one place that decides a push: which findings
// count for which ref (scope), whether they are enforced (mode, severity),
// which are suppressed, whether a break-glass bypass applies, and what an
// error means (fail closed, fail open, permanent). Everything else reports
// or records what it decides.
package verdict

import (
	"sort"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
)

// Decision is the outcome for a whole push. Git applies a pre-receive
// hook's answer to every ref of the push, so one rejected ref update
// rejects all of them.
type Decision int

// Decisions.
const (
	Accept Decision = iota
	AcceptWithWarnings
	Reject
)

func (d Decision) String() string {
	switch d {
	case Accept:
		return "accepted"
	case AcceptWithWarnings:
		return "accepted with warnings"
	default:
		return "rejected"
	}
}

// Mode says whether blocking findings reject (Enforce) or are only
// recorded (Audit).
type Mode string

// Modes.
const (
	Enforce Mode = "enforce"
	Audit   Mode = "audit"
)

// RefPolicy is what the server configuration decides for one ref.
type RefPolicy struct {
	// Mode of the ref ("" is Enforce).
	Mode Mode
	// Scope names the scope that matched, "" when none did.
	Scope string
	// Applies selects the rules the ref's scope enables; nil enables all.
	Applies func(*ruleset.Rule) bool
}

// Options are what the decision depends on besides the findings.
type Options struct {
	// Mode is the mode of refs Policy does not decide (default Enforce).
	Mode Mode
	// Policy returns the policy of a ref; nil gives every ref Mode and all
	// rules. Each finding is decided under the policy of the ref it is
	// charged to (scan.Finding.Ref).
	Policy func(ref string) RefPolicy
	// Bypass is the pusher's break-glass request, nil when none was made.
	Bypass *Request
	// Err says the check did not complete; the findings made before it
	// stopped are still decided, and a blocking one always rejects.
	Err error
	// Permanent marks Err as a condition that retrying cannot fix
	// (unsupported repository format, broken configuration or policy): it
	// always rejects, whatever FailOpen says.
	Permanent bool
	// FailOpen is the server's on_error: accept. It accepts a push whose
	// check failed transiently and found nothing enforceable before that.
	FailOpen bool
}

// Request is a break-glass request, as the configuration judged it.
type Request struct {
	// Allowed: this pusher may bypass and gave a good enough reason.
	Allowed bool
	// Pusher and Reason are recorded and shown.
	Pusher, Reason string
	// Refusal says why a request that is not Allowed was refused.
	Refusal string
}

// Bypass is a break-glass bypass that was used.
type Bypass struct {
	Pusher string
	Reason string
}

// Verdict is the decision on one push and its reasons.
type Verdict struct {
	Decision Decision
	// Mode is the configuration's mode for refs no scope decides.
	Mode Mode
	// Findings count toward the decision: in scope, not suppressed,
	// blocking first.
	Findings []scan.Finding
	// Counts are the counted findings per severity.
	Counts map[ruleset.Severity]int
	// Commits is how many commits were checked; Rechecked of them were in
	// the repository already and were checked because they enter a ref
	// with a stricter policy (the caller sets it).
	Commits   int
	Rechecked int
	Tags      int
	// Skipped is content the scan did not read.
	Skipped []scan.Skip
	// Err is why the check did not complete, nil when it did.
	Err error
	// Permanent: Err is a condition retrying cannot fix.
	Permanent bool
	// FailedOpen: the check did not complete and the push was accepted
	// because the server fails open.
	FailedOpen bool
	AI         AISummary
	// AuditBlocked counts blocking findings on refs in audit mode.
	AuditBlocked int
	// Enforced counts blocking findings that reject unless bypassed.
	Enforced int
	// Bypassed: the enforced findings were let through by break-glass.
	Bypassed bool
	Bypass   *Bypass
	// NotBypassable lists the enforced rules that break-glass cannot lift.
	NotBypassable []string
	// BypassRefusal says why a requested bypass was not used.
	BypassRefusal string
	// Suppressed are in-scope findings an inline directive covers.
	Suppressed []scan.Finding
	// OutOfScope counts findings the ref's scope does not enable.
	OutOfScope int
}

// Blocking returns the number of counted blocking findings.
func (v *Verdict) Blocking() int { return v.Counts[ruleset.SeverityBlock] }

// Decide decides a push from what the scan found. A finding counts under
// the policy of its ref: out of the ref's scope it is dropped, on a ref in
// audit mode it is recorded but does not reject.
func Decide(res *scan.Result, opts Options) *Verdict {
	if opts.Mode == "" {
		opts.Mode = Enforce
	}
	policy := opts.Policy
	if policy == nil {
		policy = func(string) RefPolicy { return RefPolicy{Mode: opts.Mode} }
	}
	v := &Verdict{
		Mode:      opts.Mode,
		Counts:    map[ruleset.Severity]int{},
		Commits:   len(res.Commits),
		Tags:      len(res.Tags),
		Skipped:   res.Skipped,
		AI:        summarizeAI(res),
		Err:       opts.Err,
		Permanent: opts.Err != nil && opts.Permanent,
	}
	seenNB := map[string]bool{}
	for _, f := range res.Findings {
		p := policy(f.Ref)
		if p.Mode == "" {
			p.Mode = Enforce
		}
		if p.Applies != nil && !p.Applies(f.Rule) {
			v.OutOfScope++
			continue
		}
		if f.Suppressed {
			v.Suppressed = append(v.Suppressed, f)
			continue
		}
		v.Findings = append(v.Findings, f)
		v.Counts[f.Rule.Severity]++
		if f.Rule.Severity != ruleset.SeverityBlock {
			continue
		}
		if p.Mode != Enforce {
			v.AuditBlocked++
			continue
		}
		v.Enforced++
		if !f.Rule.Bypassable && !seenNB[f.Rule.ID] {
			seenNB[f.Rule.ID] = true
			v.NotBypassable = append(v.NotBypassable, f.Rule.ID)
		}
	}
	sort.SliceStable(v.Findings, func(i, j int) bool {
		return v.Findings[i].Rule.Severity.Rank() > v.Findings[j].Rule.Severity.Rank()
	})

	if b := opts.Bypass; b != nil {
		switch {
		case !b.Allowed:
			v.BypassRefusal = b.Refusal
		case v.Enforced > 0 && len(v.NotBypassable) > 0:
			v.BypassRefusal = "not bypassable: " + joinIDs(v.NotBypassable)
		case v.Enforced > 0 && v.Err != nil:
			v.BypassRefusal = "the push could not be fully checked"
		case v.Enforced > 0:
			v.Bypassed = true
			v.Bypass = &Bypass{Pusher: b.Pusher, Reason: b.Reason}
		}
	}

	switch {
	case v.Enforced > 0 && !v.Bypassed:
		// A blocking finding already made is never discarded, whatever
		// stopped the check afterwards.
		v.Decision = Reject
	case v.Err != nil && (v.Permanent || !opts.FailOpen):
		v.Decision = Reject
	case v.Err != nil:
		v.Decision = AcceptWithWarnings
		v.FailedOpen = true
	case v.Bypassed || len(v.Findings) > 0:
		v.Decision = AcceptWithWarnings
	default:
		v.Decision = Accept
	}
	return v
}

// Failed is the verdict on a push that could not be checked at all.
func Failed(err error, permanent, failOpen bool) *Verdict {
	return Decide(&scan.Result{}, Options{Err: err, Permanent: permanent, FailOpen: failOpen})
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += id
	}
	return out
}
