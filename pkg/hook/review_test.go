package hook

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/audit"
)

// runEnv runs the hook in process with extra environment variables.
func (r *repo) runEnv(extra map[string]string, lines string) (Outcome, string) {
	r.t.Helper()
	env := map[string]string{"GIT_DIR": filepath.Join(r.dir, ".git")}
	for k, v := range extra {
		env[k] = v
	}
	var out bytes.Buffer
	o := Run(context.Background(), strings.NewReader(lines), Env{Getenv: func(k string) string { return env[k] }, Out: &out, Version: "test"})
	return o, out.String()
}

// giteaEnv is what Gitea 1.26 passes its hooks (modules/repository/env.go).
func giteaEnv(pairs ...string) map[string]string {
	m := map[string]string{
		"GITEA_REPO_USER_NAME": "acme", "GITEA_REPO_NAME": "api", "GITEA_REPO_ID": "1",
		"GITEA_PUSHER_NAME": "alice", "GITEA_PUSHER_ID": "2", "GITEA_PR_ID": "0", "GITEA_PR_INDEX": "0",
		"SSH_ORIGINAL_COMMAND": "receive-pack",
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

// TestPullRequestRefs: Gitea's own pushes of refs/pull/N/head are recorded
// and never rejected (Gitea would turn a refusal into an empty HTTP 500),
// and a commit that only a pull request ref holds is checked again when it
// enters a branch (before, the existing refs/pull ref counted as a check).
func TestPullRequestRefs(t *testing.T) {
	r := newRepo(t)
	base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
	r.git("update-ref", "refs/heads/main", base)
	secret := r.commit(base, "secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})

	internal := giteaEnv("GITEA_INTERNAL_PUSH", "true", "SSH_ORIGINAL_COMMAND", "gitea-internal")
	o, out := r.runEnv(internal, zero+" "+secret+" refs/pull/1/head\n")
	if o.Code != ExitOK || o.Event.Decision != audit.DecisionWarned {
		t.Fatalf("internal refs/pull push: code %d decision %q, want accepted with warnings\n%s", o.Code, o.Event.Decision, out)
	}
	if n := findingCount(o.Event, "aws-access-key-id"); n == 0 {
		t.Errorf("internal refs/pull push: the finding is not recorded: %+v", o.Event.Findings)
	}
	if !strings.Contains(strings.Join(o.Event.Warnings, "\n"), "refs/pull/1/head: written by the platform for a pull request") {
		t.Errorf("no warning about the deferred check: %q", o.Event.Warnings)
	}

	// The same ref from an ordinary push is checked as usual.
	o, out = r.runEnv(giteaEnv(), zero+" "+secret+" refs/pull/1/head\n")
	if o.Code != ExitRejected {
		t.Fatalf("user push to refs/pull: code %d, want rejected\n%s", o.Code, out)
	}
	// So is any other internal push (web editor, repository initialisation).
	o, out = r.runEnv(internal, base+" "+secret+" refs/heads/main\n")
	if o.Code != ExitRejected {
		t.Fatalf("internal push to a branch: code %d, want rejected\n%s", o.Code, out)
	}

	// Gitea accepted the pull request ref; merging it (fast-forward) is
	// checked under main's policy although the repository holds the commit.
	// The configuration gives every ref the same rules (no rule with its
	// own refs: condition is enabled), so only the review-ref exception
	// keeps the existing refs/pull ref from counting as a check.
	r.git("update-ref", "refs/pull/1/head", secret)
	cfg := filepath.Join(t.TempDir(), "pushguard.yml")
	if err := os.WriteFile(cfg, []byte("scopes:\n  - name: all\n    refs: [\"refs/**\"]\n    rules: [\"*\", \"!ai-undeclared-protected-branch\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	merge := giteaEnv("GITEA_PR_ID", "7", "GITEA_PR_INDEX", "1", "GITEA_PUSH_TRIGGER", "pr-merge-to-base",
		"SSH_ORIGINAL_COMMAND", "gitea-internal", "PUSHGUARD_CONFIG", cfg)
	o, out = r.runEnv(merge, base+" "+secret+" refs/heads/main\n")
	if o.Code != ExitRejected {
		t.Fatalf("merge of a pull request ref into main: code %d, want rejected\n%s", o.Code, out)
	}
	if e := o.Event; e.PullRequest != "7" || e.PullRequestIndex != "1" || e.Trigger != "pr-merge-to-base" || !e.Internal {
		t.Errorf("event: pr_id %q pr_index %q trigger %q internal %v", e.PullRequest, e.PullRequestIndex, e.Trigger, e.Internal)
	}
	// A user who fetched the pull request ref and pushes it to main.
	o, out = r.runEnv(giteaEnv("PUSHGUARD_CONFIG", cfg), base+" "+secret+" refs/heads/main\n")
	if o.Code != ExitRejected {
		t.Fatalf("user push of a pull request ref's commit to main: code %d, want rejected\n%s", o.Code, out)
	}
	// A new branch at main adds nothing, review refs or not.
	o, out = r.runEnv(giteaEnv(), zero+" "+base+" refs/heads/topic\n")
	if o.Code != ExitOK || o.Event.NewCommits() != 0 {
		t.Fatalf("new branch at main: code %d, %d new commits\n%s", o.Code, o.Event.NewCommits(), out)
	}
}

func findingCount(e audit.Event, rule string) int {
	n := 0
	for _, f := range e.Findings {
		if f.Rule == rule {
			n += f.Count
		}
	}
	return n
}

// TestDeployKeyAndCompanion: a deploy-key push is audited as the key, with
// the owner Gitea names kept apart; the event says when the post-receive
// companion is installed.
func TestDeployKeyAndCompanion(t *testing.T) {
	r := newRepo(t)
	base := r.commit("", "base", map[string]string{"README.md": "hi\n"})
	env := giteaEnv("GITEA_PUSHER_NAME", "acme", "GITEA_DEPLOY_KEY_ID", "5", "SSH_ORIGINAL_COMMAND", "git-receive-pack 'acme/api.git'")
	o, out := r.runEnv(env, zero+" "+base+" refs/heads/main\n")
	if o.Code != ExitOK {
		t.Fatalf("code %d\n%s", o.Code, out)
	}
	if e := o.Event; e.Pusher != "deploy-key:5" || e.KeyOwner != "acme" || e.Protocol != "ssh" || e.PostReceive {
		t.Errorf("event: pusher %q key_owner %q protocol %q post_receive %v", e.Pusher, e.KeyOwner, e.Protocol, e.PostReceive)
	}

	tests := []struct {
		name    string
		path    string
		body    string
		mode    os.FileMode
		want    bool
		envPath bool
	}{
		{"gitea post-receive.d", "hooks/post-receive.d/pushguard", "#!/bin/sh\n" + PostReceiveMarker + "\nexec pushguard post-receive\n", 0o755, true, false},
		{"plain post-receive", "hooks/post-receive", "#!/bin/sh\n" + PostReceiveMarker + "\nexec pushguard post-receive\n", 0o755, true, false},
		{"not executable", "hooks/post-receive", "#!/bin/sh\n" + PostReceiveMarker + "\n", 0o644, false, false},
		{"someone else's post-receive", "hooks/post-receive", "#!/bin/sh\necho hi\n", 0o755, false, false},
		{"named by the environment (GitLab)", "custom/post-receive.d/pushguard", "#!/bin/sh\n" + PostReceiveMarker + "\n", 0o755, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, tc.path)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(tc.body), tc.mode); err != nil {
				t.Fatal(err)
			}
			getenv := func(k string) string {
				if k == PostReceiveEnv && tc.envPath {
					return p
				}
				return ""
			}
			if got := postReceiveInstalled(dir, getenv); got != tc.want {
				t.Errorf("postReceiveInstalled = %v, want %v", got, tc.want)
			}
		})
	}
}
