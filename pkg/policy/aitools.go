package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// checkAITools rejects rules whose ai.tools name a tool the AI-tool markers
// do not know: a mistyped id ("claude" for "claude-code") would never match
// and silently disable the rule.
func checkAITools(set *ruleset.Set, det *provenance.Detector) error {
	known := det.Tools()
	var errs []error
	for _, r := range set.Rules {
		for _, id := range r.AITools() {
			if !slices.Contains(known, id) {
				errs = append(errs, fmt.Errorf("%s: rule %q: ai.tools: unknown AI tool id %q (known: %s)",
					r.Source, r.ID, id, strings.Join(known, ", ")))
			}
		}
	}
	return errors.Join(errs...)
}
