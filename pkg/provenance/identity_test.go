package provenance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDetectIdentities(t *testing.T) {
	d := mustDefault(t)
	tests := []struct {
		name        string
		in          Input
		wantAuthor  []string
		wantTrailer []AgentTrailer
	}{
		{
			name:       "agent author",
			in:         Input{Message: "fix\n", AuthorName: "Claude", AuthorEmail: "noreply@anthropic.com"},
			wantAuthor: []string{"claude-code"},
		},
		{
			name: "agent committer only: the author is a person",
			in:   Input{Message: "fix\n", AuthorName: "Ann", AuthorEmail: "ann@example.com", CommitterName: "Claude", CommitterEmail: "noreply@anthropic.com"},
		},
		{
			name: "agent sign-off",
			in:   Input{Message: "fix\n\nSigned-off-by: Claude <noreply@anthropic.com>\nSigned-off-by: Ann <ann@example.com>\n", AuthorEmail: "ann@example.com"},
			wantTrailer: []AgentTrailer{
				{Key: "Signed-off-by", Value: "Claude <noreply@anthropic.com>", Tools: []string{"claude-code"}},
			},
		},
		{
			name: "bot reviewer and co-author",
			in:   Input{Message: "fix\n\nReviewed-by: cursor[bot] <206951365+cursor[bot]@users.noreply.github.com>\nCo-authored-by: Claude <noreply@anthropic.com>\n"},
			wantTrailer: []AgentTrailer{
				{Key: "Reviewed-by", Value: "cursor[bot] <206951365+cursor[bot]@users.noreply.github.com>", Tools: []string{"cursor"}},
				{Key: "Co-authored-by", Value: "Claude <noreply@anthropic.com>", Tools: []string{"claude-code"}},
			},
		},
		{
			name: "people and non-identities are not agents",
			in:   Input{Message: "add Claude API client\n\nReviewed-by: Claude Shannon <claude@example.org>\nFixes: cursor pagination\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Detect(tt.in)
			if diff := cmp.Diff(tt.wantAuthor, got.AuthorTools, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("AuthorTools (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTrailer, got.AgentTrailers, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("AgentTrailers (-want +got):\n%s", diff)
			}
		})
	}
}
