package gitstore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/klauspost/compress/zlib"
)

// objectDir reads the loose and packed objects of one objects directory
// (a repository's objects/, a quarantine directory, an alternate).
//
// It reads pack indexes in place (packidx.go) and pack entries with
// pack.go, rather than through go-git's storage/filesystem, because the latter's dotgit layer guesses quarantine
// directories from names under objects/ (tmp_objdir-incoming-*, picking one
// arbitrarily when pushes run concurrently) and follows
// objects/info/alternates itself, mangling relative entries. Here every
// directory is explicit, and alternates are resolved by Open.
//
// It never writes: files are only opened read-only.
type objectDir struct {
	path  string
	cache *deltaCache
	// largeObjectThreshold: packed whole (non-delta) objects larger than
	// this are streamed from the pack instead of being inflated into memory.
	largeObjectThreshold int64

	loaded bool
	packs  []*pack

	graphLoaded bool
	graph       *commitGraph // nil: none or unusable
}

// commitGraph returns the directory's commit-graph, loaded on first use.
func (d *objectDir) commitGraph() *commitGraph {
	if !d.graphLoaded {
		d.graph, d.graphLoaded = loadCommitGraph(d.path), true
	}
	return d.graph
}

// pack is one pack-*.pack with its .idx, opened lazily.
type pack struct {
	hash plumbing.Hash
	idx  *packIndex
	dir  string // the pack directory
	pr   *packReader
}

func newObjectDir(path string, c *deltaCache, largeObjectThreshold int64) *objectDir {
	return &objectDir{path: path, cache: c, largeObjectThreshold: largeObjectThreshold}
}

// loadPacks lists the packs of the directory and decodes their indexes.
// A pack without its .idx (still being written) is skipped.
func (d *objectDir) loadPacks() error {
	if d.loaded {
		return nil
	}
	packDir := filepath.Join(d.path, "pack")
	entries, err := os.ReadDir(packDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("list packs in %s: %w", packDir, err)
	}
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		names[e.Name()] = true
	}
	var packs []*pack
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "pack-") || !strings.HasSuffix(name, ".pack") {
			continue
		}
		base := strings.TrimSuffix(name, ".pack")
		hexHash := strings.TrimPrefix(base, "pack-")
		if len(hexHash) != 40 || !plumbing.IsHash(hexHash) || !names[base+".idx"] {
			continue
		}
		idx, err := openPackIndex(filepath.Join(packDir, base+".idx"))
		if err != nil {
			closeIndexes(packs)
			return err
		}
		h := plumbing.NewHash(hexHash)
		if idx.PackfileChecksum != h {
			idx.close()
			closeIndexes(packs)
			return fmt.Errorf("pack index %s/%s.idx: checksum does not match the pack name", packDir, base)
		}
		packs = append(packs, &pack{hash: h, idx: idx, dir: packDir})
	}
	d.closePacks()
	d.packs = packs
	d.loaded = true
	return nil
}

// closeIndexes closes the indexes of packs not yet in use.
func closeIndexes(packs []*pack) {
	for _, p := range packs {
		p.idx.close()
	}
}

// reload forgets the pack list so that the next lookup lists the pack
// directory again (packs may have been added or replaced by a repack).
func (d *objectDir) reload() {
	d.closePacks()
	d.packs = nil
	d.loaded = false
}

func (d *objectDir) closePacks() {
	for _, p := range d.packs {
		if p.pr != nil {
			_ = p.pr.Close()
			p.pr = nil
		}
		if p.idx != nil {
			p.idx.close()
			p.idx = nil
		}
	}
}

// open returns the pack reader, opening the pack on first use.
func (p *pack) open(c *deltaCache) (*packReader, error) {
	if p.pr != nil {
		return p.pr, nil
	}
	name := filepath.Join(p.dir, "pack-"+p.hash.String()+".pack")
	find := func(h plumbing.Hash) (int64, bool) {
		off, err := p.idx.FindOffset(h)
		return off, err == nil
	}
	pr, err := openPackReader(name, find, c)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	p.pr = pr
	return pr, nil
}

// findPacked returns the object from a pack of this directory as a lazy
// packedObject: its type and size come from the entry headers, its content
// is read only when asked for.
func (d *objectDir) findPacked(h plumbing.Hash) (plumbing.EncodedObject, error) {
	if err := d.loadPacks(); err != nil {
		return nil, err
	}
	for _, p := range d.packs {
		if !p.idx.Contains(h) {
			continue
		}
		pr, err := p.open(d.cache)
		if errors.Is(err, fs.ErrNotExist) {
			// Removed by a concurrent repack since it was listed: the
			// caller lists the packs again.
			continue
		}
		if err != nil {
			return nil, err
		}
		obj, err := pr.object(h, d.largeObjectThreshold)
		if err != nil {
			return nil, fmt.Errorf("read %s from pack %s: %w", h, p.hash, err)
		}
		return obj, nil
	}
	return nil, plumbing.ErrObjectNotFound
}

// loosePath is where the loose object h would be.
func (d *objectDir) loosePath(h plumbing.Hash) string {
	s := h.String()
	return filepath.Join(d.path, s[:2], s[2:])
}

// looseReader is an open loose object: its header is read, Read returns the
// content.
type looseReader struct {
	f    *os.File
	z    io.ReadCloser
	br   *bufio.Reader
	typ  plumbing.ObjectType
	size int64
}

func (r *looseReader) Read(p []byte) (int, error) { return r.br.Read(p) }

func (r *looseReader) Close() error {
	zerr := r.z.Close()
	ferr := r.f.Close()
	if zerr != nil {
		return zerr
	}
	return ferr
}

// openLoose opens the loose object h and reads its header. It returns
// plumbing.ErrObjectNotFound when the file does not exist.
func (d *objectDir) openLoose(h plumbing.Hash) (*looseReader, error) {
	path := d.loosePath(h)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, plumbing.ErrObjectNotFound
		}
		return nil, fmt.Errorf("open loose object: %w", err)
	}
	z, err := zlib.NewReader(bufio.NewReaderSize(f, 16*1024))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("loose object %s: %w", path, err)
	}
	r := &looseReader{f: f, z: z, br: bufio.NewReaderSize(z, 16*1024)}
	if err := r.readHeader(); err != nil {
		r.Close()
		return nil, fmt.Errorf("loose object %s: %w", path, err)
	}
	return r, nil
}

// readHeader parses "<type> <size>\x00".
func (r *looseReader) readHeader() error {
	hdr, err := r.br.ReadSlice(0)
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	hdr = hdr[:len(hdr)-1]
	sp := bytes.IndexByte(hdr, ' ')
	if sp < 0 {
		return fmt.Errorf("malformed header %q", hdr)
	}
	typ, err := plumbing.ParseObjectType(string(hdr[:sp]))
	if err != nil || !typ.Valid() || typ == plumbing.OFSDeltaObject || typ == plumbing.REFDeltaObject {
		return fmt.Errorf("bad object type %q", hdr[:sp])
	}
	size, err := strconv.ParseInt(string(hdr[sp+1:]), 10, 64)
	if err != nil || size < 0 {
		return fmt.Errorf("bad object size %q", hdr[sp+1:])
	}
	r.typ, r.size = typ, size
	return nil
}

// rawObject is an object held in memory by this package. It implements
// plumbing.EncodedObject so that it can live in go-git's object cache next
// without hashing it again.
// Its data is never handed out to callers who could modify it.
type rawObject struct {
	h    plumbing.Hash
	t    plumbing.ObjectType
	data []byte
	tree *tree // decoded entries of a tree object, set on first use
}

var errReadOnly = errors.New("gitstore: read-only object")

func (o *rawObject) Hash() plumbing.Hash             { return o.h }
func (o *rawObject) Type() plumbing.ObjectType       { return o.t }
func (o *rawObject) SetType(plumbing.ObjectType)     {}
func (o *rawObject) Size() int64                     { return int64(len(o.data)) }
func (o *rawObject) SetSize(int64)                   {}
func (o *rawObject) Writer() (io.WriteCloser, error) { return nil, errReadOnly }
func (o *rawObject) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.data)), nil
}
