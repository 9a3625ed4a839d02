package audit

import (
	"sort"
	"time"

	"github.com/bmatcuk/doublestar/v4"
)

// StatsSchema names the version of the JSON document Stats.WriteJSON
// writes (docs/audit.md, "Statistics as JSON"). It changes when a key
// changes meaning or goes; new keys may appear without a change.
const StatsSchema = "pushguard-stats/2"

// Caps on what Stats keeps of bypasses and weeks.
const (
	// maxRecentBypasses is how many of the latest bypass requests Stats
	// keeps (RecentBypasses).
	maxRecentBypasses = 100
	// maxFilledWeeks bounds the weeks Stats lists with zeros between the
	// first and the last week that had events: an edited log with a time
	// in year 1 must not make a million empty weeks.
	maxFilledWeeks = 1040
)

// Extra are the parts of Stats that show trends and who did what: the
// added lines, the weeks, the blocks per rule, the bypasses. They are
// embedded in Stats, so their keys sit at its top level in JSON.
type Extra struct {
	// Schema is StatsSchema.
	Schema string `json:"schema"`
	// RepoFilter and PlatformFilter are the --repo globs and the
	// --platform that selected the events, when given.
	RepoFilter     []string `json:"repo_filter,omitempty"`
	PlatformFilter string   `json:"platform_filter,omitempty"`
	// Sources are the files read, in the order given (after expanding
	// globs); "-" is standard input. Not in JSON: a report's numbers do
	// not depend on where the files lay.
	Sources []string `json:"-"`
	// AddedLines and AIAddedLines count the lines that the commits counted
	// in Commits added, and those of them added by AI-assisted commits,
	// over the events that carry line counts (LineCountedPushes of them;
	// older events have none). AILineShare is AIAddedLines/AddedLines.
	AddedLines        int     `json:"added_lines"`
	AIAddedLines      int     `json:"ai_added_lines"`
	AILineShare       float64 `json:"ai_line_share"`
	LineCountedPushes int     `json:"line_counted_pushes"`
	// AIWrittenLines sums the events' "ai_written_lines": the added lines
	// that are AI-written by the commits' authorship records (every line
	// of an AI-marked commit without line data), over the same pushes.
	AIWrittenLines int `json:"ai_written_lines"`
	// Weeks are the ISO weeks from the first event to the last, oldest
	// first, each with its numbers (weeks without events included, as
	// zeros, up to 1,040 weeks).
	Weeks []WeekStats `json:"weeks"`
	// Blocks are the rules with blocking findings, most findings first.
	Blocks []BlockStats `json:"blocks_by_rule"`
	// RecentBypasses are the latest break-glass requests (used or
	// refused), oldest first, at most 100.
	RecentBypasses []BypassRecord `json:"recent_bypasses"`
	// MalformedWhere gives the first malformed lines as FILE:LINE when
	// several sources were read.
	MalformedWhere []string `json:"malformed_where,omitempty"`

	filter      StatsOptions
	rec         record
	first, last time.Time
	recentSupp  ring[SuppressionRecord]
	recentByp   ring[BypassRecord]
	weeks       map[int]*WeekStats
	blocks      map[string]*BlockStats
	repoMatch   map[string]bool
}

// RepoExtra are the parts of RepoStats beyond the counts of pushes.
type RepoExtra struct {
	// Landed counts accepted pushes the post-receive companion recorded
	// as applied.
	Landed int `json:"landed"`
	// Findings counts every finding of the repository's pushes (all
	// severities, suppressed ones excluded); BlockingFindings those of
	// severity block.
	Findings         int `json:"findings"`
	BlockingFindings int `json:"blocking_findings"`
	// AddedLines, AIAddedLines and AILineShare are as in Extra, for the
	// repository.
	AddedLines   int     `json:"added_lines"`
	AIAddedLines int     `json:"ai_added_lines"`
	AILineShare  float64 `json:"ai_line_share"`
	// Weeks are the ISO weeks in which code entered the repository,
	// oldest first.
	Weeks []RepoWeek `json:"weeks"`
	weeks map[int]*RepoWeek
}

// RepoWeek is the code that entered one repository in one ISO week.
type RepoWeek struct {
	Week      string  `json:"week"`
	Commits   int     `json:"commits"`
	AICommits int     `json:"ai_commits"`
	AIShare   float64 `json:"ai_share"`
	key       int
}

// WeekStats are one ISO week's numbers. Pushes, Rejected, Bypassed and
// Suppressions count the pushes received that week; Commits, AICommits,
// the lines and Tools the code that entered (as Stats.Commits), by the
// week its push was received.
type WeekStats struct {
	// Week is the ISO 8601 week ("2026-W02"); Start its Monday
	// ("2026-01-05").
	Week              string         `json:"week"`
	Start             string         `json:"start"`
	Pushes            int            `json:"pushes"`
	Rejected          int            `json:"rejected"`
	Landed            int            `json:"landed"`
	RefusedByPlatform int            `json:"refused_by_platform"`
	Bypassed          int            `json:"bypassed"`
	Suppressions      int            `json:"suppressions"`
	Commits           int            `json:"commits"`
	AICommits         int            `json:"ai_commits"`
	AIShare           float64        `json:"ai_share"`
	AddedLines        int            `json:"added_lines"`
	AIAddedLines      int            `json:"ai_added_lines"`
	AILineShare       float64        `json:"ai_line_share"`
	Tools             map[string]int `json:"ai_tools"`
	key               int
}

// BlockStats is how often one rule's blocking findings stopped pushes.
type BlockStats struct {
	Rule string `json:"rule"`
	// Findings counts its findings of severity block; Pushes the pushes
	// that had any; Rejected those pushes pushguard rejected, Bypassed
	// those let through by a bypass, AuditMode those in audit mode.
	Findings  int `json:"findings"`
	Pushes    int `json:"pushes"`
	Rejected  int `json:"rejected"`
	Bypassed  int `json:"bypassed"`
	AuditMode int `json:"audit_mode"`
}

// BypassRecord is one break-glass request with the push it came in.
type BypassRecord struct {
	Time     string `json:"time"`
	Repo     string `json:"repo"`
	Pusher   string `json:"pusher"`
	Decision string `json:"decision"`
	Bypass
}

// ring keeps the last n values added, oldest first.
type ring[T any] struct {
	buf  []T
	next int
}

func (r *ring[T]) add(v T, n int) {
	if len(r.buf) < n {
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.next] = v
	r.next = (r.next + 1) % n
}

func (r *ring[T]) list() []T {
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

func (s *Stats) initExtra() {
	s.Schema = StatsSchema
	s.weeks = map[int]*WeekStats{}
	s.blocks = map[string]*BlockStats{}
	s.repoMatch = map[string]bool{}
}

// selected reports whether the event passes the --repo and --platform
// filters.
func (s *Stats) selected(r *record) bool {
	if s.filter.Platform != "" && r.Platform != s.filter.Platform {
		return false
	}
	if len(s.filter.Repos) == 0 {
		return true
	}
	ok, seen := s.repoMatch[r.Repo]
	if !seen {
		for _, g := range s.filter.Repos {
			if m, _ := doublestar.Match(g, r.Repo); m {
				ok = true
				break
			}
		}
		s.repoMatch[r.Repo] = ok
	}
	return ok
}

// week returns the ISO week of t, created on first use.
func (s *Stats) week(t time.Time) *WeekStats {
	y, w := t.UTC().ISOWeek()
	k := y*100 + w
	ws := s.weeks[k]
	if ws == nil {
		ws = newWeek(y, w)
		s.weeks[k] = ws
	}
	return ws
}

// newWeek returns the empty week w of ISO year y.
func newWeek(y, w int) *WeekStats {
	return &WeekStats{Week: isoWeekName(y, w), Start: isoMonday(y, w).Format("2006-01-02"), Tools: map[string]int{}, key: y*100 + w}
}

func isoWeekName(y, w int) string {
	b := make([]byte, 0, 9)
	b = appendPadded(b, y, 4)
	b = append(b, '-', 'W')
	return string(appendPadded(b, w, 2))
}

func appendPadded(b []byte, n, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	digits := []byte{}
	for n > 0 || len(digits) == 0 {
		digits = append(digits, byte('0'+n%10))
		n /= 10
	}
	for i := len(digits); i < width; i++ {
		b = append(b, '0')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		b = append(b, digits[i])
	}
	return b
}

// isoMonday is the Monday of ISO week w of year y.
func isoMonday(y, w int) time.Time {
	// January 4th is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	wd := (int(jan4.Weekday()) + 6) % 7 // Monday = 0
	return jan4.AddDate(0, 0, -wd+(w-1)*7)
}

// addExtra counts what the dashboard needs of one push event.
func (s *Stats) addExtra(r *record, repo *RepoStats, week *WeekStats, t time.Time) {
	week.Pushes++
	rejected := r.Decision == DecisionRejected || r.Decision == DecisionInterrupted
	if rejected {
		week.Rejected++
	}
	used := r.Bypass != nil && r.Bypass.Used
	if used {
		week.Bypassed++
	}
	week.Suppressions += len(r.Suppressions) + min(max(r.SuppressionsOmitted, 0), maxOmitted)
	seen := map[string]bool{}
	for _, f := range r.Findings {
		repo.Findings += f.Count
		if f.Severity != SeverityBlock || f.Count <= 0 {
			continue
		}
		repo.BlockingFindings += f.Count
		b := s.blocks[f.Rule]
		if b == nil {
			b = &BlockStats{Rule: f.Rule}
			s.blocks[f.Rule] = b
		}
		b.Findings += f.Count
		if seen[f.Rule] {
			continue
		}
		seen[f.Rule] = true
		b.Pushes++
		switch {
		case rejected:
			b.Rejected++
		case used:
			b.Bypassed++
		}
		if r.Mode == ModeAudit {
			b.AuditMode++
		}
	}
	if r.Bypass != nil {
		s.recentByp.add(BypassRecord{Time: r.Time, Repo: r.Repo, Pusher: r.Pusher, Decision: r.Decision, Bypass: *r.Bypass}, maxRecentBypasses)
	}
	if r.AddedLines > 0 || r.AIAddedLines > 0 {
		s.LineCountedPushes++
	}
}

// addLines counts the lines and the week's share of a push whose code
// entered.
func (s *Stats) addLines(c commitCounts, repo *RepoStats) {
	s.AddedLines += c.lines
	s.AIAddedLines += c.aiLines
	s.AIWrittenLines += c.aiWritten
	repo.AddedLines += c.lines
	repo.AIAddedLines += c.aiLines
	if w := c.week; w != nil && c.commits > 0 {
		if repo.weeks == nil {
			repo.weeks = map[int]*RepoWeek{}
		}
		rw := repo.weeks[w.key]
		if rw == nil {
			rw = &RepoWeek{Week: w.Week, key: w.key}
			repo.weeks[w.key] = rw
		}
		rw.Commits += c.commits
		rw.AICommits += c.aiCommits
	}
	if w := c.week; w != nil {
		w.Commits += c.commits
		w.AICommits += c.aiCommits
		w.AddedLines += c.lines
		w.AIAddedLines += c.aiLines
		for tool, n := range c.tools {
			w.Tools[tool] += n
		}
	}
}

// finishExtra sorts the weeks and blocks and computes the shares.
func (s *Stats) finishExtra() {
	s.AILineShare = share(s.AIAddedLines, s.AddedLines)
	if len(s.filter.Repos) > 0 {
		s.RepoFilter = append([]string(nil), s.filter.Repos...)
	}
	s.PlatformFilter = s.filter.Platform
	for _, r := range s.repos {
		r.AILineShare = share(r.AIAddedLines, r.AddedLines)
		r.Weeks = make([]RepoWeek, 0, len(r.weeks))
		for _, w := range r.weeks {
			w.AIShare = share(w.AICommits, w.Commits)
			r.Weeks = append(r.Weeks, *w)
		}
		sort.Slice(r.Weeks, func(i, j int) bool { return r.Weeks[i].key < r.Weeks[j].key })
	}
	s.Weeks = []WeekStats{}
	keys := make([]int, 0, len(s.weeks))
	for k := range s.weeks {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	if len(keys) > 0 {
		// Fill the weeks without events, so that a chart's axis is time.
		first, last := s.weeks[keys[0]], s.weeks[keys[len(keys)-1]]
		start, _ := time.Parse("2006-01-02", first.Start)
		end, _ := time.Parse("2006-01-02", last.Start)
		if n := int(end.Sub(start).Hours()/(24*7)) + 1; n <= maxFilledWeeks && n > len(keys) {
			for d := start; !d.After(end); d = d.AddDate(0, 0, 7) {
				y, w := d.ISOWeek()
				if s.weeks[y*100+w] == nil {
					s.weeks[y*100+w] = newWeek(y, w)
					keys = append(keys, y*100+w)
				}
			}
			sort.Ints(keys)
		}
	}
	for _, k := range keys {
		w := s.weeks[k]
		w.AIShare = share(w.AICommits, w.Commits)
		w.AILineShare = share(w.AIAddedLines, w.AddedLines)
		s.Weeks = append(s.Weeks, *w)
	}
	s.Blocks = []BlockStats{}
	for _, b := range s.blocks {
		s.Blocks = append(s.Blocks, *b)
	}
	sort.Slice(s.Blocks, func(i, j int) bool {
		a, b := s.Blocks[i], s.Blocks[j]
		if a.Findings != b.Findings {
			return a.Findings > b.Findings
		}
		return a.Rule < b.Rule
	})
	s.RecentBypasses = s.recentByp.list()
}

// parseTime reads an event's time.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
