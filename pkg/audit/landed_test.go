package audit

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestStatsLanded: an accepted push of a repository with the post-receive
// companion counts (and its commits count) only once a landed record with
// one of its ref updates follows; one that never lands was refused by the
// platform; a landed record matches one push only, and only after it.
func TestStatsLanded(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	a, b, c := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	push := func(tm, ref, old, new string, commits int, post bool) []byte {
		e := Event{Time: at(tm), Platform: "gitea", Repo: "acme/api", Pusher: "alice", Decision: DecisionAccepted,
			Mode: ModeEnforce, PostReceive: post, Refs: []Ref{{Name: ref, Old: old, New: new}}}
		for i := 0; i < commits; i++ {
			e.AddCommit(nil)
		}
		line, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	landed := func(tm, repo, ref, old, new string) []byte {
		l := Landed{Time: at(tm), Platform: "gitea", Repo: repo, Pusher: "alice", Refs: []Ref{{Name: ref, Old: old, New: new}}}
		line, err := l.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	tests := []struct {
		name                              string
		lines                             [][]byte
		landed, refused, unknown, unmatch int
		commits                           int
	}{
		{"landed", [][]byte{push("2026-01-01T10:00:00Z", "refs/heads/main", a, b, 2, true), landed("2026-01-01T10:00:01Z", "acme/api", "refs/heads/main", a, b)}, 1, 0, 0, 0, 2},
		{"refused by the platform", [][]byte{push("2026-01-01T10:00:00Z", "refs/heads/main", a, b, 2, true)}, 0, 1, 0, 0, 0},
		{"no companion: unknown, counted", [][]byte{push("2026-01-01T10:00:00Z", "refs/heads/main", a, b, 2, false)}, 0, 0, 1, 0, 2},
		{"other ids do not link", [][]byte{push("2026-01-01T10:00:00Z", "refs/heads/main", a, b, 2, true), landed("2026-01-01T10:00:01Z", "acme/api", "refs/heads/main", a, c)}, 0, 1, 0, 1, 0},
		{"other repository does not link", [][]byte{push("2026-01-01T10:00:00Z", "refs/heads/main", a, b, 2, true), landed("2026-01-01T10:00:01Z", "acme/web", "refs/heads/main", a, b)}, 0, 1, 0, 1, 0},
		{"landed before the push does not link", [][]byte{landed("2026-01-01T09:00:00Z", "acme/api", "refs/heads/main", a, b), push("2026-01-01T10:00:00Z", "refs/heads/main", a, b, 2, true)}, 0, 1, 0, 1, 0},
		{"too late does not link", [][]byte{push("2026-01-01T10:00:00Z", "refs/heads/main", a, b, 2, true), landed("2026-01-01T12:00:00Z", "acme/api", "refs/heads/main", a, b)}, 0, 1, 0, 1, 0},
		{"a retried push: the first was refused, the second landed", [][]byte{
			push("2026-01-01T10:00:00Z", "refs/heads/main", a, b, 2, true),
			push("2026-01-01T10:05:00Z", "refs/heads/main", a, b, 2, true),
			landed("2026-01-01T10:05:01Z", "acme/api", "refs/heads/main", a, b),
		}, 1, 1, 0, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ComputeStats(bytes.NewReader(bytes.Join(tc.lines, nil)), StatsOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Malformed != 0 {
				t.Fatalf("malformed lines: %s", s.BadLines())
			}
			got := [5]int{s.Landed, s.RefusedByPlatform, s.OutcomeUnknown, s.LandedUnmatched, s.Commits}
			want := [5]int{tc.landed, tc.refused, tc.unknown, tc.unmatch, tc.commits}
			if got != want {
				t.Errorf("landed, refused, unknown, unmatched, commits = %v, want %v", got, want)
			}
		})
	}
}
