package ruleset

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/yamldoc"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
)

// maxAliasNodes bounds the YAML nodes one file may reach through aliases,
// so that an alias bomb cannot exhaust memory or time. Nodes written out
// are bounded by the size of the file already; the bytes that aliases
// expand to are bounded by the parse (pkg/yamldoc).
const maxAliasNodes = 100_000

// maxAliasBytes bounds the bytes of the values one file (with the files it
// names, such as dependency allowlists) reaches through aliases. A rule
// file was checked by its parse already (yamldoc); this covers the files a
// rule file names, which are decoded here.
const maxAliasBytes = yamldoc.DefaultMaxAliasBytes

// scalarDecoder is implemented by schema types that may also be written as a
// plain string (ExampleSpec).
type scalarDecoder interface {
	decodeScalar(s string)
}

// decoder decodes yaml.Node trees into the schema structs strictly: unknown
// and duplicate keys, wrong types and empty values are errors with the
// position of the offending node. It records, for every field it decoded, the
// node the value came from (keyed by the field's address), which tells both
// whether a key was written and where.
type decoder struct {
	file  string
	errs  []*Error
	nodes map[any]*yaml.Node
	// bad holds the fields (by address) whose value had the wrong type:
	// they are left zero, and later checks skip them so that one mistake
	// gives one message.
	bad map[any]bool
	// budget is what remains of maxAliasNodes, byteBudget what remains of
	// maxAliasBytes; aliasDepth > 0 while decoding below an alias.
	budget     int
	byteBudget int
	aliasDepth int
	// exhausted is the error recorded when a budget ran out: the values
	// left undecoded then would only add noise, so it is reported alone.
	exhausted *Error
	// read reads the files the rule file names (dependency allowlists,
	// deps.go); nil when the rule file came without a place to read from.
	read ReadFunc
	// ctx is checked between rules: compiling a rule (regexes, keyword
	// automata) is the costly part of loading.
	ctx context.Context
	// lazy: compile content regexes on first use and skip rule tests
	// (DecodeOptions.Lazy).
	lazy bool
	// types caches yamlFields by schema type: a file decodes hundreds of
	// rules of the same few types.
	types map[reflect.Type]schemaFields
}

// schemaFields is what yamlFields returns for one type.
type schemaFields struct {
	fields map[string]int
	names  []string
}

// fields is yamlFields, cached.
func (d *decoder) fields(t reflect.Type) (map[string]int, []string) {
	if f, ok := d.types[t]; ok {
		return f.fields, f.names
	}
	fields, names := yamlFields(t)
	if d.types == nil {
		d.types = make(map[reflect.Type]schemaFields)
	}
	d.types[t] = schemaFields{fields, names}
	return fields, names
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, nodes: make(map[any]*yaml.Node), bad: make(map[any]bool), budget: maxAliasNodes, byteBudget: maxAliasBytes, ctx: context.Background()}
}

// errorf records a problem at node n.
func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) {
	e := &Error{File: d.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// node returns the node a field (given by address) was decoded from, or nil
// when the key was not written.
func (d *decoder) node(ptr any) *yaml.Node { return d.nodes[ptr] }

// has reports whether the field at ptr was written in the YAML.
func (d *decoder) has(ptr any) bool { return d.nodes[ptr] != nil }

// ok reports whether the field at ptr was written with a value of the right
// type.
func (d *decoder) ok(ptr any) bool { return d.nodes[ptr] != nil && !d.bad[ptr] }

// typeError records a problem with the value of v and marks v bad.
func (d *decoder) typeError(v reflect.Value, n *yaml.Node, key, format string, args ...any) {
	d.bad[v.Addr().Interface()] = true
	d.errorf(n, key, format, args...)
}

// at returns the node of the field at ptr, or fallback when it was not
// written.
func (d *decoder) at(ptr any, fallback *yaml.Node) *yaml.Node {
	if n := d.nodes[ptr]; n != nil {
		return n
	}
	return fallback
}

// resolve follows an alias, charging the nodes reached through aliases to
// the budget. It returns nil when the budget is exhausted (the error is
// recorded once).
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.AliasNode && d.aliasDepth == 0 {
		return n
	}
	if d.budget < 0 || d.byteBudget < 0 {
		return nil // reported once already
	}
	if d.budget--; d.budget < 0 {
		d.errorf(n, "", "too many aliases: more than %d YAML nodes reached through aliases", maxAliasNodes)
		d.exhausted = d.errs[len(d.errs)-1]
		return nil
	}
	pos := n
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.ScalarNode {
		if d.byteBudget -= len(n.Value); d.byteBudget < 0 {
			d.errorf(pos, "", "aliases expand to more than %d bytes of values; write the values out instead", maxAliasBytes)
			d.exhausted = d.errs[len(d.errs)-1]
			return nil
		}
	}
	return n
}

// decode decodes n into the addressable value v; key is the dotted path of
// v, for messages.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, key string) {
	pos := n
	if n.Kind == yaml.AliasNode {
		d.aliasDepth++
		defer func() { d.aliasDepth-- }()
	}
	if n = d.resolve(n); n == nil {
		return
	}
	// Positions are those of the value as written: for an alias, its use.
	d.nodes[v.Addr().Interface()] = pos
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		d.typeError(v, pos, key, "no value given (remove the key or give it a value)")
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		v.Set(elem)
		d.decode(n, elem.Elem(), key)
	case reflect.Struct:
		d.decodeStruct(n, pos, v, key)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.typeError(v, pos, key, "expected a list, got %s", yamlmsg.Describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		v.Set(s)
		for i, c := range n.Content {
			ev := s.Index(i)
			if ev.Kind() == reflect.String && c.Kind == yaml.ScalarNode && d.aliasDepth == 0 && c.ShortTag() != "!!null" {
				// What decode does for a plain string, without making a
				// key that only a message would use (keyword lists and
				// the provider table are thousands of strings).
				d.nodes[ev.Addr().Interface()] = c
				ev.SetString(c.Value)
				continue
			}
			d.decode(c, ev, key+"["+strconv.Itoa(i)+"]")
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.typeError(v, pos, key, "expected a string, got %s", yamlmsg.Describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.typeError(v, pos, key, "expected true or false, got %s", yamlmsg.Describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			d.typeError(v, pos, key, "expected a whole number, got %s", yamlmsg.Describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil ||
			math.IsNaN(f) || math.IsInf(f, 0) {
			d.typeError(v, pos, key, "expected a finite number, got %s", yamlmsg.Describe(n))
			return
		}
		v.SetFloat(f)
	default:
		// The schema uses only the kinds above; reaching this is a bug in
		// the schema, reported rather than panicking.
		d.typeError(v, pos, key, "internal error: cannot decode into %s", v.Type())
	}
}

// keySet holds the keys of a mapping decoded so far, and where they were.
// A schema struct has a few keys, fewer than a map is worth; a hostile
// mapping with thousands of keys moves to a map, so that finding
// duplicates stays linear.
type keySet struct {
	small [16]struct {
		name string
		node *yaml.Node
	}
	n   int
	big map[string]*yaml.Node
}

// get returns where key name was seen, or nil.
func (k *keySet) get(name string) *yaml.Node {
	if k.big != nil {
		return k.big[name]
	}
	for _, e := range k.small[:k.n] {
		if e.name == name {
			return e.node
		}
	}
	return nil
}

// add records key name at node (not seen before).
func (k *keySet) add(name string, node *yaml.Node) {
	if k.big == nil && k.n < len(k.small) {
		k.small[k.n].name, k.small[k.n].node = name, node
		k.n++
		return
	}
	if k.big == nil {
		k.big = make(map[string]*yaml.Node, 2*len(k.small))
		for _, e := range k.small[:k.n] {
			k.big[e.name] = e.node
		}
	}
	k.big[name] = node
}

// ruleSpecType is the type of a rule's schema.
var ruleSpecType = reflect.TypeFor[RuleSpec]()

// decodeStruct decodes a mapping into a schema struct.
func (d *decoder) decodeStruct(n, pos *yaml.Node, v reflect.Value, key string) {
	if sd, ok := v.Addr().Interface().(scalarDecoder); ok && n.Kind == yaml.ScalarNode {
		sd.decodeScalar(n.Value)
		return
	}
	if n.Kind != yaml.MappingNode {
		d.typeError(v, pos, key, "expected a mapping of keys, got %s", yamlmsg.Describe(n))
		return
	}
	fields, names := d.fields(v.Type())
	var seen keySet
	for i := 0; i+1 < len(n.Content); i += 2 {
		kpos, vn := n.Content[i], n.Content[i+1]
		kn := d.resolve(kpos)
		if kn == nil {
			return
		}
		if kn.Kind != yaml.ScalarNode {
			d.errorf(kpos, key, "keys must be plain names, got %s", yamlmsg.Describe(kn))
			continue
		}
		name := kn.Value
		if name == "<<" {
			d.errorf(kpos, key, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		if prev := seen.get(name); prev != nil {
			d.errorf(kpos, joinKey(key, name), "duplicate key (first given at line %d)", prev.Line)
			continue
		}
		seen.add(name, kpos)
		idx, ok := fields[name]
		if !ok {
			d.errorf(kpos, key, "unknown key %s%s (valid keys: %s)", yamlmsg.Quote(name), suggest(name, names), strings.Join(names, ", "))
			continue
		}
		if d.lazy && name == "tests" && v.Type() == ruleSpecType {
			continue // a rule's examples are for rules test, not for matching
		}
		d.decode(vn, v.Field(idx), joinKey(key, name))
	}
}

// emptyList reports whether the field at ptr was written as an empty list
// (rather than not at all, or as something else).
func (d *decoder) emptyList(ptr any) bool {
	n := d.nodes[ptr]
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0
}

// suggest returns ` (did you mean "x"?)` for the valid name closest to a
// mistyped one, or "" when none is close.
func suggest(name string, valid []string) string {
	best, bestDist := "", 3
	for _, v := range valid {
		if dist := editDistance(strings.ToLower(name), v); dist < bestDist {
			best, bestDist = v, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of a and b, by bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // not a typo of a key name
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// yamlFields maps the yaml keys of a struct type to field indexes, and lists
// the keys in declaration order.
func yamlFields(t reflect.Type) (map[string]int, []string) {
	fields := make(map[string]int, t.NumField())
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	return fields, names
}

// joinKey appends name to a dotted key path.
func joinKey(key, name string) string {
	if key == "" {
		return name
	}
	return key + "." + name
}
