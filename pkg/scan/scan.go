// Package scan is pushguard's engine: it walks the commits a push adds,
// compares each with its parents, extracts the lines every changed text file
// adds and applies the compiled rules at commit, file and line level.
package scan

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/trailers"
)

// DefaultMaxFileSize is the size above which a file's content is not read:
// content rules skip it, size and path rules still see it.
const DefaultMaxFileSize = 5 << 20

// Options tune a scan.
type Options struct {
	// MaxFileSize: files larger than this skip content rules (0 = default).
	MaxFileSize int64
	// Provenance classifies commits by AI tool; nil skips classification.
	Provenance *provenance.Detector
	// NoInlineSuppression turns inline "pushguard:allow <rule> -- <reason>"
	// comments off (server config inline_suppression: false). The zero
	// value keeps them on, the default (suppress.go).
	NoInlineSuppression bool
	// BranchEvidence limits which commits the pushed branches are
	// provenance evidence about (agent branches such as copilot/*). The
	// zero value, the hook's, applies each pushed branch to every commit
	// it brings in: the branch is where those commits enter.
	BranchEvidence BranchEvidence
}

// BranchEvidence is the scan's rule for branch evidence. A ref that merely
// contains a commit says nothing about who wrote it: in a replay of history
// (`pushguard scan --all`) every branch contains the whole default branch.
type BranchEvidence struct {
	// Limit turns the rule on: a commit gets branch evidence only from
	// the refs that add it relative to Base (those reaching it when Base
	// does not), and none at all when Base is zero.
	Limit bool
	// Base is the tip of the default branch. Commits reachable from it
	// get no branch evidence.
	Base plumbing.Hash
}

// Tip is a pushed ref and the object it will point at (a commit or an
// annotated tag).
type Tip struct {
	Ref  string
	Hash plumbing.Hash
}

// Kind says what a finding points at.
type Kind string

// Finding kinds.
const (
	KindLine   Kind = "line"
	KindFile   Kind = "file"
	KindCommit Kind = "commit"
	KindTag    Kind = "tag"
)

// Finding is one rule that fired.
type Finding struct {
	Rule     *ruleset.Rule
	Kind     Kind
	Commit   plumbing.Hash // the commit, or the tag object for KindTag
	Ref      string        // a pushed ref that carries the commit
	Path     string        // KindLine, KindFile
	Line     int           // KindLine: 1-based line in the new file
	Column   int           // KindLine: 1-based character (rune) column of the match
	Match    string        // KindLine: the matched text, unredacted (renderers redact)
	LineText string        // KindLine: the whole added line, unredacted, capped
	// Detail describes the match when the condition names what it found
	// ("U+202E RIGHT-TO-LEFT OVERRIDE at column 17"); reports show it
	// instead of Match.
	Detail string
	// Suppressed: an inline pushguard:allow comment with a reason covers the
	// finding. It is kept for the record and does not count (suppress.go).
	Suppressed bool
	// SuppressReason is the reason the comment gives.
	SuppressReason string
}

// Skip records content the scan did not read, and why.
type Skip struct {
	Commit plumbing.Hash
	Path   string
	Reason string // "binary", "too large", "submodule"
}

// CommitInfo describes one scanned commit.
type CommitInfo struct {
	Hash    plumbing.Hash
	Refs    []string
	Subject string
	Author  gitstore.Person
	// AI holds the AI-provenance result (filled by the provenance stage).
	AI AI
}

// AI is the AI-provenance result of a commit.
type AI struct {
	// Detected: strong evidence or a declared-use trailer was found.
	Detected bool `json:"detected"`
	// Tools are canonical tool ids (sorted; "declared" when only a
	// declared-use trailer names no known tool).
	Tools []string `json:"tools"`
	// Evidence is every signal that matched, strong first.
	Evidence []Evidence `json:"evidence"`
	// Declared: a declared-use trailer (Assisted-by, Generated-by, ...) is present.
	Declared bool `json:"declared"`
	// Suspected are tools with weak evidence only (agent branch or file).
	Suspected []string `json:"suspected,omitempty"`
	// Lines is how many lines of the commit its refs/notes/ai authorship
	// note attests as AI-written (0 when no note gives lines).
	Lines int `json:"lines,omitempty"`
	// Files are the files and line ranges those lines are in.
	Files []AIFile `json:"files,omitempty"`
}

// Evidence is one AI-provenance signal that matched.
type Evidence struct {
	Kind   string `json:"kind"`
	Tool   string `json:"tool"`
	Text   string `json:"text"`
	Strong bool   `json:"strong"`
}

// Result is what a scan found.
type Result struct {
	Commits  []CommitInfo
	Tags     []plumbing.Hash
	Findings []Finding
	Skipped  []Skip
	// FilesRead and BytesRead count content actually examined.
	FilesRead int
	BytesRead int64
}

// Engine applies one rule set to the objects of one store. It is not safe
// for concurrent use.
type Engine struct {
	store   *gitstore.Store
	rules   *ruleset.Set
	opts    Options
	matcher *ruleset.LineMatcher
	differ  diff.Differ
	// facts remembers the (parent blobs → new blob) pairs already examined
	// in this scan, with the raw matches of their added lines.
	facts map[string]*blobFacts
	// seen deduplicates findings across commits (same rule, blob, line).
	seen map[string]bool
	// allowRule is the built-in rule that reports malformed inline
	// suppressions (suppress.go).
	allowRule *ruleset.Rule
	// deps caches what each manifest change adds (deps.go).
	deps map[string]*depResult
	// prefetch reads ahead during Run (prefetch.go).
	prefetch *prefetcher
	// notes are the AI tools refs/notes/ai names per commit (notes.go).
	notes map[plumbing.Hash][]string
	// noteLines are the AI-written lines those notes attest per commit,
	// noteFiles their ranges per file.
	noteLines map[plumbing.Hash]int
	noteFiles map[plumbing.Hash][]AIFile
	// onBase holds the scanned commits reachable from
	// Options.BranchEvidence.Base (set by Run when Limit is on).
	onBase map[plumbing.Hash]bool
}

type lineMatch struct {
	rule       *ruleset.Rule
	line, col  int
	match, txt string
	detail     string
	suppressed bool
	reason     string // the suppression's reason
}

// New returns an engine over store with rules.
func New(store *gitstore.Store, rules *ruleset.Set, opts Options) *Engine {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	return &Engine{
		store:     store,
		rules:     rules,
		opts:      opts,
		matcher:   rules.NewLineMatcher(),
		facts:     map[string]*blobFacts{},
		seen:      map[string]bool{},
		allowRule: newAllowRule(),
	}
}

// Run scans the commits reachable from tips and from none of exclude, and
// every annotated tag among the tips that exclude does not already hold.
func (e *Engine) Run(ctx context.Context, tips []Tip, exclude []plumbing.Hash) (*Result, error) {
	res := &Result{}
	old := map[plumbing.Hash]bool{}
	for _, h := range exclude {
		old[h] = true
	}
	// Peel tips: annotated tags are checked like commit messages.
	refsOf := map[plumbing.Hash][]string{}
	var commitTips []plumbing.Hash
	for _, t := range tips {
		target, typ, tags, err := e.store.Peel(t.Hash)
		if err != nil {
			return nil, fmt.Errorf("read %s (%s): %w", t.Ref, t.Hash, err)
		}
		for _, tag := range tags {
			if old[tag.Hash] {
				continue
			}
			old[tag.Hash] = true // check each tag object once
			res.Tags = append(res.Tags, tag.Hash)
			e.checkTag(res, t.Ref, tag)
		}
		if typ != plumbing.CommitObject {
			// A ref to a tree or blob: no commit to walk, but content to check.
			if !old[target] {
				if err := e.checkLoose(res, t.Ref, target, typ); err != nil {
					return nil, err
				}
			}
			continue
		}
		if len(refsOf[target]) == 0 {
			commitTips = append(commitTips, target)
		}
		refsOf[target] = append(refsOf[target], t.Ref)
	}
	if err := e.readAINotes(res, tips); err != nil {
		return nil, err
	}
	if len(commitTips) == 0 {
		return res, nil
	}
	hashes, err := e.store.NewCommits(commitTips, exclude)
	if err != nil {
		return nil, fmt.Errorf("list new commits: %w", err)
	}
	commits := make(map[plumbing.Hash]*gitstore.Commit, len(hashes))
	for _, h := range hashes {
		c, err := e.store.Commit(h)
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", h, err)
		}
		commits[h] = c
	}
	refs := attributeRefs(hashes, commits, refsOf)
	if err := e.markBase(hashes, exclude); err != nil {
		return nil, err
	}
	e.prefetch = e.startPrefetch(ctx, hashes, commits, refs)
	defer func() {
		e.prefetch.stop()
		e.prefetch = nil
	}()
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("scan stopped after %d of %d commits: %w", len(res.Commits), len(hashes), err)
		}
		if err := e.checkCommit(res, commits[h], refs[h]); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// attributeRefs tells, for each new commit, which pushed refs reach it.
// Children come after parents in hashes, so walking it backwards visits a
// commit after all its new descendants. Every list is sorted and without
// duplicates, and commits with the same refs share one list: a replay of a
// repository with thousands of branches would otherwise hold a copy of
// every branch name for every commit.
func attributeRefs(hashes []plumbing.Hash, commits map[plumbing.Hash]*gitstore.Commit, tipRefs map[plumbing.Hash][]string) map[plumbing.Hash][]string {
	refs := make(map[plumbing.Hash][]string, len(hashes))
	for h, r := range tipRefs {
		if commits[h] != nil {
			refs[h] = mergeSorted(refs[h], r)
		}
	}
	for i := len(hashes) - 1; i >= 0; i-- {
		c := commits[hashes[i]]
		for _, p := range c.Parents {
			if commits[p] == nil {
				continue
			}
			refs[p] = unionSorted(refs[p], refs[c.Hash])
		}
	}
	return refs
}

// unionSorted returns the union of two sorted lists without duplicates,
// reusing a or b when one holds the other. Neither is modified.
func unionSorted(a, b []string) []string {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0:
		return b
	}
	out := make([]string, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	switch len(out) {
	case len(a):
		return a
	case len(b):
		return b
	}
	return out
}

func mergeSorted(a, b []string) []string {
	set := map[string]bool{}
	for _, s := range a {
		set[s] = true
	}
	for _, s := range b {
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// markBase records which of the new commits are reachable from the base of
// Options.BranchEvidence (they get no branch evidence).
func (e *Engine) markBase(hashes, exclude []plumbing.Hash) error {
	e.onBase = nil
	be := e.opts.BranchEvidence
	if !be.Limit || be.Base.IsZero() {
		return nil
	}
	onBase, err := e.store.NewCommits([]plumbing.Hash{be.Base}, exclude)
	if err != nil {
		return fmt.Errorf("list commits of the default branch: %w", err)
	}
	e.onBase = make(map[plumbing.Hash]bool, len(onBase))
	for _, h := range onBase {
		e.onBase[h] = true
	}
	return nil
}

// evidenceRefs returns the refs that are provenance evidence about commit
// h, which refs reach (see Options.BranchEvidence).
func (e *Engine) evidenceRefs(h plumbing.Hash, refs []string) []string {
	be := e.opts.BranchEvidence
	if !be.Limit {
		return refs
	}
	if be.Base.IsZero() || e.onBase[h] {
		return nil
	}
	return refs
}

func commitFacts(message string, author, committer gitstore.Person) *ruleset.CommitInfo {
	info := &ruleset.CommitInfo{
		Message:        message,
		AuthorName:     author.Name,
		AuthorEmail:    author.Email,
		CommitterName:  committer.Name,
		CommitterEmail: committer.Email,
		Trailers:       map[string][]string{},
	}
	for _, t := range trailers.Parse(message) {
		k := strings.ToLower(t.Key)
		info.Trailers[k] = append(info.Trailers[k], t.Value)
	}
	return info
}

func (e *Engine) checkTag(res *Result, ref string, tag *gitstore.Tag) {
	facts := commitFacts(tag.Message, tag.Tagger, tag.Tagger)
	for _, r := range e.rules.Rules {
		if r.Level() != ruleset.LevelCommit || !r.MatchRef(ref) || !r.MatchCommit(facts) {
			continue
		}
		if !e.rules.Allowlisted(r, tag.Hash.String(), "", "") {
			res.Findings = append(res.Findings, Finding{Rule: r, Kind: KindTag, Commit: tag.Hash, Ref: ref})
		}
	}
}

// firstRef returns the first of refs that r applies to.
func firstRef(r *ruleset.Rule, refs []string) (string, bool) {
	for _, ref := range refs {
		if r.MatchRef(ref) {
			return ref, true
		}
	}
	return "", false
}

func (e *Engine) checkCommit(res *Result, c *gitstore.Commit, refs []string) error {
	info := CommitInfo{Hash: c.Hash, Refs: refs, Subject: subject(c.Message), Author: c.Author}
	facts := commitFacts(c.Message, c.Author, c.Committer)
	// The tree comparison is needed by file and line rules and by the
	// agent-file signal of provenance; skip it when nothing uses it.
	var changes []fileChange
	if e.opts.Provenance != nil || e.needsFiles(refs) {
		var err error
		if changes, err = e.prefetchedChanges(c); err != nil {
			return err
		}
	}
	var raw provenance.Result
	info.AI, raw = e.provenance(c, refs, changes)
	res.Commits = append(res.Commits, info)
	facts.AI = &raw
	facts.Signed = c.Signed

	// Rules that apply to this commit at all: ref and commit conditions.
	var active []*ruleset.Rule
	ruleRef := make([]string, len(e.rules.Rules))
	for _, r := range e.rules.Rules {
		ref, ok := firstRef(r, refs)
		if !ok || !r.MatchCommit(facts) {
			continue
		}
		ruleRef[r.Index] = ref
		if r.Level() == ruleset.LevelCommit {
			if !e.rules.Allowlisted(r, c.Hash.String(), "", "") {
				res.Findings = append(res.Findings, Finding{Rule: r, Kind: KindCommit, Commit: c.Hash, Ref: ref})
			}
			continue
		}
		active = append(active, r)
	}
	if len(active) == 0 {
		return nil
	}
	for _, ch := range changes {
		if err := e.checkFile(res, c, ch, active, ruleRef); err != nil {
			return err
		}
	}
	return nil
}

// needsFiles reports whether any file or line rule applies on refs.
func (e *Engine) needsFiles(refs []string) bool {
	for _, r := range e.rules.Rules {
		if r.Level() == ruleset.LevelCommit {
			continue
		}
		if _, ok := firstRef(r, refs); ok {
			return true
		}
	}
	return false
}

// provenance classifies the commit with the AI-tool markers.
func (e *Engine) provenance(c *gitstore.Commit, refs []string, changes []fileChange) (AI, provenance.Result) {
	ai := AI{Tools: []string{}, Evidence: []Evidence{}}
	if e.opts.Provenance == nil {
		return ai, provenance.Result{}
	}
	in := provenance.Input{
		Message:    c.Message,
		AuthorName: c.Author.Name, AuthorEmail: c.Author.Email,
		CommitterName: c.Committer.Name, CommitterEmail: c.Committer.Email,
		Refs: e.evidenceRefs(c.Hash, refs),
	}
	for _, ch := range changes {
		if ch.Status != gitstore.Deleted {
			in.Paths = append(in.Paths, ch.Path)
		}
	}
	r := e.opts.Provenance.Detect(in)
	if tools := e.notes[c.Hash]; len(tools) > 0 {
		r.Detected = true
		r.Tools = mergeTools(r.Tools, tools)
		r.Evidence = append(r.Evidence, provenance.Evidence{Kind: "note", Tool: strings.Join(tools, ","), Text: AINotesRef + " authorship log", Strong: true})
		ai.Lines = e.noteLines[c.Hash]
		ai.Files = e.noteFiles[c.Hash]
	}
	ai.Detected = r.Detected
	ai.Declared = r.Declared
	if r.Tools != nil {
		ai.Tools = r.Tools
	}
	ai.Suspected = r.Suspected
	for _, ev := range r.Evidence {
		ai.Evidence = append(ai.Evidence, Evidence{Kind: ev.Kind, Tool: ev.Tool, Text: ev.Text, Strong: ev.Strong})
	}
	return ai, r
}

// fileChange is a path the commit changed compared with every parent, with
// the path's blob in each parent (zero when absent there).
type fileChange struct {
	gitstore.Change
	parentBlobs []plumbing.Hash
	// movedFrom are blobs of files the same (non-merge) commit deletes that
	// may be where an added file's content came from (a rename with edits
	// that pairing by name missed): lines found in them are not new.
	movedFrom []plumbing.Hash
}

// maxMovedFrom bounds the deleted files an added file is compared with.
const maxMovedFrom = 8

// linkMoves gives every added file the deleted files of the same commit
// with the same extension as possible origins. The file keeps its status:
// only which lines count as added changes.
func linkMoves(out []fileChange) {
	var deleted []gitstore.Change
	for _, fc := range out {
		if fc.Status == gitstore.Deleted && fc.OldMode != filemode.Submodule {
			deleted = append(deleted, fc.Change)
		}
	}
	if len(deleted) == 0 {
		return
	}
	for i := range out {
		if out[i].Status != gitstore.Added {
			continue
		}
		ext := path.Ext(out[i].Path)
		for _, d := range deleted {
			if path.Ext(d.Path) == ext && len(out[i].movedFrom) < maxMovedFrom {
				out[i].movedFrom = append(out[i].movedFrom, d.OldHash)
			}
		}
	}
}

// changes lists what a commit changed. For a merge, only paths that differ
// from every parent count: a path identical to one parent's version was not
// introduced by the merge.
func (e *Engine) changes(c *gitstore.Commit) ([]fileChange, error) {
	if len(c.Parents) == 0 {
		chs, err := e.store.Changes(plumbing.ZeroHash, c.Tree)
		if err != nil {
			return nil, fmt.Errorf("compare root commit %s: %w", c.Hash, err)
		}
		out := make([]fileChange, len(chs))
		for i, ch := range chs {
			out[i] = fileChange{Change: ch, parentBlobs: []plumbing.Hash{ch.OldHash}}
		}
		linkMoves(out)
		return out, nil
	}
	var out []fileChange
	index := map[string]int{}
	for pi, ph := range c.Parents {
		p, err := e.store.Commit(ph)
		if err != nil {
			return nil, fmt.Errorf("read parent %s of %s: %w", ph, c.Hash, err)
		}
		chs, err := e.store.Changes(p.Tree, c.Tree)
		if err != nil {
			return nil, fmt.Errorf("compare %s with parent %s: %w", c.Hash, ph, err)
		}
		if pi == 0 {
			for _, ch := range chs {
				index[ch.Path] = len(out)
				fc := fileChange{Change: ch, parentBlobs: make([]plumbing.Hash, len(c.Parents))}
				fc.parentBlobs[0] = ch.OldHash
				out = append(out, fc)
			}
			continue
		}
		present := map[string]bool{}
		for _, ch := range chs {
			if i, ok := index[ch.Path]; ok {
				present[ch.Path] = true
				out[i].parentBlobs[pi] = ch.OldHash
			}
		}
		// A path unchanged relative to this parent was not introduced by
		// the merge: drop it.
		kept := out[:0]
		for _, fc := range out {
			if present[fc.Path] {
				kept = append(kept, fc)
			}
		}
		out = kept
		for i, fc := range out {
			index[fc.Path] = i
		}
	}
	if len(c.Parents) == 1 {
		linkMoves(out)
	}
	return out, nil
}

// blobFacts is what the engine learns once per distinct (parent blobs, new
// blob) pair: binary or not, whether it was read, and the raw matches of
// every line rule in the added lines.
type blobFacts struct {
	binary  bool
	skipped string // why content was not examined, if it was not
	matches []lineMatch
}

func (e *Engine) checkFile(res *Result, c *gitstore.Commit, ch fileChange, active []*ruleset.Rule, ruleRef []string) error {
	info := &ruleset.FileInfo{Path: ch.Path, Status: string(ch.Status)}
	var facts *blobFacts
	switch {
	case ch.Status == gitstore.Deleted:
	case ch.NewMode == filemode.Submodule:
		facts = &blobFacts{skipped: "submodule"}
	default:
		size, ok := e.prefetchedSize(ch)
		if !ok {
			var err error
			if size, err = e.store.BlobSize(ch.NewHash); err != nil {
				return fmt.Errorf("size of %s in commit %s: %w", ch.Path, c.Hash, err)
			}
		}
		info.Size = size
		var err error
		facts, err = e.examine(ch)
		if err != nil {
			return fmt.Errorf("read %s in commit %s: %w", ch.Path, c.Hash, err)
		}
		info.Binary = facts.binary
		if facts.skipped != "" {
			res.Skipped = append(res.Skipped, Skip{Commit: c.Hash, Path: ch.Path, Reason: facts.skipped})
		}
	}
	var lineRules []bool
	var depRules []*ruleset.Rule
	for _, r := range active {
		if !r.MatchFile(info) {
			continue
		}
		if r.HasDependencies() {
			depRules = append(depRules, r)
			continue
		}
		if r.Level() == ruleset.LevelFile {
			e.add(res, Finding{Rule: r, Kind: KindFile, Commit: c.Hash, Ref: ruleRef[r.Index], Path: ch.Path})
			continue
		}
		if lineRules == nil {
			lineRules = make([]bool, len(e.rules.Rules))
		}
		lineRules[r.Index] = true
	}
	if err := e.checkDeps(res, c, ch, facts, depRules, ruleRef); err != nil {
		return err
	}
	if lineRules == nil || facts == nil {
		return nil
	}
	for _, m := range facts.matches {
		ref := ""
		if m.rule.Index >= 0 { // built-in rules (Index -1) apply everywhere
			if !lineRules[m.rule.Index] {
				continue
			}
			ref = ruleRef[m.rule.Index]
		} else {
			ref = ruleRef[active[0].Index]
		}
		e.add(res, Finding{
			Rule: m.rule, Kind: KindLine, Commit: c.Hash, Ref: ref,
			Path: ch.Path, Line: m.line, Column: m.col, Match: m.match, LineText: m.txt,
			Detail: m.detail, Suppressed: m.suppressed, SuppressReason: m.reason,
		})
	}
	return nil
}

// add appends f unless the same rule already fired on the same place, or an
// allowlist drops it.
func (e *Engine) add(res *Result, f Finding) {
	if e.rules.Allowlisted(f.Rule, f.Commit.String(), f.Path, f.Match) {
		return
	}
	key := f.Rule.ID + "\x00" + string(f.Kind) + "\x00" + f.Path + "\x00" + fmt.Sprint(f.Line, ":", f.Column, ":", f.Match)
	if f.Kind == KindFile {
		key += "\x00" + f.Commit.String()
	}
	if e.seen[key] {
		return
	}
	e.seen[key] = true
	res.Findings = append(res.Findings, f)
}

// maxLineText caps the added line kept with a finding.
const maxLineText = 512

// examine reads a changed file's content once per distinct (parents, new)
// blob pair and runs every line rule over the lines it adds.
func (e *Engine) examine(ch fileChange) (*blobFacts, error) {
	key := factsKey(ch)
	if f, ok := e.facts[key]; ok {
		return f, nil
	}
	f := &blobFacts{}
	e.facts[key] = f
	prefetched := e.prefetchedBlobs(key)
	readBlob := func(h plumbing.Hash) ([]byte, bool, error) {
		if data, ok := prefetched[h]; ok {
			return data, false, nil
		}
		return e.store.ReadBlob(h, e.opts.MaxFileSize+1)
	}
	newer, truncated, err := readBlob(ch.NewHash)
	if err != nil {
		return nil, err
	}
	if diff.IsBinary(newer) {
		f.binary = true
		f.skipped = "binary"
		return f, nil
	}
	if truncated || int64(len(newer)) > e.opts.MaxFileSize {
		f.skipped = fmt.Sprintf("larger than %d bytes", e.opts.MaxFileSize)
		return f, nil
	}
	parents := make([][]byte, len(ch.parentBlobs))
	for i, ph := range ch.parentBlobs {
		if ph.IsZero() {
			continue
		}
		if ph == ch.NewHash {
			return f, nil // identical to a parent's version: nothing added
		}
		old, _, err := readBlob(ph)
		if err != nil {
			return nil, fmt.Errorf("read parent version %s: %w", ph, err)
		}
		parents[i] = old
	}
	if len(parents) == 1 && parents[0] == nil && len(ch.movedFrom) > 0 {
		parents = parents[:0]
		for _, h := range ch.movedFrom {
			old, _, err := readBlob(h)
			if err != nil {
				return nil, fmt.Errorf("read deleted version %s: %w", h, err)
			}
			parents = append(parents, old)
		}
	}
	visit := func(l diff.Line) bool {
		e.matcher.MatchLine(l.Text, l.No, nil, func(m ruleset.LineMatch) {
			f.matches = append(f.matches, lineMatch{
				rule: m.Rule, line: l.No, col: utf8.RuneCount(l.Text[:m.Start]) + 1,
				match: string(l.Text[m.Start:m.End]), txt: capLine(l.Text), detail: m.Detail,
			})
		})
		if !e.opts.NoInlineSuppression {
			f.matches = append(f.matches, e.checkDirectives(l)...)
		}
		return true
	}
	if len(parents) == 1 {
		e.differ.AddedFunc(parents[0], newer, visit)
	} else {
		for _, l := range e.differ.AddedMerge(parents, newer) {
			visit(l)
		}
	}
	if !e.opts.NoInlineSuppression {
		e.suppress(f.matches, newer)
	}
	return f, nil
}

func subject(msg string) string {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}
