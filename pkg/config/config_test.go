package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pushguard/pushguard/pkg/push"
)

// TestLoadFull loads the documented example and checks every value.
func TestLoadFull(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "config", "full.yml")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File: path,
		Rules: []Source{
			{Embedded: true, Line: 11},
			{Repo: "/srv/git/security/policy.git", Ref: "refs/heads/main", Dir: "rules", Line: 12},
			{Path: "/etc/pushguard/rules.d", Line: 15},
		},
		Mode: ModeEnforce,
		Scopes: []Scope{
			{Name: "bots", Pushers: []string{`renovate\[bot\]`, "dependabot*"}, Rules: []string{"tag:secrets"}, Line: 27},
			{Name: "sandbox", Repos: []string{"sandbox/**"}, Mode: ModeAudit, Line: 30},
			{
				Name: "releases", Repos: []string{"platform/**", "payments/*"},
				Refs:  []string{"refs/heads/main", "refs/heads/release/*", "refs/tags/**"},
				Rules: []string{"*", "!ai-trailer-missing"}, Mode: ModeEnforce, Line: 33,
			},
		},
		TimeBudget: 20 * time.Second,
		OnError:    OnErrorReject,
		Message: Message{
			Header: "ACME push policy check", Footer: "Questions: #security-help on chat.",
			HelpURL: "https://wiki.example.com/security/pushguard",
		},
		MaxFindings:       20,
		InlineSuppression: true,
		MaxFileSize:       5_000_000,

		InlineSuppressionSecretRules: []string{"generic-api-key", "tag:test-fixture"},
		InlineSuppressionMinReason:   12,
		Bypass: Bypass{
			Option: "pushguard.bypass", AllowedPushers: []string{"alice", "bob", "release-*"}, MinReasonLength: 10,
			Approvers: "ask the on-call security engineer (#security-oncall) to push it for you",
		},
		Audit:     AuditLog{Destination: AuditFile, Path: "/var/log/pushguard/audit.jsonl", SyslogTag: "pushguard", SyslogFacility: "auth"},
		PusherEnv: "REMOTE_USER",
		budgetSet: true,
	}
	if diff := cmp.Diff(want, c, cmp.AllowUnexported(Config{})); diff != "" {
		t.Errorf("full.yml (-want +got):\n%s", diff)
	}
}

// TestDocumentedKeys checks that docs/config.md documents every key of the
// schema and that full.yml uses every one.
func TestDocumentedKeys(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(filepath.Join("..", "..", "testdata", "config", "full.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range specKeys {
		for _, k := range yamlKeys(typ) {
			if !strings.Contains(string(doc), "`"+k+"`") {
				t.Errorf("docs/config.md does not document key %q (%s)", k, name)
			}
			if !strings.Contains(string(full), k+":") && !strings.HasPrefix(k, "syslog_") {
				t.Errorf("testdata/config/full.yml does not use key %q (%s)", k, name)
			}
		}
	}
}

func TestParse(t *testing.T) {
	base := "/etc/pushguard"
	tests := []struct {
		name string
		yaml string
		want func(c *Config)
	}{
		{"empty file", "", func(c *Config) {}},
		{"comment only", "# nothing\n", func(c *Config) {}},
		{"relative paths from the file's directory", "rules:\n  - path: rules.d\n  - repo: ../git/policy.git\naudit:\n  destination: file\n  path: audit.jsonl\n", func(c *Config) {
			c.Rules = []Source{{Embedded: true}, {Path: "/etc/pushguard/rules.d", Line: 2}, {Repo: "/etc/git/policy.git", Ref: DefaultPolicyRef, Dir: ".", Line: 3}}
			c.Audit.Destination, c.Audit.Path = AuditFile, "/etc/pushguard/audit.jsonl"
		}},
		{"no defaults", "defaults: false\nrules:\n  - path: /r\n", func(c *Config) {
			c.Rules = []Source{{Path: "/r", Line: 3}}
		}},
		{"embedded placed after a path", "rules:\n  - path: /r\n  - embedded: true\n", func(c *Config) {
			c.Rules = []Source{{Path: "/r", Line: 2}, {Embedded: true, Line: 3}}
		}},
		{"audit mode, fail open", "mode: audit\non_error: accept\n", func(c *Config) {
			c.Mode, c.OnError = ModeAudit, OnErrorAccept
		}},
		{"sizes and numbers", "max_file_size: 100KiB\nmax_findings: 5\ninline_suppression: false\n", func(c *Config) {
			c.MaxFileSize, c.MaxFindings, c.InlineSuppression = 100<<10, 5, false
		}},
		{"inline suppression as a mapping", "inline_suppression:\n  secret_rules: [aws-access-key-id, 'tag:fixture']\n  min_reason_length: 20\n", func(c *Config) {
			c.InlineSuppressionSecretRules = []string{"aws-access-key-id", "tag:fixture"}
			c.InlineSuppressionMinReason = 20
		}},
		{"inline suppression switched off in the mapping", "inline_suppression: {enabled: false}\n", func(c *Config) {
			c.InlineSuppression = false
		}},
		{"bypass defaults kept", "bypass:\n  allowed_pushers: [alice]\n", func(c *Config) {
			c.Bypass.AllowedPushers = []string{"alice"}
		}},
		{"syslog", "audit:\n  destination: syslog\n  syslog_tag: pg\n  syslog_facility: local3\n", func(c *Config) {
			c.Audit = AuditLog{Destination: AuditSyslog, SyslogTag: "pg", SyslogFacility: "local3"}
		}},
		{"forced platform", "platform: gitea\npusher_env: PUSHER\n", func(c *Config) {
			c.Platform, c.PusherEnv = "gitea", "PUSHER"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse("c.yml", base, []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			want.File = "c.yml"
			tc.want(want)
			if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each must appear in the error, in order
	}{
		{"unknown top-level key", "mode: enforce\nmdoe: audit\n", []string{`c.yml:2: unknown key "mdoe" (valid keys here: platform, rules,`}},
		{"unknown nested key", "bypass:\n  allowed: [a]\n", []string{`c.yml:2: unknown key "allowed" (valid keys here: option, allowed_pushers, min_reason_length, approvers)`}},
		{"unknown key in a list item", "scopes:\n  - repos: [a]\n    ref: [b]\n", []string{`c.yml:3: unknown key "ref"`}},
		{"duplicate key", "mode: audit\nmode: enforce\n", []string{`c.yml:2: mapping key "mode" already defined at line 1`}},
		{"wrong type", "max_findings: lots\n", []string{`c.yml:1: expected a whole number, got "lots"`}},
		{"list expected", "scopes: everything\n", []string{`c.yml:1: expected a list, got "everything"`}},
		{"syntax", "mode: [\n", []string{"c.yml:"}},
		{"not a mapping", "- a\n- b\n", []string{"c.yml:1: the configuration must be a mapping"}},
		{"two documents", "mode: audit\n---\nmode: enforce\n", []string{"more than one YAML document"}},
		{"bad mode", "mode: strict\n", []string{`c.yml:1: mode: "strict" is not enforce or audit`}},
		{"bad duration", "time_budget: 5\n", []string{`c.yml:1: time_budget: "5" is not a duration`}},
		{"negative duration", "time_budget: -1s\n", []string{"c.yml:1: time_budget: -1s is out of range"}},
		{"bad on_error", "on_error: ignore\n", []string{`c.yml:1: on_error: "ignore" is not reject or accept`}},
		{"bad size", "max_file_size: 1.5MB\n", []string{"c.yml:1: max_file_size: invalid size"}},
		{"bad url", "message:\n  help_url: wiki/page\n", []string{`c.yml:2: message.help_url: "wiki/page" is not an http(s) URL`}},
		{"max findings range", "max_findings: 0\n", []string{"c.yml:1: max_findings: 0 is out of range"}},
		{"source with two kinds", "rules:\n  - path: /a\n    repo: /b\n", []string{"c.yml:2: rules[0]: give exactly one of path, repo or embedded: true"}},
		{"empty source", "rules:\n  - {}\n", []string{"c.yml:2: rules[0]: give exactly one"}},
		{"ref on a path", "rules:\n  - path: /a\n    ref: refs/heads/main\n", []string{"c.yml:2: rules[0]: ref and dir apply to a repo source only"}},
		{"short ref", "rules:\n  - repo: /p.git\n    ref: main\n", []string{"c.yml:3: rules[0].ref:", "write the full name"}},
		{"dir escapes", "rules:\n  - repo: /p.git\n    dir: ../x\n", []string{`c.yml:3: rules[0].dir: "../x" must be a relative folder`}},
		{"embedded false", "rules:\n  - embedded: false\n", []string{"c.yml:2: rules[0].embedded: embedded: false selects nothing"}},
		{"defaults false with embedded", "defaults: false\nrules:\n  - embedded: true\n", []string{"c.yml:3: rules[0]: defaults: false contradicts"}},
		{"no sources", "defaults: false\n", []string{"c.yml:1: defaults: no rule sources"}},
		{"bad glob", "scopes:\n  - repos: ['a[']\n", []string{`c.yml:2: scopes[0].repos[0]: "a[" is not a valid glob`}},
		{"short ref glob", "scopes:\n  - refs: [main]\n", []string{`c.yml:2: scopes[0].refs[0]: "main" does not match full ref names; write refs/heads/main`}},
		{"bad selector", "scopes:\n  - repos: [a]\n    rules: ['tag:']\n", []string{"c.yml:3: scopes[0].rules[0]: tag: needs a tag name"}},
		{"bad scope mode", "scopes:\n  - repos: [a]\n    mode: warn\n", []string{`c.yml:3: scopes[0].mode: "warn" is not enforce or audit`}},
		{"catch-all scope not last", "scopes:\n  - rules: [x]\n  - repos: [a]\n", []string{`c.yml:2: scopes[0]: scope "scopes[0]" matches every push`}},
		{"inline suppression unknown key", "inline_suppression:\n  secret-rules: [x]\n", []string{`c.yml:2: unknown key "secret-rules" (valid keys here: enabled, secret_rules, min_reason_length)`}},
		{"inline suppression bad entry", "inline_suppression:\n  secret_rules: ['tag:', '']\n", []string{`c.yml:2: inline_suppression.secret_rules[0]: "tag:" is not a rule id or tag:NAME`}},
		{"inline suppression reason range", "inline_suppression:\n  min_reason_length: 0\n", []string{"c.yml:2: inline_suppression.min_reason_length: 0 is out of range (1 to 1000)"}},
		{"inline suppression wrong type", "inline_suppression: maybe\n", []string{`c.yml:1: expected`}},
		{"bypass option", "bypass:\n  option: 'a b'\n", []string{`c.yml:2: bypass.option: "a b" is not a push option name`}},
		{"bypass pusher glob", "bypass:\n  allowed_pushers: ['[']\n", []string{`c.yml:2: bypass.allowed_pushers[0]: "[" is not a valid glob`}},
		{"audit file without path", "audit:\n  destination: file\n", []string{"c.yml:1: audit.path: destination: file needs a path"}},
		{"audit path without file", "audit:\n  destination: stderr\n  path: /x\n", []string{"c.yml:3: audit.path: path is only used with destination: file"}},
		{"audit destination", "audit:\n  destination: kafka\n", []string{`c.yml:2: audit.destination: "kafka" is not file, stderr, syslog or none`}},
		{"syslog facility", "audit:\n  destination: syslog\n  syslog_facility: mail\n", []string{`c.yml:3: audit.syslog_facility: "mail" is not a syslog facility`}},
		{"pusher env", "pusher_env: 'A-B'\n", []string{`c.yml:1: pusher_env: "A-B" is not an environment variable name`}},
		{"platform", "platform: bitbucket\n", []string{`c.yml:1: platform: unknown platform "bitbucket"`}},
		{"every error, by line", "on_error: x\nmode: y\n", []string{"c.yml:1: on_error", "c.yml:2: mode"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yml", "/etc", []byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			rest := msg
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error %q does not contain %q (in order)", msg, w)
				}
				rest = rest[i+len(w):]
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %q is not a *config.Error", msg)
			}
		})
	}
}

func TestLoadOrDefault(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yml")
	if err := os.WriteFile(path, []byte("mode: audit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvVar {
				return v
			}
			return ""
		}
	}
	c, err := LoadOrDefault("", env(""))
	if err != nil || c.File != "" || c.Mode != ModeEnforce {
		t.Errorf("no flag, no env: %+v, %v; want defaults", c, err)
	}
	c, err = LoadOrDefault("", env(path))
	if err != nil || c.Mode != ModeAudit {
		t.Errorf("env: %+v, %v; want the file", c, err)
	}
	if _, err := LoadOrDefault(filepath.Join(dir, "missing.yml"), env(path)); err == nil {
		t.Error("a missing --config file is not an error")
	}
}

func TestForPlatform(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		platform string
		want     time.Duration
		warn     bool
	}{
		{"default elsewhere", "", push.PlatformGitLab, DefaultTimeBudget, false},
		{"default on ghes", "", push.PlatformGHES, GHESTimeBudget, false},
		{"shorter kept on ghes", "time_budget: 3s\n", push.PlatformGHES, 3 * time.Second, false},
		{"longer cut on ghes", "time_budget: 10s\n", push.PlatformGHES, GHESTimeBudget, true},
		{"set elsewhere", "time_budget: 10s\n", push.PlatformGit, 10 * time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("c.yml", "/", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			got := c.ForPlatform(tc.platform)
			if got.TimeBudget != tc.want || (len(got.Warnings) > 0) != tc.warn {
				t.Errorf("budget %s warnings %q; want %s warn=%v", got.TimeBudget, got.Warnings, tc.want, tc.warn)
			}
			if len(c.Warnings) != 0 {
				t.Error("ForPlatform changed its receiver")
			}
		})
	}
}

func TestPolicyFor(t *testing.T) {
	c, err := Parse("c.yml", "/", []byte(`
mode: enforce
scopes:
  - name: bots
    pushers: ['renovate\[bot\]', 'dependabot*']
    rules: ["tag:secrets"]
  - name: sandbox
    repos: ["sandbox/**"]
    mode: audit
  - name: releases
    repos: ["platform/**"]
    refs: ["refs/heads/main", "refs/heads/release/*"]
    rules: ["*", "!ai-trailer-missing", "!tag:style"]
`))
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string][]string{"aws-key": {"secrets"}, "ai-trailer-missing": {"ai"}, "tabs": {"style"}}
	const secret, trailer, style = "aws-key", "ai-trailer-missing", "tabs"
	tests := []struct {
		repo, ref, pusher string
		scope             string
		mode              Mode
		applies           map[string]bool
	}{
		{"platform/api", "refs/heads/main", "renovate[bot]", "bots", ModeEnforce, map[string]bool{secret: true, trailer: false}},
		{"platform/api", "refs/heads/main", "dependabot-preview", "bots", ModeEnforce, map[string]bool{secret: true, style: false}},
		{"sandbox/deep/x", "refs/heads/main", "alice", "sandbox", ModeAudit, map[string]bool{secret: true, trailer: true}},
		{"platform/api", "refs/heads/release/2.0", "alice", "releases", ModeEnforce, map[string]bool{secret: true, trailer: false, style: false}},
		{"platform/api", "refs/heads/feature/x", "alice", "", ModeEnforce, map[string]bool{secret: true, trailer: true, style: true}},
		{"platform/api", "refs/heads/release/2.0/hotfix", "alice", "", ModeEnforce, nil},
		{"other/api", "refs/heads/main", "", "", ModeEnforce, map[string]bool{trailer: true}},
	}
	for _, tc := range tests {
		p := c.PolicyFor(tc.repo, tc.ref, tc.pusher)
		if p.ScopeName() != tc.scope || p.Mode != tc.mode {
			t.Errorf("PolicyFor(%q, %q, %q) = scope %q mode %q; want %q %q", tc.repo, tc.ref, tc.pusher, p.ScopeName(), p.Mode, tc.scope, tc.mode)
		}
		for id, want := range tc.applies {
			if got := p.Applies(id, tags[id]); got != want {
				t.Errorf("PolicyFor(%q, %q, %q).Applies(%s) = %v, want %v", tc.repo, tc.ref, tc.pusher, id, got, want)
			}
		}
	}
}

func TestSelectRule(t *testing.T) {
	tests := []struct {
		sel  []string
		id   string
		tags []string
		want bool
	}{
		{nil, "x", nil, true},
		{[]string{"x"}, "x", nil, true},
		{[]string{"x"}, "y", nil, false},
		{[]string{"tag:a"}, "y", []string{"b", "a"}, true},
		{[]string{"!x"}, "y", nil, true}, // only exclusions: all but those
		{[]string{"!x"}, "x", nil, false},
		{[]string{"*", "!tag:a"}, "y", []string{"a"}, false},
		{[]string{"tag:a", "!y"}, "y", []string{"a"}, false},
	}
	for _, tc := range tests {
		if got := selectRule(tc.sel, tc.id, tc.tags); got != tc.want {
			t.Errorf("selectRule(%q, %q, %q) = %v, want %v", tc.sel, tc.id, tc.tags, got, tc.want)
		}
	}
}

func TestBypassCheck(t *testing.T) {
	b := Bypass{Option: DefaultBypassOption, AllowedPushers: []string{"alice", "rel-*"}, MinReasonLength: 10, Approvers: "ask #sec-oncall"}
	tests := []struct {
		name    string
		b       Bypass
		pusher  string
		opts    []string
		want    BypassRequest
		refusal string
	}{
		{"not requested", b, "alice", []string{"ci.skip"}, BypassRequest{}, ""},
		{"allowed", b, "alice", []string{"pushguard.bypass=  INC-1234 prod outage  "}, BypassRequest{Requested: true, Allowed: true, Reason: "INC-1234 prod outage"}, ""},
		{"glob allowed", b, "rel-bot", []string{"pushguard.bypass=INC-1234 prod outage"}, BypassRequest{Requested: true, Allowed: true, Reason: "INC-1234 prod outage"}, ""},
		{"not allowed", b, "mallory", []string{"pushguard.bypass=INC-1234 prod outage"}, BypassRequest{Requested: true, Reason: "INC-1234 prod outage"}, "you are not allowed to bypass pushguard; ask #sec-oncall"},
		{"unknown pusher", b, "", []string{"pushguard.bypass=INC-1234 prod outage"}, BypassRequest{Requested: true, Reason: "INC-1234 prod outage"}, "not allowed"},
		{"short reason", b, "alice", []string{"pushguard.bypass=urgent"}, BypassRequest{Requested: true, Reason: "urgent"}, "at least 10 visible characters"},
		{"no reason", b, "alice", []string{"pushguard.bypass"}, BypassRequest{Requested: true}, "at least 10 visible characters"},
		{"zero-width reason", b, "alice", []string{"pushguard.bypass=" + strings.Repeat("\u200b", 12)}, BypassRequest{Requested: true, Reason: strings.Repeat("\u200b", 12)}, "at least 10 visible characters"},
		{"control-character reason", b, "alice", []string{"pushguard.bypass=" + strings.Repeat("\x01", 12)}, BypassRequest{Requested: true, Reason: strings.Repeat("\x01", 12)}, "at least 10 visible characters"},
		{"disabled", Bypass{Option: DefaultBypassOption, MinReasonLength: 10}, "alice", []string{"pushguard.bypass=INC-1234 prod outage"}, BypassRequest{Requested: true, Reason: "INC-1234 prod outage"}, "bypass is not enabled on this server"},
		{"last option wins", b, "alice", []string{"pushguard.bypass=INC-1234 prod outage", "pushguard.bypass=x"}, BypassRequest{Requested: true, Reason: "x"}, "at least"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.b.Check(tc.pusher, tc.opts)
			refusal := got.Refusal
			got.Refusal = ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !strings.Contains(refusal, tc.refusal) || (tc.refusal == "") != (refusal == "") {
				t.Errorf("refusal %q, want it to contain %q", refusal, tc.refusal)
			}
		})
	}
}

func TestPolicySourceFor(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.git")
	other := filepath.Join(dir, "app.git")
	for _, d := range []string{policy, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link.git")
	if err := os.Symlink(policy, link); err != nil {
		t.Fatal(err)
	}
	c, err := Parse("c.yml", dir, []byte("rules:\n  - repo: link.git\n    dir: rules\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := c.PolicySourceFor(policy); !ok || s.Dir != "rules" {
		t.Errorf("PolicySourceFor(policy) = %+v, %v; want the repo source", s, ok)
	}
	if _, ok := c.PolicySourceFor(other); ok {
		t.Error("PolicySourceFor(other repo) matched")
	}
	if _, ok := c.PolicySourceFor(filepath.Join(dir, "missing")); ok {
		t.Error("PolicySourceFor(missing) matched")
	}
}

func TestEnvOptions(t *testing.T) {
	c := Default()
	c.Platform, c.PusherEnv = "git", "PUSHER"
	if got := c.EnvOptions(); got != (push.EnvOptions{Platform: "git", PusherEnv: "PUSHER"}) {
		t.Errorf("EnvOptions() = %+v", got)
	}
}
