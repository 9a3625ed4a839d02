package audit

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// pushLine and landedLine make the events of one push of repo at minute m.
func pushLine(repo string, m int, decision string, post bool) string {
	e := Event{Time: time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC).Add(time.Duration(m) * time.Minute), Platform: "gitea",
		Repo: repo, Pusher: "p", Decision: decision, Mode: ModeEnforce, PostReceive: post,
		Refs: []Ref{{Name: "refs/heads/main", Old: fmt.Sprintf("%040d", m), New: fmt.Sprintf("%040d", m+1)}}}
	e.AddCommit([]string{"claude-code"})
	e.AddCommit(nil)
	b, _ := e.Marshal()
	return string(b)
}

func landedLine(repo string, m int) string {
	l := Landed{Time: time.Date(2026, 2, 2, 8, 0, 1, 0, time.UTC).Add(time.Duration(m) * time.Minute), Platform: "gitea", Repo: repo,
		Refs: []Ref{{Name: "refs/heads/main", Old: fmt.Sprintf("%040d", m), New: fmt.Sprintf("%040d", m+1)}}}
	b, _ := l.Marshal()
	return string(b)
}

func gz(t *testing.T, s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestStatsSourcesMerge: two nodes' logs, each rotated (an older gzip
// file), read through globs, give the numbers of one log holding every
// line, whatever the order the files are named in; a landed record in a
// newer file than its push event is linked.
func TestStatsSourcesMerge(t *testing.T) {
	var all []string
	node := map[string][]string{}
	for m := 0; m < 40; m++ {
		n := []string{"a", "b"}[m%2]
		repo := "org/" + n
		all = append(all, pushLine(repo, m, DecisionAccepted, true))
		node[n] = append(node[n], pushLine(repo, m, DecisionAccepted, true))
		if m%5 != 0 { // every fifth refused by the platform
			all = append(all, landedLine(repo, m))
			node[n] = append(node[n], landedLine(repo, m))
		}
	}
	dir := t.TempDir()
	for n, lines := range node {
		// Rotated after its 11th line: the push event of a landed record
		// may be in the older, compressed file.
		old, cur := strings.Join(lines[:11], ""), strings.Join(lines[11:], "")
		if err := os.MkdirAll(filepath.Join(dir, "node-"+n), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "node-"+n, "audit.jsonl.1.gz"), gz(t, old), 0o644)
		os.WriteFile(filepath.Join(dir, "node-"+n, "audit.jsonl"), []byte(cur), 0o644)
	}
	want, err := ComputeStats(strings.NewReader(strings.Join(all, "")), StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want.Landed != 32 || want.RefusedByPlatform != 8 || want.Commits != 64 {
		t.Fatalf("one log: landed %d, refused %d, commits %d", want.Landed, want.RefusedByPlatform, want.Commits)
	}
	for _, globs := range [][]string{
		{filepath.Join(dir, "node-*", "audit.jsonl*")},
		{filepath.Join(dir, "**", "audit.jsonl"), filepath.Join(dir, "node-b", "*.gz"), filepath.Join(dir, "node-a", "*.gz")},
		{filepath.Join(dir, "node-a", "audit.jsonl"), filepath.Join(dir, "node-a", "audit.jsonl"), filepath.Join(dir, "*", "*")},
	} {
		srcs, cl, err := OpenLogs(globs)
		if err != nil {
			t.Fatal(err)
		}
		if len(srcs) != 4 {
			t.Errorf("%q: %d sources, want 4 (each file once)", globs, len(srcs))
		}
		got, err := ComputeStatsSources(srcs, StatsOptions{})
		cl.Close()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Stats{}, Extra{}, WeekStats{}, RepoExtra{}, RepoWeek{}), cmpopts.IgnoreFields(Extra{}, "Sources")); diff != "" {
			t.Errorf("%q (-one log +merged):\n%s", globs, diff)
		}
	}
}

func TestOpenLogsErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.gz"), []byte{0x1f, 0x8b, 0, 1, 2}, 0o644)
	os.WriteFile(filepath.Join(dir, "cut.gz"), gz(t, pushLine("a/b", 1, DecisionAccepted, false))[:30], 0o644)
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{filepath.Join(dir, "missing.jsonl")}, "no such file"},
		{[]string{filepath.Join(dir, "*.jsonl")}, "no file matches"},
		{[]string{dir}, "is a directory"},
		{[]string{filepath.Join(dir, "[")}, "glob"},
		{[]string{filepath.Join(dir, "bad.gz")}, "gzip"},
	} {
		_, _, err := OpenLogs(tc.paths)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("OpenLogs(%q) = %v, want an error with %q", tc.paths, err, tc.want)
		}
	}
	// A compressed log cut short is a read error naming the file.
	srcs, cl, err := OpenLogs([]string{filepath.Join(dir, "cut.gz")})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := ComputeStatsSources(srcs, StatsOptions{}); err == nil || !strings.Contains(err.Error(), "cut.gz") {
		t.Errorf("truncated gzip: %v", err)
	}
}

// TestStatsPruneLongLog: over many hours of pushes, the pushes waiting for
// their landed record are settled as the log goes on, with the same
// numbers as when they are settled at the end.
func TestStatsPruneLongLog(t *testing.T) {
	var b strings.Builder
	for m := 0; m < 5000; m++ {
		b.WriteString(pushLine("org/r", m, DecisionAccepted, true))
		if m%3 != 0 {
			b.WriteString(landedLine("org/r", m))
		}
	}
	s, err := ComputeStats(strings.NewReader(b.String()), StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Landed != 3333 || s.RefusedByPlatform != 1667 || s.LandedUnmatched != 0 || s.Commits != 6666 || len(s.pending) != 0 {
		t.Errorf("landed %d, refused %d, unmatched %d, commits %d, pending keys left %d", s.Landed, s.RefusedByPlatform, s.LandedUnmatched, s.Commits, len(s.pending))
	}
	// A landed record more than the landing window after its push is not
	// linked, whether or not the push was pruned already.
	late := pushLine("org/x", 0, DecisionAccepted, true) + pushLine("org/y", 300, DecisionAccepted, true) + landedLine("org/x", 0)[:0] +
		strings.Replace(landedLine("org/x", 0), "08:00:01", "09:30:00", 1)
	s, err = ComputeStats(strings.NewReader(late), StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Landed != 0 || s.RefusedByPlatform != 2 || s.LandedUnmatched != 1 {
		t.Errorf("late landing: landed %d, refused %d, unmatched %d", s.Landed, s.RefusedByPlatform, s.LandedUnmatched)
	}
}

// TestStatsFilters: --repo globs and --platform select events, landed
// records included.
func TestStatsFilters(t *testing.T) {
	log := pushLine("org/api", 0, DecisionAccepted, true) + landedLine("org/api", 0) +
		pushLine("org/web", 1, DecisionRejected, false) + pushLine("team/api", 2, DecisionAccepted, false) +
		strings.Replace(pushLine("org/api", 3, DecisionAccepted, false), `"platform":"gitea"`, `"platform":"gitlab"`, 1)
	for _, tc := range []struct {
		opts           StatsOptions
		pushes, landed int
	}{
		{StatsOptions{}, 4, 1},
		{StatsOptions{Repos: []string{"org/*"}}, 3, 1},
		{StatsOptions{Repos: []string{"*/api"}}, 3, 1},
		{StatsOptions{Repos: []string{"team/**", "org/web"}}, 2, 0},
		{StatsOptions{Platform: "gitlab"}, 1, 0},
		{StatsOptions{Platform: "gitea", Repos: []string{"org/api"}}, 1, 1},
		{StatsOptions{Platform: "ghes"}, 0, 0},
	} {
		s, err := ComputeStats(strings.NewReader(log), tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if s.Pushes != tc.pushes || s.Landed != tc.landed || s.LandedUnmatched != 0 {
			t.Errorf("%+v: %d pushes, %d landed, %d unmatched; want %d, %d, 0", tc.opts, s.Pushes, s.Landed, s.LandedUnmatched, tc.pushes, tc.landed)
		}
	}
	if _, err := ComputeStats(strings.NewReader(log), StatsOptions{Repos: []string{"org/["}}); err == nil {
		t.Error("an invalid glob is accepted")
	}
}

// TestStatsAddedLines: the added-line counts an event carries (AddLines)
// are written where docs/audit.md says, only when counted, and summed
// over the code that entered, per repository and week.
func TestStatsAddedLines(t *testing.T) {
	e := Event{Time: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Repo: "org/api", Decision: DecisionAccepted, Mode: ModeEnforce}
	e.AddCommit([]string{"claude-code"})
	e.AddLines(30, true)
	e.AddCommit(nil)
	e.AddLines(70, false)
	line, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(line, []byte(`"ai_tools":{"claude-code":1},"added_lines":100,"ai_added_lines":30,"ai_written_lines":0,"ai_commit_lines":[],"findings":[]`)) {
		t.Errorf("added lines not written in place: %s", line)
	}
	plain := Event{Time: e.Time, Repo: "org/web", Decision: DecisionRejected, Mode: ModeEnforce}
	plain.AddCommit(nil)
	pl, _ := plain.Marshal()
	if bytes.Contains(pl, []byte("added_lines")) {
		t.Errorf("lines written though not counted: %s", pl)
	}
	s, err := ComputeStats(bytes.NewReader(append(line, pl...)), StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.AddedLines != 100 || s.AIAddedLines != 30 || s.AILineShare != 0.3 || s.LineCountedPushes != 1 ||
		s.Weeks[0].AddedLines != 100 || s.Repos[0].AIAddedLines != 30 {
		t.Errorf("lines %d, AI %d, share %v, counted pushes %d, week %+v, repo %+v", s.AddedLines, s.AIAddedLines, s.AILineShare, s.LineCountedPushes, s.Weeks[0], s.Repos[0])
	}
}
