package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files (review the diff before committing)")

// golden compares got with testdata/golden/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// TestPushRejectionGolden pins the whole pusher-facing message of a rejected
// push: commit ids are stable because identities and dates are fixed.
func TestPushRejectionGolden(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("add service", map[string]string{"svc/main.go": "package main\n\nfunc main() {}\n"})
	w.commit("add deploy config", map[string]string{
		"deploy/prod.env": "REGION=eu-west-1\nAWS_ACCESS_KEY_ID=" + fakeAWSKey + "\n",
		"deploy/gh.txt":   "token " + fakeGHToken + "\n",
		"deploy/id_rsa":   fakeKeyBlock,
	})
	p := w.push("main")
	w.mustReject(p)
	golden(t, "reject-secrets.txt", p.remote()+"\n")
}
