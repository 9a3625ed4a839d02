package audit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestStatsGolden(t *testing.T) {
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		opts StatsOptions
	}{
		{"stats", StatsOptions{Since: since}},
		{"stats-all", StatsOptions{Top: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "audit.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			s, err := ComputeStats(f, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var text, js bytes.Buffer
			if err := s.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if err := s.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".txt", text.Bytes())
			golden(t, tc.name+".json", js.Bytes())
		})
	}
}

// TestStatsCounts pins the numbers of the golden log with since 2026-01-01,
// worked out by hand from testdata/audit.jsonl.
func TestStatsCounts(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ComputeStats(f, StatsOptions{Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Top: -1})
	if err != nil {
		t.Fatal(err)
	}
	want := &Stats{
		Since:  "2026-01-01T00:00:00Z",
		Pushes: 8, Rejected: 3, Warned: 3, AuditWouldReject: 1, Bypassed: 1, BypassRefused: 1, Errors: 1,
		// accepted pushes: 4+3+1+5+6 commits, 2+2+0+5+1 AI
		Commits: 19, AICommits: 10, AIShare: 0.5263,
		Tools: []ToolStats{
			{Tool: "claude", Commits: 6, Share: 0.3158},
			{Tool: "copilot", Commits: 2, Share: 0.1053},
			{Tool: "aider", Commits: 2, Share: 0.1053},
		},
		Repos: []RepoStats{
			{Repo: "platform/api", Pushes: 4, Rejected: 1, Warned: 1, Commits: 13, AICommits: 5, AIShare: 0.3846, Tools: map[string]int{"claude": 3, "copilot": 2}},
			{Repo: "platform/web", Pushes: 2, Rejected: 1, Warned: 1, Bypassed: 1, Commits: 1, Tools: map[string]int{}},
			{Repo: "sandbox/experiments", Pushes: 2, Rejected: 1, Warned: 1, Commits: 5, AICommits: 5, AIShare: 1, Tools: map[string]int{"claude": 3, "aider": 2}},
		},
		TopRules: []RuleStats{
			{Rule: "aws-access-key", Severity: "block", Findings: 4, Pushes: 3},
			{Rule: "todo", Severity: "info", Findings: 4, Pushes: 1},
			{Rule: "private-key", Severity: "block", Findings: 2, Pushes: 2},
			{Rule: "ai-trailer-missing", Severity: "warn", Findings: 1, Pushes: 1},
		},
		Malformed: 4,
		FirstTime: "2026-01-05T09:00:00.000Z", LastTime: "2026-01-08T09:00:00.000Z",
	}
	// Tools with equal counts sort by name.
	want.Tools[1], want.Tools[2] = want.Tools[2], want.Tools[1]
	if diff := cmp.Diff(want, s, cmpopts.IgnoreUnexported(Stats{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestStatsRoundTrip(t *testing.T) {
	// Events written by Logger are read back by ComputeStats.
	var buf bytes.Buffer
	l := New(&buf)
	e := sampleEvent()
	e.Decision = DecisionWarned
	e.Bypass = &Bypass{Used: true, Reason: "INC-1 hotfix for outage"}
	for i := 0; i < 3; i++ {
		if err := l.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	s, err := ComputeStats(&buf, StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Pushes != 3 || s.Warned != 3 || s.Bypassed != 3 || s.Commits != 9 || s.AICommits != 6 || s.Malformed != 0 ||
		len(s.TopRules) != 2 || s.TopRules[0].Findings != 6 {
		t.Errorf("stats of 3 sample events: %+v", s)
	}
}

func TestStatsLongAndEmpty(t *testing.T) {
	in := strings.Repeat("x", maxLine+10) + "\n\n   \n" + `{"time":"2026-01-01T00:00:00Z","decision":"accepted","repo":"r","new_commits":1}`
	s, err := ComputeStats(strings.NewReader(in), StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Malformed != 1 || s.Pushes != 1 || s.Commits != 1 {
		t.Errorf("got malformed %d pushes %d commits %d; want 1 1 1", s.Malformed, s.Pushes, s.Commits)
	}
	s, err = ComputeStats(strings.NewReader(""), StatsOptions{})
	if err != nil || s.Pushes != 0 || s.Repos == nil || s.Tools == nil || s.TopRules == nil {
		t.Errorf("empty log: %+v, %v", s, err)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2026-01-31", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), false},
		{"2026-01-31T08:00:00+02:00", time.Date(2026, 1, 31, 6, 0, 0, 0, time.UTC), false},
		{"7d", time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), false},
		{"36h", time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), false},
		{"yesterday", time.Time{}, true},
		{"-3d", time.Time{}, true},
	}
	for _, tc := range tests {
		got, err := ParseSince(tc.in, now)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
