package gittest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInitAndRunAreHermetic(t *testing.T) {
	dir, env := Init(t)
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, dir, env, "add", "a.txt")
	Run(t, dir, env, "commit", "-q", "-m", "one")
	// Fixed identities and dates, on branch main.
	if got := Run(t, dir, env, "log", "-1", "--format=%an <%ae> %aI %cn %cI %D"); got != "Dev <dev@example.com> 2026-01-02T03:04:05+00:00 Dev 2026-01-02T03:04:05+00:00 HEAD -> main" {
		t.Fatalf("identity and date = %q", got)
	}
}
