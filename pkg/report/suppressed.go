package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/pushguard/pushguard/pkg/verdict"
)

// writeSuppressed tells how many findings inline pushguard:allow comments
// suppressed; they are not listed (JSON lists them with their reasons).
func writeSuppressed(line func(string, ...any), v *verdict.Verdict) {
	if n := len(v.Suppressed); n > 0 {
		line("%s suppressed inline (pushguard:allow with a reason); not counted.", plural(n, "finding"))
		line("")
	}
}

// writeSuppressedAccepted writes the suppressed count for a push accepted
// without other findings.
func writeSuppressedAccepted(w io.Writer, v *verdict.Verdict, o TextOptions) error {
	if len(v.Suppressed) == 0 {
		return nil
	}
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, o.LinePrefix+format+"\n", args...)
	}
	line("pushguard: push accepted: no findings in %s", plural(v.Commits, "new commit"))
	writeSuppressed(line, v)
	_, err := io.WriteString(w, b.String())
	return err
}
