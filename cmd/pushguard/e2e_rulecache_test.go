package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cacheFiles lists the files of the hook's rule cache whose names end with
// suffix.
func cacheFiles(t *testing.T, dir, suffix string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), suffix) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// TestE2ECompiledRuleCache: through real pushes, the first run of the hook
// validates the rules in full and writes their compiled form; the next
// runs load that form and block the same secret, in the embedded rules
// and in an admin's directory whose dependency allowlist changes between
// pushes; damaged cache files are ignored, the secret still blocked, and
// the files written again.
func TestE2ECompiledRuleCache(t *testing.T) {
	w := newWorld(t)
	admin := t.TempDir()
	writeAdmin := func(allowed string) {
		t.Helper()
		files := map[string]string{
			"deps.yml": "rules:\n  - id: vetted-deps\n    severity: block\n    message: unvetted dependency\n" +
				"    dependencies: {new: true, allowlist: allow.yml}\n",
			"allow.yml": "npm: [" + allowed + "]\n",
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(admin, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeAdmin("react")
	cfg := filepath.Join(t.TempDir(), "pushguard.yml")
	if err := os.WriteFile(cfg, []byte("mode: enforce\nrules:\n  - embedded: true\n  - path: "+admin+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.installHook("--config", cfg)
	cache := filepath.Join(w.home, ".cache", "pushguard", "rules")

	w.commit("base", map[string]string{"README.md": "hi\n"})
	w.mustAccept(w.push("main"))
	if len(cacheFiles(t, cache, ".rules")) == 0 || len(cacheFiles(t, cache, ".ac")) != 1 {
		t.Fatalf("after the first push: compiled files %v, automata %v", cacheFiles(t, cache, ".rules"), cacheFiles(t, cache, ".ac"))
	}
	w.commit("key", map[string]string{"k.env": "K=AKIA" + "QYLPMN5HHHFPZAM2\n"})
	for _, round := range []string{"warm", "warm again"} {
		p := w.push("main")
		w.mustReject(p)
		if !strings.Contains(p.remote(), "aws-access-key-id") {
			t.Fatalf("%s: not the AWS rule:\n%s", round, p.remote())
		}
	}
	for _, f := range append(cacheFiles(t, cache, ".rules"), cacheFiles(t, cache, ".ac")...) {
		if err := os.Truncate(f, 10); err != nil {
			t.Fatal(err)
		}
	}
	p := w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "aws-access-key-id") {
		t.Fatalf("damaged cache: not the AWS rule:\n%s", p.remote())
	}
	for _, f := range cacheFiles(t, cache, ".rules") {
		if st, err := os.Stat(f); err != nil || st.Size() <= 10 {
			t.Errorf("%s not written again after it was damaged", f)
		}
	}

	// The admin's rule: a new npm dependency outside the allowlist is
	// refused; allowlisted between two pushes, it passes at once.
	w.git(w.client, "reset", "-q", "--hard", "HEAD~1")
	w.commit("dep", map[string]string{"package.json": `{"dependencies": {"left-pad": "1.3.0"}}` + "\n"})
	p = w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "vetted-deps") {
		t.Fatalf("unvetted dependency: not the admin's rule:\n%s", p.remote())
	}
	writeAdmin("react, left-pad")
	w.mustAccept(w.push("main"))
}
