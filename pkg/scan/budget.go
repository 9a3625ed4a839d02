package scan

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pushguard/pushguard/pkg/ruleset"
)

// The time budget is honoured inside content matching. Matching cost is
// not bounded by the number of commits: one file of a few megabytes whose
// lines carry many rule keywords runs every rule's regular expression on
// every line, which takes tens of seconds. So the engine checks its context
// every few lines or kilobytes of matched text, and matches a very long
// line in overlapping windows with a check after each.

const (
	// ctxCheckLines and ctxCheckBytes: the context is checked after this
	// many lines or bytes of matched text, whichever comes first.
	ctxCheckLines = 256
	ctxCheckBytes = 8 << 10
	// windowSize: a line longer than this is matched window by window;
	// each window also reads windowOverlap bytes on either side, so a
	// match up to windowOverlap bytes long that starts in the window is
	// found whole, with its context for anchors and word boundaries.
	windowSize    = 32 << 10
	windowOverlap = 8 << 10
)

// done returns ctx's error once it is done, without calling Err on a
// context that is not (cheap enough to call per file).
func done(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		return nil
	}
}

// ctxCheck checks a context every ctxCheckLines lines or ctxCheckBytes
// bytes.
type ctxCheck struct {
	ctx          context.Context
	lines, bytes int
}

// add counts one line of n bytes and returns the context's error when a
// check is due and it is done.
func (c *ctxCheck) add(n int) error {
	c.lines++
	c.bytes += n
	if c.lines < ctxCheckLines && c.bytes < ctxCheckBytes {
		return nil
	}
	c.lines, c.bytes = 0, 0
	return done(c.ctx)
}

// matchLine runs the line rules marked in active (nil: all) over one line
// numbered no, calling fn with offsets in line. A line longer than
// windowSize is matched in overlapping windows, each match reported by the
// window it starts in, and chk's context is checked after every window.
func (e *Engine) matchLine(chk *ctxCheck, line []byte, no int, path []byte, active []bool, fn func(ruleset.LineMatch)) error {
	if len(line) <= windowSize {
		e.matcher.MatchLineIn(line, no, path, active, fn)
		return nil
	}
	runeOff, runeAt := 0, 0 // runeOff characters precede line[runeAt:]
	for start := 0; start < len(line); start += windowSize {
		end := min(start+windowSize, len(line))
		lo := runeStart(line, max(0, start-windowOverlap))
		hi := len(line)
		if end+windowOverlap < len(line) {
			hi = runeStart(line, end+windowOverlap)
		}
		runeOff += utf8.RuneCount(line[runeAt:lo])
		runeAt = lo
		lineNo := no
		if lo > 0 {
			lineNo = 0 // not the start of the line: no byte order mark here
		}
		e.matcher.MatchLineIn(line[lo:hi], lineNo, path, active, func(m ruleset.LineMatch) {
			m.Start += lo
			m.End += lo
			if m.Start < start || m.Start >= end {
				return // the window it starts in reports it
			}
			m.Detail = shiftColumns(m.Detail, runeOff)
			fn(m)
		})
		if err := done(chk.ctx); err != nil {
			return err
		}
	}
	return nil
}

// runeStart moves i back to the start of the UTF-8 sequence it falls in.
func runeStart(b []byte, i int) int {
	for k := 0; k < utf8.UTFMax && i > 0 && i < len(b) && !utf8.RuneStart(b[i]); k++ {
		i--
	}
	return i
}

// columnRef finds the character columns a match detail names ("at column
// 17", "columns 17-19").
var columnRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bcolumns? (\d+)(?:-(\d+))?`) })

// shiftColumns adds off to the columns detail names: a detail made for a
// window of a long line counts columns from the window's start.
func shiftColumns(detail string, off int) string {
	if off == 0 || detail == "" {
		return detail
	}
	return columnRef().ReplaceAllStringFunc(detail, func(s string) string {
		m := columnRef().FindStringSubmatch(s)
		word, _, _ := strings.Cut(s, " ")
		first, _ := strconv.Atoi(m[1])
		out := word + " " + strconv.Itoa(first+off)
		if m[2] != "" {
			last, _ := strconv.Atoi(m[2])
			out += "-" + strconv.Itoa(last+off)
		}
		return out
	})
}
