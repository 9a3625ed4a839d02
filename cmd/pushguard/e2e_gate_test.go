package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests in this file are issue 10's ways around the gate, each as a
// hostile pusher would try it with a real `git push`: per-ref policy,
// permanent conditions, identity, bypass reasons, audit counts and signals.

// relaxedScopes are server configurations under which refs/heads/aaa/*
// (sorting before refs/heads/main) is relaxed for secrets and main is not.
var relaxedScopes = map[string]string{
	"audit mode":            "scopes:\n  - name: sandbox\n    refs: [\"refs/heads/aaa/**\"]\n    mode: audit\n",
	"rules without secrets": "scopes:\n  - name: sandbox\n    refs: [\"refs/heads/aaa/**\"]\n    rules: [\"!tag:secret\"]\n",
}

func TestRelaxedRefInTheSamePushDoesNotLetASecretOntoMain(t *testing.T) {
	for name, body := range relaxedScopes {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.installHook("--config", writeServerConfig(t, t.TempDir(), body))
			w.commit("base", map[string]string{"README.md": "hi\n"})
			w.mustAccept(w.push("main"))
			w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
			w.git(w.client, "branch", "aaa/try")
			p := w.push("aaa/try", "main")
			w.mustReject(p)
			if !strings.Contains(p.remote(), "refs/heads/main") {
				t.Errorf("the rejection does not name main:\n%s", p.remote())
			}
			if w.serverRef("refs/heads/main") == w.git(w.client, "rev-parse", "HEAD") {
				t.Error("main moved")
			}
		})
	}
}

func TestRelaxedRefFirstThenMainIsStillChecked(t *testing.T) {
	for name, body := range relaxedScopes {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.installHook("--config", writeServerConfig(t, t.TempDir(), body))
			w.commit("base", map[string]string{"README.md": "hi\n"})
			w.mustAccept(w.push("main"))
			w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
			w.mustAccept(w.push("HEAD:refs/heads/aaa/try"))
			p := w.push("main")
			w.mustReject(p)
			if !strings.Contains(p.remote(), "aws-access-key-id") {
				t.Errorf("the rejection does not name the rule:\n%s", p.remote())
			}
		})
	}
}

func TestRuleRefsConditionAppliesToCommitsEnteringTheRef(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "main-only.yml")
	if err := os.WriteFile(rules, []byte(`rules:
  - id: no-debug-on-main
    severity: block
    message: Debug switches must not reach main
    refs: {include: ["refs/heads/main"]}
    content: {regex: 'DEBUG_BACKDOOR', keywords: [DEBUG_BACKDOOR]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	w.installHook("--rules", rules)
	w.commit("base", map[string]string{"README.md": "hi\n"})
	w.mustAccept(w.push("main"))
	w.commit("debug", map[string]string{"app.cfg": "DEBUG_BACKDOOR=1\n"})
	w.mustAccept(w.push("HEAD:refs/heads/feature"))
	// The same commit entering main, alone and together with another ref.
	p := w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "no-debug-on-main") {
		t.Errorf("rule not named:\n%s", p.remote())
	}
	w.mustReject(w.push("HEAD:refs/heads/feature2", "main"))
	// A new branch on the same commit is not main: accepted.
	w.mustAccept(w.push("HEAD:refs/heads/feature3"))
}

func TestSameCommitOnAnEquallyStrictRefIsNotRescanned(t *testing.T) {
	// The cheap path: commits already reachable from a ref with the same
	// policy need no rescan, so a secret that predates the hook on one
	// branch does not block a new branch made from it.
	w := newWorld(t)
	w.commit("legacy", map[string]string{"old.env": "K=" + fakeAWSKey + "\n"})
	w.mustAccept(w.push("main"))
	w.installHook()
	w.mustAccept(w.push("HEAD:refs/heads/copy"))
}

func TestSHA256RepositoryAlwaysRejects(t *testing.T) {
	if out, err := exec.Command("git", "init", "-q", "--bare", "--object-format=sha256", filepath.Join(t.TempDir(), "probe.git")).CombinedOutput(); err != nil {
		t.Skipf("this git cannot make SHA-256 repositories: %v %s", err, out)
	}
	w := newWorld(t)
	root := t.TempDir()
	w.server = filepath.Join(root, "server256.git")
	w.git(root, "init", "-q", "--bare", "--object-format=sha256", "-b", "main", w.server)
	w.client = filepath.Join(root, "client256")
	w.git(root, "init", "-q", "--object-format=sha256", "-b", "main", w.client)
	w.git(w.client, "remote", "add", "origin", w.server)
	w.installHook("--config", writeServerConfig(t, t.TempDir(), "on_error: accept\n"))
	w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	p := w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "SHA-256") {
		t.Errorf("the rejection does not say why:\n%s", p.remote())
	}
}

func TestAuditCountsEachNewCommitOnce(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	w.installHook("--config", writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logPath+"\n"))
	w.commit("Add a\n\nCo-Authored-By: Claude <noreply@anthropic.com>", map[string]string{"a.py": "x = 1\n"})
	w.mustAccept(w.push("main"))
	ev := auditEvents(t, logPath)
	if len(ev) != 1 {
		t.Fatalf("want 1 event, got %d", len(ev))
	}
	if n, _ := ev[0]["new_commits"].(float64); n != 1 {
		t.Errorf("new_commits = %v, want 1 for a one-commit push", ev[0]["new_commits"])
	}
	if n, _ := ev[0]["ai_commits"].(float64); n != 1 {
		t.Errorf("ai_commits = %v, want 1", ev[0]["ai_commits"])
	}
}

func TestSIGTERMLeavesAnInterruptedEventAndRejects(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	cfg := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logPath+"\n")
	// The hook's stdin stays open after the ref lines (as when a platform
	// is slow), and the platform cancels the hook with SIGTERM.
	script := "#!/bin/sh\n{ cat; sleep 5; } 2>/dev/null | " + shellQuote(binPath) + " pre-receive --config " + shellQuote(cfg) + " &\n" +
		"pid=$!\nsleep 1\nkill -TERM $pid\nwait $pid\n"
	if err := os.WriteFile(filepath.Join(w.server, "hooks", "pre-receive"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	w.commit("clean", map[string]string{"a.txt": "a\n"})
	p := w.push("main")
	w.mustReject(p)
	ev := auditEvents(t, logPath)
	if len(ev) != 1 || ev[0]["decision"] != "interrupted" {
		t.Fatalf("want one interrupted event, got %v", ev)
	}
	if !strings.Contains(p.remote(), "interrupted") {
		t.Errorf("the pusher is not told:\n%s", p.remote())
	}
}

func TestConfiguredPusherEnvWinsOverPlatformVariables(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, "pusher_env: PUSHGUARD_TEST_PUSHER\nbypass:\n  allowed_pushers: [\"alice\"]\n  min_reason_length: 10\n")
	w := newWorld(t)
	w.env = append(w.env, "PUSHGUARD_TEST_PUSHER=mallory")
	w.git(w.server, "config", "receive.advertisePushOptions", "true")
	w.installHook("--config", cfg)
	w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	// mallory sets a GitLab variable naming alice in the hook environment.
	p := w.pushWith("env GL_USERNAME=alice GL_ID=user-1 git-receive-pack", "-o", "pushguard.bypass=incident 4711: key is revoked", "main")
	w.mustReject(p)
	if strings.Contains(p.remote(), "alice") {
		t.Errorf("the pusher became alice:\n%s", p.remote())
	}
}

func TestBypassReasonNeedsVisibleCharacters(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, "pusher_env: PUSHGUARD_TEST_PUSHER\nbypass:\n  allowed_pushers: [\"alice\"]\n  min_reason_length: 10\n")
	for name, reason := range map[string]string{
		"zero-width spaces":  strings.Repeat("\u200b", 12),
		"control characters": strings.Repeat("\x01", 12),
		"spaces and a word":  "ok" + strings.Repeat("\u2003", 12),
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.env = append(w.env, "PUSHGUARD_TEST_PUSHER=alice")
			w.git(w.server, "config", "receive.advertisePushOptions", "true")
			w.installHook("--config", cfg)
			w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
			p := w.push("-o", "pushguard.bypass="+reason, "main")
			w.mustReject(p)
			if !strings.Contains(p.remote(), "Bypass refused") {
				t.Errorf("refusal not explained:\n%s", p.remote())
			}
		})
	}
}

// pushWith pushes with another receive-pack command line (to set platform
// variables in the hook's environment, as the acceptance checks do).
func (w *world) pushWith(receivePack string, args ...string) pushResult {
	w.t.Helper()
	out, err := w.gitErr(w.client, append([]string{"push", "--porcelain", "--receive-pack=" + receivePack, "origin"}, args...)...)
	return pushResult{out: out, err: err}
}

func TestSuppressionIsAnAuditRecord(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	w.installHook("--rules", writeServerConfig(t, t.TempDir(), holeRules),
		"--config", writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logPath+"\n"))
	w.commit("fixture", map[string]string{"app/config.py": "# pushguard:allow demo-token -- reviewed fixture, never issued\nFIXTURE = 'demo_tok_abcd1234'\n"})
	w.mustAccept(w.push("main"))
	ev := auditEvents(t, logPath)
	if len(ev) != 1 {
		t.Fatalf("want 1 event, got %d", len(ev))
	}
	sup, _ := ev[0]["suppressions"].([]any)
	if len(sup) != 1 {
		t.Fatalf("suppressions = %v, want one record", ev[0]["suppressions"])
	}
	s, _ := sup[0].(map[string]any)
	for k, want := range map[string]any{"rule": "demo-token", "path": "app/config.py", "line": float64(2), "reason": "reviewed fixture, never issued"} {
		if s[k] != want {
			t.Errorf("suppression %s = %v, want %v", k, s[k], want)
		}
	}
	if c, _ := s["commit"].(string); len(c) != 40 {
		t.Errorf("suppression commit = %v", s["commit"])
	}
}
