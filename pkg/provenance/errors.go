package provenance

import (
	"fmt"
	"github.com/pushguard/pushguard/pkg/errlist"
	"strings"
)

// SpecError is one problem in a markers file or a tool spec. Its message has
// the form
//
//	file.yml:LINE: tool "ID": key: what is wrong
//
// where the parts that do not apply are left out. The problems of one load
// or compilation are joined with errors.Join; use [SpecErrors] or errors.As
// to get at them.
type SpecError struct {
	File string // the file name as given to the loader; may be empty
	Line int    // 1-based; 0 when unknown
	Tool string // the tool id; empty outside a tool or when it has no id
	Key  string // the key path inside the tool, e.g. emails[2]
	Msg  string
}

// Error renders the problem as file:line: tool "ID": key: message.
func (e *SpecError) Error() string {
	var b strings.Builder
	if e.File != "" || e.Line > 0 {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Tool != "" {
		fmt.Fprintf(&b, "tool %q: ", e.Tool)
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// SpecErrors returns the individual problems of an error returned by this
// package's loaders and [Compile], in order. A problem that is not a
// *SpecError comes back as a *SpecError with only Msg set.
func SpecErrors(err error) []*SpecError {
	return errlist.Flatten(err, func(msg string) *SpecError { return &SpecError{Msg: msg} })
}
