package ruleset

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/pushguard/pushguard/pkg/errlist"
	"slices"
	"strings"
)

// Error is one problem found while loading a rule file. Its message has the
// form
//
//	file.yml:LINE: rule "ID": key.path: what is wrong
//
// where the rule and key parts are left out when they do not apply. The
// errors of a load are joined with errors.Join; use errors.As or
// [Errors] to get at them one by one.
type Error struct {
	File   string // the file name as given to the load function
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	// Rule is the id of the rule the problem is in; RuleNum is its 1-based
	// position in the file (0 when the problem is outside any rule). Rule is
	// empty when the rule has no valid id.
	Rule    string
	RuleNum int
	Key     string // dotted key path inside the rule, e.g. content.regex
	Msg     string
}

// Error renders the problem as file:line: rule "ID": key: message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	switch {
	case e.Rule != "":
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	case e.RuleNum > 0:
		fmt.Fprintf(&b, "rule #%d: ", e.RuleNum)
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors returns the individual problems of an error returned by a load
// function, in order. A problem that is not an *Error (an I/O error, say)
// comes back as an *Error with only Msg set.
func Errors(err error) []*Error {
	return errlist.Flatten(err, func(msg string) *Error { return &Error{Msg: msg} })
}

// sortErrors orders the problems of one file by position, stably.
func sortErrors(errs []*Error) {
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// joinErrors joins problems into one error, nil when there are none.
func joinErrors(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return errors.Join(list...)
}
