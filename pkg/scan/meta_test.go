package scan

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

const metaKey = "AKIAZ7VRSQ5TLXKE4N2P"

// TestSecretRulesReadMetadata: commit messages, identities and (nested)
// annotated tag messages meet the secret rules; findings name the field
// and the line within it. Rules not tagged secret do not read metadata.
func TestSecretRulesReadMetadata(t *testing.T) {
	rules := keyRules + `  - {id: not-secret, severity: block, message: m, content: {regex: 'AKIA', keywords: [akia]}}
  - {id: main-only, severity: block, message: m, tags: [secret], refs: {include: [refs/heads/main]}, content: {regex: 'AKIA[A-Z2-7]{16}'}}
`
	tests := []struct {
		name  string
		build func(r *testRepo) (Tip, plumbing.Hash)
		want  []string
	}{
		{"commit message body", func(r *testRepo) (Tip, plumbing.Hash) {
			c := r.commit("subject\n\nsee key "+metaKey+"\n", nil)
			return Tip{"refs/heads/main", c}, c
		}, []string{"aws commit[message] :3", "main-only commit[message] :3"}},
		{"author name", func(r *testRepo) (Tip, plumbing.Hash) {
			c := r.commit("x", nil, "GIT_AUTHOR_NAME=Dev "+metaKey)
			return Tip{"refs/heads/topic", c}, c
		}, []string{"aws commit[author name] :1"}},
		{"author and committer email", func(r *testRepo) (Tip, plumbing.Hash) {
			c := r.commit("x", nil, "GIT_AUTHOR_EMAIL="+metaKey+"@example.com", "GIT_COMMITTER_EMAIL="+metaKey+"@example.com")
			return Tip{"refs/heads/topic", c}, c
		}, []string{"aws commit[author email] :1", "aws commit[committer email] :1"}},
		{"annotated tag message", func(r *testRepo) (Tip, plumbing.Hash) {
			r.commit("x", nil)
			r.git(nil, "tag", "-a", "-m", "release\n\nkey "+metaKey, "v1")
			return Tip{"refs/tags/v1", r.rev("refs/tags/v1")}, r.rev("refs/tags/v1")
		}, []string{"aws tag[tag message] :3"}},
		{"tag of a tag", func(r *testRepo) (Tip, plumbing.Hash) {
			r.commit("x", nil)
			r.git(nil, "tag", "-a", "-m", "inner "+metaKey, "inner")
			inner := r.rev("refs/tags/inner")
			r.git(nil, "tag", "-a", "-m", "outer", "outer", "inner")
			return Tip{"refs/tags/outer", r.rev("refs/tags/outer")}, inner
		}, []string{"aws tag[tag message] :1"}},
		{"clean metadata", func(r *testRepo) (Tip, plumbing.Hash) {
			c := r.commit("AKIA is only a prefix", nil)
			return Tip{"refs/heads/main", c}, c
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRepo(t)
			tip, obj := tc.build(r)
			res := runAll(t, New(r.store(), parseRules(t, rules), Options{}), tip)
			var got []string
			for _, f := range res.Findings {
				if f.Commit != obj {
					t.Errorf("finding %s on %s, want %s", f.Rule.ID, f.Commit, obj)
				}
				if f.Field != "" && f.Match != metaKey {
					t.Errorf("finding %s matched %q", f.Rule.ID, f.Match)
				}
				got = append(got, findingKeys([]Finding{f})...)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetadataSecretIsRedactedInCommitInfo: the commit list of a result
// does not repeat a secret found in the subject or author.
func TestMetadataSecretIsRedactedInCommitInfo(t *testing.T) {
	r := newTestRepo(t)
	c := r.commit("add "+metaKey, nil, "GIT_AUTHOR_NAME="+metaKey)
	res := runAll(t, New(r.store(), parseRules(t, keyRules), Options{}), Tip{"refs/heads/main", c})
	if len(res.Commits) != 1 {
		t.Fatalf("%d commits", len(res.Commits))
	}
	info := res.Commits[0]
	if strings.Contains(info.Subject+info.Author.Name, metaKey) || info.Subject != "add "+redactedText {
		t.Errorf("commit info repeats the secret: subject %q author %q", info.Subject, info.Author.Name)
	}
}
