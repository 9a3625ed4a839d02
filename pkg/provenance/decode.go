package provenance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/yamldoc"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
)

// maxNodes bounds the YAML nodes one file may expand to, aliases included,
// so that an alias bomb cannot exhaust memory or time.
const maxNodes = 200_000

// LoadFS reads the markers of name in fsys (typically the embedded
// rules.FS): a file, or a directory whose *.yml and *.yaml files are read
// recursively in lexical order, hidden entries skipped, as the rule loader
// does. Specs come back in file order, so a later file overrides an earlier
// one in [Compile].
func LoadFS(fsys fs.FS, name string) ([]ToolSpec, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("reading AI tool markers: %w", err)
	}
	if !st.IsDir() {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("reading AI tool markers: %w", err)
		}
		return ParseToolSpecs(name, data)
	}
	var specs []ToolSpec
	var errs []error
	err = fs.WalkDir(fsys, name, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := path.Base(p)
		if p != name && strings.HasPrefix(base, ".") {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() || !(strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		s, err := ParseToolSpecs(p, data)
		if err != nil {
			errs = append(errs, err)
		}
		specs = append(specs, s...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading AI tool markers: %w", err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return specs, nil
}

// ParseToolSpecs decodes the AI tool specs of one YAML file: the `ai_tools:`
// list and the `declared_trailers:` shorthand (read as if it were a first
// ai_tools entry with id "declared"). A `rules:` key is left to the rule
// loader; any other top-level key is an error. name is used in error
// messages only.
//
// Decoding is strict (unknown or duplicate keys, wrong types and empty values
// are errors) and every spec is validated (regular expressions, globs,
// trailer keys, ids) as [Compile] would, so that a broken file is reported
// with positions as file:line: tool "id": what is wrong. An empty file has no
// specs.
func ParseToolSpecs(name string, data []byte) ([]ToolSpec, error) {
	if !MayHoldMarkers(data) {
		return nil, nil
	}
	doc, err := yamldoc.Parse(data, 0)
	if err != nil {
		return nil, docError(name, err)
	}
	return DecodeDocument(context.Background(), name, doc)
}

// docError turns an error of yamldoc.Parse into a *SpecError.
func docError(name string, err error) error {
	var de *yamldoc.Error
	if errors.As(err, &de) {
		return &SpecError{File: name, Line: de.Line, Msg: de.Msg}
	}
	return &SpecError{File: name, Msg: err.Error()}
}

// DecodeDocument decodes the AI tool specs of a YAML file already parsed
// into its document node (nil: none), as [ParseToolSpecs] does: it is for
// loaders that parse a rule file once and hand the document to both
// pkg/ruleset and this package. The document must come from pkg/yamldoc
// (directly or through ruleset.ParseDocument), which bounds what its aliases
// expand to; the node budget here bounds the rest. It returns an error
// wrapping ctx.Err() when ctx is done before the specs are compiled.
func DecodeDocument(ctx context.Context, name string, doc *yaml.Node) ([]ToolSpec, error) {
	return DecodeDocumentWith(ctx, name, doc, DecodeOptions{})
}

// DecodeOptions change how [DecodeDocumentWith] decodes.
type DecodeOptions struct {
	// Validated says that this build has validated the file in full
	// before: the specs are decoded strictly, but checked only when
	// [CompileWith] compiles them (CompileOptions.Validated: every check
	// but compiling the regular expressions, left to their first use).
	Validated bool
}

// DecodeDocumentWith is [DecodeDocument] with options.
func DecodeDocumentWith(ctx context.Context, name string, doc *yaml.Node, opt DecodeOptions) ([]ToolSpec, error) {
	if doc == nil {
		return nil, nil
	}
	d := &decoder{file: name, budget: maxNodes, ctx: ctx, validated: opt.Validated}
	var tools, declared *yaml.Node
	if len(doc.Content) > 0 {
		root := d.resolve(doc.Content[0])
		switch {
		case root == nil:
		case root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null":
			// A file of comments only.
		case root.Kind != yaml.MappingNode:
			d.errorf(root, "", "", "expected a mapping with the keys ai_tools and declared_trailers, got %s", yamlmsg.Describe(root))
		default:
			seen := make(map[string]*yaml.Node)
			for i := 0; i+1 < len(root.Content); i += 2 {
				kn, vn := d.resolve(root.Content[i]), root.Content[i+1]
				if kn == nil {
					break
				}
				if kn.Kind != yaml.ScalarNode {
					d.errorf(kn, "", "", "keys must be plain names, got %s", yamlmsg.Describe(kn))
					continue
				}
				if prev, dup := seen[kn.Value]; dup {
					d.errorf(kn, "", kn.Value, "duplicate key (first given at line %d)", prev.Line)
					continue
				}
				seen[kn.Value] = kn
				switch kn.Value {
				case "ai_tools":
					tools = vn
				case "declared_trailers":
					declared = vn
				default:
					// Other top-level keys (rules, ...) belong to the rule
					// loader, which validates them strictly.
				}
			}
		}
	}
	specs, err := d.finish(d.decodeSpecs(tools, declared))
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("%s: decoding stopped: %w", name, ctxErr)
	}
	return specs, err
}

// MayHoldMarkers is a cheap test that tells the files that cannot hold AI
// tool markers (most rule files), so that a loader that wants only the
// markers need not parse them. A file may hold markers when it names
// either key, or contains an escape or a flow mapping through which a key
// could be spelled differently.
func MayHoldMarkers(data []byte) bool {
	return bytes.Contains(data, []byte("ai_tools")) || bytes.Contains(data, []byte("declared_trailers")) ||
		bytes.Contains(data, []byte(`\`)) || bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
}

// DecodeToolSpecs decodes already parsed YAML: aiTools is the value of an
// `ai_tools:` key and declaredTrailers the value of a `declared_trailers:`
// key; either may be nil. It is for rule loaders that parse the file
// themselves; the result and errors are those of [ParseToolSpecs].
func DecodeToolSpecs(name string, aiTools, declaredTrailers *yaml.Node) ([]ToolSpec, error) {
	d := &decoder{file: name, budget: maxNodes}
	return d.finish(d.decodeSpecs(aiTools, declaredTrailers))
}

// decoder walks yaml.Node trees into specs, strictly, recording every
// problem with its position.
type decoder struct {
	file   string
	errs   []error
	budget int
	// ctx, when set, is checked between tools (compiling a tool's regular
	// expressions is the costly part).
	ctx context.Context
	// validated leaves the specs to CompileWith to check
	// (DecodeOptions.Validated).
	validated bool
}

// done reports whether the decoder's context is done.
func (d *decoder) done() bool { return d.ctx != nil && d.ctx.Err() != nil }

// finish validates the decoded specs and returns them, or every problem
// found.
func (d *decoder) finish(specs []ToolSpec) ([]ToolSpec, error) {
	// A file validated before is checked by CompileWith, which compiles
	// every spec anyway (its regexes on first use): not twice.
	if len(d.errs) == 0 && !d.validated {
		for i := range specs {
			if d.done() {
				break
			}
			if _, errs := compileTool(&specs[i], d.validated); len(errs) > 0 {
				d.errs = append(d.errs, errs...)
			}
		}
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return specs, nil
}

// errorf records a problem at node n (which may be nil).
func (d *decoder) errorf(n *yaml.Node, tool, key, format string, args ...any) {
	e := &SpecError{File: d.file, Tool: tool, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line = n.Line
	}
	d.errs = append(d.errs, e)
}

// resolve follows an alias and charges the node to the budget. It returns
// nil when the budget is exhausted (an error has then been recorded once).
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.errorf(n, "", "", "document too large: more than %d YAML nodes after expanding aliases", maxNodes)
		}
		return nil
	}
	return n
}

// decodeSpecs decodes the declared_trailers shorthand (first) and the
// ai_tools list.
func (d *decoder) decodeSpecs(tools, declared *yaml.Node) []ToolSpec {
	var specs []ToolSpec
	if declared != nil {
		c := ctx{tool: DeclaredID, key: "declared_trailers"}
		if trs, ok := d.trailers(declared, c, true); ok {
			specs = append(specs, ToolSpec{
				ID:       DeclaredID,
				Name:     "Declared AI use",
				Trailers: trs,
				File:     d.file,
				Line:     declared.Line,
			})
		}
	}
	if tools == nil {
		return specs
	}
	n := d.resolve(tools)
	if n == nil {
		return specs
	}
	if isNull(n) {
		d.errorf(tools, "", "ai_tools", "no value given (remove the key or give it a list of tools)")
		return specs
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(tools, "", "ai_tools", "expected a list of tools, got %s", yamlmsg.Describe(n))
		return specs
	}
	for i, item := range n.Content {
		if d.done() {
			break
		}
		if s, ok := d.tool(item, i); ok {
			specs = append(specs, s)
		}
	}
	return specs
}

// ctx names where a value is, for messages: the tool id (or empty) and the
// key path (which starts with ai_tools[N] when the tool has no id).
type ctx struct {
	tool string
	key  string
}

func (c ctx) sub(name string) ctx {
	if c.key == "" {
		return ctx{tool: c.tool, key: name}
	}
	return ctx{tool: c.tool, key: c.key + "." + name}
}

func (c ctx) index(i int) ctx {
	return ctx{tool: c.tool, key: fmt.Sprintf("%s[%d]", c.key, i)}
}

// pair is one key of a mapping with its key and value nodes.
type pair struct {
	key    string
	kn, vn *yaml.Node
}

// pairs returns the keys of a mapping node, reporting non-scalar, merge and
// duplicate keys.
func (d *decoder) pairs(n *yaml.Node, c ctx) []pair {
	var out []pair
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn := d.resolve(n.Content[i])
		if kn == nil {
			return out
		}
		if kn.Kind != yaml.ScalarNode {
			d.errorf(kn, c.tool, c.key, "keys must be plain names, got %s", yamlmsg.Describe(kn))
			continue
		}
		if kn.Value == "<<" {
			d.errorf(kn, c.tool, c.key, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		if prev, dup := seen[kn.Value]; dup {
			d.errorf(kn, c.tool, c.sub(kn.Value).key, "duplicate key (first given at line %d)", prev.Line)
			continue
		}
		seen[kn.Value] = kn
		out = append(out, pair{key: kn.Value, kn: kn, vn: n.Content[i+1]})
	}
	return out
}

// toolKeys lists the keys of a tool spec, in the order of the documentation.
func toolKeys() string {
	return "id, name, disabled, trailers, trailer_keys, message, subject_prefix, emails, names, identities, branches, files, declared_values"
}

// tool decodes one entry of ai_tools.
func (d *decoder) tool(item *yaml.Node, i int) (ToolSpec, bool) {
	pos := item
	n := d.resolve(item)
	if n == nil {
		return ToolSpec{}, false
	}
	c := ctx{key: fmt.Sprintf("ai_tools[%d]", i)}
	if n.Kind != yaml.MappingNode {
		d.errorf(pos, "", c.key, "expected a mapping (id, name and signal lists), got %s", yamlmsg.Describe(n))
		return ToolSpec{}, false
	}
	spec := ToolSpec{File: d.file, Line: pos.Line}
	// The id first, so that every message can name the tool.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "id" {
			if s, ok := d.str(n.Content[i+1], c.sub("id")); ok {
				spec.ID = s
				if validID(s) {
					c = ctx{tool: s}
				}
			}
			break
		}
	}
	ps := d.pairs(n, c)
	if _, ok := findPair(ps, "id"); !ok {
		d.errorf(pos, "", c.key, "id is missing")
	}
	errs := len(d.errs)
	for _, p := range ps {
		fc := c.sub(p.key)
		switch p.key {
		case "id":
		case "name":
			spec.Name, _ = d.str(p.vn, fc)
		case "disabled":
			spec.Disabled = d.boolean(p.vn, fc)
		case "trailers":
			spec.Trailers, _ = d.trailers(p.vn, fc, false)
		case "trailer_keys":
			spec.TrailerKeys = d.patterns(p.vn, fc)
		case "message":
			spec.Message = d.patterns(p.vn, fc)
		case "subject_prefix":
			spec.SubjectPrefix = d.patterns(p.vn, fc)
		case "emails":
			spec.Emails = d.patterns(p.vn, fc)
		case "names":
			spec.Names = d.patterns(p.vn, fc)
		case "identities":
			spec.Identities = d.patterns(p.vn, fc)
		case "branches":
			spec.Branches = d.patterns(p.vn, fc)
		case "files":
			spec.Files = d.patterns(p.vn, fc)
		case "declared_values":
			spec.DeclaredValues = d.patterns(p.vn, fc)
		default:
			d.errorf(p.kn, c.tool, c.key, "unknown key %q (valid keys: %s)", p.key, toolKeys())
		}
	}
	return spec, len(d.errs) == errs
}

func findPair(ps []pair, key string) (pair, bool) {
	for _, p := range ps {
		if p.key == key {
			return p, true
		}
	}
	return pair{}, false
}

// str decodes a string scalar.
func (d *decoder) str(n *yaml.Node, c ctx) (string, bool) {
	pos := n
	if n = d.resolve(n); n == nil {
		return "", false
	}
	if isNull(n) {
		d.errorf(pos, c.tool, c.key, "no value given (remove the key or give it a value)")
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.errorf(pos, c.tool, c.key, "expected a string, got %s (quote it)", yamlmsg.Describe(n))
		return "", false
	}
	return n.Value, true
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, c ctx) bool {
	pos := n
	if n = d.resolve(n); n == nil {
		return false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.errorf(pos, c.tool, c.key, "expected true or false, got %s", yamlmsg.Describe(n))
		return false
	}
	return b
}

// list resolves a sequence node, reporting anything else.
func (d *decoder) list(n *yaml.Node, c ctx, what string) []*yaml.Node {
	pos := n
	if n = d.resolve(n); n == nil {
		return nil
	}
	if isNull(n) {
		d.errorf(pos, c.tool, c.key, "no value given (remove the key or give it a list)")
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(pos, c.tool, c.key, "expected a list of %s, got %s", what, yamlmsg.Describe(n))
		return nil
	}
	return n.Content
}

// patterns decodes a signal list: strings or {pattern, strong} mappings.
func (d *decoder) patterns(n *yaml.Node, c ctx) []Pattern {
	items := d.list(n, c, "patterns")
	out := make([]Pattern, 0, len(items))
	for i, item := range items {
		ic := c.index(i)
		pos := item
		m := d.resolve(item)
		if m == nil {
			return out
		}
		if m.Kind != yaml.MappingNode {
			if s, ok := d.str(item, ic); ok {
				out = append(out, Pattern{Pattern: s, Line: pos.Line})
			}
			continue
		}
		p := Pattern{Line: pos.Line}
		has := false
		for _, kv := range d.pairs(m, ic) {
			switch kv.key {
			case "pattern":
				has = true
				p.Pattern, _ = d.str(kv.vn, ic.sub("pattern"))
			case "strong":
				b := d.boolean(kv.vn, ic.sub("strong"))
				p.Strong = &b
			default:
				d.errorf(kv.kn, ic.tool, ic.key, "unknown key %q (valid keys: pattern, strong)", kv.key)
			}
		}
		if !has {
			d.errorf(pos, ic.tool, ic.key, "pattern is missing")
		}
		out = append(out, p)
	}
	return out
}

// trailers decodes a list of trailer signals. With keyOnly, an entry may
// also be a plain string: the key (the declared_trailers shorthand).
func (d *decoder) trailers(n *yaml.Node, c ctx, keyOnly bool) ([]TrailerSpec, bool) {
	errs := len(d.errs)
	items := d.list(n, c, "trailers")
	out := make([]TrailerSpec, 0, len(items))
	for i, item := range items {
		ic := c.index(i)
		pos := item
		m := d.resolve(item)
		if m == nil {
			return out, false
		}
		if m.Kind != yaml.MappingNode {
			if !keyOnly {
				d.errorf(pos, ic.tool, ic.key, "expected a mapping {key, value, not_value, strong}, got %s (use trailer_keys for a key alone)", yamlmsg.Describe(m))
				continue
			}
			if s, ok := d.str(item, ic); ok {
				out = append(out, TrailerSpec{Key: s, Line: pos.Line})
			}
			continue
		}
		t := TrailerSpec{Line: pos.Line}
		hasKey := false
		for _, kv := range d.pairs(m, ic) {
			kc := ic.sub(kv.key)
			switch kv.key {
			case "key":
				t.Key, _ = d.str(kv.vn, kc)
				hasKey = true
			case "value":
				t.Value, _ = d.str(kv.vn, kc)
			case "not_value":
				t.NotValue, _ = d.str(kv.vn, kc)
			case "strong":
				b := d.boolean(kv.vn, kc)
				t.Strong = &b
			case "tools_only":
				if !keyOnly {
					d.errorf(kv.kn, ic.tool, ic.key, "tools_only applies to declared_trailers only")
					continue
				}
				t.ToolsOnly = d.boolean(kv.vn, kc)
			default:
				valid := "key, value, not_value, strong"
				if keyOnly {
					valid += ", tools_only"
				}
				d.errorf(kv.kn, ic.tool, ic.key, "unknown key %q (valid keys: %s)", kv.key, valid)
			}
		}
		if !hasKey {
			d.errorf(pos, ic.tool, ic.key, "key is missing")
		}
		out = append(out, t)
	}
	return out, len(d.errs) == errs
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}
