// Package atomicfile writes a file so that a reader sees either the old
// content or the whole new content, never a part: through a temporary file
// in the same directory, renamed over the target.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes data to path with permissions perm. The temporary file is
// named ".<base>-*~" (a name git hook runners and Gitaly ignore) and is
// removed on any failure. prepare, when not nil, runs on the complete
// temporary file before the rename (to set its owner, for example); its
// error is returned as it is. A symbolic link at path is replaced, not
// followed. Write refuses a path that holds anything else but a regular file
// (a device, a FIFO, a directory): the rename would replace it, and as root
// that can be /dev/null.
func Write(path string, data []byte, perm os.FileMode, prepare func(tmp string) error) error {
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() && st.Mode()&os.ModeSymlink == 0 {
		return fmt.Errorf("write %s: not a regular file (%s)", path, st.Mode().Type())
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*~")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if prepare != nil {
		if err := prepare(tmp.Name()); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Output writes a report or page to path the way a user means it: a path
// that is, or links to, a device or a FIFO (/dev/null, /dev/stdout, a named
// pipe) is written in place; a link to a regular file has its target
// replaced; anything else is written with Write, atomically, mode perm.
func Output(path string, data []byte, perm os.FileMode) error {
	st, err := os.Stat(path)
	if err != nil {
		return Write(path, data, perm, nil)
	}
	switch {
	case st.Mode()&(os.ModeDevice|os.ModeCharDevice|os.ModeNamedPipe) != 0:
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	case st.Mode().IsRegular():
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return Write(target, data, perm, nil)
	}
	return fmt.Errorf("write %s: not a regular file (%s)", path, st.Mode().Type())
}
