package deps

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is a reader for the subset of TOML that pyproject.toml and
// Cargo.toml files use: tables, arrays of tables, dotted and quoted keys,
// basic, literal and multi-line strings, arrays, inline tables, and scalars
// (numbers, booleans, dates) kept as opaque text. It builds a tree with the
// line of every key and array element. Anything else is an error naming the
// line; nothing panics, and nesting is bounded.

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

// tomlParser holds the parse state.
type tomlParser struct {
	s     string
	pos   int
	lines lineIndex
}

// parseTOML parses a TOML document into its root table.
func parseTOML(content []byte) (*tomlValue, error) {
	if !utf8.Valid(content) {
		return nil, errors.New("TOML must be UTF-8")
	}
	p := &tomlParser{s: string(content), lines: newLineIndex(content)}
	root := newTable(1)
	if err := p.document(root); err != nil {
		return nil, fmt.Errorf("line %d: %w", p.line(), err)
	}
	return root, nil
}

func (p *tomlParser) line() int { return p.lines.line(p.pos) }

func (p *tomlParser) eof() bool { return p.pos >= len(p.s) }

func (p *tomlParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}

// skipSpace skips spaces and tabs.
func (p *tomlParser) skipSpace() {
	for !p.eof() && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// skipBlank skips whitespace, newlines and comments.
func (p *tomlParser) skipBlank() {
	for !p.eof() {
		switch p.s[p.pos] {
		case ' ', '\t', '\r', '\n':
			p.pos++
		case '#':
			p.skipComment()
		default:
			return
		}
	}
}

func (p *tomlParser) skipComment() {
	for !p.eof() && p.s[p.pos] != '\n' {
		p.pos++
	}
}

// endOfLine requires the rest of the line to be blank or a comment.
func (p *tomlParser) endOfLine() error {
	p.skipSpace()
	if p.peek() == '#' {
		p.skipComment()
	}
	if p.peek() == '\r' {
		p.pos++
	}
	if !p.eof() && p.s[p.pos] != '\n' {
		return fmt.Errorf("unexpected %q after a value", p.s[p.pos])
	}
	return nil
}

// document reads headers and key/value lines.
func (p *tomlParser) document(root *tomlValue) error {
	cur := root
	for {
		p.skipBlank()
		if p.eof() {
			return nil
		}
		line := p.line()
		if p.peek() != '[' {
			if err := p.keyValue(cur); err != nil {
				return err
			}
			if err := p.endOfLine(); err != nil {
				return err
			}
			continue
		}
		array := strings.HasPrefix(p.s[p.pos:], "[[")
		p.pos++
		if array {
			p.pos++
		}
		p.skipSpace()
		keys, err := p.key()
		if err != nil {
			return err
		}
		p.skipSpace()
		closing := "]"
		if array {
			closing = "]]"
		}
		if !strings.HasPrefix(p.s[p.pos:], closing) {
			return fmt.Errorf("table header: expected %q", closing)
		}
		p.pos += len(closing)
		if err := p.endOfLine(); err != nil {
			return err
		}
		parent, err := descend(root, keys[:len(keys)-1], line)
		if err != nil {
			return err
		}
		last := keys[len(keys)-1]
		existing := parent.tab[last]
		switch {
		case array && existing == nil:
			existing = &tomlValue{kind: tomlArray, line: line, arrayOfTables: true}
			if err := parent.set(last, existing); err != nil {
				return err
			}
			fallthrough
		case array && existing.arrayOfTables:
			cur = newTable(line)
			existing.arr = append(existing.arr, cur)
		case array:
			return fmt.Errorf("%q is not an array of tables", clip(last))
		case existing == nil:
			cur = newTable(line)
			if err := parent.set(last, cur); err != nil {
				return err
			}
		case existing.kind == tomlTable && !existing.inline:
			cur = existing // implicitly created by a dotted header before
			cur.line = line
		default:
			return fmt.Errorf("%q is already defined", clip(last))
		}
	}
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

// keyValue reads "key = value" into t.
func (p *tomlParser) keyValue(t *tomlValue) error {
	line := p.line()
	keys, err := p.key()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.peek() != '=' {
		return fmt.Errorf("expected '=' after key %q", clip(strings.Join(keys, ".")))
	}
	p.pos++
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return err
	}
	v.line = line
	parent, err := descend(t, keys[:len(keys)-1], line)
	if err != nil {
		return err
	}
	return parent.set(keys[len(keys)-1], v)
}

// key reads a dotted key of bare and quoted parts.
func (p *tomlParser) key() ([]string, error) {
	var keys []string
	for {
		p.skipSpace()
		var k string
		switch c := p.peek(); {
		case c == '"' || c == '\'':
			if strings.HasPrefix(p.s[p.pos:], `"""`) || strings.HasPrefix(p.s[p.pos:], "'''") {
				return nil, errors.New("multi-line strings cannot be keys")
			}
			s, err := p.str()
			if err != nil {
				return nil, err
			}
			k = s
		default:
			start := p.pos
			for !p.eof() && isBareKey(p.s[p.pos]) {
				p.pos++
			}
			if p.pos == start {
				return nil, fmt.Errorf("expected a key, got %s", p.describe())
			}
			k = p.s[start:p.pos]
		}
		keys = append(keys, k)
		p.skipSpace()
		if p.peek() != '.' {
			return keys, nil
		}
		p.pos++
	}
}

func isBareKey(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// describe names what is at the current position, for errors.
func (p *tomlParser) describe() string {
	if p.eof() {
		return "end of file"
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
	return strconv.QuoteRune(r)
}

// value reads a value at nesting depth.
func (p *tomlParser) value(depth int) (*tomlValue, error) {
	if depth > maxTOMLDepth {
		return nil, fmt.Errorf("values nested deeper than %d", maxTOMLDepth)
	}
	line := p.line()
	switch c := p.peek(); c {
	case '"', '\'':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &tomlValue{kind: tomlString, line: line, str: s}, nil
	case '[':
		p.pos++
		arr := &tomlValue{kind: tomlArray, line: line, inline: true}
		for {
			p.skipBlank()
			if p.peek() == ']' {
				p.pos++
				return arr, nil
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr.arr = append(arr.arr, v)
			p.skipBlank()
			switch p.peek() {
			case ',':
				p.pos++
			case ']':
				p.pos++
				return arr, nil
			default:
				return nil, fmt.Errorf("array: expected ',' or ']', got %s", p.describe())
			}
		}
	case '{':
		p.pos++
		t := newTable(line)
		t.inline = true
		p.skipBlank()
		if p.peek() == '}' {
			p.pos++
			return t, nil
		}
		for {
			p.skipBlank()
			if err := p.keyValueDepth(t, depth+1); err != nil {
				return nil, err
			}
			p.skipBlank()
			switch p.peek() {
			case ',':
				p.pos++
			case '}':
				p.pos++
				return t, nil
			default:
				return nil, fmt.Errorf("inline table: expected ',' or '}', got %s", p.describe())
			}
		}
	}
	return p.scalar(line)
}

// keyValueDepth is keyValue inside an inline table.
func (p *tomlParser) keyValueDepth(t *tomlValue, depth int) error {
	line := p.line()
	keys, err := p.key()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.peek() != '=' {
		return fmt.Errorf("expected '=' after key %q", clip(strings.Join(keys, ".")))
	}
	p.pos++
	p.skipSpace()
	v, err := p.value(depth)
	if err != nil {
		return err
	}
	v.line = line
	parent, err := descend(t, keys[:len(keys)-1], line)
	if err != nil {
		return err
	}
	return parent.set(keys[len(keys)-1], v)
}

// scalar reads a number, boolean or date as opaque text.
func (p *tomlParser) scalar(line int) (*tomlValue, error) {
	start := p.pos
	for !p.eof() {
		c := p.s[p.pos]
		if isAlnum(c) || strings.IndexByte("+-_.:", c) >= 0 {
			p.pos++
			continue
		}
		// A date and a time separated by one space.
		if c == ' ' && p.pos+1 < len(p.s) && '0' <= p.s[p.pos+1] && p.s[p.pos+1] <= '9' &&
			p.pos-start == 10 && p.s[start+4] == '-' {
			p.pos++
			continue
		}
		break
	}
	tok := p.s[start:p.pos]
	switch {
	case tok == "":
		return nil, fmt.Errorf("expected a value, got %s", p.describe())
	case tok == "true", tok == "false", tok == "inf", tok == "+inf", tok == "-inf", tok == "nan", tok == "+nan", tok == "-nan":
	case strings.IndexByte("0123456789+-", tok[0]) >= 0:
	default:
		p.pos = start
		return nil, fmt.Errorf("unsupported value starting with %s", p.describe())
	}
	return &tomlValue{kind: tomlScalar, line: line, str: tok}, nil
}

// str reads a basic or literal string, single- or multi-line.
func (p *tomlParser) str() (string, error) {
	q := p.s[p.pos]
	multi := strings.HasPrefix(p.s[p.pos:], strings.Repeat(string(q), 3))
	if multi {
		p.pos += 3
		// A newline right after the opening delimiter is trimmed.
		if strings.HasPrefix(p.s[p.pos:], "\r\n") {
			p.pos += 2
		} else if p.peek() == '\n' {
			p.pos++
		}
	} else {
		p.pos++
	}
	var b strings.Builder
	for {
		if p.eof() {
			return "", errors.New("unterminated string")
		}
		c := p.s[p.pos]
		switch {
		case c == q && (!multi || strings.HasPrefix(p.s[p.pos:], strings.Repeat(string(q), 3))):
			if multi {
				p.pos += 3
				// Up to two more quotes belong to the string.
				for i := 0; i < 2 && p.peek() == q; i++ {
					b.WriteByte(q)
					p.pos++
				}
			} else {
				p.pos++
			}
			return b.String(), nil
		case c == '\n' && !multi:
			return "", errors.New("unterminated string (newline in a single-line string)")
		case c == '\\' && q == '"':
			if err := p.escape(&b, multi); err != nil {
				return "", err
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

// escape reads a backslash escape of a basic string.
func (p *tomlParser) escape(b *strings.Builder, multi bool) error {
	p.pos++ // the backslash
	if p.eof() {
		return errors.New("unterminated string")
	}
	c := p.s[p.pos]
	p.pos++
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case '"', '\\':
		b.WriteByte(c)
	case 'u', 'U', 'x':
		n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
		if p.pos+n > len(p.s) {
			return errors.New("truncated escape")
		}
		r, err := strconv.ParseUint(p.s[p.pos:p.pos+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(r)) {
			return fmt.Errorf("invalid escape \\%c%s", c, clip(p.s[p.pos:p.pos+n]))
		}
		b.WriteRune(rune(r))
		p.pos += n
	case ' ', '\t', '\r', '\n':
		if !multi {
			return errors.New("line-ending backslash outside a multi-line string")
		}
		// Line-ending backslash: skip whitespace up to the next text.
		p.pos--
		for !p.eof() && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
			p.pos++
		}
	default:
		return fmt.Errorf("invalid escape \\%c", c)
	}
	return nil
}
