package audit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
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
		Pushes: 11, Rejected: 3, Warned: 4, Interrupted: 1, AuditWouldReject: 1, Bypassed: 1, BypassRefused: 1, Errors: 2,
		// accepted pushes: 4+3+1+5+6+2+1 commits, 2+2+0+5+1+0+1 AI; the
		// interrupted push (3 commits, 1 AI) entered nothing.
		Commits: 22, AICommits: 11, AIShare: 0.5,
		Tools: []ToolStats{
			{Tool: "claude", Commits: 6, Share: 0.2727},
			{Tool: "aider", Commits: 3, Share: 0.1364},
			{Tool: "copilot", Commits: 2, Share: 0.0909},
		},
		Repos: []RepoStats{
			{Repo: "platform/api", Pushes: 5, Rejected: 1, Interrupted: 1, Warned: 1, Commits: 13, AICommits: 5, AIShare: 0.3846, Tools: map[string]int{"claude": 3, "copilot": 2}},
			{Repo: "platform/web", Pushes: 3, Rejected: 1, Warned: 1, Bypassed: 1, Suppressions: 2, Commits: 3, Tools: map[string]int{}},
			{Repo: "sandbox/experiments", Pushes: 3, Rejected: 1, Warned: 2, Suppressions: 3, Commits: 6, AICommits: 6, AIShare: 1, Tools: map[string]int{"claude": 3, "aider": 3}},
		},
		TopRules: []RuleStats{
			{Rule: "todo", Severity: "info", Findings: 5, Pushes: 2},
			{Rule: "aws-access-key", Severity: "block", Findings: 4, Pushes: 3},
			{Rule: "private-key", Severity: "block", Findings: 2, Pushes: 2},
			{Rule: "ai-trailer-missing", Severity: "warn", Findings: 1, Pushes: 1},
		},
		// 1 + 2 listed in the last event, 2 only counted there.
		Suppressions: 5,
		SuppressedRules: []SuppressedRule{
			{Rule: "aws-access-key", Count: 1, Pushes: 1, Pushers: []string{"frank"}},
			{Rule: "generic-password", Count: 1, Pushes: 1, Pushers: []string{"frank"}},
			{Rule: "private-key", Count: 1, Pushes: 1, Pushers: []string{"gina"}},
		},
		RecentSuppressions: []SuppressionRecord{
			{Time: "2026-01-09T08:00:00.000Z", Repo: "platform/web", Suppression: Suppression{Rule: "aws-access-key", Commit: strings.Repeat("e", 40), Path: "test/fixtures/keys.go", Line: 12, Reason: "revoked key kept as a test fixture (SEC-12)", Pusher: "frank"}},
			{Time: "2026-01-09T08:00:00.000Z", Repo: "platform/web", Suppression: Suppression{Rule: "generic-password", Commit: strings.Repeat("e", 40), Path: "docs/example.md", Line: 3, Reason: "documentation placeholder", Pusher: "frank"}},
			{Time: "2026-01-09T09:30:00.000Z", Repo: "sandbox/experiments", Suppression: Suppression{Rule: "private-key", Commit: strings.Repeat("f", 40), Path: "keys/dev.pem", Line: 1, Reason: `\x1b[31mdev key\x1b[0m`, Pusher: "gina"}},
		},
		// line 17 is a fragment with an event glued to it: recovered.
		Malformed: 5, MalformedAt: []int{6, 11, 12, 13, 17}, Recovered: 1,
		FirstTime: "2026-01-05T09:00:00.000Z", LastTime: "2026-01-09T09:30:00.000Z",
		// No event says the post-receive companion is installed.
		OutcomeUnknown: 7,
	}
	// The trends and per-repository extras have their own test
	// (TestStatsTrends).
	if diff := cmp.Diff(want, s, cmpopts.IgnoreUnexported(Stats{}), cmpopts.IgnoreFields(Stats{}, "Extra"), cmpopts.IgnoreFields(RepoStats{}, "RepoExtra")); diff != "" {
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

// TestStatsBadLines: one bad line never hides the events around it, and an
// event glued to a fragment (what a short write of an older pushguard left)
// is recovered.
func TestStatsBadLines(t *testing.T) {
	ev := func(repo, decision string, commits int) string {
		return `{"time":"2026-01-02T00:00:00.000Z","repo":"` + repo + `","decision":"` + decision + `","new_commits":` + strconv.Itoa(commits) + `}`
	}
	fragment := `{"time":"2026-01-02T00:00:00.000Z","platform":"gitlab","repo":"x","pus`
	tests := []struct {
		name          string
		log           string
		wantPushes    int
		wantCommits   int
		wantMalformed []int
		wantRecovered int
	}{
		{"clean", ev("a", DecisionAccepted, 1) + "\n" + ev("b", DecisionAccepted, 2) + "\n", 2, 3, nil, 0},
		{"fragment alone", fragment + "\n" + ev("a", DecisionAccepted, 1) + "\n", 1, 1, []int{1}, 0},
		{"event glued to a fragment", ev("a", DecisionAccepted, 1) + "\n" + fragment + ev("b", DecisionAccepted, 2) + "\n" + ev("c", DecisionAccepted, 4) + "\n", 3, 7, []int{2}, 1},
		{"two fragments then an event", fragment + fragment + ev("b", DecisionAccepted, 2) + "\n", 1, 2, []int{1}, 1},
		{"glued fragment at the end without newline", ev("a", DecisionAccepted, 1) + "\n" + fragment, 1, 1, []int{2}, 0},
		{"binary garbage", "\x00\xff\x1b[2J\n" + ev("a", DecisionAccepted, 1) + "\n", 1, 1, []int{1}, 0},
		{"bad decision-less event glued", fragment + `{"time":"2026-01-02T00:00:00.000Z","repo":"b"}` + "\n", 0, 0, []int{1}, 0},
		{"blank lines are not bad", "\n\n" + ev("a", DecisionAccepted, 1) + "\n\n", 1, 1, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ComputeStats(strings.NewReader(tc.log), StatsOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Pushes != tc.wantPushes || s.Commits != tc.wantCommits || s.Recovered != tc.wantRecovered ||
				s.Malformed != len(tc.wantMalformed) || !cmp.Equal(s.MalformedAt, tc.wantMalformed, cmpopts.EquateEmpty()) {
				t.Errorf("pushes %d commits %d malformed %d at %v recovered %d; want %d %d %d %v %d", s.Pushes, s.Commits,
					s.Malformed, s.MalformedAt, s.Recovered, tc.wantPushes, tc.wantCommits, len(tc.wantMalformed), tc.wantMalformed, tc.wantRecovered)
			}
		})
	}
}

// TestStatsOnlyAcceptedPushesEnter: commits count only for pushes that
// were accepted (with or without warnings); rejected, interrupted and
// unknown decisions entered nothing.
func TestStatsOnlyAcceptedPushesEnter(t *testing.T) {
	tests := []struct {
		decision    string
		wantCommits int
		check       func(s *Stats) int
		wantCheck   int
	}{
		{DecisionAccepted, 2, func(s *Stats) int { return s.Pushes }, 1},
		{DecisionWarned, 2, func(s *Stats) int { return s.Warned }, 1},
		{DecisionRejected, 0, func(s *Stats) int { return s.Rejected }, 1},
		{DecisionInterrupted, 0, func(s *Stats) int { return s.Interrupted }, 1},
		{"some future decision", 0, func(s *Stats) int { return s.Pushes }, 1},
	}
	for _, tc := range tests {
		t.Run(tc.decision, func(t *testing.T) {
			var e Event
			e.Decision, e.Repo = tc.decision, "r"
			e.AddCommit([]string{"claude"})
			e.AddCommit(nil)
			line, err := e.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			s, err := ComputeStats(bytes.NewReader(line), StatsOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Commits != tc.wantCommits || s.Repos[0].Commits != tc.wantCommits || tc.check(s) != tc.wantCheck {
				t.Errorf("commits %d (repo %d), counter %d; want %d, %d", s.Commits, s.Repos[0].Commits, tc.check(s), tc.wantCommits, tc.wantCheck)
			}
		})
	}
}

// TestStatsSuppressionsEscaped: a log edited by hand (or by an attacker)
// cannot put raw control characters on the admin's terminal through the
// suppression table.
func TestStatsSuppressionsEscaped(t *testing.T) {
	line := `{"time":"2026-01-02T00:00:00.000Z","repo":"r\u001b[2J","pusher":"p\u202e","decision":"accepted",` +
		`"suppressions":[{"rule":"x\u0007","commit":"c","path":"a\u001b]0;t\u0007.go","line":1,"reason":"\u001b[31mred","pusher":""}]}`
	s, err := ComputeStats(strings.NewReader(line), StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Suppressions != 1 || len(s.RecentSuppressions) != 1 || s.RecentSuppressions[0].Pusher != "p\u202e" {
		t.Fatalf("suppression not read: %+v", s)
	}
	var b strings.Builder
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07\u202e") {
		t.Errorf("raw control characters in the text output:\n%q", b.String())
	}
	for _, want := range []string{`\x1b[31mred`, `p\u202e`, `a\x1b]0;t\x07.go:1`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, b.String())
		}
	}
}

// TestStatsRecentSuppressionsBounded: Stats keeps the latest suppressions
// only, and every one counts.
func TestStatsRecentSuppressionsBounded(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf)
	for i := 0; i < 3; i++ {
		e := Event{Decision: DecisionAccepted, Repo: "r", Pusher: "p" + strconv.Itoa(i)}
		for j := 0; j < MaxSuppressions+10; j++ {
			e.AddSuppression(Suppression{Rule: "rule-" + strconv.Itoa(j%3), Commit: "c", Path: "f", Line: j + 1, Reason: "ok"})
		}
		if err := l.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	s, err := ComputeStats(&buf, StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Suppressions != 3*(MaxSuppressions+10) || len(s.RecentSuppressions) != maxRecentSuppressions {
		t.Fatalf("suppressions %d, recent %d", s.Suppressions, len(s.RecentSuppressions))
	}
	if last := s.RecentSuppressions[len(s.RecentSuppressions)-1]; last.Pusher != "p2" || last.Line != MaxSuppressions {
		t.Errorf("latest suppression %+v, want p2's line %d", last, MaxSuppressions)
	}
	if len(s.SuppressedRules) != 3 || s.SuppressedRules[0].Pushes != 3 || len(s.SuppressedRules[0].Pushers) != 3 {
		t.Errorf("per rule: %+v", s.SuppressedRules)
	}
}
