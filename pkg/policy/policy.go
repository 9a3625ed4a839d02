// Package policy loads what rule files define, the rules and the AI-tool
// markers, from where they live: the defaults embedded in the binary, a file
// or directory on disk, or a tree of the policy repository read straight
// from git objects. It is the one place that reads rule files.
//
// Each file is parsed once: one yaml.v3 node tree, which pkg/ruleset decodes
// into rules and pkg/provenance into AI-tool markers. Loading is bounded:
// each file and all files of a load together have a byte budget, aliases
// may expand a file by a bounded number of bytes (pkg/yamldoc), and a
// context.Context is checked between files and inside their decoding, so
// that loading counts against the hook's time budget.
//
// Sources are merged in order: a later rule (or AI tool) with the same id
// replaces an earlier one, and `disabled: true` removes it. The embedded
// AI-tool markers are always loaded first, whatever the sources: turning
// the default rules off must not blind provenance detection. Every problem
// of every file is reported together, each as `file:line: rule "id": key:
// message`.
package policy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/rules"
)

// Policy is what the rule files of a load define.
type Policy struct {
	Rules *ruleset.Set
	AI    *provenance.Detector
	// Version identifies the rules for the audit log: "embedded", or the
	// commit ids of the policy repositories read, comma-separated.
	Version string
}

// Default bounds of a load.
const (
	DefaultMaxFileBytes = 4 << 20
	DefaultMaxBytes     = 32 << 20
)

// Options bound a load.
type Options struct {
	// MaxFileBytes bounds one rule file (0: DefaultMaxFileBytes); a larger
	// file is an error, and is not read whole.
	MaxFileBytes int64
	// MaxBytes bounds the rule files of one load together, with the files
	// they name such as dependency allowlists (0: DefaultMaxBytes).
	MaxBytes int64
	// CacheDir keeps the parsed form of rule files by content hash
	// (nodecache.go), and the stamps of those this build has validated in
	// full (stamp.go): "" for pushguard/rules under the user's cache
	// directory, "-" for no cache.
	CacheDir string
	// Eager validates and compiles every rule file in full, and decodes
	// the rules' tests, even one already validated: for `rules validate`,
	// `rules test` and the validation of a push to a policy repository
	// (ValidatePush sets it). Otherwise a file whose exact content this
	// build has validated in full before (a stamp in the cache) is decoded
	// lazily: its content regexes are compiled on first use and its rule
	// tests are not decoded (ruleset.DecodeOptions.Lazy), which is what
	// makes loading cheap enough for the hook to do on every push. The
	// verdicts are the same either way.
	Eager bool

	// noCompiled leaves the compiled-rules cache out (compiled.go): for
	// the benchmark that measures what it saves.
	noCompiled bool
}

func (o Options) withDefaults() Options {
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	return o
}

// Source is one origin of rule files: the files at Root in FS, a single
// file or a directory (every *.yml and *.yaml file below it, in lexical
// order, entries whose name starts with a dot skipped).
//
// Build sources with [Embedded], [Path], [Tree] or [FromConfig]; a Source
// made by hand from its exported fields reads FS and names its files
// "Name:path" in messages (or "path" when Name is empty).
type Source struct {
	// Name says where the files come from, for messages: a directory on
	// disk, or repo@ref for a policy repository.
	Name string
	FS   fs.FS
	// Root is the file or directory to load, a valid fs path ("." for all).
	Root string
	// Version is the policy repository's commit id ("" otherwise).
	Version string

	kind kind
	// open, when set, resolves the source at load time (a policy
	// repository is opened then, and closed after the load). It returns
	// errSkip for a source with nothing to load.
	open func(opt Options) (Source, func() error, error)
}

// kind says how a source names its files and reads the files they name.
type kind int

const (
	kindFS       kind = iota // Name:path, files named within FS
	kindEmbedded             // path, files named within FS
	kindDiskDir              // Name/path on disk, files named within the directory
	kindDiskFile             // the path on disk; files named relative to it or absolute
)

// errSkip is returned by a source's open when there is nothing to load.
var errSkip = errors.New("nothing to load")

// Embedded is the default rules and AI-tool markers built into the binary.
func Embedded() Source {
	return Source{FS: rules.FS, Root: ".", kind: kindEmbedded}
}

// Path is a rule file or a directory of rule files on disk. It is read at
// load time: a missing path is a load error. Messages name the files by
// their path on disk. A rule file may name other files (dependency
// allowlists): within the directory for a directory, relative to the file
// or absolute for a single file (an admin's file on the server).
func Path(p string) Source {
	return Source{Name: p, open: func(Options) (Source, func() error, error) {
		st, err := os.Stat(p)
		if err != nil {
			return Source{}, nil, fmt.Errorf("rules %s: %w", p, err)
		}
		if st.IsDir() {
			return Source{Name: p, FS: os.DirFS(p), Root: ".", kind: kindDiskDir}, nil, nil
		}
		dir, base := filepath.Split(p)
		if dir == "" {
			dir = "."
		}
		return Source{Name: p, FS: os.DirFS(dir), Root: base, kind: kindDiskFile}, nil, nil
	}}
}

// display names the file at fs path p in messages.
func (s Source) display(p string) string {
	switch s.kind {
	case kindEmbedded:
		return p
	case kindDiskDir:
		return filepath.Join(s.Name, filepath.FromSlash(p))
	case kindDiskFile:
		return s.Name
	}
	if s.Name == "" {
		return p
	}
	return s.Name + ":" + p
}

// reader reads the files the rule file at fs path p names.
func (s Source) reader(p string) ruleset.ReadFunc {
	if s.kind == kindDiskFile {
		return ruleset.DiskReader(s.Name)
	}
	return ruleset.FSReader(s.FS, p, s.display(p))
}

// Load loads the embedded AI-tool markers and then each source in order.
// It reports every problem of every source together; on error it returns
// no policy. When ctx is done it stops, with an error wrapping ctx.Err().
func Load(ctx context.Context, srcs []Source, opt Options) (*Policy, error) {
	l := &loader{ctx: ctx, opt: opt.withDefaults()}
	l.cache = l.opt.cacheDir()
	l.stamps = newStamps(l.cache)
	withEmbedded := slices.ContainsFunc(srcs, func(s Source) bool { return s.kind == kindEmbedded })
	// The embedded files are decoded once, for their markers and, when
	// asked for, their rules; without the rules, only the files that may
	// hold markers are parsed.
	emb, err := l.source(Embedded(), !withEmbedded)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("load rules: %w", ctxErr)
		}
		l.errs = append(l.errs, fmt.Errorf("embedded rules: %w", err))
	}
	specs, validated := emb.tools, emb.validated
	var (
		lists    [][]*ruleset.Rule
		versions []string
	)
	for _, src := range srcs {
		if src.kind == kindEmbedded {
			lists = append(lists, emb.rules)
			continue
		}
		got, err := l.load(src)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, fmt.Errorf("load rules: %w", ctxErr)
			}
			l.errs = append(l.errs, err)
			continue
		}
		lists = append(lists, got.rules)
		specs = append(specs, got.tools...)
		validated = append(validated, got.validated...)
		if got.version != "" {
			versions = append(versions, got.version)
		}
	}
	if err := errors.Join(l.errs...); err != nil {
		return nil, err
	}
	// The markers of files this build validated in full before compile
	// their regexes on first use, as the rules of those files do. They
	// compile while the Set is built: each is a few milliseconds of a
	// hook run.
	var (
		det    *provenance.Detector
		detErr error
		wg     sync.WaitGroup
	)
	wg.Go(func() {
		det, detErr = provenance.CompileWith(specs, provenance.CompileOptions{Validated: func(i int) bool { return validated[i] }})
	})
	var cache ruleset.AutomatonCache
	if l.compiledOn() {
		cache = automata{st: l.stamps, wrote: &l.wrote}
	}
	set := ruleset.NewSetCached(cache, lists...)
	wg.Wait()
	if detErr != nil {
		return nil, fmt.Errorf("AI-tool markers: %w", detErr)
	}
	if err := checkAITools(set, det); err != nil {
		return nil, err
	}
	if l.wrote.Load() {
		pruneCache(l.cache, time.Now())
	}
	version := "embedded"
	if len(versions) > 0 {
		version = strings.Join(versions, ",")
	}
	return &Policy{Rules: set, AI: det, Version: version}, nil
}

// loaded is what one source defines.
type loaded struct {
	rules []*ruleset.Rule
	tools []provenance.ToolSpec
	// validated[i] reports whether tools[i] comes from a file this build
	// validated in full before (its stamp).
	validated []bool
	version   string
}

// loader is the state of one Load: its context, bounds and the bytes read
// so far.
type loader struct {
	ctx context.Context
	opt Options
	// mu guards used: the files of an embedded source are decoded
	// concurrently, and decoding may read (and charge) other files.
	mu   sync.Mutex
	used int64
	errs []error
	// cache is the parse cache directory, "" for none.
	cache string
	// stamps are the validation stamps (stamp.go), in cache.
	stamps stamps
	// wrote is set when the load wrote a cache file (see pruneCache).
	wrote atomic.Bool
}

// load opens src when it must be, and loads it.
func (l *loader) load(src Source) (loaded, error) {
	if src.open != nil {
		opened, closeFn, err := src.open(l.opt)
		if errors.Is(err, errSkip) {
			return loaded{}, nil
		}
		if err != nil {
			return loaded{}, err
		}
		if closeFn != nil {
			defer closeFn()
		}
		src = opened
	}
	got, err := l.source(src, false)
	got.version = src.Version
	return got, err
}

// source loads the rule files of src; with markersOnly, only their AI-tool
// markers, and only from the files that may hold some.
func (l *loader) source(src Source, markersOnly bool) (loaded, error) {
	var (
		out   loaded
		errs  []error
		files int
	)
	root := src.Root
	if root == "" {
		root = "."
	}
	// The embedded files (immutable, in memory) are parsed and decoded on
	// all cores: together they are most of what a hook run costs. Other
	// sources stay sequential: a policy repository's files are read
	// through one object store.
	parallel := src.kind == kindEmbedded
	var jobs []fileJob
	if src.FS == nil {
		return loaded{}, fmt.Errorf("%s: no files to read (a Source without FS)", src.display(root))
	}
	walkErr := fs.WalkDir(src.FS, root, func(p string, de fs.DirEntry, err error) error {
		if ctxErr := l.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src.display(p), err))
			if de != nil && de.IsDir() && p != root {
				return fs.SkipDir
			}
			return nil
		}
		if p != root && strings.HasPrefix(de.Name(), ".") {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() {
			return nil
		}
		if ext := strings.ToLower(path.Ext(p)); p != root && ext != ".yml" && ext != ".yaml" {
			return nil
		}
		files++
		if parallel {
			name := src.display(p)
			if !markersOnly && l.compiledOn() {
				// Only its checksum now: its compiled rules are
				// likely in the cache, and then its bytes are
				// not needed (compiledPath).
				sum, err := embeddedSum(src, p)
				jobs = append(jobs, fileJob{p: p, name: name, sum: &sum, err: err})
				return nil
			}
			// Read now, in order and within the budget; parsed below.
			data, err := l.read(src, p, name)
			jobs = append(jobs, fileJob{p: p, name: name, data: data, err: err})
			if errors.Is(err, errBudget) {
				return fs.SkipAll
			}
			return nil
		}
		got, err := l.file(src, p, markersOnly)
		if err != nil {
			if ctxErr := l.ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			errs = append(errs, err)
			if errors.Is(err, errBudget) {
				return fs.SkipAll
			}
			return nil
		}
		out.rules = append(out.rules, got.rules...)
		out.tools = append(out.tools, got.tools...)
		out.validated = append(out.validated, got.validated...)
		return nil
	})
	if walkErr != nil {
		if ctxErr := l.ctx.Err(); ctxErr != nil {
			return loaded{}, ctxErr
		}
		errs = append(errs, fmt.Errorf("%s: %w", src.display(root), walkErr))
	}
	if len(jobs) > 0 {
		l.parseAll(src, jobs, markersOnly)
		if ctxErr := l.ctx.Err(); ctxErr != nil {
			return loaded{}, ctxErr
		}
		// In file order, as a sequential load gives them (walk errors of
		// an embedded FS cannot happen).
		for _, j := range jobs {
			if j.err != nil {
				errs = append(errs, j.err)
				continue
			}
			out.rules = append(out.rules, j.got.rules...)
			out.tools = append(out.tools, j.got.tools...)
			out.validated = append(out.validated, j.got.validated...)
		}
	}
	if files == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: no rule files (*.yml, *.yaml) found", src.display(root)))
	}
	if err := errors.Join(errs...); err != nil {
		return loaded{}, err
	}
	return out, nil
}

// fileJob is one rule file of a parallel load: read (or only its
// checksum taken, sum), then parsed and decoded into got (or err).
type fileJob struct {
	p, name string
	data    []byte
	sum     *contentSum
	got     loaded
	err     error
}

// parseAll parses and decodes the files read into jobs, on as many
// goroutines as there are CPUs to run them.
func (l *loader) parseAll(src Source, jobs []fileJob, markersOnly bool) {
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i := range jobs {
		j := &jobs[i]
		if j.err != nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			j.got, j.err = l.parsed(src, j.p, j.name, j.data, j.sum, markersOnly)
		})
	}
	wg.Wait()
}

// errBudget marks the error of a load past its total byte budget.
var errBudget = errors.New("rule files exceed the byte budget of a load")

// file reads, parses once and decodes the rule file at p.
func (l *loader) file(src Source, p string, markersOnly bool) (loaded, error) {
	name := src.display(p)
	data, err := l.read(src, p, name)
	if err != nil {
		return loaded{}, err
	}
	return l.parsed(src, p, name, data, nil, markersOnly)
}

// parsed parses (or reads from the parse cache) and decodes the rule file
// at p, whose content is data; or, for an embedded file, whose checksum
// is sum, data nil: read when the compiled rules do not do. It is safe
// for concurrent use on the files of an embedded source (see source).
func (l *loader) parsed(src Source, p, name string, data []byte, sum *contentSum, markersOnly bool) (loaded, error) {
	var err error
	content := func() ([]byte, error) {
		if data == nil {
			data, err = l.read(src, p, name)
		}
		return data, err
	}
	if markersOnly && !bytes.Contains(data, []byte("ai_tools")) && !bytes.Contains(data, []byte("declared_trailers")) {
		// Only the embedded files are read for their markers alone, and
		// they spell their keys plainly (TestEmbeddedMarkersOnly): the
		// files of rules only are not parsed.
		return loaded{}, nil
	}
	// A file this build decoded before: its compiled rules (compiled.go).
	cp := ""
	if !markersOnly {
		cp = l.compiledPath(name, data, sum)
	}
	if cp != "" {
		got, ok, err := l.compiled(src, p, name, content, cp)
		if err != nil || ok {
			return got, err
		}
	}
	if data, err = content(); err != nil {
		return loaded{}, err
	}
	doc := loadNodes(l.cache, data)
	if doc == nil {
		if doc, err = ruleset.ParseDocument(name, data); err != nil {
			return loaded{}, err
		}
		if l.cache != "" {
			// Encoded before decoding, which must not see a tree
			// the cache could differ from.
			storeNodes(l.cache, data, doc)
			l.wrote.Store(true)
		}
	}
	// A file this build validated in full before is decoded lazily; one
	// validated in full now gets its stamp. The stamp vouches for the
	// whole file, its markers too, also when only those are wanted.
	validated := !l.opt.Eager && l.stamps.valid(data)
	lazy := !markersOnly && validated
	reads := &readLog{read: src.reader(p)}
	got, err := l.decode(name, doc, l.charged(reads.record), markersOnly, lazy, validated)
	if err == nil && !markersOnly && !lazy {
		l.stamps.store(data)
		l.wrote.Store(true)
	}
	if err == nil && cp != "" {
		l.storeCompiled(cp, got.rules, reads.reads, len(got.tools) > 0)
		l.wrote.Store(true)
	}
	return got, err
}

// decode decodes one parsed rule file into rules (unless markersOnly) and
// AI-tool markers, reporting the problems of both; read reads the files
// it names. lazy decodes the rules lazily (see Options.Eager); validated
// leaves the markers' regexes to compile on first use
// (provenance.DecodeOptions.Validated).
func (l *loader) decode(name string, doc *yaml.Node, read ruleset.ReadFunc, markersOnly, lazy, validated bool) (loaded, error) {
	var out loaded
	var errs []error
	if !markersOnly {
		rs, err := ruleset.DecodeDocumentWith(l.ctx, name, doc, read, ruleset.DecodeOptions{Lazy: lazy})
		if err != nil {
			errs = append(errs, err)
		}
		out.rules = rs
	}
	tools, err := provenance.DecodeDocumentWith(l.ctx, name, doc, provenance.DecodeOptions{Validated: validated})
	if err != nil {
		errs = append(errs, err)
	}
	out.tools = tools
	out.validated = make([]bool, len(tools))
	for i := range out.validated {
		out.validated[i] = validated
	}
	return out, errors.Join(errs...)
}

// read reads a rule file within the bounds: a regular file of at most
// MaxFileBytes, within what remains of MaxBytes. The embedded files are
// part of the binary, and not charged.
func (l *loader) read(src Source, p, name string) ([]byte, error) {
	bounded := src.kind != kindEmbedded
	check := func(st fs.FileInfo) error {
		switch {
		case st.Mode().Type() == fs.ModeSymlink:
			return fmt.Errorf("%s: a symbolic link: links in a policy repository are not followed", name)
		case !st.Mode().IsRegular():
			return fmt.Errorf("%s: not a regular file", name)
		case bounded && st.Size() > l.opt.MaxFileBytes:
			return fmt.Errorf("%s: larger than %d bytes", name, l.opt.MaxFileBytes)
		}
		return nil
	}
	// Stat before opening where the FS can (a FIFO on disk would block
	// the open), and check the open file again.
	if sfs, ok := src.FS.(fs.StatFS); ok {
		st, err := sfs.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := check(st); err != nil {
			return nil, err
		}
	}
	f, err := src.FS.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := check(st); err != nil {
		return nil, err
	}
	// Read into a buffer of the size the file says it has (one more
	// byte for the read that sees the end), not one grown by doubling.
	var r io.Reader = f
	size := st.Size()
	if bounded {
		r = io.LimitReader(f, l.opt.MaxFileBytes+1)
		size = min(size, l.opt.MaxFileBytes)
	}
	var buf bytes.Buffer
	buf.Grow(int(max(size, 0)) + bytes.MinRead)
	_, err = buf.ReadFrom(r)
	data := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !bounded {
		return data, nil
	}
	if int64(len(data)) > l.opt.MaxFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, l.opt.MaxFileBytes)
	}
	if err := l.charge(int64(len(data)), name); err != nil {
		return nil, err
	}
	return data, nil
}

// charge counts n bytes read for the file name against the budget.
func (l *loader) charge(n int64, name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.used += n; l.used > l.opt.MaxBytes {
		return fmt.Errorf("%s: %w (%d bytes)", name, errBudget, l.opt.MaxBytes)
	}
	return nil
}

// charged counts what read reads against the budget: a rule file may name
// the same allowlist from many rules.
func (l *loader) charged(read ruleset.ReadFunc) ruleset.ReadFunc {
	return func(name string) ([]byte, string, error) {
		data, shown, err := read(name)
		if err != nil {
			return data, shown, err
		}
		if err := l.charge(int64(len(data)), shown); err != nil {
			return nil, shown, err
		}
		return data, shown, nil
	}
}
