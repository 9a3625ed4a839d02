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
			got, err := parseAuthorshipLog([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
