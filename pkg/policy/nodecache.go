package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The parse cache. Parsing YAML is about half of what loading the embedded
// rules costs, and the hook loads them on every run, in a new process. So
// the parsed node tree of each rule file is kept in a small binary file
// named by the SHA-256 of the file's content (and of this format's
// version), in the user's cache directory (or Options.CacheDir): the same
// bytes always give the same tree, so a cached tree is exactly what
// parsing would give, and a changed file (a new release, an edited policy)
// has another name and is parsed again. Only files that parsed cleanly are
// cached. A cache file that is missing, unreadable, truncated or corrupt
// (its own checksum does not match) is ignored and the file parsed; the
// cache is written atomically (a temporary file renamed) with mode 0600,
// and a cache that cannot be written is skipped silently: it never
// changes what a load decides, only how fast. Whoever can write the cache
// directory of the user the hook runs as can already change the hook.

// nodeCacheVersion names the encoding; bump it when the encoding or the
// parser (yaml.v3, pkg/yamldoc) changes what a tree holds.
const nodeCacheVersion = "pushguard-yaml-node-v2"

// nodeCacheMax bounds a cache file read back.
const nodeCacheMax = 64 << 20

// cacheDir returns the directory of the parse cache, "" for none.
func (o Options) cacheDir() string {
	switch o.CacheDir {
	case "-":
		return ""
	case "":
		d, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(d, "pushguard", "rules")
	}
	return o.CacheDir
}

// cachePath is the cache file in dir named by the SHA-256 of parts (each
// but the last followed by a zero byte) and ending with ext: every cache
// file (parsed trees, stamps, compiled rules, automata) is named this way.
func cachePath(dir, ext string, parts ...[]byte) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write(p)
	}
	return filepath.Join(dir, hex.EncodeToString(h.Sum(nil))+ext)
}

// nodeCachePath is the cache file of content data in dir.
func nodeCachePath(dir string, data []byte) string {
	return cachePath(dir, ".node", []byte(nodeCacheVersion), data)
}

// loadNodes returns the cached tree of content data, or nil.
func loadNodes(dir string, data []byte) *yaml.Node {
	if dir == "" {
		return nil
	}
	payload := readChecked(nodeCachePath(dir, data))
	if payload == "" {
		return nil
	}
	n, err := decodeNodes([]byte(payload))
	if err != nil {
		return nil
	}
	return n
}

// storeNodes writes the cache file of content data; errors are ignored.
func storeNodes(dir string, data []byte, doc *yaml.Node) {
	if dir == "" || doc == nil {
		return
	}
	payload, err := encodeNodes(doc)
	if err != nil {
		return
	}
	writeChecked(dir, nodeCachePath(dir, data), payload)
}

// readChecked returns the payload of the cache file at p, written by
// writeChecked: "" when the file is missing, larger than nodeCacheMax,
// not a regular file, or its checksum (the CRC-32 of the payload, which
// follows it) does not match. The checksum catches a truncated or damaged
// file, not a forged one (see the top of this file). The payload is read
// straight into the string returned: compiled rules decode from it
// without a copy.
func readChecked(p string) string {
	// Lstat first: opening a FIFO would block.
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < crc32.Size || st.Size() > nodeCacheMax {
		return ""
	}
	n := st.Size() - crc32.Size
	var b strings.Builder
	b.Grow(int(n))
	h := crc32.NewIEEE()
	if _, err := io.CopyN(io.MultiWriter(&b, h), f, n); err != nil {
		return ""
	}
	var sum [crc32.Size]byte
	if _, err := io.ReadFull(f, sum[:]); err != nil || binary.BigEndian.Uint32(sum[:]) != h.Sum32() {
		return ""
	}
	return b.String()
}

// writeChecked writes payload and its checksum to the cache file p in dir,
// atomically (a temporary file renamed), mode 0600; errors are ignored.
func writeChecked(dir, p string, payload []byte) {
	sum := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(payload))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.Write(payload)
	_, serr := f.Write(sum[:])
	cerr := f.Close()
	if werr != nil || serr != nil || cerr != nil {
		os.Remove(f.Name())
		return
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
	}
}

// The encoding: a magic line, then the nodes in preorder. A node is its
// kind, style, line and column (uvarints), tag, value, anchor and the
// three comments (uvarint length and bytes), then either an alias (the
// preorder number of the node it names, plus one; 0 for none) and the
// number of children followed by the children.

var errNodeCache = errors.New("malformed node cache")

func encodeNodes(doc *yaml.Node) ([]byte, error) {
	buf := append([]byte(nil), nodeCacheVersion+"\n"...)
	index := map[*yaml.Node]uint64{}
	var enc func(n *yaml.Node) error
	enc = func(n *yaml.Node) error {
		index[n] = uint64(len(index))
		buf = binary.AppendUvarint(buf, uint64(n.Kind))
		buf = binary.AppendUvarint(buf, uint64(n.Style))
		buf = binary.AppendUvarint(buf, uint64(max(n.Line, 0)))
		buf = binary.AppendUvarint(buf, uint64(max(n.Column, 0)))
		for _, s := range []string{n.Tag, n.Value, n.Anchor, n.HeadComment, n.LineComment, n.FootComment} {
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
		var alias uint64
		if n.Alias != nil {
			i, ok := index[n.Alias]
			if !ok {
				return fmt.Errorf("alias to a node not seen before: %w", errNodeCache)
			}
			alias = i + 1
		}
		buf = binary.AppendUvarint(buf, alias)
		buf = binary.AppendUvarint(buf, uint64(len(n.Content)))
		for _, c := range n.Content {
			if err := enc(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := enc(doc); err != nil {
		return nil, err
	}
	return buf, nil
}

func decodeNodes(b []byte) (*yaml.Node, error) {
	magic := nodeCacheVersion + "\n"
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, errNodeCache
	}
	// One string for all the texts: the node strings share it.
	s := string(b[len(magic):])
	pos := 0
	uv := func() (uint64, error) {
		v, k := binary.Uvarint([]byte(s[pos:min(len(s), pos+binary.MaxVarintLen64)]))
		if k <= 0 {
			return 0, errNodeCache
		}
		pos += k
		return v, nil
	}
	str := func() (string, error) {
		n, err := uv()
		if err != nil || n > uint64(len(s)-pos) {
			return "", errNodeCache
		}
		v := s[pos : pos+int(n)]
		pos += int(n)
		return v, nil
	}
	var nodes []*yaml.Node
	// Nodes and child lists are carved out of chunks: a rule file has tens
	// of thousands of nodes, and one allocation each is most of the cost.
	var chunk []yaml.Node
	var kids []*yaml.Node
	var dec func(depth int) (*yaml.Node, error)
	dec = func(depth int) (*yaml.Node, error) {
		if depth > 10000 {
			return nil, errNodeCache
		}
		if len(chunk) == 0 {
			chunk = make([]yaml.Node, 1024)
		}
		n := &chunk[0]
		chunk = chunk[1:]
		nodes = append(nodes, n)
		var f [4]uint64
		for i := range f {
			v, err := uv()
			if err != nil {
				return nil, err
			}
			f[i] = v
		}
		if f[2] > 1<<31 || f[3] > 1<<31 {
			return nil, errNodeCache
		}
		n.Kind, n.Style, n.Line, n.Column = yaml.Kind(f[0]), yaml.Style(f[1]), int(f[2]), int(f[3])
		for _, p := range []*string{&n.Tag, &n.Value, &n.Anchor, &n.HeadComment, &n.LineComment, &n.FootComment} {
			v, err := str()
			if err != nil {
				return nil, err
			}
			*p = v
		}
		alias, err := uv()
		if err != nil {
			return nil, err
		}
		if alias > 0 {
			if alias > uint64(len(nodes)-1) {
				return nil, errNodeCache
			}
			n.Alias = nodes[alias-1]
		}
		count, err := uv()
		if err != nil || count > uint64(len(s)-pos) {
			return nil, errNodeCache
		}
		if count > 0 {
			if uint64(cap(kids)-len(kids)) < count {
				kids = make([]*yaml.Node, 0, max(count, 4096))
			}
			n.Content = kids[len(kids) : len(kids) : len(kids)+int(count)]
			kids = kids[:len(kids)+int(count)]
		}
		for range count {
			c, err := dec(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	}
	doc, err := dec(0)
	if err != nil {
		return nil, err
	}
	if pos != len(s) {
		return nil, errNodeCache
	}
	return doc, nil
}

// pruneAge is how long a cache file lasts without being written again.
const pruneAge = 30 * 24 * time.Hour

// pruneCache removes the cache files of dir (the names this package
// writes: *.node, *.ok, *.rules, *.ac, and temporary files) last written
// before now - pruneAge. A load calls it after it wrote to the cache (a
// new build, a changed policy), so that the files of old builds and old
// policies do not pile up; a server whose build and policy do not change
// writes nothing, and prunes nothing. A file still in use that is pruned
// only costs its next load the time to write it again. Errors are
// ignored.
func pruneCache(dir string, now time.Time) {
	if dir == "" {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		ours := strings.HasPrefix(name, ".tmp-")
		for _, ext := range []string{".node", ".ok", ".rules", ".ac"} {
			ours = ours || strings.HasSuffix(name, ext)
		}
		if !ours || !e.Type().IsRegular() {
			continue
		}
		if st, err := e.Info(); err == nil && now.Sub(st.ModTime()) > pruneAge {
			_ = os.Remove(filepath.Join(dir, name))
		}
	}
}
