// Package hook is one pre-receive run, in process: it reads the ref updates
// and the environment, loads the configuration and the policy, finds what
// each ref update brings in, has pkg/verdict decide, reports to the pusher
// and writes the audit event. Every way out (decision, error, time budget,
// signal, panic) reports and audits alike. cmd/pushguard only maps the
// Outcome to an exit code.
package hook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// Exit codes of a run, as cmd/pushguard returns them.
const (
	ExitOK       = 0 // accepted (possibly with warnings)
	ExitRejected = 1 // rejected by policy
	ExitUsage    = 2 // usage or configuration error: the push is rejected
	ExitInternal = 3 // internal error: rejected unless the server fails open
)

// ErrInterrupted is the cancellation cause the caller gives the run's
// context when a signal (SIGTERM, SIGHUP: the platform cancelling the hook)
// must end it: the run writes an "interrupted" audit event and rejects.
var ErrInterrupted = errors.New("the hook was interrupted by a signal")

// Grace is how long after its time budget a run that has not stopped is
// given before it is abandoned (and the push rejected).
const Grace = 2 * time.Second

// Flags are the pre-receive command line.
type Flags struct {
	// ConfigPath is the server configuration (else $PUSHGUARD_CONFIG).
	ConfigPath string
	// RulePaths are rule files or directories added to the configured
	// rules (else $PUSHGUARD_RULES, colon-separated).
	RulePaths []string
	// NoDefaultRules leaves out the embedded default rules.
	NoDefaultRules bool
	// Baseline is a baseline file: findings it knows are dropped.
	Baseline string
}

// Env is what a run takes from its process.
type Env struct {
	// Getenv reads the hook's environment.
	Getenv func(string) string
	// Out receives the pusher-facing report (the hook's stderr: git shows
	// it as "remote:" lines).
	Out io.Writer
	// Version is pushguard's version, recorded in the audit event.
	Version string
	// Flags are the command line.
	Flags Flags
	// Now returns the time (nil: time.Now).
	Now func() time.Time
	// HoldGC holds the garbage collector back while the run loads the
	// policy (see holdGC): for the hook process, which runs once; callers
	// that run hooks in process leave it false.
	HoldGC bool
}

// Outcome is how a run ended.
type Outcome struct {
	// Code is the exit code (Exit*).
	Code int
	// Verdict is the decision (nil when the run was interrupted before it
	// decided).
	Verdict *verdict.Verdict
	// Event is the audit event, as written (or as it would have been).
	Event audit.Event
}

// Run is one pre-receive run: input holds git's "<old> <new> <ref>" lines.
// ctx bounds the whole run; cancel it with cause ErrInterrupted to stop it
// on a signal. The server configuration's time budget applies on top of
// ctx, to rule loading as much as to the scan.
func Run(ctx context.Context, input io.Reader, env Env) Outcome {
	if env.Now == nil {
		env.Now = time.Now
	}
	r := newRun(env)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				if env.Getenv("PUSHGUARD_DEBUG") != "" {
					r.debug = textsafe.Clean(string(debug.Stack()), 0)
				}
				// A rule whose regex fails on first use means the policy
				// on disk is not what was validated: a permanent
				// condition, rejected whatever on_error says.
				perr, _ := p.(error)
				r.fail(ExitInternal, errors.Is(perr, ruleset.ErrLazyCompile), fmt.Errorf("internal error: %v", p))
			}
		}()
		r.check(ctx, input)
	}()
	var budgetOver <-chan time.Time
	started := r.budgetStarted()
	for {
		select {
		case <-done:
			return r.outcome()
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), ErrInterrupted) {
				r.interrupted(context.Cause(ctx))
				return r.outcome()
			}
			// The caller's own deadline: the run's budget handles it; give
			// it the grace to stop.
			if budgetOver == nil {
				budgetOver = time.After(Grace)
			}
			ctx = context.WithoutCancel(ctx)
		case <-started:
			started = nil
			if budgetOver == nil {
				budgetOver = time.After(time.Until(r.deadline()) + Grace)
			}
		case <-budgetOver:
			r.fail(ExitInternal, true, fmt.Errorf("the check did not stop within %s after the server's time budget; it was abandoned", Grace))
			return r.outcome()
		}
	}
}

// run is one run's state. Its result is written once: by the check, or by
// a signal or the watchdog, whichever comes first (finish).
type run struct {
	env   Env
	start time.Time

	mu       sync.Mutex
	finished bool
	out      Outcome
	started  chan struct{} // closed once the time budget is known
	budgetAt time.Time

	// Known as the run goes (read under mu by the finishing paths).
	cfg    *config.Config
	pc     push.Context
	text   report.TextOptions
	logger *audit.Logger
	event  audit.Event
	debug  string
	// isNew, when set, holds the checked commits that are new to the
	// repository (the others entered a stricter ref); nil: all are new.
	isNew map[plumbing.Hash]bool
}

func newRun(env Env) *run {
	start := env.Now()
	r := &run{env: env, start: start, cfg: config.Default(), started: make(chan struct{})}
	r.event = audit.Event{Time: start, Version: env.Version, Mode: string(config.ModeEnforce)}
	return r
}

func (r *run) budgetStarted() <-chan struct{} { return r.started }

func (r *run) deadline() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.budgetAt
}

func (r *run) outcome() Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out
}

// finish reports v, writes the audit event and records the outcome, once.
func (r *run) finish(v *verdict.Verdict, code int, decision string) {
	r.finishWith(nil, v, code, decision)
}

// finishWith is finish with lines printed first (under the same lock, so
// that nothing else is printed in between).
func (r *run) finishWith(lines []string, v *verdict.Verdict, code int, decision string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return
	}
	r.finished = true
	for _, l := range lines {
		fmt.Fprintf(r.env.Out, "%s%s\n", r.text.LinePrefix, l)
	}
	if r.debug != "" {
		fmt.Fprintf(r.env.Out, "%s\n", r.debug)
	}
	if v != nil {
		if err := report.Text(r.env.Out, v, r.text); err != nil && code == ExitOK {
			code = ExitInternal
		}
	}
	r.event.Decision = decision
	r.event.Duration = time.Since(r.start)
	if err := r.writeAudit(); err != nil {
		fmt.Fprintf(r.env.Out, "%spushguard: the audit log could not be written: %s\n", r.text.LinePrefix, textsafe.Clean(err.Error(), 300))
		if code == ExitOK {
			// Never accept a push that is not recorded.
			fmt.Fprintf(r.env.Out, "%spushguard: push REJECTED: an accepted push must be recorded, and the audit log is not writable. Contact the server admins.\n", r.text.LinePrefix)
			r.event.Decision = audit.DecisionRejected
			code = ExitInternal
		}
	}
	r.out = Outcome{Code: code, Verdict: v, Event: r.event}
}

// writeAudit writes the event, bounded by the time budget (a held lock
// must not hang the hook).
func (r *run) writeAudit() error {
	if r.logger == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), auditWait(r.budgetAt))
	defer cancel()
	return r.logger.WriteContext(ctx, r.event)
}

// auditWait is how long an audit write may wait for the log's lock: what
// is left of the budget, but at least a second so that a run that used
// its whole budget can still be recorded.
func auditWait(deadline time.Time) time.Duration {
	left := time.Until(deadline)
	if deadline.IsZero() || left < time.Second {
		return time.Second
	}
	return left
}

// fail ends the run on an error that kept it from deciding on findings.
// permanent errors always reject; others follow on_error.
func (r *run) fail(code int, permanent bool, err error) {
	r.mu.Lock()
	failOpen := r.cfg != nil && r.cfg.OnError == config.OnErrorAccept && code == ExitInternal
	r.event.Error = err.Error()
	r.mu.Unlock()
	v := verdict.Failed(err, permanent, failOpen)
	if v.FailedOpen {
		r.finish(v, ExitOK, audit.DecisionWarned)
		return
	}
	r.finish(v, code, audit.DecisionRejected)
}

// interrupted ends the run on a signal: rejected, recorded.
func (r *run) interrupted(cause error) {
	r.mu.Lock()
	r.event.Error = cause.Error()
	r.mu.Unlock()
	r.finishWith([]string{
		"pushguard: push REJECTED: the check was interrupted (the server cancelled the hook) before it finished.",
		"  Nothing from this push was accepted. Push again; if it keeps happening, contact the server admins.",
	}, nil, ExitRejected, audit.DecisionInterrupted)
}

// decisionString maps a verdict to the audit decision.
func decisionString(v *verdict.Verdict) string {
	switch v.Decision {
	case verdict.Reject:
		return audit.DecisionRejected
	case verdict.AcceptWithWarnings:
		return audit.DecisionWarned
	}
	return audit.DecisionAccepted
}

// setConfig records the configuration and the push context once known.
func (r *run) setConfig(cfg *config.Config, pc push.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cfg, r.pc = cfg, pc
	r.text = AdviceOptions(cfg, pc)
	r.event.Platform, r.event.Repo, r.event.Pusher = pc.Platform, pc.Repo, pc.Pusher
	r.event.Protocol, r.event.Internal, r.event.Mode = pc.Protocol, pc.Internal, string(cfg.Mode)
	r.event.KeyOwner, r.event.Trigger = pc.KeyOwner, pc.Trigger
	if r.event.Trigger == "" {
		r.event.Trigger = pc.Via
	}
	if pr := pc.PullRequest; pr != nil {
		r.event.PullRequest, r.event.PullRequestIndex = pr.ID, pr.Index
	}
	r.event.PostReceive = postReceiveInstalled(pc.GitDir, r.env.Getenv)
	r.event.Warnings = append(r.event.Warnings, cfg.Warnings...)
}

// startBudget fixes the run's deadline and tells the watchdog.
func (r *run) startBudget(deadline time.Time) {
	r.mu.Lock()
	r.budgetAt = deadline
	r.mu.Unlock()
	close(r.started)
}

// warn prints a warning line to the pusher and records it.
func (r *run) warn(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return
	}
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(r.env.Out, "%spushguard: warning: %s\n", r.text.LinePrefix, textsafe.Clean(msg, 500))
	r.event.Warnings = append(r.event.Warnings, msg)
}

// flagRules returns the rule paths of the command line, else of
// $PUSHGUARD_RULES.
func flagRules(env Env) []string {
	if len(env.Flags.RulePaths) > 0 {
		return env.Flags.RulePaths
	}
	if v := env.Getenv("PUSHGUARD_RULES"); v != "" {
		return strings.Split(v, ":")
	}
	return nil
}
