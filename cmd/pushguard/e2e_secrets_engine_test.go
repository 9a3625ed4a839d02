package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// End-to-end tests of the secret engine of issue 11: provider context,
// encoded text (UTF-16, Kubernetes Secret data, Docker auth) and one finding
// per secret, each through a real git push into a bare repository whose
// pre-receive hook is pushguard. The fake values are built from parts so
// that this file does not trip secret scanners itself; they were never
// issued.
var (
	fakeRootlyToken   = "rootly_" + "8f3a1c9e7b2d4f6a0c5e8b1d3f7a9c2e" + "4b6d8f0a2c4e6b8d0f1a3c5e7b9d2f4a"
	fakeAWSKeyID      = "AKIA" + "QYLPMN5HFIQR7XYZ"
	fakeEngineGHToken = "ghp_" + "R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy"
)

// findingLines returns the finding header lines of the hook's output.
func findingLines(out string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "BLOCK  ") || strings.HasPrefix(l, "WARN  ") || strings.HasPrefix(l, "INFO  ") {
			got = append(got, l)
		}
	}
	return got
}

// noSecret fails the test when out shows any of the secrets.
func noSecret(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("remote output shows a secret unredacted (%.8s…):\n%s", s, out)
		}
	}
}

// TestEngineProviderContextNamesProvider: a token of a service that no
// specific rule knows, assigned in a .env file to a key that names the
// service, is blocked, and the pusher reads which service it belongs to.
func TestEngineProviderContextNamesProvider(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("init", map[string]string{"README.md": "# demo\n"})
	w.commit("incident tooling", map[string]string{
		".env": "APP_ENV=production\nROOTLY_API_TOKEN=" + fakeRootlyToken + "\nROOTLY_API_URL=https://api.rootly.com\n",
	})
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	if !strings.Contains(out, "BLOCK  ") || !strings.Contains(out, "Rootly") {
		t.Errorf("the block does not name the provider Rootly:\n%s", out)
	}
	wantLines(t, out, "  .env:2:18  Rootly credential assigned to ROOTLY_API_TOKEN")
	if n := strings.Count(out, "\nBLOCK  "); n != 1 { // (a .env file also warns, as a file)
		t.Errorf("%d blocking findings; want 1:\n%s", n, out)
	}
	noSecret(t, out, fakeRootlyToken, fakeRootlyToken[7:30])
}

// TestEngineProviderConfigPath: a provider named by an enclosing YAML key
// (services: rootly: api_token: …) is the provider of the value, even when
// the commit adds only the value's line.
func TestEngineProviderConfigPath(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("services", map[string]string{"config/services.yaml": "services:\n  rootly:\n    region: eu\n"})
	w.mustAccept(w.push("main"))
	w.commit("add the token", map[string]string{"config/services.yaml": "services:\n  rootly:\n    region: eu\n    api_token: " + fakeRootlyToken + "\n"})
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	wantLines(t, out, "  config/services.yaml:4:16  Rootly credential assigned to services.rootly.api_token")
	noSecret(t, out, fakeRootlyToken)
}

// TestEngineProviderContextQuiet: the same key holding references and
// placeholders is accepted.
func TestEngineProviderContextQuiet(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("config", map[string]string{
		".env.example": "ROOTLY_API_TOKEN=your-rootly-api-token-here\nSENDGRID_API_KEY=${SENDGRID_API_KEY}\nTWILIO_AUTH_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		"app.js":       "const rootlyToken = process.env.ROOTLY_API_TOKEN;\nconst buildHash = \"d41d8cd98f00b204e9800998ecf8427e\";\n",
	})
	w.mustAccept(w.push("main"))
}

// utf16LE returns s encoded as UTF-16LE with a byte order mark, the way
// Windows PowerShell and Visual Studio save files.
func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// TestEngineUTF16FileScanned: an AWS key in a UTF-16 file (binary to git)
// is found at its line and column; a later edit of the file reports only
// what it adds.
func TestEngineUTF16FileScanned(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("init", map[string]string{"deploy.ps1": utf16LE("# deploy\r\nWrite-Host 'hi'\r\n")})
	w.mustAccept(w.push("main"))
	w.commit("deploy with keys", map[string]string{
		"deploy.ps1": utf16LE("# deploy\r\n$env:AWS_ACCESS_KEY_ID = \"" + fakeAWSKeyID + "\"\r\nWrite-Host 'hi'\r\n"),
	})
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	if !strings.Contains(out, "BLOCK  aws-access-key-id:") {
		t.Errorf("no aws-access-key-id block:\n%s", out)
	}
	wantLines(t, out, "  deploy.ps1:2:27  AKIA***")
	if strings.Contains(out, "deploy.ps1:1:") || strings.Contains(out, "deploy.ps1:3:") {
		t.Errorf("lines the commit did not add are reported:\n%s", out)
	}
	noSecret(t, out, fakeAWSKeyID)
}

// TestEngineKubernetesSecretDecoded: a base64 AWS key in the data map of a
// Kubernetes Secret is decoded and blocked, pointing at the encoded line;
// the same value in a ConfigMap is not decoded.
func TestEngineKubernetesSecretDecoded(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	enc := base64.StdEncoding.EncodeToString([]byte(fakeAWSKeyID))
	manifest := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\ntype: Opaque\ndata:\n  region: " +
		base64.StdEncoding.EncodeToString([]byte("eu-west-1")) + "\n  AWS_ACCESS_KEY_ID: " + enc + "\n"
	w.commit("aws secret", map[string]string{"k8s/secret.yaml": manifest})
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	if !strings.Contains(out, "BLOCK  aws-access-key-id:") {
		t.Errorf("no aws-access-key-id block:\n%s", out)
	}
	wantLines(t, out, "  k8s/secret.yaml:8:22  decoded from the base64 value of data.AWS_ACCESS_KEY_ID")
	noSecret(t, out, fakeAWSKeyID, enc)

	w2 := newWorld(t)
	w2.installHook()
	w2.commit("config map", map[string]string{"k8s/cm.yaml": strings.Replace(manifest, "kind: Secret", "kind: ConfigMap", 1)})
	w2.mustAccept(w2.push("main"))
}

// TestEngineDockerConfigAuthDecoded: a GitHub token used as the password of
// a Docker registry login, base64-encoded in config.json's auth, is found;
// so is the same file inside a Kubernetes dockerconfigjson Secret.
func TestEngineDockerConfigAuthDecoded(t *testing.T) {
	auth := base64.StdEncoding.EncodeToString([]byte("octocat:" + fakeEngineGHToken))
	config := "{\n  \"auths\": {\n    \"ghcr.io\": {\n      \"auth\": \"" + auth + "\"\n    }\n  }\n}\n"
	for _, tt := range []struct {
		name, path, content, want string
	}{
		{"config.json", ".docker/config.json", config,
			"  .docker/config.json:4:16  decoded from the base64 value of auth"},
		{"dockerconfigjson secret", "k8s/pull.yaml",
			"apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata:\n  name: pull\ndata:\n  .dockerconfigjson: " +
				base64.StdEncoding.EncodeToString([]byte(config)) + "\n",
			"  k8s/pull.yaml:7:22  decoded from the base64 value of data..dockerconfigjson, in a Docker auth entry"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.installHook()
			w.commit("registry login", map[string]string{tt.path: tt.content})
			p := w.push("main")
			w.mustReject(p)
			out := p.remote()
			if !strings.Contains(out, "BLOCK  github-token:") {
				t.Errorf("no github-token block:\n%s", out)
			}
			wantLines(t, out, tt.want)
			noSecret(t, out, fakeEngineGHToken, auth)
		})
	}
}

// TestEngineOneFindingPerSecret: a GitHub token assigned to a variable
// named token is one finding (the GitHub rule's), not also a generic
// warning that would redact the variable name instead of the secret.
func TestEngineOneFindingPerSecret(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("client", map[string]string{"src/client.ts": "const token = \"" + fakeEngineGHToken + "\";\n"})
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	got := findingLines(out)
	if len(got) != 1 || !strings.HasPrefix(got[0], "BLOCK  github-token:") {
		t.Errorf("findings %q; want exactly the github-token block:\n%s", got, out)
	}
	wantLines(t, out, "  src/client.ts:1:16  ghp_***")
	noSecret(t, out, fakeEngineGHToken)
}

// TestImportGitleaks converts a hand-written gitleaks configuration, checks
// that the result passes `rules validate` and `rules test`, and that a
// .gitleaksignore fingerprint becomes a baseline that `pushguard scan`
// honours on a real repository.
func TestImportGitleaks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := write("gitleaks.toml", `title = "team"
[allowlist]
paths = ['''(?:^|/)testdata(?:/.*)?$''']

[[rules]]
id = "acme-token"
description = "An Acme API token."
regex = '''\b(acme_[a-z0-9]{32})\b'''
entropy = 3.5
keywords = ["acme_"]

[[rules]]
id = "acme-pair"
regex = '''acme_id_[0-9]{8}'''
[[rules.required]]
id = "acme-token"
withinLines = 2
`)
	out := filepath.Join(dir, "imported.yml")
	cli := func(args ...string) (int, string, string) {
		var stdout, stderr strings.Builder
		code := run(append([]string{"pushguard"}, args...), strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
		return code, stdout.String(), stderr.String()
	}
	code, _, stderr := cli("rules", "import-gitleaks", "-o", out, cfg)
	if code != exitOK {
		t.Fatalf("import-gitleaks exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{
		"converted 1 of 2 gitleaks rules (1 with generated match examples)",
		"not converted: acme-pair: composite rule (required: acme-token)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("report lacks %q:\n%s", want, stderr)
		}
	}
	if code, stdout, stderr := cli("rules", "validate", out); code != exitOK {
		t.Errorf("rules validate exit %d:\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := cli("rules", "test", out); code != exitOK || !strings.Contains(stdout, "all 2 tests pass") {
		t.Errorf("rules test exit %d:\n%s%s", code, stdout, stderr)
	}

	// A repository with one known finding (line 2) and one new one (line 3).
	w := newWorld(t)
	token := "acme_" + "k3j9x2m8q7w1z5v4b6n0p2r8t4y6u1i3"
	other := "acme_" + "p5z8c1v4b7n0m3q6w9e2r5t8y1u4i7o0"
	commit := w.commit("client", map[string]string{
		"src/app.go":           "package app\nconst tok = \"" + token + "\"\nconst tok2 = \"" + other + "\"\n",
		"testdata/fixture.txt": token + "\n",
	})
	ignore := write(".gitleaksignore", commit+":src/app.go:acme-token:2\n"+commit+":src/app.go:acme-token:9\n")
	base := filepath.Join(dir, "baseline.json")
	code, _, stderr = cli("rules", "import-gitleaks", "-o", out, "--ignore", ignore, "--repo", w.client, "--baseline-out", base, cfg)
	if code != exitOK || !strings.Contains(stderr, "baseline: 1 of 2 fingerprints converted") || !strings.Contains(stderr, "src/app.go has no line 9") {
		t.Fatalf("import-gitleaks --ignore exit %d:\n%s", code, stderr)
	}
	scanArgs := []string{"scan", "--repo", w.client, "--all", "--no-default-rules", "--rules", out, "--format", "json"}
	code, stdout, stderr := cli(scanArgs...)
	if code != exitRejected || strings.Count(stdout, `"rule": "gitleaks-acme-token"`) != 2 {
		t.Fatalf("scan without baseline: exit %d, want 2 findings (testdata/ allowlisted):\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = cli(append(scanArgs, "--baseline", base)...)
	if code != exitRejected || strings.Count(stdout, `"rule": "gitleaks-acme-token"`) != 1 || !strings.Contains(stdout, `"line": 3`) {
		t.Fatalf("scan with baseline: exit %d, want only the line-3 finding:\n%s%s", code, stdout, stderr)
	}
}

// TestEngineKubernetesSecretPasswordWarns: a random password in a Secret's
// data, which no provider rule knows, is read as the assignment the
// manifest makes (DB_PASSWORD: value) and warned about; a non-credential
// key in the same manifest is not.
func TestEngineKubernetesSecretPasswordWarns(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	pass := "Xk9vLq2mZr7TwpB4" + "nH3s"
	manifest := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  DB_HOST: " +
		base64.StdEncoding.EncodeToString([]byte("db.internal")) + "\n  DB_PASSWORD: " +
		base64.StdEncoding.EncodeToString([]byte(pass)) + "\n"
	w.commit("db secret", map[string]string{"k8s/db.yaml": manifest})
	p := w.push("main")
	w.mustAccept(p)
	out := p.remote()
	if !strings.Contains(out, "WARN  generic-secret-assignment:") {
		t.Fatalf("no warning for the password in the Secret:\n%s", out)
	}
	wantLines(t, out, "  k8s/db.yaml:8:16  decoded from the base64 value of data.DB_PASSWORD")
	if strings.Contains(out, "k8s/db.yaml:7:") {
		t.Errorf("DB_HOST reported:\n%s", out)
	}
	noSecret(t, out, pass, base64.StdEncoding.EncodeToString([]byte(pass)))
}
