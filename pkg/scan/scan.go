// Package scan is pushguard's engine: it walks the commits a push adds,
// compares each with its parents, extracts the lines every changed text file
// adds and applies the compiled rules at commit, file and line level.
package scan

import (
	"context"
	"errors"
	"fmt"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/textenc"
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
	// Suppressible decides which rules an inline directive may suppress;
	// nil means DefaultSuppressible: the rule's own suppressible flag, and
	// never a secret rule (tag SecretTag). SuppressibleSecrets builds one
	// that lets the listed secret rules be suppressed too (server config
	// inline_suppression.secret_rules).
	Suppressible func(*ruleset.Rule) bool
	// MinReasonLength is how many visible characters a directive's reason
	// needs (invisible, control, format and space characters do not
	// count); 0 means DefaultMinReasonLength.
	MinReasonLength int
	// NoInlineSuppression turns inline "pushguard:allow <rule> -- <reason>"
	// comments off (server config inline_suppression: false). The zero
	// value keeps them on, the default (suppress.go).
	NoInlineSuppression bool
	// BranchEvidence limits which commits the pushed branches are
	// provenance evidence about (agent branches such as copilot/*). The
	// zero value, the hook's, applies each pushed branch to every commit
	// it brings in: the branch is where those commits enter.
	BranchEvidence BranchEvidence
	// Workers is how many goroutines examine file contents during Run
	// (pipeline.go): 0 means GOMAXPROCS, at most 8; a negative value does
	// everything on the calling goroutine. The result is the same either
	// way.
	Workers int
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

// Fields of commit and tag metadata that secret rules read (Finding.Field).
const (
	FieldMessage        = "message"
	FieldAuthorName     = "author name"
	FieldAuthorEmail    = "author email"
	FieldCommitterName  = "committer name"
	FieldCommitterEmail = "committer email"
	FieldTagMessage     = "tag message"
	FieldTaggerName     = "tagger name"
	FieldTaggerEmail    = "tagger email"
)

// SecretTag is the tag that makes a content rule a secret rule: secret
// rules also read commit and tag metadata, and are not suppressible inline
// unless the server configuration says so.
const SecretTag = "secret"

// Finding is one rule that fired.
type Finding struct {
	Rule   *ruleset.Rule
	Kind   Kind
	Commit plumbing.Hash // the commit, or the tag object for KindTag
	Ref    string        // a pushed ref that carries the commit
	Path   string        // KindLine, KindFile
	// Field is set when a secret rule matched commit or tag metadata
	// (KindCommit, KindTag): one of the Field* names. Line, Column, Match
	// and LineText then locate the match within that field (Line is the
	// line of a message; 1 for a name or e-mail).
	Field    string
	Line     int    // KindLine: 1-based line in the new file
	Column   int    // KindLine: 1-based character (rune) column of the match
	Match    string // KindLine: the matched text, unredacted (renderers redact)
	LineText string // KindLine: the whole added line, unredacted, capped
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
	// AddedLines counts the lines the commit adds in the text files that
	// were examined (files some file or line rule looks at).
	AddedLines int
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
	// Lines is how many lines of the commit its authorship records
	// (refs/notes/ai authorship logs, Agent Trace records) attest as
	// AI-written (0 when no record gives lines).
	Lines int `json:"lines,omitempty"`
	// Files are the files and line ranges those lines are in.
	Files []AIFile `json:"files,omitempty"`
	// LineSources are the kinds of authorship records about the commit
	// ("agent-trace", "note").
	LineSources []string `json:"line_sources,omitempty"`
	// Attribution says how rules on AI-written lines see the commit:
	// AttributionLines (its line data decides), AttributionCommit (every
	// added line is AI-written), "" (not AI-marked: none is). See lines.go.
	Attribution string `json:"attribution,omitempty"`
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
	// activeBuf, ruleRefBuf, metaBuf, sel and lineRulesBuf are
	// checkCommit's and fileRules' lists, kept for reuse (engine only).
	activeBuf    []*ruleset.Rule
	ruleRefBuf   []string
	metaBuf      []bool
	sel          ruleSelection
	lineRulesBuf ruleBits
	// paths caches pathRules, which groups the rules by paths condition
	// into pathFree and pathGroups (engine only).
	paths      map[string]ruleBits
	pathFree   ruleBits
	pathGroups []pathGroup
	// added and addedText are matchAdded's buffers, kept for reuse.
	added     []diff.Line
	addedText [][]byte
	// facts remembers the (parent blobs → new blob) pairs already examined
	// in this scan, with the raw matches of their added lines.
	facts map[string]*blobFacts
	// seen deduplicates findings across the commits of one Run (same rule,
	// blob, line); Run resets it, since each call reports on its own refs.
	seen map[string]bool
	// allowRule is the built-in rule that reports malformed inline
	// suppressions (suppress.go).
	allowRule *ruleset.Rule
	// deps caches what each manifest change adds (deps.go).
	deps map[string]*depResult
	// pipe examines files ahead on every core during Run (pipeline.go).
	pipe *pipeline
	// commits are the commits of the current Run, read before the
	// pipeline starts and only read after: changes takes a parent's tree
	// from them instead of decoding the parent again.
	commits map[plumbing.Hash]*gitstore.Commit
	// secret[r.Index] marks the secret rules (content rules tagged
	// SecretTag), which also apply to metadata (meta.go).
	secret []bool
	// authored is what authorship records say per commit, aiMarked the
	// AI-marked commits, warned the record warnings made, authRule their
	// built-in rule (lines.go).
	authored map[plumbing.Hash]*authorship
	aiMarked map[plumbing.Hash]bool
	warned   map[string]bool
	authRule *ruleset.Rule
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
	if opts.Suppressible == nil {
		opts.Suppressible = DefaultSuppressible
	}
	if opts.MinReasonLength <= 0 {
		opts.MinReasonLength = DefaultMinReasonLength
	}
	return &Engine{
		store:     store,
		rules:     rules,
		opts:      opts,
		matcher:   rules.NewLineMatcher(),
		facts:     map[string]*blobFacts{},
		seen:      map[string]bool{},
		allowRule: newAllowRule(),
		authRule:  newAuthorshipRule(),
		secret:    secretRules(rules),
	}
}

// Run scans the commits reachable from tips and from none of exclude, and
// every annotated tag among the tips that exclude does not already hold.
//
// ctx bounds the scan: it is checked between commits and files and inside
// content matching (every few lines or kilobytes, and between windows of a
// very long line), so a deadline stops even a file crafted to be slow to
// match.
//
// Run always returns a non-nil Result, also with an error: it holds every
// commit, finding and skip recorded before the scan stopped. A caller must
// not discard it on error: a blocking finding already made decides the
// push whatever the error policy says (a budget overrun must never accept a
// push the scan already found a blocking secret in). When ctx ends the scan,
// the error wraps ctx.Err().
//
// Run may be called several times on one Engine (once per group of refs
// sharing a policy): what it learns about blobs is kept between calls,
// findings are reported afresh by each call.
func (e *Engine) Run(ctx context.Context, tips []Tip, exclude []plumbing.Hash) (*Result, error) {
	return e.run(ctx, tips, exclude, nil, false)
}

// RunListed is Run with the new commits already known: commits (parents
// before children, as gitstore.Store.NewCommits orders them) must be
// exactly the commits reachable from tips and from none of exclude, as
// gitstore.Store.PushedCommits finds them during pre-receive without
// walking the excluded refs. exclude still tells which annotated tags among
// the tips are already held.
func (e *Engine) RunListed(ctx context.Context, tips []Tip, exclude, commits []plumbing.Hash) (*Result, error) {
	return e.run(ctx, tips, exclude, commits, true)
}

func (e *Engine) run(ctx context.Context, tips []Tip, exclude, listed []plumbing.Hash, isListed bool) (*Result, error) {
	res := &Result{}
	e.seen = map[string]bool{}
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
			return res, fmt.Errorf("read %s (%s): %w", t.Ref, t.Hash, err)
		}
		for _, tag := range tags {
			if old[tag.Hash] {
				continue
			}
			old[tag.Hash] = true // check each tag object once
			res.Tags = append(res.Tags, tag.Hash)
			if err := e.checkTag(ctx, res, t.Ref, tag); err != nil {
				return res, err
			}
		}
		if typ != plumbing.CommitObject {
			// A ref to a tree or blob: no commit to walk, but content to check.
			if !old[target] {
				if err := e.checkLoose(ctx, res, t.Ref, target, typ); err != nil {
					return res, err
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
		return res, err
	}
	if len(commitTips) == 0 {
		return res, nil
	}
	hashes := listed
	var decoded map[plumbing.Hash]*gitstore.Commit
	if !isListed {
		var err error
		hashes, decoded, err = e.store.NewCommitsRead(commitTips, exclude)
		if err != nil {
			return res, fmt.Errorf("list new commits: %w", err)
		}
	}
	read, err := e.readCommits(hashes, decoded)
	if err != nil {
		return res, err
	}
	commits := make(map[plumbing.Hash]*gitstore.Commit, len(hashes))
	for _, c := range read {
		commits[c.Hash] = c
	}
	e.commits = commits
	refs := attributeRefs(hashes, commits, refsOf)
	if err := e.markBase(hashes, exclude, commits); err != nil {
		return nil, err
	}
	e.pipe = e.startPipeline(ctx, hashes, commits, refs)
	defer func() {
		e.pipe.stop()
		e.pipe, e.commits = nil, nil
	}()
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("scan stopped after %d of %d commits: %w", len(res.Commits), len(hashes), err)
		}
		if err := e.checkCommit(ctx, res, commits[h], refs[h]); err != nil {
			if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
				return res, fmt.Errorf("scan stopped after %d of %d commits, in commit %s: %w", len(res.Commits)-1, len(hashes), h, err)
			}
			return res, err
		}
	}
	return res, nil
}

// readCommits reads the commits of hashes, in order, taking those the
// walk decoded already (NewCommitsRead) from decoded. The store decodes a
// commit outside its lock, so a long list of commits still to read is
// read in a part per core at once (the engine waits for it before the
// pipeline starts). The error is that of the first commit in order that
// fails.
func (e *Engine) readCommits(hashes []plumbing.Hash, decoded map[plumbing.Hash]*gitstore.Commit) ([]*gitstore.Commit, error) {
	out := make([]*gitstore.Commit, len(hashes))
	errs := make([]error, len(hashes))
	left := 0
	for i, h := range hashes {
		if out[i] = decoded[h]; out[i] == nil {
			left++
		}
	}
	parts := 1
	if left >= parallelCommitReads {
		parts = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for k := range parts {
		lo, hi := len(hashes)*k/parts, len(hashes)*(k+1)/parts
		wg.Go(func() {
			i := lo
			// A panic (a decoder meeting hostile content) is this
			// commit's error, not the end of the process.
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			for ; i < hi; i++ {
				if out[i] != nil {
					continue
				}
				if out[i], errs[i] = e.store.Commit(hashes[i]); errs[i] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", hashes[i], err)
		}
	}
	return out, nil
}

// parallelCommitReads is the fewest commits readCommits reads on every
// core: a push of a few commits is read on one.
const parallelCommitReads = 256

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
// Options.BranchEvidence (they get no branch evidence). commits are the new
// commits, read.
//
// When the base is itself a new commit, they are found among the new
// commits through their parents: a commit reachable from the base and from
// no excluded commit is reached through new commits only (one on the path
// reachable from an excluded commit would make it so too). Otherwise the
// store walks from the base, as for the new commits.
func (e *Engine) markBase(hashes, exclude []plumbing.Hash, commits map[plumbing.Hash]*gitstore.Commit) error {
	e.onBase = nil
	be := e.opts.BranchEvidence
	if !be.Limit || be.Base.IsZero() {
		return nil
	}
	if commits[be.Base] != nil {
		e.onBase = map[plumbing.Hash]bool{be.Base: true}
		stack := []plumbing.Hash{be.Base}
		for len(stack) > 0 {
			c := commits[stack[len(stack)-1]]
			stack = stack[:len(stack)-1]
			for _, p := range c.Parents {
				if commits[p] != nil && !e.onBase[p] {
					e.onBase[p] = true
					stack = append(stack, p)
				}
			}
		}
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

// checkTag applies the commit-level rules to an annotated tag's message
// and tagger, and the secret rules to each of those fields.
func (e *Engine) checkTag(ctx context.Context, res *Result, ref string, tag *gitstore.Tag) error {
	facts := commitFacts(tag.Message, tag.Tagger, tag.Tagger)
	var meta []bool
	ruleRef := make([]string, len(e.rules.Rules))
	for _, r := range e.rules.Rules {
		if !r.MatchRef(ref) || !r.MatchCommit(facts) {
			continue
		}
		ruleRef[r.Index] = ref
		if e.secret[r.Index] {
			if meta == nil {
				meta = make([]bool, len(e.rules.Rules))
			}
			meta[r.Index] = true
		}
		if r.Level() != ruleset.LevelCommit {
			continue
		}
		if !e.rules.Allowlisted(r, tag.Hash.String(), "", "") {
			res.Findings = append(res.Findings, Finding{Rule: r, Kind: KindTag, Commit: tag.Hash, Ref: ref})
		}
	}
	return e.checkMeta(ctx, res, KindTag, tag.Hash, meta, ruleRef, []metaField{
		{FieldTagMessage, tag.Message}, {FieldTaggerName, tag.Tagger.Name}, {FieldTaggerEmail, tag.Tagger.Email},
	})
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

func (e *Engine) checkCommit(ctx context.Context, res *Result, c *gitstore.Commit, refs []string) error {
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
	if err := e.applyAuthorship(res, c, refs, changes, &info.AI, &raw); err != nil { // lines.go
		return err
	}
	res.Commits = append(res.Commits, info)
	facts.AI = &raw
	facts.Signed = c.Signed

	// Rules that apply to this commit at all: ref and commit conditions.
	// The lists are the engine's, reused from commit to commit (nothing
	// keeps them past this call).
	active := e.activeBuf[:0]
	defer func() {
		clear(active)
		e.activeBuf = active[:0]
	}()
	var meta []bool
	ruleRef := e.ruleRefBuf
	if len(ruleRef) != len(e.rules.Rules) {
		ruleRef = make([]string, len(e.rules.Rules))
		e.ruleRefBuf = ruleRef
	}
	clear(ruleRef)
	for _, r := range e.rules.Rules {
		ref, ok := firstRef(r, refs)
		if !ok || !r.MatchCommit(facts) {
			continue
		}
		ruleRef[r.Index] = ref
		if e.secret[r.Index] {
			if meta == nil {
				meta = e.metaBuf
				if len(meta) != len(e.rules.Rules) {
					meta = make([]bool, len(e.rules.Rules))
					e.metaBuf = meta
				}
				clear(meta)
			}
			meta[r.Index] = true
		}
		if r.Level() == ruleset.LevelCommit {
			if !e.rules.Allowlisted(r, c.Hash.String(), "", "") {
				res.Findings = append(res.Findings, Finding{Rule: r, Kind: KindCommit, Commit: c.Hash, Ref: ref})
			}
			continue
		}
		active = append(active, r)
	}
	n := len(res.Findings)
	if err := e.checkMeta(ctx, res, KindCommit, c.Hash, meta, ruleRef, []metaField{
		{FieldMessage, c.Message},
		{FieldAuthorName, c.Author.Name}, {FieldAuthorEmail, c.Author.Email},
		{FieldCommitterName, c.Committer.Name}, {FieldCommitterEmail, c.Committer.Email},
	}); err != nil {
		return err
	}
	redactCommitInfo(&res.Commits[len(res.Commits)-1], res.Findings[n:])
	if len(active) == 0 {
		return nil
	}
	sel := &e.sel
	sel.split(active, e.ruleWords())
	for _, ch := range changes {
		if err := done(ctx); err != nil {
			return err
		}
		if err := e.checkFile(ctx, res, c, ch, sel, ruleRef); err != nil {
			return err
		}
	}
	return nil
}

// ruleSelection is the rules active for a commit (or a scan outside
// git), split for fileRules: anyFile marks, by Index, the line rules
// without a paths or file condition, which apply to every file; perFile
// lists the others, whose file conditions are checked file by file. Most
// rules are in anyFile, so a file costs a copy of a few words and a pass
// over perFile, not a pass over every rule.
type ruleSelection struct {
	active  []*ruleset.Rule
	anyFile ruleBits
	hasAny  bool
	perFile []*ruleset.Rule
}

// split fills s from active (reusing s's lists) for a set whose bit sets
// have words words.
func (s *ruleSelection) split(active []*ruleset.Rule, words int) {
	s.active = active
	if len(s.anyFile) != words {
		s.anyFile = make(ruleBits, words)
	} else {
		clear(s.anyFile)
	}
	s.hasAny = false
	s.perFile = s.perFile[:0]
	for _, r := range active {
		if s.anyFile.holds(r.Index) && r.AnyFile() && !r.HasDependencies() && r.Level() != ruleset.LevelFile {
			s.anyFile.set(r.Index)
			s.hasAny = true
			continue
		}
		s.perFile = append(s.perFile, r)
	}
}

// ruleWords is the length of a ruleBits over the set's rules.
func (e *Engine) ruleWords() int { return (len(e.rules.Rules) + 63) / 64 }

// ruleBits is a set of rules by Index: bit i&63 of word i>>6.
type ruleBits []uint64

// holds reports whether rule index i has a bit in b.
func (b ruleBits) holds(i int) bool { return i >= 0 && i>>6 < len(b) }

// has reports whether rule i is in b (false when b holds no bit for it).
func (b ruleBits) has(i int) bool { return b.holds(i) && b[i>>6]&(1<<(i&63)) != 0 }

// set adds rule i, which b must hold.
func (b ruleBits) set(i int) { b[i>>6] |= 1 << (i & 63) }

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
	// pos is the change's index in the commit's list of changes.
	pos int
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
			out[i] = fileChange{Change: ch, parentBlobs: []plumbing.Hash{oldBlob(ch)}}
		}
		linkMoves(out)
		return out, nil
	}
	var out []fileChange
	index := map[string]int{}
	for pi, ph := range c.Parents {
		p := e.commits[ph]
		if p == nil {
			var err error
			if p, err = e.store.Commit(ph); err != nil {
				return nil, fmt.Errorf("read parent %s of %s: %w", ph, c.Hash, err)
			}
		}
		chs, err := e.store.Changes(p.Tree, c.Tree)
		if err != nil {
			return nil, fmt.Errorf("compare %s with parent %s: %w", c.Hash, ph, err)
		}
		if pi == 0 {
			for _, ch := range chs {
				index[ch.Path] = len(out)
				fc := fileChange{Change: ch, parentBlobs: make([]plumbing.Hash, len(c.Parents))}
				fc.parentBlobs[0] = oldBlob(ch)
				out = append(out, fc)
			}
			continue
		}
		present := map[string]bool{}
		for _, ch := range chs {
			if i, ok := index[ch.Path]; ok {
				present[ch.Path] = true
				out[i].parentBlobs[pi] = oldBlob(ch)
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
		// Rebuild the index from scratch: a dropped path must not keep
		// its old position, or the next parent of an octopus merge that
		// changes it would index past the end of out.
		clear(index)
		for i, fc := range out {
			index[fc.Path] = i
		}
	}
	if len(c.Parents) == 1 {
		linkMoves(out)
	}
	return out, nil
}

// oldBlob is the parent's version of a changed path as a diff base: its
// blob, or zero when the path held a submodule there (a commit of another
// repository, not content of this one: the file replacing it is all new).
func oldBlob(ch gitstore.Change) plumbing.Hash {
	if ch.OldMode == filemode.Submodule {
		return plumbing.ZeroHash
	}
	return ch.OldHash
}

// blobFacts is what the engine learns once per distinct (parent blobs, new
// blob) pair: binary or not, whether it was read, and the raw matches of
// every line rule in the added lines.
type blobFacts struct {
	binary  bool
	skipped string // why content was not examined, if it was not
	matches []lineMatch
	added   int // lines the version adds (counted when examined)
}

func (e *Engine) checkFile(ctx context.Context, res *Result, c *gitstore.Commit, ch fileChange, sel *ruleSelection, ruleRef []string) error {
	info := &ruleset.FileInfo{Path: ch.Path, Status: string(ch.Status)}
	var facts *blobFacts
	switch {
	case ch.Status == gitstore.Deleted:
	case ch.NewMode == filemode.Submodule:
		facts = &blobFacts{skipped: "submodule"}
	default:
		size, f, err := e.fileFacts(ctx, c, ch) // pipeline.go
		if err != nil {
			return err
		}
		info.Size, facts = size, f
		info.Binary = facts.binary
		if n := len(res.Commits); n > 0 && res.Commits[n-1].Hash == c.Hash {
			res.Commits[n-1].AddedLines += facts.added
		}
		if facts.skipped != "" {
			res.Skipped = append(res.Skipped, Skip{Commit: c.Hash, Path: ch.Path, Reason: facts.skipped})
		}
	}
	lineRules, depRules := e.fileRules(res, sel, info, ruleRef, Finding{Commit: c.Hash, Path: ch.Path})
	if err := e.checkDeps(res, c, ch, facts, depRules, ruleRef); err != nil {
		return err
	}
	if lineRules == nil || facts == nil {
		return nil
	}
	e.addLineFindings(res, facts.matches, lineRules, sel.active, ruleRef, Finding{Commit: c.Hash, Path: ch.Path})
	return nil
}

// fileRules applies the selected rules whose file conditions hold for
// info: a file-level rule reports at (a finding naming the commit and
// path) at once, dependency rules are returned, and the line rules are
// marked by Index in the bit set lineRules (nil when there are none).
func (e *Engine) fileRules(res *Result, sel *ruleSelection, info *ruleset.FileInfo, ruleRef []string, at Finding) (lineRules ruleBits, depRules []*ruleset.Rule) {
	// The engine's, reused from file to file: the caller is done with it
	// before the next call.
	lineRules = e.lineRulesBuf
	if len(lineRules) != len(sel.anyFile) {
		lineRules = make(ruleBits, len(sel.anyFile))
		e.lineRulesBuf = lineRules
	}
	copy(lineRules, sel.anyFile)
	found := sel.hasAny // some line rule applies
	if len(sel.perFile) > 0 {
		paths := e.pathRules(info.Path)
		for _, r := range sel.perFile {
			i := r.Index
			if !paths.holds(i) {
				if !r.MatchFile(info) { // not one of the set's rules
					continue
				}
			} else if !paths.has(i) || !r.MatchFileAfterPath(info) {
				continue
			}
			if r.HasDependencies() {
				depRules = append(depRules, r)
				continue
			}
			if r.Level() == ruleset.LevelFile {
				f := at
				f.Rule, f.Kind, f.Ref = r, KindFile, ruleRef[r.Index]
				e.add(res, f)
				continue
			}
			found = true
			if lineRules.holds(i) {
				lineRules.set(i)
			}
		}
	}
	if !found {
		return nil, depRules
	}
	return lineRules, depRules
}

// maxKeptLines bounds the lines matchAdded's buffers keep between files.
const maxKeptLines = 1 << 14

// pathRules returns a bit set of the rules (by Index) whose paths
// condition holds for path (Rule.MatchPath). A history changes the same
// paths in many commits: the globs run once per path, not once per change,
// and once per distinct paths condition (rules often share one through a
// YAML anchor).
func (e *Engine) pathRules(path string) ruleBits {
	if bits, ok := e.paths[path]; ok {
		return bits
	}
	if e.paths == nil || len(e.paths) >= maxPathRules {
		e.paths = make(map[string]ruleBits)
	}
	if e.pathFree == nil {
		e.groupPaths()
	}
	bits := slices.Clone(e.pathFree)
	for _, g := range e.pathGroups {
		if g.rep.MatchPath(path) {
			for _, i := range g.rules {
				bits.set(i)
			}
		}
	}
	e.paths[path] = bits
	return bits
}

// pathGroup is the rules (by Index) with one paths condition, and one of
// them.
type pathGroup struct {
	rep   *ruleset.Rule
	rules []int
}

// groupPaths sets pathFree (the rules without a paths condition) and
// pathGroups (the others, by condition).
func (e *Engine) groupPaths() {
	e.pathFree = make(ruleBits, e.ruleWords())
	byKey := map[string]int{}
	for _, r := range e.rules.Rules {
		k := r.PathsKey()
		if k == "" {
			e.pathFree.set(r.Index)
			continue
		}
		gi, ok := byKey[k]
		if !ok {
			gi = len(e.pathGroups)
			byKey[k] = gi
			e.pathGroups = append(e.pathGroups, pathGroup{rep: r})
		}
		e.pathGroups[gi].rules = append(e.pathGroups[gi].rules, r.Index)
	}
}

// maxPathRules bounds the paths pathRules remembers (it starts over).
const maxPathRules = 1 << 16

// addLineFindings reports the matches of the line rules lineRules marks
// (built-in rules, index -1, apply everywhere) at the commit and path at
// names.
func (e *Engine) addLineFindings(res *Result, matches []lineMatch, lineRules ruleBits, active []*ruleset.Rule, ruleRef []string, at Finding) {
	for _, m := range matches {
		ref := ""
		if i := m.rule.Index; i >= 0 {
			if !lineRules.has(i) {
				continue
			}
			ref = ruleRef[m.rule.Index]
		} else {
			ref = ruleRef[active[0].Index]
		}
		f := at
		f.Rule, f.Kind, f.Ref = m.rule, KindLine, ref
		f.Line, f.Column, f.Match, f.LineText = m.line, m.col, m.match, m.txt
		f.Detail, f.Suppressed, f.SuppressReason = m.detail, m.suppressed, m.reason
		e.add(res, f)
	}
}

// add appends f unless the same rule already fired on the same place, or an
// allowlist drops it.
func (e *Engine) add(res *Result, f Finding) {
	if e.rules.Allowlisted(f.Rule, f.Commit.String(), f.Path, f.Match) || !e.keepForLines(f) {
		return
	}
	key := f.Rule.ID + "\x00" + string(f.Kind) + "\x00" + f.Path + "\x00" + f.Field + "\x00" + fmt.Sprint(f.Line, ":", f.Column, ":", f.Match)
	if f.Kind != KindLine {
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
func (e *Engine) examine(ctx context.Context, ch fileChange, size int64) (*blobFacts, error) {
	key := factsKey(ch)
	if f, ok := e.facts[key]; ok {
		return f, nil
	}
	f, err := e.factsOf(ctx, ch, size)
	if err != nil {
		// Not examined to the end: not kept, so that no later Run takes
		// a partial examination for a complete one.
		return nil, err
	}
	e.facts[key] = f
	return f, nil
}

// factsOf reads the content of ch (whose new blob has size bytes) and runs
// every line rule over the lines it adds. It uses only the store, the
// rules, the options and e's own matcher and differ, so pipeline workers
// run it too (pipeline.go).
func (e *Engine) factsOf(ctx context.Context, ch fileChange, size int64) (*blobFacts, error) {
	in, err := e.readInput(ch, size)
	if err != nil {
		return nil, err
	}
	return e.matchInput(ctx, ch, in)
}

// blobInput is what factsOf reads from the store for a file change: the
// facts when they are known without matching (too large, binary, the same
// as a parent's version), else the new version and its diff bases.
type blobInput struct {
	f       *blobFacts
	match   bool // run the line rules over the lines newer adds
	newer   []byte
	parents [][]byte
}

// readInput does the reading of factsOf (and no matching), so that the
// pipeline's producer can read ahead while the workers match.
func (e *Engine) readInput(ch fileChange, size int64) (*blobInput, error) {
	f := &blobFacts{}
	in := &blobInput{f: f}
	if size > e.opts.MaxFileSize {
		// Not scanned: read no more than git needs to tell binary content
		// (the object header gave the size), never the whole blob.
		head, _, err := e.store.ReadBlob(ch.NewHash, diff.BinarySniffLen)
		if err != nil {
			return nil, err
		}
		f.binary = diff.IsBinary(head)
		f.skipped = fmt.Sprintf("larger than %d bytes", e.opts.MaxFileSize)
		if f.binary {
			f.skipped = "binary"
		}
		return in, nil
	}
	newer, truncated, err := e.store.ReadBlobShared(ch.NewHash, e.opts.MaxFileSize+1)
	if err != nil {
		return nil, err
	}
	if diff.IsBinary(newer) {
		f.binary = true // as git decides it, even when the text is UTF-16/32
		if newer = utfText(newer); newer == nil {
			f.skipped = "binary"
			return in, nil
		}
	}
	if truncated || int64(len(newer)) > e.opts.MaxFileSize {
		f.skipped = fmt.Sprintf("larger than %d bytes", e.opts.MaxFileSize)
		return in, nil
	}
	// A parent version that was never scanned (binary, larger than the
	// limit) is never a diff base: compared with it, a secret that was in
	// the skipped version would not count as added in this one. Such a
	// version counts as absent, so every line of newer is added unless
	// another (scanned) base holds it.
	parents := make([][]byte, len(ch.parentBlobs))
	for i, ph := range ch.parentBlobs {
		if ph.IsZero() {
			continue
		}
		if ph == ch.NewHash {
			return in, nil // identical to a parent's version: nothing added
		}
		old, err := e.diffBase(ph, nil)
		if err != nil {
			return nil, fmt.Errorf("read parent version %s: %w", ph, err)
		}
		parents[i] = asText(old)
	}
	if len(parents) == 1 && parents[0] == nil && len(ch.movedFrom) > 0 {
		parents = parents[:0]
		for _, h := range ch.movedFrom {
			old, err := e.diffBase(h, nil)
			if err != nil {
				return nil, fmt.Errorf("read deleted version %s: %w", h, err)
			}
			if old != nil {
				parents = append(parents, asText(old))
			}
		}
	}
	in.match, in.newer, in.parents = true, newer, parents
	return in, nil
}

// matchInput does the matching of factsOf on what readInput read.
func (e *Engine) matchInput(ctx context.Context, ch fileChange, in *blobInput) (*blobFacts, error) {
	if in.match {
		if err := e.matchAdded(ctx, in.f, ch.Path, in.newer, in.parents); err != nil {
			return nil, err
		}
	}
	return in.f, nil
}

// matchAdded runs every line rule over the lines newer (the file at path)
// adds compared with parents (one nil parent: every line), decoding base64
// secrets and reading configuration paths for provider context, with the
// inline suppressions the added lines carry. It honours ctx (a non-nil
// error wraps ctx.Err(); f is then incomplete).
func (e *Engine) matchAdded(ctx context.Context, f *blobFacts, path string, newer []byte, parents [][]byte) error {
	encoded := kubeSecretIndex(newer)
	paths := textenc.ConfigPaths(path, newer) // enclosing keys, for provider context
	chk := ctxCheck{ctx: ctx}
	var stopped error
	// directives are the inline suppressions on added lines, by line
	// number: only those may suppress (suppress.go).
	var directives map[int]directive
	// l is the line being matched; onMatch is made once per file, not
	// once per line.
	var l diff.Line
	onMatch := func(m ruleset.LineMatch) {
		f.matches = append(f.matches, lineMatch{
			rule: m.Rule, line: l.No, col: utf8.RuneCount(l.Text[:m.Start]) + 1,
			match: string(l.Text[m.Start:m.End]), txt: capLine(l.Text), detail: m.Detail,
		})
	}
	// The added lines are gathered first and scanned for rule keywords
	// all at once (LineMatcher.ScanLines: much cheaper than line by
	// line), then matched one by one in order.
	added := e.added[:0]
	if len(parents) == 1 {
		e.differ.AddedFunc(parents[0], newer, func(line diff.Line) bool {
			added = append(added, line)
			return true
		})
	} else {
		added = append(added, e.differ.AddedMerge(parents, newer)...)
	}
	texts := e.addedText[:0]
	long := false
	for _, line := range added {
		if len(line.Text) > windowSize {
			texts = append(texts, nil) // matched window by window (matchLine)
			long = true
		} else {
			texts = append(texts, line.Text)
		}
	}
	e.matcher.ScanLines(texts)
	// Whether any added line may hold a suppression directive or a Docker
	// "auth" value: one search of all the lines at once, instead of one
	// per line (a very long line is not in the scanned lines: then look
	// at each line).
	mayDirective := long || e.matcher.ScannedContain([]byte(directiveToken))
	mayAuth := long || e.matcher.ScannedContain([]byte(`"auth"`))
	defer func() {
		// Keep the buffers (unless a large file grew them), not what
		// they point to.
		clear(added)
		clear(texts)
		e.added, e.addedText = added[:0], texts[:0]
		if cap(added) > maxKeptLines {
			e.added, e.addedText = nil, nil
		}
		e.matcher.ScanLines(nil)
	}()
	visit := func(i int, line diff.Line) bool {
		l = line
		if stopped = chk.add(len(l.Text)); stopped != nil {
			return false
		}
		f.added++
		var keys []byte
		if l.No >= 1 && l.No <= len(paths) {
			keys = paths[l.No-1]
		}
		if len(l.Text) > windowSize {
			stopped = e.matchLine(&chk, l.Text, l.No, keys, nil, onMatch)
		} else {
			e.matcher.MatchScanned(i, l.No, keys, nil, onMatch)
		}
		if stopped != nil {
			return false
		}
		if kube := encoded[l.No]; len(kube) > 0 || mayAuth {
			f.matches = e.matchEncoded(f.matches, l, kube) // encoded.go
		}
		if !e.opts.NoInlineSuppression && mayDirective {
			if d, ok := e.directiveIn(l); ok {
				if directives == nil {
					directives = map[int]directive{}
				}
				directives[l.No] = d
				f.matches = append(f.matches, e.checkDirective(d, l)...)
			}
		}
		return true
	}
	for i, line := range added {
		if !visit(i, line) {
			break
		}
	}
	if stopped != nil {
		return stopped
	}
	if directives != nil {
		e.suppress(f.matches, directives)
	}
	return nil
}

// diffBase returns the content of blob h for use as a diff base, or nil
// when that version is one the engine does not scan (binary, or larger
// than MaxFileSize): content that was never examined must not hide lines
// from the next version. Its size is checked before reading, so an
// oversized version is never loaded. prefetched may hold contents already
// read, by blob (nil: none).
func (e *Engine) diffBase(h plumbing.Hash, prefetched map[plumbing.Hash][]byte) ([]byte, error) {
	data, ok := prefetched[h]
	if !ok {
		size, err := e.store.BlobSize(h)
		if err != nil {
			return nil, err
		}
		if size > e.opts.MaxFileSize {
			return nil, nil
		}
		if data, _, err = e.store.ReadBlobShared(h, e.opts.MaxFileSize+1); err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > e.opts.MaxFileSize {
		return nil, nil
	}
	if diff.IsBinary(data) {
		// UTF-16/32 text was decoded and scanned: its decoded text is a
		// base. Other binary content was not scanned, so it is none.
		return utfText(data), nil
	}
	return data, nil
}

func subject(msg string) string {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}
