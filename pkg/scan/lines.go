package scan

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// This file holds line-level AI attribution: what the authorship records a
// push carries (refs/notes/ai authorship logs, notes.go; Agent Trace
// records, agenttrace.go) say about each commit, and the per-line filter
// of rules with an ai.lines condition.
//
// A line a commit adds is AI-written when:
//   - the commit is AI-marked and has usable line data: the line lies in a
//     range an authorship record credits to an AI (git-ai attestations;
//     Agent Trace ranges whose contributor is ai, mixed or unknown);
//   - the commit is AI-marked without usable line data (no record about it,
//     a record without AI ranges, or any record about it that is malformed,
//     too large or over a limit): every line it adds. This is the fail-
//     closed reading: what cannot be shown human-written counts as AI-
//     written, so "block risky code an agent wrote" keeps blocking when the
//     records are missing or broken.
//
// Every line of a commit that is not AI-marked is human-written. An
// authorship record with AI ranges marks its commit as AI-assisted.
// Commit and tag metadata, and content outside git, are not attributed by
// line: a rule on human-written lines reads them, a rule on AI-written
// lines only for AI-marked commits (the commit-level check of ai.lines).

// AuthorshipRuleID is the id of the built-in warning rule reporting an
// authorship record that could not be read (malformed, too large, over a
// limit): a broken record is never silently ignored.
const AuthorshipRuleID = "pushguard-authorship-record"

// Attribution values of AI.Attribution.
const (
	// AttributionLines: line data decides which added lines are AI-written.
	AttributionLines = "lines"
	// AttributionCommit: the commit is AI-marked without usable line data,
	// so every line it adds counts as AI-written.
	AttributionCommit = "commit"
)

// Limits on authorship data kept per commit.
const (
	// maxCommitRanges caps the AI ranges kept for one commit, over all its
	// records; a commit over it has unusable line data (fail closed).
	maxCommitRanges = 16384
	// maxAuthorshipWarnings caps the warnings reported per push.
	maxAuthorshipWarnings = 100
)

func newAuthorshipRule() *ruleset.Rule {
	return &ruleset.Rule{
		ID:          AuthorshipRuleID,
		Description: "An AI authorship record (refs/notes/ai, refs/notes/agent-trace, .agent-trace/*.jsonl) that pushguard could not read.",
		Severity:    ruleset.SeverityWarn,
		Message:     "AI authorship record ignored: it could not be read. Every line of the commit counts as AI-written if the commit is AI-marked.",
		Help: "Fix or remove the record: a git-ai authorship log (Git AI Standard v3.0.0), or Agent Trace records as JSON lines.\n" +
			"Until then, rules on AI-written lines apply to every line of the commit.",
		Tags:   []string{"pushguard", "ai-provenance"},
		Source: "built-in",
		Index:  -1,
	}
}

// authorship is what the authorship records of a push say about one
// commit.
type authorship struct {
	tools   []string // canonical ids of the tools that wrote AI ranges
	sources []string // evidence kinds of the records: note, agent-trace
	files   map[string][][2]int
	order   []string // paths of files, first seen first
	ranges  int      // ranges kept in files
	broken  bool     // some record about the commit could not be used
	// filesRead: the commit's Agent Trace files were read (once per
	// engine, however many Runs check the commit).
	filesRead bool
}

// authorshipOf returns the record of commit h, made on first use.
func (e *Engine) authorshipOf(h plumbing.Hash) *authorship {
	if e.authored == nil {
		e.authored = map[plumbing.Hash]*authorship{}
	}
	a := e.authored[h]
	if a == nil {
		a = &authorship{}
		e.authored[h] = a
	}
	return a
}

// addSource records that a record of evidence kind source is about the
// commit and names tools.
func (a *authorship) addSource(source string, tools []string) {
	if !slices.Contains(a.sources, source) {
		a.sources = append(a.sources, source)
		slices.Sort(a.sources)
	}
	a.tools = mergeTools(a.tools, tools)
}

// addRange credits lines first..last of path to an AI. Past
// maxCommitRanges the commit's line data is no longer usable.
func (a *authorship) addRange(path string, first, last int) {
	if a.ranges >= maxCommitRanges {
		a.broken = true
		return
	}
	if a.files == nil {
		a.files = map[string][][2]int{}
	}
	if _, ok := a.files[path]; !ok {
		a.order = append(a.order, path)
	}
	a.files[path] = append(a.files[path], [2]int{first, last})
	a.ranges++
}

// usable reports whether the line data decides line by line.
func (a *authorship) usable() bool {
	return a != nil && !a.broken && len(a.files) > 0
}

// merged returns the files with their ranges sorted and merged, and the
// number of lines they cover (capped at maxNoteLines).
func (a *authorship) merged() ([]AIFile, int) {
	var out []AIFile
	total := 0
	for _, p := range a.order {
		rs := mergeRanges(a.files[p])
		a.files[p] = rs
		for _, r := range rs {
			total = min(total+r[1]-r[0]+1, maxNoteLines)
		}
		out = append(out, AIFile{Path: p, Ranges: rs})
	}
	return out, total
}

// mergeRanges sorts ranges and merges those that overlap or touch.
func mergeRanges(rs [][2]int) [][2]int {
	rs = slices.Clone(rs)
	sort.Slice(rs, func(i, j int) bool { return rs[i][0] < rs[j][0] })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r[0] <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

// inRanges reports whether line lies in one of the sorted, merged ranges.
func inRanges(rs [][2]int, line int) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i][1] >= line })
	return i < len(rs) && rs[i][0] <= line
}

// applyAuthorship adds what the authorship records say about commit c to
// its classification (ai, and raw for the rules) and reads the Agent Trace
// files the commit changes. It runs after the AI-tool markers classified
// the commit and before any rule is applied to it.
func (e *Engine) applyAuthorship(res *Result, c *gitstore.Commit, refs []string, changes []fileChange, ai *AI, raw *provenance.Result) error {
	if e.opts.Provenance == nil {
		return nil
	}
	ref := ""
	if len(refs) > 0 {
		ref = refs[0]
	}
	if err := e.readTraceFiles(res, c, ref, changes); err != nil {
		return err
	}
	a := e.authored[c.Hash]
	if a != nil && len(a.tools) > 0 {
		raw.Detected = true
		raw.Tools = mergeTools(raw.Tools, a.tools)
		ai.Detected, ai.Tools = true, raw.Tools
		for _, src := range a.sources {
			text := AINotesRef + " authorship log"
			if src == ruleset.EvidenceAgentTrace {
				text = "Agent Trace record"
			}
			ev := provenance.Evidence{Kind: src, Tool: strings.Join(a.tools, ","), Text: text, Strong: true}
			raw.Evidence = append(raw.Evidence, ev)
			ai.Evidence = append(ai.Evidence, Evidence{Kind: ev.Kind, Tool: ev.Tool, Text: ev.Text, Strong: ev.Strong})
		}
	}
	if a != nil {
		ai.LineSources = a.sources
		ai.Files, ai.Lines = a.merged()
	}
	switch {
	case !ai.Detected:
		delete(e.aiMarked, c.Hash)
	case a.usable():
		ai.Attribution = AttributionLines
	default:
		ai.Attribution = AttributionCommit
	}
	if ai.Detected {
		if e.aiMarked == nil {
			e.aiMarked = map[plumbing.Hash]bool{}
		}
		e.aiMarked[c.Hash] = true
	}
	return nil
}

// lineIsAI reports whether line of path, as commit h adds it, is
// AI-written (see the top of this file).
func (e *Engine) lineIsAI(h plumbing.Hash, path string, line int) bool {
	if !e.aiMarked[h] {
		return false
	}
	a := e.authored[h]
	if !a.usable() {
		return true
	}
	return inRanges(a.files[path], line)
}

// keepForLines applies a rule's ai.lines condition to a finding: false
// when the rule is about AI-written lines and the finding's line is
// human-written, or the other way round. Findings other than lines, and
// rules without the condition, are kept.
func (e *Engine) keepForLines(f Finding) bool {
	want, ok := f.Rule.AILines()
	if !ok || f.Kind != KindLine {
		return true
	}
	return e.lineIsAI(f.Commit, f.Path, f.Line) == want
}

// warnAuthorship reports an authorship record that could not be used, as a
// finding of the built-in warning rule at the record's place (a note, or
// a line of an Agent Trace file; line 0 for a whole note), and marks the commit's line data, when
// the commit is known, as unusable.
func (e *Engine) warnAuthorship(res *Result, commit plumbing.Hash, about *plumbing.Hash, ref, where string, line int, why string) {
	if about != nil {
		e.authorshipOf(*about).broken = true
	}
	key := fmt.Sprint(commit, "\x00", where, "\x00", line, "\x00", why)
	if e.warned[key] {
		return
	}
	if e.warned == nil {
		e.warned = map[string]bool{}
	}
	e.warned[key] = true
	switch n := len(e.warned); {
	case n > maxAuthorshipWarnings+1:
		return
	case n == maxAuthorshipWarnings+1:
		where, line, why = "", 0, fmt.Sprintf("more than %d authorship records could not be read; only the first are reported", maxAuthorshipWarnings)
	}
	// A line finding, so that every report shows the place and the
	// reason; line 1 for a note as a whole.
	res.Findings = append(res.Findings, Finding{
		Rule: e.authRule, Kind: KindLine, Commit: commit, Ref: ref, Path: where, Line: max(line, 1), Column: 1, Detail: why,
	})
}
