package audit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Source is one audit log to read: each Git server node writes its own,
// and logrotate leaves older ones beside it (audit.jsonl.1,
// audit.jsonl.2.gz …).
type Source struct {
	// Name is the file's name, for messages; "" for a single unnamed
	// reader.
	Name string
	// R gives the log's lines (already decompressed).
	R io.Reader
}

// ComputeStatsSources reads several audit logs and summarises them as one.
// The lines of all sources are merged by their time (each log is in time
// order, as pushguard appends it), so that a push event always comes
// before the landed record that follows it, whichever node or rotated file
// holds each. Malformed lines are counted as in ComputeStats, with
// MalformedWhere naming FILE:LINE when there are several sources.
func ComputeStatsSources(srcs []Source, opts StatsOptions) (*Stats, error) {
	s, err := newStats(opts)
	if err != nil {
		return nil, err
	}
	named := len(srcs) > 1
	for _, src := range srcs {
		if src.Name != "" {
			s.Sources = append(s.Sources, src.Name)
		}
	}
	if len(srcs) == 1 {
		if err := readAll(srcs[0], func(n int, line []byte, tooLong bool) { s.line("", n, line, tooLong) }); err != nil {
			return nil, err
		}
		s.done()
		return s, nil
	}
	h := make(cursorHeap, 0, len(srcs))
	for i, src := range srcs {
		c := &cursor{src: src, order: i, br: bufio.NewReaderSize(src.R, 64<<10)}
		ok, err := c.next()
		if err != nil {
			return nil, err
		}
		if ok {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	for len(h) > 0 {
		c := h[0]
		name := ""
		if named {
			name = c.src.Name
		}
		s.line(name, c.n, c.line, c.tooLong)
		ok, err := c.next()
		if err != nil {
			return nil, err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	s.done()
	return s, nil
}

// readAll calls fn for every non-blank line of src, with its number.
func readAll(src Source, fn func(n int, line []byte, tooLong bool)) error {
	br := bufio.NewReaderSize(src.R, 64<<10)
	var buf []byte
	for n := 1; ; n++ {
		line, tooLong, err := readLine(br, &buf)
		if len(line) > 0 || tooLong {
			fn(n, line, tooLong)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return readError(src, err)
		}
	}
}

func readError(src Source, err error) error {
	if src.Name != "" {
		return fmt.Errorf("read audit log %s: %w", src.Name, err)
	}
	return fmt.Errorf("read audit log: %w", err)
}

// cursor is the next line of one source in the merge.
type cursor struct {
	src     Source
	order   int
	br      *bufio.Reader
	n       int
	line    []byte
	tooLong bool
	key     []byte // the line's time, or the last time seen in the source
	eof     bool
	buf     []byte // readLine's buffer for long lines
	own     []byte // this cursor's copy of its current line
}

// next moves to the next non-blank line; false at the end.
func (c *cursor) next() (bool, error) {
	for !c.eof {
		line, tooLong, err := readLine(c.br, &c.buf)
		c.n++
		if err == io.EOF {
			c.eof = true
		} else if err != nil {
			return false, readError(c.src, err)
		}
		if len(line) == 0 && !tooLong {
			continue
		}
		// The line is used before this cursor's next read, which is
		// the next call: the other cursors read into their own
		// buffers. A line that was in the reader's buffer is copied,
		// as other reads of this cursor's reader come first.
		c.line, c.tooLong = append(c.own[:0], line...), tooLong
		c.own = c.line
		if k := timeKey(c.line); k != nil {
			c.key = append(c.key[:0], k...)
		}
		return true, nil
	}
	return false, nil
}

// timeKey is the value of the line's leading "time" key, which sorts as
// text (TimeFormat); nil when the line does not start like an event.
func timeKey(line []byte) []byte {
	if !bytes.HasPrefix(line, eventStart) {
		return nil
	}
	rest := line[len(eventStart):]
	i := bytes.IndexByte(rest, '"')
	if i < 0 || i > 64 {
		return nil
	}
	return rest[:i]
}

type cursorHeap []*cursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key, h[j].key); c != 0 {
		return c < 0
	}
	return h[i].order < h[j].order
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// MaxSources bounds how many files OpenLogs opens at once.
const MaxSources = 4096

// OpenLogs opens the audit logs that paths name: files, or globs
// (doublestar syntax, "/var/log/pushguard/*/audit.jsonl*") expanded in
// sorted order. A file whose content starts with the gzip magic bytes is
// read decompressed (a log rotated with compress), whatever its name. A
// path or glob that names no file is an error, as is a directory. Close
// the returned closer when done.
func OpenLogs(paths []string) ([]Source, io.Closer, error) {
	var names []string
	seen := map[string]bool{}
	for _, p := range paths {
		matches := []string{p}
		if strings.ContainsAny(p, "*?[{") {
			m, err := doublestar.FilepathGlob(p, doublestar.WithFilesOnly())
			if err != nil {
				return nil, nil, fmt.Errorf("audit log glob %q: %w", p, err)
			}
			if len(m) == 0 {
				return nil, nil, fmt.Errorf("audit log glob %q: no file matches", p)
			}
			sort.Strings(m)
			matches = m
		}
		for _, m := range matches {
			if c := filepath.Clean(m); !seen[c] {
				seen[c] = true
				names = append(names, m)
			}
		}
	}
	if len(names) > MaxSources {
		return nil, nil, fmt.Errorf("%d audit logs: at most %d at once", len(names), MaxSources)
	}
	cl := &closers{}
	srcs := make([]Source, 0, len(names))
	for _, name := range names {
		r, err := openLog(name, cl)
		if err != nil {
			_ = cl.Close()
			return nil, nil, err
		}
		srcs = append(srcs, Source{Name: name, R: r})
	}
	return srcs, cl, nil
}

// openLog opens one log, decompressing gzip.
func openLog(name string, cl *closers) (io.Reader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	cl.add(f)
	if fi, err := f.Stat(); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	} else if fi.IsDir() {
		return nil, fmt.Errorf("audit log %s: is a directory", name)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("audit log %s: %w", name, err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("audit log %s: gzip: %w", name, err)
		}
		cl.add(zr)
		return zr, nil
	}
	return br, nil
}

// closers closes what OpenLogs opened.
type closers struct{ l []io.Closer }

func (c *closers) add(x io.Closer) { c.l = append(c.l, x) }

// Close closes everything, the last opened first.
func (c *closers) Close() error {
	var errs []error
	for i := len(c.l) - 1; i >= 0; i-- {
		if err := c.l[i].Close(); err != nil {
			errs = append(errs, err)
		}
	}
	c.l = nil
	return errors.Join(errs...)
}
