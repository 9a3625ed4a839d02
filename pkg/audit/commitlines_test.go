package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCommitLines: the AI line counts per AI-marked commit are written in
// place (after ai_added_lines), a commit without line data counts every
// added line as AI-written, the list is capped with the rest counted, and
// stats sums ai_written_lines over the pushes.
func TestCommitLines(t *testing.T) {
	tests := []struct {
		name      string
		add       []CommitLines
		want      string // the JSON between "ai_added_lines":N, and "findings"
		written   int
		omitted   int
		listedLen int
	}{
		{"none", nil, `"ai_written_lines":0,"ai_commit_lines":[],`, 0, 0, 0},
		{"line data", []CommitLines{{Commit: "c1", AddedLines: 10, AILines: 4, Attribution: "lines"}},
			`"ai_written_lines":4,"ai_commit_lines":[{"commit":"c1","added_lines":10,"ai_lines":4,"attribution":"lines"}],`, 4, 0, 1},
		{"no line data: every added line", []CommitLines{{Commit: "c2", AddedLines: 7, AILines: 99, Attribution: ""}},
			`"ai_written_lines":7,"ai_commit_lines":[{"commit":"c2","added_lines":7,"ai_lines":7,"attribution":"commit"}],`, 7, 0, 1},
		{"negative counts are zero", []CommitLines{{Commit: "c3", AddedLines: -1, AILines: -5, Attribution: "lines"}},
			`"ai_written_lines":0,"ai_commit_lines":[{"commit":"c3","added_lines":0,"ai_lines":0,"attribution":"lines"}],`, 0, 0, 1},
		{"hostile commit text is escaped", []CommitLines{{Commit: "c\x1b[31m", AddedLines: 1, AILines: 1, Attribution: "lines\n"}},
			`"ai_written_lines":1,"ai_commit_lines":[{"commit":"c\\x1b[31m","added_lines":1,"ai_lines":1,"attribution":"commit"}],`, 1, 0, 1}, // not "lines": all AI
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Event{Time: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Decision: DecisionAccepted, Mode: ModeEnforce}
			e.AddLines(0, false)
			for _, c := range tc.add {
				e.AddCommit([]string{"cursor"})
				e.AddCommitLines(c)
			}
			line, err := e.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(line, []byte(`"ai_added_lines":0,`+tc.want+`"findings"`)) {
				t.Errorf("event:\n%s\nwant in place:\n%s", line, tc.want)
			}
			listed, omitted, written := e.CommitLines()
			if len(listed) != tc.listedLen || omitted != tc.omitted || written != tc.written {
				t.Errorf("CommitLines() = %d listed, %d omitted, %d written", len(listed), omitted, written)
			}
		})
	}

	// Over the cap: listed up to MaxCommitLines, the rest counted, every
	// line summed.
	e := Event{Time: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Repo: "org/api", Decision: DecisionAccepted, Mode: ModeEnforce}
	for i := 0; i < MaxCommitLines+5; i++ {
		e.AddCommit([]string{"cursor"})
		e.AddLines(3, true)
		e.AddCommitLines(CommitLines{Commit: fmt.Sprint(i), AddedLines: 3, AILines: 2, Attribution: "lines"})
	}
	line, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Written int           `json:"ai_written_lines"`
		List    []CommitLines `json:"ai_commit_lines"`
		Omitted int           `json:"ai_commit_lines_omitted"`
	}
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatal(err)
	}
	if got.Written != 2*(MaxCommitLines+5) || len(got.List) != MaxCommitLines || got.Omitted != 5 {
		t.Errorf("capped event: written %d, listed %d, omitted %d", got.Written, len(got.List), got.Omitted)
	}

	// stats sums ai_written_lines over the pushes.
	e2 := Event{Time: e.Time.Add(time.Hour), Repo: "org/web", Decision: DecisionWarned, Mode: ModeEnforce}
	e2.AddCommit([]string{"claude-code"})
	e2.AddLines(5, true)
	e2.AddCommitLines(CommitLines{Commit: "x", AddedLines: 5, Attribution: "commit"})
	l2, err := e2.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ComputeStats(bytes.NewReader(append(line, l2...)), StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2*(MaxCommitLines+5) + 5, 3*(MaxCommitLines+5) + 5}, []int{s.AIWrittenLines, s.AIAddedLines}); diff != "" {
		t.Errorf("stats ai_written_lines, ai_added_lines (-want +got):\n%s", diff)
	}
}
