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
		Findings: append([]scan.Finding(nil), res.Findings...),
		Counts:   map[ruleset.Severity]int{},
		Commits:  len(res.Commits),
		Tags:     len(res.Tags),
		Skipped:  res.Skipped,
	}
	sort.SliceStable(v.Findings, func(i, j int) bool {
		return v.Findings[i].Rule.Severity.Rank() > v.Findings[j].Rule.Severity.Rank()
	})
	for _, f := range v.Findings {
		v.Counts[f.Rule.Severity]++
	}
	switch {
	case v.Counts[ruleset.SeverityBlock] > 0 && opts.Mode == Enforce:
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
