//go:build !windows && !plan9 && !js && !wasip1

package audit

import (
	"bytes"
	"cmp"
	"fmt"
	"log/syslog"
)

// syslogSink sends each line as one message to the local syslog daemon.
type syslogSink struct{ w *syslog.Writer }

var facilities = map[string]syslog.Priority{
	"user": syslog.LOG_USER, "auth": syslog.LOG_AUTH, "authpriv": syslog.LOG_AUTHPRIV, "daemon": syslog.LOG_DAEMON,
	"local0": syslog.LOG_LOCAL0, "local1": syslog.LOG_LOCAL1, "local2": syslog.LOG_LOCAL2, "local3": syslog.LOG_LOCAL3,
	"local4": syslog.LOG_LOCAL4, "local5": syslog.LOG_LOCAL5, "local6": syslog.LOG_LOCAL6, "local7": syslog.LOG_LOCAL7,
}

// openSyslog connects to the local syslog daemon (/dev/log and the usual
// other sockets). Events are sent at severity info.
func openSyslog(facility, tag string) (lineWriter, error) {
	f, ok := facilities[cmp.Or(facility, "auth")]
	if !ok {
		return nil, fmt.Errorf("unknown syslog facility %q", facility)
	}
	w, err := syslog.New(f|syslog.LOG_INFO, cmp.Or(tag, "pushguard"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v (choose audit destination file or stderr)", ErrSyslogUnavailable, err)
	}
	return syslogSink{w}, nil
}

func (s syslogSink) writeLine(line []byte) error {
	return s.w.Info(string(bytes.TrimSuffix(line, []byte("\n"))))
}

func (s syslogSink) Close() error { return s.w.Close() }
