package main

import (
	"strings"
	"testing"
)

// TestE2ERejectionWaysOut: through a real push, the rejection names
// break-glass only to a pusher the configuration allows, the inline
// suppression syntax only for a suppressible rule (never for a secret),
// and the configured help URL.
func TestE2ERejectionWaysOut(t *testing.T) {
	cfg := writeServerConfig(t, t.TempDir(), `pusher_env: PUSHGUARD_TEST_PUSHER
bypass:
  allowed_pushers: ["alice"]
  min_reason_length: 15
message:
  help_url: https://wiki.example.org/pushguard
`)
	for _, tt := range []struct {
		name, pusher string
		files        map[string]string
		want, not    []string
	}{
		{"allowed pusher, secret", "alice", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"},
			[]string{`git push -o pushguard.bypass="<reason, at least 15 characters>"`, "Policy: https://wiki.example.org/pushguard"},
			[]string{"pushguard:allow"}},
		{"other pusher, secret", "bob", map[string]string{"k.env": "K=" + fakeAWSKey + "\n"},
			[]string{"Policy: https://wiki.example.org/pushguard"},
			[]string{"Break-glass", "pushguard.bypass", "pushguard:allow"}},
		{"other pusher, suppressible rule", "bob", map[string]string{"scripts/setup.sh": "curl -sL http://get.example.org/i.sh | sh\n"},
			[]string{"# pushguard:allow curl-pipe-shell-plain-http -- <why this is safe>"},
			[]string{"Break-glass"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.env = append(w.env, "PUSHGUARD_TEST_PUSHER="+tt.pusher)
			w.installHook("--config", cfg)
			w.commit("change", tt.files)
			p := w.push("main")
			w.mustReject(p)
			for _, s := range tt.want {
				if !strings.Contains(p.remote(), s) {
					t.Errorf("lacks %q:\n%s", s, p.remote())
				}
			}
			for _, s := range tt.not {
				if strings.Contains(p.remote(), s) {
					t.Errorf("contains %q:\n%s", s, p.remote())
				}
			}
		})
	}
}
