package provenance

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/pushguard/pushguard/pkg/trailers"
)

// msgTrailer is a trailer as detection reads it. inline marks one found
// where no trailer line starts (flattened onto the subject or into a line
// of prose): it identifies a tool through the tools' trailer signals, but
// is a declaration only when it names a known tool.
type msgTrailer struct {
	trailers.Trailer
	inline bool
}

// messageTrailers returns the trailers detection reads, in line order: those
// `git interpret-trailers` finds ([trailers.Parse]), every trailer-like line
// elsewhere after the subject ([trailers.Lines]), because tools put
// Co-authored-by right under the subject, and every occurrence of a key the
// markers use in the shapes real messages give them ([trailers.Loose]:
// flattened onto the subject or another line, indented, the value wrapped
// onto the next line).
//
// Left out, because they quote a trailer rather than sign the commit: a
// trailer outside the trailer block inside a ``` or ~~~ fence, and an
// indented one in a message whose body is not indented as a whole (a
// Markdown code block in prose); an indented body, or a squash message
// with "commit"/"Author:"/"Date:" headers, keeps its indented trailers.
//
// Agents sometimes write a literal backslash-n where a line break belongs
// ("Fix x\n\nCo-Authored-By: …" on one line): such a message is read a
// second time with real line breaks. Values that end with a bare address
// ("OpenHands-GPT-5 openhands@all-hands.dev") are written "Name <email>", the
// form the markers and identity checks expect.
func (d *Detector) messageTrailers(msg string) []msgTrailer {
	if !strings.Contains(msg, ":") {
		return nil
	}
	out := d.collectTrailers(msg, nil)
	if strings.Contains(msg, `\n`) {
		out = d.collectTrailers(strings.ReplaceAll(msg, `\n`, "\n"), out)
	}
	for i := range out {
		out[i].Value = bracketAddress(out[i].Value)
	}
	return out
}

// collectTrailers appends the trailers of msg to out, leaving out those
// already there (same key, case-insensitively, and value).
func (d *Detector) collectTrailers(msg string, out []msgTrailer) []msgTrailer {
	var have trailerSet
	have.small = have.buf[:0]
	known := have.add
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
	if keys := d.looseKeys(msg); len(keys) > 0 {
		loose = append(loose, trailers.Loose(msg, keys)...)
	}
	if len(loose) == 0 {
		return out
	}
	lines := strings.Split(msg, "\n")
	fences := fencedLines(msg)
	indentedOK := -1 // unknown yet
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
			continue // the subject is the title, never a trailer
		}
		if known(t) {
			continue
		}
		out = append(out, msgTrailer{Trailer: t, inline: t.Line == 1 || !atStart})
	}
	slices.SortStableFunc(out[first:], func(a, b msgTrailer) int { return a.Line - b.Line })
	return out
}

// trailerSet is a set of trailers by key, compared as strings.ToLower
// compares them, and value. A few are kept in a list (no lower-cased copy
// of each key); beyond that, in a map.
type trailerSet struct {
	buf   [16]trailers.Trailer
	small []trailers.Trailer
	big   map[trailerID]bool
}

type trailerID struct{ key, value string }

// add adds t to the set and reports whether it was there already.
func (s *trailerSet) add(t trailers.Trailer) bool {
	if s.big == nil {
		for _, x := range s.small {
			if x.Value == t.Value && sameKey(x.Key, t.Key) {
				return true
			}
		}
		if len(s.small) < len(s.buf) {
			s.small = append(s.small, t)
			return false
		}
		s.big = make(map[trailerID]bool, 2*len(s.small))
		for _, x := range s.small {
			s.big[trailerID{strings.ToLower(x.Key), x.Value}] = true
		}
	}
	k := trailerID{strings.ToLower(t.Key), t.Value}
	if s.big[k] {
		return true
	}
	s.big[k] = true
	return false
}

// sameKey reports whether strings.ToLower(a) == strings.ToLower(b), without
// lower-casing ASCII keys (trailer keys are ASCII).
func sameKey(a, b string) bool {
	if !isASCII(a) || !isASCII(b) {
		return strings.ToLower(a) == strings.ToLower(b)
	}
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// looseKeys returns the keys of d.keys, in order, that occur in msg the way
// [trailers.Loose] finds one: the whole run of key bytes (letters, digits,
// '-') before a ':' and the blanks before it, compared case-insensitively.
// Loose given only these keys finds exactly what it finds given all of
// them (it drops every key without such an occurrence), and is not called
// at all for the many messages with none: it lower-cases the whole message
// and searches it once per key.
func (d *Detector) looseKeys(msg string) []string {
	if len(d.keys) > 64 {
		return d.keys
	}
	var found uint64 // bit i: d.keys[i]
	for i := 0; i < len(msg); {
		j := strings.IndexByte(msg[i:], ':')
		if j < 0 {
			break
		}
		colon := i + j
		i = colon + 1
		end := colon
		for end > 0 && (msg[end-1] == ' ' || msg[end-1] == '\t') {
			end--
		}
		start := end
		for start > 0 && isTokenByte(msg[start-1]) {
			start--
		}
		if start == end {
			continue
		}
		tok := msg[start:end]
		for k, key := range d.keys {
			if len(key) == len(tok) && strings.EqualFold(key, tok) {
				found |= 1 << k
				break
			}
		}
	}
	if found == 0 {
		return nil
	}
	keys := make([]string, 0, bits.OnesCount64(found))
	for k, key := range d.keys {
		if found&(1<<k) != 0 {
			keys = append(keys, key)
		}
	}
	return keys
}

// indentedBody reports whether the body of a message (its lines after the
// subject) is indented as a whole, or is a squash message quoting commits
// with their "commit", "Author:" and "Date:" header lines: then indented
// trailers are the commits' own.
func indentedBody(lines []string) bool {
	body, prose := false, false
	for _, l := range lines[1:] {
		l = strings.TrimRight(l, "\r")
		switch {
		case strings.TrimSpace(l) == "":
		case l[0] == ' ' || l[0] == '\t':
			body = true
		case strings.HasPrefix(l, "Author: ") && strings.Contains(l, "<") || strings.HasPrefix(l, "Date: ") ||
			strings.HasPrefix(l, "commit ") || strings.HasPrefix(l, "Squashed commit of the following"):
			return true // quoted `git log` entries: their bodies are indented
		default:
			prose = true
		}
	}
	return body && !prose
}

// bracketAddress writes a value that ends with a bare e-mail address
// ("Name user@host") as "Name <user@host>"; any other value is returned as
// it is.
func bracketAddress(v string) string {
	if strings.ContainsAny(v, "<>") {
		return v
	}
	i := strings.LastIndexAny(v, " \t")
	last := v[i+1:]
	at := strings.IndexByte(last, '@')
	if at <= 0 || at == len(last)-1 || strings.ContainsAny(last, "/:") ||
		strings.Count(last, "@") != 1 || !strings.Contains(last[at:], ".") {
		return v
	}
	name := strings.TrimSpace(v[:i+1])
	if name == "" {
		return "<" + last + ">"
	}
	return name + " <" + last + ">"
}

// lineRanges are closed ranges of 1-based line numbers.
type lineRanges [][2]int

func (r lineRanges) contains(line int) bool {
	for _, x := range r {
		if line >= x[0] && line <= x[1] {
			return true
		}
	}
	return false
}

// fencedLines returns the line ranges of Markdown code fences (``` or ~~~
// at the start of a line, after optional blanks), fence lines included. An
// unclosed fence runs to the end of the message.
func fencedLines(msg string) lineRanges {
	if !strings.Contains(msg, "```") && !strings.Contains(msg, "~~~") {
		return nil
	}
	var out lineRanges
	open := 0
	line := 0
	for rest := msg; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		line++
		t := strings.TrimLeft(l, " \t")
		if !strings.HasPrefix(t, "```") && !strings.HasPrefix(t, "~~~") {
			continue
		}
		if open == 0 {
			open = line
		} else {
			out = append(out, [2]int{open, line})
			open = 0
		}
	}
	if open != 0 {
		out = append(out, [2]int{open, line})
	}
	return out
}

// trailerText is a trailer as it reads, for evidence.
func trailerText(t trailers.Trailer) string { return t.Key + ": " + t.Value }

// isTokenByte reports whether c may appear in a trailer key.
func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}
