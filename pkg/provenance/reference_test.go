package provenance

import (
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/pushguard/pushguard/pkg/trailers"
)

// This file keeps the straightforward form of Detect, as it was before the
// identity cache and the prefilters of the fast path: every regular
// expression is run on its text (no prefilter), every identity is matched
// afresh, every file glob is tried on every path and the trailers are
// collected with all the keys. The equivalence tests compare Detect with
// it: the fast path may only skip work whose result cannot differ.

// referenceDetect is Detect without any shortcut.
func (d *Detector) referenceDetect(in Input) Result {
	var res Result
	var seen []int
	for _, t := range d.referenceMessageTrailers(in.Message) {
		if t.Value == "" {
			continue
		}
		if !t.inline {
			d.referenceAgentTrailer(&res, t.Key, t.Value)
		}
		key := strings.ToLower(t.Key)
		var named []string
		for _, r := range d.trailers[key] {
			if !r.referenceAccepts(t.Value) {
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
			d.referenceDeclare(&res, t.Trailer, rules, named)
		}
	}

	subject, _, _ := strings.Cut(in.Message, "\n")
	subject = strings.TrimSuffix(subject, "\r")
	type ident struct{ name, email string }
	idents := [2]ident{
		{strings.TrimSpace(in.AuthorName), strings.TrimSpace(in.AuthorEmail)},
		{strings.TrimSpace(in.CommitterName), strings.TrimSpace(in.CommitterEmail)},
	}
	var branches []string
	for _, ref := range in.Refs {
		if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok && b != "" {
			branches = append(branches, b)
		}
	}
	for _, tl := range d.tools {
		for _, s := range tl.message {
			if loc := s.re.FindStringIndex(in.Message); loc != nil {
				res.add(KindMessage, tl.id, linesAround(in.Message, loc[0], loc[1]), s.strong)
			}
		}
		for _, s := range tl.subject {
			if strings.HasPrefix(subject, s.prefix) {
				res.add(KindMessage, tl.id, subject, s.strong)
			}
		}
		for _, s := range tl.emails {
			for _, id := range idents {
				if id.email != "" && s.re.MatchString(id.email) {
					res.add(KindIdentity, tl.id, identity(id.name, id.email), s.strong)
					break
				}
			}
		}
		for _, s := range tl.names {
			for _, id := range idents {
				if id.name != "" && s.re.MatchString(id.name) {
					res.add(KindIdentity, tl.id, identity(id.name, id.email), s.strong)
					break
				}
			}
		}
		for _, s := range tl.identities {
			for _, id := range idents {
				if full := identity(id.name, id.email); full != "" && s.re.MatchString(full) {
					res.add(KindIdentity, tl.id, full, s.strong)
					break
				}
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
		for _, s := range tl.files {
			for _, p := range in.Paths {
				if doublestar.MatchUnvalidated(s.glob, p) {
					res.add(KindFile, tl.id, p, s.strong)
					break
				}
			}
		}
	}
	res.AuthorTools = d.referenceIdentityTools(in.AuthorName, in.AuthorEmail)
	res.finish()
	return res
}

func (r *trailerRule) referenceAccepts(v string) bool {
	if r.value != nil && !r.value.MatchString(v) {
		return false
	}
	return r.notValue == nil || !r.notValue.MatchString(v)
}

func (d *Detector) referenceDeclare(res *Result, t trailers.Trailer, rules []*trailerRule, named []string) {
	accepted, anyValue := false, false
	for _, r := range rules {
		if r.referenceAccepts(t.Value) {
			accepted = true
			anyValue = anyValue || !r.toolsOnly
		}
	}
	if !accepted {
		return
	}
	tools, person := d.referenceAttribute(t.Value)
	if !anyValue {
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

func (d *Detector) referenceAttribute(v string) (tools []string, person bool) {
	if name, email, ok := splitIdentity(v); ok {
		tools = d.referenceIdentityTools(name, email)
		return tools, len(tools) == 0
	}
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

func (d *Detector) referenceIdentityTools(name, email string) []string {
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	full := identity(name, email)
	any := func(list []reSignal, s string) bool {
		for _, r := range list {
			if r.re.MatchString(s) {
				return true
			}
		}
		return false
	}
	var tools []string
	for _, tl := range d.tools {
		if (email != "" && any(tl.emails, email)) || (name != "" && any(tl.names, name)) || (full != "" && any(tl.identities, full)) {
			tools = append(tools, tl.id)
		}
	}
	return tools
}

func (d *Detector) referenceAgentTrailer(res *Result, key, value string) {
	if len(res.AgentTrailers) >= maxDeclared {
		return
	}
	name, email, ok := splitIdentity(value)
	if !ok {
		return
	}
	if tools := d.referenceIdentityTools(name, email); len(tools) > 0 {
		res.AgentTrailers = append(res.AgentTrailers, AgentTrailer{Key: key, Value: capText(value), Tools: tools})
	}
}

func (d *Detector) referenceMessageTrailers(msg string) []msgTrailer {
	if !strings.Contains(msg, ":") {
		return nil
	}
	out := d.referenceCollectTrailers(msg, nil)
	if strings.Contains(msg, `\n`) {
		out = d.referenceCollectTrailers(strings.ReplaceAll(msg, `\n`, "\n"), out)
	}
	for i := range out {
		out[i].Value = bracketAddress(out[i].Value)
	}
	return out
}

func (d *Detector) referenceCollectTrailers(msg string, out []msgTrailer) []msgTrailer {
	type id struct{ key, value string }
	have := make(map[id]bool, len(out))
	known := func(t trailers.Trailer) bool {
		k := id{strings.ToLower(t.Key), t.Value}
		if have[k] {
			return true
		}
		have[k] = true
		return false
	}
	for _, t := range out {
		known(t.Trailer)
	}
	first := len(out)
	block := trailers.Parse(msg)
	for _, t := range block {
		if !known(t) {
			out = append(out, msgTrailer{Trailer: t})
		}
	}
	loose := trailers.Lines(msg)
	loose = append(loose, trailers.Loose(msg, d.keys)...)
	if len(loose) == 0 {
		return out
	}
	lines := strings.Split(msg, "\n")
	fences := fencedLines(msg)
	indentedOK := -1
	for _, t := range loose {
		inBlock := slices.ContainsFunc(block, func(b trailers.Trailer) bool { return b.Line == t.Line })
		if fences.contains(t.Line) && !inBlock {
			continue
		}
		line := ""
		if t.Line-1 < len(lines) {
			line = lines[t.Line-1]
		}
		if !inBlock && line != "" && (line[0] == ' ' || line[0] == '\t') {
			if indentedOK < 0 {
				indentedOK = 0
				if indentedBody(lines) {
					indentedOK = 1
				}
			}
			if indentedOK == 0 {
				continue
			}
		}
		rest := strings.TrimLeft(line, " \t")
		atStart := len(rest) >= len(t.Key) && strings.EqualFold(rest[:len(t.Key)], t.Key)
		if t.Line == 1 && atStart {
			continue
		}
		if known(t) {
			continue
		}
		out = append(out, msgTrailer{Trailer: t, inline: t.Line == 1 || !atStart})
	}
	slices.SortStableFunc(out[first:], func(a, b msgTrailer) int { return a.Line - b.Line })
	return out
}
