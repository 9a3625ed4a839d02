package provenance

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// TestIdentityCacheAgrees: IdentityTools answers from the cache exactly
// what the markers answer afresh, for agents, people, blanks around the
// name and email (trimmed: the same entry), the case of the address, an
// identity too long to cache and the empty identity; and asking twice
// changes nothing (nor does changing the returned slice).
func TestIdentityCacheAgrees(t *testing.T) {
	d := mustDefault(t)
	long := strings.Repeat("x", maxCachedIdent)
	tests := []struct {
		name, email string
		want        []string
		cached      bool
	}{
		{"Claude", "noreply@anthropic.com", []string{"claude-code"}, true},
		{"  Claude\t", " noreply@anthropic.com ", []string{"claude-code"}, true},
		{"Claude", "NOREPLY@ANTHROPIC.COM", []string{"claude-code"}, true},
		{"cursor[bot]", "206951365+cursor[bot]@users.noreply.github.com", []string{"cursor"}, true},
		{"Aider (aider)", "ann@example.com", []string{"aider"}, true},         // a name signal
		{"openhands", "openhands@all-hands.dev", []string{"openhands"}, true}, // an identity signal
		{"Ann", "ann@example.com", nil, true},
		{"", "noreply@anthropic.com", []string{"claude-code"}, true},
		{"Claude", "", nil, true},
		{long, "noreply@anthropic.com", []string{"claude-code"}, false},
		{"", "", nil, false},
		{" ", "\t", nil, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.40s <%s>", tt.name, tt.email), func(t *testing.T) {
			ref := d.referenceIdentityTools(tt.name, tt.email)
			if diff := cmp.Diff(tt.want, ref); diff != "" {
				t.Fatalf("the markers changed (-want +reference):\n%s", diff)
			}
			for range 2 {
				got := d.IdentityTools(tt.name, tt.email)
				if diff := cmp.Diff(ref, got); diff != "" {
					t.Fatalf("IdentityTools (-reference +got):\n%s", diff)
				}
				if len(got) > 0 {
					got[0] = "changed by the caller"
				}
			}
			_, ok := d.idents.get(identKey{strings.TrimSpace(tt.name), strings.TrimSpace(tt.email)})
			if ok != tt.cached {
				t.Errorf("cached = %v, want %v", ok, tt.cached)
			}
		})
	}
}

// TestIdentityCacheBounded: the cache never holds more than two
// generations; an identity in use survives the turn of a generation (a
// hit in the previous one moves it to the current one), one not used for
// two generations is dropped, and the cached keys are copies, not slices
// of the caller's strings.
func TestIdentityCacheBounded(t *testing.T) {
	var c identCache
	m := &identMatch{tools: []string{"x"}}
	key := func(i int) identKey { return identKey{fmt.Sprintf("n%d", i), fmt.Sprintf("e%d@example.com", i)} }
	hot := identKey{"hot", "hot@example.com"}
	c.put(hot, m)
	for i := range 5 * identCacheGen {
		c.put(key(i), m)
		if i%(identCacheGen/2) == 0 {
			if got, ok := c.get(hot); !ok || got != m {
				t.Fatalf("after %d puts: the identity in use was dropped", i)
			}
		}
		if n := c.len(); n > 2*identCacheGen {
			t.Fatalf("after %d puts: %d entries, want at most %d", i, n, 2*identCacheGen)
		}
	}
	if _, ok := c.get(key(0)); ok {
		t.Error("an identity unused for several generations is still cached")
	}
	if _, ok := c.get(key(5*identCacheGen - 1)); !ok {
		t.Error("the last identity put is not cached")
	}

	// The key is copied: a long commit buffer is not kept alive by it.
	buf := "Ann Example <ann@example.com>" + strings.Repeat("\n", 100)
	name, email := buf[:11], buf[13:28]
	c.put(identKey{name, email}, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	found := false
	for k := range c.cur {
		if k.name != name || k.email != email {
			continue
		}
		found = true
		if unsafe.StringData(k.name) == unsafe.StringData(name) || unsafe.StringData(k.email) == unsafe.StringData(email) {
			t.Error("the cached key shares the caller's string")
		}
	}
	if !found {
		t.Errorf("%q <%q> not cached", name, email)
	}
}

// TestDetectIdentityEvidence: each identity signal gives evidence once,
// for the first of author and committer it matches, also when both match
// it and when they match different signals of one tool.
func TestDetectIdentityEvidence(t *testing.T) {
	d := mustDefault(t)
	tests := []struct {
		name string
		in   Input
	}{
		{"both match one signal", Input{Message: "x\n", AuthorName: "Claude", AuthorEmail: "noreply@anthropic.com", CommitterName: "Claude Bot", CommitterEmail: "noreply@anthropic.com"}},
		{"different signals of one tool", Input{Message: "x\n", AuthorName: "claude[bot]", AuthorEmail: "ann@example.com", CommitterName: "C", CommitterEmail: "claude@anthropic.com"}},
		{"committer only", Input{Message: "x\n", AuthorName: "Ann", AuthorEmail: "ann@example.com", CommitterName: "cursor[bot]", CommitterEmail: "cursor[bot]@users.noreply.github.com"}},
		{"two tools", Input{Message: "x\n", AuthorName: "Aider (aider)", AuthorEmail: "noreply@anthropic.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := d.referenceDetect(tt.in)
			for range 2 {
				if diff := cmp.Diff(want, d.Detect(tt.in)); diff != "" {
					t.Fatalf("(-reference +Detect):\n%s", diff)
				}
			}
			if !slices.ContainsFunc(want.Evidence, func(e Evidence) bool { return e.Kind == KindIdentity }) {
				t.Fatal("no identity evidence: the case tests nothing")
			}
		})
	}
}
