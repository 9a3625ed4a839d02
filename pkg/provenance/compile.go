package provenance

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/pushguard/pushguard/pkg/yamlmsg"
)

// Detector is a compiled set of tool specs. It is safe for concurrent use:
// its markers are immutable, and what they find in an identity is cached
// under a lock.
type Detector struct {
	tools    []*tool // sorted by id; the declared pseudo-tool is not here
	ids      []string
	names    map[string]string
	trailers map[string][]*trailerRule // lower-case key → rules
	declared map[string][]*trailerRule // lower-case key → declared-use rules
	keys     []string                  // every key of trailers and declared, sorted

	// The message and file signals of every tool, laid out for Detect.
	messages    []messageGroup
	messageLits []lit // the distinct literals of messages' prefilters
	files       []fileSignal
	fileLitList []string // the distinct literals of files
	filesByLit  [][]int  // literal (index in fileLitList) → indexes in files
	filesAlways []int    // indexes in files of the signals without a literal
	// fileLits is the automaton of fileLitList, built once paths are
	// many (see fileAutomaton); nil when the literals are too many.
	fileLits     *multiLit
	fileLitsOnce sync.Once
	pathsSeen    atomic.Int64
	// identSignals are the emails, names and identities of every tool, by
	// tool, then kind, then signal.
	identSignals []identSignal

	idents memo[identKey, *identMatch] // what the identity markers find in an identity
}

// messageGroup is the message signals of every tool that share one
// prefilter: it is checked once per message for all of them (the shipped
// markers have five "Generated with " footers).
type messageGroup struct {
	pre  prefilter
	all  [][]int // pre.all as indexes in Detector.messageLits
	sigs []messageSignal
}

type messageSignal struct {
	tool   *tool
	re     *regex
	strong bool
}

// fileSignal is a file signal with its tool and the bytes every path it
// matches holds.
type fileSignal struct {
	tool *tool
	globSignal
	need byteSet
}

// tool is one compiled tool spec.
type tool struct {
	id             string
	name           string
	message        []reSignal
	subject        []prefixSignal
	emails         []reSignal
	names          []reSignal
	identities     []reSignal
	branches       []globSignal
	files          []globSignal
	declaredValues []*regex
}

type reSignal struct {
	re     *regex
	pre    prefilter
	strong bool
}

// match reports whether h matches, trying the prefilter first.
func (r reSignal) match(h *haystack) bool {
	return r.pre.ok(h) && r.re.MatchString(h.s)
}

type prefixSignal struct {
	prefix string
	strong bool
}

type globSignal struct {
	glob string
	// literal is a substring every match contains (a cheap prefilter);
	// empty when none could be derived.
	literal string
	strong  bool
}

// trailerRule is one trailer signal. id numbers the rules of a Detector,
// so that each gives evidence once per commit.
type trailerRule struct {
	id       int
	tool     *tool
	value    *regex
	pre      prefilter // of value
	notValue *regex
	strong   bool
	// toolsOnly: a declared-use rule that declares only when the value
	// names a known tool (TrailerSpec.ToolsOnly).
	toolsOnly bool
}

// compiled is one compiled spec with its trailer rules (keys lower-cased).
type compiled struct {
	tool     *tool
	trailers []compiledTrailer
}

type compiledTrailer struct {
	key  string
	rule *trailerRule
}

// Compile compiles tool specs in order into a Detector. A later spec with
// the same id replaces an earlier one, and a spec with disabled: true
// removes the tool. Every spec is validated, replaced ones included; all
// problems are returned together (see [SpecErrors]).
func Compile(specs []ToolSpec) (*Detector, error) {
	return CompileWith(specs, CompileOptions{})
}

// CompileOptions change how [CompileWith] compiles.
type CompileOptions struct {
	// Validated, when set, reports the specs (by index) that this build
	// has validated in full before, with every check of Compile: their
	// regular expressions are compiled on first use rather than now (most
	// are never used: their prefilter rules the text out). Should one
	// then fail to compile or match the empty string after all, matching
	// panics with an error wrapping [ErrLazyCompile] (fail closed). Every
	// other check is made now, as Compile makes it.
	Validated func(i int) bool
}

// CompileWith is [Compile] with options.
func CompileWith(specs []ToolSpec, opt CompileOptions) (*Detector, error) {
	var errs []error
	byID := make(map[string]*compiled)
	for i := range specs {
		lazy := opt.Validated != nil && opt.Validated(i)
		c, cerrs := compileTool(&specs[i], lazy)
		if len(cerrs) > 0 {
			errs = append(errs, cerrs...)
			continue
		}
		if specs[i].Disabled {
			delete(byID, specs[i].ID)
			continue
		}
		byID[specs[i].ID] = c
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	d := &Detector{
		idents:   memo[identKey, *identMatch]{gen: identCacheGen},
		names:    make(map[string]string, len(byID)),
		trailers: make(map[string][]*trailerRule),
		declared: make(map[string][]*trailerRule),
	}
	for id := range byID {
		d.ids = append(d.ids, id)
	}
	slices.Sort(d.ids)
	next := 0
	for _, id := range d.ids {
		c := byID[id]
		d.names[id] = c.tool.name
		target := d.trailers
		if id == DeclaredID {
			target = d.declared
		} else {
			d.tools = append(d.tools, c.tool)
		}
		for _, t := range c.trailers {
			t.rule.id = next
			next++
			target[t.key] = append(target[t.key], t.rule)
		}
	}
	for _, m := range []map[string][]*trailerRule{d.trailers, d.declared} {
		for k := range m {
			if !slices.Contains(d.keys, k) {
				d.keys = append(d.keys, k)
			}
		}
	}
	slices.Sort(d.keys)
	d.layOut()
	return d, nil
}

// layOut gathers the identity signals of every tool in one list, the
// message signals by prefilter and the file signals by literal (see
// identSignal, messageGroup, fileSignal). Only identity hits keep the
// tools' order (IdentityTools); for evidence the order does not matter:
// it is a set, sorted by Result.finish.
func (d *Detector) layOut() {
	for ti, tl := range d.tools {
		for _, l := range [...]struct {
			kind uint8
			list []reSignal
		}{{hitEmail, tl.emails}, {hitName, tl.names}, {hitIdentity, tl.identities}} {
			for si, s := range l.list {
				d.identSignals = append(d.identSignals, identSignal{
					identHit: identHit{tool: int32(ti), signal: int32(si), kind: l.kind, strong: s.strong},
					sig:      s,
				})
			}
		}
		for _, s := range tl.message {
			i := slices.IndexFunc(d.messages, func(g messageGroup) bool { return g.pre.same(&s.pre) })
			if i < 0 {
				i = len(d.messages)
				g := messageGroup{pre: s.pre}
				for _, alts := range s.pre.all {
					var idx []int
					for _, l := range alts {
						k := slices.IndexFunc(d.messageLits, func(x lit) bool { return sameLit(x, l) })
						if k < 0 {
							k = len(d.messageLits)
							l.b = []byte(l.s)
							d.messageLits = append(d.messageLits, l)
						}
						idx = append(idx, k)
					}
					g.all = append(g.all, idx)
				}
				d.messages = append(d.messages, g)
			}
			d.messages[i].sigs = append(d.messages[i].sigs, messageSignal{tool: tl, re: s.re, strong: s.strong})
		}
		for _, s := range tl.files {
			d.files = append(d.files, fileSignal{tool: tl, globSignal: s, need: globBytes(s.glob)})
		}
	}
	for i, s := range d.files {
		if s.literal == "" {
			d.filesAlways = append(d.filesAlways, i)
			continue
		}
		k := slices.Index(d.fileLitList, s.literal)
		if k < 0 {
			k = len(d.fileLitList)
			d.fileLitList = append(d.fileLitList, s.literal)
			d.filesByLit = append(d.filesByLit, nil)
		}
		d.filesByLit[k] = append(d.filesByLit[k], i)
	}
}

// automatonAfter is how many paths Detect matches signal by signal before
// it builds the automaton of the file signals' literals: building costs
// about as much as matching a few hundred paths, which a hook checking a
// small push never reaches.
const automatonAfter = 512

// fileAutomaton counts n more paths to match and returns the automaton of
// the file signals' literals once they reach automatonAfter, building it
// the first time; nil before, or when the literals are too many for one.
func (d *Detector) fileAutomaton(n int) *multiLit {
	if d.pathsSeen.Add(int64(n)) < automatonAfter {
		return nil
	}
	d.fileLitsOnce.Do(func() {
		if len(d.fileLitList) > 0 {
			d.fileLits = newMultiLit(d.fileLitList)
		}
	})
	return d.fileLits
}

// Tools returns the known tool ids, sorted; "declared" is among them when
// declared-use trailers are configured.
func (d *Detector) Tools() []string {
	return slices.Clone(d.ids)
}

// ToolName returns the display name of a known tool id, or the id itself.
func (d *Detector) ToolName(id string) string {
	if n, ok := d.names[id]; ok && n != "" {
		return n
	}
	return id
}

// compileTool validates and compiles one spec. Problems are reported with
// the spec's position (or the entry's, when known). lazy leaves the
// regular expressions to compile on first use (CompileOptions.Validated).
func compileTool(s *ToolSpec, lazy bool) (*compiled, []error) {
	var errs []error
	label := s.ID
	if !validID(s.ID) {
		label = ""
	}
	fail := func(line int, key, format string, args ...any) {
		if line == 0 {
			line = s.Line
		}
		errs = append(errs, &SpecError{File: s.File, Line: line, Tool: label, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case s.ID == "":
		fail(0, "id", "id is missing")
	case !validID(s.ID):
		fail(0, "id", "invalid id %s: use lower-case letters, digits and single dashes (e.g. claude-code), at most 64 characters", yamlmsg.Quote(s.ID))
	}
	if s.Disabled {
		return nil, errs
	}

	name := s.Name
	if name == "" {
		name = s.ID
	}
	t := &tool{id: s.ID, name: name}
	c := &compiled{tool: t}
	declared := s.ID == DeclaredID

	if declared {
		for _, f := range []struct {
			key string
			n   int
		}{
			{"message", len(s.Message)}, {"subject_prefix", len(s.SubjectPrefix)}, {"emails", len(s.Emails)},
			{"names", len(s.Names)}, {"identities", len(s.Identities)}, {"branches", len(s.Branches)}, {"files", len(s.Files)},
			{"declared_values", len(s.DeclaredValues)},
		} {
			if f.n > 0 {
				fail(0, f.key, "the declared pseudo-tool holds declared-use trailers only (trailers, trailer_keys)")
			}
		}
	}
	signals := len(s.Trailers) + len(s.TrailerKeys) + len(s.Message) + len(s.SubjectPrefix) +
		len(s.Emails) + len(s.Names) + len(s.Identities) + len(s.Branches) + len(s.Files) + len(s.DeclaredValues)
	if signals == 0 {
		if declared {
			fail(0, "", "no declared-use trailer keys given")
		} else {
			fail(0, "", "no signals: give at least one of trailers, trailer_keys, message, subject_prefix, emails, names, identities, branches, files, declared_values")
		}
	}

	strength := func(p *bool, def bool, line int, key string) bool {
		if p == nil {
			return def
		}
		if declared {
			fail(line, key, "strong has no meaning for declared-use trailers: a declaration always counts")
		}
		return *p
	}
	// re compiles a regular expression; emptyOK allows one matching "".
	re := func(expr string, line int, key string, emptyOK bool) *regex {
		if expr == "" {
			fail(line, key, "empty pattern")
			return nil
		}
		if lazy {
			if line == 0 {
				line = s.Line
			}
			return lazyRegex(expr, emptyOK, SpecError{File: s.File, Line: line, Tool: label, Key: key})
		}
		r, err := regexp.Compile(expr)
		if err != nil {
			fail(line, key, "invalid regular expression: %v", err)
			return nil
		}
		if !emptyOK && r.MatchString("") {
			fail(line, key, "regular expression %s matches the empty string, so it would match everything", yamlmsg.Quote(expr))
			return nil
		}
		return compiledRegex(r)
	}

	for i, tr := range s.Trailers {
		key := fmt.Sprintf("trailers[%d]", i)
		if !validTrailerKey(tr.Key) {
			fail(tr.Line, key+".key", "invalid trailer key %s: letters, digits and dashes only, without the colon", yamlmsg.Quote(tr.Key))
		}
		rule := &trailerRule{tool: t, strong: strength(tr.Strong, true, tr.Line, key+".strong"), toolsOnly: tr.ToolsOnly}
		if tr.ToolsOnly && !declared {
			fail(tr.Line, key+".tools_only", "tools_only applies to declared-use trailers only")
		}
		if tr.Value != "" {
			rule.value = re(tr.Value, tr.Line, key+".value", true)
			rule.pre = newPrefilter(tr.Value)
		}
		if tr.NotValue != "" {
			rule.notValue = re(tr.NotValue, tr.Line, key+".not_value", true)
		}
		c.trailers = append(c.trailers, compiledTrailer{key: strings.ToLower(tr.Key), rule: rule})
	}
	for i, p := range s.TrailerKeys {
		key := fmt.Sprintf("trailer_keys[%d]", i)
		if !validTrailerKey(p.Pattern) {
			fail(p.Line, key, "invalid trailer key %s: letters, digits and dashes only, without the colon", yamlmsg.Quote(p.Pattern))
		}
		rule := &trailerRule{tool: t, strong: strength(p.Strong, true, p.Line, key+".strong")}
		c.trailers = append(c.trailers, compiledTrailer{key: strings.ToLower(p.Pattern), rule: rule})
	}
	res := func(list []Pattern, field string, def bool) []reSignal {
		var out []reSignal
		for i, p := range list {
			key := fmt.Sprintf("%s[%d]", field, i)
			if r := re(p.Pattern, p.Line, key, false); r != nil {
				out = append(out, reSignal{re: r, pre: newPrefilter(p.Pattern), strong: strength(p.Strong, def, p.Line, key+".strong")})
			}
		}
		return out
	}
	t.message = res(s.Message, "message", true)
	t.emails = res(s.Emails, "emails", true)
	t.names = res(s.Names, "names", true)
	t.identities = res(s.Identities, "identities", true)
	for _, r := range res(s.DeclaredValues, "declared_values", true) {
		t.declaredValues = append(t.declaredValues, r.re)
	}
	for i, p := range s.DeclaredValues {
		if p.Strong != nil {
			fail(p.Line, fmt.Sprintf("declared_values[%d].strong", i), "strong has no meaning for declared values")
		}
	}
	for i, p := range s.SubjectPrefix {
		key := fmt.Sprintf("subject_prefix[%d]", i)
		if p.Pattern == "" {
			fail(p.Line, key, "empty prefix")
			continue
		}
		if strings.ContainsAny(p.Pattern, "\r\n") {
			fail(p.Line, key, "a subject prefix cannot span lines")
			continue
		}
		t.subject = append(t.subject, prefixSignal{prefix: p.Pattern, strong: strength(p.Strong, true, p.Line, key+".strong")})
	}
	globs := func(list []Pattern, field string, check func(string) string) []globSignal {
		var out []globSignal
		for i, p := range list {
			key := fmt.Sprintf("%s[%d]", field, i)
			switch {
			case p.Pattern == "":
				fail(p.Line, key, "empty glob")
				continue
			case !doublestar.ValidatePattern(p.Pattern):
				fail(p.Line, key, "invalid glob %s", yamlmsg.Quote(p.Pattern))
				continue
			}
			if msg := check(p.Pattern); msg != "" {
				fail(p.Line, key, "%s", msg)
				continue
			}
			out = append(out, globSignal{glob: p.Pattern, literal: globLiteral(p.Pattern), strong: strength(p.Strong, false, p.Line, key+".strong")})
		}
		return out
	}
	t.branches = globs(s.Branches, "branches", func(g string) string {
		if strings.HasPrefix(g, "refs/") {
			return fmt.Sprintf("branch globs match short branch names: write %s without refs/heads/", yamlmsg.Quote(g))
		}
		return ""
	})
	t.files = globs(s.Files, "files", func(g string) string {
		if strings.HasPrefix(g, "/") {
			return fmt.Sprintf("paths are relative to the repository root: write %s without the leading slash", yamlmsg.Quote(g))
		}
		return ""
	})
	slices.SortStableFunc(errs, func(a, b error) int {
		var x, y *SpecError
		if errors.As(a, &x) && errors.As(b, &y) {
			return x.Line - y.Line
		}
		return 0
	})
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// validID reports whether id is lower-case letters and digits in groups
// joined by single dashes, at most 64 bytes.
func validID(id string) bool {
	if id == "" || len(id) > 64 || id[0] == '-' || id[len(id)-1] == '-' || strings.Contains(id, "--") {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validTrailerKey reports whether k is a trailer key as git reads one:
// ASCII letters, digits and dashes.
func validTrailerKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isTokenByte(k[i]) {
			return false
		}
	}
	return true
}

// globLiteral returns the longest run of plain characters of a glob that
// every match must contain (cut at separators, since `**/` may match
// nothing), or "" when the glob has character classes, alternatives or
// escapes, whose text is not literal.
func globLiteral(g string) string {
	if strings.ContainsAny(g, "[{\\") {
		return ""
	}
	best := ""
	for _, part := range strings.FieldsFunc(g, func(r rune) bool { return r == '*' || r == '?' || r == '/' }) {
		if len(part) > len(best) {
			best = part
		}
	}
	return best
}

// haystack is a text to match, with its lower-case form computed on first
// use, for the case-folded prefilters (lower-case ASCII literals). Only
// ASCII letters are lowered; under (?i) RE2 also folds 's' with U+017F
// (LATIN SMALL LETTER LONG S) and 'k' with U+212A (KELVIN SIGN), the only
// non-ASCII runes that fold with ASCII ones, so those two become "s" and
// "k". Every other non-ASCII byte stays as it is and never equals a byte of
// an ASCII literal, so a text the regexp matches always contains the
// literal in this form: an emoji or an accented name no longer turns every
// prefilter off.
//
// Its byte set is also computed on first use: the prefilters check it
// first.
type haystack struct {
	s       string
	low     string
	lowered bool
	set     byteSet // of s
	folded  byteSet // a superset of the set of low
	hasSet  bool
}

// bytes returns the set of the bytes of the text, or of a superset of its
// folded form when fold is set.
func (h *haystack) bytes(fold bool) byteSet {
	if !h.hasSet {
		h.set = bytesOf(h.s)
		h.folded, h.hasSet = h.set.folded(), true
	}
	if fold {
		return h.folded
	}
	return h.set
}

func (h *haystack) lower() string {
	if !h.lowered {
		h.low, h.lowered = foldASCII(h.s), true
	}
	return h.low
}

// foldASCII lowers the ASCII letters of s and maps U+017F to "s" and
// U+212A to "k" (see haystack).
func foldASCII(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case strings.HasPrefix(s[i:], "\u017f"):
			b.WriteByte('s')
			i += len("\u017f")
			continue
		case strings.HasPrefix(s[i:], "\u212a"):
			b.WriteByte('k')
			i += len("\u212a")
			continue
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
