package ruleset

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"gopkg.in/yaml.v3"
)

// This file is the provider-context condition (content.providers): one
// matcher, driven by a table of service names and the token shapes they use,
// that finds credentials of hundreds of services without one regex each.
//
//	content:
//	  providers:
//	    credential_words: [key, token, secret, password, api, auth]
//	    password_words: [password, passwd, pwd]
//	    ignore_suffixes: [id, url, host, name, user]
//	    min_entropy: 3.3
//	    default_shapes: ['[token]{20,200}']
//	    list:
//	      - 'SendGrid | sendgrid | SG.[A-Za-z0-9._-]{60,70}'
//	      - 'New Relic | newrelic, new relic | NRAK-[A-Z0-9]{27} [hex]{40}'
//	      - 'Heroku | heroku | [uuid] HRKU-[base64url]{30,70}'
//
// A provider is one string, NAME | ALIASES | SHAPES: what findings call it;
// the words that name it in keys, separated by commas (default: the name);
// its token shapes, separated by spaces (default: default_shapes). A shape
// is an optional literal prefix, a character class in brackets (a body
// such as A-Z2-7, or a named alphabet: [hex], [alnum], [base64],
// [base64url], [token], [digits]) and a length {n} or {min,max} after the
// prefix; [uuid] alone is a UUID. One string per provider keeps the table
// readable and cheap to load: it is read on every hook run.
//
// It fires on a value assigned to a key (NAME=value, name: value,
// "name": "value", name := "value", setenv("NAME", "value"), a header
// "X-Name-Key: value", a URL query ?key=value) when:
//   - the key names a provider (an alias, or, for a URL query, the URL
//     before it: https://api.sendgrid.com/v3?api_key=…), and a credential
//     word; and its last word is not an ignored suffix (SENDGRID_KEY_ID);
//   - the value fits one of the provider's shapes (default_shapes when it
//     lists none): prefix, characters, length after the prefix;
//   - the value looks random: its entropy reaches min_entropy (scaled down
//     for short values and small alphabets), it is no placeholder (runs,
//     sequences, repetitions, lone words) and, unless the shape's characters
//     are hexadecimal, no hash or UUID.
//
// A provider name must stand as a word of the key (see standsAlone), so
// that "unity" does not fire inside COMMUNITY_TOKEN.
//
// Weaker evidence asks for a more telling value (see strength):
//   - a key whose only credential words are password_words
//     (GITLAB_ROOT_PASSWORD) holds a password a person chose, which can
//     have any shape; only a shape with a literal prefix (SG., glpat-) or a
//     UUID says the value is a token the service issued;
//   - a key that names no provider, taking the one named near it on the
//     line (token= after slack_client =), needs a shape that says more
//     than "a long random string": a prefix, a UUID or a length fixed
//     within narrowLength characters ([hex]{32}, [base64]{86,88}), not a
//     catch-all such as [token]{20,200}.
//
// The provider names are the rule's keywords: they join the Aho-Corasick
// prefilter of the whole set, so a line without any of them costs nothing
// here; a line with one is scanned once more by the condition's own
// automaton to find where the names are.

// ProvidersSpec is the content.providers condition.
type ProvidersSpec struct {
	// CredentialWords: one of these (case-insensitive) must occur in the
	// key, such as key, token, secret, password.
	CredentialWords []string `yaml:"credential_words"`
	// PasswordWords: a key whose only credential words are among these
	// (such as password, passwd, pwd) holds a password a person chose:
	// only the provider's prefixed and UUID shapes count there. Each must
	// also be one of CredentialWords.
	PasswordWords []string `yaml:"password_words"`
	// IgnoreSuffixes: a key whose last word is one of these names no
	// secret (SENDGRID_KEY_ID, STRIPE_API_URL).
	IgnoreSuffixes []string `yaml:"ignore_suffixes"`
	// MinEntropy is the Shannon entropy (bits per byte) a value must reach.
	MinEntropy float64 `yaml:"min_entropy"`
	// DefaultShapes apply to the providers that list no shapes, written
	// as in List: '[token]{20,200}'.
	DefaultShapes []string `yaml:"default_shapes"`
	// List is the provider table, one "NAME | ALIASES | SHAPES" string per
	// provider (see the top of this file).
	List []string `yaml:"list"`
}

// namedAlphabets are the named character classes of shapes ([hex]).
var namedAlphabets = map[string]string{
	"hex":       "0-9a-fA-F",
	"alnum":     "A-Za-z0-9",
	"base64":    "A-Za-z0-9+/=",
	"base64url": "A-Za-z0-9_=-",
	"token":     "A-Za-z0-9+/=_.~-",
	"digits":    "0-9",
	"uuid":      "0-9a-fA-F-",
}

// providerCond is a compiled ProvidersSpec.
type providerCond struct {
	providers []provider
	terms     []providerTerm // slot of the names automaton → term
	names     *automaton
	cred      []string // lower-cased
	password  []bool   // per cred word: it is one of password_words
	ignore    []string // lower-cased
	minH      float64
}

type provider struct {
	name   string
	shapes []shape
}

type providerTerm struct {
	text     string // lower-cased
	provider int32
}

type shape struct {
	prefix   string
	chars    *[256]bool
	hex      bool // chars are hexadecimal digits only
	uuid     bool
	min, max int
	size     int // number of characters in chars
}

// keywords returns the provider terms, for the set's keyword prefilter.
func (p *providerCond) keywords() []string {
	out := make([]string, len(p.terms))
	for i, t := range p.terms {
		out[i] = t.text
	}
	return out
}

// checkProvidersContent validates content.providers and compiles it.
func (d *decoder) checkProvidersContent(c *ContentSpec, n *yaml.Node) *providerCond {
	for _, k := range []struct {
		ptr  any
		name string
	}{{&c.Regex, "regex"}, {&c.Entropy, "entropy"}, {&c.Keywords, "keywords"}, {&c.Unicode, "unicode"}} {
		if d.has(k.ptr) {
			d.errorf(d.at(k.ptr, n), "content."+k.name, "does not apply with content.providers (the provider names are the keywords; use providers.min_entropy)")
		}
	}
	ps := c.Providers
	if ps == nil || d.bad[ps] {
		return nil
	}
	pn := d.at(ps, n)
	start := len(d.errs)
	p := &providerCond{minH: ps.MinEntropy}
	if !d.has(&ps.CredentialWords) {
		d.errorf(pn, "content.providers", `missing required key "credential_words" (such as key, token, secret, password)`)
	}
	p.cred = d.words(ps.CredentialWords, &ps.CredentialWords, "content.providers.credential_words", pn)
	p.password = make([]bool, len(p.cred))
	if d.has(&ps.PasswordWords) {
		for i, w := range d.words(ps.PasswordWords, &ps.PasswordWords, "content.providers.password_words", pn) {
			found := false
			for j, c := range p.cred {
				if c == w {
					p.password[j], found = true, true
				}
			}
			if !found {
				d.errorf(d.at(&ps.PasswordWords[i], pn), fmt.Sprintf("content.providers.password_words[%d]", i), "%s is not one of credential_words", yamlmsg.Quote(w))
			}
		}
	}
	p.ignore = d.words(ps.IgnoreSuffixes, &ps.IgnoreSuffixes, "content.providers.ignore_suffixes", pn)
	switch {
	case !d.has(&ps.MinEntropy):
		d.errorf(pn, "content.providers", `missing required key "min_entropy" (bits per byte, such as 3.3)`)
	case d.bad[&ps.MinEntropy]:
	case ps.MinEntropy <= 0 || ps.MinEntropy > 8:
		d.errorf(d.at(&ps.MinEntropy, pn), "content.providers.min_entropy", "must be above 0 and at most 8, got %g", ps.MinEntropy)
	}
	if !d.has(&ps.DefaultShapes) || d.emptyList(&ps.DefaultShapes) {
		d.errorf(pn, "content.providers", `missing required key "default_shapes" (the token formats of providers that list none)`)
	}
	var defaults []shape
	for i, text := range ps.DefaultShapes {
		if d.bad[&ps.DefaultShapes[i]] {
			continue
		}
		sh, msg := parseShape(text)
		if msg != "" {
			d.errorf(d.at(&ps.DefaultShapes[i], pn), fmt.Sprintf("content.providers.default_shapes[%d]", i), "%s: %s", yamlmsg.Quote(text), msg)
			continue
		}
		defaults = append(defaults, sh)
	}
	if !d.has(&ps.List) || d.emptyList(&ps.List) {
		d.errorf(pn, "content.providers", `missing required key "list" (the provider table)`)
	}
	seen := make(map[string]string) // term → provider that has it
	for i, text := range ps.List {
		if d.bad[&ps.List[i]] {
			continue
		}
		key := fmt.Sprintf("content.providers.list[%d]", i)
		en := d.at(&ps.List[i], pn)
		pr, aliases, msg := parseProvider(text, defaults)
		if msg != "" {
			d.errorf(en, key, "%s: %s", yamlmsg.Quote(text), msg)
			continue
		}
		idx := int32(len(p.providers))
		for _, a := range aliases {
			terms, msg := aliasTerms(a)
			if msg != "" {
				d.errorf(en, key, "alias %s: %s", yamlmsg.Quote(a), msg)
				continue
			}
			for _, t := range terms {
				if prev, dup := seen[t]; dup {
					if prev != pr.name {
						d.errorf(en, key, "alias %s already names %s: an alias must name one provider", yamlmsg.Quote(t), prev)
					}
					continue
				}
				seen[t] = pr.name
				p.terms = append(p.terms, providerTerm{text: t, provider: idx})
			}
		}
		p.providers = append(p.providers, pr)
	}
	if len(d.errs) > start {
		return nil
	}
	kws := make([]keyword, len(p.terms))
	for i, t := range p.terms {
		kws[i] = keyword{text: t.text, slot: int32(i)}
	}
	p.names = newAutomaton(kws)
	return p
}

// aliasTerms returns the lower-cased terms an alias matches, or a problem.
func aliasTerms(a string) ([]string, string) {
	a = lowerASCIIString(strings.TrimSpace(a))
	if a == "" {
		return nil, "empty alias"
	}
	words := strings.Fields(a)
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			b := w[i]
			if !('a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '_' || b == '-' || b == '.') {
				return nil, "use letters, digits, '_', '-', '.' and spaces between words"
			}
		}
	}
	if len(words) == 1 {
		if len(a) < 2 {
			return nil, "too short: an alias needs 2 characters or more"
		}
		return []string{a}, ""
	}
	var out []string
	for _, sep := range []string{"", "_", "-", "."} {
		out = append(out, strings.Join(words, sep))
	}
	return out, ""
}

// parseProvider reads one "NAME | ALIASES | SHAPES" entry; it returns the
// provider, its aliases, or a problem.
func parseProvider(text string, defaults []shape) (provider, []string, string) {
	parts := strings.Split(text, "|")
	if len(parts) > 3 {
		return provider{}, nil, "write NAME | ALIASES | SHAPES (two '|' at most)"
	}
	pr := provider{name: strings.TrimSpace(parts[0]), shapes: defaults}
	if pr.name == "" {
		return provider{}, nil, "no name before the first '|'"
	}
	aliases := []string{pr.name}
	if len(parts) > 1 {
		var list []string
		for _, a := range strings.Split(parts[1], ",") {
			if a = strings.TrimSpace(a); a != "" {
				list = append(list, a)
			}
		}
		if len(list) > 0 {
			aliases = list
		}
	}
	if len(parts) > 2 && strings.TrimSpace(parts[2]) != "" {
		pr.shapes = nil
		for _, f := range strings.Fields(parts[2]) {
			sh, msg := parseShape(f)
			if msg != "" {
				return provider{}, nil, fmt.Sprintf("shape %q: %s", f, msg)
			}
			pr.shapes = append(pr.shapes, sh)
		}
	}
	return pr, aliases, ""
}

// parseShape reads one shape: PREFIX[CLASS]{MIN,MAX}, PREFIX[CLASS]{N} or
// PREFIX[uuid].
func parseShape(f string) (shape, string) {
	open := strings.IndexByte(f, '[')
	if open < 0 {
		return shape{}, "no character class: write PREFIX[CLASS]{MIN,MAX}, such as SG.[base64url]{60,70}"
	}
	closing := strings.IndexByte(f[open:], ']')
	if closing < 0 {
		return shape{}, "unclosed '['"
	}
	closing += open
	sh := shape{prefix: f[:open]}
	class := f[open+1 : closing]
	rest := f[closing+1:]
	if class == "uuid" {
		if rest != "" {
			return shape{}, "[uuid] takes no length"
		}
		sh.uuid = true
		sh.min, sh.max = 36, 36
	} else {
		var err error
		if sh.min, sh.max, err = parseCount(rest); err != nil {
			return shape{}, err.Error()
		}
	}
	if named, ok := namedAlphabets[class]; ok {
		class = named
	}
	set, msg := parseClass(class)
	if msg != "" {
		return shape{}, msg
	}
	sh.chars, sh.hex = set, true
	for b, ok := range set {
		if ok {
			sh.size++
			if !isHexDigit(byte(b)) {
				sh.hex = false
			}
		}
	}
	switch {
	case sh.uuid:
	case sh.min < 8:
		return shape{}, fmt.Sprintf("at least 8 characters (shorter values cannot be told from words), got %d", sh.min)
	case sh.max < sh.min || sh.max > 4096:
		return shape{}, fmt.Sprintf("the maximum must be between the minimum (%d) and 4096, got %d", sh.min, sh.max)
	}
	return sh, ""
}

// parseCount reads {N} or {MIN,MAX}.
func parseCount(s string) (lo, hi int, err error) {
	if len(s) < 3 || s[0] != '{' || s[len(s)-1] != '}' {
		return 0, 0, fmt.Errorf("no length: end the shape with {N} or {MIN,MAX}")
	}
	body := s[1 : len(s)-1]
	a, b, two := strings.Cut(body, ",")
	lo, err1 := strconv.Atoi(a)
	hi = lo
	var err2 error
	if two {
		hi, err2 = strconv.Atoi(b)
	}
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("length %q: write {N} or {MIN,MAX} with whole numbers", s)
	}
	return lo, hi, nil
}

// parseClass compiles the body of a character class: single characters and
// ranges a-z of printable ASCII; a '-' first or last is literal, "\-" too.
func parseClass(s string) (*[256]bool, string) {
	if s == "" {
		return nil, "empty character class"
	}
	var set [256]bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
		} else if i+2 < len(s) && s[i+1] == '-' {
			hi := s[i+2]
			if hi < c {
				return nil, fmt.Sprintf("range %c-%c is reversed", c, hi)
			}
			for b := int(c); b <= int(hi); b++ {
				set[b] = true
			}
			i += 2
			continue
		}
		set[c] = true
	}
	for b, ok := range set {
		if ok && (b <= ' ' || b >= 0x7f || b == '"' || b == '\'' || b == '`') {
			return nil, "only printable ASCII without spaces or quotes"
		}
	}
	return &set, ""
}

func isHexDigit(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

func isLetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// isKeyByte reports whether b may be part of a key: letters, digits, '_',
// '-', '.'.
func isKeyByte(b byte) bool {
	return isLetter(b) || isDigit(b) || b == '_' || b == '-' || b == '.'
}

// nameHit is one occurrence of a provider term in a line.
type nameHit struct {
	start, end int
	term       int32
}

// each calls fn for every value in line that the condition accepts, with
// the detail naming the provider. When why is not nil and nothing is
// found, it says why the last candidate was rejected. names, when not nil,
// is a DFA table of p.names for finding the names in line (a LineMatcher's:
// much faster than walking the trie on every byte).
func (p *providerCond) each(line, path []byte, why *string, names *dfaTable, fn func(start, end int, detail string)) {
	var stack [8]nameHit
	hits := stack[:0]
	onName := func(end int, slot int32) {
		t := p.terms[slot].text
		start := end - len(t)
		if !p.standsAlone(line, start, end) {
			return
		}
		hits = append(hits, nameHit{start: start, end: end, term: slot})
	}
	if names != nil {
		p.names.eachDFA(line, names, onName)
	} else {
		p.names.each(line, onName)
	}
	// The innermost provider the configuration path names, if any.
	pathProv := -1
	if len(path) > 0 {
		// The term that ends last wins; of those ending together, the
		// longest (azure_openai, not openai).
		lastEnd, lastLen := -1, 0
		p.names.each(path, func(end int, slot int32) {
			t := p.terms[slot].text
			if p.standsAlone(path, end-len(t), end) && (end > lastEnd || (end == lastEnd && len(t) > lastLen)) {
				pathProv, lastEnd, lastLen = int(p.terms[slot].provider), end, len(t)
			}
		})
	}
	if len(hits) == 0 && pathProv < 0 {
		explain(why, "no provider name stands as a word of the line")
		return
	}
	found := false
	for i := 0; i < len(line); i++ {
		sepEnd := separatorAt(line, i)
		if sepEnd < 0 {
			continue
		}
		ks, ke := keyBefore(line, i)
		if ks == ke {
			continue
		}
		vs, ve := valueAfter(line, sepEnd)
		if vs == ve {
			continue
		}
		if ke-ks == 5 && indexFold(line[ks:ke], "value") == 0 {
			// <add key="SendGridApiKey" value="…"/>: the key is the
			// key (or name) attribute before.
			if as, ae := attrBefore(line, ks); as < ae {
				ks, ke = as, ae
			}
		}
		cs := ks
		if ks > 0 && (line[ks-1] == '?' || line[ks-1] == '&' || line[ks-1] == ';') {
			cs = urlStart(line, ks-1) // a query parameter: the URL names the provider
		}
		prov := p.providerIn(hits, cs, ke)
		need := anyShape
		if prov < 0 {
			// A key that names no provider (token=, Authorization:) takes
			// one named close by on the line: WebClient(token="…") after
			// slack_client =, //registry.npmjs.org/:_authToken=….
			prov, need = p.providerNear(hits, ks, ve), specificShape
		}
		inPath := false
		if prov < 0 && pathProv >= 0 && ks == indexNonSpace(line) {
			// A key that starts its line takes the provider its
			// configuration path names (sendgrid:\n  api_key: …).
			prov, inPath, need = pathProv, true, anyShape
		}
		if prov < 0 {
			continue
		}
		key := line[ks:ke]
		ok, passwordOnly := p.credentialKey(key, why)
		if !ok {
			continue
		}
		if passwordOnly {
			need = issuedShape
		}
		value := line[vs:ve]
		if !p.fits(&p.providers[prov], value, need, why) {
			continue
		}
		name := string(key)
		if inPath {
			name = string(path) + "." + name
		}
		if len(name) > 128 {
			name = "…" + textsafe.Suffix(name, 127)
		}
		fn(vs, ve, fmt.Sprintf("%s credential assigned to %s", p.providers[prov].name, name))
		found = true
		i = ve - 1
	}
	if !found && pathProv >= 0 {
		p.bareValue(line, path, why, fn)
	}
}

// bareValue calls fn for a line that holds nothing but a value, under a
// configuration path whose last key names a provider and a credential word:
// the text of an XML element written on its own line
// (<merakiApiKey>\n  value\n</merakiApiKey>), an item of a YAML list
// (meraki_api_keys:\n  - value).
func (p *providerCond) bareValue(line, path []byte, why *string, fn func(start, end int, detail string)) {
	vs := indexNonSpace(line)
	ve := len(line)
	for ve > vs && (line[ve-1] == ' ' || line[ve-1] == '\t' || line[ve-1] == '\r') {
		ve--
	}
	if ve > vs && line[ve-1] == ',' {
		ve--
	}
	if ve > vs && (line[ve-1] == '"' || line[ve-1] == '\'') {
		ve--
	}
	if vs >= ve {
		return
	}
	for _, b := range line[vs:ve] {
		if b <= ' ' || b >= 0x7f || strings.IndexByte("\"'`,;()[]{}<>&\\", b) >= 0 {
			return // not one bare value
		}
	}
	key := path[bytes.LastIndexByte(path, '.')+1:]
	prov := -1
	p.names.each(key, func(end int, slot int32) {
		if p.standsAlone(key, end-len(p.terms[slot].text), end) {
			prov = int(p.terms[slot].provider)
		}
	})
	if prov < 0 {
		explain(why, "the line holds only a value, and the last key of its path names no provider")
		return
	}
	ok, passwordOnly := p.credentialKey(key, why)
	if !ok {
		return
	}
	need := anyShape
	if passwordOnly {
		need = issuedShape
	}
	if !p.fits(&p.providers[prov], line[vs:ve], need, why) {
		return
	}
	name := string(path)
	if len(name) > 128 {
		name = "…" + textsafe.Suffix(name, 127)
	}
	fn(vs, ve, fmt.Sprintf("%s credential assigned to %s", p.providers[prov].name, name))
}

// explainNoMatch says why the condition finds nothing in line.
func (p *providerCond) explainNoMatch(line []byte) string {
	why := "no key naming a provider and a credential word is assigned a value"
	p.each(line, nil, &why, nil, func(int, int, string) {})
	return why
}

// indexNonSpace returns the offset of the first byte of line that is not a
// space or tab (skipping a YAML list dash "- "), or len(line).
func indexNonSpace(line []byte) int {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i+1 < len(line) && line[i] == '-' && line[i+1] == ' ' {
		i += 2
		for i < len(line) && line[i] == ' ' {
			i++
		}
	}
	if i < len(line) && (line[i] == '"' || line[i] == '\'') {
		i++
	}
	return i
}

// nearBytes is how far from a key a provider name on the same line may be
// to count for it.
const nearBytes = 80

// providerNear returns the provider of the nearest term that ends at most
// nearBytes before the key starts or starts at most nearBytes after the
// value ends, or -1.
func (p *providerCond) providerNear(hits []nameHit, keyStart, valueEnd int) int {
	best, dist := -1, nearBytes+1
	for _, h := range hits {
		d := -1
		switch {
		case h.end <= keyStart:
			d = keyStart - h.end
		case h.start >= valueEnd:
			d = h.start - valueEnd
		}
		if d >= 0 && d < dist {
			best, dist = int(p.terms[h.term].provider), d
		}
	}
	return best
}

// attrBefore returns the value of the last key="…" or name="…" attribute
// before offset end of line, or (0, 0).
func attrBefore(line []byte, end int) (int, int) {
	best := -1
	for _, attr := range []string{`key="`, `name="`, `key='`, `name='`} {
		for off := 0; off < end; {
			i := indexFold(line[off:end], attr)
			if i < 0 {
				break
			}
			if v := off + i + len(attr); v > best {
				best = v
			}
			off += i + 1
		}
	}
	if best < 0 {
		return 0, 0
	}
	q := line[best-1]
	j := best
	for j < end && line[j] != q {
		j++
	}
	return best, j
}

// providerIn returns the provider of the longest term found within
// line[from:to], or -1.
func (p *providerCond) providerIn(hits []nameHit, from, to int) int {
	best, bestLen := -1, 0
	for _, h := range hits {
		if h.start >= from && h.end <= to && h.end-h.start > bestLen {
			best, bestLen = int(p.terms[h.term].provider), h.end-h.start
		}
	}
	return best
}

// credentialKey reports whether key holds a credential word and does not
// end in an ignored suffix, and whether all its credential words are
// password words.
func (p *providerCond) credentialKey(key []byte, why *string) (ok, passwordOnly bool) {
	found, other := false, false
	for i, w := range p.cred {
		if indexFold(key, w) >= 0 {
			found = true
			if !p.password[i] {
				other = true
				break
			}
		}
	}
	if !found {
		explain(why, "key %s holds no credential word", yamlmsg.Quote(string(key)))
		return false, false
	}
	last := lastWord(key)
	for _, s := range p.ignore {
		if len(last) == len(s) && indexFold(last, s) == 0 {
			explain(why, "key %s ends in %q, which names no secret", yamlmsg.Quote(string(key)), s)
			return false, false
		}
	}
	return true, !other
}

// lastWord returns the last word of a key: after the last '_', '-', '.',
// or the last camelCase hump.
func lastWord(key []byte) []byte {
	i := len(key)
	for i > 0 && !(key[i-1] == '_' || key[i-1] == '-' || key[i-1] == '.') {
		i--
		if i > 0 && 'A' <= key[i] && key[i] <= 'Z' && 'a' <= key[i-1] && key[i-1] <= 'z' {
			break
		}
	}
	return key[i:]
}

// strength is how telling a shape must be for the evidence at hand.
type strength int

const (
	// anyShape: the key names the provider (or its configuration path
	// does) and a credential word other than a password word.
	anyShape strength = iota
	// specificShape: the provider is named near the key, not in it; the
	// shape needs a prefix, a UUID or a length fixed within narrowLength.
	specificShape
	// issuedShape: the key names only a password; the shape needs a
	// prefix or a UUID, which no chosen password has.
	issuedShape
)

// narrowLength is the widest length range ({min,max}) of a shape that
// counts as specific.
const narrowLength = 8

// telling reports whether s is telling enough for need.
func (s *shape) telling(need strength) bool {
	switch need {
	case specificShape:
		return s.prefix != "" || s.uuid || s.max-s.min <= narrowLength
	case issuedShape:
		return s.prefix != "" || s.uuid
	}
	return true
}

// fits reports whether value has one of the provider's shapes telling
// enough for need and looks random.
func (p *providerCond) fits(pr *provider, value []byte, need strength, why *string) bool {
	tried := false
	for i := range pr.shapes {
		if !pr.shapes[i].telling(need) {
			continue
		}
		tried = true
		if p.fitsShape(&pr.shapes[i], value, why) {
			return true
		}
	}
	if !tried {
		switch need {
		case specificShape:
			explain(why, "%s is named near the key, not in it, and has no shape specific enough (a prefix, a UUID or a fixed length)", pr.name)
		case issuedShape:
			explain(why, "the key names a password, and %s has no shape that a chosen password cannot have (a prefix or a UUID)", pr.name)
		}
	}
	return false
}

func (p *providerCond) fitsShape(s *shape, value []byte, why *string) bool {
	q := yamlmsg.Quote(string(value))
	if len(value) < len(s.prefix) || string(value[:len(s.prefix)]) != s.prefix {
		explain(why, "value %s does not start with %q", q, s.prefix)
		return false
	}
	body := value[len(s.prefix):]
	if len(body) < s.min || len(body) > s.max {
		explain(why, "value %s has %d characters after the prefix; the shape has %d to %d", q, len(body), s.min, s.max)
		return false
	}
	for _, b := range body {
		if !s.chars[b] {
			explain(why, "value %s has %q, which the shape's characters exclude", q, b)
			return false
		}
	}
	if s.uuid && !isUUID(body) {
		explain(why, "value %s is not a UUID", q)
		return false
	}
	if !s.hex && !s.uuid && (isUUID(body) || allHex(body)) {
		explain(why, "value %s looks like a hash or UUID, which this provider's tokens are not", q)
		return false
	}
	if msg := placeholder(body); msg != "" {
		explain(why, "value %s %s", q, msg)
		return false
	}
	minH := p.minH
	// Short values and small alphabets cannot reach high entropy: ask for
	// 85% of what a random value of that length could reach.
	if limit := 0.85 * math.Log2(float64(min(len(body), s.size))); limit < minH {
		minH = limit
	}
	if s.uuid {
		minH = min(minH, 3.0)
	}
	if s.hex { // 16 symbols: short random hex values vary a lot
		minH = min(minH, 0.75*math.Log2(float64(min(len(body), 16))))
	}
	if h := Entropy(body); h < minH {
		explain(why, "value %s: entropy %.2f is below %.2f", q, h, minH)
		return false
	}
	return true
}

// placeholder returns why a value looks like a placeholder, or "".
func placeholder(v []byte) string {
	run, asc, desc := 1, 1, 1
	digits, lower, upper := 0, 0, 0
	for i, b := range v {
		switch {
		case isDigit(b):
			digits++
		case 'a' <= b && b <= 'z':
			lower++
		case 'A' <= b && b <= 'Z':
			upper++
		}
		if i == 0 {
			continue
		}
		prev := lowerASCII(v[i-1])
		cur := lowerASCII(b)
		// Runs of 'A' are base64 zero bytes in real tokens (Dropbox,
		// Twitter bearer tokens): they count only in values with few
		// distinct characters.
		run = step(run, cur == prev && (b != 'A' || distinct(v) < 16))
		asc = step(asc, cur == prev+1 && (isLetter(b) || isDigit(b)))
		desc = step(desc, cur+1 == prev && (isLetter(b) || isDigit(b)))
		if run >= 5 {
			return "has a run of one character (a placeholder such as xxxxx)"
		}
		if asc >= 6 || desc >= 6 {
			return "has a sequence such as abcdef or 123456 (a placeholder)"
		}
	}
	for period := 1; period <= 16 && 2*period < len(v); period++ {
		same := true
		for i := period; i < len(v); i++ {
			if lowerASCII(v[i]) != lowerASCII(v[i-period]) {
				same = false
				break
			}
		}
		if same {
			return "repeats a short pattern"
		}
	}
	if digits == 0 {
		words := 1
		for _, b := range v {
			if b == '_' || b == '-' || b == '.' || b == '/' {
				words++
			}
		}
		if words > 1 || lower == 0 || upper == 0 || camelWords(v) {
			return "is letters only, in words or in one case (a name, not a token)"
		}
	}
	return ""
}

// camelWords reports whether v is a CamelCase identifier: words of an
// optional run of capitals and then two or more small letters
// (CredentialsStsAssumeRole, HTTPServerName, userAgentFeature).
func camelWords(v []byte) bool {
	i := 0
	for i < len(v) {
		j := i
		for j < len(v) && isUpper(v[j]) {
			j++
		}
		k := j
		for k < len(v) && isLower(v[k]) {
			k++
		}
		if k-j < 2 {
			return false
		}
		i = k
	}
	return len(v) > 0
}

// distinct returns how many different bytes v has.
func distinct(v []byte) int {
	var seen [256]bool
	n := 0
	for _, b := range v {
		if !seen[b] {
			seen[b] = true
			n++
		}
	}
	return n
}

func step(n int, cont bool) int {
	if cont {
		return n + 1
	}
	return 1
}

// isUUID reports whether v is 8-4-4-4-12 hexadecimal digits.
func isUUID(v []byte) bool {
	if len(v) != 36 {
		return false
	}
	for i, b := range v {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if b != '-' {
				return false
			}
		} else if !isHexDigit(b) {
			return false
		}
	}
	return true
}

// allHex reports whether v is 16 or more hexadecimal digits (a hash).
func allHex(v []byte) bool {
	if len(v) < 16 {
		return false
	}
	for _, b := range v {
		if !isHexDigit(b) {
			return false
		}
	}
	return true
}

// standsAlone reports whether the term at line[start:end] stands as a word
// of its key. On the left it must not be glued to a letter, except at a
// camelCase hump (myOkta). On the right likewise (oktaToken), or it may run
// straight into a credential word (SENDGRIDAPIKEY, oktatoken). A term that
// starts or ends with a non-letter ("box_") is its own boundary there.
func (p *providerCond) standsAlone(line []byte, start, end int) bool {
	if start > 0 && isLetter(line[start-1]) && isLetter(line[start]) &&
		!(isUpper(line[start]) && isLower(line[start-1])) {
		return false
	}
	if end < len(line) && isLetter(line[end]) && isLetter(line[end-1]) &&
		!(isUpper(line[end]) && isLower(line[end-1])) {
		rest := line[end:min(len(line), end+16)]
		for _, w := range p.cred {
			if indexFold(rest, w) == 0 {
				return true
			}
		}
		return false
	}
	return true
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }
func isLower(b byte) bool { return 'a' <= b && b <= 'z' }

// separatorAt returns the end of an assignment separator at line[i] (=, :,
// :=, ::=, :::=, =>, ?=, += (Make), .= (PHP), the > that closes an XML start
// tag <name>, or a ',' after a quoted key), or -1.
func separatorAt(line []byte, i int) int {
	next := func(k int) byte {
		if k < len(line) {
			return line[k]
		}
		return 0
	}
	switch line[i] {
	case '=':
		if next(i+1) == '=' || (i > 0 && strings.IndexByte("=!<>?+.", line[i-1]) >= 0) {
			return -1 // ==, !=, <=, >=; ?=, +=, .= end at their first byte
		}
		if next(i+1) == '>' {
			return i + 2
		}
		return i + 1
	case '?', '+', '.':
		if next(i+1) == '=' && next(i+2) != '=' {
			return i + 2
		}
	case ':':
		if i > 0 && line[i-1] == ':' {
			return -1
		}
		k := i
		for k < len(line) && line[k] == ':' {
			k++
		}
		if next(k) == '=' && k-i <= 3 {
			return k + 1 // :=, ::=, :::=
		}
		if k > i+1 || (next(i+1) == '/' && next(i+2) == '/') {
			return -1
		}
		return i + 1
	case '>':
		// <name>value: the element's name is the key.
		j := i
		for j > 0 && isKeyByte(line[j-1]) && i-j < 128 {
			j--
		}
		if j < i && j > 0 && line[j-1] == '<' {
			return i + 1
		}
	case ',':
		j := i - 1
		for j >= 0 && (line[j] == ' ' || line[j] == '\t') {
			j--
		}
		if j >= 0 && (line[j] == '"' || line[j] == '\'') {
			return i + 1
		}
	}
	return -1
}

// keyBefore returns the key that ends before the separator at i: spaces, a
// closing quote and a closing bracket are skipped (os.environ["K"] = …).
// A type annotation between key and separator is skipped too: Go's
// var k string =, TypeScript's and Kotlin's k: string =, Python's k: str =.
func keyBefore(line []byte, i int) (start, end int) {
	j := skipBack(line, i, " \t")
	if j > 0 && line[j-1] == ']' {
		j--
	}
	if j > 0 && (line[j-1] == '"' || line[j-1] == '\'' || line[j-1] == '`') {
		j--
		if j > 0 && line[j-1] == '\\' { // an escaped quote, in a JSON string
			j--
		}
	}
	if ks, ke, ok := typedKey(line, j); ok {
		return ks, ke
	}
	end = j
	for j > 0 && isKeyByte(line[j-1]) && end-j < 128 {
		j--
	}
	return j, end
}

// typeNames are the type names typedKey skips: the string types of Go,
// TypeScript, Kotlin, Swift and Python. A fixed list, so that a key in a
// value (args: token=…) is never taken for a type.
var typeNames = []string{"string", "String", "str", "SecretStr"}

// typedKey returns the key of a typed declaration whose type name ends at
// end: "k: string", "k: String?" or "k string" (Go), or ok false.
func typedKey(line []byte, end int) (start, keyEnd int, ok bool) {
	t := end
	if t > 0 && line[t-1] == '?' {
		t-- // Kotlin's and Swift's nullable String?
	}
	ts := t
	for ts > 0 && isKeyByte(line[ts-1]) {
		ts--
	}
	word := string(line[ts:t])
	if !slices.Contains(typeNames, word) {
		return 0, 0, false
	}
	j := skipBack(line, ts, " \t")
	colon := j > 0 && line[j-1] == ':' && !(j > 1 && line[j-2] == ':')
	if colon {
		j = skipBack(line, j-1, " \t")
	} else if j == ts || t != end {
		return 0, 0, false // Go puts a space, never a '?', between key and type
	}
	ke := j
	for j > 0 && isKeyByte(line[j-1]) && ke-j < 128 {
		j--
	}
	if j == ke {
		return 0, 0, false
	}
	return j, ke, true
}

// skipBack returns the offset before the run of bytes of set that ends at i.
func skipBack(line []byte, i int, set string) int {
	for i > 0 && strings.IndexByte(set, line[i-1]) >= 0 {
		i--
	}
	return i
}

// valueAfter returns the value that starts after a separator ending at i:
// spaces, an opening quote and an auth scheme (Bearer, Basic, token) are
// skipped; the value ends at a space, a quote or a delimiter.
func valueAfter(line []byte, i int) (start, end int) {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i+1 < len(line) && line[i] == '\\' && (line[i+1] == '"' || line[i+1] == '\'') {
		i++ // an escaped quote, in a JSON string
	}
	if i < len(line) && (line[i] == '"' || line[i] == '\'' || line[i] == '`') {
		i++
	}
	for _, scheme := range []string{"bearer ", "basic ", "token "} {
		if indexFold(line[i:min(len(line), i+len(scheme))], scheme) == 0 {
			i += len(scheme)
			break
		}
	}
	j := i
	for j < len(line) && line[j] > ' ' && line[j] < 0x7f && strings.IndexByte("\"'`,;)]}>&<\\", line[j]) < 0 {
		j++
	}
	return i, j
}

// urlStart returns where the URL (or word) holding line[i] starts.
func urlStart(line []byte, i int) int {
	for i > 0 && line[i-1] > ' ' && line[i-1] != '"' && line[i-1] != '\'' && line[i-1] != '`' && line[i-1] != '(' {
		i--
	}
	return i
}
