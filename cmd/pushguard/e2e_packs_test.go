package main

import (
	"strings"
	"testing"
)

// Fake values for the default packs, built from parts so that this file does
// not trip secret scanners itself. They have the right shape and were never
// issued.
var (
	fakeNPMToken  = "npm_" + "R8x2TqLm4VbN7cZp1WsY9dKf3HjQ6gAe5uXo"
	fakeSlackHook = "https://hooks.slack.com/services/" + "T07QX4KM2RZ/B08HV3N6PLW/" + "Zq8mX2vL9kR4wT7pN3sB6yHc"
)

// wantLines fails the test unless out contains every line of want, each as
// a whole line (trailing spaces of the remote output are already trimmed).
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	lines := make(map[string]bool)
	for _, l := range strings.Split(out, "\n") {
		lines[l] = true
	}
	for _, w := range want {
		if !lines[w] {
			t.Errorf("remote output lacks the line %q:\n%s", w, out)
		}
	}
}

// TestPackSecretRejectsNPMToken: a rule of secrets.yml blocks the push, names
// the file, line and column, redacts the token and says where to revoke it.
func TestPackSecretRejectsNPMToken(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("add readme", map[string]string{"README.md": "# demo\n"})
	bad := w.commit("publish script", map[string]string{
		"scripts/publish.sh": "#!/bin/sh\nexport NPM_TOKEN=" + fakeNPMToken + "\nnpm publish\n",
		"notify.py":          "HOOK = \"" + fakeSlackHook + "\"\n",
	})
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	wantLines(t, out,
		"BLOCK  npm-token: An npm access token is being pushed.",
		"  commit "+bad[:10]+" on refs/heads/main",
		"  scripts/publish.sh:2:18  npm_***",
		"BLOCK  slack-webhook-url: A Slack webhook URL is being pushed.",
		"  notify.py:1:9  http***",
	)
	if !strings.Contains(out, "https://www.npmjs.com/settings/~/tokens") {
		t.Errorf("help does not say where to revoke the npm token:\n%s", out)
	}
	for _, secret := range []string{fakeNPMToken, fakeSlackHook, fakeNPMToken[4:20]} {
		if strings.Contains(out, secret) {
			t.Errorf("remote output shows a secret unredacted (%.8s…):\n%s", secret, out)
		}
	}
	if w.serverRef("refs/heads/main") != "" {
		t.Error("rejected push created the ref anyway")
	}
}

// TestPackRiskyCodeWarns: a risky-code rule warns, shows the code it found
// (not redacted), and the push is accepted; the same line in a test file is
// not reported.
func TestPackRiskyCodeWarns(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	line := "var tlsConf = &tls.Config{InsecureSkipVerify: true}"
	c := w.commit("talk to the staging API", map[string]string{
		"internal/client/client.go":      "package client\n\nimport \"crypto/tls\"\n\n" + line + "\n",
		"internal/client/client_test.go": "package client\n\nimport \"crypto/tls\"\n\nvar testConf = &tls.Config{InsecureSkipVerify: true}\n",
	})
	p := w.push("main")
	w.mustAccept(p)
	if w.serverRef("refs/heads/main") != c {
		t.Fatal("accepted push did not update main")
	}
	out := p.remote()
	wantLines(t, out,
		"pushguard: push accepted with warnings: 1 warning in 1 new commit",
		"WARN  go-tls-insecure-skip-verify: TLS certificate verification is switched off (InsecureSkipVerify true).",
		"  internal/client/client.go:5:27  InsecureSkipVerify: true",
	)
	if strings.Contains(out, "client_test.go") {
		t.Errorf("the rule fired on a test file:\n%s", out)
	}
}

// TestPackFilesRejectsKeyFileButAllowsItsDeletion: a rule of files.yml
// blocks an SSH key file by its name alone (the content is no PEM key), and
// deleting such a file that predates the hook is accepted.
func TestPackFilesRejectsKeyFileButAllowsItsDeletion(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"README.md": "# demo\n"})
	bad := w.commit("deploy key", map[string]string{"deploy/id_ed25519": "not a real key, but the name says it is\n"})
	p := w.push("main")
	w.mustReject(p)
	wantLines(t, p.remote(),
		"pushguard: push REJECTED: 1 blocking finding in 2 new commits",
		"BLOCK  ssh-private-key-file: An SSH private key file is being pushed.",
		"  commit "+bad[:10]+" on refs/heads/main",
		"  deploy/id_ed25519",
	)

	// History that predates the hook holds a key file; removing it must pass.
	seedServer(w, "main")
	w.git(w.client, "rm", "-q", "deploy/id_ed25519")
	w.commit("remove the deploy key", nil)
	p = w.push("main")
	w.mustAccept(p)
	if got := p.remote(); got != "" {
		t.Errorf("deleting a key file printed findings:\n%s", got)
	}
}

// TestPackFilesWarnsOnCIChange: a change to a CI definition is accepted with
// a warning naming the file.
func TestPackFilesWarnsOnCIChange(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("ci", map[string]string{".github/workflows/ci.yml": "on: push\njobs: {}\n"})
	p := w.push("main")
	w.mustAccept(p)
	wantLines(t, p.remote(),
		"WARN  ci-definition-change: A CI/CD pipeline definition changes; make sure the change is reviewed.",
		"  .github/workflows/ci.yml",
	)
}
