//go:build unix

package install

import (
	"fmt"
	"os"
	"syscall"
)

// matchOwner gives path the owner and group of ref when running as root,
// so that files installed by root into a repository or hooks directory
// stay usable (and rewritable) by the git user that owns it. It does
// nothing for other users.
func matchOwner(path, ref string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	st, err := os.Stat(ref)
	if err != nil {
		return fmt.Errorf("owner of %s: %w", ref, err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if err := os.Lchown(path, int(sys.Uid), int(sys.Gid)); err != nil {
		return fmt.Errorf("chown %s: %w", path, err)
	}
	return nil
}
