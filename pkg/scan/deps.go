package scan

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/deps"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// depResult is what a manifest change adds: the new dependencies, or why
// the new version could not be parsed.
type depResult struct {
	added    []deps.Dep
	lines    map[int]string // declaration line number → its text, capped
	parseErr error
}

// checkDeps applies the dependencies rules (already matched against the
// file's paths and file conditions) to a changed manifest: one line
// finding per new dependency and rule that does not allowlist it, with
// Match "ecosystem:name" at the declaration.
//
// A new manifest version pushguard cannot parse gives, per rule, one file
// finding whose severity is at most warn ("could not parse manifest"):
// pushguard is not the package manager and must not block a push for a
// syntax it does not read, but the pusher and the audit log see that its
// new dependencies went unchecked.
func (e *Engine) checkDeps(res *Result, c *gitstore.Commit, ch fileChange, facts *blobFacts, rules []*ruleset.Rule, ruleRef []string) error {
	if len(rules) == 0 || facts == nil || facts.skipped != "" || ch.Status == gitstore.Deleted || deps.Ecosystem(ch.Path) == "" {
		return nil
	}
	dr, err := e.manifestDeps(ch)
	if err != nil {
		return fmt.Errorf("read manifest %s in commit %s: %w", ch.Path, c.Hash, err)
	}
	if dr == nil {
		return nil
	}
	for _, r := range rules {
		if dr.parseErr != nil {
			e.add(res, Finding{Rule: unparsedRule(r, dr.parseErr), Kind: KindFile, Commit: c.Hash, Ref: ruleRef[r.Index], Path: ch.Path})
			continue
		}
		for _, d := range dr.added {
			if !r.MatchDependency(d.Ecosystem, d.Name) {
				continue
			}
			text := dr.lines[d.Line]
			col := 1
			if i := strings.Index(text, d.Name); i >= 0 {
				col = utf8.RuneCountInString(text[:i]) + 1
			}
			e.add(res, Finding{
				Rule: r, Kind: KindLine, Commit: c.Hash, Ref: ruleRef[r.Index],
				Path: ch.Path, Line: d.Line, Column: col, Match: d.String(), LineText: text,
			})
		}
	}
	return nil
}

// manifestDeps parses a changed manifest against its parent versions, once
// per (path, parent blobs, new blob). nil: a version was too large to read.
func (e *Engine) manifestDeps(ch fileChange) (*depResult, error) {
	var kb strings.Builder
	kb.WriteString(ch.Path)
	kb.WriteString("\x00")
	kb.WriteString(ch.NewHash.String())
	for _, p := range ch.parentBlobs {
		kb.WriteString(p.String())
	}
	key := kb.String()
	if e.deps == nil {
		e.deps = map[string]*depResult{}
	}
	if r, ok := e.deps[key]; ok {
		return r, nil
	}
	newer, ok, err := e.readManifest(ch.NewHash)
	if err != nil || !ok {
		return nil, err
	}
	olds := make([][]byte, 0, len(ch.parentBlobs))
	for _, h := range ch.parentBlobs {
		if h.IsZero() {
			olds = append(olds, nil)
			continue
		}
		// A parent version that was not scanned (too large, binary) is no
		// base: every dependency of the new version counts as added.
		old, err := e.diffBase(h, nil)
		if err != nil {
			return nil, fmt.Errorf("read parent version %s: %w", h, err)
		}
		olds = append(olds, old)
	}
	// An added file that replaces files the commit deletes (a move with
	// edits): dependencies those declared are not new.
	if len(ch.parentBlobs) == 1 && ch.parentBlobs[0].IsZero() {
		for _, h := range ch.movedFrom {
			old, err := e.diffBase(h, nil)
			if err != nil {
				return nil, fmt.Errorf("read deleted version %s: %w", h, err)
			}
			if old != nil {
				olds = append(olds, old)
			}
		}
	}
	r := &depResult{}
	r.added, r.parseErr = deps.AddedFrom(ch.Path, olds, newer)
	if len(r.added) > 0 {
		r.lines = declarationLines(newer, r.added)
	}
	e.deps[key] = r
	return r, nil
}

// readManifest reads a blob within the size limit; false when it is larger.
func (e *Engine) readManifest(h plumbing.Hash) ([]byte, bool, error) {
	data, truncated, err := e.store.ReadBlob(h, e.opts.MaxFileSize+1)
	if err != nil {
		return nil, false, err
	}
	if truncated || int64(len(data)) > e.opts.MaxFileSize {
		return nil, false, nil
	}
	return data, true, nil
}

// declarationLines returns the text of the lines the dependencies are
// declared on, capped like other line findings.
func declarationLines(content []byte, added []deps.Dep) map[int]string {
	want := make(map[int]bool, len(added))
	for _, d := range added {
		want[d.Line] = true
	}
	out := make(map[int]string, len(want))
	for i, l := range bytes.Split(content, []byte("\n")) {
		if want[i+1] {
			out[i+1] = capLine(bytes.TrimRight(l, "\r"))
		}
	}
	return out
}

// unparsedRule is r as reported for a manifest that could not be parsed:
// the same rule (id, index, source), at most warn, with a message saying
// what went unchecked.
func unparsedRule(r *ruleset.Rule, err error) *ruleset.Rule {
	u := *r
	if u.Severity.Rank() > ruleset.SeverityWarn.Rank() {
		u.Severity = ruleset.SeverityWarn
	}
	u.Message = "Could not parse manifest, so its new dependencies were not checked: " + err.Error()
	u.Help = "Fix the manifest's syntax (the package manager will reject it too), or ask the pushguard admins if the file is valid."
	return &u
}
