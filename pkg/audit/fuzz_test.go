package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzComputeStats: any log, however damaged, is summarised without error
// or panic, the totals agree with the per-repository rows, and the text
// summary carries no raw control character to the admin's terminal.
func FuzzComputeStats(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "audit.jsonl")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"time":"2026-01-02T00:00:00Z","repo":"r","decision":"accepted"` + "\n"))
	f.Add([]byte(`{"time":"2026-01-02T00:00:00Z","fra{"time":"2026-01-02T00:00:00Z","repo":"r\u001b","decision":"interrupted","suppressions":[{"rule":"x","line":-1}],"suppressions_omitted":-5}`))
	f.Fuzz(func(t *testing.T, log []byte) {
		s, err := ComputeStats(bytes.NewReader(log), StatsOptions{Top: -1})
		if err != nil {
			t.Fatal(err)
		}
		pushes, commits, suppressions := 0, 0, 0
		for _, r := range s.Repos {
			pushes += r.Pushes
			commits += r.Commits
			suppressions += r.Suppressions
		}
		if pushes != s.Pushes || commits != s.Commits || suppressions != s.Suppressions {
			t.Errorf("totals %d/%d/%d, rows add up to %d/%d/%d", s.Pushes, s.Commits, s.Suppressions, pushes, commits, suppressions)
		}
		if s.Malformed < len(s.MalformedAt) || s.Recovered > s.Malformed || s.Suppressions < 0 {
			t.Errorf("malformed %d at %v, recovered %d, suppressions %d", s.Malformed, s.MalformedAt, s.Recovered, s.Suppressions)
		}
		var b strings.Builder
		if err := s.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, r := range b.String() {
			if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x1b || r == '\u202e' {
				t.Fatalf("raw control character %U in the text summary", r)
			}
		}
	})
}

// FuzzEventLine: whatever strings an event carries, it is one line of
// valid JSON that stats reads back as one push.
func FuzzEventLine(f *testing.F) {
	f.Add("platform/api", "alice", "refs/heads/main", "a.go", "test fixture", "warn", "claude")
	f.Add("r\n{\"time\":\"x\"}", "p\u202e", "refs/heads/\x1b[2J", "x\x00y", "\xff\xfe", "\u2028", "")
	f.Fuzz(func(t *testing.T, repo, pusher, ref, path, reason, warning, tool string) {
		e := Event{Repo: repo, Pusher: pusher, Decision: DecisionAccepted, Refs: []Ref{{Name: ref, Decision: DecisionAccepted}},
			Warnings: []string{warning}, Error: reason}
		e.AddCommit([]string{tool})
		e.AddFinding(reason, warning)
		e.AddSuppression(Suppression{Rule: tool, Path: path, Line: 1, Reason: reason})
		line, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(line, '\n') != len(line)-1 || !bytes.HasPrefix(line, eventStart) {
			t.Fatalf("not one line starting an event: %q", line)
		}
		if !json.Valid(line) {
			t.Fatalf("not JSON: %q", line)
		}
		s, err := ComputeStats(bytes.NewReader(line), StatsOptions{})
		if err != nil || s.Pushes != 1 || s.Malformed != 0 || s.Suppressions != 1 || s.Commits != 1 {
			t.Fatalf("read back as %+v, %v", s, err)
		}
	})
}
