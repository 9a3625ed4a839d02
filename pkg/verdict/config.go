package verdict

import (
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// ConfigPolicy is the verdict's view of a server configuration for a push
// to repo by pusher: the scope, mode and rule selection of each ref.
func ConfigPolicy(cfg *config.Config, repo, pusher string) func(ref string) RefPolicy {
	return func(ref string) RefPolicy {
		p := cfg.PolicyFor(repo, ref, pusher)
		return RefPolicy{
			Mode:    Mode(p.Mode),
			Scope:   p.ScopeName(),
			Applies: func(r *ruleset.Rule) bool { return p.Applies(r.ID, r.Tags) },
		}
	}
}
