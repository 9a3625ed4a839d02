package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/pushguard/pushguard/pkg/deps"
	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// Content outside git: a directory or a stream is checked with the same
// rules as a push, as if a root commit added every file. File rules see
// each path (status "added", its size, binary or not), content rules see
// every line, dependency rules see every dependency a manifest declares,
// and inline suppressions work as in a commit. Commit-level rules and
// rules with commit conditions (message, trailers, identities, AI
// provenance) have nothing to look at and do not apply. Findings carry the
// zero hash in place of a commit id.

// SkipNotRegular is the Skip reason of a directory entry that is not a
// regular file (symbolic link, FIFO, socket, device): never opened, so
// that a FIFO cannot hang the scan nor a link lead outside the directory.
const SkipNotRegular = "not a regular file"

// PlainFile is one file outside git.
type PlainFile struct {
	// Path is the file's path with slashes, as file rules see it.
	Path string
	// Size is the file's size in bytes, or -1 when unknown (a stream):
	// then the content past MaxFileSize is counted, not kept.
	Size int64
	// Open returns the content; the engine reads at most MaxFileSize+1
	// bytes of it and closes it.
	Open func() (io.ReadCloser, error)
}

// RunFS scans every regular file under root in fsys (use "." for all),
// in lexical order. Directories named ".git" are not entered; entries that
// are not regular files are recorded as skipped (SkipNotRegular) and never
// opened. ref is the ref the content is headed to ("" for none): rules
// with a refs: condition apply only when it matches.
func (e *Engine) RunFS(ctx context.Context, fsys fs.FS, root, ref string) (*Result, error) {
	res := &Result{}
	sel, ruleRef := e.plainRules(ref)
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		if err := done(ctx); err != nil {
			return err
		}
		rel := relPath(root, p)
		if d.IsDir() {
			if d.Name() == ".git" && p != root {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			res.Skipped = append(res.Skipped, Skip{Path: rel, Reason: SkipNotRegular})
			return nil
		}
		size := int64(-1)
		if fi, err := d.Info(); err == nil {
			size = fi.Size()
		}
		return e.checkPlain(ctx, res, PlainFile{Path: rel, Size: size, Open: func() (io.ReadCloser, error) { return fsys.Open(p) }}, sel, ruleRef)
	})
	return res, err
}

// RunFiles scans the given files in order; see RunFS.
func (e *Engine) RunFiles(ctx context.Context, files []PlainFile, ref string) (*Result, error) {
	res := &Result{}
	sel, ruleRef := e.plainRules(ref)
	for _, f := range files {
		if err := done(ctx); err != nil {
			return res, err
		}
		if err := e.checkPlain(ctx, res, f, sel, ruleRef); err != nil {
			return res, err
		}
	}
	return res, nil
}

// relPath is p relative to root, both slash-separated fs.FS paths.
func relPath(root, p string) string {
	if root == "." || root == "" {
		return p
	}
	if p == root {
		return path.Base(p)
	}
	return strings.TrimPrefix(p, root+"/")
}

// plainRules returns the file and line rules that apply to content with
// no commit on ref, split for fileRules, and the ref each is charged to.
func (e *Engine) plainRules(ref string) (*ruleSelection, []string) {
	facts := commitFacts("", gitstore.Person{}, gitstore.Person{})
	facts.AI = &provenance.Result{}
	var active []*ruleset.Rule
	ruleRef := make([]string, len(e.rules.Rules))
	for _, r := range e.rules.Rules {
		if r.Level() == ruleset.LevelCommit || !r.MatchRef(ref) || !r.MatchCommit(facts) {
			continue
		}
		ruleRef[r.Index] = ref
		active = append(active, r)
	}
	sel := &ruleSelection{}
	sel.split(active, e.ruleWords())
	return sel, ruleRef
}

// checkPlain applies the selected rules to one file.
func (e *Engine) checkPlain(ctx context.Context, res *Result, f PlainFile, sel *ruleSelection, ruleRef []string) error {
	if len(sel.active) == 0 {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", f.Path, err)
	}
	data, err := io.ReadAll(io.LimitReader(rc, e.opts.MaxFileSize+1))
	size := int64(len(data))
	if err == nil && size > e.opts.MaxFileSize {
		// Too large to scan: size rules still need the size.
		if f.Size >= 0 {
			size = f.Size
		} else {
			var rest int64
			rest, err = io.Copy(io.Discard, readerCtx{ctx, rc})
			size += rest
		}
	}
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	res.FilesRead++
	res.BytesRead += int64(len(data))
	info := &ruleset.FileInfo{Path: f.Path, Status: string(gitstore.Added), Size: size, Binary: diff.IsBinary(data)}
	facts := &blobFacts{binary: info.Binary}
	switch {
	case info.Binary:
		facts.skipped = "binary"
	case int64(len(data)) > e.opts.MaxFileSize:
		facts.skipped = fmt.Sprintf("larger than %d bytes", e.opts.MaxFileSize)
	}
	if facts.skipped != "" {
		res.Skipped = append(res.Skipped, Skip{Path: f.Path, Reason: facts.skipped})
	}
	lineRules, depRules := e.fileRules(res, sel, info, ruleRef, Finding{Path: f.Path})
	if facts.skipped != "" {
		return nil
	}
	e.plainDeps(res, f.Path, data, depRules, ruleRef)
	if lineRules == nil {
		return nil
	}
	if err := e.matchAdded(ctx, facts, f.Path, data, [][]byte{nil}); err != nil {
		return fmt.Errorf("read %s: %w", f.Path, err)
	}
	e.addLineFindings(res, facts.matches, lineRules, sel.active, ruleRef, Finding{Path: f.Path})
	return nil
}

// plainDeps applies the dependency rules to a manifest: every dependency
// it declares is new. A manifest that does not parse gives, per rule, one
// file finding of at most warn severity (see checkDeps).
func (e *Engine) plainDeps(res *Result, p string, data []byte, rules []*ruleset.Rule, ruleRef []string) {
	if len(rules) == 0 || deps.Ecosystem(p) == "" {
		return
	}
	added, perr := deps.AddedFrom(p, [][]byte{nil}, data)
	var lines map[int]string
	if len(added) > 0 {
		lines = declarationLines(data, added)
	}
	for _, r := range rules {
		if perr != nil {
			e.add(res, Finding{Rule: unparsedRule(r, perr), Kind: KindFile, Ref: ruleRef[r.Index], Path: p})
			continue
		}
		for _, d := range added {
			if !r.MatchDependency(d.Ecosystem, d.Name) {
				continue
			}
			text := lines[d.Line]
			col := 1
			if i := strings.Index(text, d.Name); i >= 0 {
				col = utf8.RuneCountInString(text[:i]) + 1
			}
			e.add(res, Finding{
				Rule: r, Kind: KindLine, Ref: ruleRef[r.Index],
				Path: p, Line: d.Line, Column: col, Match: d.String(), LineText: text,
			})
		}
	}
}

// errReadTwice: a stream can be read once.
var errReadTwice = errors.New("a stream can be read only once")

// ReaderFile is a PlainFile named name whose content is r (standard
// input), of unknown size; it can be opened once.
func ReaderFile(name string, r io.Reader) PlainFile {
	used := false
	return PlainFile{Path: name, Size: -1, Open: func() (io.ReadCloser, error) {
		if used {
			return nil, errReadTwice
		}
		used = true
		return io.NopCloser(r), nil
	}}
}

// readerCtx stops reading once ctx is done.
type readerCtx struct {
	ctx context.Context
	r   io.Reader
}

func (r readerCtx) Read(p []byte) (int, error) {
	if err := done(r.ctx); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
