package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/scan"
)

func TestWriteAgentTrace(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	ai := scan.CommitInfo{
		Hash: plumbing.NewHash("1111111111111111111111111111111111111111"), Author: gitstore.Person{When: when},
		AI: scan.AI{Detected: true, Tools: []string{"claude-code"}, Lines: 3,
			Files: []scan.AIFile{{Path: "a.go", Ranges: [][2]int{{1, 2}, {5, 5}}}}},
	}
	meta := scan.CommitInfo{Hash: plumbing.NewHash("2222222222222222222222222222222222222222"), AI: scan.AI{Detected: true, Declared: true, Tools: []string{"declared"}}}
	human := scan.CommitInfo{Hash: plumbing.NewHash("3333333333333333333333333333333333333333")}
	tests := []struct {
		name    string
		commits []scan.CommitInfo
		want    []string // revisions written, in order
	}{
		{"none", nil, nil},
		{"human only", []scan.CommitInfo{human}, nil},
		{"ai and human", []scan.CommitInfo{ai, human, meta}, []string{ai.Hash.String(), meta.Hash.String()}},
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteAgentTrace(&buf, tt.commits, "v9"); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
			if buf.Len() == 0 {
				lines = nil
			}
			if len(lines) != len(tt.want) {
				t.Fatalf("%d records, want %d:\n%s", len(lines), len(tt.want), buf.String())
			}
			for i, l := range lines {
				var rec traceRecord
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				if rec.VCS.Revision != tt.want[i] || rec.Tool.Version != "v9" || rec.Version != agentTraceVersion || !uuid.MatchString(rec.ID) {
					t.Errorf("record %d = %+v", i, rec)
				}
				if rec.ID != traceID(tt.want[i]) {
					t.Errorf("record %d: id %s is not derived from the commit", i, rec.ID)
				}
			}
		})
	}
}

func TestWriteAgentTraceRanges(t *testing.T) {
	c := scan.CommitInfo{
		Hash:   plumbing.NewHash("1111111111111111111111111111111111111111"),
		Author: gitstore.Person{When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))},
		AI:     scan.AI{Detected: true, Files: []scan.AIFile{{Path: "a.go", Ranges: [][2]int{{1, 2}, {5, 5}}}}},
	}
	var buf bytes.Buffer
	if err := WriteAgentTrace(&buf, []scan.CommitInfo{c}, "dev"); err != nil {
		t.Fatal(err)
	}
	var rec traceRecord
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Timestamp != "2026-01-02T02:04:05Z" {
		t.Errorf("timestamp %q, want UTC", rec.Timestamp)
	}
	want := []traceRange{{1, 2}, {5, 5}}
	if len(rec.Files) != 1 || rec.Files[0].Path != "a.go" || len(rec.Files[0].Conversations) != 1 ||
		rec.Files[0].Conversations[0].Contributor.Type != "ai" || len(rec.Files[0].Conversations[0].Ranges) != 2 ||
		rec.Files[0].Conversations[0].Ranges[0] != want[0] || rec.Files[0].Conversations[0].Ranges[1] != want[1] {
		t.Errorf("files = %+v", rec.Files)
	}
}
