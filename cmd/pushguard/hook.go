package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// hookRun is one run of the pre-receive hook: what it has learnt so far,
// so that every way out (decision, error, panic) reports and audits alike.
type hookRun struct {
	a       *app
	out     *bufio.Writer
	start   time.Time
	cfg     *config.Config
	pc      push.Context
	updates []push.Update
	text    report.TextOptions
	logger  *audit.Logger
	event   audit.Event
	// baseline is the --baseline file: known findings to drop.
	baseline string
}

// preReceive runs the hook: stdin holds the ref updates, the environment
// locates the quarantined objects. Anything that goes wrong rejects the push
// (fail closed) with a message the pusher can read, unless the server
// configuration says on_error: accept.
func (a *app) preReceive(args []string) (code int) {
	h := &hookRun{a: a, out: bufio.NewWriter(a.stderr), start: time.Now(), cfg: config.Default()}
	h.event = audit.Event{Time: h.start, Version: version}
	defer h.out.Flush()
	defer func() {
		if p := recover(); p != nil {
			// A crash never accepts a push (unless fail-open is configured).
			if a.getenv("PUSHGUARD_DEBUG") != "" {
				fmt.Fprintf(h.out, "%s\n", textsafe.Clean(string(debug.Stack()), 0))
			}
			code = h.fail(exitInternal, fmt.Errorf("internal error: %v", p))
		}
	}()

	fs := flag.NewFlagSet("pre-receive", flag.ContinueOnError)
	fs.SetOutput(h.out)
	var rulePaths stringList
	fs.Var(&rulePaths, "rules", "rule file or directory, added to the configured rules (repeatable)")
	noDefaults := fs.Bool("no-default-rules", false, "do not load the embedded default rules")
	fs.StringVar(&h.baseline, "baseline", "", "baseline file (pushguard scan --baseline-out): drop the findings it knows")
	configPath := fs.String("config", "", "server configuration file (default $"+config.EnvVar+")")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if env := a.getenv("PUSHGUARD_RULES"); env != "" && len(rulePaths) == 0 {
		rulePaths = strings.Split(env, ":")
	}

	cfg, err := config.LoadOrDefault(*configPath, a.getenv)
	if err != nil {
		// Without a readable configuration the on_error choice is unknown:
		// fail closed.
		return h.fail(exitUsage, fmt.Errorf("the server's pushguard configuration is invalid: %w", err))
	}
	pc, err := push.FromEnvWith(a.getenv, cfg.EnvOptions())
	if err != nil {
		return h.fail(exitUsage, fmt.Errorf("hook environment: %w", err))
	}
	h.pc = pc
	h.cfg = cfg.ForPlatform(pc.Platform)
	h.text = report.TextOptions{
		LinePrefix: pc.LinePrefix, MaxFindings: h.cfg.MaxFindings,
		Header: h.cfg.Message.Header, Footer: h.cfg.Message.Footer, HelpURL: h.cfg.Message.HelpURL,
	}
	h.event.Platform, h.event.Repo, h.event.Pusher = pc.Platform, pc.Repo, pc.Pusher
	h.event.Protocol, h.event.Internal, h.event.Mode = pc.Protocol, pc.Internal, string(h.cfg.Mode)

	logger, err := audit.Open(audit.Options{
		Destination: audit.Destination(h.cfg.Audit.Destination), Path: h.cfg.Audit.Path,
		Stderr: h.out, SyslogTag: h.cfg.Audit.SyslogTag, SyslogFacility: h.cfg.Audit.SyslogFacility,
	})
	switch {
	case err != nil && h.cfg.OnError != config.OnErrorAccept:
		return h.fail(exitInternal, fmt.Errorf("audit log: %w", err))
	case err != nil:
		// Fail open was chosen: check the push anyway, say it is unrecorded.
		fmt.Fprintf(h.out, "%spushguard: warning: the audit log cannot be written (%s); this push is checked but not recorded.\n",
			h.text.LinePrefix, textsafe.Clean(err.Error(), 300))
	default:
		h.logger = logger
		defer logger.Close()
	}

	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.TimeBudget)
	defer cancel()
	return h.run(ctx, rulePaths, *noDefaults)
}

func (h *hookRun) run(ctx context.Context, rulePaths []string, noDefaults bool) int {
	updates, err := push.ParseUpdates(h.a.stdin)
	if err != nil {
		return h.fail(exitUsage, fmt.Errorf("malformed hook input: %w", err))
	}
	h.updates = updates
	for _, u := range updates {
		h.event.Refs = append(h.event.Refs, audit.Ref{Name: u.Ref, Old: u.Old, New: u.New})
	}

	var self *config.Source
	policySrc, policyPush := h.cfg.PolicySourceFor(h.pc.GitDir)
	if policyPush {
		self = &policySrc
	}
	sources := h.cfg.Rules
	if noDefaults {
		sources = nil
		for _, s := range h.cfg.Rules {
			if !s.Embedded {
				sources = append(sources, s)
			}
		}
	}
	srcs := configSources(sources, self)
	for _, p := range rulePaths {
		srcs = append(srcs, func() (ruleSource, error) { return pathSource(p) })
	}
	pol, err := buildPolicy(srcs)
	if err != nil {
		return h.fail(exitUsage, fmt.Errorf("the server's pushguard rules are invalid: %w", err))
	}
	h.event.RulesetVersion = pol.version

	env, err := gitstore.EnvFromGetenv(h.a.getenv)
	if err != nil {
		return h.fail(exitUsage, fmt.Errorf("hook environment: %w", err))
	}
	store, err := gitstore.Open(env)
	if err != nil {
		return h.fail(exitInternal, fmt.Errorf("open repository: %w", err))
	}
	defer store.Close()

	// A push to the policy repository must carry rules that load and pass
	// their own tests, or a broken rule set could be deployed.
	if policyPush {
		if err := checkPolicyPush(store, policySrc, updates); err != nil {
			return h.rejectPolicy(err)
		}
	}

	refs, err := store.Refs()
	if err != nil {
		return h.fail(exitInternal, fmt.Errorf("list refs: %w", err))
	}
	exclude := make([]plumbing.Hash, 0, len(refs))
	for _, r := range refs {
		exclude = append(exclude, r.Hash)
	}
	var tips []scan.Tip
	for _, u := range updates {
		if u.Deleted() {
			continue
		}
		if len(u.New) != 40 {
			return h.fail(exitInternal, errors.New("SHA-256 repositories are not supported yet"))
		}
		tips = append(tips, scan.Tip{Ref: u.Ref, Hash: plumbing.NewHash(u.New)})
	}
	eng := scan.New(store, pol.rules, scan.Options{MaxFileSize: h.cfg.MaxFileSize, Provenance: pol.ai, NoInlineSuppression: !h.cfg.InlineSuppression})
	res, err := eng.Run(ctx, tips, exclude)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("the check took longer than the server's time budget of %s: %w", h.cfg.TimeBudget, err)
		}
		return h.fail(exitInternal, err)
	}
	res.Findings = h.scoped(res.Findings)
	if h.baseline != "" {
		known, err := baseline.Load(h.baseline)
		if err != nil {
			return h.fail(exitUsage, fmt.Errorf("the server's pushguard baseline is invalid: %w", err))
		}
		res.Findings, _ = known.Filter(res.Findings)
	}

	opts := verdict.Options{
		Mode: verdict.Mode(h.cfg.Mode),
		AuditOnly: func(f scan.Finding) bool {
			return h.cfg.PolicyFor(h.pc.Repo, f.Ref, h.pc.Pusher).Mode == config.ModeAudit
		},
	}
	req := h.cfg.Bypass.Check(h.pc.Pusher, h.pc.Options)
	if req.Requested {
		h.event.Bypass = &audit.Bypass{Reason: req.Reason, Refusal: req.Refusal}
		if req.Allowed {
			opts.Bypass = &verdict.Bypass{Pusher: h.pc.Pusher, Reason: req.Reason}
		}
	}
	v := verdict.Decide(res, opts)
	if req.Requested && !req.Allowed {
		v.BypassRefusal = req.Refusal
	}
	if h.event.Bypass != nil {
		h.event.Bypass.Used = v.Bypassed
		if !v.Bypassed && req.Allowed && len(v.NotBypassable) > 0 {
			h.event.Bypass.Refusal = "not bypassable: " + strings.Join(v.NotBypassable, ", ")
		}
	}
	return h.decide(v, res)
}

// scoped keeps the findings whose rule the configuration's scope for their
// ref selects.
func (h *hookRun) scoped(fs []scan.Finding) []scan.Finding {
	if len(h.cfg.Scopes) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if h.cfg.PolicyFor(h.pc.Repo, f.Ref, h.pc.Pusher).Applies(f.Rule.ID, f.Rule.Tags) {
			out = append(out, f)
		}
	}
	return out
}

// decide reports the verdict to the pusher, audits it and maps it to the
// exit code.
func (h *hookRun) decide(v *verdict.Verdict, res *scan.Result) int {
	if err := report.Text(h.out, v, h.text); err != nil {
		return exitInternal
	}
	if res != nil {
		h.event.NewCommits = len(res.Commits)
		for _, c := range res.Commits {
			if c.AI.Detected {
				h.event.AddCommit(c.AI.Tools)
			}
		}
	}
	for _, f := range v.Findings {
		h.event.AddFinding(f.Rule.ID, string(f.Rule.Severity))
	}
	if v.Err != nil {
		h.event.Error = v.Err.Error()
	}
	if err := h.audit(v.Decision); err != nil {
		return h.auditFailed(v, err)
	}
	if v.Decision == verdict.Reject {
		return exitRejected
	}
	return exitOK
}

// rejectPolicy rejects a push to the policy repository whose rules are
// broken, listing every problem.
func (h *hookRun) rejectPolicy(err error) int {
	p := h.text.LinePrefix
	fmt.Fprintf(h.out, "%spushguard: push REJECTED: this repository holds the pushguard rules, and %s\n", p, textsafe.Clean(strings.SplitN(err.Error(), "\n", 2)[0], 300))
	lines := strings.Split(err.Error(), "\n")[1:]
	for i, l := range lines {
		if i == 50 {
			fmt.Fprintf(h.out, "%s  ... and %d more\n", p, len(lines)-i)
			break
		}
		fmt.Fprintf(h.out, "%s  %s\n", p, textsafe.Clean(l, 300))
	}
	fmt.Fprintf(h.out, "%sFix the rules (pushguard rules test <dir> runs the same checks locally) and push again.\n", p)
	h.event.Error = "policy push rejected: rules invalid"
	if aerr := h.audit(verdict.Reject); aerr != nil {
		fmt.Fprintf(h.out, "%spushguard: warning: the audit log could not be written: %s\n", p, textsafe.Clean(aerr.Error(), 300))
	}
	return exitRejected
}

// audit writes the push's audit event.
func (h *hookRun) audit(d verdict.Decision) error {
	if h.logger == nil {
		return nil
	}
	switch d {
	case verdict.Reject:
		h.event.Decision = audit.DecisionRejected
	case verdict.AcceptWithWarnings:
		h.event.Decision = audit.DecisionWarned
	default:
		h.event.Decision = audit.DecisionAccepted
	}
	h.event.Duration = time.Since(h.start)
	return h.logger.Write(h.event)
}

// auditFailed handles an audit log that cannot be written: an accepted push
// must not go unrecorded, so it becomes an error under on_error.
func (h *hookRun) auditFailed(v *verdict.Verdict, err error) int {
	if v.Decision == verdict.Reject {
		fmt.Fprintf(h.out, "%spushguard: warning: the audit log could not be written: %s\n", h.text.LinePrefix, textsafe.Clean(err.Error(), 300))
		return exitRejected
	}
	h.logger = nil // do not try again
	return h.fail(exitInternal, fmt.Errorf("audit log: %w", err))
}

// fail ends the run on an error: rejected (fail closed) unless the
// configuration says on_error: accept, which is reported and audited.
func (h *hookRun) fail(code int, err error) int {
	open := h.cfg != nil && h.cfg.OnError == config.OnErrorAccept && code == exitInternal
	v := verdict.Failed(err, open)
	_ = report.Text(h.out, v, h.text)
	h.event.Error = err.Error()
	if aerr := h.audit(v.Decision); aerr != nil {
		fmt.Fprintf(h.out, "%spushguard: the audit log could not be written either: %s\n", h.text.LinePrefix, textsafe.Clean(aerr.Error(), 300))
		if open {
			return exitInternal // never accept a push that is neither checked nor recorded
		}
	}
	if open {
		return exitOK
	}
	return code
}

// checkPolicyPush validates every update of the policy ref: the pushed
// tree's rules must load and their tests pass.
func checkPolicyPush(store *gitstore.Store, src config.Source, updates []push.Update) error {
	for _, u := range updates {
		if u.Ref != src.Ref {
			continue
		}
		if u.Deleted() {
			return fmt.Errorf("%s is the pushguard policy ref; it cannot be deleted", src.Ref)
		}
		target, typ, _, err := store.Peel(plumbing.NewHash(u.New))
		if err != nil || typ != plumbing.CommitObject {
			return fmt.Errorf("policy ref %s must point at a commit", src.Ref)
		}
		rs, err := treeSource(store, target, src.Dir, src.Ref)
		if err != nil {
			return fmt.Errorf("the pushed rules do not load, so they cannot be deployed:\n%w", err)
		}
		pol, err := buildPolicy([]func() (ruleSource, error){func() (ruleSource, error) { return rs, nil }})
		if err != nil {
			return fmt.Errorf("the pushed rules do not load, so they cannot be deployed:\n%w", err)
		}
		if fails := pol.rules.RunTestsWith(pol.ai); len(fails) > 0 {
			var b strings.Builder
			fmt.Fprintf(&b, "the pushed rules fail %d of their own tests, so they cannot be deployed:", len(fails))
			for _, f := range fails {
				b.WriteString("\n")
				b.WriteString(f.String())
			}
			return errors.New(b.String())
		}
	}
	return nil
}
