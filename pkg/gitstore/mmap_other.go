//go:build !unix

package gitstore

import "os"

// mapFile does not map files on this platform: packs are read with ReadAt.
func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) error { return nil }
