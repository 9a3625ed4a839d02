package main

// The hostile-push suite: real pushes whose names, messages, contents and
// shapes are chosen to crash, confuse or slip past a hook. Each case asserts
// the documented decision (see SECURITY.md), that no panic text reaches the
// pusher and that the output carries no raw control character.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fastImport feeds a git fast-import stream to the client repository: the
// quick way to build commits with 100,000 files, 5,000 commits or paths a
// work tree cannot hold.
func (w *world) fastImport(stream []byte) {
	w.t.Helper()
	cmd := exec.Command("git", "fast-import", "--quiet", "--done")
	cmd.Dir = w.client
	cmd.Env = w.env
	cmd.Stdin = bytes.NewReader(stream)
	if out, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("git fast-import: %v\n%s", err, out)
	}
}

// fiData writes a fast-import "data" command holding s.
func fiData(b *bytes.Buffer, s string) {
	fmt.Fprintf(b, "data %d\n%s\n", len(s), s)
}

// fiCommitHeader starts a fast-import commit on ref with a fixed committer.
func fiCommitHeader(b *bytes.Buffer, ref string, mark, when int, msg string) {
	fmt.Fprintf(b, "commit %s\nmark :%d\ncommitter Dev Eloper <dev@example.com> %d +0000\n", ref, mark, 1767323045+when)
	fiData(b, msg)
}

// assertSafeOutput fails when the push output carries a raw control
// character (other than the line feed and the tab git's porcelain output
// uses between fields), a C1 control, a bidi or invisible format character,
// or a Go panic. Every pushed byte echoed back must have been escaped.
func assertSafeOutput(t *testing.T, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		c := out[i]
		if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			t.Fatalf("raw control byte %#02x at offset %d of the push output:\n%q", c, i, clipForLog(out, i))
		}
	}
	for i, r := range out {
		if r == utf8.RuneError || (0x80 <= r && r <= 0x9f) || (0x202a <= r && r <= 0x202e) ||
			(0x2066 <= r && r <= 0x2069) || r == 0x200b || r == 0x200e || r == 0x200f || r == 0xfeff {
			t.Fatalf("raw %U at offset %d of the push output:\n%q", r, i, clipForLog(out, i))
		}
	}
	for _, bad := range []string{"panic:", "goroutine ", "runtime error", "[recovered]"} {
		if strings.Contains(out, bad) {
			t.Fatalf("push output shows a crash (%q):\n%s", bad, out)
		}
	}
	if strings.Contains(pushResult{out: out}.remote(), "\t") {
		t.Fatalf("raw tab in the hook's output:\n%q", out)
	}
}

func clipForLog(s string, i int) string {
	lo, hi := max(0, i-200), min(len(s), i+200)
	return s[lo:hi]
}

// mustContain fails unless out holds every one of wants.
func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestHostileControlCharsInPathsAndMessages(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"README.md": "# demo\n"})
	w.mustAccept(w.push("main"))
	evil := "evil\x1b[2J\x1b[H\rremote: all good\x07\x08.env"
	bidi := "src/\u202eexe.txt\u200b"
	w.write(map[string]string{
		evil: "AWS_ACCESS_KEY_ID=" + fakeAWSKey + "\n",
		bidi: "token: " + fakeGHToken + "\n",
	})
	w.git(w.client, "add", "-A")
	w.tick++
	w.git(w.client, "commit", "-q", "--author", "Ev\x1b[31mil <e\x1b@x>",
		"-m", "\x1b[32mLGTM\x1b[0m\r\x07 looks fine %s {{.}}\n\nbody\x1b]8;;http://x\x07link\r\n")
	p := w.push("main")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(),
		`evil\x1b[2J\x1b[H\x0dremote: all good\x07\x08.env:1:`,
		`src/\u202eexe.txt\u200b:1:`,
		"aws-access-key-id", "github")
}

func TestHostileNonUTF8PathsAndContent(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("Latin-1 \xe9t\xe9 message \xff", map[string]string{
		"caf\xe9/\xff\xfe.env": "r\xe9gion=\xe9u\nkey=" + fakeAWSKey + "\n\xff\xfe\xfd\n",
		"ok-latin1.txt":        "\xe9t\xe9 \xe0 la plage\n",
	})
	p := w.push("main")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), `caf\xe9/\xff\xfe.env:2:5`, "AKIA***")
	if strings.Contains(p.remote(), "ok-latin1.txt") {
		t.Errorf("clean Latin-1 file reported:\n%s", p.remote())
	}
}

// TestHostileLongSingleLine: lines are scanned whole, however long, up to
// the maximum file size (5 MiB by default). A larger file is not read: the
// push is accepted, and the pusher is told which file was not scanned.
func TestHostileLongSingleLine(t *testing.T) {
	t.Run("4 MB line, secret at the end: rejected", func(t *testing.T) {
		w := newWorld(t)
		w.installHook()
		long := strings.Repeat("x", 4<<20) + " " + fakeAWSKey
		w.commit("minified bundle", map[string]string{"dist/app.min.js": long})
		p := w.push("main")
		w.mustReject(p)
		assertSafeOutput(t, p.out)
		mustContain(t, p.remote(), fmt.Sprintf("dist/app.min.js:1:%d", 4<<20+2))
	})
	t.Run("10 MB line, secret at the end: accepted, not silently", func(t *testing.T) {
		w := newWorld(t)
		w.installHook()
		long := strings.Repeat("y", 10<<20) + " " + fakeAWSKey
		c := w.commit("huge line", map[string]string{"data/blob.txt": long})
		p := w.push("main")
		w.mustAccept(p)
		assertSafeOutput(t, p.out)
		mustContain(t, p.remote(), "NOTE: 1 file was not scanned",
			"data/blob.txt in commit "+c[:10]+": larger than 5242880 bytes")
	})
}

func TestHostile100000FileCommit(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	const dirs, perDir = 100, 1000
	var b bytes.Buffer
	b.Grow(12 << 20)
	for i := 0; i < dirs*perDir; i++ {
		fmt.Fprintf(&b, "blob\nmark :%d\n", i+1)
		fiData(&b, fmt.Sprintf("package d\n\nconst F%d = %d\n", i, i))
	}
	fmt.Fprintf(&b, "blob\nmark :%d\n", dirs*perDir+1)
	fiData(&b, "[default]\naws_access_key_id = "+fakeAWSKey+"\n")
	fiCommitHeader(&b, "refs/heads/main", dirs*perDir+2, 1, "vendor everything")
	for i := 0; i < dirs*perDir; i++ {
		fmt.Fprintf(&b, "M 100644 :%d d%03d/f%04d.go\n", i+1, i/perDir, i%perDir)
	}
	fmt.Fprintf(&b, "M 100644 :%d d057/credentials\n\ndone\n", dirs*perDir+1)
	w.fastImport(b.Bytes())
	start := time.Now()
	p := w.push("main")
	t.Logf("push of 100,000 files (100,001 blobs): %s", time.Since(start))
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), "d057/credentials:2:", "1 new commit")
}

func TestHostile5000CommitPush(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	const n, bad = 5000, 4321
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fiCommitHeader(&b, "refs/heads/main", i, i, fmt.Sprintf("change %d", i))
		if i > 1 {
			fmt.Fprintf(&b, "from :%d\n", i-1)
		}
		content := fmt.Sprintf("counter = %d\n", i)
		if i == bad {
			content += "secret = " + fakeGHToken + "\n"
		}
		fmt.Fprintf(&b, "M 100644 inline d%02d/state.txt\n", i%100)
		fiData(&b, content)
		b.WriteString("\n")
	}
	b.WriteString("done\n")
	w.fastImport(b.Bytes())
	badID := w.git(w.client, "rev-parse", fmt.Sprintf("main~%d", n-bad))
	start := time.Now()
	p := w.push("main")
	t.Logf("push of %d commits: %s", n, time.Since(start))
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), "5000 new commits", "commit "+badID[:10], fmt.Sprintf("d%02d/state.txt:2:", bad%100))
}

func TestHostile1000RefsInOnePush(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	const n, bad = 1000, 777
	var b bytes.Buffer
	fiCommitHeader(&b, "refs/heads/main", 1, 0, "base")
	b.WriteString("M 100644 inline README.md\n")
	fiData(&b, "# base\n")
	b.WriteString("\n")
	for i := 0; i < n; i++ {
		fiCommitHeader(&b, fmt.Sprintf("refs/heads/topic/b%04d", i), i+2, i+1, fmt.Sprintf("topic %d", i))
		b.WriteString("from :1\n")
		content := fmt.Sprintf("topic %d\n", i)
		if i == bad {
			content += "aws_access_key_id=" + fakeAWSKey + "\n"
		}
		fmt.Fprintf(&b, "M 100644 inline topics/b%04d.txt\n", i)
		fiData(&b, content)
		b.WriteString("\n")
	}
	b.WriteString("done\n")
	w.fastImport(b.Bytes())
	p := w.push("refs/heads/*:refs/heads/*")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), fmt.Sprintf("refs/heads/topic/b%04d", bad), fmt.Sprintf("topics/b%04d.txt:2:", bad), "1001 new commits")
	if out := w.git(w.server, "for-each-ref"); out != "" {
		t.Fatalf("rejected push created refs:\n%.500s", out)
	}
	// Without the bad branch, the same 1,000-ref push is accepted.
	w.git(w.client, "update-ref", "-d", fmt.Sprintf("refs/heads/topic/b%04d", bad))
	w.mustAccept(w.push("refs/heads/*:refs/heads/*"))
	if got := strings.Count(w.git(w.server, "for-each-ref", "refs/heads/"), "\n") + 1; got != n {
		t.Errorf("server has %d branches, want %d", got, n)
	}
}

func TestHostileDeepDirectories(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	deep := strings.Repeat("d/", 200) + "creds.env"
	var b bytes.Buffer
	fiCommitHeader(&b, "refs/heads/main", 1, 1, "deep")
	fmt.Fprintf(&b, "M 100644 inline %s\n", deep)
	fiData(&b, "key="+fakeAWSKey+"\n")
	b.WriteString("\ndone\n")
	w.fastImport(b.Bytes())
	p := w.push("main")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	// The echoed path is capped (200 characters, then "…").
	mustContain(t, p.remote(), "d/d/d/d/", "…", "aws-access-key-id")
}

// TestHostileSymlinkTargetIsScanned: a symlink's blob is its target path;
// it is scanned like a one-line file, so a secret hidden in a link target
// is rejected.
func TestHostileSymlinkTargetIsScanned(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"README.md": "x\n"})
	if err := os.Symlink("/run/secrets/"+fakeGHToken, filepath.Join(w.client, "token-link")); err != nil {
		t.Fatal(err)
	}
	w.commit("add link", nil)
	if mode := w.git(w.client, "ls-tree", "HEAD", "token-link"); !strings.HasPrefix(mode, "120000 ") {
		t.Fatalf("not a symlink in the commit: %s", mode)
	}
	p := w.push("main")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), "token-link:1:14", "github")
}

// TestHostileSubmoduleGitlink: a gitlink names a commit of another
// repository, which the server does not have; it is skipped, not read.
func TestHostileSubmoduleGitlink(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	var b bytes.Buffer
	fiCommitHeader(&b, "refs/heads/main", 1, 1, "add submodule")
	b.WriteString("M 160000 0123456789abcdef0123456789abcdef01234567 vendor/lib\n")
	b.WriteString("M 100644 inline .gitmodules\n")
	fiData(&b, "[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n")
	b.WriteString("\ndone\n")
	w.fastImport(b.Bytes())
	p := w.push("main")
	w.mustAccept(p)
	assertSafeOutput(t, p.out)
	if p.remote() != "" {
		t.Errorf("gitlink push printed:\n%s", p.remote())
	}
}

func TestHostileHugeCommitMessage(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	var msg strings.Builder
	msg.WriteString("Subject with \x1b[31m escape\n\n")
	for msg.Len() < 1<<20 {
		msg.WriteString("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n")
	}
	msg.WriteString(strings.Repeat("z", 200000) + "\n\nSigned-off-by: Dev Eloper <dev@example.com>\n")
	file := filepath.Join(t.TempDir(), "msg")
	if err := os.WriteFile(file, []byte(msg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	w.write(map[string]string{"a.txt": "a\n"})
	w.git(w.client, "add", "-A")
	w.git(w.client, "commit", "-q", "--cleanup=verbatim", "-F", file)
	p := w.push("main")
	w.mustAccept(p)
	assertSafeOutput(t, p.out)
}

// TestHostileBinaryIsSkippedNotScanned: a binary blob holding secret-like
// bytes is accepted without a word to the pusher (binaries are routine);
// the JSON report lists it as skipped, binary.
func TestHostileBinaryIsSkippedNotScanned(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	bin := "\x7fELF\x02\x01\x01\x00\x00\x00" + fakeAWSKey + "\x00\x00" + fakeGHToken
	w.commit("add binary", map[string]string{"tool.bin": bin})
	p := w.push("main")
	w.mustAccept(p)
	assertSafeOutput(t, p.out)
	if p.remote() != "" {
		t.Errorf("binary push printed:\n%s", p.remote())
	}
	cmd := exec.Command(binPath, "scan", "--repo", w.server, "--all", "--format", "json")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scan: %v\n%s", err, out)
	}
	mustContain(t, string(out), `"path": "tool.bin"`, `"reason": "binary"`, `"findings": []`)
}

// runHook runs the built binary as a pre-receive hook outside git, with
// GIT_DIR and the given stdin; it returns the output and the exit code.
func runHook(t *testing.T, gitDir, stdin string, extraEnv ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binPath, "pre-receive")
	cmd.Env = append([]string{"GIT_DIR=" + gitDir, "PATH=" + os.Getenv("PATH")}, extraEnv...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("run hook: %v", err)
	return "", -1
}

func TestHostileStdinNamesMissingObjects(t *testing.T) {
	w := newWorld(t)
	w.commit("base", map[string]string{"a.txt": "a\n"})
	w.mustAccept(w.push("main")) // no hook installed yet
	head := w.serverRef("refs/heads/main")
	missing := "1234567890abcdef1234567890abcdef12345678"
	zero := strings.Repeat("0", 40)
	cases := []struct{ name, stdin string }{
		{"new branch at a missing commit", zero + " " + missing + " refs/heads/ghost\n"},
		{"update to a missing commit", head + " " + missing + " refs/heads/main\n"},
		{"second of two lines missing", zero + " " + head + " refs/heads/ok\n" + zero + " " + missing + " refs/tags/ghost\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, code := runHook(t, w.server, tc.stdin)
			if code != exitInternal {
				t.Fatalf("exit %d, want %d:\n%s", code, exitInternal, out)
			}
			assertSafeOutput(t, out)
			mustContain(t, out, "push REJECTED: the push could not be checked", missing)
		})
	}
}

// corruptingHook installs a pre-receive hook that damages the pushed
// objects in the quarantine before pushguard reads them, the way a disk
// or a hostile co-tenant might, and records pushguard's exit code in the
// returned file. The damage runs in a subshell: the hook itself keeps the
// working directory and GIT_DIR git gave it. A damage step that finds
// nothing to damage fails the hook with 99.
func (w *world) corruptingHook(script string) (codeFile string) {
	w.t.Helper()
	codeFile = filepath.Join(w.t.TempDir(), "exit-code")
	hook := filepath.Join(w.server, "hooks", "pre-receive")
	_ = os.Remove(hook)
	body := "#!/bin/sh\n: \"${GIT_OBJECT_DIRECTORY:?no quarantine}\"\n" +
		"(set -e; cd \"$GIT_OBJECT_DIRECTORY\"; " + script + ") || { echo 'damage step failed' >&2; exit 99; }\n" +
		shellQuote(binPath) + " pre-receive\ncode=$?\necho $code > " + shellQuote(codeFile) + "\nexit $code\n"
	if err := os.WriteFile(hook, []byte(body), 0o755); err != nil {
		w.t.Fatal(err)
	}
	return codeFile
}

func TestHostileCorruptQuarantineFailsClosed(t *testing.T) {
	cases := []struct {
		name   string
		files  int // files in the pushed commit; ≥ 100 objects arrive as a pack
		script string
		want   string // in the error the pusher sees
	}{
		{"truncated loose objects", 3,
			`for f in ??/*; do chmod u+w "$f"; head -c 10 "$f" > "$f.t"; mv "$f.t" "$f"; done`, "EOF"},
		{"garbage loose objects", 3,
			`for f in ??/*; do chmod u+w "$f"; printf 'not zlib at all' > "$f"; done`, "zlib"},
		{"corrupt pack", 120,
			`for f in pack/*.pack; do chmod u+w "$f"; sz=$(wc -c < "$f"); ` +
				`dd if=/dev/zero of="$f" bs=1 seek=$((sz / 2)) count=64 conv=notrunc 2>/dev/null; done`, "pack"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			codeFile := w.corruptingHook(tc.script)
			files := map[string]string{}
			for i := 0; i < tc.files; i++ {
				files[fmt.Sprintf("f%03d.txt", i)] = fmt.Sprintf("file %d with some text to make it compressible %s\n", i, strings.Repeat("pad ", i))
			}
			w.commit("payload", files)
			p := w.push("main")
			w.mustReject(p)
			assertSafeOutput(t, p.out)
			mustContain(t, p.remote(), "push REJECTED: the push could not be checked, so nothing was accepted",
				"  error: ", tc.want)
			code, err := os.ReadFile(codeFile)
			if err != nil || strings.TrimSpace(string(code)) != fmt.Sprint(exitInternal) {
				t.Errorf("pushguard exit code %q (%v), want %d", code, err, exitInternal)
			}
			if w.serverRef("refs/heads/main") != "" {
				t.Error("ref created despite the corrupt objects")
			}
		})
	}
}

// TestHostileRefToBlobOrTree: a tag may point straight at a blob or a tree;
// their content reaches the server without any commit, and is scanned.
func TestHostileRefToBlobOrTree(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.commit("base", map[string]string{"a.txt": "a\n"})
	w.mustAccept(w.push("main"))
	f := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(f, []byte("aws_access_key_id="+fakeAWSKey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	blob := w.git(w.client, "hash-object", "-w", f)
	p := w.push(blob + ":refs/tags/blob-tag")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), "refs/tags/blob-tag", "aws-access-key-id")

	w.git(w.client, "update-index", "--add", "--cacheinfo", "100644,"+blob+",deep/creds.txt")
	tree := w.git(w.client, "write-tree")
	p = w.push(tree + ":refs/tags/tree-tag")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), "refs/tags/tree-tag", "deep/creds.txt:1:")
}

// TestHostileSecretInGitNotes: notes refs are commits like any other; the
// note text is a file of the notes tree and is scanned.
func TestHostileSecretInGitNotes(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	c := w.commit("base", map[string]string{"a.txt": "a\n"})
	w.mustAccept(w.push("main"))
	w.tick++
	w.git(w.client, "notes", "add", "-m", "deploy with aws_access_key_id="+fakeAWSKey, c)
	p := w.push("refs/notes/commits")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), "refs/notes/commits", c+":1:", "aws-access-key-id")
}

// TestHostileOctopusMerge: a three-parent merge whose second parent already
// holds one of the paths it changes relative to the first (the shape of
// browser-use/browser-use bfabe9e) used to panic the engine. A clean
// octopus merge lands; one that brings a key from a side branch is
// rejected for that key, once, at the commit that wrote it.
func TestHostileOctopusMerge(t *testing.T) {
	for _, withKey := range []bool{false, true} {
		t.Run(fmt.Sprintf("key=%v", withKey), func(t *testing.T) {
			w := newWorld(t)
			w.installHook()
			w.commit("base", map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
			w.mustAccept(w.push("main"))
			b := "b\nmore\n"
			if withKey {
				b += "AWS_ACCESS_KEY_ID=" + fakeAWSKey + "\n"
			}
			w.git(w.client, "checkout", "-q", "-b", "p2")
			w.commit("p2: b", map[string]string{"b.txt": b})
			w.git(w.client, "checkout", "-q", "main")
			w.git(w.client, "checkout", "-q", "-b", "p3")
			w.commit("p3: a", map[string]string{"a.txt": "a\nA\n"})
			w.git(w.client, "checkout", "-q", "main")
			w.commit("main: c", map[string]string{"c.txt": "c\n"})
			w.tick++
			w.git(w.client, "merge", "-q", "--no-ff", "-m", "Merge branches 'p2' and 'p3'", "p2", "p3")
			if n := len(strings.Fields(w.git(w.client, "rev-list", "--parents", "-n1", "HEAD"))); n != 4 {
				t.Fatalf("merge has %d parents, want 3", n-1)
			}
			p := w.push("main")
			assertSafeOutput(t, p.out)
			if !withKey {
				w.mustAccept(p)
				return
			}
			w.mustReject(p)
			if got := strings.Count(p.remote(), "b.txt:3:"); got != 1 {
				t.Errorf("key reported %d times, want once:\n%s", got, p.remote())
			}
		})
	}
}
