//go:build !unix

package scan_test

// cpuTime is unknown on this platform.
func cpuTime() int64 { return -1 }
