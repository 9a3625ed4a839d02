package provenance

import (
	"bytes"
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/pushguard/pushguard/pkg/trailers"
)

// Evidence kinds.
const (
	KindTrailer  = "trailer"
	KindMessage  = "message"
	KindIdentity = "identity"
	KindDeclared = "declared"
	KindBranch   = "branch"
	KindFile     = "file"
)

// MaxEvidenceText is the most bytes of pushed text an Evidence carries.
const MaxEvidenceText = 200

// maxDeclared bounds the declared values (and declared evidence) kept per
// commit: a message can hold any number of trailer lines.
const maxDeclared = 32

// Input is what Detect reads of one commit (or annotated tag).
type Input struct {
	Message        string
	AuthorName     string
	AuthorEmail    string
	CommitterName  string
	CommitterEmail string
	// Refs are the full ref names the commit is pushed on; only branches
	// (refs/heads/...) give branch signals.
	Refs []string
	// Paths are the paths the commit adds or modifies, slash-separated,
	// relative to the repository root.
	Paths []string
}

// Evidence is one signal found in a commit.
type Evidence struct {
	// Kind is trailer, message, identity, declared, branch or file.
	Kind string
	// Tool is the canonical id the signal points at ("declared" for a
	// declaration naming no known tool).
	Tool string
	// Text is what matched, as pushed (not escaped), cut to
	// MaxEvidenceText bytes: the trailer ("Key: value"), the message
	// line(s) holding the match, the subject line, "Name <email>", the
	// short branch name or the path.
	Text string
	// Strong tells whether the signal is enough on its own to classify the
	// commit as AI-assisted (see the package documentation).
	Strong bool
}

// Result is the provenance of one commit.
type Result struct {
	// Detected is true when strong evidence or a declaration was found.
	Detected bool
	// Tools are the tools with strong evidence or a declaration, sorted,
	// without duplicates. "declared" is among them only when a declaration
	// names no known tool and no tool was found otherwise.
	Tools []string
	// Suspected are the tools with only weak evidence (agent branch, agent
	// file), sorted; they are not in Tools.
	Suspected []string
	// Evidence is every signal found: strong before weak, then by kind
	// (trailer, message, identity, declared, branch, file), tool and text.
	// Each signal entry of a spec gives at most one piece of evidence.
	Evidence []Evidence
	// Declared is true when a declared-use trailer is present.
	Declared bool
	// DeclaredValues are the values of the declared-use trailers, in
	// message order, without duplicates, each cut to MaxEvidenceText bytes
	// (at most 32).
	DeclaredValues []string
	// AuthorTools are the tools whose identity markers match the author
	// (not the committer): the author is an agent or a bot account.
	AuthorTools []string
	// AgentTrailers are the trailers, of any key, whose value is an
	// identity a tool's identity markers match, in message order (at most
	// 32). Policies use them for "no agent Signed-off-by" and "a human
	// Reviewed-by".
	AgentTrailers []AgentTrailer
}

// Detect classifies one commit. It never fails: malformed input simply
// matches nothing.
func (d *Detector) Detect(in Input) Result {
	var res Result
	var seen []int // trailer rules that gave evidence
	for _, t := range d.messageTrailers(in.Message) {
		if t.Value == "" {
			continue
		}
		if !t.inline {
			d.agentTrailer(&res, t.Key, t.Value)
		}
		key := strings.ToLower(t.Key)
		value := haystack{s: t.Value}
		var named []string // tools whose trailer signals match this trailer
		for _, r := range d.trailers[key] {
			if !r.accepts(&value) {
				continue
			}
			if r.strong && !slices.Contains(named, r.tool.id) {
				named = append(named, r.tool.id)
			}
			if slices.Contains(seen, r.id) {
				continue
			}
			seen = append(seen, r.id)
			res.add(KindTrailer, r.tool.id, trailerText(t.Trailer), r.strong)
		}
		if rules := d.declared[key]; len(rules) > 0 && (!t.inline || len(named) > 0) {
			d.declare(&res, t.Trailer, &value, rules, named)
		}
	}

	subject, _, _ := strings.Cut(in.Message, "\n")
	subject = strings.TrimSuffix(subject, "\r")
	msg := haystack{s: in.Message}
	// What the identity markers find in the author and the committer:
	// each signal gives evidence for the first of them it matches.
	author := d.matchIdentity(in.AuthorName, in.AuthorEmail)
	committer := d.matchIdentity(in.CommitterName, in.CommitterEmail)
	if author != nil {
		authorText := identity(strings.TrimSpace(in.AuthorName), strings.TrimSpace(in.AuthorEmail))
		for _, h := range author.hits {
			res.add(KindIdentity, d.tools[h.tool].id, authorText, h.strong)
		}
	}
	if committer != nil {
		committerText := identity(strings.TrimSpace(in.CommitterName), strings.TrimSpace(in.CommitterEmail))
		for _, h := range committer.hits {
			if !author.has(h) {
				res.add(KindIdentity, d.tools[h.tool].id, committerText, h.strong)
			}
		}
	}
	var branches []string
	for _, ref := range in.Refs {
		if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok && b != "" {
			branches = append(branches, b)
		}
	}

	d.detectMessage(&res, &msg)
	for _, tl := range d.tools {
		for _, s := range tl.subject {
			if strings.HasPrefix(subject, s.prefix) {
				res.add(KindMessage, tl.id, subject, s.strong)
			}
		}
		for _, s := range tl.branches {
			for _, b := range branches {
				if doublestar.MatchUnvalidated(s.glob, b) {
					res.add(KindBranch, tl.id, b, s.strong)
					break
				}
			}
		}
	}
	d.detectFiles(&res, in.Paths)
	if author != nil {
		res.AuthorTools = slices.Clone(author.tools)
	}
	res.finish()
	return res
}

// detectMessage runs the message signals on msg, each group's prefilter
// once for all its signals, each literal searched once for all groups
// (the footers of several tools start "Generated with "). The
// case-folded literals are searched in the message lowered once, on the
// stack when it is ASCII and not long (appendLowerASCII), else as
// haystack.lower folds it.
func (d *Detector) detectMessage(res *Result, msg *haystack) {
	var buf [1024]byte
	var low []byte
	const (
		unknown = iota
		ascii   // low holds the message lowered
		other   // not ASCII: msg.lower()
	)
	state := unknown
	// found[i] is 0 until messageLits[i] is searched, then 1 or 2 (not
	// found, found).
	var foundBuf [64]uint8
	found := foundBuf[:0]
	if len(d.messageLits) > len(foundBuf) {
		found = make([]uint8, 0, len(d.messageLits))
	}
	found = found[:len(d.messageLits)]
	contains := func(i int) bool {
		if found[i] != 0 {
			return found[i] == 2
		}
		l := &d.messageLits[i]
		var ok bool
		switch {
		case !l.fold:
			ok = strings.Contains(msg.s, l.s)
		default:
			if state == unknown {
				state = other
				if b, isASCII := appendLowerASCII(buf[:0], msg.s); isASCII {
					low, state = b, ascii
				}
			}
			if state == ascii {
				ok = bytes.Contains(low, l.b)
			} else {
				ok = strings.Contains(msg.lower(), l.s)
			}
		}
		found[i] = 1
		if ok {
			found[i] = 2
		}
		return ok
	}
groups:
	for i := range d.messages {
		g := &d.messages[i]
		for _, alts := range g.all {
			if !slices.ContainsFunc(alts, contains) {
				continue groups
			}
		}
		for _, s := range g.sigs {
			if loc := s.re.FindStringIndex(msg.s); loc != nil {
				res.add(KindMessage, s.tool.id, linesAround(msg.s, loc[0], loc[1]), s.strong)
			}
		}
	}
}

// detectFiles runs the file signals on the paths: each gives evidence for
// the first path it matches. One pass over a path finds which of the
// signals' literals it contains (fileAutomaton); only the globs of those
// signals, and of signals without a literal, are tried on it.
func (d *Detector) detectFiles(res *Result, paths []string) {
	if len(paths) == 0 || len(d.files) == 0 {
		return
	}
	var doneBuf [64]bool
	done := doneBuf[:0]
	if len(d.files) > len(doneBuf) {
		done = make([]bool, 0, len(d.files))
	}
	done = done[:len(d.files)]
	try := func(i int, p string) {
		if s := &d.files[i]; !done[i] && doublestar.MatchUnvalidated(s.glob, p) {
			done[i] = true
			res.add(KindFile, s.tool.id, p, s.strong)
		}
	}
	lits := d.fileAutomaton(len(paths))
	for _, p := range paths {
		if lits == nil {
			// No automaton (yet, or the literals are too many for one):
			// each signal on its own.
			set := bytesOf(p)
			for i := range d.files {
				if s := &d.files[i]; set.has(s.need) && strings.Contains(p, s.literal) {
					try(i, p)
				}
			}
			continue
		}
		for _, i := range d.filesAlways {
			try(i, p)
		}
		for found := lits.find(p); found != 0; found &= found - 1 {
			for _, i := range d.filesByLit[bits.TrailingZeros64(found)] {
				try(i, p)
			}
		}
	}
}

// accepts reports whether a trailer value satisfies the rule.
func (r *trailerRule) accepts(v *haystack) bool {
	if r.value != nil && (!r.pre.ok(v) || !r.value.MatchString(v.s)) {
		return false
	}
	return r.notValue == nil || !r.notValue.MatchString(v.s)
}

// declare records a declared-use trailer, attributing it to tools. named
// are the tools whose trailer signals match the same trailer: a tools_only
// rule declares only when they or the value's identity name a tool.
func (d *Detector) declare(res *Result, t trailers.Trailer, value *haystack, rules []*trailerRule, named []string) {
	accepted, anyValue := false, false
	for _, r := range rules {
		if r.accepts(value) {
			accepted = true
			anyValue = anyValue || !r.toolsOnly
		}
	}
	if !accepted {
		return
	}
	tools, person := d.attribute(t.Value)
	if !anyValue {
		// Only tools_only rules: the value must name a known tool. When a
		// tool's trailer signal matched it, that trailer evidence already
		// says which: the declaration adds no evidence of its own.
		if len(named) > 0 {
			res.declared(t.Value)
			return
		}
		if person || len(tools) == 0 {
			return
		}
	}
	if person {
		return
	}
	res.declared(t.Value)
	if len(tools) == 0 {
		tools = []string{DeclaredID}
	}
	declaredEvidence := 0
	for _, e := range res.Evidence {
		if e.Kind == KindDeclared {
			declaredEvidence++
		}
	}
	for _, id := range tools {
		if declaredEvidence >= maxDeclared {
			return
		}
		if res.add(KindDeclared, id, trailerText(t), true) {
			declaredEvidence++
		}
	}
}

// declared records a declaration with value v.
func (r *Result) declared(v string) {
	r.Declared = true
	if v = capText(v); len(r.DeclaredValues) < maxDeclared && !slices.Contains(r.DeclaredValues, v) {
		r.DeclaredValues = append(r.DeclaredValues, v)
	}
}

// attribute returns the tools a declared value names. A value written as
// an identity ("Name <email>") is attributed by its email and name like a
// co-author; person is true when no tool claims it. Otherwise the agent
// part (before the first ':' or '(': the kernel's AGENT:MODEL, or
// "Tool (model)") is tried first, then the whole value.
func (d *Detector) attribute(v string) (tools []string, person bool) {
	if name, email, ok := splitIdentity(v); ok {
		tools = d.IdentityTools(name, email)
		return tools, len(tools) == 0
	}
	// "MODEL via TOOL" (Crush's "Assisted-by: GLM-5 via Crush", also
	// "Claude Opus 4.6 (via Crush)"): the tool is what follows the last
	// "via".
	if via, ok := viaTool(v); ok {
		if tools = d.declaredTools(via); len(tools) > 0 {
			return tools, false
		}
	}
	if i := strings.IndexAny(v, ":("); i > 0 {
		if agent := strings.TrimSpace(v[:i]); agent != "" {
			tools = d.declaredTools(agent)
		}
	}
	if len(tools) == 0 {
		tools = d.declaredTools(v)
	}
	return tools, false
}

// viaTool returns TOOL of a value "MODEL via TOOL" or "MODEL (via TOOL)".
func viaTool(v string) (string, bool) {
	low := strings.ToLower(v)
	for end := len(low); end > 0; {
		i := strings.LastIndex(low[:end], "via ")
		if i <= 0 {
			return "", false
		}
		if c := low[i-1]; c == ' ' || c == '(' {
			via := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v[i+len("via "):]), ")"))
			return via, via != ""
		}
		end = i
	}
	return "", false
}

func (d *Detector) declaredTools(v string) []string {
	var tools []string
	for _, tl := range d.tools {
		for _, re := range tl.declaredValues {
			if re.MatchString(v) {
				tools = append(tools, tl.id)
				break
			}
		}
	}
	return tools
}

func matchesAny(list []reSignal, s *haystack) bool {
	for _, r := range list {
		if r.match(s) {
			return true
		}
	}
	return false
}

// splitIdentity splits "Name <email>" (or "<email>"); ok is false unless
// the value ends with an angle-bracketed address holding an '@'.
func splitIdentity(v string) (name, email string, ok bool) {
	v = strings.TrimSpace(v)
	if !strings.HasSuffix(v, ">") {
		return "", "", false
	}
	i := strings.LastIndexByte(v, '<')
	if i < 0 {
		return "", "", false
	}
	email = strings.TrimSpace(v[i+1 : len(v)-1])
	if !strings.Contains(email, "@") || strings.ContainsAny(email, "<> ") {
		return "", "", false
	}
	return strings.TrimSpace(v[:i]), email, true
}

// add appends evidence unless the same was recorded; it reports whether it
// appended.
func (r *Result) add(kind, tool, text string, strong bool) bool {
	e := Evidence{Kind: kind, Tool: tool, Text: capText(text), Strong: strong}
	if slices.Contains(r.Evidence, e) {
		return false
	}
	r.Evidence = append(r.Evidence, e)
	return true
}

// finish derives Detected, Tools and Suspected from the evidence and sorts
// it.
func (r *Result) finish() {
	var strong, weak []string
	for _, e := range r.Evidence {
		if e.Strong {
			strong = append(strong, e.Tool)
		} else {
			weak = append(weak, e.Tool)
		}
	}
	slices.Sort(strong)
	strong = slices.Compact(strong)
	if len(strong) > 1 {
		strong = slices.DeleteFunc(strong, func(id string) bool { return id == DeclaredID })
	}
	slices.Sort(weak)
	weak = slices.Compact(weak)
	weak = slices.DeleteFunc(weak, func(id string) bool { _, found := slices.BinarySearch(strong, id); return found })
	if len(strong) > 0 {
		r.Tools = strong
	}
	if len(weak) > 0 {
		r.Suspected = weak
	}
	r.Detected = len(r.Tools) > 0
	slices.SortFunc(r.Evidence, func(a, b Evidence) int {
		if a.Strong != b.Strong {
			if a.Strong {
				return -1
			}
			return 1
		}
		return cmp.Or(
			cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)),
			cmp.Compare(a.Tool, b.Tool),
			cmp.Compare(a.Text, b.Text),
		)
	})
}

func kindRank(k string) int {
	switch k {
	case KindTrailer:
		return 0
	case KindMessage:
		return 1
	case KindIdentity:
		return 2
	case KindDeclared:
		return 3
	case KindBranch:
		return 4
	default:
		return 5
	}
}

// identity formats "Name <email>".
func identity(name, email string) string {
	switch {
	case email == "":
		return name
	case name == "":
		return "<" + email + ">"
	}
	return name + " <" + email + ">"
}

// linesAround widens s[i:j] to the whole lines holding it, without the line
// terminators.
func linesAround(s string, i, j int) string {
	start := strings.LastIndexByte(s[:i], '\n') + 1
	end := len(s)
	if j > i && s[j-1] == '\n' {
		j--
	}
	if k := strings.IndexByte(s[j:], '\n'); k >= 0 {
		end = j + k
	}
	if end < start {
		end = start
	}
	return strings.TrimRight(s[start:end], "\r")
}

// capText cuts s to MaxEvidenceText bytes at a character boundary.
func capText(s string) string {
	if len(s) <= MaxEvidenceText {
		return s
	}
	cut := MaxEvidenceText
	for k := 0; k < utf8.UTFMax-1 && !utf8.RuneStart(s[cut]); k++ {
		cut--
	}
	return s[:cut]
}
