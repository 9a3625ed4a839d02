// Package report renders a verdict: the text a pusher sees as `remote:`
// lines, and machine-readable JSON. Every string that came from the push is
// escaped with Clean before it is written.
package report

import (
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"io"
	"strings"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// DefaultMaxFindings caps the findings listed in the text report.
const DefaultMaxFindings = 20

// TextOptions tune the pusher-facing text.
type TextOptions struct {
	// MaxFindings caps the findings listed (0 = DefaultMaxFindings).
	MaxFindings int
	// LinePrefix starts every line (GitLab's web UI needs "GL-HOOK-ERR: ").
	LinePrefix string
	// Header and Footer are the server admin's text, printed first and last.
	Header, Footer string
	// HelpURL points at the organisation's policy page.
	HelpURL string
	// Scan renders for `pushguard scan` instead of a push: no advice on
	// rewriting a rejected push.
	Scan bool
	// Client renders for a check on the developer's machine: ClientPrePush
	// (commits not yet on the remote) or ClientPreCommit (the staged
	// changes). Empty: the server's pre-receive hook.
	Client string
	// BypassOption is the push option of break-glass, set only when the
	// configuration lets this pusher use it; BypassMinReason is the
	// shortest reason it accepts.
	BypassOption    string
	BypassMinReason int
	// Suppressible says which rules an inline pushguard:allow comment may
	// silence; nil when inline suppression is off. SuppressMinReason is
	// the shortest reason such a comment needs.
	Suppressible      func(*ruleset.Rule) bool
	SuppressMinReason int
}

// Client check kinds (TextOptions.Client).
const (
	ClientPrePush   = "pre-push"
	ClientPreCommit = "pre-commit"
)

// maxField caps any pushed string echoed in the text report.
const maxField = 200

// Text writes the report a pusher sees. Nothing is written for a clean push
// without findings and without unscanned (too large) files.
func Text(w io.Writer, v *verdict.Verdict, o TextOptions) error {
	if o.MaxFindings <= 0 {
		o.MaxFindings = DefaultMaxFindings
	}
	if v.Decision == verdict.Accept && v.Err == nil {
		if err := writeAIAccepted(w, v, o); err != nil {
			return err
		}
		if err := writeSuppressedAccepted(w, v, o); err != nil {
			return err
		}
		return writeAcceptedNotes(w, v, o)
	}
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, o.LinePrefix+format+"\n", args...)
	}
	for _, h := range splitLines(o.Header) {
		line("%s", h)
	}
	if v.Err != nil && len(v.Findings) == 0 {
		switch {
		case v.Decision == verdict.Reject && o.Client != "":
			line("pushguard %s: STOPPED: the check could not run, so nothing was %s.", o.Client, clientDone(o))
		case v.Decision == verdict.Reject && v.Permanent:
			line("pushguard: push REJECTED by a problem of the server (its configuration or repository); nothing was accepted.")
		case v.Decision == verdict.Reject:
			line("pushguard: push REJECTED: the push could not be checked, so nothing was accepted.")
		default:
			line("pushguard: WARNING: the push could not be checked; accepted because the server is configured to fail open.")
		}
		for i, l := range splitLines(v.Err.Error()) {
			if i == 20 {
				line("  ...")
				break
			}
			if i == 0 {
				line("  error: %s", clip(l, 500))
			} else {
				line("    %s", clip(l, 500))
			}
		}
		switch {
		case v.Permanent && o.Client != "":
			line("  This is a problem of the pushguard configuration or rules this check uses, not of your changes.")
			line("  Run `pushguard config validate FILE` or `pushguard rules validate DIR` to see every error.")
		case v.Permanent:
			line("  This is a problem of the server's configuration or repository, not of your changes:")
			line("  pushing again will not help. Contact the server admins.")
		case o.Client != "":
			line("  This is not a problem with your changes. Run it again; if it persists, report it.")
		default:
			line("  This is not a problem with your changes. Try again; if it persists, contact the server admins.")
		}
		writeFooter(line, o)
		_, err := io.WriteString(w, b.String())
		return err
	}
	line("pushguard: %s", summary(v, o))
	if v.Err != nil {
		// The check stopped early; what it found before still decides.
		line("  The check did not finish (%s);", clip(textsafe.Clean(v.Err.Error(), 0), 300))
		line("  the findings below were made before it stopped, and there may be more.")
	}
	writeAISummary(line, v)
	line("")
	for i, f := range v.Findings {
		if i == o.MaxFindings {
			line("... and %d more finding(s) not shown.", len(v.Findings)-i)
			line("")
			break
		}
		writeFinding(line, f, &v.AI, o, v.Decision == verdict.Reject, v.Bypassed)
	}
	writeUnscanned(line, v)
	writeSuppressed(line, v)
	if v.Bypassed && v.Bypass != nil {
		line("Bypass used by %s, reason: \"%s\"", textsafe.Clean(v.Bypass.Pusher, maxField), textsafe.Clean(v.Bypass.Reason, maxField))
		line("The blocking findings above were let through and recorded. The commits are on the server now:")
		line("fix the content in a follow-up commit (do not rewrite the pushed history), and rotate any secret it exposed.")
	}
	if v.BypassRefusal != "" {
		line("Bypass refused: %s", textsafe.Clean(v.BypassRefusal, 500))
	}
	if len(v.NotBypassable) > 0 && v.Decision == verdict.Reject {
		line("Bypass not possible: rule(s) %s cannot be bypassed.", strings.Join(v.NotBypassable, ", "))
	}
	switch {
	case v.Decision != verdict.Reject || o.Scan:
	case o.Client == ClientPreCommit:
		line("How to fix: remove the blocked content from the staged files (edit them, `git add` them), then commit again.")
		line("  A secret that left your machine must be rotated as well, even after it is removed.")
		line("Nothing was committed.")
	case aiOnlyRejection(v):
		writeAIHowTo(line, o)
	default:
		line("How to fix: remove the blocked content from every commit that adds it, then push again.")
		line("  Last commit only:  fix the file, `git add` it, `git commit --amend`.")
		line("  Older commits:     `git rebase -i <commit>~1`, mark the commit `edit`, fix, `git commit --amend`,")
		line("                     `git rebase --continue`. A new commit that deletes it is not enough:")
		line("                     the content would still be in history.")
		line("  A secret that left your machine must be rotated as well, even after it is removed.")
		line("%s", nothingDone(o))
	}
	if v.Decision == verdict.Reject && !o.Scan {
		writeWaysOut(line, v, o)
	}
	writeFooter(line, o)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFooter(line func(string, ...any), o TextOptions) {
	if o.HelpURL != "" {
		line("Policy: %s", textsafe.Clean(o.HelpURL, 0))
	}
	for _, f := range splitLines(o.Footer) {
		line("%s", f)
	}
}

func splitLines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = textsafe.Clean(l, 0)
	}
	return lines
}

// clip caps an already cleaned string at max bytes, on a rune boundary.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return textsafe.Prefix(s, max) + "…"
}

func summary(v *verdict.Verdict, o TextOptions) string {
	forScan := o.Scan
	var parts []string
	for _, s := range []ruleset.Severity{ruleset.SeverityBlock, ruleset.SeverityWarn, ruleset.SeverityInfo} {
		if n := v.Counts[s]; n > 0 {
			parts = append(parts, plural(n, label(s)))
		}
	}
	scope := plural(v.Commits-v.Rechecked, "new commit")
	if v.Rechecked > 0 {
		scope += " and " + plural(v.Rechecked, "commit") + " entering a ref with a stricter policy"
	}
	if v.Tags > 0 {
		scope += ", " + plural(v.Tags, "tag")
	}
	head := "push " + strings.ToUpper(v.Decision.String())
	if v.Decision == verdict.AcceptWithWarnings {
		head = "push accepted with warnings"
	}
	if v.Decision != verdict.Reject && v.AuditBlocked > 0 {
		head = "push accepted (audit mode: blocking findings are recorded, not enforced)"
	}
	if v.Bypassed {
		head = "push ACCEPTED BY BYPASS (break-glass; recorded in the audit log)"
	}
	switch {
	case forScan:
		head = "scan found"
		scope = strings.Replace(scope, " new ", " ", 1)
	case o.Client == ClientPreCommit:
		head = "pre-commit check: commit " + clientHead(v, "STOPPED")
		scope = "the staged changes"
	case o.Client == ClientPrePush:
		head = "pre-push check: push " + clientHead(v, "STOPPED")
		scope = strings.Replace(scope, " new commit", " commit", 1) + " not yet on the remote"
	}
	return fmt.Sprintf("%s: %s in %s", head, strings.Join(parts, ", "), scope)
}

func label(s ruleset.Severity) string {
	switch s {
	case ruleset.SeverityBlock:
		return "blocking finding"
	case ruleset.SeverityWarn:
		return "warning"
	default:
		return "notice"
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// clientHead is the verdict word of a client check.
func clientHead(v *verdict.Verdict, stopped string) string {
	switch {
	case v.Decision == verdict.Reject:
		return stopped
	case v.AuditBlocked > 0:
		return "allowed (audit mode: blocking findings are recorded, not enforced)"
	case v.Decision == verdict.AcceptWithWarnings:
		return "allowed with warnings"
	}
	return "allowed"
}

// clientDone is what a stopped client check did not do.
func clientDone(o TextOptions) string {
	if o.Client == ClientPreCommit {
		return "committed"
	}
	return "pushed"
}

// nothingDone closes a rejection.
func nothingDone(o TextOptions) string {
	if o.Client != "" {
		return "Nothing was " + clientDone(o) + "."
	}
	return "Nothing from this push was accepted."
}

func writeFinding(line func(string, ...any), f scan.Finding, ai *verdict.AISummary, o TextOptions, rejected, bypassed bool) {
	scanOnly := o.Scan || o.Client != ""
	r := f.Rule
	line("%s  %s: %s", strings.ToUpper(string(r.Severity)), r.ID, textsafe.Clean(r.Message, maxField))
	where := "commit " + short(f)
	if f.Kind == scan.KindTag {
		where = "tag object " + short(f)
	}
	if f.Ref != "" {
		where += " on " + textsafe.Clean(f.Ref, maxField)
	}
	if o.Client == ClientPreCommit {
		// The commit is the staged tree's stand-in: its id means nothing.
		where = "staged, to be committed on " + textsafe.Clean(f.Ref, maxField)
	}
	line("  %s", where)
	switch f.Kind {
	case scan.KindLine:
		m := f.Match
		if r.Redact {
			m = Redact(m)
		}
		if f.Detail != "" { // names what matched; the match may be invisible
			m = f.Detail
		}
		line("  %s:%d:%d  %s", textsafe.Clean(f.Path, maxField), f.Line, f.Column, textsafe.Clean(m, maxField))
	case scan.KindFile:
		line("  %s", textsafe.Clean(f.Path, maxField))
	}
	if f.Field != "" { // a secret in commit or tag metadata
		m := f.Match
		if r.Redact {
			m = Redact(m)
		}
		line("  %s, line %d:%d  %s", f.Field, f.Line, f.Column, textsafe.Clean(m, maxField))
	}
	writeAIEvidence(line, f, ai)
	if r.Help != "" && !bypassed {
		// After a bypass the rules' own advice (often: rewrite the
		// branch) would contradict the one closing paragraph that
		// applies to commits already accepted.
		for i, h := range splitLines(toolHint(r, r.Help, f, ai)) {
			if i == 0 {
				line("  fix: %s", h)
			} else {
				line("       %s", h)
			}
		}
	}
	if rejected || scanOnly {
		// Amending is advice for commits not accepted yet: once a push is
		// in (warnings, bypass), the fix is a follow-up commit.
		writeAIFixFor(line, f, ai, scanOnly)
	}
	line("")
}

func short(f scan.Finding) string {
	return f.Commit.String()[:10]
}
