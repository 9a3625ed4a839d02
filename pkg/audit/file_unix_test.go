//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package audit

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	shortWriteEnv  = "PUSHGUARD_AUDIT_SHORTWRITE" // path of the log the helper appends to
	shortLimitEnv  = "PUSHGUARD_AUDIT_FSIZE"      // RLIMIT_FSIZE for the helper
	holdLockEnv    = "PUSHGUARD_AUDIT_HOLDLOCK"   // path of the log the helper locks
	helperFailMark = "APPEND FAILED: "
)

// TestHelperShortWrite is the body of TestShortWriteRealFile's subprocess:
// with the file size limit (RLIMIT_FSIZE) a little above the log's length,
// the kernel writes part of the event and then refuses (EFBIG), as on a
// disk that fills up. Go ignores SIGXFSZ, so write(2) returns the error.
func TestHelperShortWrite(t *testing.T) {
	path := os.Getenv(shortWriteEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	limit, err := strconv.ParseUint(os.Getenv(shortLimitEnv), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(Options{Destination: File, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	werr := l.Write(bigEvent("short"))
	// Restore the limit before anything else writes a file (coverage data).
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if werr != nil {
		os.Stdout.WriteString(helperFailMark + werr.Error() + "\n")
	}
}

// bigEvent is an event of several KB.
func bigEvent(repo string) Event {
	e := sampleEvent()
	e.Repo = repo
	for i := 0; i < 50; i++ {
		e.AddFinding("rule-"+strconv.Itoa(i)+"-with-a-longer-identifier", "warn")
	}
	return e
}

// TestShortWriteRealFile: a write the kernel cuts short (file size limit)
// leaves the log exactly as it was, the error says so, and the next event
// is a line of its own that stats reads.
func TestShortWriteRealFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	first := sampleEvent()
	first.Repo = "first"
	writeEvents(t, path, first)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperShortWrite$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), shortWriteEnv+"="+path, shortLimitEnv+"="+strconv.Itoa(len(before)+300))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	_, msg, ok := strings.Cut(string(out), helperFailMark)
	if !ok {
		t.Fatalf("the write past the size limit did not fail:\n%s", out)
	}
	msg, _, _ = strings.Cut(msg, "\n")
	for _, want := range []string{"wrote 300 of", "file too large", "partial event was removed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Fatalf("log changed by the failed write: %d bytes before, %d after", len(before), len(after))
	}
	last := sampleEvent()
	last.Repo = "last"
	writeEvents(t, path, last)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ComputeStats(f, StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Pushes != 2 || s.Malformed != 0 || len(s.Repos) != 2 {
		t.Errorf("stats after a short write: pushes %d, malformed %d, repos %+v; want 2, 0, first and last", s.Pushes, s.Malformed, s.Repos)
	}
}

func writeEvents(t *testing.T, path string, events ...Event) {
	t.Helper()
	l, err := Open(Options{Destination: File, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, e := range events {
		if err := l.Write(e); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHelperHoldLock is the body of the lock-holding subprocess of
// TestLockWaitHonoursContext: it locks the log, says so, and keeps the lock
// until its standard input closes.
func TestHelperHoldLock(t *testing.T) {
	path := os.Getenv(holdLockEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// lockHolder holds an exclusive flock on path: from another descriptor of
// this process, or from another process. release lets it go.
type lockHolder func(t *testing.T, path string) (release func())

func holdFromFD(t *testing.T, path string) func() {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	return func() { f.Close() }
}

func holdFromProcess(t *testing.T, path string) func() {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdLockEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		stdin.Close()
		_ = cmd.Wait()
		t.Fatalf("lock helper: %q, %v", line, err)
	}
	return func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("lock helper: %v", err)
		}
	}
}

// TestLockWaitHonoursContext: while another descriptor or process holds the
// log's lock, WriteContext gives up when its context ends, with an error
// that says why, and writes nothing; it waits for a lock that is released
// in time; and a free lock is taken even with an ended context.
func TestLockWaitHonoursContext(t *testing.T) {
	for _, h := range []struct {
		name string
		hold lockHolder
	}{{"another descriptor", holdFromFD}, {"another process", holdFromProcess}} {
		t.Run(h.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l, err := Open(Options{Destination: File, Path: path})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()

			release := h.hold(t, path)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			err = l.WriteContext(ctx, sampleEvent())
			cancel()
			if err == nil {
				release()
				t.Fatal("WriteContext succeeded while the lock was held")
			}
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errLockHeld) || !strings.Contains(err.Error(), "holds the audit log's lock") {
				t.Errorf("error %q does not say that the lock wait ran out", err)
			}
			if data, _ := os.ReadFile(path); len(data) != 0 {
				t.Errorf("log written without the lock: %q", data)
			}

			// Released while WriteContext waits: the event is written.
			done := make(chan error, 1)
			go func() { done <- l.WriteContext(context.Background(), sampleEvent()) }()
			time.Sleep(20 * time.Millisecond)
			release()
			if err := <-done; err != nil {
				t.Fatalf("WriteContext after the lock was released: %v", err)
			}

			// A free lock with an ended context: written, no waiting needed.
			ctx, cancel = context.WithCancel(context.Background())
			cancel()
			if err := l.WriteContext(ctx, sampleEvent()); err != nil {
				t.Fatalf("WriteContext with a free lock and an ended context: %v", err)
			}
			data, _ := os.ReadFile(path)
			if n := strings.Count(string(data), "\n"); n != 2 {
				t.Errorf("log has %d lines, want 2", n)
			}
		})
	}
}

// TestOpenRefusesNonRegular: nothing but a regular file (or a link to one)
// is accepted as the audit log, and refusing never blocks: a FIFO without a
// reader would block a plain open(2) for ever, one with a reader every
// write once its buffer is full.
func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	readFIFO := filepath.Join(dir, "fifo-with-reader")
	if err := syscall.Mkfifo(readFIFO, 0o600); err != nil {
		t.Fatal(err)
	}
	reader, err := os.OpenFile(readFIFO, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	sockDir, err := os.MkdirTemp("", "pg")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	regular := filepath.Join(dir, "regular.jsonl")
	if err := os.WriteFile(regular, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		path string
		want string // "" = accepted
	}{
		{"FIFO without a reader", fifo, "is a FIFO (named pipe), not a regular file"},
		{"FIFO with a reader", readFIFO, "is a FIFO (named pipe), not a regular file"},
		{"link to a FIFO", link("to-fifo", fifo), "is a FIFO (named pipe), not a regular file"},
		{"directory", dir, "is a directory, not a regular file"},
		{"character device", os.DevNull, "is a character device, not a regular file"},
		{"socket", sock, "is a socket, not a regular file"},
		{"regular file", regular, ""},
		{"link to a regular file", link("to-regular", regular), ""},
		{"new file", filepath.Join(dir, "new.jsonl"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Open(Options{Destination: File, Path: tc.path})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := l.Write(sampleEvent()); err != nil {
					t.Fatal(err)
				}
				l.Close()
				return
			}
			if err == nil {
				l.Close()
				t.Fatalf("Open(%s) accepted it", tc.path)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q, want %q with the path", err, tc.want)
			}
		})
	}
	// Nothing reached the FIFO's reader.
	buf := make([]byte, 1)
	if n, _ := reader.Read(buf); n != 0 {
		t.Error("the FIFO's reader received data")
	}
}

// TestClosedFileLogger: a write after Close fails and touches no
// descriptor the process may have reused.
func TestClosedFileLogger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(Options{Destination: File, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	other, err := os.Create(filepath.Join(t.TempDir(), "other")) // likely reuses the descriptor
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := l.Write(sampleEvent()); !errors.Is(err, errClosed) {
		t.Errorf("Write after Close: %v, want errClosed", err)
	}
	if st, _ := other.Stat(); st.Size() != 0 {
		t.Error("Write after Close wrote to a reused descriptor")
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
