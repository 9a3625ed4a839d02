package provenance

import (
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/pushguard/pushguard/pkg/yamlmsg"
)

// ErrLazyCompile is wrapped by the panic of a marker regex that, compiled
// on first use (CompileOptions.Validated), does not compile or breaks a
// check that an eager compile makes. pkg/policy compiles lazily only the
// markers of rule files that this very build has validated in full before
// (their validation stamp), so this means a corrupted cache or a bug:
// detection must not go on as if the marker had found nothing, so it
// stops, and the hook rejects the push as an internal error.
// ruleset.ErrLazyCompile is this same error.
var ErrLazyCompile = errors.New("a regex failed to compile on first use")

// regex is a marker's regular expression: compiled when the Detector is
// compiled, or, for a spec validated before, once on first use. It is safe
// for concurrent use.
type regex struct {
	expr    string
	emptyOK bool      // the expression may match ""
	where   SpecError // the file, line, tool and key, for the error

	once sync.Once
	re   *regexp.Regexp
	err  error
}

// compiledRegex wraps a regex compiled already.
func compiledRegex(re *regexp.Regexp) *regex {
	r := &regex{expr: re.String(), re: re}
	r.once.Do(func() {})
	return r
}

// lazyRegex is expr, to compile on first use with the checks compileTool
// makes.
func lazyRegex(expr string, emptyOK bool, where SpecError) *regex {
	return &regex{expr: expr, emptyOK: emptyOK, where: where}
}

// get returns the compiled regex, compiling it on first use; when that
// fails it panics with an error wrapping ErrLazyCompile (fail closed).
func (r *regex) get() *regexp.Regexp {
	r.once.Do(r.compile)
	if r.err != nil {
		panic(r.err)
	}
	return r.re
}

func (r *regex) compile() {
	fail := func(format string, args ...any) {
		e := r.where
		e.Msg = fmt.Sprintf(format, args...)
		r.err = fmt.Errorf("%w: %w", &e, ErrLazyCompile)
	}
	re, err := regexp.Compile(r.expr)
	switch {
	case r.expr == "":
		fail("empty pattern")
	case err != nil:
		fail("invalid regular expression: %v", err)
	case !r.emptyOK && re.MatchString(""):
		fail("regular expression %s matches the empty string, so it would match everything", yamlmsg.Quote(r.expr))
	default:
		r.re = re
	}
}

// MatchString is regexp.Regexp.MatchString.
func (r *regex) MatchString(s string) bool { return r.get().MatchString(s) }

// FindStringIndex is regexp.Regexp.FindStringIndex.
func (r *regex) FindStringIndex(s string) []int { return r.get().FindStringIndex(s) }
