package hook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// check is the run proper: configuration, input, policy, scan, decision.
func (r *run) check(parent context.Context, input io.Reader) {
	cfg, err := config.LoadOrDefault(r.env.Flags.ConfigPath, r.env.Getenv)
	if err != nil {
		r.fail(ExitUsage, true, fmt.Errorf("the server's pushguard configuration is invalid: %w", err))
		return
	}
	pc, err := push.FromEnvWith(r.env.Getenv, cfg.EnvOptions())
	if err != nil {
		r.fail(ExitUsage, true, fmt.Errorf("hook environment: %w", err))
		return
	}
	cfg = cfg.ForPlatform(pc.Platform)
	r.setConfig(cfg, pc)

	deadline := r.start.Add(cfg.TimeBudget)
	ctx, cancel := context.WithDeadline(parent, deadline)
	defer cancel()
	r.startBudget(deadline)

	logger, err := audit.Open(audit.Options{
		Destination: audit.Destination(cfg.Audit.Destination), Path: cfg.Audit.Path,
		Stderr: r.env.Out, SyslogTag: cfg.Audit.SyslogTag, SyslogFacility: cfg.Audit.SyslogFacility,
	})
	switch {
	case err != nil && cfg.OnError != config.OnErrorAccept:
		// A log that cannot be opened (missing directory, permissions, a
		// FIFO at the path) is the server's configuration: retrying will
		// not help, the admins must fix it.
		r.fail(ExitUsage, true, fmt.Errorf("the server's audit log cannot be opened (configuration audit.destination/path): %w", err))
		return
	case err != nil:
		// Fail open was chosen: check the push anyway and say it is
		// unrecorded.
		r.warn("the audit log cannot be written (%s); this push is checked but not recorded", err)
	default:
		r.mu.Lock()
		r.logger = logger
		r.mu.Unlock()
		defer logger.Close()
	}

	updates, err := push.ParseUpdates(input)
	if err != nil {
		r.fail(ExitUsage, true, fmt.Errorf("malformed hook input: %w", err))
		return
	}
	r.mu.Lock()
	for _, u := range updates {
		r.event.Refs = append(r.event.Refs, audit.Ref{Name: u.Ref, Old: u.Old, New: u.New})
		if deferredRef(pc, u.Ref) && !u.Deleted() {
			r.event.Warnings = append(r.event.Warnings, u.Ref+": written by the platform for a pull request; "+
				"its findings are recorded, not enforced here: merging it into a branch is checked under that branch's policy")
		}
	}
	r.mu.Unlock()
	for _, u := range updates {
		if !u.Deleted() && len(u.New) != 40 || !u.Created() && len(u.Old) != 40 {
			r.fail(ExitInternal, true, errors.New("SHA-256 repositories are not supported yet: pushguard cannot check this push, so it is refused whatever on_error says"))
			return
		}
	}

	gitEnv, err := gitstore.EnvFromGetenv(r.env.Getenv)
	if err != nil {
		r.fail(ExitUsage, true, fmt.Errorf("hook environment: %w", err))
		return
	}
	store, err := gitstore.Open(gitEnv)
	if err != nil {
		r.fail(ExitInternal, errors.Is(err, gitstore.ErrUnsupportedRepository), fmt.Errorf("open repository: %w", err))
		return
	}
	defer store.Close()

	pol, err := r.loadPolicy(ctx, cfg, pc, store, updates)
	if err != nil {
		var perr *policyPushError
		switch {
		case errors.As(err, &perr):
			r.rejectPolicyPush(perr)
		case ctx.Err() != nil:
			r.fail(ExitInternal, false, r.budgetError(ctx, "loading the rules", err))
		default:
			r.fail(ExitUsage, true, fmt.Errorf("the server's pushguard rules are invalid: %w", err))
		}
		return
	}
	r.mu.Lock()
	r.event.RulesetVersion = pol.Version
	r.mu.Unlock()

	res, scanErr := r.scanGroups(ctx, cfg, pc, store, pol, updates)
	permanent := errors.Is(scanErr, gitstore.ErrUnsupportedRepository)
	if scanErr != nil && ctx.Err() != nil {
		scanErr = r.budgetError(ctx, "the scan", scanErr)
	}
	if r.env.Flags.Baseline != "" {
		known, err := baseline.Load(r.env.Flags.Baseline)
		if err != nil {
			r.fail(ExitUsage, true, fmt.Errorf("the server's pushguard baseline is invalid: %w", err))
			return
		}
		res.Findings, _ = known.Filter(res.Findings)
	}

	opts := verdict.Options{
		Mode:      verdict.Mode(cfg.Mode),
		Policy:    refPolicies(cfg, pc),
		Err:       scanErr,
		Permanent: permanent,
		FailOpen:  cfg.OnError == config.OnErrorAccept,
	}
	req := cfg.Bypass.Check(pc.Pusher, pc.Options)
	if req.Requested {
		opts.Bypass = &verdict.Request{Allowed: req.Allowed, Pusher: pc.Pusher, Reason: req.Reason, Refusal: req.Refusal}
	}
	v := verdict.Decide(res, opts)
	if r.isNew != nil {
		for _, c := range res.Commits {
			if !r.isNew[c.Hash] {
				v.Rechecked++
			}
		}
	}
	r.record(v, res, req, pc)
	code := ExitOK
	switch {
	case v.Decision == verdict.Reject && v.Enforced > 0:
		code = ExitRejected
	case v.Decision == verdict.Reject && v.Permanent:
		code = ExitUsage
	case v.Decision == verdict.Reject:
		code = ExitInternal
	}
	r.finish(v, code, decisionString(v))
}

// budgetError words an error that the time budget (or the caller's
// context) caused.
func (r *run) budgetError(ctx context.Context, what string, err error) error {
	if errors.Is(context.Cause(ctx), ErrInterrupted) {
		return fmt.Errorf("%s was interrupted: %w", what, err)
	}
	r.mu.Lock()
	budget := r.cfg.TimeBudget
	r.mu.Unlock()
	return fmt.Errorf("%s took longer than the server's time budget of %s: %w", what, budget.Round(time.Millisecond), err)
}

// record fills the audit event from the verdict: commits (each once),
// counted findings, suppressions, bypass, per-ref decisions.
func (r *run) record(v *verdict.Verdict, res *scan.Result, req config.BypassRequest, pc push.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := &r.event
	e.AddLines(0, false) // lines are counted, even when no commit adds any
	for _, c := range res.Commits {
		if r.isNew != nil && !r.isNew[c.Hash] {
			continue
		}
		if c.AI.Detected {
			e.AddCommit(c.AI.Tools)
		} else {
			e.AddCommit(nil)
		}
		e.AddLines(c.AddedLines, c.AI.Detected)
		if c.AI.Detected {
			e.AddCommitLines(audit.CommitLines{Commit: c.Hash.String(), AddedLines: c.AddedLines, AILines: c.AI.Lines, Attribution: c.AI.Attribution})
		}
	}
	for _, f := range v.Findings {
		e.AddFinding(f.Rule.ID, string(f.Rule.Severity))
	}
	for _, f := range v.Suppressed {
		e.AddSuppression(audit.Suppression{
			Rule: f.Rule.ID, Commit: f.Commit.String(), Path: f.Path, Line: f.Line,
			Reason: f.SuppressReason, Pusher: pc.Pusher,
		})
	}
	if req.Requested {
		e.Bypass = &audit.Bypass{Reason: req.Reason, Refusal: v.BypassRefusal, Used: v.Bypassed}
	}
	blocking := map[string]int{}
	for _, f := range v.Findings {
		if f.Rule.Severity == "block" {
			blocking[f.Ref]++
		}
	}
	for i := range e.Refs {
		e.Refs[i].Blocking = blocking[e.Refs[i].Name]
		e.Refs[i].Decision = decisionString(v)
	}
	if v.Err != nil {
		e.Error = v.Err.Error()
	}
}

// rejectPolicyPush rejects a push to the policy repository whose rules are
// broken, listing every problem.
func (r *run) rejectPolicyPush(perr *policyPushError) {
	r.mu.Lock()
	p := r.text.LinePrefix
	r.event.Error = "policy push rejected: rules invalid"
	r.mu.Unlock()
	lines := splitErr(perr.Error())
	fmt.Fprintf(r.env.Out, "%spushguard: push REJECTED: this repository holds the pushguard rules, and %s\n", p, textsafe.Clean(lines[0], 300))
	for i, l := range lines[1:] {
		if i == 50 {
			fmt.Fprintf(r.env.Out, "%s  ... and %d more\n", p, len(lines)-1-i)
			break
		}
		fmt.Fprintf(r.env.Out, "%s  %s\n", p, textsafe.Clean(l, 300))
	}
	fmt.Fprintf(r.env.Out, "%sFix the rules (pushguard rules test <dir> runs the same checks locally) and push again.\n", p)
	r.finish(nil, ExitRejected, audit.DecisionRejected)
}

// policyPushError is a push to the policy repository whose rules do not
// load or fail their own tests.
type policyPushError struct{ err error }

func (e *policyPushError) Error() string { return e.err.Error() }
func (e *policyPushError) Unwrap() error { return e.err }

func splitErr(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// tipHash is the object a ref update points the ref at.
func tipHash(u push.Update) plumbing.Hash { return plumbing.NewHash(u.New) }
