package scan

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// looseRepo is a bare repository with objects no commit holds.
type looseRepo struct {
	t   *testing.T
	dir string
}

func (r looseRepo) git(stdin string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z")
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestRunScansRefsToTreesAndBlobs(t *testing.T) {
	r := looseRepo{t: t, dir: filepath.Join(t.TempDir(), "r.git")}
	if out, err := exec.Command("git", "init", "-q", "--bare", r.dir).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	secret := r.git("key=tok_abc123\n", "hash-object", "-w", "--stdin")
	clean := r.git("nothing here\n", "hash-object", "-w", "--stdin")
	sub := r.git("100644 blob "+secret+"\tcreds.txt\n", "mktree")
	tree := r.git("040000 tree "+sub+"\tdeep\n100644 blob "+clean+"\tREADME\n", "mktree")
	r.git("", "tag", "-a", "-m", "a blob", "blobtag", secret)
	tag := r.git("", "rev-parse", "refs/tags/blobtag")

	rules, err := ruleset.Parse("t.yml", []byte(`rules:
  - {id: secret, severity: block, message: m, content: {regex: 'tok_[a-z0-9]+'}}
  - {id: heads-only, severity: warn, message: m, refs: {include: ['refs/heads/**']}, content: {regex: 'key='}}
  - {id: msg, severity: warn, message: m, commit: {message: '.*'}}
`))
	if err != nil {
		t.Fatal(err)
	}
	set := ruleset.NewSet(rules)
	store, err := gitstore.Open(gitstore.Env{GitDir: r.dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := plumbing.NewHash
	tests := []struct {
		name    string
		tips    []Tip
		exclude []plumbing.Hash
		want    []string // "rule path:line" of each line finding, "rule kind" of others
	}{
		{"blob under a tag ref", []Tip{{"refs/tags/b", h(secret)}}, nil, []string{"secret refs/tags/b:1"}},
		{"blob under a branch ref", []Tip{{"refs/heads/b", h(secret)}}, nil, []string{"secret refs/heads/b:1", "heads-only refs/heads/b:1"}},
		{"clean blob", []Tip{{"refs/tags/c", h(clean)}}, nil, nil},
		{"tree", []Tip{{"refs/tags/t", h(tree)}}, nil, []string{"secret deep/creds.txt:1"}},
		{"annotated tag of a blob", []Tip{{"refs/tags/blobtag", h(tag)}}, nil, []string{"msg tag", "secret refs/tags/blobtag:1"}},
		{"blob an existing ref already holds", []Tip{{"refs/tags/b", h(secret)}}, []plumbing.Hash{h(secret)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := New(store, set, Options{}).Run(context.Background(), tc.tips, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Kind != KindLine {
					got = append(got, f.Rule.ID+" "+string(f.Kind))
					continue
				}
				got = append(got, fmt.Sprintf("%s %s:%d", f.Rule.ID, f.Path, f.Line))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}
