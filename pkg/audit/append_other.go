//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package audit

import (
	"fmt"
	"os"
)

// appendLine appends line to f (opened O_APPEND) with one Write call. This
// platform has no flock(2): lines longer than the platform's atomic append
// size may interleave when several processes write at once.
func appendLine(f *os.File, line []byte) error {
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("append to %s: %w", f.Name(), err)
	}
	return nil
}
