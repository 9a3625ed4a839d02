package report

import (
	"strings"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// writeWaysOut tells a rejected developer the ways out that exist for
// them, and only those: an inline suppression for the blocking line
// findings whose rules allow one (when the configuration has inline
// suppression on), break-glass when the configuration lets this pusher use
// it and every blocking rule is bypassable, and, for a check on their own
// machine, that the server checks again. The help URL follows in the
// footer.
func writeWaysOut(line func(string, ...any), v *verdict.Verdict, o TextOptions) {
	var ways []func()
	if ids := suppressibleBlocking(v, o); len(ids) > 0 {
		ways = append(ways, func() {
			min := o.SuppressMinReason
			if min <= 0 {
				min = scan.DefaultMinReasonLength
			}
			line("  False positive? A comment on the line, or alone on the line above, suppresses it for rule(s)")
			line("  %s, with a reason of at least %d characters (recorded, and seen in review):", strings.Join(ids, ", "), min)
			line("    # pushguard:allow %s -- <why this is safe>", ids[0])
		})
	}
	if bypassOpen(v, o) {
		ways = append(ways, func() {
			min := max(o.BypassMinReason, 1)
			opt := textsafe.Clean(o.BypassOption, maxField)
			switch o.Client {
			case ClientPrePush:
				line("  Break-glass (you are allowed; the server records it, and the findings stay to fix):")
				line("    git push --no-verify -o %s=\"<reason, at least %d characters>\"", opt, min)
			default:
				line("  Break-glass (you are allowed; it is recorded in the audit log, and the findings stay to fix):")
				line("    git push -o %s=\"<reason, at least %d characters>\"", opt, min)
			}
		})
	}
	if o.Client == ClientPreCommit {
		ways = append(ways, func() {
			line("  This is a check on your machine (`git commit --no-verify` skips it); the server checks the push again.")
		})
	}
	if o.Client == ClientPrePush && !bypassOpen(v, o) {
		ways = append(ways, func() {
			line("  This is a check on your machine (`git push --no-verify` skips it); the server checks the push again.")
		})
	}
	if len(ways) == 0 {
		return
	}
	line("Other ways out:")
	for _, w := range ways {
		w()
	}
}

// bypassOpen reports whether break-glass would let this rejection
// through: the pusher may use it, no blocking rule is exempt from it, the
// check completed, and no bypass was already tried.
func bypassOpen(v *verdict.Verdict, o TextOptions) bool {
	return o.BypassOption != "" && o.Client != ClientPreCommit && v.Enforced > 0 &&
		len(v.NotBypassable) == 0 && v.Err == nil && v.BypassRefusal == "" && !v.Bypassed
}

// suppressibleBlocking returns the ids of the rules of the blocking line
// findings that an inline comment may suppress, in order of appearance.
func suppressibleBlocking(v *verdict.Verdict, o TextOptions) []string {
	if o.Suppressible == nil {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, f := range v.Findings {
		if f.Rule.Severity != ruleset.SeverityBlock || f.Kind != scan.KindLine || seen[f.Rule.ID] {
			continue
		}
		seen[f.Rule.ID] = true
		if o.Suppressible(f.Rule) {
			ids = append(ids, f.Rule.ID)
		}
	}
	return ids
}
