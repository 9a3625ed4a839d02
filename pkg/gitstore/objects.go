package gitstore

import (
	"bytes"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// maxPeel bounds the chain of tags Peel follows (a cycle is impossible
// with content hashes, but a hostile pack could hold a very long chain).
const maxPeel = 64

// ObjectType returns the type of object h.
func (s *Store) ObjectType(h plumbing.Hash) (plumbing.ObjectType, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _, err := s.header(h)
	return t, err
}

// typed returns the content of h and checks that it is an object of type
// want.
func (s *Store) typed(h plumbing.Hash, want plumbing.ObjectType) ([]byte, error) {
	o, err := s.rawObj(h)
	if err != nil {
		return nil, err
	}
	if o.t != want {
		return nil, fmt.Errorf("object %s is a %s, not a %s", h, o.t, want)
	}
	return o.data, nil
}

// Commit returns the facts of commit h. The object is read under the
// Store's lock and decoded outside it, so that callers on several
// goroutines decode commits in parallel.
func (s *Store) Commit(h plumbing.Hash) (*Commit, error) {
	s.mu.Lock()
	data, err := s.typed(h, plumbing.CommitObject)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return decodeCommit(h, data)
}

func (s *Store) commit(h plumbing.Hash) (*Commit, error) {
	data, err := s.typed(h, plumbing.CommitObject)
	if err != nil {
		return nil, err
	}
	return decodeCommit(h, data)
}

// decodeCommit decodes the content of commit h; data is not modified (it
// may be the Store's cached copy).
func decodeCommit(h plumbing.Hash, data []byte) (*Commit, error) {
	var c object.Commit
	if err := c.Decode(&rawObject{h: h, t: plumbing.CommitObject, data: data}); err != nil {
		return nil, fmt.Errorf("decode commit %s: %w", h, err)
	}
	return &Commit{
		Hash:      h,
		Tree:      c.TreeHash,
		Parents:   append([]plumbing.Hash(nil), c.ParentHashes...),
		Author:    person(c.Author),
		Committer: person(c.Committer),
		Message:   c.Message,
		Signed:    c.PGPSignature != "",
	}, nil
}

func person(s object.Signature) Person {
	return Person{Name: s.Name, Email: s.Email, When: s.When}
}

// Tag returns annotated tag object h. Message excludes a trailing
// signature block; Signed reports whether there was one.
func (s *Store) Tag(h plumbing.Hash) (*Tag, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tag(h)
}

func (s *Store) tag(h plumbing.Hash) (*Tag, error) {
	data, err := s.typed(h, plumbing.TagObject)
	if err != nil {
		return nil, err
	}
	var t object.Tag
	if err := t.Decode(&rawObject{h: h, t: plumbing.TagObject, data: data}); err != nil {
		return nil, fmt.Errorf("decode tag %s: %w", h, err)
	}
	return &Tag{
		Hash:       h,
		Name:       t.Name,
		Target:     t.Target,
		TargetType: t.TargetType,
		Tagger:     person(t.Tagger),
		Message:    t.Message,
		Signed:     t.PGPSignature != "",
	}, nil
}

// Peel follows annotated tags, possibly nested, to the first object that
// is not a tag. It returns that object's hash and type and the tags passed
// through, outermost first (none when h is not a tag). The target object
// must exist.
func (s *Store) Peel(h plumbing.Hash) (plumbing.Hash, plumbing.ObjectType, []*Tag, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peel(h)
}

func (s *Store) peel(h plumbing.Hash) (plumbing.Hash, plumbing.ObjectType, []*Tag, error) {
	var tags []*Tag
	for range maxPeel {
		t, _, err := s.header(h)
		if err != nil {
			return plumbing.ZeroHash, plumbing.InvalidObject, nil, err
		}
		if t != plumbing.TagObject {
			return h, t, tags, nil
		}
		tag, err := s.tag(h)
		if err != nil {
			return plumbing.ZeroHash, plumbing.InvalidObject, nil, err
		}
		tags = append(tags, tag)
		h = tag.Target
	}
	return plumbing.ZeroHash, plumbing.InvalidObject, nil, fmt.Errorf("tag %s: more than %d nested tags", tags[0].Hash, maxPeel)
}

// BlobSize returns the size of blob h without reading its content (for a
// large packed delta only the delta header is read).
func (s *Store) BlobSize(h plumbing.Hash) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, size, err := s.header(h)
	if err != nil {
		return 0, err
	}
	if t != plumbing.BlobObject {
		return 0, fmt.Errorf("object %s is a %s, not a blob", h, t)
	}
	return size, nil
}

// maxCachedBlob is the largest blob ReadBlob keeps in the object cache.
const maxCachedBlob = 256 << 10

// ReadBlob returns the content of blob h, at most limit bytes (limit <= 0:
// all of it), and whether it was truncated. The content is read straight
// into a buffer of the final size: a large blob is streamed from its pack
// or loose file, never inflated into memory a second time. The returned
// slice belongs to the caller.
func (s *Store) ReadBlob(h plumbing.Hash, limit int64) ([]byte, bool, error) {
	return s.readBlob(h, limit, false)
}

// ReadBlobShared is ReadBlob for a caller that only reads the content (a
// diff, a matcher): the slice may be shared with the Store's caches and
// must not be modified. It saves the copy ReadBlob makes of a blob a cache
// holds.
func (s *Store) ReadBlobShared(h plumbing.Hash, limit int64) ([]byte, bool, error) {
	return s.readBlob(h, limit, true)
}

func (s *Store) readBlob(h plumbing.Hash, limit int64, share bool) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, loose, err := s.lookup(h)
	if err != nil {
		return nil, false, err
	}
	var (
		r    io.Reader
		typ  plumbing.ObjectType
		size int64
	)
	if ro, ok := obj.(*rawObject); ok && share && ro.t == plumbing.BlobObject {
		// In the object cache: hand out the cached bytes themselves.
		if limit > 0 && int64(len(ro.data)) > limit {
			return ro.data[:limit:limit], true, nil
		}
		return ro.data[:len(ro.data):len(ro.data)], false, nil
	}
	if loose != nil {
		defer loose.Close()
		r, typ, size = loose, loose.typ, loose.size
	} else if po, ok := obj.(*packedObject); ok && !po.streaming && po.typ == plumbing.BlobObject {
		// Built in memory already: hand it over, copied only when a
		// cache shares it. A small blob is kept in the object cache: the
		// version a commit adds is the parent version of the next commit
		// that changes the file, and inflating it again would cost more
		// than the copy.
		var (
			data   []byte
			shared bool
			err    error
		)
		truncated := limit > 0 && po.size > limit
		if po.largeDelta && truncated {
			data, shared, err = po.prefix(limit) // never build the rest
		} else {
			data, shared, err = po.bytes()
		}
		if err != nil {
			return nil, false, fmt.Errorf("read blob %s: %w", h, err)
		}
		if int64(len(data)) == po.size && len(data) <= maxCachedBlob {
			s.cache.Put(&rawObject{h: h, t: plumbing.BlobObject, data: data})
			shared = true
		}
		if truncated {
			data = data[:limit]
		}
		if shared && !share {
			data = bytes.Clone(data)
		}
		return data, truncated, nil
	} else {
		typ, size = obj.Type(), obj.Size()
		if typ == plumbing.BlobObject {
			rc, err := obj.Reader()
			if err != nil {
				return nil, false, fmt.Errorf("read blob %s: %w", h, err)
			}
			defer rc.Close()
			r = rc
		}
	}
	if typ != plumbing.BlobObject {
		return nil, false, fmt.Errorf("object %s is a %s, not a blob", h, typ)
	}
	n, truncated := size, false
	if limit > 0 && size > limit {
		n, truncated = limit, true
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, false, fmt.Errorf("read blob %s: %w", h, err)
	}
	return buf, truncated, nil
}
