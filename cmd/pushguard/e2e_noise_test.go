package main

import (
	"strings"
	"testing"
)

// Lines from clean public code that earlier rule versions blocked (found by
// scripts/noise.sh over the Go module cache), pushed next to the attack each
// rule exists for: the first must land, the second must not.
func TestPushRealWorldNoiseLandsAndTheAttackDoesNot(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		body   string
		reject string // rule id the push must be rejected by; "" to land with no block
	}{
		{
			// gitlab.com/gitlab-org/api/client-go v1.46.0 docker-compose.yml:
			// a local test instance's root password is no provider token.
			name: "password of a local test instance",
			file: "docker-compose.yml",
			body: "services:\n  gitlab:\n    environment:\n      GITLAB_ROOT_PASSWORD: \"FoQ7PaTZqWaftrZ7zvAK\"\n      GITLAB_TOKEN: $GITLAB_TOKEN\n",
		},
		{
			name:   "a GitLab token in the same place",
			file:   "docker-compose.yml",
			body:   "services:\n  gitlab:\n    environment:\n      GITLAB_TOKEN: \"glpat-" + "Q7xK2mVb9LpR4tWz8NcY\"\n",
			reject: "gitlab-pat",
		},
		{
			// github.com/niklasfasching/go-org v1.9.1 org/html_entity.go:415-416:
			// a direction mark that is the whole string literal is data.
			name: "direction marks in an HTML entity table",
			file: "org/html_entity.go",
			body: "package org\n\nvar entities = [][2]string{\n\t{`\\lrm`, `\u200e`},\n\t{`\\rlm`, `\u200f`},\n}\n",
		},
		{
			name:   "an override hidden in code",
			file:   "auth.go",
			body:   "package auth\n\nfunc isAdmin(role string) bool {\n\treturn role == \"user\u202e \u2066// admin\u2069 \u2066\"\n}\n",
			reject: "hidden-unicode-bidi-code",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.installHook()
			w.commit("change", map[string]string{tc.file: tc.body})
			p := w.push("main")
			if tc.reject == "" {
				w.mustAccept(p)
				if strings.Contains(p.remote(), "BLOCK") {
					t.Fatalf("landed with a blocking finding:\n%s", p.remote())
				}
				return
			}
			w.mustReject(p)
			if !strings.Contains(p.remote(), tc.reject) {
				t.Fatalf("rejected, but not by %s:\n%s", tc.reject, p.remote())
			}
		})
	}
}
