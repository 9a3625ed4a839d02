//go:build windows || plan9 || js || wasip1

package audit

import "fmt"

// openSyslog fails: this platform has no syslog in Go's standard library.
func openSyslog(facility, tag string) (lineWriter, error) {
	return nil, fmt.Errorf("%w on this platform (choose audit destination file or stderr)", ErrSyslogUnavailable)
}
