package main

import (
	"strings"
	"testing"
)

// End-to-end tests of the scan engine's holes closed for issue 10, each
// through a real `git push` into a bare repository whose pre-receive hook
// is the built binary.

// holeKey is a plain AWS access key id (never issued) that the default
// secrets pack blocks.
const holeKey = "AKIAZ7VRSQ5TLXKE4N2P"

// holeWant fails the test unless the hook's output names every one of want.
func holeWant(t *testing.T, p pushResult, want ...string) {
	t.Helper()
	out := p.remote()
	for _, x := range want {
		if !strings.Contains(out, x) {
			t.Errorf("hook output lacks %q:\n%s", x, out)
		}
	}
}

// TestPushLaunderingThroughSkippedVersion: a version pushguard did not scan
// (binary, or over max_file_size) is no diff base, so deleting the line
// that made it binary, or shrinking it under the limit, brings every line
// of the next version under the rules, with its real line number.
func TestPushLaunderingThroughSkippedVersion(t *testing.T) {
	tests := []struct {
		name   string
		config string
		first  string
		second string
		where  string
	}{
		{"NUL line deleted", "", "\x00\nport = 8080\nkey = " + holeKey + "\n", "port = 8080\nkey = " + holeKey + "\n", "app.conf:2:"},
		{"oversized version shrunk", "max_file_size: 1KiB\n",
			"key = " + holeKey + "\n" + strings.Repeat("# padding line of the config file\n", 40), "key = " + holeKey + "\n", "app.conf:1:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.config != "" {
				w.installHook("--config", writeServerConfig(t, t.TempDir(), tc.config))
			} else {
				w.installHook()
			}
			w.commit("skipped version", map[string]string{"app.conf": tc.first})
			w.commit("readable version", map[string]string{"app.conf": tc.second})
			p := w.push("main")
			w.mustReject(p)
			holeWant(t, p, "aws-access-key-id", tc.where)
			if w.serverRef("refs/heads/main") != "" {
				t.Error("the rejected push created main on the server")
			}
		})
	}
}
