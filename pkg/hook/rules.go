package hook

import (
	"context"
	"errors"
	"fmt"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/rules"
)

// Policy is the rules and AI-tool markers a run enforces.
type Policy struct {
	Rules   *ruleset.Set
	AI      *provenance.Detector
	Version string
}

// loadPolicy loads the configured rule sources (TEMPORARY: embedded and
// paths only, until pkg/policy lands).
func (r *run) loadPolicy(ctx context.Context, cfg *config.Config, pc push.Context, store *gitstore.Store, updates []push.Update) (*Policy, error) {
	var lists [][]*ruleset.Rule
	specs, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		return nil, err
	}
	for _, s := range cfg.Rules {
		switch {
		case s.Embedded && !r.env.Flags.NoDefaultRules:
			l, err := ruleset.LoadFS(rules.FS, ".")
			if err != nil {
				return nil, err
			}
			lists = append(lists, l)
		case s.Path != "":
			l, err := ruleset.LoadPath(s.Path)
			if err != nil {
				return nil, err
			}
			lists = append(lists, l)
		case s.Repo != "":
			return nil, errors.New("policy repositories: not wired yet")
		}
	}
	for _, p := range flagRules(r.env) {
		l, err := ruleset.LoadPath(p)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	det, err := provenance.Compile(specs)
	if err != nil {
		return nil, fmt.Errorf("AI-tool markers: %w", err)
	}
	return &Policy{Rules: ruleset.NewSet(lists...), AI: det, Version: "embedded"}, ctx.Err()
}

// scanOptions are the engine options the configuration and policy give.
func scanOptions(cfg *config.Config, pol *Policy) scan.Options {
	return scan.Options{MaxFileSize: cfg.MaxFileSize, Provenance: pol.AI, NoInlineSuppression: !cfg.InlineSuppression}
}
