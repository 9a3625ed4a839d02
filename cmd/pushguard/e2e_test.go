package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Fake credentials that match the embedded rules. They are built from parts
// so that this file itself does not trip secret scanners.
var (
	fakeAWSKey   = "AKIA" + "QYLPMN5HHHFPZAM2"
	fakeGHToken  = "ghp_" + "R8x2TqLm4VbN7cZp1WsY9dKf3HjQ6gAe5uXo"
	fakeKeyBlock = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1\n-----END RSA PRIVATE KEY-----\n"
)

func TestPushCleanIsAccepted(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("add readme", map[string]string{"README.md": "# demo\n", "main.go": "package main\n\nfunc main() {}\n"})
	p := w.push("main")
	w.mustAccept(p)
	if got := p.remote(); got != "" {
		t.Errorf("clean push printed remote output:\n%s", got)
	}
}

func TestPushSecretIsRejected(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("add readme", map[string]string{"README.md": "# demo\n"})
	bad := w.commit("add config", map[string]string{"config/app.env": "REGION=eu-west-1\nAWS_ACCESS_KEY_ID=" + fakeAWSKey + "\n"})
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	for _, want := range []string{
		"push REJECTED", "aws-access-key-id", "config/app.env:2:", bad[:10], "refs/heads/main",
		"AKIA***", "Nothing from this push was accepted",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("remote output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, fakeAWSKey) {
		t.Errorf("remote output shows the secret unredacted:\n%s", out)
	}
	if w.serverRef("refs/heads/main") != "" {
		t.Error("rejected push created the ref anyway")
	}
}

// TestPushPackWithSecretInMiddle pushes over 100 objects, which git sends as a
// pack kept in the quarantine: the secret in a middle commit must be found.
func TestPushPackWithSecretInMiddle(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	for i := 0; i < 60; i++ {
		files := map[string]string{fmt.Sprintf("src/f%02d.go", i): fmt.Sprintf("package src\n\nconst V%d = %d\n", i, i)}
		if i == 30 {
			files["deploy/keys.txt"] = "token: " + fakeGHToken + "\n"
		}
		w.commit(fmt.Sprintf("commit %d", i), files)
	}
	p := w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "deploy/keys.txt:1:") || !strings.Contains(p.remote(), "github") {
		t.Errorf("secret in middle commit not reported:\n%s", p.remote())
	}
	// Objects really arrived as a pack: the quarantine held a pack file.
	if !strings.Contains(p.out, "Writing objects") && !strings.Contains(p.out, "pack") {
		t.Logf("push output: %s", p.out)
	}
}

func TestPushSeveralRefsOnlyLastBad(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"a.txt": "a\n"})
	w.git(w.client, "branch", "feature-a")
	w.git(w.client, "branch", "feature-b")
	w.git(w.client, "checkout", "-q", "-b", "zz-last")
	w.commit("oops", map[string]string{"id.pem": fakeKeyBlock})
	w.git(w.client, "checkout", "-q", "main")
	p := w.push("main", "feature-a", "feature-b", "zz-last")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "refs/heads/zz-last") || !strings.Contains(p.remote(), "id.pem:1:") {
		t.Errorf("finding on the last ref not reported:\n%s", p.remote())
	}
	// pre-receive is all or nothing: no ref was updated.
	for _, ref := range []string{"refs/heads/main", "refs/heads/feature-a", "refs/heads/zz-last"} {
		if w.serverRef(ref) != "" {
			t.Errorf("%s exists on the server after a rejected push", ref)
		}
	}
}

// seedServer pushes commits with the hook not installed, the way history
// that predates pushguard reaches a server, then installs the hook.
func seedServer(w *world, refs ...string) {
	w.t.Helper()
	w.removeHook()
	w.mustAccept(w.push(refs...))
	w.installHook()
}

func TestPushNewBranchOnExistingCommitsAddsNothing(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("legacy secret", map[string]string{"old.env": "AWS=" + fakeAWSKey + "\n"})
	seedServer(w, "main")
	w.git(w.client, "branch", "release")
	p := w.push("release")
	w.mustAccept(p)
	if p.remote() != "" {
		t.Errorf("new branch on existing commits reported something:\n%s", p.remote())
	}
}

func TestPushBranchDeleteIsAccepted(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"a.txt": "a\n"})
	w.git(w.client, "branch", "topic")
	w.mustAccept(w.push("main", "topic"))
	w.mustAccept(w.push("--delete", "topic"))
	if w.serverRef("refs/heads/topic") != "" {
		t.Error("topic still exists after delete")
	}
}

func TestForcePushDroppingBadCommitIsAccepted(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"a.txt": "a\n"})
	w.commit("bad", map[string]string{"creds.txt": fakeGHToken + "\n"})
	seedServer(w, "main")
	w.git(w.client, "reset", "-q", "--hard", "HEAD~1")
	clean := w.commit("clean", map[string]string{"b.txt": "b\n"})
	p := w.push("--force", "main")
	w.mustAccept(p)
	if w.serverRef("refs/heads/main") != clean {
		t.Error("force push not applied")
	}
}

func TestAnnotatedTagOnNewBadCommitIsRejected(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"a.txt": "a\n"})
	w.mustAccept(w.push("main"))
	w.git(w.client, "checkout", "-q", "--detach")
	w.commit("release prep", map[string]string{"release.cfg": "key=" + fakeAWSKey + "\n"})
	w.tick++
	w.git(w.client, "tag", "-a", "v1.0", "-m", "release 1.0")
	p := w.push("v1.0")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "refs/tags/v1.0") || !strings.Contains(p.remote(), "release.cfg:1:") {
		t.Errorf("tag push finding not reported:\n%s", p.remote())
	}
}

func TestTagMessageIsCheckedLikeCommitMessage(t *testing.T) {
	w := newWorld(t)
	rules := filepath.Join(t.TempDir(), "msg.yml")
	if err := os.WriteFile(rules, []byte(`rules:
  - id: no-wip
    description: WIP must not be published
    severity: block
    message: Message says WIP
    help: Reword the message.
    commit:
      message: '(?i)\bwip\b'
`), 0o644); err != nil {
		t.Fatal(err)
	}
	w.installHook("--rules", rules)
	w.commit("base", map[string]string{"a.txt": "a\n"})
	w.mustAccept(w.push("main"))
	w.tick++
	w.git(w.client, "tag", "-a", "v0.1", "-m", "WIP do not use")
	p := w.push("v0.1")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "no-wip") || !strings.Contains(p.remote(), "tag object") {
		t.Errorf("tag message finding not reported:\n%s", p.remote())
	}
}

func TestMergeCommits(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"app.cfg": "a=1\nb=2\n"})
	w.git(w.client, "checkout", "-q", "-b", "topic")
	w.commit("topic change", map[string]string{"topic.txt": "topic\n"})
	w.mustAccept(w.push("main", "topic"))
	w.git(w.client, "checkout", "-q", "main")
	w.commit("main change", map[string]string{"main.txt": "main\n"})
	w.mustAccept(w.push("main"))

	// A clean merge of work the server already has is accepted.
	w.tick++
	w.git(w.client, "merge", "-q", "--no-ff", "-m", "merge topic", "topic")
	w.mustAccept(w.push("main"))

	// A merge whose resolution adds a bad line is rejected.
	w.git(w.client, "checkout", "-q", "-b", "topic2", "HEAD~1")
	w.commit("topic2", map[string]string{"app.cfg": "a=1\nb=3\n"})
	w.git(w.client, "checkout", "-q", "main")
	w.commit("main side", map[string]string{"app.cfg": "a=1\nb=4\n"})
	w.tick++
	if _, err := w.gitErr(w.client, "merge", "-q", "topic2"); err == nil {
		t.Fatal("expected a merge conflict")
	}
	w.write(map[string]string{"app.cfg": "a=1\nb=5\naws=" + fakeAWSKey + "\n"})
	w.git(w.client, "add", "app.cfg")
	w.git(w.client, "commit", "-q", "--no-edit")
	merge := w.git(w.client, "rev-parse", "HEAD")
	p := w.push("main", "topic2")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "app.cfg:3:") || !strings.Contains(p.remote(), merge[:10]) {
		t.Errorf("merge resolution finding not reported on the merge commit:\n%s", p.remote())
	}
}

func TestRenameOfAcceptedSecretIsAccepted(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("legacy", map[string]string{"conf/old.env": "x=1\nkey=" + fakeAWSKey + "\ny=2\n"})
	seedServer(w, "main")
	w.git(w.client, "mv", "conf/old.env", "conf/new.env")
	w.commit("rename", nil)
	w.mustAccept(w.push("main"))
	// Rename with an edit elsewhere in the file: still only the new line counts.
	w.git(w.client, "mv", "conf/new.env", "settings.env")
	w.commit("rename and edit", map[string]string{"settings.env": "x=1\nkey=" + fakeAWSKey + "\ny=3\n"})
	p := w.push("main")
	w.mustAccept(p)
	if p.remote() != "" {
		t.Errorf("rename re-reported old content:\n%s", p.remote())
	}
}

func TestBinaryWithSecretLikeBytesIsAccepted(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	bin := "\x7fELF\x02\x01\x01\x00\x00\x00" + fakeAWSKey + "\x00\x00" + fakeGHToken
	w.commit("add binary", map[string]string{"tool.bin": bin})
	p := w.push("main")
	w.mustAccept(p)
}

func TestConcurrentPushes(t *testing.T) {
	good := newWorld(t)
	bad := newWorld(t)
	good.installHook()
	bad.installHook()
	good.commit("clean", map[string]string{"a.txt": "fine\n"})
	bad.commit("dirty", map[string]string{"a.txt": fakeAWSKey + "\n"})
	// Several pushes at once into the same repository too.
	same := newWorld(t)
	same.installHook()
	same.commit("base", map[string]string{"a.txt": "a\n"})
	for i := 0; i < 4; i++ {
		same.git(same.client, "branch", fmt.Sprintf("b%d", i))
	}
	var wg sync.WaitGroup
	results := make([]pushResult, 6)
	run := func(i int, w *world, ref string) {
		defer wg.Done()
		out, err := w.gitErr(w.client, "push", "origin", ref)
		results[i] = pushResult{out: out, err: err}
	}
	wg.Add(6)
	go run(0, good, "main")
	go run(1, bad, "main")
	for i := 0; i < 4; i++ {
		go run(2+i, same, fmt.Sprintf("b%d", i))
	}
	wg.Wait()
	good.mustAccept(results[0])
	bad.mustReject(results[1])
	for i := 2; i < 6; i++ {
		same.mustAccept(results[i])
	}
}

func TestMalformedStdinExits2(t *testing.T) {
	cases := []struct{ name, stdin string }{
		{"empty", ""},
		{"two fields", "0000000000000000000000000000000000000000 refs/heads/main\n"},
		{"bad hex", strings.Repeat("g", 40) + " " + strings.Repeat("1", 40) + " refs/heads/main\n"},
		{"bad ref", strings.Repeat("0", 40) + " " + strings.Repeat("1", 40) + " main\n"},
		{"escape in ref", strings.Repeat("0", 40) + " " + strings.Repeat("1", 40) + " refs/heads/\x1b[31mx\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command("git", "init", "-q", "--bare", dir).CombinedOutput(); err != nil {
				t.Fatalf("%v %s", err, out)
			}
			cmd := exec.Command(binPath, "pre-receive")
			cmd.Env = []string{"GIT_DIR=" + dir, "PATH=" + os.Getenv("PATH")}
			cmd.Stdin = strings.NewReader(tc.stdin)
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != exitUsage {
				t.Fatalf("exit = %v, want %d; output:\n%s", err, exitUsage, out)
			}
			if !strings.Contains(string(out), "REJECTED") || strings.Contains(string(out), "\x1b") {
				t.Errorf("message not clear or not escaped:\n%q", out)
			}
		})
	}
}
