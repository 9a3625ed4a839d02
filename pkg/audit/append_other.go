//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package audit

import (
	"fmt"
	"os"
)

// fileSink appends lines to a regular file opened O_APPEND. This platform
// has no flock(2): lines longer than the platform's atomic append size may
// interleave when several processes write at once, and there is no lock to
// wait for.
type fileSink struct{ f *os.File }

// openFileSink opens the audit log for appending and refuses anything but
// a regular file.
func openFileSink(path string) (*fileSink, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s): refused (choose a regular file, or destination none)", path, st.Mode().Type())
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file (%s): refused (choose a regular file, or destination none)", path, st.Mode().Type())
	}
	return &fileSink{f: f}, nil
}

func (s *fileSink) writeLine(line []byte) error { return appendAll(osFile{s.f}, s.f.Name(), line) }

func (s *fileSink) Close() error { return s.f.Close() }

// osFile is an appendFile over an *os.File.
type osFile struct{ f *os.File }

func (f osFile) size() (int64, error) {
	st, err := f.f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func (f osFile) write(p []byte) (int, error) { return f.f.Write(p) }

func (f osFile) truncate(n int64) error { return f.f.Truncate(n) }
