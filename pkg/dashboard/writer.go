package dashboard

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strconv"

	"github.com/pushguard/pushguard/pkg/textsafe"
)

// out writes the page. Markup goes through raw, which only ever receives
// constants written in this package and numbers; everything that came from
// an audit log goes through text, which escapes it. The first write error
// is kept and reported by flush.
type out struct {
	w   *bufio.Writer
	err error
}

func newOut(w io.Writer) *out { return &out{w: bufio.NewWriterSize(w, 64<<10)} }

// raw writes markup written in this package.
func (o *out) raw(s string) {
	if o.err == nil {
		_, o.err = o.w.WriteString(s)
	}
}

// rawf writes markup with numbers: format is a constant of this package
// and args are numbers, never strings from a log (use text for those).
func (o *out) rawf(format string, args ...any) {
	for _, a := range args {
		switch a.(type) {
		case int, int64, float64:
		default:
			panic(fmt.Sprintf("dashboard: rawf given a %T: strings go through text", a))
		}
	}
	o.raw(fmt.Sprintf(format, args...))
}

// text writes untrusted text as HTML character data or an attribute value
// (both quote kinds escaped), with control and invisible characters made
// visible and the length capped at max runes (0: no cap).
func (o *out) text(s string, max int) { o.raw(Escape(s, max)) }

// num writes an integer.
func (o *out) num(n int) { o.raw(strconv.Itoa(n)) }

func (o *out) flush() error {
	if o.err == nil {
		o.err = o.w.Flush()
	}
	if o.err != nil {
		return fmt.Errorf("write dashboard: %w", o.err)
	}
	return nil
}

// Escape makes untrusted text safe in HTML character data and in quoted
// attribute values: control characters, bidi overrides, zero-width and
// other invisible characters (textsafe.Invisible) and invalid UTF-8 become
// visible escapes (\x1b, \u202e, \xff), the text is capped at max runes
// (0: no cap) with "…", then <, >, &, ' and " become character references.
//
// Unlike textsafe.Clean, backslashes are not doubled: the audit log
// already stores such characters as these escapes, and the page shows them
// as stored.
func Escape(s string, max int) string {
	return html.EscapeString(textsafe.Visible(s, max))
}
