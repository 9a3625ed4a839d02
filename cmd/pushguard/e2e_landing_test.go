package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLandingRecorded: with the hooks `pushguard install --plain` writes,
// a real push that pushguard accepts and git applies is recorded as landed;
// one that the server refuses after pushguard (here git's update hook, as a
// platform's protected-branch check does) reads "refused by the platform";
// stats counts only the commits that landed.
func TestLandingRecorded(t *testing.T) {
	w := newWorld(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := filepath.Join(t.TempDir(), "pushguard.yml")
	if err := os.WriteFile(cfg, []byte("audit:\n  destination: file\n  path: "+auditPath+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binPath, "install", "--plain", w.server, "--config", cfg, "--binary", binPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), filepath.Join(w.server, "hooks", "post-receive")) {
		t.Fatalf("install: %v\n%s", err, out)
	}
	// The server's own check after pre-receive: refs/heads/locked is refused.
	update := "#!/bin/sh\ncase \"$1\" in refs/heads/locked) echo 'locked branch' >&2; exit 1;; esac\nexit 0\n"
	if err := os.WriteFile(filepath.Join(w.server, "hooks", "update"), []byte(update), 0o755); err != nil {
		t.Fatal(err)
	}

	w.commit("one", map[string]string{"a.txt": "a\n"})
	w.mustAccept(w.push("main"))
	w.commit("two", map[string]string{"b.txt": "b\n"})
	if p := w.push("HEAD:refs/heads/locked"); p.accepted() || !strings.Contains(p.out, "locked branch") {
		t.Fatalf("push to the locked branch: %s", p.out)
	}
	w.commit("three", map[string]string{"k.env": "K=AKIA" + "QYLPMN5HHHFPZAM2\n"})
	w.mustReject(w.push("main"))

	b, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var kinds []string
	for _, l := range lines {
		var e struct {
			Event       string `json:"event"`
			Decision    string `json:"decision"`
			PostReceive bool   `json:"post_receive"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if e.Event != "" {
			kinds = append(kinds, e.Event)
			continue
		}
		if !e.PostReceive {
			t.Errorf("push event without post_receive: %s", l)
		}
		kinds = append(kinds, e.Decision)
	}
	if got, want := strings.Join(kinds, ","), "accepted,landed,accepted,rejected"; got != want {
		t.Errorf("audit lines %s, want %s\n%s", got, want, b)
	}

	sout, err := exec.Command(binPath, "stats", "--audit-log", auditPath, "--format", "json").Output()
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	var st struct {
		Pushes   int `json:"pushes"`
		Rejected int `json:"rejected"`
		Landed   int `json:"landed"`
		Refused  int `json:"refused_by_platform"`
		Unknown  int `json:"outcome_unknown"`
		Commits  int `json:"commits"`
	}
	if err := json.Unmarshal(sout, &st); err != nil {
		t.Fatal(err)
	}
	if st.Pushes != 3 || st.Rejected != 1 || st.Landed != 1 || st.Refused != 1 || st.Unknown != 0 || st.Commits != 1 {
		t.Errorf("stats %+v, want 3 pushes, 1 rejected, 1 landed, 1 refused by the platform, 1 commit\n%s", st, sout)
	}
}
