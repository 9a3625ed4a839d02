//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package audit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
)

// appendLine appends line to f (opened O_APPEND) with one write(2) call,
// holding an exclusive flock(2) on the file meanwhile. Appends of up to
// PIPE_BUF bytes are atomic on local filesystems anyway; the lock keeps
// longer lines from interleaving with other hook processes that write the
// same log through pushguard. A short write (disk full) is completed with a
// newline when possible, so that the next line starts clean, and reported.
func appendLine(f *os.File, line []byte) error {
	fd := int(f.Fd())
	defer runtime.KeepAlive(f)
	if err := retry(func() error { return syscall.Flock(fd, syscall.LOCK_EX) }); err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	defer func() { _ = syscall.Flock(fd, syscall.LOCK_UN) }() // closing the file would release it too
	var n int
	err := retry(func() (err error) {
		n, err = syscall.Write(fd, line)
		return err
	})
	if err != nil {
		return fmt.Errorf("append to %s: %w", f.Name(), err)
	}
	if n < len(line) {
		_, _ = syscall.Write(fd, []byte{'\n'})
		return fmt.Errorf("append to %s: wrote %d of %d bytes: %w", f.Name(), n, len(line), io.ErrShortWrite)
	}
	return nil
}

// retry runs fn again while it is interrupted by a signal.
func retry(fn func() error) error {
	for {
		err := fn()
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
