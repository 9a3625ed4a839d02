package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// These end-to-end tests cover the pack reading pushguard does for speed
// (pkg/gitstore/pack.go): pushes that arrive as packs, with deltas against
// objects the server already has (thin packs completed by index-pack) and
// with large files read as a stream.

// bigSource returns n lines of ordinary code.
func bigSource(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "\tresult%d := compute(ctx, input[%d]) // step %d of the pipeline\n", i, i%97, i)
	}
	return b.String()
}

func TestE2EPackedPushWithDeltas(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	// Every push arrives as a pack in the quarantine, whatever its size.
	w.git(w.server, "config", "receive.unpackLimit", "1")
	base := bigSource(3000)
	files := map[string]string{"src/big.go": base}
	for i := range 120 {
		files[fmt.Sprintf("src/gen/f%03d.go", i)] = fmt.Sprintf("package gen\n\nvar v%d = %d\n", i, i)
	}
	w.commit("Initial import", files)
	w.mustAccept(w.push("main"))

	// An edit deep inside the big file: git sends it as a delta against
	// the server's copy, which index-pack appends to the pack.
	lines := strings.SplitAfter(base, "\n")
	lines[2000] = "\taws_access_key_id := \"" + fakeAWSKey + "\"\n"
	w.commit("Tune the pipeline", map[string]string{"src/big.go": strings.Join(lines, "")})
	p := w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "src/big.go:2001:") {
		t.Errorf("secret in a delta-compressed edit not reported at src/big.go:2001:\n%s", p.remote())
	}

	// The same content without the secret goes through.
	w.git(w.client, "reset", "-q", "--hard", "HEAD~1")
	lines[2000] = "\tkeyID := os.Getenv(\"AWS_ACCESS_KEY_ID\")\n"
	w.commit("Tune the pipeline", map[string]string{"src/big.go": strings.Join(lines, "")})
	w.mustAccept(w.push("main"))
}

func TestE2ELargeFileStreamed(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	w.git(w.server, "config", "receive.unpackLimit", "1")
	w.commit("Initial", map[string]string{"README.md": "# app\n"})
	w.mustAccept(w.push("main"))

	// About 3 MB: above the size gitstore streams from the pack, below the 5 MiB
	// content limit, so every line is scanned, the last one too.
	big := bigSource(45_000)
	if len(big) < 2<<20 {
		t.Fatalf("test file is %d bytes, want over 2 MB", len(big))
	}
	w.commit("Add fixtures", map[string]string{"testdata/fixture.go": big + "\tkey := \"" + fakeAWSKey + "\"\n"})
	p := w.push("main")
	w.mustReject(p)
	if !strings.Contains(p.remote(), "testdata/fixture.go:45001:") {
		t.Errorf("secret on the last line of a large file not reported at line 45001:\n%s", p.remote())
	}
}

// TestE2ELongPushEveryCommitChecked: a push of hundreds of commits onto
// hundreds the server has (long enough for the walk to decode commits on
// another core while it lists them: gitstore.NewCommitsRead) checks the
// content and the message of every new commit, the first and the last
// alike, and none of the commits the server had.
func TestE2ELongPushEveryCommitChecked(t *testing.T) {
	const old, fresh = 300, 400
	w := newWorld(t)
	w.installHook()
	history := func(from, n int, first string, edit func(i int) (msg, path, content string)) []byte {
		var b bytes.Buffer
		for i := range n {
			msg, path, content := edit(i)
			fiCommitHeader(&b, "refs/heads/main", i+1, from+i, msg)
			if i == 0 && first != "" {
				fmt.Fprintf(&b, "from %s\n", first)
			} else if i > 0 {
				fmt.Fprintf(&b, "from :%d\n", i)
			}
			fmt.Fprintf(&b, "M 100644 inline %s\n", path)
			fiData(&b, content)
		}
		b.WriteString("done\n")
		return b.Bytes()
	}
	w.fastImport(history(0, old, "", func(i int) (string, string, string) {
		return fmt.Sprintf("old change %d", i), fmt.Sprintf("src/f%d.go", i%17), fmt.Sprintf("package src\n\nvar old%d = %d\n", i, i)
	}))
	w.mustAccept(w.push("main"))

	w.fastImport(history(old, fresh, "refs/heads/main^0", func(i int) (string, string, string) {
		msg, path, content := fmt.Sprintf("new change %d", i), fmt.Sprintf("src/f%d.go", i%17), fmt.Sprintf("package src\n\nvar new%d = %d\n", i, i)
		switch i {
		case 0:
			path, content = "deploy/first.env", "AWS_ACCESS_KEY_ID="+fakeAWSKey+"\n"
		case fresh - 1:
			msg = "last change\n\nrotated " + fakeAWSKey + " out"
		}
		return msg, path, content
	}))
	p := w.push("main")
	w.mustReject(p)
	out := p.remote()
	for _, want := range []string{"deploy/first.env:1:", "message, line 3:"} {
		if !strings.Contains(out, want) {
			t.Errorf("the hook output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "aws-access-key-id"); n < 2 {
		t.Errorf("%d reports of the key, want one per new commit holding it:\n%s", n, out)
	}
	if want := fmt.Sprintf("in %d new commits", fresh); !strings.Contains(out, want) {
		t.Errorf("the hook output lacks %q (the new commits, none the server had):\n%s", want, out)
	}
}
