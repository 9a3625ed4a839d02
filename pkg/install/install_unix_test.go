//go:build unix

package install

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// TestKeepsOwner: run as root (as admins do), installed files and
// directories belong to the git user that owns the target, and git config
// does not leave the repository's config file owned by root.
func TestKeepsOwner(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root on linux")
	}
	const uid, gid = 12345, 23456
	bin, _ := fakeBinary(t)
	repo := bareRepo(t, filepath.Join(t.TempDir(), "app.git"))
	if err := filepath.Walk(repo, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(repo, "hooks")); err != nil {
		t.Fatal(err)
	}
	in, _, _ := newInstaller(bin)
	if err := in.Plain(repo); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"hooks", "hooks/pre-receive", "config"} {
		st, err := os.Stat(filepath.Join(repo, p))
		if err != nil {
			t.Fatal(err)
		}
		if sys := st.Sys().(*syscall.Stat_t); sys.Uid != uid || sys.Gid != gid {
			t.Errorf("%s owned by %d:%d, want %d:%d", p, sys.Uid, sys.Gid, uid, gid)
		}
	}
}
