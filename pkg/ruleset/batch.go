package ruleset

import (
	"bytes"
	"math"
)

// Keyword scans of many lines at once.
//
// The keyword prefilter (automaton.collect) costs one load per byte that
// depends on the previous one: the DFA's next state. With the thousands of
// provider names of the default rules the DFA table is megabytes, so each
// of those loads waits on the cache, and a scan of one line at a time also
// pays the call and set-up per line. ScanLines scans all the lines a file
// adds at once instead: it copies them into one buffer, one line after
// another with a newline between them (a byte no keyword has, which takes
// the DFA back to its start), cuts the buffer into scanChains parts at line
// boundaries and runs one DFA walk per part, interleaved, so that their
// cache misses overlap. What it finds is exactly what collect finds line
// by line; MatchScanned then runs the rules of one line as MatchLineIn
// does.

// scanChains is the number of interleaved DFA walks of ScanLines.
const scanChains = 4

// scanBatch is the result of the last ScanLines of a LineMatcher.
type scanBatch struct {
	lines [][]byte
	// ok: the lines were scanned (else MatchScanned scans each line).
	ok bool
	// ascii: no line has a byte >= 0x80 (known when ok), checked once for
	// the batch instead of line by line in run.
	ascii bool
	// The slots whose keywords occur in lines[i] are slots[start[i]:start[i+1]],
	// each once, unsorted.
	slots []int32
	start []int32
	buf   []byte
	// events are the scan's raw finds, per chain in order: where in buf a
	// state with outputs was reached, and its mark.
	events [scanChains][]scanEvent
}

// maxKeptBatch bounds the bytes of joined lines a matcher keeps between
// batches (a large file's are dropped).
const maxKeptBatch = 1 << 20

// scanEvent is one state with outputs reached at byte pos of the buffer.
type scanEvent struct {
	pos  int32
	mark int32
}

// ScanLines runs the keyword prefilter over lines at once (the added lines
// of one file, say), for MatchScanned. lines are not copied: they must not
// change until the last MatchScanned call for them. A nil or empty line is
// allowed (a line the caller matches otherwise, such as a very long one).
// ScanLines(nil) ends the batch (and lets go of buffers a large one grew).
func (m *LineMatcher) ScanLines(lines [][]byte) {
	b := &m.batch
	b.lines = lines
	b.ok = false
	if lines == nil {
		// Done with the last batch: keep the buffers for the next one
		// unless a large file made them large.
		if cap(b.buf) > maxKeptBatch {
			b.buf = nil
		}
		if cap(b.start) > maxKeptBatch/64 {
			b.start, b.slots = nil, nil
			b.events = [scanChains][]scanEvent{}
		}
		return
	}
	a := m.idx.ac
	if a == nil || a.class['\n'] != 1 {
		return // no keywords, or one holds a newline: line by line
	}
	total := 0
	for _, l := range lines {
		total += len(l) + 1
	}
	if total > math.MaxInt32 {
		return // positions are int32: line by line
	}
	buf := b.buf[:0]
	if cap(buf) < total {
		buf = make([]byte, 0, total)
	}
	for _, l := range lines {
		buf = append(buf, l...)
		buf = append(buf, '\n')
	}
	b.buf = buf
	b.ascii = isASCII(buf)
	m.dfa.init(a)
	// Cut at line boundaries into parts of about equal size.
	var cut [scanChains + 1]int
	li, off := 0, 0
	for k := 1; k < scanChains; k++ {
		want := total * k / scanChains
		for li < len(lines) && off < want {
			off += len(lines[li]) + 1
			li++
		}
		cut[k] = off
	}
	cut[scanChains] = total
	for k := range b.events {
		b.events[k] = b.events[k][:0]
	}
	m.scanChains(buf, &cut)
	// Gather the finds line by line, each slot once per line. Line li
	// is buf[off:end], its newline at end (no state there has outputs).
	b.slots = b.slots[:0]
	b.start = append(b.start[:0], 0)
	outs := a.outs
	li, off = 0, 0
	end := 0
	if len(lines) > 0 {
		end = len(lines[0])
	}
	m.nextEpoch()
	for k := range b.events {
		for _, ev := range b.events[k] {
			for int(ev.pos) > end {
				b.start = append(b.start, int32(len(b.slots)))
				li++
				off = end + 1
				end = off + len(lines[li])
				m.nextEpoch()
			}
			for j := ev.mark - 1; outs[j] >= 0; j++ {
				if slot := outs[j]; m.seen[slot] != m.epoch {
					m.seen[slot] = m.epoch
					b.slots = append(b.slots, slot)
				}
			}
		}
	}
	for li < len(lines) {
		b.start = append(b.start, int32(len(b.slots)))
		li++
	}
	b.ok = true
}

// scanChains runs the DFA over the parts of buf between the cuts,
// interleaved (their loads do not wait on each other), and records the
// states with outputs they reach. A newline takes every state back to the
// root: no keyword has its class.
func (m *LineMatcher) scanChains(buf []byte, cut *[scanChains + 1]int) {
	a := m.idx.ac
	d := &m.dfa
	var s [scanChains]int
	n := min(cut[1]-cut[0], cut[2]-cut[1], cut[3]-cut[2], cut[4]-cut[3])
	for i := 0; i < n; i++ {
		// The fast walk stops before a byte it cannot take alone.
		i = stepChains(d.t, &d.class, buf, cut, i, n, &s)
		if i == n {
			break
		}
		for k := range scanChains {
			pos := cut[k] + i
			c := int(d.class[buf[pos]])
			v := d.t[s[k]+c]
			if v&entryComputed == 0 {
				v = d.fill(a, s[k], c)
			}
			s[k] = int(v >> entryShift)
			if v&entryOut != 0 {
				m.batch.events[k] = append(m.batch.events[k], scanEvent{int32(pos), int32(d.t[s[k]])})
			}
		}
	}
	// The rest of each part, alone.
	for k := range scanChains {
		m.scanChain(buf, cut[k]+n, cut[k+1], s[k], k)
	}
}

// stepChains is the hot loop of scanChains: it walks the scanChains parts
// of buf from their starts plus i, states in s, as long as every step is in
// t already and reaches no state with outputs, and returns where it
// stopped (n at the end). It calls nothing, so its variables stay in
// registers.
func stepChains(t []uint32, class *[256]uint32, buf []byte, cut *[scanChains + 1]int, i, n int, s *[scanChains]int) int {
	m := n - i
	b0, b1, b2, b3 := buf[cut[0]+i:][:m], buf[cut[1]+i:][:m], buf[cut[2]+i:][:m], buf[cut[3]+i:][:m]
	s0, s1, s2, s3 := s[0], s[1], s[2], s[3]
	j := 0
	for ; j < m; j++ {
		v0 := t[s0+int(class[b0[j]])]
		v1 := t[s1+int(class[b1[j]])]
		v2 := t[s2+int(class[b2[j]])]
		v3 := t[s3+int(class[b3[j]])]
		// An entry not computed yet lacks entryComputed.
		if (v0&v1&v2&v3)&entryComputed == 0 || (v0|v1|v2|v3)&entryOut != 0 {
			break
		}
		s0, s1, s2, s3 = int(v0>>entryShift), int(v1>>entryShift), int(v2>>entryShift), int(v3>>entryShift)
	}
	s[0], s[1], s[2], s[3] = s0, s1, s2, s3
	return i + j
}

// scanChain continues chain k from state s (a row offset) over buf[from:to].
func (m *LineMatcher) scanChain(buf []byte, from, to int, s int, k int) {
	a := m.idx.ac
	d := &m.dfa
	t := d.t
	ev := m.batch.events[k]
	for i := from; i < to; i++ {
		c := int(d.class[buf[i]])
		v := t[s+c]
		if v&entryComputed == 0 {
			v = d.fill(a, s, c)
			t = d.t
		}
		s = int(v >> entryShift)
		if v&entryOut != 0 {
			ev = append(ev, scanEvent{int32(i), int32(t[s])})
		}
	}
	m.batch.events[k] = ev
}

// ScannedContain reports whether sub (which holds no newline) may occur in
// one of the lines of the last ScanLines: false only when it occurs in
// none of them, found with one search of the joined lines (cheaper than
// one per line). It is true when ScanLines did not join them.
func (m *LineMatcher) ScannedContain(sub []byte) bool {
	b := &m.batch
	return !b.ok || bytes.Contains(b.buf, sub)
}

// MatchScanned is MatchLineIn for line i of the last ScanLines (lineNo and
// path as there), with the keywords that scan found.
func (m *LineMatcher) MatchScanned(i int, lineNo int, path []byte, active []bool, fn func(LineMatch)) {
	b := &m.batch
	line := b.lines[i]
	if !b.ok {
		m.MatchLineIn(line, lineNo, path, active, fn)
		return
	}
	idx := m.idx
	m.nextEpoch()
	hits := m.hits[:0]
	for _, slot := range b.slots[b.start[i]:b.start[i+1]] {
		m.seen[slot] = m.epoch
		hits = append(hits, slot)
	}
	if len(path) > 0 {
		hits = idx.ac.collect(path, m.seen, m.epoch, hits, &m.dfa)
	}
	sortSlots(hits)
	m.hits = hits
	m.run(line, lineNo, path, active, fn, hits, b.ascii)
}
