//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hangLimit is how long a push may take before the test calls it hung. It
// is not a performance bound (those are benchmarks): a correct hook answers
// these pushes in well under a second, a hung one never.
const hangLimit = 90 * time.Second

// pushWithin is w.push, but kills git and everything it started (the
// hook included) after limit, so that a hook that hangs fails the test
// instead of hanging the suite or leaving a blocked process behind.
func pushWithin(w *world, limit time.Duration, args ...string) pushResult {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append([]string{"push", "--porcelain", "origin"}, args...)...)
	cmd.Dir = w.client
	cmd.Env = append(append([]string(nil), w.env...), w.dateEnv()...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if ctx.Err() != nil {
		w.t.Fatalf("git push did not finish within %s: the hook hangs\n%s", limit, buf.String())
	}
	return pushResult{out: buf.String(), err: err}
}

// auditStats runs `pushguard stats --format json` on a log.
func auditStats(t *testing.T, path string) (map[string]any, string) {
	t.Helper()
	code, out, errOut := runPG(t, "stats", "--audit-log", path, "--format", "json")
	if code != exitOK {
		t.Fatalf("pushguard stats: exit %d: %s", code, errOut)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stats output: %v\n%s", err, out)
	}
	return s, errOut
}

// TestE2EAuditFIFO: a FIFO at the audit log's path (with or without a
// process reading it) rejects the push at once with a message that says
// what is wrong, instead of hanging the hook in open(2) or write(2).
func TestE2EAuditFIFO(t *testing.T) {
	tests := []struct {
		name   string
		reader bool // a process has the FIFO open for reading
	}{
		{"no reader", false},
		{"a reader holds it open", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			dir := t.TempDir()
			fifo := filepath.Join(dir, "audit.jsonl")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			var reader *os.File
			if tc.reader {
				var err error
				if reader, err = os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err != nil {
					t.Fatal(err)
				}
				defer reader.Close()
			}
			cfg := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+fifo+"\n")
			w.installHook("--config", cfg)
			w.commit("clean", map[string]string{"README.md": "hello\n"})
			p := pushWithin(w, hangLimit, "main")
			w.mustReject(p)
			msg := p.remote()
			t.Logf("the pusher sees:\n%s", msg)
			for _, want := range []string{"audit log", fifo + " is a FIFO (named pipe), not a regular file", "refused"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the pusher is not told %q:\n%s", want, msg)
				}
			}
			if w.serverRef("refs/heads/main") != "" {
				t.Error("refs/heads/main was created")
			}
			if reader != nil {
				buf := make([]byte, 64)
				if n, _ := reader.Read(buf); n != 0 {
					t.Errorf("the FIFO's reader received %q", buf[:n])
				}
			}
		})
	}
}

// TestE2EAuditLockHeld: a lock on the audit log that another process never
// releases does not hang the hook past its time budget: the push, which
// cannot be recorded, is rejected with the reason; once the lock is free
// the same push goes through and is recorded.
func TestE2EAuditLockHeld(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(logPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeServerConfig(t, dir, "time_budget: 5s\naudit:\n  destination: file\n  path: "+logPath+"\n")
	w.installHook("--config", cfg)
	w.commit("clean", map[string]string{"README.md": "hello\n"})

	holder, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(holder.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	p := pushWithin(w, hangLimit, "main")
	holder.Close() // releases the lock
	w.mustReject(p)
	t.Logf("the pusher sees:\n%s", p.remote())
	if !strings.Contains(p.remote(), "another process holds the audit log's lock") {
		t.Errorf("the pusher is not told why the push could not be recorded:\n%s", p.remote())
	}
	if data, _ := os.ReadFile(logPath); len(data) != 0 {
		t.Errorf("the log was written without the lock: %q", data)
	}

	p = pushWithin(w, hangLimit, "main")
	w.mustAccept(p)
	if events := auditEvents(t, logPath); len(events) != 1 || events[0]["decision"] != "accepted" {
		t.Errorf("after the lock was released: %v", events)
	}
}

// TestE2EAuditShortWrite: the disk fills up while the hook appends its
// event (a file size limit on the hook makes the kernel write part of the
// line, then refuse). The push is rejected (an accepted push must be
// recorded), the log is cut back to exactly what it was, and the next
// push's event is a line of its own: stats reads every event.
func TestE2EAuditShortWrite(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	cfg := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logPath+"\n")
	w.installHook("--config", cfg)
	w.commit("first", map[string]string{"README.md": "hello\n"})
	w.mustAccept(pushWithin(w, hangLimit, "main"))
	before, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}

	// The hook may grow files to just past the log's length: ulimit -f
	// counts 512-byte blocks in POSIX sh (1024 in some shells). 200 new
	// refs make an event of more than 20 KB, longer than the room left
	// under either unit, so the kernel writes part of it and refuses the
	// rest (EFBIG; Go ignores SIGXFSZ).
	blocks := len(before)/512 + 1
	hook := filepath.Join(w.server, "hooks", "pre-receive")
	script := fmt.Sprintf("#!/bin/sh\nulimit -f %d || exit 99\nexec %s pre-receive --config %s\n", blocks, shellQuote(binPath), shellQuote(cfg))
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	w.commit("second", map[string]string{"b.txt": "b\n"})
	var refspecs []string
	for i := 0; i < 200; i++ {
		refspecs = append(refspecs, fmt.Sprintf("HEAD:refs/heads/feature/number-%03d", i))
	}
	p := pushWithin(w, hangLimit, refspecs...)
	w.mustReject(p)
	t.Logf("the pusher sees:\n%s", p.remote())
	for _, want := range []string{"audit log could not be written", "file too large", "partial event was removed"} {
		if !strings.Contains(p.remote(), want) {
			t.Errorf("the pusher is not told %q:\n%s", want, p.remote())
		}
	}
	after, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, before) {
		t.Fatalf("the failed write changed the log: %d bytes before, %d after:\n%s", len(before), len(after), after[len(before)-min(len(before), len(after)):])
	}

	w.installHook("--config", cfg) // no size limit any more
	p = pushWithin(w, hangLimit, "main")
	w.mustAccept(p)
	events := auditEvents(t, logPath) // fails on a line that is not JSON
	if len(events) != 2 {
		t.Fatalf("%d events, want 2", len(events))
	}
	s, errOut := auditStats(t, logPath)
	if s["pushes"] != float64(2) || s["malformed_lines"] != float64(0) || errOut != "" {
		t.Errorf("stats: pushes %v, malformed %v, stderr %q; want 2, 0, nothing", s["pushes"], s["malformed_lines"], errOut)
	}
}

// TestE2EStatsAfterFragment: a log in which an older pushguard left a
// fragment (short write without cut-back) still counts every event the
// hook writes after it, and stats says where the bad line is.
func TestE2EStatsAfterFragment(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "audit.jsonl")
	cfg := writeServerConfig(t, dir, "audit:\n  destination: file\n  path: "+logPath+"\n")
	w.installHook("--config", cfg)
	w.commit("first", map[string]string{"README.md": "hello\n"})
	w.mustAccept(pushWithin(w, hangLimit, "main"))
	f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"time":"2026-01-02T03:04:05.000Z","platform":"git","repo":"x","pus`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for i := 0; i < 2; i++ {
		w.commit(fmt.Sprintf("more %d", i), map[string]string{"README.md": fmt.Sprintf("hello %d\n", i)})
		w.mustAccept(pushWithin(w, hangLimit, "main"))
	}
	s, errOut := auditStats(t, logPath)
	if s["pushes"] != float64(3) || s["malformed_lines"] != float64(1) || s["recovered_events"] != float64(1) || s["commits"] != float64(3) {
		t.Errorf("stats: %v", s)
	}
	if !strings.Contains(errOut, "1 malformed line(s) skipped: line 2; 1 event(s) recovered from them") {
		t.Errorf("stats does not report the bad line: %q", errOut)
	}
}
