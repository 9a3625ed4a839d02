//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package audit

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// fileSink appends lines to a regular file opened O_APPEND, under an
// exclusive flock(2) (see appendAll). fd is -1 once closed, so that a
// descriptor number the process has reused is never written to.
type fileSink struct {
	fd   int
	name string
}

// errClosed is returned by a write after Close.
var errClosed = errors.New("audit log is closed")

// Lock polling: the first retry after lockPollMin, doubling up to
// lockPollMax, until the lock is free or the context ends.
const (
	lockPollMin = time.Millisecond
	lockPollMax = 25 * time.Millisecond
)

// openFileSink opens (creating it with mode 0640 if missing) the audit log
// for appending. O_NONBLOCK makes opening a FIFO without a reader fail at
// once (ENXIO) instead of waiting for one; it changes nothing for regular
// files. The final path component may be a symbolic link (an admin's
// choice); what it leads to must be a regular file, checked on the opened
// descriptor with fstat(2), so nothing can be swapped in between.
func openFileSink(path string) (*fileSink, error) {
	var fd int
	err := retry(func() (err error) {
		fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_APPEND|syscall.O_CREAT|syscall.O_NONBLOCK|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0o640)
		return err
	})
	if err != nil {
		if kind := nonRegularKind(path); kind != "" {
			return nil, fmt.Errorf("%s is %s, not a regular file: refused (choose a regular file, or destination none): %w", path, kind, err)
		}
		return nil, &pathError{op: "open", path: path, err: err}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		_ = syscall.Close(fd)
		return nil, &pathError{op: "stat", path: path, err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("%s is %s, not a regular file: refused (choose a regular file, or destination none)", path, modeKind(uint32(st.Mode)))
	}
	return &fileSink{fd: fd, name: path}, nil
}

// pathError is os.PathError without importing the os package's blocking
// file machinery.
type pathError struct {
	op, path string
	err      error
}

func (e *pathError) Error() string { return e.op + " " + e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

// nonRegularKind describes what is at path when it is there and not a
// regular file (following symbolic links), or returns "".
func nonRegularKind(path string) string {
	var st syscall.Stat_t
	if syscall.Stat(path, &st) != nil || st.Mode&syscall.S_IFMT == syscall.S_IFREG {
		return ""
	}
	return modeKind(uint32(st.Mode))
}

// modeKind names a file type for messages.
func modeKind(mode uint32) string {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFIFO:
		return "a FIFO (named pipe)"
	case syscall.S_IFCHR:
		return "a character device"
	case syscall.S_IFBLK:
		return "a block device"
	case syscall.S_IFDIR:
		return "a directory"
	case syscall.S_IFSOCK:
		return "a socket"
	case syscall.S_IFLNK:
		return "a symbolic link"
	case syscall.S_IFREG:
		return "a regular file"
	}
	return fmt.Sprintf("of an unknown file type (mode %#o)", mode&syscall.S_IFMT)
}

func (s *fileSink) writeLine(line []byte) error {
	return s.writeLineContext(context.Background(), line)
}

// writeLineContext takes the lock (giving up when ctx ends), appends line
// completely or not at all, and releases the lock.
func (s *fileSink) writeLineContext(ctx context.Context, line []byte) error {
	if s.fd < 0 {
		return fmt.Errorf("append to %s: %w", s.name, errClosed)
	}
	if err := lockContext(ctx, s.fd); err != nil {
		return fmt.Errorf("lock %s: %w", s.name, err)
	}
	defer func() { _ = syscall.Flock(s.fd, syscall.LOCK_UN) }()
	return appendAll(fdFile(s.fd), s.name, line)
}

func (s *fileSink) Close() error {
	if s.fd < 0 {
		return nil
	}
	fd := s.fd
	s.fd = -1
	if err := syscall.Close(fd); err != nil {
		return &pathError{op: "close", path: s.name, err: err}
	}
	return nil
}

// errLockHeld is wrapped in the error of a lock wait cut short by a context.
var errLockHeld = errors.New("another process holds the audit log's lock")

// lockContext takes an exclusive flock on fd. It tries at once (even when
// ctx has ended), then polls with LOCK_NB until the lock is free or ctx
// ends: a blocking flock(2) could not be abandoned.
func lockContext(ctx context.Context, fd int) error {
	delay := lockPollMin
	var timer *time.Timer
	for {
		err := retry(func() error { return syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB) })
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w; gave up waiting: %w", errLockHeld, context.Cause(ctx))
		}
		if timer == nil {
			timer = time.NewTimer(delay)
			defer timer.Stop()
		} else {
			timer.Reset(delay)
		}
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
		delay = min(2*delay, lockPollMax)
	}
}

// fdFile is an appendFile over a raw descriptor.
type fdFile int

func (f fdFile) size() (int64, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f), &st); err != nil {
		return 0, err
	}
	return st.Size, nil
}

func (f fdFile) write(p []byte) (n int, err error) {
	err = retry(func() (err error) {
		n, err = syscall.Write(int(f), p)
		return err
	})
	return n, err
}

func (f fdFile) truncate(n int64) error {
	return retry(func() error { return syscall.Ftruncate(int(f), n) })
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
