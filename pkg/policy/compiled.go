package policy

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"sync/atomic"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// The compiled-rules cache. The validation stamps (stamp.go) spare the
// hook the regex compiles, but a lazy decode still reads the parsed YAML
// trees and checks every key of ~470 rules, builds the provider table
// and the keyword automata: ~30 ms of a one-commit push's ~60. So once
// this build has decoded a rule file without error, its rules are also
// kept in their compiled form (ruleset.EncodeCompiled) in the cache
// directory, in a file named by the SHA-256 of compiledCacheVersion, the
// build's identity, the file's name (the rules' positions name it) and
// its content; and the keyword automaton of the Set in a file named by
// the build and its keywords (ruleset.AutomatonCache). The next load of
// the same bytes by the same build decodes that instead of the YAML:
// the same rules, field for field (TestCompiledRoundTrip in pkg/ruleset,
// TestCompiledLoadSamePolicy here).
//
// A compiled file also lists the files the rule file named (dependency
// allowlists) with the SHA-256 of what was read: they are read again,
// and charged to the load's budget, and a changed one sends the load back
// to the YAML. It says whether the file defines AI-tool markers, which
// are then decoded from the YAML as before (a small file).
//
// As with the other cache files: a missing, unreadable, truncated or
// corrupt file (checksum) is ignored and the YAML decoded; a file that
// cannot be written is skipped; nothing is cached without a build
// identity or with Options.Eager (which validates in full every time).
// The content regexes stay compiled on first use, and a forged compiled
// file whose regex does not compile panics there (ruleset.ErrLazyCompile)
// and rejects the push. Whoever can write the cache directory of the user
// the hook runs as can already change the hook.

// compiledCacheVersion names the cache files' layout; the rules' encoding
// has its own version inside.
const compiledCacheVersion = "pushguard-compiled-cache-v1"

// namedRead is a file a rule file named, as it was read.
type namedRead struct {
	name string
	sum  [sha256.Size]byte
}

// readLog records the files a rule file's decode reads.
type readLog struct {
	read  ruleset.ReadFunc
	reads []namedRead
}

// record is a ReadFunc that reads through l.read and logs what it read.
func (l *readLog) record(name string) ([]byte, string, error) {
	data, shown, err := l.read(name)
	if err == nil {
		l.reads = append(l.reads, namedRead{name: name, sum: sha256.Sum256(data)})
	}
	return data, shown, err
}

// compiledOn reports whether this load uses compiled rules: not without
// a cache directory or a build identity, not for an eager load.
func (l *loader) compiledOn() bool {
	return l.stamps.dir != "" && !l.opt.Eager && !l.opt.noCompiled
}

// contentSum is the size and CRC-32 of an embedded rule file.
type contentSum struct {
	size int64
	crc  uint32
}

// embeddedSum returns the contentSum of the embedded file at p of src,
// read through a small buffer: the file itself is read only when its
// compiled rules are not in the cache.
func embeddedSum(src Source, p string) (contentSum, error) {
	f, err := src.FS.Open(p)
	if err != nil {
		return contentSum{}, fmt.Errorf("%s: %w", src.display(p), err)
	}
	defer f.Close()
	h := crc32.NewIEEE()
	n, err := io.Copy(h, f)
	if err != nil {
		return contentSum{}, fmt.Errorf("%s: %w", src.display(p), err)
	}
	return contentSum{size: n, crc: h.Sum32()}, nil
}

// compiledPath is the compiled-rules file of the rule file name with
// content data, "" when there is no cache (see compiledOn). A file
// embedded in the binary comes with sum instead of data (nil): it is named
// by its size and CRC-32, cheaper than hashing it on every run, as the
// build's identity already names it (and nobody chooses it but whoever
// built the binary).
func (l *loader) compiledPath(name string, data []byte, sum *contentSum) string {
	if !l.compiledOn() {
		return ""
	}
	content := data
	if sum != nil {
		content = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, uint64(sum.size)), sum.crc)
	}
	return cachePath(l.stamps.dir, ".rules", []byte(compiledCacheVersion), []byte(l.stamps.build), []byte(name), content)
}

// storeCompiled writes the compiled-rules file at p; errors are ignored.
func (l *loader) storeCompiled(p string, rules []*ruleset.Rule, reads []namedRead, markers bool) {
	var b []byte
	flags := uint64(0)
	if markers {
		flags = 1
	}
	b = binary.AppendUvarint(b, flags)
	b = binary.AppendUvarint(b, uint64(len(reads)))
	for _, r := range reads {
		b = binary.AppendUvarint(b, uint64(len(r.name)))
		b = append(b, r.name...)
		b = append(b, r.sum[:]...)
	}
	writeChecked(l.stamps.dir, p, append(b, ruleset.EncodeCompiled(rules)...))
}

// compiled loads the rule file at p of src, named name, whose content
// returns, from its compiled-rules file at cp; ok is false when that
// cannot be done (no file, a damaged one, a named file that changed), and
// the YAML is to be decoded. err is a real problem of the load (the byte
// budget). The content is read only for a file that defines AI-tool
// markers.
func (l *loader) compiled(src Source, p, name string, content func() ([]byte, error), cp string) (got loaded, ok bool, err error) {
	b := readChecked(cp)
	if b == "" {
		return loaded{}, false, nil
	}
	flags, n := uvarint(b)
	if n <= 0 {
		return loaded{}, false, nil
	}
	b = b[n:]
	count, n := uvarint(b)
	if n <= 0 || count > uint64(len(b)) {
		return loaded{}, false, nil
	}
	b = b[n:]
	read := src.reader(p)
	type named struct {
		data  []byte
		shown string
	}
	var files []named
	for range count {
		size, n := uvarint(b)
		if n <= 0 || size > uint64(len(b)-n) || len(b)-n-int(size) < sha256.Size {
			return loaded{}, false, nil
		}
		fileName := b[n : n+int(size)]
		sum := b[n+int(size) : n+int(size)+sha256.Size]
		b = b[n+int(size)+sha256.Size:]
		fd, shown, err := read(fileName)
		if err != nil {
			return loaded{}, false, nil
		}
		if s := sha256.Sum256(fd); string(s[:]) != sum {
			return loaded{}, false, nil
		}
		files = append(files, named{fd, shown})
	}
	rules, derr := ruleset.DecodeCompiled(b)
	if derr != nil {
		return loaded{}, false, nil
	}
	for _, f := range files {
		if err := l.charge(int64(len(f.data)), f.shown); err != nil {
			return loaded{}, false, err
		}
	}
	got.rules = rules
	if flags&1 != 0 {
		data, err := content()
		if err != nil {
			return loaded{}, false, err
		}
		doc := loadNodes(l.cache, data)
		if doc == nil {
			if doc, err = ruleset.ParseDocument(name, data); err != nil {
				return loaded{}, false, err
			}
		}
		tools, err := provenance.DecodeDocumentWith(l.ctx, name, doc, provenance.DecodeOptions{Validated: true})
		if err != nil {
			return loaded{}, false, err
		}
		got.tools = tools
		got.validated = make([]bool, len(tools))
		for i := range got.validated {
			got.validated[i] = true
		}
	}
	return got, true, nil
}

// uvarint is binary.Uvarint at the start of s.
func uvarint(s string) (uint64, int) {
	return binary.Uvarint([]byte(s[:min(len(s), binary.MaxVarintLen64)]))
}

// automata is the ruleset.AutomatonCache of a load: files in the cache
// directory named by the build and the key. The zero value (no cache
// directory or no build identity) keeps nothing.
type automata struct {
	st    stamps
	wrote *atomic.Bool // set on Put
}

// path is the cache file of key.
func (a automata) path(key string) string {
	return cachePath(a.st.dir, ".ac", []byte(compiledCacheVersion), []byte(a.st.build), []byte(key))
}

// Get implements ruleset.AutomatonCache.
func (a automata) Get(key string) string {
	if a.st.dir == "" {
		return ""
	}
	return readChecked(a.path(key))
}

// Put implements ruleset.AutomatonCache.
func (a automata) Put(key string, data []byte) {
	if a.st.dir != "" {
		writeChecked(a.st.dir, a.path(key), data)
		a.wrote.Store(true)
	}
}
