package scan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAuthorshipLog(t *testing.T) {
	const meta = `{"schema_version":"authorship/3.0.0","base_commit_sha":"x","prompts":{"a1":{"agent_id":{"tool":"cursor","id":"s","model":"m"}},"b2":{"agent_id":{"tool":"Claude"}},"c3":{"agent_id":{"tool":"some-new-agent"}}}}`
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{"three tools", "src/main.go\n  a1 1-10\n---\n" + meta, []string{"claude-code", "cursor", "declared"}, false},
		{"no attestations", "---\n" + meta, []string{"claude-code", "cursor", "declared"}, false},
		{"no prompts", "---\n{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{}}", nil, false},
		{"no separator", meta, nil, true},
		{"not json", "x\n---\nnot json", nil, true},
		{"other schema", "---\n{\"schema_version\":\"trace/1\"}", nil, true},
		{"free text", "reviewed by alice", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _, err := parseAuthorshipLog([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthorshipLogLines(t *testing.T) {
	const meta = `{"schema_version":"authorship/3.0.0","prompts":{"a1":{"agent_id":{"tool":"cursor"}}}}`
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr bool
	}{
		{"ranges and single lines", "src/main.go\n  a1 1-10,12,20-21\n---\n" + meta, 13, false},
		{"several files", "a.go\n  a1 1-3\nb/c.go\n  a1 5\n  b2 7-8\n---\n" + meta, 6, false},
		{"CRLF and blank lines", "a.go\r\n\r\n  a1 2-4\r\n---\n" + meta, 3, false},
		{"no attestations", "---\n" + meta, 0, false},
		{"range ends before it starts", "a.go\n  a1 9-3\n---\n" + meta, 0, true},
		{"line zero", "a.go\n  a1 0-3\n---\n" + meta, 0, true},
		{"not a number", "a.go\n  a1 x-3\n---\n" + meta, 0, true},
		{"huge number", "a.go\n  a1 1-99999999999999\n---\n" + meta, 0, true},
		{"attestation before any file", "  a1 1-3\n---\n" + meta, 0, true},
		{"three fields", "a.go\n  a1 1-3 extra\n---\n" + meta, 0, true},
		{"capped", "a.go\n  a1 1-999999999\n  a1 1-999999999\n---\n" + meta, maxNoteLines, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tools, _, got, err := parseAuthorshipLog([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("lines = %d, want %d", got, tc.want)
			}
			if err == nil && len(tools) != 1 {
				t.Errorf("tools = %v, want [cursor]", tools)
			}
		})
	}
}

func FuzzAuthorshipLog(f *testing.F) {
	f.Add([]byte("src/main.go\n  a1 1-10,12\n---\n{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{}}"))
	f.Add([]byte("---\n{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tools, files, lines, err := parseAuthorshipLog(b)
		if err != nil && (tools != nil || files != nil || lines != 0) {
			t.Fatalf("error %v with results %v %d", err, tools, lines)
		}
		if lines < 0 || lines > maxNoteLines {
			t.Fatalf("lines %d out of range", lines)
		}
	})
}

func TestAuthorshipLogRanges(t *testing.T) {
	const meta = `{"schema_version":"authorship/3.0.0","prompts":{"a1":{"agent_id":{"tool":"cursor"}}}}`
	_, files, lines, err := parseAuthorshipLog([]byte("a.go\n  a1 1-3,7\nempty.go\nb/c.go\n  a1 5\n  b2 9-10\n---\n" + meta))
	if err != nil {
		t.Fatal(err)
	}
	want := []AIFile{{Path: "a.go", Ranges: [][2]int{{1, 3}, {7, 7}}}, {Path: "b/c.go", Ranges: [][2]int{{5, 5}, {9, 10}}}}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if lines != 7 {
		t.Errorf("lines = %d, want 7", lines)
	}
}
