package gitea_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// row is one line of the outcome table the suite prints.
type row struct {
	scenario, pusher, protocol, pr, trigger, decision, outcome, note string
}

// TestGitea runs every scenario in order on one server (they share the
// organisation's repository) and prints the outcome table.
func TestGitea(t *testing.T) {
	s := srv
	var table []row
	record := func(t *testing.T, scenario string, e event, log []event, i int, note string) {
		t.Helper()
		table = append(table, row{scenario, e.Pusher, e.Protocol, e.PRID, e.Trigger, e.Decision, outcome(log, i), note})
	}
	defer func() {
		var b strings.Builder
		fmt.Fprintf(&b, "\n| scenario | pusher | protocol | pr_id | trigger | pushguard | final outcome | user sees |\n|---|---|---|---|---|---|---|---|\n")
		for _, r := range table {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.scenario, r.pusher, r.protocol, r.pr, r.trigger, r.decision, r.outcome, r.note)
		}
		fmt.Print(b.String())
		if p := os.Getenv("PUSHGUARD_GITEA_TABLE"); p != "" {
			_ = os.WriteFile(p, []byte(b.String()), 0o644)
		}
	}()

	// The organisation's repository, created after pushguard was
	// installed: its hooks come from the template.
	s.mustAPI(t, "POST", "/orgs", admin, map[string]any{"username": org, "visibility": "public"}, 201)
	s.mustAPI(t, "POST", "/orgs/"+org+"/repos", admin, map[string]any{"name": "api", "auto_init": true, "default_branch": "main"}, 201)
	s.mustAPI(t, "PATCH", "/repos/"+org+"/api", admin, map[string]any{
		"allow_merge_commits": true, "allow_squash_merge": true, "allow_fast_forward_only_merge": true, "allow_rebase": true, "has_wiki": true,
	}, 200)
	s.mustAPI(t, "PUT", "/repos/"+org+"/api/collaborators/"+dev, admin, map[string]any{"permission": "write"}, 204)
	hooks := filepath.Join(s.repos, org, "api.git", "hooks")
	for _, h := range []string{"pre-receive.d/pushguard", "post-receive.d/pushguard", "pre-receive.d/gitea"} {
		if _, err := os.Stat(filepath.Join(hooks, h)); err != nil {
			t.Fatalf("a repository created after install lacks hooks/%s: %v", h, err)
		}
	}
	rootClone := s.newClone(t, admin, org+"/api")

	t.Run("clean HTTP push", func(t *testing.T) {
		n := len(s.auditLog(t))
		rootClone.commit("add service", map[string]string{"main.go": "package main\n\nfunc main() {}\n"})
		if out, ok := rootClone.push("origin", "main"); !ok {
			t.Fatalf("clean push refused:\n%s", out)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		want(t, e, event{Pusher: admin, Protocol: "http", Decision: "accepted", PostReceive: true, Repo: org + "/api", Platform: "gitea"})
		if o := outcome(log, i); o != "landed" {
			t.Errorf("outcome %q, want landed", o)
		}
		record(t, "clean push over HTTP", e, log, i, "accepted")
	})

	t.Run("bad HTTP push", func(t *testing.T) {
		n := len(s.auditLog(t))
		rootClone.commit("add settings", map[string]string{"settings.ini": "aws_access_key_id = " + fakeKey + "\n"})
		out, ok := rootClone.push("origin", "main")
		if ok || !strings.Contains(out, "aws-access-key-id") || !strings.Contains(out, "pre-receive hook declined") {
			t.Fatalf("push with a key: ok=%v\n%s", ok, out)
		}
		if strings.Contains(out, fakeKey) {
			t.Errorf("the report echoes the key:\n%s", out)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		want(t, e, event{Pusher: admin, Protocol: "http", Decision: "rejected"})
		record(t, "push with an AWS key over HTTP", e, log, i, "remote: report, pre-receive hook declined")
		rootClone.git("reset", "-q", "--hard", "HEAD~1")
	})

	t.Run("API create and update a file with a key", func(t *testing.T) {
		for _, tc := range []struct{ name, method, file string }{
			{"create", "POST", "new.env"},
			{"update", "PUT", "main.go"},
		} {
			n := len(s.auditLog(t))
			body := map[string]any{"content": base64.StdEncoding.EncodeToString([]byte("KEY=" + fakeKey + "\n")), "message": tc.name + " with a key", "branch": "main"}
			if tc.method == "PUT" {
				var f struct {
					SHA string `json:"sha"`
				}
				_ = json.Unmarshal(s.mustAPI(t, "GET", "/repos/"+org+"/api/contents/"+tc.file+"?ref=main", admin, nil, 200), &f)
				body["sha"] = f.SHA
			}
			code, out := s.api(t, tc.method, "/repos/"+org+"/api/contents/"+tc.file, dev, body)
			if code != 403 || !strings.Contains(string(out), "aws-access-key-id") || strings.Contains(string(out), fakeKey) {
				t.Errorf("API %s: HTTP %d, want 403 with the report (and not the key): %s", tc.name, code, out)
			}
			log := s.auditLog(t)
			e, i := last(t, log, n)
			want(t, e, event{Pusher: dev, Decision: "rejected"})
			record(t, "REST API file "+tc.name+" with a key", e, log, i, fmt.Sprintf("HTTP %d, report in the body", code))
		}
	})

	t.Run("AI commit changing CI", func(t *testing.T) {
		const ci = ".gitea/workflows/ci.yml"
		for _, tc := range []struct {
			name, msg, decision string
			pushed              bool
		}{
			{"without review", "Add CI cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", "rejected", false},
			{"with review", "Add CI cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nReviewed-by: Carol <carol@example.com>\n", "", true},
		} {
			n := len(s.auditLog(t))
			rootClone.commit(tc.msg, map[string]string{ci: "on: [push]\njobs: {}\n# " + tc.name + "\n"})
			out, ok := rootClone.push("origin", "main")
			if ok != tc.pushed {
				t.Fatalf("%s: pushed=%v\n%s", tc.name, ok, out)
			}
			if !ok && !strings.Contains(out, "ai-ci-change-unreviewed") {
				t.Errorf("%s: the report does not name the rule:\n%s", tc.name, out)
			}
			log := s.auditLog(t)
			e, i := last(t, log, n)
			if tc.decision != "" && e.Decision != tc.decision {
				t.Errorf("%s: decision %q", tc.name, e.Decision)
			}
			if ok && !strings.HasPrefix(e.Decision, "accepted") {
				t.Errorf("%s: decision %q", tc.name, e.Decision)
			}
			record(t, "AI commit changing CI, "+tc.name, e, log, i, map[bool]string{true: "accepted", false: "remote: ai-ci-change-unreviewed"}[ok])
			if !ok {
				rootClone.git("reset", "-q", "--hard", "HEAD~1")
			}
		}
	})

	t.Run("bypass option", func(t *testing.T) {
		n := len(s.auditLog(t))
		rootClone.commit("rotate fixture", map[string]string{"fixtures/key.txt": "id = " + fakeKey + "\n"})
		out, ok := rootClone.push("-o", "pushguard.bypass=revoked key kept as a fixture, SEC-1", "origin", "main")
		if !ok {
			t.Fatalf("bypass by an allowed pusher refused:\n%s", out)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		if e.Bypass == nil || !e.Bypass.Used || e.Decision != "accepted with warnings" {
			t.Errorf("bypass event: %+v", e)
		}
		record(t, "break-glass bypass by an allowed pusher", e, log, i, "accepted, bypass recorded as used")

		// Someone not allowed: refused, whatever the reason.
		n = len(s.auditLog(t))
		bob := s.newClone(t, dev, org+"/api")
		bob.git("checkout", "-q", "-b", "hotfix")
		bob.commit("hotfix", map[string]string{"hot.env": "K=" + fakeKey + "\n"})
		out, ok = bob.push("-o", "pushguard.bypass=please let me through now", "origin", "hotfix:main")
		if ok {
			t.Fatalf("bypass by a pusher not allowed went through:\n%s", out)
		}
		log = s.auditLog(t)
		e, i = last(t, log, n)
		if e.Bypass == nil || e.Bypass.Used || e.Decision != "rejected" {
			t.Errorf("refused bypass event: %+v", e)
		}
		record(t, "bypass asked by a pusher not allowed", e, log, i, "rejected, bypass refused")
	})

	t.Run("platform refuses after pushguard accepted", func(t *testing.T) {
		// main is protected: only root may push. bob's clean push passes
		// pushguard and is refused by Gitea's own hook.
		s.mustAPI(t, "POST", "/repos/"+org+"/api/branch_protections", admin, map[string]any{
			"rule_name": "main", "enable_push": true, "enable_push_whitelist": true, "push_whitelist_usernames": []string{admin},
			"push_whitelist_deploy_keys": true,
		}, 201)
		n := len(s.auditLog(t))
		bob := s.newClone(t, dev, org+"/api")
		bob.commit("docs", map[string]string{"DOCS.md": "docs\n"})
		out, ok := bob.push("origin", "main")
		if ok {
			t.Fatalf("push to a protected branch went through:\n%s", out)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		want(t, e, event{Pusher: dev, Decision: "accepted", PostReceive: true})
		if o := outcome(log, i); o != "refused by the platform" {
			t.Errorf("outcome %q, want refused by the platform", o)
		}
		record(t, "clean push to a protected branch, pusher not allowed", e, log, i, "refused by Gitea (protected branch)")
	})

	// Pull requests into the protected main from a branch pushed with a
	// finding while unscoped (audit mode): every merge style is refused.
	mainTip := strings.TrimSpace(rootClone.git("rev-parse", "HEAD"))
	for i, style := range []string{"merge", "squash", "fast-forward-only"} {
		t.Run("PR merge "+style, func(t *testing.T) {
			branch := "feature-" + style
			rootClone.git("checkout", "-q", "-b", branch, mainTip)
			rootClone.commit("feature "+style, map[string]string{fmt.Sprintf("feature%d.env", i): "KEY=" + fakeKey + "\n"})
			n := len(s.auditLog(t))
			if out, ok := rootClone.push("origin", branch); !ok {
				t.Fatalf("push to the unscoped branch refused:\n%s", out)
			}
			log := s.auditLog(t)
			e, j := last(t, log, n)
			if e.Decision != "accepted with warnings" || e.finding("aws-access-key-id") == 0 {
				t.Errorf("feature push: %+v", e)
			}
			record(t, "push with a key to an unscoped branch ("+style+")", e, log, j, "accepted with the finding (audit mode)")
			rootClone.git("checkout", "-q", "main")

			pr := s.openPR(t, admin, org+"/api", branch, "main")
			n = len(s.auditLog(t))
			code, out := s.merge(t, admin, org+"/api", pr, style)
			if code == 200 || !strings.Contains(out, "aws-access-key-id") {
				t.Fatalf("merge %s: HTTP %d, want a refusal with the report: %s", style, code, out)
			}
			log = s.auditLog(t)
			idx := pushEvents(log, n)
			if len(idx) == 0 {
				t.Fatal("no audit event for the merge")
			}
			e = log[idx[len(idx)-1]]
			want(t, e, event{Pusher: admin, Decision: "rejected", Internal: true, Trigger: "pr-merge-to-base"})
			if e.PRID == "" || e.PRID == "0" {
				t.Errorf("merge event has no pr_id: %+v", e)
			}
			record(t, "PR "+style+" into protected main", e, log, idx[len(idx)-1], fmt.Sprintf("HTTP %d, report in the message", code))
		})
	}

	t.Run("PR from a fork", func(t *testing.T) {
		s.mustAPI(t, "POST", "/repos/"+org+"/api/forks", dev, map[string]any{}, 202)
		fork := dev + "/api"
		for _, h := range []string{"pre-receive.d/pushguard", "post-receive.d/pushguard"} {
			if _, err := os.Stat(filepath.Join(s.repos, dev, "api.git", "hooks", h)); err != nil {
				t.Fatalf("the fork lacks hooks/%s: %v", h, err)
			}
		}
		bob := s.newClone(t, dev, fork)
		// The fork's main is protected by pushguard like any other.
		bob.commit("leak", map[string]string{"leak.env": "K=" + fakeKey + "\n"})
		n := len(s.auditLog(t))
		out, ok := bob.push("origin", "main")
		if ok || !strings.Contains(out, "aws-access-key-id") {
			t.Fatalf("push with a key to the fork's main: ok=%v\n%s", ok, out)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		want(t, e, event{Pusher: dev, Repo: fork, Decision: "rejected"})
		record(t, "push with a key to a fork's main", e, log, i, "remote: report")
		// On a branch of the fork (audit mode) it goes in, and bob opens a
		// pull request: Gitea pushes refs/pull/N/head into acme/api.
		bob.git("checkout", "-q", "-b", "leak")
		if out, ok := bob.push("origin", "leak"); !ok {
			t.Fatalf("push to the fork's branch:\n%s", out)
		}
		n = len(s.auditLog(t))
		pr := s.openPR(t, dev, org+"/api", dev+":leak", "main")
		log = s.auditLog(t)
		var found bool
		for _, j := range pushEvents(log, n) {
			e := log[j]
			if e.Repo == org+"/api" && len(e.Refs) == 1 && strings.HasPrefix(e.Refs[0].Name, "refs/pull/") {
				found = true
				want(t, e, event{Internal: true, Decision: "accepted with warnings"})
				if e.finding("aws-access-key-id") == 0 {
					t.Errorf("refs/pull push: finding not recorded: %+v", e)
				}
				record(t, "Gitea pushes refs/pull/N/head of a fork's PR", e, log, j, "HTTP 201: PR opened (not an empty 500)")
			}
		}
		if !found {
			t.Errorf("no audit event for refs/pull/*/head")
		}
		n = len(s.auditLog(t))
		code, out := s.merge(t, admin, org+"/api", pr, "merge")
		if code == 200 || !strings.Contains(out, "aws-access-key-id") {
			t.Fatalf("merge of the fork's PR: HTTP %d: %s", code, out)
		}
		log = s.auditLog(t)
		idx := pushEvents(log, n)
		e = log[idx[len(idx)-1]]
		want(t, e, event{Decision: "rejected", Trigger: "pr-merge-to-base"})
		record(t, "merge of the fork's PR into main", e, log, idx[len(idx)-1], fmt.Sprintf("HTTP %d, report in the message", code))
	})

	t.Run("wiki", func(t *testing.T) {
		// The first page creates the wiki repository (git init: template).
		s.mustAPI(t, "POST", "/repos/"+org+"/api/wiki/new", admin, map[string]any{
			"title": "Home", "content_base64": base64.StdEncoding.EncodeToString([]byte("Welcome\n")),
		}, 201)
		if _, err := os.Stat(filepath.Join(s.repos, org, "api.wiki.git", "hooks", "pre-receive.d", "pushguard")); err != nil {
			t.Fatalf("the wiki lacks pushguard: %v", err)
		}
		w := s.newClone(t, admin, org+"/api.wiki")
		branch := strings.TrimSpace(w.git("rev-parse", "--abbrev-ref", "HEAD"))
		w.commit("setup notes", map[string]string{"Setup.md": "aws_access_key_id = " + fakeKey + "\n"})
		n := len(s.auditLog(t))
		out, ok := w.push("origin", branch)
		if ok || !strings.Contains(out, "aws-access-key-id") {
			t.Fatalf("wiki push with a key (branch %s): ok=%v\n%s", branch, ok, out)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		want(t, e, event{Repo: org + "/api.wiki", Decision: "rejected"})
		record(t, "wiki push with a key over HTTP", e, log, i, "remote: report")

		// Through the API, as a non-admin: refused; Gitea's API answers
		// 500 and, in production mode, shows the message only to admins.
		n = len(s.auditLog(t))
		code, body := s.api(t, "POST", "/repos/"+org+"/api/wiki/new", dev, map[string]any{
			"title": "Keys", "content_base64": base64.StdEncoding.EncodeToString([]byte("id " + fakeKey + "\n")),
		})
		if code/100 == 2 {
			t.Fatalf("wiki page with a key created: HTTP %d %s", code, body)
		}
		log = s.auditLog(t)
		e, i = last(t, log, n)
		want(t, e, event{Pusher: dev, Decision: "rejected"})
		record(t, "wiki page with a key through the API (non-admin)", e, log, i, fmt.Sprintf("HTTP %d %s", code, strings.TrimSpace(string(body))))
	})

	t.Run("new repository after install", func(t *testing.T) {
		s.mustAPI(t, "POST", "/user/repos", dev, map[string]any{"name": "fresh", "auto_init": true, "default_branch": "main"}, 201)
		c := s.newClone(t, dev, dev+"/fresh")
		c.commit("oops", map[string]string{"k.env": "K=" + fakeKey + "\n"})
		n := len(s.auditLog(t))
		out, ok := c.push("origin", "main")
		if ok || !strings.Contains(out, "aws-access-key-id") {
			t.Fatalf("push to a new repository: ok=%v\n%s", ok, out)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		want(t, e, event{Repo: dev + "/fresh", Decision: "rejected"})
		record(t, "push with a key to a repository created after install", e, log, i, "remote: report")
	})

	t.Run("existing repository without the hook, then --gitea-root", func(t *testing.T) {
		s.mustAPI(t, "POST", "/user/repos", dev, map[string]any{"name": "legacy", "auto_init": true, "default_branch": "main"}, 201)
		hooks := filepath.Join(s.repos, dev, "legacy.git", "hooks")
		for _, h := range []string{"pre-receive.d/pushguard", "post-receive.d/pushguard"} {
			if err := os.Remove(filepath.Join(hooks, h)); err != nil {
				t.Fatal(err)
			}
		}
		out, err := exec.Command(s.pg, "install", "--gitea-root", s.repos, "--config", s.pgConfig, "--binary", s.pg).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "installed "+filepath.Join(hooks, "pre-receive.d", "pushguard")) {
			t.Fatalf("install --gitea-root: %v\n%s", err, out)
		}
		c := s.newClone(t, dev, dev+"/legacy")
		c.commit("oops", map[string]string{"k.env": "K=" + fakeKey + "\n"})
		n := len(s.auditLog(t))
		if pout, ok := c.push("origin", "main"); ok || !strings.Contains(pout, "aws-access-key-id") {
			t.Fatalf("push after --gitea-root: ok=%v\n%s", ok, pout)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		record(t, "existing repository after install --gitea-root", e, log, i, "remote: report")
	})

	t.Run("deploy key", func(t *testing.T) {
		// On a repository of root, who may break glass: Gitea names the
		// owner as the pusher of a deploy-key push.
		s.mustAPI(t, "POST", "/user/repos", admin, map[string]any{"name": "tools", "auto_init": true, "default_branch": "main"}, 201)
		repo := admin + "/tools"
		key := sshPublicKey()
		var dk struct {
			ID int64 `json:"id"`
		}
		_ = json.Unmarshal(s.mustAPI(t, "POST", "/repos/"+repo+"/keys", admin, map[string]any{"title": "ci", "key": key, "read_only": false}, 201), &dk)
		sshCmd := s.fakeSSH(t, key)
		c := s.newClone(t, admin, repo)
		c.env = append(c.env, "GIT_SSH="+sshCmd, "GIT_SSH_VARIANT=simple")
		c.git("remote", "add", "deploy", "ssh://git@127.0.0.1/"+repo+".git")
		c.git("checkout", "-q", "-b", "release")
		c.commit("release notes", map[string]string{"RELEASE.md": "1.0\n"})
		n := len(s.auditLog(t))
		if out, ok := c.push("deploy", "release"); !ok {
			t.Fatalf("deploy key push:\n%s", out)
		}
		log := s.auditLog(t)
		e, i := last(t, log, n)
		want(t, e, event{Pusher: fmt.Sprintf("deploy-key:%d", dk.ID), KeyOwner: admin, Protocol: "ssh", Decision: "accepted"})
		record(t, "deploy key push (ssh)", e, log, i, "accepted")

		// The owner may break glass; the deploy key may not.
		c.commit("key", map[string]string{"k.env": "K=" + fakeKey + "\n"})
		n = len(s.auditLog(t))
		out, ok := c.push("-o", "pushguard.bypass=owner said this is fine", "deploy", "release:main")
		if ok {
			t.Fatalf("deploy key broke glass:\n%s", out)
		}
		log = s.auditLog(t)
		e, i = last(t, log, n)
		if e.Bypass == nil || e.Bypass.Used || !strings.HasPrefix(e.Pusher, "deploy-key:") || e.Bypass.Refusal == "" {
			t.Errorf("deploy key bypass event: %+v", e)
		}
		record(t, "deploy key of a bypass-allowed owner asks for a bypass", e, log, i, "rejected, bypass refused")
		// The owner himself, same commit, same option: allowed.
		c.git("remote", "set-url", "origin", s.remote(admin, repo))
		n = len(s.auditLog(t))
		if out, ok := c.push("-o", "pushguard.bypass=owner said this is fine", "origin", "release:main"); !ok {
			t.Fatalf("the owner's bypass was refused:\n%s", out)
		}
		log = s.auditLog(t)
		e, i = last(t, log, n)
		if e.Bypass == nil || !e.Bypass.Used || e.Pusher != admin {
			t.Errorf("owner bypass event: %+v", e)
		}
		record(t, "the owner asks for the same bypass", e, log, i, "accepted, bypass recorded as used")
	})

	t.Run("stats", func(t *testing.T) {
		out, err := exec.Command(s.pg, "stats", "--audit-log", s.audit, "--format", "json").CombinedOutput()
		if err != nil {
			t.Fatalf("stats: %v\n%s", err, out)
		}
		var st struct {
			Pushes, Landed, Refused, Unknown int
		}
		var raw map[string]any
		if err := json.Unmarshal(out, &raw); err != nil {
			t.Fatalf("stats json: %v\n%s", err, out)
		}
		st.Pushes, st.Landed = int(raw["pushes"].(float64)), int(raw["landed"].(float64))
		st.Refused, st.Unknown = int(raw["refused_by_platform"].(float64)), int(raw["outcome_unknown"].(float64))
		log := s.auditLog(t)
		var landed, refused int
		for _, i := range pushEvents(log, 0) {
			switch outcome(log, i) {
			case "landed":
				landed++
			case "refused by the platform":
				refused++
			}
		}
		if st.Landed != landed || st.Refused != refused || st.Unknown != 0 || refused == 0 || landed == 0 {
			t.Errorf("stats: %+v; the log says %d landed, %d refused by the platform", st, landed, refused)
		}
		t.Logf("stats: %d pushes, %d landed, %d refused by the platform", st.Pushes, st.Landed, st.Refused)
	})
}

// last returns the last push event after the first n lines of the log.
func last(t *testing.T, log []event, n int) (event, int) {
	t.Helper()
	idx := pushEvents(log, n)
	if len(idx) == 0 {
		t.Fatalf("no new audit event (log has %d lines)", len(log))
	}
	i := idx[len(idx)-1]
	return log[i], i
}

// want compares the fields of w that are set.
func want(t *testing.T, got, w event) {
	t.Helper()
	check := func(name, g, w string) {
		if w != "" && g != w {
			t.Errorf("audit %s = %q, want %q (event %+v)", name, g, w, got)
		}
	}
	check("pusher", got.Pusher, w.Pusher)
	check("protocol", got.Protocol, w.Protocol)
	check("decision", got.Decision, w.Decision)
	check("repo", got.Repo, w.Repo)
	check("platform", got.Platform, w.Platform)
	check("trigger", got.Trigger, w.Trigger)
	check("key_owner", got.KeyOwner, w.KeyOwner)
	if w.Internal && !got.Internal {
		t.Errorf("audit internal = false, want true (event %+v)", got)
	}
	if w.PostReceive && !got.PostReceive {
		t.Errorf("audit post_receive = false, want true (event %+v)", got)
	}
}

// openPR opens a pull request and waits until Gitea has checked it.
func (s *server) openPR(t *testing.T, user, repo, head, base string) int {
	t.Helper()
	var pr struct {
		Number int `json:"number"`
	}
	body := s.mustAPI(t, "POST", "/repos/"+repo+"/pulls", user, map[string]any{"head": head, "base": base, "title": "PR " + head}, 201)
	if err := json.Unmarshal(body, &pr); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var st struct {
			Mergeable bool `json:"mergeable"`
		}
		_ = json.Unmarshal(s.mustAPI(t, "GET", fmt.Sprintf("/repos/%s/pulls/%d", repo, pr.Number), user, nil, 200), &st)
		if st.Mergeable {
			return pr.Number
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("pull request %d never became mergeable", pr.Number)
	return 0
}

// merge asks Gitea to merge a pull request with a style and returns the
// HTTP status and body.
func (s *server) merge(t *testing.T, user, repo string, pr int, style string) (int, string) {
	t.Helper()
	code, out := s.api(t, "POST", fmt.Sprintf("/repos/%s/pulls/%d/merge", repo, pr), user, map[string]any{"Do": style})
	return code, string(out)
}

// fakeSSH writes a GIT_SSH program that does what OpenSSH does for a key
// in Gitea's authorized_keys: run the forced command Gitea wrote there for
// the key ("gitea serv key-N"), with the client's command in
// SSH_ORIGINAL_COMMAND. The suite thus needs no ssh client or server.
func (s *server) fakeSSH(t *testing.T, key string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.work, "ssh", "authorized_keys"))
	if err != nil {
		t.Fatalf("Gitea wrote no authorized_keys: %v", err)
	}
	var forced string
	re := regexp.MustCompile(`^command="([^"]+)".* ` + regexp.QuoteMeta(strings.Fields(key)[1]))
	for _, line := range strings.Split(string(b), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			forced = m[1]
		}
	}
	if forced == "" {
		t.Fatalf("the key is not in authorized_keys:\n%s", b)
	}
	script := "#!/bin/sh\n# git runs: $0 [-p PORT] HOST COMMAND (GIT_SSH_VARIANT=simple)\n" +
		"for last; do :; done\n" +
		"export SSH_ORIGINAL_COMMAND=\"$last\" SSH_CONNECTION='127.0.0.1 50000 127.0.0.1 22'\n"
	for _, kv := range s.env() {
		k, v, _ := strings.Cut(kv, "=")
		script += "export " + k + "=" + shQuote(v) + "\n"
	}
	script += "exec /bin/sh -c " + shQuote(forced) + "\n"
	p := filepath.Join(t.TempDir(), "fake-ssh")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
