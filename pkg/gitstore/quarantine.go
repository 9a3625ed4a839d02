package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// The objects a push brings. During pre-receive git receives the pushed
// objects into a quarantine directory (GIT_OBJECT_DIRECTORY, also named by
// GIT_QUARANTINE_PATH) and lists the repository's own objects directory in
// GIT_ALTERNATE_OBJECT_DIRECTORIES. An object that only the quarantine
// holds was unknown to the repository before the push, so no ref that
// existed before the push reaches it: the refs of a repository reach only
// objects it stores (git's connectivity guarantee). That makes "the commits
// a push brings" a walk over the pushed objects alone, whatever the number
// of refs and commits the repository has. Only where the walk leaves the
// quarantine (a commit the repository already stored: the old tip of the
// pushed branch, the tip of another branch, or a commit no ref reached) must
// the caller decide whether the refs it excludes reach it.

// Quarantined reports whether the Store reads a quarantine directory: its
// Env named an ObjectDir other than the repository's own objects
// directory.
func (s *Store) Quarantined() bool { return s.quarantine != nil }

// Pushed reports whether object h is held by the quarantine directory and
// by no other object directory of the Store: the push under way brought
// it, and no ref that existed before the push reaches it. It is false
// without a quarantine.
func (s *Store) Pushed(h plumbing.Hash) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushed(h)
}

func (s *Store) pushed(h plumbing.Hash) (bool, error) {
	if s.quarantine == nil {
		return false, nil
	}
	in, err := s.quarantine.has(h)
	if err != nil || !in {
		return false, err
	}
	for _, d := range s.dirs {
		if d == s.quarantine {
			continue
		}
		in, err := d.has(h)
		if err != nil {
			return false, err
		}
		if in {
			return false, nil
		}
	}
	return true, nil
}

// has reports whether the directory holds h, packed or loose, without
// reading it.
func (d *objectDir) has(h plumbing.Hash) (bool, error) {
	if err := d.loadPacks(); err != nil {
		return false, err
	}
	for _, p := range d.packs {
		if p.idx.Contains(h) {
			return true, nil
		}
	}
	_, err := os.Lstat(d.loosePath(h))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("look up loose object %s: %w", h, err)
}

// PushedCommits walks from the commit tips through the commits the push
// brought (see Pushed) and returns them, parents before children in the
// order NewCommits uses, with the boundary: the commits met (tips or
// parents) that the repository already stored, each once, in the order
// met. A walk that leaves the pushed commits stops there; the caller
// decides whether the boundary is excluded.
//
// If every boundary commit is reachable from the excluded refs (it is
// one of their tips, say), the commits returned are exactly
// NewCommits(tips, exclude), since no excluded ref reaches a pushed
// commit. Without a quarantine it returns an error.
func (s *Store) PushedCommits(tips []plumbing.Hash) (commits, boundary []plumbing.Hash, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.quarantine == nil {
		return nil, nil, errors.New("no quarantine directory")
	}
	w := &walker{s: s, nodes: make(map[plumbing.Hash]*walkNode)}
	var stack []*walkNode
	visit := func(h plumbing.Hash) (*walkNode, error) {
		if n, ok := w.nodes[h]; ok {
			return n, nil
		}
		p, err := s.pushed(h)
		if err != nil {
			return nil, err
		}
		n := &walkNode{hash: h, seq: w.seq}
		w.seq++
		w.nodes[h] = n
		if !p {
			n.old = true
			boundary = append(boundary, h)
			return n, nil
		}
		c, _, err := s.commitHeaderOf(h)
		if err != nil {
			return nil, err
		}
		n.time, n.parentHashes = c.time, c.parents
		w.newFound = append(w.newFound, n)
		stack = append(stack, n)
		return n, nil
	}
	for _, t := range tips {
		if t.IsZero() {
			continue
		}
		if _, err := visit(t); err != nil {
			return nil, nil, fmt.Errorf("tip %s: %w", t, err)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n.parents = make([]*walkNode, 0, len(n.parentHashes))
		for _, ph := range n.parentHashes {
			p, err := visit(ph)
			if err != nil {
				return nil, nil, fmt.Errorf("parent of %s: %w", n.hash, err)
			}
			n.parents = append(n.parents, p)
		}
	}
	return w.ordered(), boundary, nil
}

// HeadRef returns the ref HEAD names (refs/heads/main, say) and the
// commit it points at; ok is false for a detached HEAD or an unborn
// branch.
func (s *Store) HeadRef() (name string, h plumbing.Hash, ok bool, err error) {
	b, err := os.ReadFile(s.gitDir + string(os.PathSeparator) + "HEAD")
	if err != nil {
		return "", plumbing.ZeroHash, false, fmt.Errorf("read HEAD: %w", err)
	}
	target, sym := strings.CutPrefix(strings.TrimRight(string(b), "\r\n\t "), "ref:")
	if !sym {
		return "", plumbing.ZeroHash, false, nil
	}
	name = strings.TrimSpace(target)
	if !strings.HasPrefix(name, "refs/") {
		return "", plumbing.ZeroHash, false, nil
	}
	h, ok, err = s.readRef(name, 1)
	if err != nil || !ok {
		return "", plumbing.ZeroHash, false, err
	}
	return name, h, true, nil
}
