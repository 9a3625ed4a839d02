package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// writeConfig writes a server configuration into dir and returns its path.
func writeServerConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "pushguard.yml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// auditEvents reads every line of a JSON-lines audit log.
func auditEvents(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line is not JSON: %v\n%s", err, sc.Text())
		}
		events = append(events, e)
	}
	return events
}

func TestAuditLogAndEnforce(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	cfg := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logPath+"\n")
	w.installHook("--config", cfg)
	w.commit("clean", map[string]string{"a.txt": "a\n"})
	w.mustAccept(w.push("main"))
	w.commit("Co-authored-by bot\n\nCo-Authored-By: Claude <noreply@anthropic.com>", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	w.mustReject(w.push("main"))

	events := auditEvents(t, logPath)
	if len(events) != 2 {
		t.Fatalf("want 2 audit events, got %d", len(events))
	}
	if events[0]["decision"] != "accepted" || events[1]["decision"] != "rejected" {
		t.Errorf("decisions = %v, %v", events[0]["decision"], events[1]["decision"])
	}
	raw, _ := os.ReadFile(logPath)
	if strings.Contains(string(raw), fakeAWSKey) {
		t.Error("audit log contains the secret")
	}
	if !strings.Contains(string(raw), "aws-access-key-id") || !strings.Contains(string(raw), "claude-code") {
		t.Errorf("audit log lacks the finding or the AI tool:\n%s", raw)
	}
	if events[1]["ruleset_version"] != "embedded" {
		t.Errorf("ruleset_version = %v", events[1]["ruleset_version"])
	}
}

func TestAuditModeAcceptsAndRecords(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, "mode: audit\n")
	w.installHook("--config", cfg)
	w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	p := w.push("main")
	w.mustAccept(p)
	if !strings.Contains(p.remote(), "audit mode") || !strings.Contains(p.remote(), "aws-access-key-id") {
		t.Errorf("audit mode not explained:\n%s", p.remote())
	}
}

func TestScopedAuditModeByRef(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, "scopes:\n  - name: sandbox\n    refs: [\"refs/heads/sandbox/**\"]\n    mode: audit\n")
	w.installHook("--config", cfg)
	w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	w.git(w.client, "branch", "sandbox/try")
	w.mustReject(w.push("main"))
	p := w.push("sandbox/try")
	w.mustAccept(p)
	if !strings.Contains(p.remote(), "audit mode") {
		t.Errorf("audit-mode acceptance not explained:\n%s", p.remote())
	}
}

func TestBreakGlassBypass(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, `pusher_env: PUSHGUARD_TEST_PUSHER
bypass:
  allowed_pushers: ["alice"]
  min_reason_length: 10
  approvers: "ask #security-oncall"
rules:
  - embedded: true
  - path: `+filepath.Join(dir, "strict.yml")+`
`)
	if err := os.WriteFile(filepath.Join(dir, "strict.yml"), []byte(`rules:
  - id: no-prod-db-dump
    severity: block
    message: Production database dumps must never be pushed
    bypassable: false
    paths: {include: ["*.dump"]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	setup := func(pusher string) *world {
		w := newWorld(t)
		w.env = append(w.env, "PUSHGUARD_TEST_PUSHER="+pusher)
		w.git(w.server, "config", "receive.advertisePushOptions", "true")
		w.installHook("--config", cfg)
		w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
		return w
	}

	t.Run("allowed pusher with reason", func(t *testing.T) {
		w := setup("alice")
		p := w.push("-o", "pushguard.bypass=incident 4711: key is revoked already", "main")
		w.mustAccept(p)
		for _, want := range []string{"ACCEPTED BY BYPASS", "alice", "incident 4711"} {
			if !strings.Contains(p.remote(), want) {
				t.Errorf("output lacks %q:\n%s", want, p.remote())
			}
		}
	})
	t.Run("reason too short", func(t *testing.T) {
		w := setup("alice")
		p := w.push("-o", "pushguard.bypass=x", "main")
		w.mustReject(p)
		if !strings.Contains(p.remote(), "Bypass refused") || !strings.Contains(p.remote(), "at least 10") {
			t.Errorf("refusal not explained:\n%s", p.remote())
		}
	})
	t.Run("not allowed", func(t *testing.T) {
		w := setup("mallory")
		p := w.push("-o", "pushguard.bypass=I really want this in", "main")
		w.mustReject(p)
		if !strings.Contains(p.remote(), "not allowed") || !strings.Contains(p.remote(), "#security-oncall") {
			t.Errorf("refusal does not say who can approve:\n%s", p.remote())
		}
	})
	t.Run("non-bypassable rule", func(t *testing.T) {
		w := setup("alice")
		w.commit("dump", map[string]string{"prod.dump": "data\n"})
		p := w.push("-o", "pushguard.bypass=incident 4711: need it now", "main")
		w.mustReject(p)
		if !strings.Contains(p.remote(), "no-prod-db-dump cannot be bypassed") {
			t.Errorf("non-bypassable rule not named:\n%s", p.remote())
		}
	})
}

func TestGitLabWebPrefix(t *testing.T) {
	w := newWorld(t)
	w.env = append(w.env, "GL_PROTOCOL=web", "GL_USERNAME=dev", "GL_ID=user-1", "GL_PROJECT_PATH=group/app", "GL_REPOSITORY=project-1")
	w.installHook()
	w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
	p := w.push("main")
	w.mustReject(p)
	for _, l := range strings.Split(p.remote(), "\n") {
		if l != "" && !strings.HasPrefix(l, "GL-HOOK-ERR:") {
			t.Fatalf("line without GL-HOOK-ERR prefix: %q\n%s", l, p.remote())
		}
	}
}

func TestTimeBudgetFailsClosedOrOpen(t *testing.T) {
	for _, tc := range []struct {
		onError string
		accept  bool
	}{{"reject", false}, {"accept", true}} {
		t.Run(tc.onError, func(t *testing.T) {
			w := newWorld(t)
			cfg := writeServerConfig(t, t.TempDir(), "time_budget: 1ns\non_error: "+tc.onError+"\n")
			w.installHook("--config", cfg)
			w.commit("clean", map[string]string{"a.txt": "a\n"})
			p := w.push("main")
			if p.accepted() != tc.accept {
				t.Fatalf("accepted = %v, want %v:\n%s", p.accepted(), tc.accept, p.out)
			}
			if !strings.Contains(p.remote(), "time budget") {
				t.Errorf("message does not name the time budget:\n%s", p.remote())
			}
		})
	}
}

func TestBrokenConfigAndUnwritableAuditFailClosed(t *testing.T) {
	t.Run("invalid config", func(t *testing.T) {
		w := newWorld(t)
		cfg := writeServerConfig(t, t.TempDir(), "mdoe: audit\n")
		w.installHook("--config", cfg)
		w.commit("clean", map[string]string{"a.txt": "a\n"})
		p := w.push("main")
		w.mustReject(p)
		if !strings.Contains(p.remote(), "configuration is invalid") || !strings.Contains(p.remote(), "mdoe") {
			t.Errorf("config error not explained:\n%s", p.remote())
		}
	})
	for _, tc := range []struct {
		onError string
		accept  bool
	}{{"reject", false}, {"accept", true}} {
		t.Run("unwritable audit log, on_error "+tc.onError, func(t *testing.T) {
			w := newWorld(t)
			cfg := writeServerConfig(t, t.TempDir(), "on_error: "+tc.onError+"\naudit:\n  destination: file\n  path: /nonexistent-dir/audit.jsonl\n")
			w.installHook("--config", cfg)
			w.commit("clean", map[string]string{"a.txt": "a\n"})
			p := w.push("main")
			if p.accepted() != tc.accept {
				t.Fatalf("accepted = %v, want %v:\n%s", p.accepted(), tc.accept, p.out)
			}
			if !strings.Contains(p.remote(), "audit log") {
				t.Errorf("audit failure not explained:\n%s", p.remote())
			}
			if tc.accept {
				// Fail open still checks the push: a secret is rejected.
				w.commit("secret", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"})
				w.mustReject(w.push("main"))
			}
		})
	}
}

// TestPolicyRepository: rules live in a policy repository read from git
// objects; a push to that repository must carry rules that load and pass
// their tests.
func TestPolicyRepository(t *testing.T) {
	pol := newWorld(t) // the policy repository
	app := newWorld(t)
	cfg := writeServerConfig(t, t.TempDir(), "rules:\n  - embedded: true\n  - repo: "+pol.server+"\n    ref: refs/heads/main\n    dir: rules/\n")
	pol.installHook("--config", cfg)
	app.installHook("--config", cfg)

	good := `rules:
  - id: no-todo-fixme
    severity: block
    message: FIXME must not reach main
    content: {regex: 'FIXME', keywords: [fixme]}
    tests: {match: ["// FIXME later"], nomatch: ["// fixed"]}
`
	// The first policy push: the ref does not exist yet, so the rules are
	// read from the pushed commit; a broken file is refused.
	pol.commit("broken rules", map[string]string{"rules/team.yml": strings.Replace(good, "severity: block", "severity: blocker", 1)})
	p := pol.push("main")
	pol.mustReject(p)
	if !strings.Contains(p.remote(), "holds the pushguard rules") || !strings.Contains(p.remote(), "severity") {
		t.Errorf("broken policy not explained:\n%s", p.remote())
	}
	// A rule whose own test fails is refused too.
	pol.commit("failing test", map[string]string{"rules/team.yml": strings.Replace(good, `nomatch: ["// fixed"]`, `nomatch: ["// FIXME too"]`, 1)})
	p = pol.push("main")
	pol.mustReject(p)
	if !strings.Contains(p.remote(), "fail 1 of their own tests") {
		t.Errorf("failing rule test not reported:\n%s", p.remote())
	}
	pol.commit("good rules", map[string]string{"rules/team.yml": good})
	pol.mustAccept(pol.push("main"))

	// The application repository now enforces the policy repository's rule.
	app.commit("wip", map[string]string{"main.go": "package main // FIXME\n"})
	p = app.push("main")
	app.mustReject(p)
	if !strings.Contains(p.remote(), "no-todo-fixme") {
		t.Errorf("policy rule not enforced:\n%s", p.remote())
	}
}

// TestInlineSuppressionSwitchedOff: the server config can refuse inline
// suppression comments; the same push that an allow comment lets through
// is then rejected.
func TestInlineSuppressionSwitchedOff(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, "inline_suppression: false\n")
	w.installHook("--config", cfg)
	w.commit("fixture", map[string]string{
		"app/settings.py": "KEY = '" + fakeAWSKey + "'  # pushguard:allow aws-access-key-id -- documented test fixture\n",
	})
	p := w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "aws-access-key-id") {
		t.Errorf("finding not reported:\n%s", p.remote())
	}
	// With inline suppression on and the rule listed among the secret
	// rules a comment may suppress, the comment is honoured.
	w2 := newWorld(t)
	w2.installHook("--config", writeServerConfig(t, t.TempDir(), "inline_suppression:\n  enabled: true\n  secret_rules: [aws-access-key-id]\n"))
	w2.commit("fixture", map[string]string{
		"app/settings.py": "KEY = '" + fakeAWSKey + "'  # pushguard:allow aws-access-key-id -- documented test fixture\n",
	})
	p = w2.push("main")
	w2.mustAccept(p)
	if !strings.Contains(p.remote(), "suppressed inline") {
		t.Errorf("suppression not shown:\n%s", p.remote())
	}
}

// TestTwentyConcurrentPushesShareOneAuditLog: 20 hooks at once, into one
// repository (10 branches) and into 10 repositories, every other push
// carrying a secret; every decision is right and the shared audit log holds
// exactly one complete JSON line per push.
func TestTwentyConcurrentPushesShareOneAuditLog(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	cfg := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logPath+"\n")

	type job struct {
		w    *world
		ref  string
		bad  bool
		res  pushResult
		name string
	}
	var jobs []*job
	shared := newWorld(t)
	shared.installHook("--config", cfg)
	shared.commit("base", map[string]string{"a.txt": "a\n"})
	shared.removeHook()
	shared.mustAccept(shared.push("main"))
	shared.installHook("--config", cfg)
	for i := 0; i < 10; i++ {
		bad := i%2 == 1
		br := fmt.Sprintf("b%02d", i)
		shared.git(shared.client, "checkout", "-q", "-b", br, "main")
		content := fmt.Sprintf("value %d\n", i)
		if bad {
			content = "key=" + fakeAWSKey + "\n"
		}
		shared.commit("work "+br, map[string]string{fmt.Sprintf("f%02d.txt", i): content})
		jobs = append(jobs, &job{w: shared, ref: br, bad: bad, name: "shared/" + br})
	}
	for i := 0; i < 10; i++ {
		w := newWorld(t)
		w.installHook("--config", cfg)
		bad := i%2 == 0
		content := "fine\n"
		if bad {
			content = fakeGHToken + "\n"
		}
		w.commit("work", map[string]string{"x.txt": content})
		jobs = append(jobs, &job{w: w, ref: "main", bad: bad, name: fmt.Sprintf("repo%02d", i)})
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func(j *job) {
			defer wg.Done()
			out, err := j.w.gitErr(j.w.client, "push", "origin", j.ref)
			j.res = pushResult{out: out, err: err}
		}(j)
	}
	wg.Wait()
	for _, j := range jobs {
		if j.res.accepted() == j.bad {
			t.Errorf("%s: accepted = %v, want %v:\n%s", j.name, j.res.accepted(), !j.bad, j.res.out)
		}
	}
	// 20 concurrent pushes, plus nothing else: the seed push ran without the hook.
	events := auditEvents(t, logPath)
	if len(events) != 20 {
		t.Fatalf("audit log has %d events, want 20", len(events))
	}
	rejected := 0
	for _, e := range events {
		if e["decision"] == "rejected" {
			rejected++
		}
	}
	if rejected != 10 {
		t.Errorf("audit log records %d rejections, want 10", rejected)
	}
}

// TestMissingPolicyRefFailsClosed: a configured policy repository whose ref
// is missing makes every push to other repositories fail closed.
func TestMissingPolicyRefFailsClosed(t *testing.T) {
	pol := newWorld(t)
	app := newWorld(t)
	cfg := writeServerConfig(t, t.TempDir(), "on_error: accept\nrules:\n  - repo: "+pol.server+"\n    ref: refs/heads/main\n    dir: rules/\n")
	app.installHook("--config", cfg)
	app.commit("clean", map[string]string{"a.txt": "a\n"})
	p := app.push("main")
	app.mustReject(p)
	if !strings.Contains(p.remote(), "refs/heads/main") || !strings.Contains(p.remote(), "rules are invalid") {
		t.Errorf("missing policy ref not explained:\n%s", p.remote())
	}
}
