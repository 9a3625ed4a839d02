package provenance

import "strings"

// Identity markers (emails, names, identities) are matched once per
// identity rather than once per commit: a history has far fewer authors
// than commits (gin: about 600 identities in 2,063 commits), and the same
// people sign off, review and co-author. What the markers find in an
// identity is kept in a small cache that the Detector owns.

// Signal kinds of an identity hit.
const (
	hitEmail uint8 = iota
	hitName
	hitIdentity
)

// identHit is one identity signal that matches an identity.
type identHit struct {
	tool   int32 // index in Detector.tools
	signal int32 // index in the tool's list of that kind
	kind   uint8 // hitEmail, hitName or hitIdentity
	strong bool
}

// identMatch is what the identity markers find in one identity (name and
// email, trimmed).
type identMatch struct {
	// hits are the matching signals, by tool, then kind, then signal.
	hits []identHit
	// tools are the ids of the tools of hits, in tool order, without
	// duplicates: IdentityTools.
	tools []string
}

// has reports whether m holds the same signal as h. A nil m holds none.
func (m *identMatch) has(h identHit) bool {
	if m == nil {
		return false
	}
	for _, x := range m.hits {
		if x.tool == h.tool && x.kind == h.kind && x.signal == h.signal {
			return true
		}
	}
	return false
}

// identKey is an identity as the markers read it: name and email trimmed.
type identKey struct{ name, email string }

// Identity cache bounds: identCacheGen identities per generation (two
// generations are kept, see memo), and identities longer than
// maxCachedIdent bytes are matched every time rather than kept.
const (
	identCacheGen  = 2048
	maxCachedIdent = 320
)

// matchIdentity returns what the identity markers find in the identity
// name <email>, nil when they find nothing. name and email are trimmed of
// blanks first, as Detect and IdentityTools read them. The result is
// shared: callers must not modify it.
func (d *Detector) matchIdentity(name, email string) *identMatch {
	k := identKey{strings.TrimSpace(name), strings.TrimSpace(email)}
	if k.name == "" && k.email == "" {
		return nil
	}
	if len(k.name)+len(k.email) > maxCachedIdent {
		return d.matchIdentityUncached(k.name, k.email)
	}
	if m, ok := d.idents.get(k); ok {
		return m
	}
	m := d.matchIdentityUncached(k.name, k.email)
	d.idents.put(identKey{strings.Clone(k.name), strings.Clone(k.email)}, m)
	return m
}

// identSignal is an identity signal of a tool, laid out for
// matchIdentityUncached (Detector.identSignals).
type identSignal struct {
	identHit
	sig reSignal
}

// matchIdentityUncached matches every identity signal: emails against
// email, names against name, identities against "name <email>", each only
// when that text is not empty.
func (d *Detector) matchIdentityUncached(name, email string) *identMatch {
	var hs [3]haystack // by kind: hitEmail, hitName, hitIdentity
	hs[hitEmail].s, hs[hitName].s = email, name
	hs[hitIdentity].s = identity(name, email)
	var m identMatch
	for i := range d.identSignals {
		s := &d.identSignals[i]
		if h := &hs[s.kind]; h.s == "" || !s.sig.match(h) {
			continue
		}
		m.hits = append(m.hits, s.identHit)
		if id := d.tools[s.tool].id; len(m.tools) == 0 || m.tools[len(m.tools)-1] != id {
			m.tools = append(m.tools, id)
		}
	}
	if len(m.hits) == 0 {
		return nil
	}
	return &m
}
