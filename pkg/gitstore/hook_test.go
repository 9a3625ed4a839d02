package gitstore

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// hookOutVar tells the test binary, run as a pre-receive hook by
// TestRealPush, where to write what it saw.
const hookOutVar = "PUSHGUARD_GITSTORE_HOOK_OUT"

// hookReport is what the hook helper saw during a real push.
type hookReport struct {
	Env             Env
	QuarantinePacks int
	QuarantineLoose int
	Commits         []string
	Tags            []string
	Files           map[string]string // path -> content of files the new commits add or change
	Err             string
	NoQuarantine    string // error of the same walk without the quarantine
}

// TestHookHelper is not a test of its own: TestRealPush installs this test
// binary as the pre-receive hook of a repository, and git runs it here
// with the real quarantine environment.
func TestHookHelper(t *testing.T) {
	out := os.Getenv(hookOutVar)
	if out == "" {
		t.Skip("pre-receive helper for TestRealPush")
	}
	rep := runHook(os.Stdin, os.Getenv)
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runHook does what pushguard's pre-receive does with the store.
func runHook(stdin io.Reader, getenv func(string) string) *hookReport {
	rep := &hookReport{Files: make(map[string]string)}
	fail := func(err error) *hookReport { rep.Err = err.Error(); return rep }
	env, err := EnvFromGetenv(getenv)
	if err != nil {
		return fail(err)
	}
	rep.Env = env
	if env.ObjectDir != "" {
		packs, _ := filepath.Glob(filepath.Join(env.ObjectDir, "pack", "*.pack"))
		loose, _ := filepath.Glob(filepath.Join(env.ObjectDir, "??", "*"))
		rep.QuarantinePacks, rep.QuarantineLoose = len(packs), len(loose)
	}
	var tips []plumbing.Hash
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 {
			tips = append(tips, plumbing.NewHash(f[1]))
		}
	}
	s, err := Open(env)
	if err != nil {
		return fail(err)
	}
	defer s.Close()
	refs, err := s.Refs()
	if err != nil {
		return fail(err)
	}
	var exclude []plumbing.Hash
	for _, r := range refs {
		exclude = append(exclude, r.Hash)
	}
	for _, tip := range tips {
		if _, _, tags, err := s.Peel(tip); err == nil {
			for _, tg := range tags {
				rep.Tags = append(rep.Tags, tg.Name+": "+strings.TrimSpace(tg.Message))
			}
		}
	}
	hs, err := s.NewCommits(tips, exclude)
	if err != nil {
		return fail(err)
	}
	for _, h := range hs {
		c, err := s.Commit(h)
		if err != nil {
			return fail(err)
		}
		rep.Commits = append(rep.Commits, strings.TrimSpace(c.Message))
		parentTree := plumbing.ZeroHash
		if len(c.Parents) > 0 {
			p, err := s.Commit(c.Parents[0])
			if err != nil {
				return fail(err)
			}
			parentTree = p.Tree
		}
		chs, err := s.Changes(parentTree, c.Tree)
		if err != nil {
			return fail(err)
		}
		for _, ch := range chs {
			if ch.Status == Deleted {
				continue
			}
			b, _, err := s.ReadBlob(ch.NewHash, 1<<20)
			if err != nil {
				return fail(err)
			}
			rep.Files[ch.Path] = string(b)
		}
	}
	plain, err := Open(Env{GitDir: env.GitDir})
	if err != nil {
		return fail(err)
	}
	defer plain.Close()
	if _, err := plain.NewCommits(tips, exclude); err != nil {
		rep.NoQuarantine = err.Error()
	}
	return rep
}

// TestRealPush pushes to a repository whose pre-receive hook is this test
// binary, so the Store is exercised on git's real object quarantine: loose
// objects (small push, unpack-objects) and a kept pack (receive.unpackLimit=1,
// index-pack).
func TestRealPush(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git push")
	}
	self, err := os.Executable()
	if err != nil {
		t.Skip("cannot find the test binary:", err)
	}
	tests := []struct {
		name        string
		unpackLimit string
		wantPacks   bool
	}{
		{"loose objects", "", false},
		{"pack", "1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server := newRepo(t, true)
			baseHistory().load(server)
			if tc.unpackLimit != "" {
				server.git("config", "receive.unpackLimit", tc.unpackLimit)
			}
			logFile := filepath.Join(t.TempDir(), "hook.log")
			hook := fmt.Sprintf("#!/bin/sh\n%q -test.run='^TestHookHelper$' >%q 2>&1\nexit 1\n", self, logFile)
			if err := os.WriteFile(filepath.Join(server.dir, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
				t.Fatal(err)
			}

			client := &testRepo{t: t, dir: filepath.Join(t.TempDir(), "client"), env: server.env}
			runGit(t, "", client.env, "", "clone", "-q", server.dir, client.dir)
			client.gitDir = filepath.Join(client.dir, ".git")
			for i, f := range []string{"secret.env", "notes.txt"} {
				if err := os.WriteFile(filepath.Join(client.dir, f), []byte(fmt.Sprintf("line %d of %s\n", i, f)), 0o644); err != nil {
					t.Fatal(err)
				}
				client.git("add", f)
				client.gitWith([]string{fmt.Sprintf("GIT_COMMITTER_DATE=@%d +0000", baseTime+100+i)}, "commit", "-q", "-m", "add "+f)
			}
			client.git("tag", "-a", "v2", "-m", "release two")

			out := filepath.Join(t.TempDir(), "report.json")
			push := exec.Command("git", "push", "origin", "main", "v2")
			push.Dir = client.dir
			push.Env = append(append([]string(nil), client.env...), hookOutVar+"="+out)
			pushOut, err := push.CombinedOutput()
			if err == nil {
				t.Fatalf("push accepted; the hook always rejects:\n%s", pushOut)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				log, _ := os.ReadFile(logFile)
				t.Fatalf("hook wrote no report (%v)\npush:\n%s\nhook:\n%s", err, pushOut, log)
			}
			var rep hookReport
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Err != "" {
				t.Fatalf("hook error: %s", rep.Err)
			}
			t.Logf("hook environment: %+v (packs %d, loose %d)", rep.Env, rep.QuarantinePacks, rep.QuarantineLoose)
			if rep.Env.ObjectDir == "" || len(rep.Env.Alternates) == 0 {
				t.Fatalf("no quarantine in the hook environment: %+v", rep.Env)
			}
			if got := rep.QuarantinePacks > 0; got != tc.wantPacks {
				t.Errorf("quarantine has %d packs and %d loose objects; want packs: %v", rep.QuarantinePacks, rep.QuarantineLoose, tc.wantPacks)
			}
			want := &hookReport{
				Env: rep.Env, QuarantinePacks: rep.QuarantinePacks, QuarantineLoose: rep.QuarantineLoose,
				Commits: []string{"add secret.env", "add notes.txt"},
				Tags:    []string{"v2: release two"},
				Files: map[string]string{
					"secret.env": "line 0 of secret.env\n",
					"notes.txt":  "line 1 of notes.txt\n",
				},
				NoQuarantine: rep.NoQuarantine,
			}
			if diff := cmp.Diff(want, &rep); diff != "" {
				t.Errorf("hook report mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(rep.NoQuarantine, "not found") {
				t.Errorf("without the quarantine the walk must miss the pushed objects, got error %q", rep.NoQuarantine)
			}
		})
	}
}
