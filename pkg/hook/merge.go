package hook

import (
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/scan"
)

// results gathers the results of several engine runs (one per ref group)
// into one: every finding, and each commit, tag and skipped file once.
type results struct {
	total   *scan.Result
	commits map[plumbing.Hash]bool
	tags    map[plumbing.Hash]bool
	skipped map[string]bool
}

func newResults(total *scan.Result) *results {
	return &results{total: total, commits: map[plumbing.Hash]bool{}, tags: map[plumbing.Hash]bool{}, skipped: map[string]bool{}}
}

// add merges one run's result (nil is nothing).
func (m *results) add(res *scan.Result) {
	if res == nil {
		return
	}
	t := m.total
	t.Findings = append(t.Findings, res.Findings...)
	for _, c := range res.Commits {
		if !m.commits[c.Hash] {
			m.commits[c.Hash] = true
			t.Commits = append(t.Commits, c)
		}
	}
	for _, h := range res.Tags {
		if !m.tags[h] {
			m.tags[h] = true
			t.Tags = append(t.Tags, h)
		}
	}
	for _, s := range res.Skipped {
		k := s.Commit.String() + "\x00" + s.Path + "\x00" + s.Reason
		if !m.skipped[k] {
			m.skipped[k] = true
			t.Skipped = append(t.Skipped, s)
		}
	}
	t.FilesRead += res.FilesRead
	t.BytesRead += res.BytesRead
}
