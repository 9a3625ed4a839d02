package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bmatcuk/doublestar/v4"
)

// DefaultTop is how many rules Stats lists by default.
const DefaultTop = 10

// maxLine bounds one audit log line read by ComputeStats; longer lines are
// counted as malformed. An event lists every ref update, so a mirror push
// of many thousands of refs makes a line of several MB.
const maxLine = 64 << 20

// Caps on what Stats keeps of suppressions.
const (
	// maxRecentSuppressions is how many of the latest suppressions Stats
	// keeps (RecentSuppressions); WriteText shows textSuppressions of them.
	maxRecentSuppressions = 100
	textSuppressions      = 20
	// maxPushersPerRule is how many distinct pushers a suppressed rule
	// lists.
	maxPushersPerRule = 20
	// maxMalformedAt is how many malformed line numbers Stats keeps.
	maxMalformedAt = 20
	// maxOmitted bounds what one event's suppressions_omitted adds, so
	// that an edited log cannot overflow the total.
	maxOmitted = 1 << 32
)

// StatsOptions select and shape the summary.
type StatsOptions struct {
	// Since skips events before it (zero: all).
	Since time.Time
	// Top is how many rules TopRules lists (0: DefaultTop, <0: all).
	Top int
	// Repos, when not empty, keeps only the events of repositories that
	// match one of these globs (doublestar syntax: "platform/**",
	// "*/api").
	Repos []string
	// Platform, when set, keeps only the events of that platform (gitlab,
	// gitea, ghes, git).
	Platform string
}

// Stats summarises an audit log: what was pushed, what was stopped, what
// was suppressed, and how much AI-assisted code entered. Commit counts and
// AI shares are over the pushes that were accepted, with or without
// warnings (the code that entered); rejected and interrupted pushes, and
// decisions this version does not know, count as pushes only.
type Stats struct {
	Since    string `json:"since,omitempty"` // RFC 3339, when given
	Pushes   int    `json:"pushes"`
	Rejected int    `json:"rejected"`
	Warned   int    `json:"accepted_with_warnings"`
	// Interrupted counts hook runs a signal ended (the push was rejected).
	Interrupted int `json:"interrupted"`
	// AuditWouldReject counts audit-mode pushes with blocking findings:
	// what enforce mode would have rejected.
	AuditWouldReject int `json:"audit_would_reject"`
	// Landed counts accepted pushes whose post-receive companion recorded
	// at least one of their ref updates as applied; RefusedByPlatform
	// those it recorded none for (the platform refused them after
	// pushguard: a protected branch, its own hooks); OutcomeUnknown the
	// accepted pushes of repositories without the companion.
	// LandedUnmatched counts landed records with no push event before
	// them (an older log, --since).
	Landed            int `json:"landed"`
	RefusedByPlatform int `json:"refused_by_platform"`
	OutcomeUnknown    int `json:"outcome_unknown"`
	LandedUnmatched   int `json:"landed_unmatched"`
	Bypassed          int `json:"bypassed"`
	BypassRefused     int `json:"bypass_refused"`
	Errors            int `json:"errors"`
	// Commits and AICommits count new commits of accepted pushes (of
	// those that landed, where the post-receive companion tells); AIShare
	// is AICommits/Commits (0 to 1, four decimals).
	Commits   int         `json:"commits"`
	AICommits int         `json:"ai_commits"`
	AIShare   float64     `json:"ai_share"`
	Tools     []ToolStats `json:"ai_tools"`
	Repos     []RepoStats `json:"repositories"`
	TopRules  []RuleStats `json:"top_rules"`
	// Suppressions counts the findings inline directives suppressed,
	// including those an event only counted (over its list's cap);
	// SuppressedRules breaks the listed ones down per rule, most first;
	// RecentSuppressions are the latest listed ones, oldest first.
	Suppressions       int                 `json:"suppressions"`
	SuppressedRules    []SuppressedRule    `json:"suppressed_rules"`
	RecentSuppressions []SuppressionRecord `json:"recent_suppressions"`
	// Malformed counts the lines that are not audit events; MalformedAt
	// gives the first line numbers (1-based). Recovered counts events
	// found intact at the end of a malformed line: a fragment that an
	// older pushguard left on a full disk, with the next event glued to
	// it.
	Malformed   int    `json:"malformed_lines"`
	MalformedAt []int  `json:"malformed_at,omitempty"`
	Recovered   int    `json:"recovered_events"`
	FirstTime   string `json:"first_event,omitempty"`
	LastTime    string `json:"last_event,omitempty"`
	Extra
	repos      map[string]*RepoStats
	tools      map[string]int
	rules      map[[2]string]*RuleStats
	suppressed map[string]*suppressedRule
	// pending are accepted pushes whose landing the companion will tell,
	// by (repo, ref, old, new); landing adds their commits.
	pending map[refKey][]*pendingPush
	waiting []*pendingPush
}

// refKey links a landed ref update to the push event that announced it.
type refKey struct{ repo, ref, old, new string }

// pendingPush is an accepted push event waiting for its landed record.
type pendingPush struct {
	time   time.Time
	c      commitCounts
	repo   *RepoStats
	keys   []refKey
	landed bool
}

// unpend removes the i-th push waiting for ref update k.
func (s *Stats) unpend(k refKey, i int) {
	list := s.pending[k]
	if len(list) == 1 {
		delete(s.pending, k)
		return
	}
	s.pending[k] = append(list[:i:i], list[i+1:]...)
}

// prune settles the pushes waiting for their landed record since before
// cut (all of them when cut is zero): those that did not land were
// refused by the platform. Lines come in time order, give or take what a
// long hook run delays, and a landed record comes within landingWindow of
// its push: pruning two windows behind the latest event keeps the memory
// of a million-event log to a few hours of pushes.
func (s *Stats) prune(cut time.Time) {
	n := 0
	for _, p := range s.waiting {
		if !cut.IsZero() && !p.time.Before(cut) {
			break
		}
		n++
		if p.landed {
			continue
		}
		s.RefusedByPlatform++
		p.repo.RefusedByPlatform++
		p.c.week.RefusedByPlatform++
		for _, k := range p.keys {
			list := s.pending[k]
			for i := len(list) - 1; i >= 0; i-- {
				if list[i] == p {
					s.unpend(k, i)
					break
				}
			}
		}
	}
	s.waiting = append(s.waiting[:0:0], s.waiting[n:]...)
}

// commitCounts is what a push brings in, kept while its landing is
// pending.
type commitCounts struct {
	commits, aiCommits, lines, aiLines int
	aiWritten                          int
	tools                              map[string]int
	week                               *WeekStats
}

// SuppressedRule is how often one rule's findings were suppressed, and by
// whom.
type SuppressedRule struct {
	Rule   string `json:"rule"`
	Count  int    `json:"count"`
	Pushes int    `json:"pushes"`
	// Pushers are the distinct pushers, sorted (at most 20).
	Pushers []string `json:"pushers"`
}

type suppressedRule struct {
	SuppressedRule
	pushers map[string]bool
}

// SuppressionRecord is one suppression with the push it came in.
type SuppressionRecord struct {
	Time string `json:"time"`
	Repo string `json:"repo"`
	Suppression
}

// ToolStats is one AI tool's commits among the accepted commits.
type ToolStats struct {
	Tool    string  `json:"tool"`
	Commits int     `json:"commits"`
	Share   float64 `json:"share"`
}

// RepoStats is one repository's line of the summary.
type RepoStats struct {
	Repo        string `json:"repo"`
	Pushes      int    `json:"pushes"`
	Rejected    int    `json:"rejected"`
	Warned      int    `json:"accepted_with_warnings"`
	Interrupted int    `json:"interrupted"`
	// RefusedByPlatform counts accepted pushes the platform refused after
	// pushguard (see Stats.RefusedByPlatform).
	RefusedByPlatform int            `json:"refused_by_platform"`
	Bypassed          int            `json:"bypassed"`
	Suppressions      int            `json:"suppressions"`
	Commits           int            `json:"commits"`
	AICommits         int            `json:"ai_commits"`
	AIShare           float64        `json:"ai_share"`
	Tools             map[string]int `json:"ai_tools"`
	RepoExtra
}

// RuleStats is how often one rule fired (at one severity).
type RuleStats struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Findings int    `json:"findings"`
	Pushes   int    `json:"pushes"`
}

// record is an audit line as read back: only what Stats needs, and
// tolerant of keys it does not know.
type record struct {
	Time                string         `json:"time"`
	Repo                string         `json:"repo"`
	Pusher              string         `json:"pusher"`
	NewCommits          int            `json:"new_commits"`
	AICommits           int            `json:"ai_commits"`
	AITools             map[string]int `json:"ai_tools"`
	Findings            []FindingCount `json:"findings"`
	Suppressions        []Suppression  `json:"suppressions"`
	SuppressionsOmitted int            `json:"suppressions_omitted"`
	Decision            string         `json:"decision"`
	Mode                string         `json:"mode"`
	Bypass              *Bypass        `json:"bypass"`
	Error               string         `json:"error"`
	Event               string         `json:"event"`
	Refs                []Ref          `json:"refs"`
	PostReceive         bool           `json:"post_receive"`
	Platform            string         `json:"platform"`
	AddedLines          int            `json:"added_lines"`
	AIAddedLines        int            `json:"ai_added_lines"`
	AIWrittenLines      int            `json:"ai_written_lines"`
	// strs interns repeated strings across the records of one summary
	// (decodeRecord).
	strs map[string]string
}

// ComputeStats reads an audit log (JSON lines) and summarises it. Blank
// lines are ignored; lines that are not audit events (not JSON, no time or
// decision, too long) are counted in Malformed, with their line numbers in
// MalformedAt, and skipped: one bad line never hides the others. An event
// found intact at the end of a malformed line is counted too (Recovered).
// Only a read error fails.
func ComputeStats(r io.Reader, opts StatsOptions) (*Stats, error) {
	return ComputeStatsSources([]Source{{R: r}}, opts)
}

// newStats returns an empty summary for opts.
func newStats(opts StatsOptions) (*Stats, error) {
	s := &Stats{repos: map[string]*RepoStats{}, tools: map[string]int{}, rules: map[[2]string]*RuleStats{},
		suppressed: map[string]*suppressedRule{}, RecentSuppressions: []SuppressionRecord{}, pending: map[refKey][]*pendingPush{}}
	s.initExtra()
	if !opts.Since.IsZero() {
		s.Since = opts.Since.UTC().Format(time.RFC3339)
	}
	for _, g := range opts.Repos {
		if !doublestar.ValidatePattern(g) {
			return nil, fmt.Errorf("--repo %q: not a valid glob", g)
		}
	}
	s.filter = opts
	return s, nil
}

// line counts one line of source name (line number n), malformed or not.
func (s *Stats) line(name string, n int, line []byte, tooLong bool) {
	t, ok := s.add(line, tooLong, s.filter.Since)
	if !ok {
		s.Malformed++
		if len(s.MalformedAt) < maxMalformedAt {
			s.MalformedAt = append(s.MalformedAt, n)
			if name != "" {
				s.MalformedWhere = append(s.MalformedWhere, name+":"+strconv.Itoa(n))
			}
		}
		if i := bytes.LastIndex(line, eventStart); i > 0 && !tooLong {
			if t, ok = s.add(line[i:], false, s.filter.Since); ok {
				s.Recovered++
			}
		}
	}
	if ok && !t.IsZero() {
		if s.first.IsZero() || t.Before(s.first) {
			s.first = t
		}
		if t.After(s.last) {
			s.last = t
		}
	}
}

// done computes the totals once every line is counted.
func (s *Stats) done() {
	if !s.first.IsZero() {
		s.FirstTime, s.LastTime = s.first.UTC().Format(TimeFormat), s.last.UTC().Format(TimeFormat)
	}
	s.finish(s.filter.Top)
}

// readLine returns the next line without its newline; tooLong reports a
// line over maxLine, which is consumed and not returned. The line is valid
// until the next call with the same buf, which it reuses: a line that fits
// in the reader's buffer is not copied at all.
func readLine(br *bufio.Reader, buf *[]byte) (line []byte, tooLong bool, err error) {
	chunk, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return bytes.TrimSpace(chunk), false, err
	}
	b := append((*buf)[:0], chunk...)
	for {
		chunk, err = br.ReadSlice('\n')
		if !tooLong {
			b = append(b, chunk...)
			if len(b) > maxLine {
				tooLong, b = true, b[:0]
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if cap(b) <= 1<<20 {
			*buf = b // keep up to 1 MiB for the next long line
		}
		if tooLong {
			return nil, true, err
		}
		return bytes.TrimSpace(b), false, err
	}
}

// eventStart is how every event pushguard writes begins. It cannot occur
// inside a JSON string (its quotes would be escaped), so in a malformed line
// it marks the start of an event glued to a fragment.
var eventStart = []byte(`{"time":"`)

// add counts one line. It returns the event's time (zero when skipped by
// since) and whether the line is an audit event.
func (s *Stats) add(line []byte, tooLong bool, since time.Time) (time.Time, bool) {
	if tooLong || len(line) == 0 || line[0] != '{' {
		return time.Time{}, false
	}
	r := &s.rec
	if err := decodeRecord(line, r); err != nil || (r.Decision == "") == (r.Event == "") {
		return time.Time{}, false
	}
	t, err := parseTime(r.Time)
	if err != nil {
		return time.Time{}, false
	}
	if r.Event != "" {
		if r.Event != EventLanded {
			return time.Time{}, false
		}
		if (!since.IsZero() && t.Before(since)) || !s.selected(r) {
			return time.Time{}, true
		}
		s.land(r, t)
		return t, true
	}
	if (!since.IsZero() && t.Before(since)) || !s.selected(r) {
		return time.Time{}, true
	}
	week := s.week(t)
	repo := s.repos[r.Repo]
	if repo == nil {
		repo = &RepoStats{Repo: r.Repo, Tools: map[string]int{}}
		s.repos[r.Repo] = repo
	}
	s.Pushes++
	repo.Pushes++
	accepted := false
	switch r.Decision {
	case DecisionRejected:
		s.Rejected++
		repo.Rejected++
	case DecisionInterrupted:
		s.Interrupted++
		repo.Interrupted++
	case DecisionWarned:
		s.Warned++
		repo.Warned++
		accepted = true
	case DecisionAccepted:
		accepted = true
	}
	if r.Bypass != nil {
		if r.Bypass.Used {
			s.Bypassed++
			repo.Bypassed++
		} else {
			s.BypassRefused++
		}
	}
	if r.Error != "" {
		s.Errors++
	}
	blocking := false
	for _, f := range r.Findings {
		if f.Severity == SeverityBlock && f.Count > 0 {
			blocking = true
		}
		k := [2]string{f.Rule, f.Severity}
		rs := s.rules[k]
		if rs == nil {
			rs = &RuleStats{Rule: f.Rule, Severity: f.Severity}
			s.rules[k] = rs
		}
		rs.Findings += f.Count
		rs.Pushes++
	}
	if r.Mode == ModeAudit && blocking {
		s.AuditWouldReject++
	}
	s.addSuppressions(r, repo)
	s.addExtra(r, repo, week, t)
	switch {
	case accepted && r.PostReceive:
		// Counted when the companion says it landed.
		p := &pendingPush{time: t, c: counts(r, week), repo: repo}
		s.waiting = append(s.waiting, p)
		for _, ref := range r.Refs {
			k := refKey{r.Repo, ref.Name, ref.Old, ref.New}
			p.keys = append(p.keys, k)
			s.pending[k] = append(s.pending[k], p)
		}
		if len(s.waiting)%1024 == 0 {
			s.prune(s.last.Add(-2 * landingWindow))
		}
	case accepted:
		s.OutcomeUnknown++
		s.addCommits(counts(r, week), repo)
	}
	return t, true
}

// landingWindow is how long after its push event a landed record may come
// to be linked to it.
const landingWindow = time.Hour

// land links a landed record to the latest accepted push event, not yet
// linked, that announced one of its ref updates within landingWindow
// before it, and counts that push's commits once.
func (s *Stats) land(r *record, t time.Time) {
	matched := false
	for _, ref := range r.Refs {
		k := refKey{r.Repo, ref.Name, ref.Old, ref.New}
		list := s.pending[k]
		for i := len(list) - 1; i >= 0; i-- {
			p := list[i]
			if p.time.After(t.Add(time.Second)) || t.Sub(p.time) > landingWindow {
				continue
			}
			s.unpend(k, i)
			matched = true
			if !p.landed {
				p.landed = true
				s.Landed++
				p.repo.Landed++
				p.c.week.Landed++
				s.addCommits(p.c, p.repo)
			}
			break
		}
	}
	if !matched {
		s.LandedUnmatched++
	}
}

// counts copies what a push brings in.
func counts(r *record, week *WeekStats) commitCounts {
	c := commitCounts{commits: r.NewCommits, aiCommits: r.AICommits, lines: r.AddedLines, aiLines: r.AIAddedLines, aiWritten: r.AIWrittenLines, week: week}
	if len(r.AITools) > 0 {
		c.tools = make(map[string]int, len(r.AITools))
		for t, n := range r.AITools {
			c.tools[t] = n
		}
	}
	return c
}

// addCommits counts the commits of a push that entered the repository.
func (s *Stats) addCommits(c commitCounts, repo *RepoStats) {
	s.Commits += c.commits
	s.AICommits += c.aiCommits
	repo.Commits += c.commits
	repo.AICommits += c.aiCommits
	for tool, n := range c.tools {
		s.tools[tool] += n
		repo.Tools[tool] += n
	}
	s.addLines(c, repo)
}

// addSuppressions counts an event's suppressions.
func (s *Stats) addSuppressions(r *record, repo *RepoStats) {
	n := len(r.Suppressions) + min(max(r.SuppressionsOmitted, 0), maxOmitted)
	s.Suppressions += n
	repo.Suppressions += n
	seen := map[string]bool{}
	for _, sp := range r.Suppressions {
		if sp.Pusher == "" {
			sp.Pusher = r.Pusher
		}
		sr := s.suppressed[sp.Rule]
		if sr == nil {
			sr = &suppressedRule{SuppressedRule: SuppressedRule{Rule: sp.Rule}, pushers: map[string]bool{}}
			s.suppressed[sp.Rule] = sr
		}
		sr.Count++
		if !seen[sp.Rule] {
			seen[sp.Rule] = true
			sr.Pushes++
		}
		sr.pushers[sp.Pusher] = true
		s.recentSupp.add(SuppressionRecord{Time: r.Time, Repo: r.Repo, Suppression: sp}, maxRecentSuppressions)
	}
}

// finish sorts the tables and computes the shares.
func (s *Stats) finish(top int) {
	s.prune(time.Time{})
	s.RecentSuppressions = s.recentSupp.list()
	s.finishExtra()
	s.SuppressedRules = []SuppressedRule{}
	for _, sr := range s.suppressed {
		sr.Pushers = make([]string, 0, len(sr.pushers))
		for p := range sr.pushers {
			sr.Pushers = append(sr.Pushers, p)
		}
		sort.Strings(sr.Pushers)
		if len(sr.Pushers) > maxPushersPerRule {
			sr.Pushers = sr.Pushers[:maxPushersPerRule]
		}
		s.SuppressedRules = append(s.SuppressedRules, sr.SuppressedRule)
	}
	sort.Slice(s.SuppressedRules, func(i, j int) bool {
		a, b := s.SuppressedRules[i], s.SuppressedRules[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Rule < b.Rule
	})
	s.AIShare = share(s.AICommits, s.Commits)
	s.Tools = []ToolStats{}
	for tool, n := range s.tools {
		s.Tools = append(s.Tools, ToolStats{Tool: tool, Commits: n, Share: share(n, s.Commits)})
	}
	sort.Slice(s.Tools, func(i, j int) bool {
		a, b := s.Tools[i], s.Tools[j]
		if a.Commits != b.Commits {
			return a.Commits > b.Commits
		}
		return a.Tool < b.Tool
	})
	s.Repos = []RepoStats{}
	for _, r := range s.repos {
		r.AIShare = share(r.AICommits, r.Commits)
		s.Repos = append(s.Repos, *r)
	}
	sort.Slice(s.Repos, func(i, j int) bool {
		a, b := s.Repos[i], s.Repos[j]
		if a.Pushes != b.Pushes {
			return a.Pushes > b.Pushes
		}
		return a.Repo < b.Repo
	})
	s.TopRules = []RuleStats{}
	for _, r := range s.rules {
		s.TopRules = append(s.TopRules, *r)
	}
	sort.Slice(s.TopRules, func(i, j int) bool {
		a, b := s.TopRules[i], s.TopRules[j]
		if a.Findings != b.Findings {
			return a.Findings > b.Findings
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Severity < b.Severity
	})
	if top == 0 {
		top = DefaultTop
	}
	if top > 0 && len(s.TopRules) > top {
		s.TopRules = s.TopRules[:top]
	}
}

// share is n/total rounded to four decimals; 0 when total is 0.
func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(total)*10000) / 10000
}

// WriteJSON writes the summary as an indented JSON document.
func (s *Stats) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("write statistics: %w", err)
	}
	return nil
}

// WriteText writes the summary as tables for a terminal. Repository,
// tool and rule names are escaped.
func (s *Stats) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pushguard audit statistics")
	switch {
	case s.Since != "":
		fmt.Fprintf(&b, " since %s", s.Since)
	case s.FirstTime != "":
		fmt.Fprintf(&b, " from %s to %s", s.FirstTime, s.LastTime)
	}
	b.WriteString("\n")
	if bad := s.BadLines(); bad != "" {
		fmt.Fprintf(&b, "(%s)\n", bad)
	}
	b.WriteString("\nPushes\n")
	for _, row := range []struct {
		label string
		n     int
	}{
		{"total", s.Pushes},
		{"rejected", s.Rejected},
		{"accepted with warnings", s.Warned},
		{"interrupted", s.Interrupted},
		{"landed (post-receive)", s.Landed},
		{"refused by the platform", s.RefusedByPlatform},
		{"accepted, outcome unknown", s.OutcomeUnknown},
		{"would be rejected (audit mode)", s.AuditWouldReject},
		{"bypassed", s.Bypassed},
		{"bypass refused", s.BypassRefused},
		{"errors", s.Errors},
		{"findings suppressed", s.Suppressions},
	} {
		fmt.Fprintf(&b, "  %-32s %6d\n", row.label, row.n)
	}

	fmt.Fprintf(&b, "\nAI-assisted commits (accepted pushes): %d of %d (%s)\n", s.AICommits, s.Commits, percent(s.AIShare))
	if len(s.Tools) > 0 {
		tw := newTable(&b)
		fmt.Fprintf(tw, "  TOOL\tCOMMITS\tSHARE\n")
		for _, t := range s.Tools {
			fmt.Fprintf(tw, "  %s\t%d\t%s\n", clean(t.Tool, 60), t.Commits, percent(t.Share))
		}
		flush(tw)
	}

	if len(s.Repos) > 0 {
		b.WriteString("\nRepositories\n")
		tw := newTable(&b)
		fmt.Fprintf(tw, "  REPOSITORY\tPUSHES\tREJECTED\tINTERRUPTED\tWARNED\tBYPASSED\tSUPPRESSED\tCOMMITS\tAI\tAI SHARE\tTOOLS\n")
		for _, r := range s.Repos {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", clean(r.Repo, 80), r.Pushes, r.Rejected, r.Interrupted,
				r.Warned, r.Bypassed, r.Suppressions, r.Commits, r.AICommits, percent(r.AIShare), toolList(r.Tools))
		}
		flush(tw)
	}

	if len(s.TopRules) > 0 {
		b.WriteString("\nTop rules\n")
		tw := newTable(&b)
		fmt.Fprintf(tw, "  RULE\tSEVERITY\tFINDINGS\tPUSHES\n")
		for _, r := range s.TopRules {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\n", clean(r.Rule, 80), clean(r.Severity, 20), r.Findings, r.Pushes)
		}
		flush(tw)
	}

	if s.Suppressions > 0 {
		fmt.Fprintf(&b, "\nSuppressed findings (inline directives): %d\n", s.Suppressions)
		if listed := sumCounts(s.SuppressedRules); listed < s.Suppressions {
			fmt.Fprintf(&b, "  (%d counted only: over an event's list cap)\n", s.Suppressions-listed)
		}
		tw := newTable(&b)
		fmt.Fprintf(tw, "  RULE\tCOUNT\tPUSHES\tPUSHERS\n")
		for _, r := range s.SuppressedRules {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", clean(r.Rule, 80), r.Count, r.Pushes, nameList(r.Pushers))
		}
		flush(tw)
		recent := s.RecentSuppressions
		if len(recent) > textSuppressions {
			recent = recent[len(recent)-textSuppressions:]
		}
		if len(recent) > 0 {
			fmt.Fprintf(&b, "\nLatest suppressions (%d, oldest first)\n", len(recent))
			tw := newTable(&b)
			fmt.Fprintf(tw, "  TIME\tREPOSITORY\tPUSHER\tRULE\tCOMMIT\tWHERE\tREASON\n")
			for _, r := range recent {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s:%d\t%s\n", clean(r.Time, 40), clean(r.Repo, 60), clean(r.Pusher, 40),
					clean(r.Rule, 60), clean(shortID(r.Commit), 12), clean(r.Path, 80), r.Line, clean(r.Reason, 80))
			}
			flush(tw)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write statistics: %w", err)
	}
	return nil
}

// sumCounts adds up the per-rule suppression counts.
func sumCounts(rules []SuppressedRule) int {
	n := 0
	for _, r := range rules {
		n += r.Count
	}
	return n
}

// shortID is the first 12 characters of an object id.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// nameList renders escaped names separated by commas.
func nameList(names []string) string {
	if len(names) == 0 {
		return "-"
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = clean(n, 40)
	}
	return strings.Join(parts, ", ")
}

// BadLines describes the malformed lines for the admin, or returns "" when
// there were none: "2 malformed line(s) skipped: lines 6, 17; 1 event(s)
// recovered from them" ("…" when more lines were counted than listed).
func (s *Stats) BadLines() string {
	if s.Malformed == 0 {
		return ""
	}
	parts := make([]string, len(s.MalformedAt))
	for i, n := range s.MalformedAt {
		parts[i] = strconv.Itoa(n)
	}
	word := "line "
	if s.Malformed > 1 {
		word = "lines "
	}
	out := fmt.Sprintf("%d malformed line(s) skipped: %s%s", s.Malformed, word, strings.Join(parts, ", "))
	if s.Malformed > len(s.MalformedAt) {
		out += ", …"
	}
	if s.Recovered > 0 {
		out += fmt.Sprintf("; %d event(s) recovered from them", s.Recovered)
	}
	return out
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// flush ends a table; it writes to a strings.Builder, which cannot fail.
func flush(tw *tabwriter.Writer) { _ = tw.Flush() }

func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

// toolList renders "claude 3, copilot 1", most commits first.
func toolList(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	tools := make([]string, 0, len(m))
	for t := range m {
		tools = append(tools, t)
	}
	sort.Slice(tools, func(i, j int) bool {
		if m[tools[i]] != m[tools[j]] {
			return m[tools[i]] > m[tools[j]]
		}
		return tools[i] < tools[j]
	})
	parts := make([]string, len(tools))
	for i, t := range tools {
		parts[i] = clean(t, 40) + " " + strconv.Itoa(m[t])
	}
	return strings.Join(parts, ", ")
}

// ParseSince reads a --since value: a date (2006-01-02, midnight UTC), an
// RFC 3339 time, or an age before now such as 7d, 36h or 90m.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a date (2026-01-31), an RFC 3339 time or an age such as 7d or 12h", s)
}
