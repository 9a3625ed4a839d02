package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EConfigValidate: `pushguard config validate FILE` over broken and
// working configurations: every problem named with the configuration's
// file:line, exit 2 for a configuration that would reject every push, and
// nothing written (no audit event, no log file created).
func TestE2EConfigValidate(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.git")
	w.git(dir, "init", "-q", "--bare", policy)
	rules := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(rules, []byte("rules:\n  - id: x\n    severity: blocker\n    message: m\n    content: {regex: 'x'}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "audit.jsonl")
	for _, tt := range []struct {
		name string
		body string
		code int
		want []string
	}{
		{"working", "audit:\n  destination: file\n  path: " + logFile + "\n", exitOK, []string{"ok: ", "rules", "file " + logFile}},
		{"missing audit directory", "mode: enforce\naudit:\n  destination: file\n  path: /nonexistent-dir/x/audit.jsonl\n", exitUsage,
			[]string{"cfg.yml:4: audit:", "/nonexistent-dir/x", "every push would be rejected"}},
		{"missing policy repository", "rules:\n  - embedded: true\n  - repo: " + filepath.Join(dir, "nope.git") + "\n", exitUsage,
			[]string{"cfg.yml:3: rules: policy repository", "nope.git"}},
		{"policy repository without its ref", "rules:\n  - repo: " + policy + "\n    ref: refs/heads/main\n", exitUsage,
			[]string{"cfg.yml:2: rules:", "has no ref refs/heads/main"}},
		{"broken rule file", "rules:\n  - path: " + rules + "\n", exitUsage, []string{"cfg.yml:1: rules:", "rules.yml:3", "blocker"}},
		{"unknown key", "mode: enforce\nmdoe: audit\n", exitUsage, []string{"cfg.yml:2", "mdoe"}},
		{"every problem at once", "rules:\n  - repo: " + filepath.Join(dir, "nope.git") + "\naudit:\n  destination: file\n  path: /nonexistent-dir/a.jsonl\n", exitUsage,
			[]string{"cfg.yml:2: rules:", "cfg.yml:5: audit:"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "cfg.yml")
			if err := os.WriteFile(cfg, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out := w.pgc(filepath.Dir(cfg), "", nil, "config", "validate", "cfg.yml")
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, out)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "unknown command") {
				t.Errorf("config is not a command:\n%s", out)
			}
		})
	}
	if _, err := os.Stat(logFile); !os.IsNotExist(err) {
		t.Errorf("validate created the audit log (%v): the hook's user may not be the one who validates", err)
	}
	// An existing log is opened, not written.
	if err := os.WriteFile(logFile, []byte("{}\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	cfg := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logFile+"\n")
	if code, out := w.pgc(dir, "", nil, "config", "validate", cfg); code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(logFile); string(b) != "{}\n" {
		t.Errorf("validate wrote to the audit log: %q", b)
	}
}

// TestE2EInstallRefusesBrokenConfig: `install --config` runs the same
// validation and writes no hook for a configuration that would reject
// every push; a pusher who meets a server configuration problem anyway
// is told it is one, to contact the admins, and never to try again.
func TestE2EInstallRefusesBrokenConfig(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	broken := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+filepath.Join(dir, "gone", "audit.jsonl")+"\n")
	code, out := w.pgc(dir, "", nil, "install", "--plain", w.server, "--binary", binPath, "--config", broken)
	if code != exitUsage || !strings.Contains(out, "nothing was installed") || !strings.Contains(out, "gone") {
		t.Fatalf("install with a broken config: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(w.server, "hooks", "pre-receive")); !os.IsNotExist(err) {
		t.Fatalf("a hook was written: %v", err)
	}
	// The same configuration reaching a hook (installed by hand).
	w.installHook("--config", broken)
	w.commit("clean", map[string]string{"a.txt": "a\n"})
	p := w.push("main")
	w.mustReject(p)
	for _, want := range []string{"push REJECTED by a problem of the server (its configuration", "Contact the server admins", "pushing again will not help"} {
		if !strings.Contains(p.remote(), want) {
			t.Errorf("pusher not told %q:\n%s", want, p.remote())
		}
	}
	if strings.Contains(strings.ToLower(p.remote()), "try again") {
		t.Errorf("pusher told to try again:\n%s", p.remote())
	}
	// Broken rules, and a broken configuration file, say the same.
	for name, body := range map[string]string{
		"rules":  "rules:\n  - path: " + filepath.Join(dir, "missing-rules") + "\n",
		"config": "mode: sometimes\n",
	} {
		cfg := filepath.Join(t.TempDir(), name+".yml")
		if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		w.installHook("--config", cfg)
		p := w.push("main")
		w.mustReject(p)
		if !strings.Contains(p.remote(), "Contact the server admins") || strings.Contains(strings.ToLower(p.remote()), "try again") {
			t.Errorf("%s: wording:\n%s", name, p.remote())
		}
	}
}
