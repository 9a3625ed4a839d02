package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// strictDepsRules is the absolute path of the strict dependencies example,
// whose allowlist file sits next to it.
func strictDepsRules(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "rules", "examples", "strict-dependencies.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// depsContain fails the test for every want missing from out.
func depsContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("remote output lacks %q:\n%s", want, out)
		}
	}
}

const packageJSONBase = `{
  "name": "web",
  "version": "1.0.0",
  "dependencies": {
    "react": "^18.2.0"
  }
}
`

// TestPushNewNpmDependencyWarns: the embedded new-dependency rule warns
// about a dependency package.json did not have, at its declaration line,
// and accepts the push; bumping an existing dependency reports nothing.
func TestPushNewNpmDependencyWarns(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("web app", map[string]string{"README.md": "# web\n"})
	w.mustAccept(w.push("main"))

	w.commit("add package.json", map[string]string{"package.json": packageJSONBase})
	p := w.push("main")
	w.mustAccept(p)
	depsContain(t, p.remote(), "new-dependency", "package.json:5:", "npm:react")

	w.commit("add left-padd", map[string]string{"package.json": strings.Replace(packageJSONBase,
		`"react": "^18.2.0"`, `"react": "^18.2.0",`+"\n"+`    "left-padd": "^1.0.0"`, 1)})
	p = w.push("main")
	w.mustAccept(p)
	out := p.remote()
	depsContain(t, out, "WARN", "new-dependency", "AI tools invent package names", "package.json:6:6", "npm:left-padd")
	if strings.Contains(out, "npm:react") {
		t.Errorf("an existing dependency is reported again:\n%s", out)
	}

	// A version bump and a move between sections add no dependency.
	w.commit("bump react, left-padd to dev", map[string]string{"package.json": `{
  "name": "web",
  "dependencies": {"react": "^18.3.1"},
  "devDependencies": {"left-padd": "^1.0.1"}
}
`})
	p = w.push("main")
	w.mustAccept(p)
	if out := p.remote(); strings.Contains(out, "new-dependency") {
		t.Errorf("a version bump was reported as a new dependency:\n%s", out)
	}
}

// TestPushStrictDependencies: with the strict example, a new PyPI
// dependency that is not allowlisted is rejected, an allowlisted one is
// accepted, whatever the spelling PEP 503 normalizes.
func TestPushStrictDependencies(t *testing.T) {
	w := newWorld(t)
	w.installHook("--rules", strictDepsRules(t))
	w.commit("service", map[string]string{"requirements.txt": "Django==5.0\n"})
	w.mustAccept(w.push("main"))

	w.commit("add http client", map[string]string{"requirements.txt": "Django==5.0\n# http\nreqeusts==2.32.0\n"})
	p := w.push("main")
	w.mustReject(p)
	depsContain(t, p.remote(), "BLOCK", "new-dependency", "requirements.txt:3:1", "pypi:reqeusts", "dependency-allowlist.yml")
	if w.serverRef("refs/heads/main") == w.git(w.client, "rev-parse", "HEAD") {
		t.Error("the rejected push updated main")
	}

	w.git(w.client, "reset", "-q", "--hard", "HEAD~1")
	w.commit("add http client", map[string]string{"requirements.txt": "Django==5.0\n# http\nRequests==2.32.0\n"})
	p = w.push("main")
	w.mustAccept(p)
	if out := p.remote(); strings.Contains(out, "new-dependency") {
		t.Errorf("an allowlisted dependency was reported:\n%s", out)
	}
}

// TestPushMalformedManifest: a package.json pushguard cannot parse is
// reported as a warning naming the problem, never a block, even under the
// strict rule: the package manager rejects it too.
func TestPushMalformedManifest(t *testing.T) {
	w := newWorld(t)
	w.installHook("--rules", strictDepsRules(t))
	w.commit("web", map[string]string{"package.json": `{"dependencies": {"react": "18"}}` + "\n"})
	w.mustAccept(w.push("main"))

	w.commit("broken", map[string]string{"package.json": "{\n  \"dependencies\": {\"react\": \"18\", \"left-padd\": \"1\",}\n}\n"})
	p := w.push("main")
	w.mustAccept(p)
	depsContain(t, p.remote(), "WARN", "new-dependency", "Could not parse manifest", "line 2: invalid JSON", "package.json")
	if strings.Contains(p.remote(), "BLOCK") {
		t.Errorf("a malformed manifest blocked the push:\n%s", p.remote())
	}
}

// TestPushDependencyPolicyRepository: a policy repository may keep the
// allowlist next to its dependency rule; the allowlist is read from the
// policy tree, never from the server's disk.
func TestPushDependencyPolicyRepository(t *testing.T) {
	pol := newWorld(t)
	app := newWorld(t)
	cfg := filepath.Join(t.TempDir(), "pushguard.yml")
	body := "rules:\n  - embedded: true\n  - repo: " + pol.server + "\n    ref: refs/heads/main\n    dir: rules/\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	pol.installHook("--config", cfg)
	app.installHook("--config", cfg)

	rule := `rules:
  - id: new-dependency
    severity: block
    message: New dependency not on the allowlist
    help: Ask for it to be vetted.
    dependencies: {new: true, allowlist: ALLOWLIST}
    tests: {match: ["npm:left-padd"], nomatch: ["npm:react"]}
`
	pol.commit("read the server's disk", map[string]string{"rules/deps.yml": strings.Replace(rule, "ALLOWLIST", "/etc/passwd", 1)})
	p := pol.push("main")
	pol.mustReject(p)
	depsContain(t, p.remote(), "dependencies.allowlist", "must be a path relative to the rule file")

	pol.commit("allowlist", map[string]string{
		"rules/deps.yml":       strings.Replace(rule, "ALLOWLIST", "allow/deps.yml", 1),
		"rules/allow/deps.yml": "npm: [react]\n",
	})
	pol.mustAccept(pol.push("main"))

	app.commit("web", map[string]string{"package.json": `{"dependencies": {"react": "18"}}` + "\n"})
	app.mustAccept(app.push("main"))
	app.commit("pad", map[string]string{"package.json": `{"dependencies": {"react": "18", "left-padd": "1"}}` + "\n"})
	p = app.push("main")
	app.mustReject(p)
	depsContain(t, p.remote(), "npm:left-padd", "package.json:1:")
}
