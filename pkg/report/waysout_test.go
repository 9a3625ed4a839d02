package report

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// TestWaysOut: a rejected developer is told the ways out that exist for
// them and no others: break-glass only when the configuration lets this
// pusher use it (and it would help), the inline-suppression syntax only
// for suppressible rules, the help URL; after a bypass, no advice to
// rewrite what was accepted; in a client check, the local wording.
func TestWaysOut(t *testing.T) {
	rs, err := ruleset.Parse("t.yml", []byte(`rules:
  - id: aws
    severity: block
    tags: [secret]
    message: key
    content: {regex: 'AKIA[0-9A-Z]{16}'}
  - id: curl-sh
    severity: block
    message: pipe to shell
    content: {regex: 'curl .* \| sh'}
  - id: dump
    severity: block
    message: database dump
    bypassable: false
    paths: {include: ["*.dump"]}
  - id: declare
    severity: block
    message: declare AI use
    help: |-
      Declare the tool, e.g. git commit --amend --no-edit --trailer "Assisted-by: claude-code:claude-opus-4-5"
    ai: {detected: true}
    require: {trailers: [{key: Assisted-by, example: "claude-code:claude-opus-4-5"}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	set := ruleset.NewSet(rs)
	aws, curl, dump, declare := set.Rules[0], set.Rules[1], set.Rules[2], set.Rules[3]
	h := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	line := func(r *ruleset.Rule) scan.Finding {
		return scan.Finding{Rule: r, Kind: scan.KindLine, Commit: h, Ref: "refs/heads/main", Path: "a.sh", Line: 1, Column: 1, Match: "x"}
	}
	file := scan.Finding{Rule: dump, Kind: scan.KindFile, Commit: h, Ref: "refs/heads/main", Path: "prod.dump"}
	aiF := scan.Finding{Rule: declare, Kind: scan.KindCommit, Commit: h, Ref: "refs/heads/main"}
	copilot := scan.AI{Detected: true, Tools: []string{"github-copilot"}, Evidence: []scan.Evidence{{Kind: "trailer", Tool: "github-copilot", Text: "Co-authored-by: Copilot", Strong: true}}}
	allowed := TextOptions{BypassOption: "pushguard.bypass", BypassMinReason: 10, Suppressible: scan.SuppressibleSecrets(nil), SuppressMinReason: 12, HelpURL: "https://wiki.example.org/pushguard"}
	for _, tt := range []struct {
		name     string
		findings []scan.Finding
		ai       *scan.AI
		opts     verdict.Options
		text     TextOptions
		want     []string
		not      []string
	}{
		{
			name: "bypass allowed, suppressible rule", findings: []scan.Finding{line(curl)}, text: allowed,
			want: []string{
				"Other ways out:",
				"# pushguard:allow curl-sh -- <why this is safe>", "at least 12 characters",
				`git push -o pushguard.bypass="<reason, at least 10 characters>"`,
				"Policy: https://wiki.example.org/pushguard",
			},
		},
		{
			name: "pusher may not bypass", findings: []scan.Finding{line(curl)},
			text: TextOptions{Suppressible: scan.SuppressibleSecrets(nil)},
			want: []string{"pushguard:allow curl-sh"}, not: []string{"Break-glass", "pushguard.bypass"},
		},
		{
			name: "secret rules are not suppressible", findings: []scan.Finding{line(aws)}, text: allowed,
			want: []string{"Break-glass"}, not: []string{"pushguard:allow"},
		},
		{
			name: "inline suppression off", findings: []scan.Finding{line(curl)}, text: TextOptions{BypassOption: "pushguard.bypass"},
			want: []string{"Break-glass"}, not: []string{"pushguard:allow"},
		},
		{
			name: "a rule break-glass cannot lift", findings: []scan.Finding{line(curl), file}, text: allowed,
			want: []string{"Bypass not possible: rule(s) dump"}, not: []string{"Break-glass"},
		},
		{
			name: "bypass already refused", findings: []scan.Finding{line(curl)}, text: allowed,
			opts: verdict.Options{Bypass: &verdict.Request{Refusal: "a bypass needs a reason of at least 10 visible characters"}},
			want: []string{"Bypass refused"}, not: []string{"Break-glass ("},
		},
		{
			name: "after a bypass", findings: []scan.Finding{line(aws), aiF}, ai: &copilot, text: allowed,
			opts: verdict.Options{Bypass: &verdict.Request{Allowed: true, Pusher: "alice", Reason: "incident 4711 hotfix"}},
			want: []string{"ACCEPTED BY BYPASS", "follow-up commit", "do not rewrite the pushed history"},
			not:  []string{"git commit --amend", "git rebase", "Nothing from this push was accepted", "Break-glass", "Other ways out", "fix: "},
		},
		{
			name: "pre-push", findings: []scan.Finding{line(curl)}, text: withClient(allowed, ClientPrePush),
			want: []string{"pre-push check: push STOPPED", `git push --no-verify -o pushguard.bypass=`, "Nothing was pushed."},
			not:  []string{"Nothing from this push was accepted"},
		},
		{
			name: "pre-commit", findings: []scan.Finding{line(curl)}, text: withClient(allowed, ClientPreCommit),
			want: []string{"pre-commit check: commit STOPPED", "in the staged changes", "staged, to be committed on refs/heads/main", "git commit --no-verify", "Nothing was committed."},
			not:  []string{"Break-glass", "commit 0123456789", "rebase"},
		},
		{
			name: "fix hint names the commit's tool", findings: []scan.Finding{aiF}, ai: &copilot, text: allowed,
			want: []string{`--trailer "Assisted-by: github-copilot:MODEL"`, `"Assisted-by: github-copilot:MODEL"`},
			not:  []string{"claude-code"},
		},
		{
			name: "server configuration problem", text: allowed,
			opts: verdict.Options{Err: errors.New("cfg.yml:3: audit: the log cannot be created"), Permanent: true},
			want: []string{"push REJECTED by a problem of the server (its configuration or repository)", "Contact the server admins", "cfg.yml:3"},
			not:  []string{"Try again", "try again", "Break-glass"},
		},
		{
			name: "transient failure", text: allowed, opts: verdict.Options{Err: errors.New("read objects: EOF")},
			want: []string{"Try again"}, not: []string{"configuration problem"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := &scan.Result{Commits: []scan.CommitInfo{{Hash: h}}, Findings: tt.findings}
			if tt.ai != nil {
				res.Commits[0].AI = *tt.ai
			}
			v := verdict.Decide(res, tt.opts)
			var b strings.Builder
			if err := Text(&b, v, tt.text); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if testing.Verbose() {
				t.Log(out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("output contains %q:\n%s", n, out)
				}
			}
		})
	}
}

func withClient(o TextOptions, client string) TextOptions {
	o.Client = client
	return o
}
