package hook

import (
	"context"
	"runtime/debug"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/policy"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/scan"
)

// Policy is the rules and AI-tool markers a run enforces.
type Policy = policy.Policy

// loadPolicy loads the configured rule sources, then the rule paths of the
// command line, within ctx (the time budget). A push to the policy
// repository must first carry rules that load and pass their own tests,
// or a broken rule set could be deployed: that failure is a
// *policyPushError.
func (r *run) loadPolicy(ctx context.Context, cfg *config.Config, pc push.Context, store *gitstore.Store, updates []push.Update) (*Policy, error) {
	var self *config.Source
	if src, ok := cfg.PolicySourceFor(pc.GitDir); ok {
		self = &src
		if err := policy.CheckPush(ctx, store, src, updates, policy.Options{}); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, &policyPushError{err: err}
		}
	}
	sources := cfg.Rules
	if r.env.Flags.NoDefaultRules {
		sources = nil
		for _, s := range cfg.Rules {
			if !s.Embedded {
				sources = append(sources, s)
			}
		}
	}
	srcs := policy.FromConfig(sources, self)
	for _, p := range flagRules(r.env) {
		srcs = append(srcs, policy.Path(p))
	}
	if r.env.HoldGC {
		defer holdGC(r.env.Getenv)()
	}
	return policy.Load(ctx, srcs, policy.Options{})
}

// holdGC raises the garbage collector's target (GOGC 800) until the
// returned function sets it back to 100, unless GOGC or GOMEMLIMIT is set
// in env. Loading the embedded rules allocates ~7 MB that mostly stay
// live; collecting during it is wasted on a hook run of ~25 ms (3 cycles,
// ~2 ms, BenchmarkOneCommitPush and scripts/bench.sh). A target rather
// than no collection: a large policy still collects, in proportion. It
// sets fixed values rather than restoring saved ones, so that runs that
// overlap in one process cannot leave the collector held.
func holdGC(getenv func(string) string) func() {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	debug.SetGCPercent(800)
	return func() { debug.SetGCPercent(100) }
}

// scanOptions are the engine options the configuration and policy give.
func scanOptions(cfg *config.Config, pol *Policy) scan.Options {
	o := scan.ConfigOptions(cfg)
	o.Provenance = pol.AI
	return o
}
