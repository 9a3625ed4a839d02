package deps

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2/unstable"
)

// This file reads pyproject.toml and Cargo.toml files into a tree that
// keeps the line of every key and array element, so that a dependency
// points at its line. Syntax (strings and their escapes, numbers, dates,
// arrays, inline tables, dotted and quoted keys, headers) is go-toml's
// (github.com/pelletier/go-toml/v2, its unstable AST parser, which gives
// byte ranges); this file builds the tree and checks what the parser does
// not: duplicate keys, tables defined twice, arrays of tables, nesting.
// Errors name the line; nothing panics, and nesting is bounded.

// tomlKind is the kind of a TOML value.
type tomlKind int

const (
	tomlString tomlKind = iota + 1
	tomlScalar          // number, boolean or date, unparsed
	tomlArray
	tomlTable
)

// maxTOMLDepth bounds nested arrays and inline tables.
const maxTOMLDepth = 32

// tomlValue is a node of the tree. line is where its key (or, for an array
// element, the element) is written; for a table declared by a header, the
// header's line.
type tomlValue struct {
	kind tomlKind
	line int
	str  string                // tomlString, tomlScalar
	arr  []*tomlValue          // tomlArray
	tab  map[string]*tomlValue // tomlTable
	keys []string              // tomlTable: keys in order
	// arrayOfTables marks an array built by [[headers]]; inline marks a
	// table or array written as a value (it cannot be extended later).
	arrayOfTables, inline bool
}

func newTable(line int) *tomlValue {
	return &tomlValue{kind: tomlTable, line: line, tab: map[string]*tomlValue{}}
}

// get follows keys through tables; nil when a key is absent or a value on
// the way is not a table.
func (v *tomlValue) get(keys ...string) *tomlValue {
	for _, k := range keys {
		if v == nil || v.kind != tomlTable {
			return nil
		}
		v = v.tab[k]
	}
	return v
}

// set adds key to table t.
func (t *tomlValue) set(key string, v *tomlValue) error {
	if _, dup := t.tab[key]; dup {
		return fmt.Errorf("duplicate key %q", clip(key))
	}
	t.tab[key] = v
	t.keys = append(t.keys, key)
	return nil
}

// tomlBuilder turns the parser's expressions into the tree.
type tomlBuilder struct {
	data  []byte
	lines lineIndex
}

// line returns the line of b, a slice of the parsed document (the last
// line when b is not one).
func (b *tomlBuilder) line(s []byte) int {
	off := cap(b.data) - cap(s)
	if off < 0 || off > len(b.data) {
		off = len(b.data)
	}
	return b.lines.line(off)
}

// rangeLine returns the line where a node's raw range starts.
func (b *tomlBuilder) rangeLine(r unstable.Range, fallback int) int {
	if r.Length == 0 && r.Offset == 0 {
		return fallback
	}
	if int(r.Offset) > len(b.data) {
		return fallback
	}
	return b.lines.line(int(r.Offset))
}

// parseTOML parses a TOML document into its root table.
func parseTOML(content []byte) (*tomlValue, error) {
	if !utf8.Valid(content) {
		return nil, errors.New("TOML must be UTF-8")
	}
	b := &tomlBuilder{data: content, lines: newLineIndex(content)}
	var p unstable.Parser
	p.Reset(content)
	root := newTable(1)
	cur := root
	for p.NextExpression() {
		e := p.Expression()
		line := b.keyLine(e)
		var err error
		switch e.Kind {
		case unstable.KeyValue:
			err = b.keyValue(cur, e, 0)
		case unstable.Table, unstable.ArrayTable:
			cur, err = b.header(root, e, line)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := p.Error(); err != nil {
		line := b.lines.line(len(content))
		var perr *unstable.ParserError
		if errors.As(err, &perr) {
			line = b.line(perr.Highlight)
		}
		return nil, fmt.Errorf("line %d: %w", line, err)
	}
	return root, nil
}

// keyLine returns the line of the first key part of a key/value or header.
func (b *tomlBuilder) keyLine(e *unstable.Node) int {
	it := e.Key()
	if it.Next() {
		return b.rangeLine(it.Node().Raw, 1)
	}
	return 1
}

// keys returns the parts of the key of a key/value or header.
func keys(e *unstable.Node) []string {
	var out []string
	it := e.Key()
	for it.Next() {
		out = append(out, string(it.Node().Data))
	}
	return out
}

// header opens the table or array-of-tables element a header names.
func (b *tomlBuilder) header(root *tomlValue, e *unstable.Node, line int) (*tomlValue, error) {
	ks := keys(e)
	array := e.Kind == unstable.ArrayTable
	parent, err := descend(root, ks[:len(ks)-1], line)
	if err != nil {
		return nil, err
	}
	last := ks[len(ks)-1]
	existing := parent.tab[last]
	switch {
	case array && existing == nil:
		existing = &tomlValue{kind: tomlArray, line: line, arrayOfTables: true}
		if err := parent.set(last, existing); err != nil {
			return nil, err
		}
		fallthrough
	case array && existing.arrayOfTables:
		cur := newTable(line)
		existing.arr = append(existing.arr, cur)
		return cur, nil
	case array:
		return nil, fmt.Errorf("%q is not an array of tables", clip(last))
	case existing == nil:
		cur := newTable(line)
		if err := parent.set(last, cur); err != nil {
			return nil, err
		}
		return cur, nil
	case existing.kind == tomlTable && !existing.inline:
		existing.line = line // implicitly created by a dotted header before
		return existing, nil
	}
	return nil, fmt.Errorf("%q is already defined", clip(last))
}

// descend walks (creating implicit tables) from t through keys.
func descend(t *tomlValue, keys []string, line int) (*tomlValue, error) {
	for _, k := range keys {
		next := t.tab[k]
		switch {
		case next == nil:
			next = newTable(line)
			if err := t.set(k, next); err != nil {
				return nil, err
			}
		case next.arrayOfTables && len(next.arr) > 0:
			next = next.arr[len(next.arr)-1]
		case next.kind != tomlTable || next.inline:
			return nil, fmt.Errorf("%q is not a table", clip(k))
		}
		t = next
	}
	return t, nil
}

// keyValue adds a key/value expression to t.
func (b *tomlBuilder) keyValue(t *tomlValue, e *unstable.Node, depth int) error {
	line := b.keyLine(e)
	v, err := b.value(e.Value(), line, depth)
	if err != nil {
		return err
	}
	v.line = line
	ks := keys(e)
	parent, err := descend(t, ks[:len(ks)-1], line)
	if err != nil {
		return err
	}
	return parent.set(ks[len(ks)-1], v)
}

// value converts a value node; line is where its key is.
func (b *tomlBuilder) value(n *unstable.Node, line, depth int) (*tomlValue, error) {
	if depth > maxTOMLDepth {
		return nil, fmt.Errorf("values nested deeper than %d", maxTOMLDepth)
	}
	line = b.rangeLine(n.Raw, line)
	switch n.Kind {
	case unstable.String:
		return &tomlValue{kind: tomlString, line: line, str: string(n.Data)}, nil
	case unstable.Array:
		arr := &tomlValue{kind: tomlArray, line: line, inline: true}
		it := n.Children()
		for it.Next() {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			v, err := b.value(c, line, depth+1)
			if err != nil {
				return nil, err
			}
			arr.arr = append(arr.arr, v)
		}
		return arr, nil
	case unstable.InlineTable:
		t := newTable(line)
		t.inline = true
		it := n.Children()
		for it.Next() {
			c := it.Node()
			if c.Kind != unstable.KeyValue {
				continue
			}
			if err := b.keyValue(t, c, depth+1); err != nil {
				return nil, err
			}
		}
		return t, nil
	case unstable.Bool, unstable.Integer, unstable.Float, unstable.LocalDate, unstable.LocalTime,
		unstable.LocalDateTime, unstable.DateTime:
		return &tomlValue{kind: tomlScalar, line: line, str: string(n.Data)}, nil
	}
	return nil, fmt.Errorf("unsupported value of kind %s", n.Kind)
}
