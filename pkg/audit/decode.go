package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// decodeRecord reads one audit line into r, which it resets first (reusing
// its storage: nothing of r may be kept past the next call but copies).
//
// It is a strict JSON parser that keeps only the keys Stats reads and
// skips the others without building them: encoding/json took 20 µs of CPU
// per event, most of it in reflection and in values Stats never reads.
// What it accepts and what it returns are those of json.Unmarshal into a
// record, with one difference: keys are matched exactly, not regardless of
// case. A key or string with escapes, or invalid UTF-8, is decoded by
// encoding/json, so that their meaning is its own.
func decodeRecord(line []byte, r *record) error {
	reset(r)
	if r.strs == nil {
		r.strs = map[string]string{}
	}
	d := decoder{b: line, strs: r.strs}
	d.ws()
	if err := d.record(r); err != nil {
		if errors.Is(err, errEscapedKey) {
			reset(r)
			return json.Unmarshal(line, r)
		}
		return err
	}
	d.ws()
	if d.i != len(d.b) {
		return errSyntax
	}
	return nil
}

// reset empties r, keeping the storage of its lists and map.
func reset(r *record) {
	tools, findings, supps, refs := r.AITools, r.Findings[:0], r.Suppressions[:0], r.Refs[:0]
	clear(tools)
	*r = record{AITools: tools, Findings: findings, Suppressions: supps, Refs: refs, strs: r.strs}
}

// decoder is a position in one line.
type decoder struct {
	b     []byte
	i     int
	depth int
	// strs interns the strings that repeat from event to event
	// (repositories, pushers, rules, refs, tools), so that a million
	// events do not make a million copies of each.
	strs map[string]string
}

// Bounds of the interned strings.
const (
	maxInterned    = 1 << 16
	maxInternedLen = 128
)

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

var errSyntax = errors.New("audit line: invalid JSON")

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *decoder) expect(c byte) error {
	if d.peek() != c {
		return errSyntax
	}
	d.i++
	return nil
}

// object calls field for every key of an object; field must consume the
// value.
func (d *decoder) object(field func(key []byte) error) error {
	d.ws()
	if d.null() {
		return nil // as encoding/json: null leaves a struct as it is
	}
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.depth++; d.depth > maxDepth {
		return errSyntax
	}
	defer func() { d.depth-- }()
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		if d.peek() != '"' {
			return errSyntax
		}
		key, esc, err := d.rawString()
		if err != nil {
			return err
		}
		if esc {
			// A key with escapes may spell a known key: let
			// encoding/json say what it means.
			return errEscapedKey
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		d.ws()
		if err := field(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// array calls elem for every element of an array (or nothing for null).
func (d *decoder) array(elem func() error) error {
	if d.null() {
		return nil
	}
	if err := d.expect('['); err != nil {
		return err
	}
	if d.depth++; d.depth > maxDepth {
		return errSyntax
	}
	defer func() { d.depth-- }()
	if d.peek() == ']' {
		d.i++
		return nil
	}
	for {
		d.ws()
		if err := elem(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// errEscapedKey sends the line to encoding/json.
var errEscapedKey = errors.New("escaped key")

// null consumes a null literal.
func (d *decoder) null() bool {
	if bytes.HasPrefix(d.b[d.i:], []byte("null")) {
		d.i += 4
		return true
	}
	return false
}

// rawString reads a string token and returns its content between the
// quotes; esc reports escapes or bytes that need encoding/json's decoding
// (invalid UTF-8).
func (d *decoder) rawString() (s []byte, esc bool, err error) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false, errSyntax
	}
	start := d.i + 1
	// Fast path: up to the next quote, nothing to unescape or check.
	if q := bytes.IndexByte(d.b[start:], '"'); q >= 0 {
		seg := d.b[start : start+q]
		plain := true
		for _, c := range seg {
			if plainByte[c] == 0 {
				plain = false
				break
			}
		}
		if plain {
			d.i = start + q + 1
			return seg, false, nil
		}
	}
	ascii := true
	for j := start; j < len(d.b); j++ {
		c := d.b[j]
		switch {
		case c == '"':
			d.i = j + 1
			s = d.b[start:j]
			if !ascii && !esc && !utf8.Valid(s) {
				esc = true
			}
			return s, esc, nil
		case c == '\\':
			if j+1 >= len(d.b) {
				return nil, false, errSyntax
			}
			switch d.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+5 >= len(d.b) {
					return nil, false, errSyntax
				}
				for _, h := range d.b[j+2 : j+6] {
					if !isHex(h) {
						return nil, false, errSyntax
					}
				}
				j += 5
			default:
				return nil, false, errSyntax
			}
			esc = true
		case c < 0x20:
			return nil, false, errSyntax
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, false, errSyntax
}

// plainByte marks the bytes a string may hold as they are: printable
// ASCII other than the quote and the backslash.
var plainByte = func() (t [256]byte) {
	for c := 0x20; c < 0x80; c++ {
		if c != '"' && c != '\\' {
			t[c] = 1
		}
	}
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// str reads a string value that repeats from event to event (or null:
// ""), interned.
func (d *decoder) str() (string, error) { return d.string(true) }

// fresh reads a string value that rarely repeats (times, object ids,
// reasons).
func (d *decoder) fresh() (string, error) { return d.string(false) }

func (d *decoder) string(intern bool) (string, error) {
	if d.null() {
		return "", nil
	}
	start := d.i
	raw, esc, err := d.rawString()
	if err != nil {
		return "", err
	}
	if !esc {
		if !intern || len(raw) > maxInternedLen {
			return string(raw), nil
		}
		if s, ok := d.strs[string(raw)]; ok {
			return s, nil
		}
		s := string(raw)
		if len(d.strs) < maxInterned {
			d.strs[s] = s
		}
		return s, nil
	}
	var s string
	if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
		return "", errSyntax
	}
	return s, nil
}

// integer reads a number into an int as encoding/json does: a fraction,
// an exponent or an overflow is an error; null is 0.
func (d *decoder) integer() (int, error) {
	if d.null() {
		return 0, nil
	}
	start := d.i
	if err := d.number(); err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 0)
	if err != nil {
		return 0, errSyntax
	}
	return int(n), nil
}

// boolean reads true, false or null (false).
func (d *decoder) boolean() (bool, error) {
	switch {
	case bytes.HasPrefix(d.b[d.i:], []byte("true")):
		d.i += 4
		return true, nil
	case bytes.HasPrefix(d.b[d.i:], []byte("false")):
		d.i += 5
		return false, nil
	case d.null():
		return false, nil
	}
	return false, errSyntax
}

// number consumes a JSON number.
func (d *decoder) number() error {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return errSyntax
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return errSyntax
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return errSyntax
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	d.i = i
	return nil
}

// skip consumes any value.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '"':
		_, _, err := d.rawString()
		return err
	case c == '{':
		return d.object(func([]byte) error { return d.skip() })
	case c == '[':
		return d.array(d.skip)
	case c == 't' || c == 'f':
		_, err := d.boolean()
		return err
	case c == 'n':
		if d.null() {
			return nil
		}
		return errSyntax
	default:
		return d.number()
	}
}

// record reads an event into r.
func (d *decoder) record(r *record) error {
	return d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "time":
			r.Time, err = d.fresh()
		case "repo":
			r.Repo, err = d.str()
		case "pusher":
			r.Pusher, err = d.str()
		case "platform":
			r.Platform, err = d.str()
		case "decision":
			r.Decision, err = d.str()
		case "mode":
			r.Mode, err = d.str()
		case "error":
			r.Error, err = d.fresh()
		case "event":
			r.Event, err = d.str()
		case "new_commits":
			r.NewCommits, err = d.integer()
		case "ai_commits":
			r.AICommits, err = d.integer()
		case "added_lines":
			r.AddedLines, err = d.integer()
		case "ai_added_lines":
			r.AIAddedLines, err = d.integer()
		case "ai_written_lines":
			r.AIWrittenLines, err = d.integer()
		case "suppressions_omitted":
			r.SuppressionsOmitted, err = d.integer()
		case "post_receive":
			r.PostReceive, err = d.boolean()
		case "ai_tools":
			err = d.tools(r)
		case "findings":
			r.Findings = r.Findings[:0]
			err = d.array(func() error {
				var f FindingCount
				err := d.object(func(k []byte) error {
					var err error
					switch string(k) {
					case "rule":
						f.Rule, err = d.str()
					case "severity":
						f.Severity, err = d.str()
					case "count":
						f.Count, err = d.integer()
					default:
						err = d.skip()
					}
					return err
				})
				r.Findings = append(r.Findings, f)
				return err
			})
		case "suppressions":
			r.Suppressions = r.Suppressions[:0]
			err = d.array(func() error {
				var s Suppression
				err := d.object(func(k []byte) error {
					var err error
					switch string(k) {
					case "rule":
						s.Rule, err = d.str()
					case "commit":
						s.Commit, err = d.fresh()
					case "path":
						s.Path, err = d.fresh()
					case "line":
						s.Line, err = d.integer()
					case "reason":
						s.Reason, err = d.fresh()
					case "pusher":
						s.Pusher, err = d.str()
					default:
						err = d.skip()
					}
					return err
				})
				r.Suppressions = append(r.Suppressions, s)
				return err
			})
		case "refs":
			r.Refs = r.Refs[:0]
			err = d.array(func() error {
				var ref Ref
				err := d.object(func(k []byte) error {
					var err error
					switch string(k) {
					case "name":
						ref.Name, err = d.str()
					case "old":
						ref.Old, err = d.fresh()
					case "new":
						ref.New, err = d.fresh()
					case "decision":
						ref.Decision, err = d.str()
					case "blocking":
						ref.Blocking, err = d.integer()
					default:
						err = d.skip()
					}
					return err
				})
				r.Refs = append(r.Refs, ref)
				return err
			})
		case "bypass":
			if d.null() {
				r.Bypass = nil
				return nil
			}
			if r.Bypass == nil {
				r.Bypass = &Bypass{}
			}
			b := r.Bypass
			err = d.object(func(k []byte) error {
				var err error
				switch string(k) {
				case "used":
					b.Used, err = d.boolean()
				case "reason":
					b.Reason, err = d.fresh()
				case "refusal":
					b.Refusal, err = d.fresh()
				default:
					err = d.skip()
				}
				return err
			})
		default:
			err = d.skip()
		}
		return err
	})
}

// tools reads the ai_tools map.
func (d *decoder) tools(r *record) error {
	if d.null() {
		r.AITools = nil
		return nil
	}
	if r.AITools == nil {
		r.AITools = map[string]int{}
	}
	return d.object(func(k []byte) error {
		n, err := d.integer()
		if err != nil {
			return err
		}
		r.AITools[string(k)] = n
		return nil
	})
}
