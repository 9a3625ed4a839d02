//go:build unix

package gitstore

import (
	"os"
	"syscall"
)

// mapFile maps f read-only, as git maps its packs, so that entry headers
// and compressed data are read without a system call each. It returns nil
// (read with ReadAt instead) when the file cannot be mapped.
func mapFile(f *os.File, size int64) []byte {
	if size <= 0 || size != int64(int(size)) {
		return nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return b
}

func unmapFile(b []byte) error { return syscall.Munmap(b) }
