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
)

// DefaultTop is how many rules Stats lists by default.
const DefaultTop = 10

// maxLine bounds one audit log line read by ComputeStats; longer lines are
// counted as malformed.
const maxLine = 4 << 20

// StatsOptions select and shape the summary.
type StatsOptions struct {
	// Since skips events before it (zero: all).
	Since time.Time
	// Top is how many rules TopRules lists (0: DefaultTop, <0: all).
	Top int
}

// Stats summarises an audit log: what was pushed, what was stopped, and
// how much AI-assisted code entered. Commit counts and AI shares are over
// the pushes that were accepted (the code that entered); rejected pushes
// count as pushes and rejections only.
type Stats struct {
	Since    string `json:"since,omitempty"` // RFC 3339, when given
	Pushes   int    `json:"pushes"`
	Rejected int    `json:"rejected"`
	Warned   int    `json:"accepted_with_warnings"`
	// AuditWouldReject counts audit-mode pushes with blocking findings:
	// what enforce mode would have rejected.
	AuditWouldReject int `json:"audit_would_reject"`
	Bypassed         int `json:"bypassed"`
	BypassRefused    int `json:"bypass_refused"`
	Errors           int `json:"errors"`
	// Commits and AICommits count new commits of accepted pushes; AIShare
	// is AICommits/Commits (0 to 1, four decimals).
	Commits   int         `json:"commits"`
	AICommits int         `json:"ai_commits"`
	AIShare   float64     `json:"ai_share"`
	Tools     []ToolStats `json:"ai_tools"`
	Repos     []RepoStats `json:"repositories"`
	TopRules  []RuleStats `json:"top_rules"`
	Malformed int         `json:"malformed_lines"`
	FirstTime string      `json:"first_event,omitempty"`
	LastTime  string      `json:"last_event,omitempty"`
	repos     map[string]*RepoStats
	tools     map[string]int
	rules     map[[2]string]*RuleStats
}

// ToolStats is one AI tool's commits among the accepted commits.
type ToolStats struct {
	Tool    string  `json:"tool"`
	Commits int     `json:"commits"`
	Share   float64 `json:"share"`
}

// RepoStats is one repository's line of the summary.
type RepoStats struct {
	Repo      string         `json:"repo"`
	Pushes    int            `json:"pushes"`
	Rejected  int            `json:"rejected"`
	Warned    int            `json:"accepted_with_warnings"`
	Bypassed  int            `json:"bypassed"`
	Commits   int            `json:"commits"`
	AICommits int            `json:"ai_commits"`
	AIShare   float64        `json:"ai_share"`
	Tools     map[string]int `json:"ai_tools"`
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
	Time       string         `json:"time"`
	Repo       string         `json:"repo"`
	NewCommits int            `json:"new_commits"`
	AICommits  int            `json:"ai_commits"`
	AITools    map[string]int `json:"ai_tools"`
	Findings   []FindingCount `json:"findings"`
	Decision   string         `json:"decision"`
	Mode       string         `json:"mode"`
	Bypass     *Bypass        `json:"bypass"`
	Error      string         `json:"error"`
}

// ComputeStats reads an audit log (JSON lines) and summarises it. Blank
// lines are ignored; lines that are not audit events (not JSON, no time or
// decision, too long) are counted in Malformed and skipped. Only a read
// error fails.
func ComputeStats(r io.Reader, opts StatsOptions) (*Stats, error) {
	s := &Stats{repos: map[string]*RepoStats{}, tools: map[string]int{}, rules: map[[2]string]*RuleStats{}}
	if !opts.Since.IsZero() {
		s.Since = opts.Since.UTC().Format(time.RFC3339)
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var first, last time.Time
	for {
		line, tooLong, err := readLine(br)
		if len(line) > 0 || tooLong {
			switch t, ok := s.add(line, tooLong, opts.Since); {
			case !ok:
				s.Malformed++
			case !t.IsZero():
				if first.IsZero() || t.Before(first) {
					first = t
				}
				if t.After(last) {
					last = t
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
	}
	if !first.IsZero() {
		s.FirstTime, s.LastTime = first.UTC().Format(TimeFormat), last.UTC().Format(TimeFormat)
	}
	s.finish(opts.Top)
	return s, nil
}

// readLine returns the next line without its newline; tooLong reports a
// line over maxLine, which is consumed and not returned.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			buf = append(buf, chunk...)
			if len(buf) > maxLine {
				tooLong, buf = true, nil
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSpace(buf), tooLong, err
	}
}

// add counts one line. It returns the event's time (zero when skipped by
// since) and whether the line is an audit event.
func (s *Stats) add(line []byte, tooLong bool, since time.Time) (time.Time, bool) {
	if tooLong || len(line) == 0 || line[0] != '{' {
		return time.Time{}, false
	}
	var r record
	if err := json.Unmarshal(line, &r); err != nil || r.Decision == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, r.Time)
	if err != nil {
		return time.Time{}, false
	}
	if !since.IsZero() && t.Before(since) {
		return time.Time{}, true
	}
	repo := s.repos[r.Repo]
	if repo == nil {
		repo = &RepoStats{Repo: r.Repo, Tools: map[string]int{}}
		s.repos[r.Repo] = repo
	}
	s.Pushes++
	repo.Pushes++
	switch r.Decision {
	case DecisionRejected:
		s.Rejected++
		repo.Rejected++
	case DecisionWarned:
		s.Warned++
		repo.Warned++
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
	if r.Decision != DecisionRejected {
		s.Commits += r.NewCommits
		s.AICommits += r.AICommits
		repo.Commits += r.NewCommits
		repo.AICommits += r.AICommits
		for tool, n := range r.AITools {
			s.tools[tool] += n
			repo.Tools[tool] += n
		}
	}
	return t, true
}

// finish sorts the tables and computes the shares.
func (s *Stats) finish(top int) {
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
	if s.Malformed > 0 {
		fmt.Fprintf(&b, "(%d malformed line(s) skipped)\n", s.Malformed)
	}
	b.WriteString("\nPushes\n")
	for _, row := range []struct {
		label string
		n     int
	}{
		{"total", s.Pushes},
		{"rejected", s.Rejected},
		{"accepted with warnings", s.Warned},
		{"would be rejected (audit mode)", s.AuditWouldReject},
		{"bypassed", s.Bypassed},
		{"bypass refused", s.BypassRefused},
		{"errors", s.Errors},
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
		fmt.Fprintf(tw, "  REPOSITORY\tPUSHES\tREJECTED\tWARNED\tBYPASSED\tCOMMITS\tAI\tAI SHARE\tTOOLS\n")
		for _, r := range s.Repos {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", clean(r.Repo, 80), r.Pushes, r.Rejected, r.Warned,
				r.Bypassed, r.Commits, r.AICommits, percent(r.AIShare), toolList(r.Tools))
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
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write statistics: %w", err)
	}
	return nil
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
