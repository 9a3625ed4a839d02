package gitstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// This file reads git's commit-graph (objects/info/commit-graph, or the
// split chain under objects/info/commit-graphs/), which servers keep up to
// date (git gc, GitLab and Gitea housekeeping). It gives a commit's tree,
// parents and committer date without inflating the commit: the NewCommits
// walk must know the date of every ref tip, and on a repository with 10,000
// refs reading those commits is most of a push's cost.
//
// The graph is an optimisation only: a commit it lacks (the pushed ones in
// the quarantine, anything newer than the last maintenance) is read from
// its object, and a graph that is missing, malformed or of another format
// is ignored. Like git, the graph is not used in a shallow repository or
// one with grafts, whose parents differ from the objects'.

const (
	graphSignature  = "CGPH"
	graphParentNone = 0x70000000
	graphExtraEdges = 0x80000000
	graphLastEdge   = 0x80000000
	graphDataWidth  = 20 + 4 + 4 + 8
	// maxGraphChain bounds the files of a split commit-graph.
	maxGraphChain = 64
)

// graphFile is one commit-graph file.
type graphFile struct {
	data   []byte
	mapped bool
	fanout []byte // 256 big-endian uint32
	oids   []byte // n hashes, sorted
	cdat   []byte // n entries of graphDataWidth bytes
	edges  []byte // extra parents of octopus merges
	n      uint32
	base   uint32 // commits in the graphs below this one in a chain
}

// commitGraph is a commit-graph: one file, or a chain of them, base first.
type commitGraph struct {
	files []*graphFile
	total uint32
}

// loadCommitGraph reads the commit-graph of an objects directory. It
// returns nil when there is none or it cannot be used.
func loadCommitGraph(objDir string) *commitGraph {
	info := filepath.Join(objDir, "info")
	var names []string
	if b, err := os.ReadFile(filepath.Join(info, "commit-graphs", "commit-graph-chain")); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			h := strings.TrimSpace(sc.Text())
			if !isHex40(h) || len(names) == maxGraphChain {
				return nil
			}
			names = append(names, filepath.Join(info, "commit-graphs", "graph-"+h+".graph"))
		}
	} else if _, err := os.Stat(filepath.Join(info, "commit-graph")); err == nil {
		names = []string{filepath.Join(info, "commit-graph")}
	}
	if len(names) == 0 {
		return nil
	}
	g := &commitGraph{}
	for i, name := range names {
		f, err := openGraphFile(name, i)
		if err != nil {
			g.close()
			return nil
		}
		f.base = g.total
		if uint64(g.total)+uint64(f.n) >= graphParentNone {
			f.close()
			g.close()
			return nil
		}
		g.total += f.n
		g.files = append(g.files, f)
	}
	return g
}

// openGraphFile maps and checks one graph file; depth is its position in a
// chain (the number of base graphs it must declare).
func openGraphFile(name string, depth int) (*graphFile, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	f := &graphFile{}
	if f.data = mapFile(fh, st.Size()); f.data != nil {
		f.mapped = true
	} else if f.data, err = os.ReadFile(name); err != nil {
		return nil, err
	}
	if err := f.parse(depth); err != nil {
		f.close()
		return nil, fmt.Errorf("commit-graph %s: %w", name, err)
	}
	return f, nil
}

func (f *graphFile) close() {
	if f.mapped {
		_ = unmapFile(f.data)
	}
	f.data = nil
}

func (g *commitGraph) close() {
	if g == nil {
		return
	}
	for _, f := range g.files {
		f.close()
	}
	g.files = nil
}

var errBadGraph = errors.New("malformed commit-graph")

// parse checks the header and locates the chunks.
func (f *graphFile) parse(depth int) error {
	d := f.data
	if len(d) < 8+12 || string(d[:4]) != graphSignature || d[4] != 1 || d[5] != 1 {
		return errBadGraph // unknown version or not SHA-1
	}
	chunks, bases := int(d[6]), int(d[7])
	if bases != depth {
		return errBadGraph
	}
	table := 8
	if len(d) < table+(chunks+1)*12 {
		return errBadGraph
	}
	type span struct{ start, end uint64 }
	found := map[string]span{}
	for i := 0; i < chunks; i++ {
		e := d[table+i*12:]
		id := string(e[:4])
		start := binary.BigEndian.Uint64(e[4:12])
		end := binary.BigEndian.Uint64(e[16:24]) // the next entry's offset
		if start > end || end > uint64(len(d)) {
			return errBadGraph
		}
		found[id] = span{start, end}
	}
	get := func(id string) []byte {
		s, ok := found[id]
		if !ok {
			return nil
		}
		return d[s.start:s.end]
	}
	f.fanout, f.oids, f.cdat, f.edges = get("OIDF"), get("OIDL"), get("CDAT"), get("EDGE")
	if len(f.fanout) != 256*4 {
		return errBadGraph
	}
	f.n = binary.BigEndian.Uint32(f.fanout[255*4:])
	prev := uint32(0)
	for i := 0; i < 256; i++ {
		v := binary.BigEndian.Uint32(f.fanout[i*4:])
		if v < prev {
			return errBadGraph
		}
		prev = v
	}
	if uint64(len(f.oids)) != uint64(f.n)*20 || uint64(len(f.cdat)) != uint64(f.n)*graphDataWidth || len(f.edges)%4 != 0 {
		return errBadGraph
	}
	return nil
}

// find returns the position of h in this file.
func (f *graphFile) find(h plumbing.Hash) (uint32, bool) {
	lo := uint32(0)
	if h[0] > 0 {
		lo = binary.BigEndian.Uint32(f.fanout[(int(h[0])-1)*4:])
	}
	hi := binary.BigEndian.Uint32(f.fanout[int(h[0])*4:])
	for lo < hi {
		mid := lo + (hi-lo)/2
		switch c := bytes.Compare(f.oids[mid*20:mid*20+20], h[:]); {
		case c == 0:
			return mid, true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// oid returns the hash at global position pos of the chain.
func (g *commitGraph) oid(pos uint32) (plumbing.Hash, bool) {
	for _, f := range g.files {
		if pos >= f.base && pos < f.base+f.n {
			var h plumbing.Hash
			i := pos - f.base
			copy(h[:], f.oids[i*20:i*20+20])
			return h, true
		}
	}
	return plumbing.ZeroHash, false
}

// header returns the tree, parents and committer date of commit h, and
// false when the graph does not hold h (or holds it inconsistently).
func (g *commitGraph) header(h plumbing.Hash) (commitHeader, bool) {
	// Newer files of a chain hold newer commits: search them first.
	for fi := len(g.files) - 1; fi >= 0; fi-- {
		f := g.files[fi]
		i, ok := f.find(h)
		if !ok {
			continue
		}
		e := f.cdat[i*graphDataWidth : (i+1)*graphDataWidth]
		var c commitHeader
		copy(c.tree[:], e[:20])
		p1 := binary.BigEndian.Uint32(e[20:24])
		p2 := binary.BigEndian.Uint32(e[24:28])
		hiWord := binary.BigEndian.Uint32(e[28:32])
		c.time = int64(hiWord&3)<<32 | int64(binary.BigEndian.Uint32(e[32:36]))
		add := func(pos uint32) bool {
			p, ok := g.oid(pos)
			c.parents = append(c.parents, p)
			return ok
		}
		if p1 != graphParentNone && !add(p1) {
			return commitHeader{}, false
		}
		switch {
		case p2 == graphParentNone:
		case p2&graphExtraEdges == 0:
			if !add(p2) {
				return commitHeader{}, false
			}
		default:
			for k := uint64(p2 &^ graphExtraEdges); ; k++ {
				if (k+1)*4 > uint64(len(f.edges)) {
					return commitHeader{}, false
				}
				v := binary.BigEndian.Uint32(f.edges[k*4:])
				if !add(v &^ graphLastEdge) {
					return commitHeader{}, false
				}
				if v&graphLastEdge != 0 {
					break
				}
			}
		}
		return c, true
	}
	return commitHeader{}, false
}

// graphUsable reports whether git itself would use a commit-graph in this
// repository: not when it is shallow or has grafts.
func graphUsable(gitDir, commonDir string) bool {
	for _, p := range []string{
		filepath.Join(gitDir, "shallow"), filepath.Join(commonDir, "shallow"),
		filepath.Join(commonDir, "info", "grafts"),
	} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			return false
		}
	}
	return true
}
