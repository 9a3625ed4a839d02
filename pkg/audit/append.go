package audit

import (
	"errors"
	"fmt"
	"io"
)

// appendFile is the little of a file that appendAll needs, so that a disk
// filling up mid-line can be simulated as well as produced for real.
type appendFile interface {
	// size returns the file's length.
	size() (int64, error)
	// write appends p with one write(2); it may write less than p.
	write(p []byte) (int, error)
	// truncate cuts the file to n bytes.
	truncate(n int64) error
}

// appendAll appends line to f completely or not at all. The caller holds
// the file's lock, so that no other pushguard writes meanwhile. Short
// writes are continued; when a write fails (disk full, file size limit),
// the file is cut back to its length before the call, so that no fragment
// is left for the next event to be glued to. If it cannot be cut back
// (truncate fails, or the file grew by more than this call wrote, which
// means another program appends without the lock), a newline ends the
// fragment, when there is room for one, so that at least the next event
// starts on a line of its own. Either way the error says what happened.
func appendAll(f appendFile, name string, line []byte) error {
	prev, err := f.size()
	if err != nil {
		return fmt.Errorf("append to %s: %w", name, err)
	}
	written := 0
	for written < len(line) {
		n, err := f.write(line[written:])
		if n > 0 {
			written += n
		}
		if err == nil && n <= 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			if written == 0 {
				return fmt.Errorf("append to %s: %w", name, err)
			}
			msg := fmt.Sprintf("append to %s: wrote %d of %d bytes", name, written, len(line))
			if rerr := rollback(f, prev, int64(written)); rerr != nil {
				return fmt.Errorf("%s: %w; the partial event could not be removed: %v", msg, err, rerr)
			}
			return fmt.Errorf("%s: %w; the partial event was removed (log cut back to %d bytes)", msg, err, prev)
		}
	}
	return nil
}

// rollback removes the written bytes of a failed append, or ends them with
// a newline when it cannot.
func rollback(f appendFile, prev, written int64) error {
	size, err := f.size()
	switch {
	case err != nil:
	case size != prev+written:
		err = fmt.Errorf("the log is %d bytes, not the %d bytes expected: another program appends to it without the lock", size, prev+written)
	default:
		if err = f.truncate(prev); err == nil {
			return nil
		}
	}
	if _, werr := f.write([]byte{'\n'}); werr != nil {
		return errors.Join(err, fmt.Errorf("ending the fragment with a newline: %w", werr))
	}
	return fmt.Errorf("%w (the fragment was ended with a newline)", err)
}
