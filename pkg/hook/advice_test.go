package hook

import (
	"testing"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// TestAdviceOptions: the report is offered break-glass only for a pusher
// the configuration allows, and inline suppression only when it is on,
// with the configuration's secret-rule exceptions.
func TestAdviceOptions(t *testing.T) {
	parse := func(body string) *config.Config {
		t.Helper()
		c, err := config.Parse("c.yml", t.TempDir(), []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	secret := &ruleset.Rule{ID: "aws", Tags: []string{"secret"}, Suppressible: true}
	risky := &ruleset.Rule{ID: "eval", Suppressible: true}
	for _, tt := range []struct {
		name, cfg, pusher string
		bypass            string
		suppress          map[*ruleset.Rule]bool // nil: suppression off
	}{
		{"defaults", "", "alice", "", map[*ruleset.Rule]bool{secret: false, risky: true}},
		{"allowed pusher", "bypass: {allowed_pushers: [al*], min_reason_length: 20}\n", "alice", "pushguard.bypass", map[*ruleset.Rule]bool{secret: false, risky: true}},
		{"other pusher", "bypass: {allowed_pushers: [al*]}\n", "bob", "", map[*ruleset.Rule]bool{risky: true}},
		{"unknown pusher", "bypass: {allowed_pushers: ['*']}\n", "", "", map[*ruleset.Rule]bool{risky: true}},
		{"own option name", "bypass: {allowed_pushers: ['*'], option: ops.override}\n", "bob", "ops.override", map[*ruleset.Rule]bool{risky: true}},
		{"suppression off", "inline_suppression: false\n", "alice", "", nil},
		{"secret rules listed", "inline_suppression: {secret_rules: [aws]}\n", "alice", "", map[*ruleset.Rule]bool{secret: true, risky: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := AdviceOptions(parse(tt.cfg), push.Context{Pusher: tt.pusher})
			if o.BypassOption != tt.bypass {
				t.Errorf("BypassOption %q, want %q", o.BypassOption, tt.bypass)
			}
			if tt.suppress == nil {
				if o.Suppressible != nil {
					t.Error("suppression offered while off")
				}
				return
			}
			if o.Suppressible == nil {
				t.Fatal("suppression not offered")
			}
			for r, want := range tt.suppress {
				if got := o.Suppressible(r); got != want {
					t.Errorf("Suppressible(%s) = %v, want %v", r.ID, got, want)
				}
			}
		})
	}
}
