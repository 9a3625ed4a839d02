package trailers

import "strings"

// Trailer is one "Key: value" trailer of a commit message.
type Trailer struct {
	// Key is the trailer's key in its original spelling, without
	// surrounding whitespace. Keys are case-insensitive: compare them with
	// strings.EqualFold (or use Has and Values).
	Key string
	// Value is the text after the ':', trimmed of spaces, tabs, CRs and
	// newlines at both ends, with continuation lines folded in: each line
	// break and the whitespace that follows it become one space. It may be
	// empty for Parse, never for Lines.
	Value string
	// Line is the 1-based number of the message line the trailer starts on.
	Line int
}

// commentChar starts a comment line (git's default core.commentChar).
const commentChar = '#'

// cutLine follows the comment character and a space on the scissors line of
// `git commit -v`; everything from that line on is not part of the message.
const cutLine = "------------------------ >8 ------------------------\n"

// The line prefixes that git itself writes into trailer blocks (trailer.c:
// git_generated_prefixes). A block containing one of them needs only 25% of
// trailer lines to be a trailer block.
const (
	signedOffPrefix    = "Signed-off-by: "
	cherryPickedPrefix = "(cherry picked from commit "
)

// Parse returns the trailers of a commit message the way
// `git interpret-trailers --parse` (git 2.39) reads them, or nil if the
// message has none. In git's words:
//
//   - The message ends before the first line that starts with "---" and
//     whitespace (a patch or cut section), before a scissors line
//     ("# ------------------------ >8 ------------------------"), and before
//     its trailing run of blank lines, comment lines (starting with '#') and
//     old-style "Conflicts:" block.
//   - The trailer block is the last paragraph of what remains (the lines
//     after its last blank line; a blank line is empty or whitespace only),
//     and the first paragraph — the subject — can never be one. It is a
//     trailer block when all of its lines are trailers, or when it holds a
//     git-generated line ("Signed-off-by: " or "(cherry picked from commit ")
//     and at least 25% of its lines are trailers. Comment lines are not
//     counted; indented lines count as part of the trailer above them, or as
//     non-trailers when they follow a non-trailer.
//   - A trailer line is a key of ASCII letters, digits and '-', optional
//     spaces or tabs, then ':' and the value. The line must not start with
//     whitespace. A following line that starts with whitespace continues the
//     value.
//   - Only trailers are returned: the other lines of the block, including
//     "(cherry picked from commit …)" (which counts as a trailer for the 25%
//     rule but has no key) and comment lines, are not.
//
// Deviations from git, all deliberate:
//   - No configuration is read: no trailer.<token>.key entries (which git
//     also counts as recognized prefixes), trailer.separators is ':' and
//     core.commentChar is '#'.
//   - A "\r" right before a line break inside a folded value is dropped, so
//     a CRLF message folds to "a b" where git gives "a\r b".
//   - A scissors line after the "---" divider is ignored; git 2.39 loops
//     forever on such a message (fixed in later git by the same bound).
//   - Like git, the message ends at its first NUL byte, as git reads it as a
//     C string.
//
// The "---" divider is honoured as `git interpret-trailers` does; git's own
// readers of commit objects (`git log --format=%(trailers)`, the sequencer)
// pass --no-divider instead, so a message whose trailers follow a "---" line
// has trailers for them but none for Parse.
func Parse(message string) []Trailer {
	msg := message
	if i := strings.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	end := findPatchStart(msg)
	end -= ignoredTail(msg, end)
	start := findTrailerStart(msg, end)
	if start >= end {
		return nil
	}

	// Split the block into entries: a line, plus the lines starting with
	// whitespace that continue it when it is a trailer (trailer_info_get).
	var out []Trailer
	lineNo := 1 + strings.Count(msg[:start], "\n")
	entry, entryLine, folding := "", 0, false
	flush := func() {
		if entry == "" || entry[0] == commentChar {
			return
		}
		if sep := findSeparator(entry); sep >= 1 {
			out = append(out, Trailer{
				Key:   trim(entry[:sep]),
				Value: unfold(trim(entry[sep+1:])),
				Line:  entryLine,
			})
		}
	}
	entryStart := start
	for bol := start; bol < end; lineNo++ {
		next := nextLine(msg, bol)
		if next > end {
			next = end
		}
		if folding && isSpace(msg[bol]) {
			entry = msg[entryStart:next]
		} else {
			flush()
			entryStart, entryLine = bol, lineNo
			entry = msg[bol:next]
			folding = findSeparator(entry) >= 1
		}
		bol = next
	}
	flush()
	return out
}

// Lines returns every trailer-like line of the message body, anywhere in it,
// whether or not Parse would consider it part of a trailer block: lines in
// the middle of the body, lines directly under the subject with no blank
// line between (where tools often put "Co-authored-by:"), lines after a
// "---" divider or a NUL byte. It is meant for detection, where a marker
// must not escape notice by its position; it returns nil if there are none.
//
// The subject — the first line that is not blank — is never examined. A
// trailer-like line starts with a key that is an ASCII letter followed by
// ASCII letters, digits and '-'; then optional spaces or tabs, ':' and a
// value that is not empty once trimmed (folded continuation lines
// included). Lines starting with whitespace continue the value of the
// trailer-like line above them, as in Parse; a blank line ends it. CRLF line
// endings are handled like LF ones.
func Lines(message string) []Trailer {
	var out []Trailer
	subject := false
	// The current trailer-like line and its continuation lines.
	var cur Trailer
	curStart, curEnd, curSep := -1, 0, 0
	flush := func() {
		if curStart < 0 {
			return
		}
		entry := message[curStart:curEnd]
		if v := unfold(trim(entry[curSep+1:])); v != "" {
			cur.Key = trim(entry[:curSep])
			cur.Value = v
			out = append(out, cur)
		}
		curStart = -1
	}
	lineNo := 0
	for bol := 0; bol < len(message); {
		next := nextLine(message, bol)
		lineNo++
		line := message[bol:next]
		switch {
		case isBlank(line):
			flush()
		case !subject:
			subject = true
		case isSpace(line[0]):
			if curStart >= 0 {
				curEnd = next
			}
		default:
			flush()
			if sep := findSeparator(line); sep >= 1 && isLetter(line[0]) {
				cur = Trailer{Line: lineNo}
				curStart, curEnd, curSep = bol, next, sep
			}
		}
		bol = next
	}
	flush()
	return out
}

// Has reports whether ts contains a trailer whose key is key, compared
// case-insensitively.
func Has(ts []Trailer, key string) bool {
	for _, t := range ts {
		if strings.EqualFold(t.Key, key) {
			return true
		}
	}
	return false
}

// Values returns the values of the trailers of ts whose key is key, compared
// case-insensitively, in order; nil if there are none.
func Values(ts []Trailer, key string) []string {
	var vs []string
	for _, t := range ts {
		if strings.EqualFold(t.Key, key) {
			vs = append(vs, t.Value)
		}
	}
	return vs
}

// findPatchStart returns where the patch part of msg starts, or len(msg): the
// first line starting with "---" followed by whitespace (find_patch_start).
func findPatchStart(msg string) int {
	for bol := 0; bol < len(msg); bol = nextLine(msg, bol) {
		if strings.HasPrefix(msg[bol:], "---") && bol+3 < len(msg) && isSpace(msg[bol+3]) {
			return bol
		}
	}
	return len(msg)
}

// ignoredTail returns how many bytes at the end of msg[:n] are not part of
// the log message: the trailing run of blank and comment lines and old-style
// "Conflicts:" block, and what follows a scissors line (git's
// ignore_non_trailer with wt_status_locate_end).
func ignoredTail(msg string, n int) int {
	cutoff := n
	pattern := "\n" + string(commentChar) + " " + cutLine
	if strings.HasPrefix(msg, pattern[1:]) {
		cutoff = 0
	} else if p := strings.Index(msg, pattern); p >= 0 && p+1 <= n {
		cutoff = p + 1
	}
	boc, inConflicts := 0, false
	for bol := 0; bol < cutoff; {
		next := n
		if i := strings.IndexByte(msg[bol:n], '\n'); i >= 0 {
			next = bol + i + 1
		}
		switch {
		case msg[bol] == commentChar || msg[bol] == '\n':
			if boc == 0 { // the first of a run (0 means none, as in git)
				boc = bol
			}
		case strings.HasPrefix(msg[bol:], "Conflicts:\n"):
			inConflicts = true
			if boc == 0 {
				boc = bol
			}
		case inConflicts && msg[bol] == '\t':
			// a path in the conflicts block
		case boc != 0:
			boc, inConflicts = 0, false
		}
		bol = next
	}
	if boc != 0 {
		return n - boc
	}
	return n - cutoff
}

// findTrailerStart returns where the trailer block of msg[:n] starts, or n
// if there is none (find_trailer_start).
func findTrailerStart(msg string, n int) int {
	// The first paragraph is the title and cannot be trailers.
	s := 0
	for s < n {
		if msg[s] != commentChar && isBlank(msg[s:nextLine(msg, s)]) {
			break
		}
		s = nextLine(msg, s)
	}
	endOfTitle := s

	// From the end, find a blank line before a set of non-blank lines that
	// are all trailers, or hold a git-generated line and are at least 25%
	// trailers.
	onlySpaces, recognized := true, false
	trailerLines, nonTrailerLines := 0, 0
	// Indented lines: continuations if a trailer is above them, else
	// non-trailers.
	possibleContinuations := 0
	for l := lastLine(msg, n); l >= endOfTitle; l = lastLine(msg, l) {
		line := msg[l:nextLine(msg, l)]
		if line[0] == commentChar {
			nonTrailerLines += possibleContinuations
			possibleContinuations = 0
			continue
		}
		if isBlank(line) {
			if onlySpaces {
				continue
			}
			nonTrailerLines += possibleContinuations
			if recognized && trailerLines*3 >= nonTrailerLines {
				return nextLine(msg, l)
			}
			if trailerLines > 0 && nonTrailerLines == 0 {
				return nextLine(msg, l)
			}
			return n
		}
		onlySpaces = false
		if hasGitGeneratedPrefix(line) {
			trailerLines++
			possibleContinuations = 0
			recognized = true
			continue
		}
		switch {
		case findSeparator(line) >= 1 && !isSpace(line[0]):
			trailerLines++
			possibleContinuations = 0
		case isSpace(line[0]):
			possibleContinuations++
		default:
			nonTrailerLines += 1 + possibleContinuations
			possibleContinuations = 0
		}
	}
	return n
}

// hasGitGeneratedPrefix reports whether line starts with a prefix that git
// writes itself.
func hasGitGeneratedPrefix(line string) bool {
	return strings.HasPrefix(line, signedOffPrefix) || strings.HasPrefix(line, cherryPickedPrefix)
}

// findSeparator returns the position of the ':' ending the key at the start
// of line, or -1 if line does not start with "<key><optional blanks>:"
// (find_separator). A key is ASCII letters, digits and '-'; 0 means an empty
// key.
func findSeparator(line string) int {
	blanks := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ':':
			return i
		case !blanks && (isLetter(c) || '0' <= c && c <= '9' || c == '-'):
		case i > 0 && (c == ' ' || c == '\t'):
			blanks = true
		default:
			return -1
		}
	}
	return -1
}

// lastLine returns where the last line of msg[:n] starts, -1 if n is 0. A
// final "\n" belongs to the last line.
func lastLine(msg string, n int) int {
	if n == 0 {
		return -1
	}
	return strings.LastIndexByte(msg[:n-1], '\n') + 1
}

// nextLine returns where the line after the one containing msg[i] starts,
// or len(msg).
func nextLine(msg string, i int) int {
	if j := strings.IndexByte(msg[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(msg)
}

// unfold joins continuation lines: each line break and the whitespace after
// it become one space, a "\r" before the break is dropped (unfold_value).
func unfold(v string) string {
	if !strings.Contains(v, "\n") {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\r' && i+1 < len(v) && v[i+1] == '\n':
		case c == '\n':
			for i+1 < len(v) && isSpace(v[i+1]) {
				i++
			}
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return trim(b.String())
}

// isSpace is git's isspace: space, tab, CR and LF only.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isBlank reports whether line is empty or whitespace only.
func isBlank(line string) bool { return trim(line) == "" }

// trim removes git's whitespace from both ends of s (strbuf_trim).
func trim(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// Loose returns the trailers of the given keys wherever they occur in the
// message, in the shapes real commits give them and that neither Parse nor
// Lines reads:
//
//   - indented ("    Co-authored-by: …" in an indented body or the body of
//     a `git merge --squash` commit);
//   - flattened onto another line, the subject included ("Fix x
//     Co-authored-by: A <a@x> Co-authored-by: B <b@y>"): the value runs to
//     the next occurrence of one of the keys on the line;
//   - with the value wrapped onto the next line ("Amp-Thread-ID:" then the
//     URL; "Co-authored-by: Claude Opus 4.6" then "<noreply@…>"): an empty
//     value takes the next non-blank line, and a value with no address takes
//     the next line when that line is one.
//
// keys are compared case-insensitively; a key counts only where it is not
// preceded by a letter, digit or '-' (so "X-Co-authored-by:" is not
// "Co-authored-by:"), and is followed by optional blanks and ':'. Values
// are trimmed; occurrences with an empty value are left out. It returns nil
// if there are none. Like Lines, it is for detection: a marker must not
// escape notice by the shape of the message.
func Loose(message string, keys []string) []Trailer {
	if len(keys) == 0 || !strings.Contains(message, ":") {
		return nil
	}
	lower := asciiLower(message)
	var lowKeys []string
	for _, k := range keys {
		if k = asciiLower(k); k != "" && strings.Contains(lower, k) {
			lowKeys = append(lowKeys, k)
		}
	}
	if len(lowKeys) == 0 {
		return nil
	}
	var out []Trailer
	lineNo := 0
	for bol := 0; bol < len(message); {
		next := nextLine(message, bol)
		lineNo++
		line, low := message[bol:next], lower[bol:next]
		hits := keyHits(low, lowKeys)
		for i, h := range hits {
			end := len(line)
			if i+1 < len(hits) {
				end = hits[i+1].start
			}
			value := trim(line[h.valueStart:end])
			if i+1 == len(hits) && next < len(message) {
				value = joinWrapped(message, line, next, value)
			}
			if value == "" {
				continue
			}
			out = append(out, Trailer{Key: line[h.start:h.keyEnd], Value: value, Line: lineNo})
		}
		bol = next
	}
	return out
}

// keyHit is one occurrence of a key in a line: where the key starts and
// ends, and where its value starts (after the ':').
type keyHit struct{ start, keyEnd, valueStart int }

// keyHits returns the occurrences of keys (lower-case) in low, a lower-cased
// line, in order and without overlaps.
func keyHits(low string, keys []string) []keyHit {
	var hits []keyHit
	for _, k := range keys {
		for from := 0; from < len(low); {
			i := strings.Index(low[from:], k)
			if i < 0 {
				break
			}
			start := from + i
			from = start + len(k)
			if start > 0 && isKeyByte(low[start-1]) {
				continue
			}
			j := from
			for j < len(low) && (low[j] == ' ' || low[j] == '\t') {
				j++
			}
			if j == len(low) || low[j] != ':' {
				continue
			}
			hits = append(hits, keyHit{start: start, keyEnd: from, valueStart: j + 1})
		}
	}
	if len(hits) < 2 {
		return hits
	}
	// Sort by position (few hits per line) and drop overlapping ones.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].start < hits[j-1].start; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	out := hits[:1]
	for _, h := range hits[1:] {
		if h.start >= out[len(out)-1].valueStart {
			out = append(out, h)
		}
	}
	return out
}

// joinWrapped continues value with the line at msg[next:] when the value
// was wrapped or folded: a next line indented deeper than line (the
// trailer's own) continues the value as in git; otherwise an empty value
// takes the next line if it is not blank, and a value holding no address
// ('@' or "://") takes the next line when that line starts with '<' or is
// a URL. A next line that is itself "Key: value" is never taken.
func joinWrapped(msg, line string, next int, value string) string {
	raw := strings.TrimRight(msg[next:nextLine(msg, next)], "\r\n")
	nl := trim(raw)
	if nl == "" {
		return value
	}
	if indentOf(raw) > indentOf(line) {
		if value == "" {
			return nl
		}
		return value + " " + nl
	}
	if strings.Contains(nl, ": ") && findSeparator(nl) >= 1 {
		return value
	}
	switch {
	case value == "":
		return nl
	case strings.Contains(value, "@") || strings.Contains(value, "://"):
		return value
	case strings.HasPrefix(nl, "<") || strings.HasPrefix(nl, "http://") || strings.HasPrefix(nl, "https://"):
		return value + " " + nl
	}
	return value
}

// indentOf returns how many spaces and tabs start s.
func indentOf(s string) int {
	n := 0
	for n < len(s) && (s[n] == ' ' || s[n] == '\t') {
		n++
	}
	return n
}

// isKeyByte reports whether c may be part of a trailer key.
func isKeyByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '-'
}

// asciiLower lower-cases ASCII letters only, keeping every byte offset.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
