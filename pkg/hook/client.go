package hook

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/baseline"
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// Client is a check on a developer's machine, before the server sees
// anything: the same configuration, policy, per-ref grouping and decision
// as the pre-receive hook (pre-push), or the same rules over the staged
// changes (pre-commit). Nothing is audited: the server records the push.
type Client struct {
	// Store reads the local repository (for pre-commit, with a scratch
	// object directory holding the staged tree; see pkg/staged).
	Store *gitstore.Store
	// Getenv reads the environment ($PUSHGUARD_CONFIG, $PUSHGUARD_RULES).
	Getenv func(string) string
	// Flags are the command line: configuration, rule paths, baseline.
	Flags Flags
	// Repo and Pusher name the repository and the pusher as the server
	// would, for scopes and break-glass advice ("" when unknown: a scope
	// listing pushers then does not match, as on the server).
	Repo, Pusher string
	// Updates are the ref updates, as the server would receive them: Old
	// is what the remote holds (zeros for a new ref), New the local object.
	Updates []push.Update
	// Existing are the refs the remote is known to hold, under the
	// remote's names (refs/heads/...): what they reach is not checked
	// again unless it enters a ref with a stricter policy.
	Existing []gitstore.Ref
	// Exclude are commits every group excludes (pre-commit: HEAD).
	Exclude []plumbing.Hash
	// Staged drops the findings of commit-level rules: the staged changes
	// have no commit message yet (pre-push and the server check it).
	Staged bool
	// Paths, when set, limit the findings to these files (slash-separated,
	// relative to the work tree; as the pre-commit framework passes them).
	Paths []string
	// Mode is report.ClientPrePush or report.ClientPreCommit, for the
	// wording.
	Mode string
}

// ClientOutcome is how a client check ended.
type ClientOutcome struct {
	// Code is the exit code (Exit*).
	Code int
	// Verdict is the decision; never nil.
	Verdict *verdict.Verdict
	// Result is what the scan found (nil when it did not run).
	Result *scan.Result
	// Text are the report options for the verdict (configured messages,
	// the ways out that exist for this pusher).
	Text report.TextOptions
}

// CheckClient runs a client check. Configuration and policy problems are
// permanent (exit 2): retrying does not help.
func CheckClient(ctx context.Context, c Client) ClientOutcome {
	getenv := c.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	text := report.TextOptions{Client: c.Mode}
	fail := func(code int, permanent bool, err error) ClientOutcome {
		return ClientOutcome{Code: code, Verdict: verdict.Failed(err, permanent, false), Text: text}
	}
	cfg, err := config.LoadOrDefault(c.Flags.ConfigPath, getenv)
	if err != nil {
		return fail(ExitUsage, true, fmt.Errorf("the pushguard configuration is invalid: %w", err))
	}
	platform := cfg.Platform
	if platform == "" {
		platform = push.PlatformGit
	}
	cfg = cfg.ForPlatform(platform)
	pc := push.Context{Platform: platform, Repo: c.Repo, Pusher: c.Pusher, GitDir: c.Store.GitDir()}
	text = AdviceOptions(cfg, pc)
	text.Client = c.Mode

	r := newRun(Env{Getenv: getenv, Flags: c.Flags, Now: time.Now})
	pol, err := r.loadPolicy(ctx, cfg, pc, c.Store, nil)
	if err != nil {
		return fail(ExitUsage, true, fmt.Errorf("the pushguard rules are invalid: %w", err))
	}
	res, scanErr := clientScan(ctx, cfg, pc, c, pol)
	permanent := errors.Is(scanErr, gitstore.ErrUnsupportedRepository)
	if c.Staged {
		res.Findings = dropCommitLevel(res.Findings)
	}
	if len(c.Paths) > 0 {
		res.Findings = onPaths(res.Findings, c.Paths)
	}
	if c.Flags.Baseline != "" {
		known, err := baseline.Load(c.Flags.Baseline)
		if err != nil {
			return fail(ExitUsage, true, fmt.Errorf("the pushguard baseline is invalid: %w", err))
		}
		res.Findings, _ = known.Filter(res.Findings)
	}
	v := verdict.Decide(res, verdict.Options{
		Mode:      verdict.Mode(cfg.Mode),
		Policy:    refPolicies(cfg, pc),
		Err:       scanErr,
		Permanent: permanent,
		FailOpen:  cfg.OnError == config.OnErrorAccept,
	})
	code := ExitOK
	switch {
	case v.Decision == verdict.Reject && v.Enforced > 0:
		code = ExitRejected
	case v.Decision == verdict.Reject && v.Permanent:
		code = ExitUsage
	case v.Decision == verdict.Reject:
		code = ExitInternal
	}
	return ClientOutcome{Code: code, Verdict: v, Result: res, Text: text}
}

// clientScan scans what each group of ref updates brings in under its
// policy, the groups and their exclusions computed as the server computes
// them, against the refs the remote is known to hold.
func clientScan(ctx context.Context, cfg *config.Config, pc push.Context, c Client, pol *Policy) (*scan.Result, error) {
	total := &scan.Result{}
	ix := newPolicyIndex(cfg, pc, pol.Rules.Rules)
	groups := ix.groups(c.Updates, c.Existing)
	eng := scan.New(c.Store, pol.Rules, scanOptions(cfg, pol))
	merged := newResults(total)
	for _, g := range groups {
		exclude := append(append([]plumbing.Hash(nil), g.exclude...), c.Exclude...)
		res, err := eng.Run(ctx, g.tips, exclude)
		merged.add(res)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// dropCommitLevel removes the findings of rules that judge a commit as a
// whole (message, trailers, identities), which staged changes do not have
// yet; metadata findings of secret rules go too.
func dropCommitLevel(fs []scan.Finding) []scan.Finding {
	out := fs[:0]
	for _, f := range fs {
		if f.Rule.Level() == ruleset.LevelCommit || f.Kind == scan.KindCommit || f.Field != "" {
			continue
		}
		out = append(out, f)
	}
	return out
}

// onPaths keeps the findings on the given files, and those on no file.
func onPaths(fs []scan.Finding, paths []string) []scan.Finding {
	want := map[string]bool{}
	for _, p := range paths {
		want[path.Clean(filepath.ToSlash(p))] = true
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Path == "" || want[f.Path] {
			out = append(out, f)
		}
	}
	return out
}

// AdviceOptions are the report options of a push's rejection under cfg
// for the pusher of pc: the admin's messages and help URL, the
// break-glass option when this pusher may use it, and which rules inline
// suppression may silence.
func AdviceOptions(cfg *config.Config, pc push.Context) report.TextOptions {
	o := report.TextOptions{
		LinePrefix: pc.LinePrefix, MaxFindings: cfg.MaxFindings,
		Header: cfg.Message.Header, Footer: cfg.Message.Footer, HelpURL: cfg.Message.HelpURL,
	}
	if bypassAllowed(cfg.Bypass, pc.Pusher) {
		o.BypassOption = cfg.Bypass.Option
		o.BypassMinReason = cfg.Bypass.MinReasonLength
	}
	if cfg.InlineSuppression {
		o.Suppressible = scan.SuppressibleSecrets(cfg.InlineSuppressionSecretRules)
		o.SuppressMinReason = cfg.InlineSuppressionMinReason
		if o.SuppressMinReason <= 0 {
			o.SuppressMinReason = config.DefaultSuppressionMinReason
		}
	}
	return o
}

// bypassAllowed reports whether pusher may use break-glass at all: the
// configuration's own check, given a request whose reason is long enough.
func bypassAllowed(b config.Bypass, pusher string) bool {
	if pusher == "" || len(b.AllowedPushers) == 0 || b.Option == "" {
		return false
	}
	reason := strings.Repeat("x", max(b.MinReasonLength, 1))
	return b.Check(pusher, []string{b.Option + "=" + reason}).Allowed
}
