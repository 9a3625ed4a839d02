// Package yamldoc parses a pushguard YAML file (a rule file, a file of AI
// tool markers) into one yaml.v3 node tree, the way every loader does: one
// document per file, syntax errors with their line, and a bound, in bytes,
// on what the document's aliases expand to.
//
// The bound is what stops an alias bomb. yaml.v3 keeps an alias as one node
// pointing at its anchor, so a 140 KB file that names a 100 KB string 3,000
// times parses quickly; but every decoder that follows the aliases then
// holds, compiles or matches 300 MB. A bound on the number of nodes does not
// see this: the expansion is in the size of the values.
package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// DefaultMaxAliasBytes is the bound Parse applies when given 0: 1 MiB of
// values reached through aliases, far beyond any reuse of a list of
// stopwords or paths, far below what hurts.
const DefaultMaxAliasBytes = 1 << 20

// Error is a problem with the document as a whole: invalid YAML, more than
// one document, or aliases that expand too far. Line and Column are 1-based
// (0 when unknown); Node is the offending node when there is one (the alias
// at which the bound was crossed), and Doc then the parsed document, so that
// a caller can tell where in its schema the node is.
type Error struct {
	Line, Column int
	Msg          string
	Node, Doc    *yaml.Node
}

// Error renders the problem as "line N: message".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// syntaxPattern splits a yaml.v3 syntax error into line and message.
var syntaxPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// Parse parses data as one YAML document and returns its document node, or
// nil for a file without a document (empty, or comments only). Every error
// is an *Error. maxAliasBytes bounds what the aliases expand to: the bytes
// of the scalar values reached through aliases, plus one per node reached
// (aliases inside an aliased node count once, as part of it); 0 means
// [DefaultMaxAliasBytes], a negative value no bound. An alias that names a
// node containing it is an error too.
func Parse(data []byte, maxAliasBytes int64) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, nil
	case err != nil:
		return nil, SyntaxError(data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		return nil, &Error{Line: line, Msg: "only one YAML document per file is allowed"}
	case !errors.Is(err, io.EOF):
		return nil, SyntaxError(data, err)
	}
	if maxAliasBytes == 0 {
		maxAliasBytes = DefaultMaxAliasBytes
	}
	if maxAliasBytes > 0 {
		if err := checkAliases(&doc, maxAliasBytes); err != nil {
			err.Doc = &doc
			return nil, err
		}
	}
	return &doc, nil
}

// SyntaxError turns an error of yaml.v3 decoding data into an *Error with
// its line, and says so when the line is indented with a tab (a common
// mistake that yaml.v3 words obscurely).
func SyntaxError(data []byte, err error) *Error {
	msg := err.Error()
	m := syntaxPattern().FindStringSubmatch(msg)
	if m == nil {
		return &Error{Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	e := &Error{Line: line, Msg: "invalid YAML: " + m[2]}
	if lines := bytes.Split(data, []byte("\n")); line >= 1 && line <= len(lines) {
		l := lines[line-1]
		if indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]; bytes.IndexByte(indent, '\t') >= 0 {
			e.Msg += " (YAML does not allow tabs for indentation)"
		}
	}
	return e
}

// checkAliases returns an *Error at the alias where the expansion crosses
// limit, or at an alias that names its own anchor.
func checkAliases(doc *yaml.Node, limit int64) *Error {
	w := walker{limit: limit, sizes: make(map[*yaml.Node]int64), busy: make(map[*yaml.Node]bool)}
	w.walk(doc)
	switch {
	case w.cycle != nil:
		return &Error{Line: w.cycle.Line, Column: w.cycle.Column, Node: w.cycle,
			Msg: fmt.Sprintf("alias *%s refers to a node that contains it", w.cycle.Value)}
	case w.at != nil:
		return &Error{Line: w.at.Line, Column: w.at.Column, Node: w.at,
			Msg: fmt.Sprintf("aliases expand to more than %d bytes of values (at alias *%s); write the values out instead", limit, w.at.Value)}
	}
	return nil
}

// walker measures alias expansion over a tree: for every alias, the size
// of the node it names, where the size of a node is the bytes of its scalar
// values plus one for each node (so that many empty values count too).
// Aliases inside an aliased node count as part of it, not again on their
// own. Sizes saturate at limit+1, so that even a "billion laughs" document
// is measured in time linear in its node count.
type walker struct {
	limit int64
	total int64
	// sizes memoises the expanded size of aliased nodes.
	sizes map[*yaml.Node]int64
	busy  map[*yaml.Node]bool
	// at is the alias at which total first exceeded limit; cycle an alias
	// inside the node it names.
	at, cycle *yaml.Node
}

// walk visits the tree as written, charging each alias with the expanded
// size of its target. It stops at the first alias past the limit.
func (w *walker) walk(n *yaml.Node) {
	if n == nil || w.at != nil || w.cycle != nil {
		return
	}
	if n.Kind == yaml.AliasNode {
		w.total = w.add(w.total, w.size(n.Alias, n))
		if w.limit > 0 && w.total > w.limit && w.at == nil {
			w.at = n
		}
		return
	}
	for _, c := range n.Content {
		w.walk(c)
	}
}

// size returns the expanded size of n (reached through alias via), memoised.
func (w *walker) size(n, via *yaml.Node) int64 {
	if n == nil {
		return 0
	}
	if s, ok := w.sizes[n]; ok {
		return s
	}
	if w.busy[n] {
		if w.cycle == nil {
			w.cycle = via
		}
		return 0
	}
	w.busy[n] = true
	var s int64 = 1
	switch n.Kind {
	case yaml.AliasNode:
		s = w.size(n.Alias, n)
	case yaml.ScalarNode:
		s = w.add(s, int64(len(n.Value)))
	default:
		for _, c := range n.Content {
			s = w.add(s, w.size(c, via))
		}
	}
	delete(w.busy, n)
	w.sizes[n] = s
	return s
}

// add adds sizes, saturating at limit+1 (or at the largest int64).
func (w *walker) add(a, b int64) int64 {
	s := a + b
	if s < a || s < b {
		s = 1<<63 - 1
	}
	if w.limit > 0 && s > w.limit+1 {
		s = w.limit + 1
	}
	return s
}
