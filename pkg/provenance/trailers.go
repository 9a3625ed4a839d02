package provenance

import (
	"slices"
	"strings"

	"github.com/pushguard/pushguard/pkg/trailers"
)

// messageTrailers returns the trailers detection reads, in line order: those
// `git interpret-trailers` finds ([trailers.Parse]) plus every trailer-like
// line elsewhere after the subject ([trailers.Lines]), because tools put
// Co-authored-by right under the subject. A trailer-like line inside a ```
// or ~~~ fence outside the trailer block is left out: it quotes a trailer
// (documentation), it does not sign the commit.
func messageTrailers(msg string) []trailers.Trailer {
	if !strings.Contains(msg, ":") {
		return nil
	}
	block := trailers.Parse(msg)
	loose := trailers.Lines(msg)
	if len(loose) == 0 {
		return block
	}
	fences := fencedLines(msg)
	out := make([]trailers.Trailer, 0, len(block)+len(loose))
	out = append(out, block...)
	for _, t := range loose {
		if slices.ContainsFunc(block, func(b trailers.Trailer) bool { return b.Line == t.Line }) ||
			fences.contains(t.Line) {
			continue
		}
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(a, b trailers.Trailer) int { return a.Line - b.Line })
	return out
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
