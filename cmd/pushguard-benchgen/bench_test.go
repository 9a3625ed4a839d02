package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// build compiles a command of this module into dir.
func build(t *testing.T, dir, pkg, name string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// TestBenchEndToEnd runs the whole benchmark at a tiny size: generated
// repositories, real `git push`es through the rss-wrapped pushguard hook,
// and checks that the table reports every measurement (not their values:
// nothing here asserts on time).
func TestBenchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries and pushes")
	}
	bin := t.TempDir()
	self := build(t, bin, ".", "pushguard-benchgen")
	pg := build(t, bin, "../pushguard", "pushguard")
	dir := t.TempDir()
	cmd := exec.Command(self, "bench", "--pushguard", pg, "--dir", dir,
		"--commits", "80", "--ref-commits", "120", "--refs", "40", "--pushes", "3", "--runs", "1", "--big-mb", "6")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	table := stdout.String()
	for _, want := range []string{
		"| measurement | wall | CPU | ratio (wall / CPU) | peak RSS |",
		"`git log -p -U0 --no-color --all`",
		"`pushguard scan --all`, default rules",
		"no hook (10 pushes)",
		"with the hook (3 pushes)",
		"**hook process alone**",
		"hook process alone, no commit-graph (10 pushes)",
		"push of one commit with a 6 MB file: hook process",
		"push of 120 commits into an empty repository: hook process",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if n := strings.Count(table, "\n"); n != 11 && n != 12 { // header, rule, 9 or 10 rows (gitleaks)
		t.Errorf("table has %d lines:\n%s", n, table)
	}
	// The hook really ran under the wrapper, once per push.
	us, err := hookLog(filepath.Join(dir, "run-hook", "hook.log"))
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 3 {
		t.Errorf("hook measured %d times, want 3", len(us))
	}
	for _, u := range us {
		if u.Exit != 0 || u.MaxRSS <= 0 || u.Wall <= 0 {
			t.Errorf("implausible hook measurement %+v", u)
		}
	}
	// The big pushes ran the hook once each, which decided (accepted or
	// rejected by policy) rather than failing.
	for _, run := range []string{"run-many", "run-bigfile"} {
		us, err = hookLog(filepath.Join(dir, run, "hook.log"))
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != 1 || us[0].Exit > 1 {
			t.Errorf("%s: hook measurements %+v, want one with exit 0 or 1", run, us)
		}
	}
}

// TestRSSWrapper checks that the wrapper passes stdin, stdout and the exit
// code through and appends one well-formed measurement.
func TestRSSWrapper(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	var out, errb bytes.Buffer
	code := run([]string{"rss", "--append", log, "--", "sh", "-c", "cat; exit 3"}, strings.NewReader("hello\n"), &out, &errb)
	if code != 3 {
		t.Errorf("exit %d, want 3 (stderr %q)", code, errb.String())
	}
	if out.String() != "hello\n" {
		t.Errorf("stdout %q, want the command's", out.String())
	}
	us, err := hookLog(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 1 || us[0].Exit != 3 || us[0].MaxRSS <= 0 {
		t.Errorf("measurements %+v", us)
	}
	if code := run([]string{"rss", "--", "/nonexistent/program"}, nil, &out, &errb); code != 127 {
		t.Errorf("missing program: exit %d, want 127", code)
	}
}

func TestPercentile(t *testing.T) {
	ds := func(ms ...int) []time.Duration {
		var out []time.Duration
		for _, m := range ms {
			out = append(out, time.Duration(m)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{ds(7), 50, 7 * time.Millisecond},
		{ds(5, 1, 3), 50, 3 * time.Millisecond},
		{ds(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{ds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100), 95, 19 * time.Millisecond},
		{ds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100), 100, 100 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %v) = %v, want %v", tc.in, tc.p, got, tc.want)
		}
	}
}

func TestHookLogMalformed(t *testing.T) {
	for _, content := range []string{"1 2 3\n", "a b c d\n", "1 2 3 4 5\n"} {
		p := filepath.Join(t.TempDir(), "log")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := hookLog(p); err == nil {
			t.Errorf("hookLog accepted %q", content)
		}
	}
}
