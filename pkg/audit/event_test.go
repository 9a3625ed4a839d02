package audit

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decoded is an event line as a reader of the log sees it.
type decoded struct {
	Refs                []Ref          `json:"refs"`
	NewCommits          int            `json:"new_commits"`
	AICommits           int            `json:"ai_commits"`
	AITools             map[string]int `json:"ai_tools"`
	Suppressions        []Suppression  `json:"suppressions"`
	SuppressionsOmitted int            `json:"suppressions_omitted"`
	Decision            string         `json:"decision"`
	Warnings            []string       `json:"warnings"`
	WarningsOmitted     int            `json:"warnings_omitted"`
}

func decode(t *testing.T, e *Event) decoded {
	t.Helper()
	line, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var d decoded
	if err := json.Unmarshal(line, &d); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	return d
}

// TestCommitsCountedOnce: each commit counts once in new_commits, whatever
// its AI evidence (issue 10: a one-commit AI push was logged as 2).
func TestCommitsCountedOnce(t *testing.T) {
	tests := []struct {
		name      string
		commits   [][]string // AI tools per commit; nil: no AI evidence
		wantNew   int
		wantAI    int
		wantTools map[string]int
	}{
		{"no commits", nil, 0, 0, map[string]int{}},
		{"one AI commit", [][]string{{"claude"}}, 1, 1, map[string]int{"claude": 1}},
		{"one plain commit", [][]string{nil}, 1, 0, map[string]int{}},
		{"empty tool list is no AI", [][]string{{}}, 1, 0, map[string]int{}},
		{"mixed", [][]string{nil, {"claude", "copilot"}, {"claude", "claude"}, nil}, 4, 2, map[string]int{"claude": 2, "copilot": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e Event
			e.Decision = DecisionAccepted
			for _, tools := range tc.commits {
				e.AddCommit(tools)
			}
			if e.NewCommits() != tc.wantNew || e.AICommits() != tc.wantAI {
				t.Errorf("NewCommits %d AICommits %d; want %d %d", e.NewCommits(), e.AICommits(), tc.wantNew, tc.wantAI)
			}
			d := decode(t, &e)
			if d.NewCommits != tc.wantNew || d.AICommits != tc.wantAI {
				t.Errorf("logged new_commits %d ai_commits %d; want %d %d", d.NewCommits, d.AICommits, tc.wantNew, tc.wantAI)
			}
			if diff := cmp.Diff(tc.wantTools, d.AITools); diff != "" {
				t.Errorf("ai_tools (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantTools, e.AITools()); diff != "" {
				t.Errorf("AITools() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAIToolsReturnsACopy(t *testing.T) {
	var e Event
	e.AddCommit([]string{"claude"})
	e.AITools()["claude"] = 99
	if e.AITools()["claude"] != 1 {
		t.Error("AITools() exposes the event's map")
	}
}

func TestSuppressions(t *testing.T) {
	id := strings.Repeat("c", 40)
	tests := []struct {
		name        string
		add         []Suppression
		n           int // add this many copies of add[0] instead, when > 0
		wantListed  int
		wantOmitted int
		check       func(t *testing.T, s []Suppression)
	}{
		{name: "none", wantListed: 0},
		{
			name: "pusher defaults to the event's",
			add: []Suppression{
				{Rule: "aws-access-key", Commit: id, Path: "a/b.go", Line: 12, Reason: "test fixture"},
				{Rule: "todo", Commit: id, Path: "c.go", Line: 1, Reason: "later", Pusher: "bot"},
			},
			wantListed: 2,
			check: func(t *testing.T, s []Suppression) {
				want := []Suppression{
					{Rule: "aws-access-key", Commit: id, Path: "a/b.go", Line: 12, Reason: "test fixture", Pusher: "alice"},
					{Rule: "todo", Commit: id, Path: "c.go", Line: 1, Reason: "later", Pusher: "bot"},
				}
				if diff := cmp.Diff(want, s); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
		{
			name:       "hostile reason and path are escaped and capped",
			add:        []Suppression{{Rule: "r", Commit: id, Path: "x\x1b[2J\u202e.go", Line: 3, Reason: "\u200b\u200b\x1b]0;pwned\x07" + strings.Repeat("y", 2000)}},
			wantListed: 1,
			check: func(t *testing.T, s []Suppression) {
				r := s[0].Reason
				if strings.ContainsAny(r, "\x1b\x07\u200b") || !strings.Contains(r, `\u200b`) || !strings.HasSuffix(r, "y…") || strings.Count(r, "y") >= maxText {
					t.Errorf("reason not escaped and capped: %q", r)
				}
				if s[0].Path != `x\x1b[2J\u202e.go` {
					t.Errorf("path not escaped: %q", s[0].Path)
				}
			},
		},
		{name: "capped", add: []Suppression{{Rule: "r", Commit: id, Path: "p", Line: 1, Reason: "x"}}, n: MaxSuppressions + 7, wantListed: MaxSuppressions, wantOmitted: 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Event{Pusher: "alice", Decision: DecisionAccepted}
			if tc.n > 0 {
				for i := 0; i < tc.n; i++ {
					e.AddSuppression(tc.add[0])
				}
			} else {
				for _, s := range tc.add {
					e.AddSuppression(s)
				}
			}
			listed, omitted := e.Suppressions()
			if len(listed) != tc.wantListed || omitted != tc.wantOmitted {
				t.Errorf("Suppressions() = %d listed, %d omitted; want %d, %d", len(listed), omitted, tc.wantListed, tc.wantOmitted)
			}
			d := decode(t, &e)
			if d.Suppressions == nil || len(d.Suppressions) != tc.wantListed || d.SuppressionsOmitted != tc.wantOmitted {
				t.Errorf("logged %d suppressions (nil %v), %d omitted; want %d, %d", len(d.Suppressions), d.Suppressions == nil, d.SuppressionsOmitted, tc.wantListed, tc.wantOmitted)
			}
			if tc.check != nil {
				tc.check(t, d.Suppressions)
			}
		})
	}
}

func TestWarningsAndRefDecisions(t *testing.T) {
	many := make([]string, MaxWarnings+3)
	for i := range many {
		many[i] = fmt.Sprintf("w%d", i)
	}
	tests := []struct {
		name         string
		e            Event
		wantWarnings []string
		wantOmitted  int
		wantRefs     []Ref
	}{
		{name: "none", e: Event{Decision: DecisionAccepted}, wantWarnings: []string{}, wantRefs: []Ref{}},
		{
			name:         "config warning escaped",
			e:            Event{Decision: DecisionAccepted, Warnings: []string{"time_budget clamped\x1b[31m"}},
			wantWarnings: []string{`time_budget clamped\x1b[31m`}, wantRefs: []Ref{},
		},
		{name: "capped", e: Event{Decision: DecisionAccepted, Warnings: many}, wantWarnings: many[:MaxWarnings], wantOmitted: 3, wantRefs: []Ref{}},
		{
			name: "per-ref decisions",
			e: Event{Decision: DecisionRejected, Refs: []Ref{
				{Name: "refs/heads/main", Old: "a", New: "b", Decision: DecisionRejected, Blocking: 2},
				{Name: "refs/heads/sandbox", Old: "a", New: "c", Decision: DecisionWarned},
				{Name: "refs/tags/v1", Old: "0", New: "d"},
			}},
			wantWarnings: []string{},
			wantRefs: []Ref{
				{Name: "refs/heads/main", Old: "a", New: "b", Decision: DecisionRejected, Blocking: 2},
				{Name: "refs/heads/sandbox", Old: "a", New: "c", Decision: DecisionWarned},
				{Name: "refs/tags/v1", Old: "0", New: "d"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := decode(t, &tc.e)
			if diff := cmp.Diff(tc.wantWarnings, d.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if d.WarningsOmitted != tc.wantOmitted {
				t.Errorf("warnings_omitted = %d, want %d", d.WarningsOmitted, tc.wantOmitted)
			}
			if diff := cmp.Diff(tc.wantRefs, d.Refs); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
		})
	}
	// A ref without a decision has no decision or blocking key at all; one
	// with a decision always has both.
	e := Event{Decision: DecisionAccepted, Refs: []Ref{{Name: "a"}, {Name: "b", Decision: DecisionAccepted}}}
	line, _ := e.Marshal()
	if !strings.Contains(string(line), `{"name":"a","old":"","new":""}`) || !strings.Contains(string(line), `{"name":"b","old":"","new":"","decision":"accepted","blocking":0}`) {
		t.Errorf("refs encoded as %s", line)
	}
}

func TestInterruptedDecision(t *testing.T) {
	e := Event{Decision: DecisionInterrupted, Error: "hook interrupted by signal: terminated"}
	e.AddCommit([]string{"claude"})
	d := decode(t, &e)
	if d.Decision != "interrupted" || d.NewCommits != 1 {
		t.Errorf("decoded %+v", d)
	}
}
