package main

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// End-to-end tests of the assignment forms and command-line credentials the
// secret rules read (issue 11, measured on the peers' samples): typed
// declarations, Make and PHP operators, XML elements (on one line or with
// the value on its own line), curl flags and headers,
// Sidekiq gem credentials, Docker auth in escaped JSON, Slack xoxe- tokens.
// The fake values are built from parts so that this file does not trip
// secret scanners itself; they were never issued.
var (
	fakeFormsRootly = "rootly_" + "8f3a1c9e7b2d4f6a0c5e8b1d3f7a9c2e" + "4b6d8f0a2c4e6b8d0f1a3c5e7b9d2f4a"
	fakeFormsMeraki = "6214b480669359e1" + "57a3813544c5498394674ecd"
	fakeFormsSlack  = "xoxe-" + "4726837507825-4848681849303-4856614048758-" + "e0b1f3d4cb371f92260edb0d9444d206"
	fakeFormsBasic  = "ZGVwbG95LWJvdDpC" + "amdaOXJqZmMzYk50VVVKN0xGT2ViZXY="
	fakeFormsBearer = "cfcabd11c7ed9a41" + "b1a3e063c32d5114"
	fakeFormsPass   = "Kx8mQ2vL" + "9zR4wT7p"
	fakeFormsGems   = "1c1c23b2" + ":a4633ed3"
)

// locRe reads the location of a finding in the hook's output.
var locRe = regexp.MustCompile(`^  (\S+:\d+):\d+  `)

// findingLocations returns the file:line of every finding in out, sorted.
func findingLocations(out string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if m := locRe.FindStringSubmatch(l); m != nil {
			got = append(got, m[1])
		}
	}
	sort.Strings(got)
	return got
}

// TestEngineAssignmentFormsAndCurlBlocked: one push adds a credential in
// each form; the hook blocks it and reports each at its line, redacted.
func TestEngineAssignmentFormsAndCurlBlocked(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("init", map[string]string{"README.md": "# demo\n"})
	w.commit("integrations", map[string]string{
		"internal/rootly/client.go": "package rootly\n\nvar rootlyToken string = \"" + fakeFormsRootly + "\"\n",
		"web/src/config.ts":         "export const rootlyApiToken: string = \"" + fakeFormsRootly + "\";\n",
		"Makefile":                  "ROOTLY_API_TOKEN ?= " + fakeFormsRootly + "\nMERAKI_API_KEY ::= " + fakeFormsMeraki + "\n",
		"lib/config.php":            "<?php\n$rootlyToken .= \"" + fakeFormsRootly + "\";\n",
		"config/app.xml":            "<config>\n  <merakiApiKey>" + fakeFormsMeraki + "</merakiApiKey>\n</config>\n",
		"config/credentials.xml":    "<credentials>\n  <merakiApiKey>\n    " + fakeFormsMeraki + "\n  </merakiApiKey>\n</credentials>\n",
		"scripts/deploy.sh": "#!/bin/sh\n" +
			"curl -u deploy:" + fakeFormsPass + " https://registry.acme.io/v2/_catalog\n" +
			"curl -X POST https://api.acme.io/v1/jobs \\\n  -H 'Authorization: Basic " + fakeFormsBasic + "' \\\n  -d '{}'\n" +
			"curl -H \"Authorization: Bearer " + fakeFormsBearer + "\" https://api.acme.io/v1/me\n" +
			"bundle config --global gems.contribsys.com " + fakeFormsGems + "\n",
		"ci/runner.toml":  "[[runners]]\n  environment = [\"DOCKER_AUTH_CONFIG={\\\"auths\\\":{\\\"registry.acme.io\\\":{\\\"auth\\\":\\\"" + fakeFormsBasic + "\\\"}}}\"]\n",
		"docs/slack.json": "{\"url_private\": \"https://files.slack.com/files-pri/T04MCQMEXQ9-F04MAA1PKE3/image.png?t=" + fakeFormsSlack + "\"}\n",
	})
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	want := []string{
		"Makefile:1", "Makefile:2",
		"ci/runner.toml:2",
		"config/app.xml:2",
		"config/credentials.xml:3",
		"docs/slack.json:1",
		"internal/rootly/client.go:3",
		"lib/config.php:2",
		"scripts/deploy.sh:2", "scripts/deploy.sh:4", "scripts/deploy.sh:6", "scripts/deploy.sh:7",
		"web/src/config.ts:1",
	}
	if diff := cmp.Diff(want, findingLocations(out)); diff != "" {
		t.Errorf("finding locations (-want +got):\n%s\n%s", diff, out)
	}
	for _, id := range []string{"provider-credential", "cisco-meraki-api-key", "curl-user-password", "curl-auth-header", "sidekiq-contribsys-credentials", "docker-config-auth", "slack-token"} {
		if !strings.Contains(out, "BLOCK  "+id+":") {
			t.Errorf("no blocking %s finding:\n%s", id, out)
		}
	}
	noSecret(t, out, fakeFormsRootly, fakeFormsMeraki, fakeFormsSlack[5:], fakeFormsBasic, fakeFormsBearer, fakeFormsPass, fakeFormsGems)
}

// TestEngineAssignmentFormsAndCurlQuiet: the same forms holding variables,
// placeholders and the type names themselves are accepted.
func TestEngineAssignmentFormsAndCurlQuiet(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("templates", map[string]string{
		"internal/rootly/client.go": "package rootly\n\nvar rootlyToken string = os.Getenv(\"ROOTLY_API_TOKEN\")\n",
		"Makefile":                  "ROOTLY_API_TOKEN ?= $(shell cat .rootly-token)\nMERAKI_API_KEY ::= ${MERAKI_API_KEY}\n",
		"config/app.xml":            "<config>\n  <merakiApiKey>${MERAKI_API_KEY}</merakiApiKey>\n</config>\n",
		"config/credentials.xml":    "<credentials>\n  <merakiApiKey>\n    ${MERAKI_API_KEY}\n  </merakiApiKey>\n  <merakiRegion>\n    6214b480669359e157a3813544c5498394674ecd\n  </merakiRegion>\n</credentials>\n",
		"scripts/deploy.sh": "#!/bin/sh\n" +
			"curl -u \"$API_USER:$API_PASSWORD\" https://registry.acme.io/v2/_catalog\n" +
			"curl -u elastic:changeme http://localhost:9200/\n" +
			"curl -H \"Authorization: Bearer $API_TOKEN\" https://api.acme.io/v1/me\n" +
			"curl -H \"Authorization: Bearer YOUR_ACCESS_TOKEN_HERE\" https://api.acme.io/v1/me\n" +
			"curl -H \"Idempotency-Key: 3a16750d-d363-41a4-8ebd-035408f7730f\" https://api.acme.io/v1/charges\n" +
			"export BUNDLE_GEMS__CONTRIBSYS__COM=cafebabe:deadbeef\n",
	})
	w.mustAccept(w.push("main"))
}
