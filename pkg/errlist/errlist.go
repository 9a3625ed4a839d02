// Package errlist flattens the joined errors pushguard's loaders return
// (errors.Join of positioned problems) back into a list of problems.
package errlist

import "errors"

// Flatten returns the problems of type E inside err, in order: joined
// errors are walked depth first, a wrapped E is unwrapped, and any other
// error becomes fallback(err.Error()).
func Flatten[E error](err error, fallback func(msg string) E) []E {
	var out []E
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(E); ok {
			out = append(out, e)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var e E
		if errors.As(err, &e) {
			out = append(out, e)
			return
		}
		out = append(out, fallback(err.Error()))
	}
	walk(err)
	return out
}
