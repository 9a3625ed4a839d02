// Package benchrepo generates deterministic git histories for pushguard's
// benchmarks: realistic multi-language code, edits, renames, merges,
// binaries, large files, fake secrets and AI trailers, written as a
// `git fast-import` stream so that a 5,000-commit repository takes seconds.
package benchrepo

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
)

// Options shape a generated history. The same options always produce the
// same fast-import stream, hence the same commit ids.
type Options struct {
	// Seed drives every random choice.
	Seed uint64
	// Commits is the number of commits on the main line, merges and side
	// branch commits included.
	Commits int
	// Refs is the number of extra branches (refs/heads/r/NNNNN) spread over
	// the history, for ref-heavy repositories.
	Refs int
	// Large adds a few large files (1–7 MB of text, one above the scanner's
	// 5 MiB content limit) when true.
	Large bool
}

// Stats counts what a generated history holds.
type Stats struct {
	Commits, Merges, Renames, Binaries, Large, Secrets, AITrailers, Refs, Tags int
}

// file is one file of a branch's tree.
type file struct {
	lines []string
	raw   []byte // binary content; lines is nil then
}

// branch is the state of one line of development while generating.
type branch struct {
	ref   string
	head  int // mark of the last commit, 0 before the first
	paths []string
	files map[string]*file
}

func (b *branch) clone(ref string) *branch {
	c := &branch{ref: ref, head: b.head, paths: slices.Clone(b.paths), files: make(map[string]*file, len(b.files))}
	for p, f := range b.files {
		c.files[p] = f // files are replaced, never mutated in place
	}
	return c
}

func (b *branch) put(p string, f *file) {
	if _, ok := b.files[p]; !ok {
		i, _ := slices.BinarySearch(b.paths, p)
		b.paths = slices.Insert(b.paths, i, p)
	}
	b.files[p] = f
}

func (b *branch) remove(p string) {
	if i, ok := slices.BinarySearch(b.paths, p); ok {
		b.paths = slices.Delete(b.paths, i, i+1)
	}
	delete(b.files, p)
}

// generator writes a git fast-import stream.
type generator struct {
	o     Options
	rng   *rand.Rand
	w     *bufio.Writer
	mark  int
	clock int64
	st    Stats
	seq   int // file name counter
}

// Generate writes the fast-import stream of a synthetic history to w:
// Go, Python, TypeScript, YAML and Markdown files edited a few lines at a
// time, with added, deleted and renamed files, binary files, side branches
// merged back, fake secrets in about one commit in 150, AI co-author
// trailers in about one in 10, a tag every 250 commits and o.Refs extra
// branches.
func Generate(w io.Writer, o Options) (Stats, error) {
	g := &generator{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15)), w: bufio.NewWriterSize(w, 1<<20), clock: 1_700_000_000}
	main := &branch{ref: "refs/heads/main", files: map[string]*file{}}
	// The initial tree: a small project.
	var ops []op
	for i := 0; i < 60; i++ {
		p, f := g.newFile()
		ops = append(ops, op{path: p, f: f})
	}
	g.commit(main, "Initial import", nil, ops)
	var side *branch
	sideLeft, sideDir := 0, ""
	var marks []int
	for i := 1; i < o.Commits; i++ {
		switch {
		case side != nil && sideLeft == 0:
			// Merge the side branch: its own directory joins main.
			var ops []op
			for _, p := range side.paths {
				if strings.HasPrefix(p, sideDir) {
					ops = append(ops, op{path: p, f: side.files[p]})
				}
			}
			g.commit(main, fmt.Sprintf("Merge branch '%s'", strings.TrimPrefix(side.ref, "refs/heads/")), []int{side.head}, ops)
			g.st.Merges++
			side = nil
		case side != nil && g.rng.IntN(2) == 0:
			g.commit(side, g.subject(), nil, g.sideOps(side, sideDir))
			sideLeft--
		default:
			if side == nil && g.rng.IntN(60) == 0 {
				n := g.rng.IntN(1000)
				side = main.clone(fmt.Sprintf("refs/heads/feature/f%03d", n))
				sideDir = fmt.Sprintf("features/f%03d/", n)
				sideLeft = 2 + g.rng.IntN(6)
			}
			g.commit(main, g.subject(), nil, g.mainOps(main, i))
		}
		marks = append(marks, main.head)
		if i%250 == 0 {
			fmt.Fprintf(g.w, "tag v0.%d.0\nfrom :%d\ntagger Release Bot <release@example.com> %d +0000\n", i/250, main.head, g.clock)
			g.data([]byte(fmt.Sprintf("Release 0.%d.0\n", i/250)))
			g.st.Tags++
		}
	}
	if side != nil {
		fmt.Fprintf(g.w, "reset %s\nfrom :%d\n\n", side.ref, side.head)
	}
	for r := 0; r < o.Refs; r++ {
		fmt.Fprintf(g.w, "reset refs/heads/r/%05d\nfrom :%d\n\n", r, marks[g.rng.IntN(len(marks))])
		g.st.Refs++
	}
	g.st.Commits = g.mark
	return g.st, g.w.Flush()
}

// op is one file operation of a commit: put f at path, delete path
// (f == nil, from == ""), or rename from to path (then put f if non-nil).
type op struct {
	path, from string
	f          *file
	del        bool
}

var authors = []string{
	"Ada Lovelace <ada@example.com>", "Grace Hopper <grace@example.com>",
	"Linus Tovalds <lt@example.org>", "Margaret Hamilton <mh@example.net>",
	"Ken Thompson <ken@example.com>", "Barbara Liskov <bl@example.org>",
}

var aiTrailers = []string{
	"Co-authored-by: Claude <noreply@anthropic.com>",
	"Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>",
	"Assisted-by: cursor",
	"Generated-by: Aider",
}

func (g *generator) subject() string {
	verbs := []string{"Fix", "Add", "Refactor", "Update", "Remove", "Document", "Speed up", "Simplify"}
	objs := []string{"session handling", "the config loader", "retry logic", "CLI flags", "the parser", "error messages", "the cache", "tests for the API", "logging", "the build"}
	return verbs[g.rng.IntN(len(verbs))] + " " + objs[g.rng.IntN(len(objs))]
}

// commit writes one commit on b with ops applied to b's tree.
func (g *generator) commit(b *branch, subject string, merge []int, ops []op) {
	g.mark++
	g.clock += 300 + int64(g.rng.IntN(900))
	author := authors[g.rng.IntN(len(authors))]
	msg := subject + "\n"
	if g.rng.IntN(3) == 0 {
		msg += "\nThis change keeps the behaviour the same for existing callers and\nadds a test for the case that used to fail.\n"
	}
	if g.rng.IntN(10) == 0 {
		msg += "\n" + aiTrailers[g.rng.IntN(len(aiTrailers))] + "\n"
		g.st.AITrailers++
	}
	fmt.Fprintf(g.w, "commit %s\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\n", b.ref, g.mark, author, g.clock, author, g.clock)
	g.data([]byte(msg))
	if b.head != 0 {
		fmt.Fprintf(g.w, "from :%d\n", b.head)
	}
	for _, m := range merge {
		fmt.Fprintf(g.w, "merge :%d\n", m)
	}
	for _, o := range ops {
		switch {
		case o.del:
			fmt.Fprintf(g.w, "D %s\n", o.path)
			b.remove(o.path)
			continue
		case o.from != "":
			fmt.Fprintf(g.w, "R %s %s\n", o.from, o.path)
			f := b.files[o.from]
			b.remove(o.from)
			b.put(o.path, f)
			g.st.Renames++
		}
		if o.f != nil {
			fmt.Fprintf(g.w, "M 100644 inline %s\n", o.path)
			g.data(o.f.bytes())
			b.put(o.path, o.f)
		}
	}
	g.w.WriteString("\n")
	b.head = g.mark
}

func (g *generator) data(b []byte) {
	fmt.Fprintf(g.w, "data %d\n", len(b))
	g.w.Write(b)
	g.w.WriteString("\n")
}

func (f *file) bytes() []byte {
	if f.lines == nil {
		return f.raw
	}
	n := 0
	for _, l := range f.lines {
		n += len(l) + 1
	}
	b := make([]byte, 0, n)
	for _, l := range f.lines {
		b = append(append(b, l...), '\n')
	}
	return b
}

// mainOps picks the changes of one main-line commit.
func (g *generator) mainOps(b *branch, i int) []op {
	var ops []op
	touched := map[string]bool{}
	for k := 1 + g.rng.IntN(4); k > 0; k-- {
		p := b.paths[g.rng.IntN(len(b.paths))]
		if touched[p] || b.files[p].lines == nil || strings.HasPrefix(p, "testdata/large/") {
			continue
		}
		touched[p] = true
		ops = append(ops, op{path: p, f: g.edit(p, b.files[p])})
	}
	switch r := g.rng.IntN(100); {
	case r < 8:
		p, f := g.newFile()
		ops = append(ops, op{path: p, f: f})
	case r < 11 && len(b.paths) > 40:
		p := b.paths[g.rng.IntN(len(b.paths))]
		if !touched[p] {
			ops = append(ops, op{path: p, del: true})
		}
	case r < 15:
		p := b.paths[g.rng.IntN(len(b.paths))]
		if !touched[p] && b.files[p].lines != nil {
			np := path.Join(path.Dir(p), "renamed", path.Base(p))
			if _, exists := b.files[np]; !exists {
				o := op{path: np, from: p}
				if g.rng.IntN(2) == 0 {
					o.f = g.edit(p, b.files[p])
				}
				ops = append(ops, o)
			}
		}
	case r < 17:
		ops = append(ops, op{path: fmt.Sprintf("assets/img%04d.png", g.next()), f: g.binary()})
		g.st.Binaries++
	}
	if g.rng.IntN(150) == 0 && len(ops) > 0 && ops[0].f != nil && ops[0].f.lines != nil {
		ops[0].f = g.withSecret(ops[0].f)
	}
	if g.o.Large && i%700 == 350 {
		size := 1<<20 + g.rng.IntN(2<<20)
		if i%1400 == 350 {
			size = 7 << 20 // above the 5 MiB content limit
		}
		ops = append(ops, op{path: fmt.Sprintf("testdata/large/fixture%04d.json", g.next()), f: g.largeText(size)})
		g.st.Large++
	}
	return ops
}

// sideOps changes only the side branch's own directory, so that merging it
// back is clean.
func (g *generator) sideOps(b *branch, dir string) []op {
	var own []string
	for _, p := range b.paths {
		if strings.HasPrefix(p, dir) {
			own = append(own, p)
		}
	}
	if len(own) == 0 || g.rng.IntN(3) == 0 {
		p, f := g.newFile()
		return []op{{path: dir + path.Base(p), f: f}}
	}
	p := own[g.rng.IntN(len(own))]
	return []op{{path: p, f: g.edit(p, b.files[p])}}
}

func (g *generator) next() int { g.seq++; return g.seq }

var langs = []struct{ dir, ext string }{
	{"internal/server", ".go"}, {"internal/store", ".go"}, {"cmd/tool", ".go"},
	{"service/api", ".py"}, {"service/jobs", ".py"},
	{"web/src/components", ".tsx"}, {"web/src/lib", ".ts"}, {"web/scripts", ".js"},
	{"deploy/k8s", ".yaml"}, {"docs", ".md"},
}

// newFile returns a new source file of 20–400 lines in one of the languages.
func (g *generator) newFile() (string, *file) {
	l := langs[g.rng.IntN(len(langs))]
	p := fmt.Sprintf("%s/mod%04d%s", l.dir, g.next(), l.ext)
	n := 20 + g.rng.IntN(380)
	lines := make([]string, n)
	for i := range lines {
		lines[i] = g.line(l.ext)
	}
	return p, &file{lines: lines}
}

// edit returns f with a few lines replaced, inserted or deleted.
func (g *generator) edit(p string, f *file) *file {
	lines := slices.Clone(f.lines)
	ext := path.Ext(p)
	for k := 1 + g.rng.IntN(3); k > 0; k-- {
		at := g.rng.IntN(len(lines) + 1)
		switch g.rng.IntN(3) {
		case 0: // replace
			if at < len(lines) {
				lines[at] = g.line(ext)
			}
		case 1: // insert a block
			block := make([]string, 1+g.rng.IntN(6))
			for j := range block {
				block[j] = g.line(ext)
			}
			lines = slices.Insert(lines, at, block...)
		default: // delete
			if len(lines) > 5 && at < len(lines) {
				lines = slices.Delete(lines, at, min(at+1+g.rng.IntN(2), len(lines)))
			}
		}
	}
	return &file{lines: lines}
}

var secrets = []string{
	`aws_access_key_id = "AKIA%s"`,
	`GITHUB_TOKEN=ghp_%s%s`,
	`slack_webhook_token = "xoxb-1234567890-%s"`,
	`STRIPE_KEY=sk_live_%s%s`,
}

// withSecret returns f with one fake credential line inserted.
func (g *generator) withSecret(f *file) *file {
	const up = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	rnd := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[g.rng.IntN(len(set))]
		}
		return string(b)
	}
	var s string
	switch k := g.rng.IntN(len(secrets)); k {
	case 0:
		s = fmt.Sprintf(secrets[k], rnd(up, 16))
	case 2:
		s = fmt.Sprintf(secrets[k], rnd(alnum, 24))
	default:
		s = fmt.Sprintf(secrets[k], rnd(alnum, 18), rnd(alnum, 18))
	}
	g.st.Secrets++
	lines := slices.Clone(f.lines)
	return &file{lines: slices.Insert(lines, g.rng.IntN(len(lines)+1), s)}
}

// binary returns a PNG-looking blob of 2–60 KB.
func (g *generator) binary() *file {
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	n := 2048 + g.rng.IntN(58*1024)
	for len(b) < n {
		b = append(b, byte(g.rng.Uint32()))
	}
	return &file{raw: b}
}

// largeText returns a JSON-looking text file of about size bytes.
func (g *generator) largeText(size int) *file {
	var lines []string
	n := 0
	for n < size {
		l := fmt.Sprintf(`  {"id": %d, "name": "item-%d", "tags": ["a", "b"], "score": %d.%02d},`, len(lines), g.rng.IntN(1e6), g.rng.IntN(100), g.rng.IntN(100))
		lines = append(lines, l)
		n += len(l) + 1
	}
	return &file{lines: lines}
}

var idents = []string{"user", "order", "client", "config", "session", "cache", "item", "request", "result", "handler", "store", "token", "value", "count", "path"}

// line returns one plausible line of code in the language of ext.
func (g *generator) line(ext string) string {
	id := func() string { return idents[g.rng.IntN(len(idents))] }
	n := g.rng.IntN(1000)
	var t []string
	switch ext {
	case ".go":
		t = []string{
			"\tif err := %s.Load(ctx, %s); err != nil {", "\t\treturn nil, fmt.Errorf(\"load %s %%d: %%w\", %d, err)",
			"\t}", "func (s *Server) handle%s(w http.ResponseWriter, r *http.Request) {", "\t%s := make(map[string]int, %d)",
			"\t// %s is kept for compatibility with version %d.", "\tfor i, %s := range %ss {", "",
		}
	case ".py":
		t = []string{
			"def process_%s(%s, limit=%d):", "    if not %s:", "        raise ValueError(\"missing %s\")",
			"    return [x for x in %s if x.id > %d]", "    logger.info(\"processing %s %%s\", %s)", "", "class %sManager:",
		}
	case ".ts", ".tsx", ".js":
		t = []string{
			"export function use%s(%s: string) {", "  const [%s, set%s] = useState<number>(%d);",
			"  const res = await fetch(`/api/%s/${%s}`);", "  return <div className=\"%s\">{%s}</div>;", "}", "",
			"import { %s } from './%s';",
		}
	case ".yaml":
		t = []string{"  %s: %d", "  - name: %s-%d", "    image: registry.example.com/%s:%d.0", "    env: {%s: \"%d\"}"}
	default:
		t = []string{"## %s", "The %s option sets how many %s entries are kept (default %d).", "", "- `%s`: see %s.", "```", "Run `tool %s --limit %d`."}
	}
	tpl := t[g.rng.IntN(len(t))]
	var args []any
	for i := 0; i < strings.Count(tpl, "%")-2*strings.Count(tpl, "%%"); i++ {
		if strings.Contains(tpl, "%d") && i == strings.Count(tpl, "%s") {
			args = append(args, n)
		} else {
			args = append(args, id())
		}
	}
	return fmt.Sprintf(tpl, args...)
}
