package verdict

import (
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/scan"
)

// AISummary is the AI provenance of the commits a push adds, for the
// pusher's summary line and the evidence shown with AI-policy findings.
type AISummary struct {
	// Commits counts the new commits that are AI-marked (ai.detected).
	Commits int
	// Tools counts the AI-marked commits per tool id; a commit marked by
	// two tools counts for both.
	Tools map[string]int
	// ByCommit holds the provenance of every AI-marked commit.
	ByCommit map[plumbing.Hash]scan.AI
}

// summarizeAI counts the AI-marked commits of a scan.
func summarizeAI(res *scan.Result) AISummary {
	s := AISummary{Tools: map[string]int{}, ByCommit: map[plumbing.Hash]scan.AI{}}
	for _, c := range res.Commits {
		if !c.AI.Detected {
			continue
		}
		s.Commits++
		s.ByCommit[c.Hash] = c.AI
		for _, t := range c.AI.Tools {
			s.Tools[t]++
		}
	}
	return s
}
