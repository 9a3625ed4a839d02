// Package verdict turns scan findings into the decision on a push: accept,
// accept with warnings, or reject, with the reasons.
package verdict

import (
	"sort"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
)

// Decision is the outcome of a push.
type Decision int

// Decisions, from best to worst.
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

// Mode is how a verdict is enforced.
type Mode string

// Modes: enforce rejects on blocking findings; audit only records them.
const (
	Enforce Mode = "enforce"
	Audit   Mode = "audit"
)

// Options tune the decision.
type Options struct {
	Mode Mode // default Enforce
	// AuditOnly reports a blocking finding that is recorded but not
	// enforced (its ref or repository is in an audit-mode scope). nil: all
	// blocking findings are enforced.
	AuditOnly func(f scan.Finding) bool
	// Bypass is a permitted break-glass request (the caller has checked the
	// pusher and the reason). It overrides blocking findings of bypassable
	// rules only.
	Bypass *Bypass
}

// Bypass is a permitted break-glass request.
type Bypass struct {
	Pusher string
	Reason string
}

// Verdict is the decision and everything that led to it.
type Verdict struct {
	Decision Decision
	Mode     Mode
	// Findings are sorted: blocking first, then warnings, then info; within
	// a severity, in the order the scan found them (history order).
	Findings []scan.Finding
	Counts   map[ruleset.Severity]int
	Commits  int
	Tags     int
	// Skipped is content the scan did not read (binary, too large).
	Skipped []scan.Skip
	// Err is an internal error that decided the push (fail closed).
	Err error
	// AI is the AI provenance of the new commits (ai.go).
	AI AISummary
	// AuditBlocked counts blocking findings recorded but not enforced.
	AuditBlocked int
	// Bypassed: a break-glass request turned a rejection into acceptance.
	Bypassed bool
	// Bypass is the permitted request, when there was one.
	Bypass *Bypass
	// NotBypassable lists the rules that kept a bypass from applying.
	NotBypassable []string
	// BypassRefusal says why a requested bypass was not permitted (set by
	// the caller; rendered to the pusher).
	BypassRefusal string
	// Suppressed are the findings covered by an inline pushguard:allow
	// comment: reported as such, never counted (suppressed.go).
	Suppressed []scan.Finding
}

// Blocking reports the number of blocking findings.
func (v *Verdict) Blocking() int { return v.Counts[ruleset.SeverityBlock] }

// Decide applies the options to a scan result.
func Decide(res *scan.Result, opts Options) *Verdict {
	if opts.Mode == "" {
		opts.Mode = Enforce
	}
	v := &Verdict{
		Mode:     opts.Mode,
		Findings: counted(res.Findings), // suppressed ones are not counted
		Counts:   map[ruleset.Severity]int{},
		Commits:  len(res.Commits),
		Tags:     len(res.Tags),
		Skipped:  res.Skipped,
		AI:       summarizeAI(res),
	}
	v.Suppressed = suppressed(res.Findings)
	sort.SliceStable(v.Findings, func(i, j int) bool {
		return v.Findings[i].Rule.Severity.Rank() > v.Findings[j].Rule.Severity.Rank()
	})
	for _, f := range v.Findings {
		v.Counts[f.Rule.Severity]++
	}
	v.Bypass = opts.Bypass
	enforced := 0
	seen := map[string]bool{}
	for _, f := range v.Findings {
		if f.Rule.Severity != ruleset.SeverityBlock {
			continue
		}
		if opts.Mode != Enforce || (opts.AuditOnly != nil && opts.AuditOnly(f)) {
			v.AuditBlocked++
			continue
		}
		enforced++
		if !f.Rule.Bypassable && !seen[f.Rule.ID] {
			seen[f.Rule.ID] = true
			v.NotBypassable = append(v.NotBypassable, f.Rule.ID)
		}
	}
	switch {
	case enforced > 0 && opts.Bypass != nil && len(v.NotBypassable) == 0:
		v.Decision = AcceptWithWarnings
		v.Bypassed = true
	case enforced > 0:
		v.Decision = Reject
	case len(v.Findings) > 0:
		v.Decision = AcceptWithWarnings
	default:
		v.Decision = Accept
	}
	return v
}

// Failed is the verdict on a push that could not be checked: it is
// rejected (fail closed) unless failOpen, and carries the error.
func Failed(err error, failOpen bool) *Verdict {
	v := &Verdict{Decision: Reject, Mode: Enforce, Counts: map[ruleset.Severity]int{}, Err: err}
	if failOpen {
		v.Decision = AcceptWithWarnings
	}
	return v
}
