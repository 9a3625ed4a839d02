// Package dashboard renders audit statistics (audit.Stats) as one
// self-contained HTML page for security leaders: what AI-assisted code
// enters, where and by which tools, week by week; what was blocked,
// bypassed and suppressed, and by whom; which repositories have the most
// findings; what landed and what the platform refused.
//
// The page has no script, no external resource (stylesheet, font, image,
// link to fetch) and no URL at all: charts are inline SVG drawn here, the
// style sheet is inline, and every chart has its numbers in a table beside
// it (with a caption and header cells). Every string that came from an
// audit log (repository names, pushers, reasons, rule ids, tools) is
// escaped: made visible where it holds control or invisible characters,
// then HTML-escaped. No template engine is used: the hook's packages must
// not evaluate templates, and this one builds its markup by hand.
package dashboard

import (
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pushguard/pushguard/pkg/audit"
)

// Options shape the page.
type Options struct {
	// Title heads the page (default "pushguard dashboard").
	Title string
	// Generated is shown as the time the report was made (e.g.
	// "2026-01-10T08:00:00Z"); empty: not shown (reproducible output).
	Generated string
	// MaxRows caps the rows of the per-repository tables (default 200;
	// the JSON format has them all).
	MaxRows int
}

// Caps on what a chart draws; its table may list more.
const (
	chartBars   = 20
	defaultRows = 200
	maxLabel    = 28 // runes of a label inside a chart (full text in its table)
)

// Colours, chosen to stay apart for the common colour vision deficiencies,
// each paired with a legend and a table.
const (
	colAI       = "#6741d9"
	colLines    = "#e8590c"
	colLanded   = "#2b8a3e"
	colPlatform = "#f08c00"
	colRejected = "#c92a2a"
	colUnknown  = "#868e96"
	colBar      = "#1971c2"
)

// Render writes the dashboard page for s.
func Render(w io.Writer, s *audit.Stats, opts Options) error {
	if opts.Title == "" {
		opts.Title = "pushguard dashboard"
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = defaultRows
	}
	o := newOut(w)
	o.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	// Nothing on the page may load anything: say so to the browser too.
	o.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; form-action 'none'; base-uri 'none'\">\n")
	o.raw("<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	o.text(opts.Title, 200)
	o.raw("</title>\n<style>\n" + style + "</style>\n</head>\n<body>\n<header>\n<h1>")
	o.text(opts.Title, 200)
	o.raw("</h1>\n")
	header(o, s, opts)
	o.raw("</header>\n<main>\n")
	tiles(o, s)
	aiOverTime(o, s)
	outcomesOverTime(o, s)
	tools(o, s)
	repos(o, s, opts)
	blocks(o, s)
	findingsByRepo(o, s, opts)
	outcomes(o, s)
	bypasses(o, s)
	suppressions(o, s)
	o.raw("</main>\n<footer><p>Made by <code>pushguard stats --format html</code>. The numbers are those of <code>--format json</code> (schema ")
	o.text(s.Schema, 40)
	o.raw(").</p></footer>\n</body>\n</html>\n")
	return o.flush()
}

const style = `:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#212529;background:#f8f9fa}
body{margin:0 auto;max-width:1280px;padding:16px 24px}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:0 0 .6em}h3{font-size:1em;margin:.8em 0 .3em}
header p{margin:.2em 0;color:#495057}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:12px 0}
.tile{background:#fff;border:1px solid #dee2e6;border-radius:6px;padding:8px 12px}
.tile .v{font-size:1.5em;font-weight:600}.tile .k{font-size:.85em;color:#495057}
section{background:#fff;border:1px solid #dee2e6;border-radius:6px;padding:12px 16px;margin:12px 0}
.pair{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.pair svg{flex:0 0 auto;max-width:100%;height:auto}
.tablewrap{flex:1 1 480px;max-height:420px;overflow:auto}
table{border-collapse:collapse;font-size:.85em;width:100%}
caption{text-align:left;font-weight:600;padding:2px 0 6px}
th,td{border-bottom:1px solid #e9ecef;padding:3px 6px;text-align:left;vertical-align:top;white-space:nowrap}
thead th{position:sticky;top:0;background:#f1f3f5}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.heat{max-height:none}.heat td{font-size:.85em;padding:2px 4px}
.wrap{white-space:normal;overflow-wrap:anywhere;max-width:28em;min-width:8em}
.legend{font-size:.85em;margin:4px 0}.legend span{display:inline-block;margin-right:12px}
.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.note{color:#495057;font-size:.85em}
svg text{font-size:11px;fill:#343a40;font-family:inherit}
code{font-size:.9em}
`

// header writes the period, filters and sources.
func header(o *out, s *audit.Stats, opts Options) {
	o.raw("<p>")
	switch {
	case s.FirstTime != "":
		o.raw("Events from <time>")
		o.text(s.FirstTime, 40)
		o.raw("</time> to <time>")
		o.text(s.LastTime, 40)
		o.raw("</time>")
	default:
		o.raw("No events")
	}
	if s.Since != "" {
		o.raw(" (since ")
		o.text(s.Since, 40)
		o.raw(")")
	}
	o.raw(".")
	if len(s.RepoFilter) > 0 {
		o.raw(" Repositories matching ")
		for i, g := range s.RepoFilter {
			if i > 0 {
				o.raw(", ")
			}
			o.raw("<code>")
			o.text(g, 200)
			o.raw("</code>")
		}
		o.raw(".")
	}
	if s.PlatformFilter != "" {
		o.raw(" Platform <code>")
		o.text(s.PlatformFilter, 40)
		o.raw("</code>.")
	}
	o.raw("</p>\n")
	if n := len(s.Sources); n > 0 {
		o.raw("<p>Read from ")
		if n == 1 {
			o.raw("<code>")
			o.text(s.Sources[0], 200)
			o.raw("</code>")
		} else {
			o.num(n)
			o.raw(" audit logs")
		}
		o.raw(".</p>\n")
	}
	if s.Malformed > 0 {
		o.raw("<p class=\"note\">")
		o.text(s.BadLines(), 300)
		o.raw(".</p>\n")
	}
	if opts.Generated != "" {
		o.raw("<p class=\"note\">Generated <time>")
		o.text(opts.Generated, 40)
		o.raw("</time>.</p>\n")
	}
}

// tiles writes the headline numbers.
func tiles(o *out, s *audit.Stats) {
	o.raw("<section aria-labelledby=\"h-summary\"><h2 id=\"h-summary\">Summary</h2>\n<div class=\"tiles\">\n")
	tile := func(v, k string) {
		o.raw("<div class=\"tile\"><div class=\"v\">")
		o.raw(v) // numbers formatted here
		o.raw("</div><div class=\"k\">")
		o.raw(k) // a constant label
		o.raw("</div></div>\n")
	}
	tile(itoa(s.Pushes), "pushes")
	tile(itoa(s.Rejected+s.Interrupted), "rejected by pushguard")
	tile(itoa(s.Landed), "landed")
	tile(itoa(s.RefusedByPlatform), "refused by the platform")
	tile(itoa(s.OutcomeUnknown), "accepted, outcome unknown")
	tile(itoa(s.Commits), "commits entered")
	tile(pct(s.AIShare), "AI-assisted commits")
	if s.AddedLines > 0 {
		tile(pct(s.AILineShare), "AI-assisted added lines")
	}
	tile(itoa(s.Bypassed), "bypasses used")
	tile(itoa(s.BypassRefused), "bypasses refused")
	tile(itoa(s.Suppressions), "findings suppressed")
	tile(itoa(s.AuditWouldReject), "would be rejected (audit mode)")
	o.raw("</div></section>\n")
}

// aiOverTime: the AI-assisted share of commits and added lines per week.
func aiOverTime(o *out, s *audit.Stats) {
	o.raw("<section aria-labelledby=\"h-ai-weeks\"><h2 id=\"h-ai-weeks\">AI-assisted share of new code, per week</h2>\n")
	if len(s.Weeks) == 0 {
		o.raw("<p class=\"note\">No events.</p></section>\n")
		return
	}
	lines := s.AddedLines > 0
	o.raw("<p class=\"legend\"><span><i class=\"sw\" style=\"background:" + colAI + "\"></i>share of commits</span>")
	if lines {
		o.raw("<span><i class=\"sw\" style=\"background:" + colLines + "\"></i>share of added lines</span>")
	}
	o.raw("</p>\n<div class=\"pair\">\n")
	series := []lineSeries{{name: "share of commits", color: colAI}}
	if lines {
		series = append(series, lineSeries{name: "share of added lines", color: colLines})
	}
	for _, w := range s.Weeks {
		series[0].points = append(series[0].points, point{w.AIShare, w.Commits > 0})
		if lines {
			series[1].points = append(series[1].points, point{w.AILineShare, w.AddedLines > 0})
		}
	}
	labels := make([]string, len(s.Weeks))
	for i, w := range s.Weeks {
		labels[i] = w.Week
	}
	shareChart(o, "AI-assisted share of the commits (and added lines) that entered, per ISO week", labels, series)
	o.raw("<div class=\"tablewrap\"><table><caption>AI-assisted code per week</caption>\n<thead><tr><th scope=\"col\">Week</th><th scope=\"col\">Starts</th><th scope=\"col\" class=\"n\">Commits</th><th scope=\"col\" class=\"n\">AI commits</th><th scope=\"col\" class=\"n\">AI share</th>")
	if lines {
		o.raw("<th scope=\"col\" class=\"n\">Added lines</th><th scope=\"col\" class=\"n\">AI lines</th><th scope=\"col\" class=\"n\">AI line share</th>")
	}
	o.raw("</tr></thead>\n<tbody>\n")
	for _, w := range s.Weeks {
		o.raw("<tr><th scope=\"row\">")
		o.text(w.Week, 20)
		o.raw("</th><td>")
		o.text(w.Start, 20)
		o.raw("</td>")
		cells(o, w.Commits, w.AICommits)
		o.raw("<td class=\"n\">" + pct(w.AIShare) + "</td>")
		if lines {
			cells(o, w.AddedLines, w.AIAddedLines)
			o.raw("<td class=\"n\">" + pct(w.AILineShare) + "</td>")
		}
		o.raw("</tr>\n")
	}
	o.raw("</tbody></table></div>\n</div>\n")
	if !lines {
		o.raw("<p class=\"note\">These events carry no added-line counts (<code>added_lines</code>): the share of lines is not shown.</p>\n")
	}
	o.raw("</section>\n")
}

// outcomesOverTime: pushes per week by outcome.
func outcomesOverTime(o *out, s *audit.Stats) {
	if len(s.Weeks) == 0 {
		return
	}
	o.raw("<section aria-labelledby=\"h-out-weeks\"><h2 id=\"h-out-weeks\">Pushes per week, by outcome</h2>\n")
	kinds := []stackKind{
		{name: "rejected by pushguard", color: colRejected}, {name: "refused by the platform", color: colPlatform},
		{name: "landed", color: colLanded}, {name: "accepted, outcome unknown", color: colUnknown},
	}
	legend(o, kinds)
	o.raw("<div class=\"pair\">\n")
	labels := make([]string, len(s.Weeks))
	stacks := make([][]int, len(s.Weeks))
	for i, w := range s.Weeks {
		labels[i] = w.Week
		stacks[i] = []int{w.Rejected, w.RefusedByPlatform, w.Landed, max(w.Pushes-w.Rejected-w.RefusedByPlatform-w.Landed, 0)}
	}
	stackChart(o, "Pushes per ISO week: rejected by pushguard, refused by the platform, landed, accepted with outcome unknown", labels, kinds, stacks)
	o.raw("<div class=\"tablewrap\"><table><caption>Pushes per week</caption>\n<thead><tr><th scope=\"col\">Week</th><th scope=\"col\" class=\"n\">Pushes</th><th scope=\"col\" class=\"n\">Rejected</th><th scope=\"col\" class=\"n\">Refused by platform</th><th scope=\"col\" class=\"n\">Landed</th><th scope=\"col\" class=\"n\">Outcome unknown</th><th scope=\"col\" class=\"n\">Bypassed</th><th scope=\"col\" class=\"n\">Suppressed findings</th></tr></thead>\n<tbody>\n")
	for i, w := range s.Weeks {
		o.raw("<tr><th scope=\"row\">")
		o.text(w.Week, 20)
		o.raw("</th>")
		cells(o, w.Pushes)
		cells(o, stacks[i]...)
		cells(o, w.Bypassed, w.Suppressions)
		o.raw("</tr>\n")
	}
	o.raw("</tbody></table></div>\n</div></section>\n")
}

// tools: AI commits per tool.
func tools(o *out, s *audit.Stats) {
	o.raw("<section aria-labelledby=\"h-tools\"><h2 id=\"h-tools\">AI-assisted commits per tool</h2>\n")
	if len(s.Tools) == 0 {
		o.raw("<p class=\"note\">No AI-assisted commit entered.</p></section>\n")
		return
	}
	o.raw("<div class=\"pair\">\n")
	barChart(o, "AI-assisted commits per tool", firstBars(s.Tools, func(t audit.ToolStats) bar {
		return bar{label: t.Tool, value: float64(t.Commits), shown: itoa(t.Commits)}
	}), colAI)
	tableHead(o, "AI-assisted commits per tool", "Tool", "#Commits", "#Share of all commits")
	for _, t := range s.Tools {
		o.raw("<tr><th scope=\"row\" class=\"wrap\">")
		o.text(t.Tool, 200)
		o.raw("</th>")
		cells(o, t.Commits)
		o.raw("<td class=\"n\">" + pct(t.Share) + "</td></tr>\n")
	}
	o.raw("</tbody></table></div>\n</div>\n")
	toolsOverTime(o, s)
	o.raw("</section>\n")
}

// toolColours tell the tools apart in the weekly chart; the last is for
// the others.
var toolColours = []string{"#6741d9", "#1971c2", "#0c8599", "#e8590c", "#c2255c", "#868e96"}

// toolsOverTime: AI-assisted commits per week, stacked by tool (the five
// with most commits, then the others).
func toolsOverTime(o *out, s *audit.Stats) {
	if len(s.Weeks) == 0 {
		return
	}
	o.raw("<h3>Per week</h3>\n")
	n := min(len(s.Tools), len(toolColours)-1)
	var kinds []stackKind
	for i := 0; i < n; i++ {
		kinds = append(kinds, stackKind{name: s.Tools[i].Tool, color: toolColours[i], untrusted: true})
	}
	other := len(s.Tools) > n
	if other {
		kinds = append(kinds, stackKind{name: "other tools", color: toolColours[len(toolColours)-1]})
	}
	legend(o, kinds)
	labels := make([]string, len(s.Weeks))
	stacks := make([][]int, len(s.Weeks))
	for i, w := range s.Weeks {
		labels[i] = w.Week
		st := make([]int, len(kinds))
		rest := 0
		for tool, c := range w.Tools {
			rest += c
			for k := 0; k < n; k++ {
				if s.Tools[k].Tool == tool {
					st[k] = c
					rest -= c
				}
			}
		}
		if other {
			st[n] = rest
		}
		stacks[i] = st
	}
	o.raw("<div class=\"pair\">\n")
	stackChart(o, "AI-assisted commits that entered per ISO week, by tool", labels, kinds, stacks)
	o.raw("<div class=\"tablewrap\"><table><caption>AI-assisted commits per week and tool</caption>\n<thead><tr><th scope=\"col\">Week</th>")
	for _, k := range kinds {
		o.raw("<th scope=\"col\" class=\"n\">")
		kindName(o, k)
		o.raw("</th>")
	}
	o.raw("</tr></thead>\n<tbody>\n")
	for i, w := range s.Weeks {
		o.raw("<tr><th scope=\"row\">")
		o.text(w.Week, 20)
		o.raw("</th>")
		cells(o, stacks[i]...)
		o.raw("</tr>\n")
	}
	o.raw("</tbody></table></div>\n</div>\n")
}

// repos: the AI-assisted share per repository.
func repos(o *out, s *audit.Stats, opts Options) {
	o.raw("<section aria-labelledby=\"h-repos\"><h2 id=\"h-repos\">AI-assisted share per repository</h2>\n")
	if len(s.Repos) == 0 {
		o.raw("<p class=\"note\">No events.</p></section>\n")
		return
	}
	byCommits := append([]audit.RepoStats(nil), s.Repos...)
	sort.SliceStable(byCommits, func(i, j int) bool { return byCommits[i].Commits > byCommits[j].Commits })
	o.raw("<div class=\"pair\">\n")
	barChartMax(o, "AI-assisted share of the commits that entered, for the repositories with the most commits", firstBars(byCommits, func(r audit.RepoStats) bar {
		return bar{label: r.Repo, value: r.AIShare, shown: pct(r.AIShare) + " of " + itoa(r.Commits)}
	}), colAI, 1)
	lines := s.AddedLines > 0
	cols := []string{"Repository", "#Pushes", "#Commits", "#AI commits", "#AI share"}
	if lines {
		cols = append(cols, "#Added lines", "#AI line share")
	}
	tableHead(o, "Repositories, most commits first", append(cols, "AI tools")...)
	for i, r := range byCommits {
		if i == opts.MaxRows {
			break
		}
		o.raw("<tr><th scope=\"row\" class=\"wrap\">")
		o.text(r.Repo, 300)
		o.raw("</th>")
		cells(o, r.Pushes, r.Commits, r.AICommits)
		o.raw("<td class=\"n\">" + pct(r.AIShare) + "</td>")
		if lines {
			cells(o, r.AddedLines)
			o.raw("<td class=\"n\">" + pct(r.AILineShare) + "</td>")
		}
		o.raw("<td class=\"wrap\">")
		toolList(o, r.Tools)
		o.raw("</td></tr>\n")
	}
	o.raw("</tbody></table></div>\n</div>\n")
	more(o, len(byCommits), opts.MaxRows)
	repoWeeks(o, s, byCommits)
	o.raw("</section>\n")
}

// heatWeeks is how many of the latest weeks the repository-by-week table
// shows.
const heatWeeks = 26

// repoWeeks: the AI-assisted share per repository and week, as a table
// whose cells are shaded by the share (the number is in the cell).
func repoWeeks(o *out, s *audit.Stats, byCommits []audit.RepoStats) {
	weeks := s.Weeks
	if len(weeks) > heatWeeks {
		weeks = weeks[len(weeks)-heatWeeks:]
	}
	if len(weeks) == 0 || len(byCommits) == 0 {
		return
	}
	o.raw("<h3>Per repository and week</h3>\n<div class=\"tablewrap heat\"><table><caption>AI-assisted share of the commits that entered, per repository (the ")
	o.num(min(len(byCommits), chartBars))
	o.raw(" with most commits) and ISO week")
	if len(s.Weeks) > len(weeks) {
		o.raw(" (the last ")
		o.num(len(weeks))
		o.raw(" weeks)")
	}
	o.raw("</caption>\n<thead><tr><th scope=\"col\">Repository</th>")
	for _, w := range weeks {
		o.raw("<th scope=\"col\" class=\"n\">")
		o.text(w.Week, 20)
		o.raw("</th>")
	}
	o.raw("</tr></thead>\n<tbody>\n")
	for i, r := range byCommits {
		if i == chartBars {
			break
		}
		byWeek := make(map[string]audit.RepoWeek, len(r.Weeks))
		for _, w := range r.Weeks {
			byWeek[w.Week] = w
		}
		o.raw("<tr><th scope=\"row\" class=\"wrap\">")
		o.text(r.Repo, 300)
		o.raw("</th>")
		for _, w := range weeks {
			rw, ok := byWeek[w.Week]
			if !ok || rw.Commits == 0 {
				o.raw("<td class=\"n\">–</td>")
				continue
			}
			// The shade is the share: rgba of the AI colour.
			o.rawf("<td class=\"n\" style=\"background:rgba(103,65,217,%.2f)\">", 0.08+0.6*min(max(rw.AIShare, 0), 1))
			o.raw(pct0(rw.AIShare))
			o.raw("</td>")
		}
		o.raw("</tr>\n")
	}
	o.raw("</tbody></table></div>\n")
}

// blocks: blocking findings per rule and what became of their pushes.
func blocks(o *out, s *audit.Stats) {
	o.raw("<section aria-labelledby=\"h-blocks\"><h2 id=\"h-blocks\">Blocks by rule</h2>\n")
	if len(s.Blocks) == 0 {
		o.raw("<p class=\"note\">No blocking finding.</p></section>\n")
		return
	}
	o.raw("<div class=\"pair\">\n")
	barChart(o, "Blocking findings per rule", firstBars(s.Blocks, func(b audit.BlockStats) bar {
		return bar{label: b.Rule, value: float64(b.Findings), shown: itoa(b.Findings)}
	}), colRejected)
	tableHead(o, "Blocking findings per rule", "Rule", "#Findings", "#Pushes", "#Rejected", "#Bypassed", "#Audit mode")
	for _, b := range s.Blocks {
		o.raw("<tr><th scope=\"row\" class=\"wrap\">")
		o.text(b.Rule, 200)
		o.raw("</th>")
		cells(o, b.Findings, b.Pushes, b.Rejected, b.Bypassed, b.AuditMode)
		o.raw("</tr>\n")
	}
	o.raw("</tbody></table></div>\n</div></section>\n")
}

// findingsByRepo: the repositories with the most findings.
func findingsByRepo(o *out, s *audit.Stats, opts Options) {
	o.raw("<section aria-labelledby=\"h-find\"><h2 id=\"h-find\">Top repositories by findings</h2>\n")
	var list []audit.RepoStats
	for _, r := range s.Repos {
		if r.Findings > 0 || r.Suppressions > 0 {
			list = append(list, r)
		}
	}
	if len(list) == 0 {
		o.raw("<p class=\"note\">No finding.</p></section>\n")
		return
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Findings > list[j].Findings })
	o.raw("<div class=\"pair\">\n")
	barChart(o, "Findings per repository, most first", firstBars(list, func(r audit.RepoStats) bar {
		return bar{label: r.Repo, value: float64(r.Findings), shown: itoa(r.Findings)}
	}), colBar)
	tableHead(o, "Findings per repository", "Repository", "#Findings", "#Blocking", "#Suppressed", "#Rejected", "#Bypassed")
	for i, r := range list {
		if i == opts.MaxRows {
			break
		}
		o.raw("<tr><th scope=\"row\" class=\"wrap\">")
		o.text(r.Repo, 300)
		o.raw("</th>")
		cells(o, r.Findings, r.BlockingFindings, r.Suppressions, r.Rejected+r.Interrupted, r.Bypassed)
		o.raw("</tr>\n")
	}
	o.raw("</tbody></table></div>\n</div>\n")
	more(o, len(list), opts.MaxRows)
	o.raw("</section>\n")
}

// outcomes: landed against refused, in total and per repository.
func outcomes(o *out, s *audit.Stats) {
	o.raw("<section aria-labelledby=\"h-outcomes\"><h2 id=\"h-outcomes\">Landed or refused</h2>\n<div class=\"pair\">\n")
	rows := []struct {
		label string
		n     int
		color string
	}{
		{"rejected by pushguard", s.Rejected + s.Interrupted, colRejected},
		{"refused by the platform", s.RefusedByPlatform, colPlatform},
		{"landed", s.Landed, colLanded},
		{"accepted, outcome unknown", s.OutcomeUnknown, colUnknown},
	}
	var bars []bar
	for _, r := range rows {
		bars = append(bars, bar{label: r.label, value: float64(r.n), shown: itoa(r.n), color: r.color})
	}
	barChart(o, "Final outcome of the pushes", bars, colBar)
	o.raw("<div class=\"tablewrap\"><table><caption>Final outcome of the pushes</caption>\n<thead><tr><th scope=\"col\">Outcome</th><th scope=\"col\" class=\"n\">Pushes</th></tr></thead>\n<tbody>\n")
	for _, r := range rows {
		o.raw("<tr><th scope=\"row\">" + r.label + "</th>")
		cells(o, r.n)
		o.raw("</tr>\n")
	}
	o.raw("<tr><th scope=\"row\">landed records with no push event</th>")
	cells(o, s.LandedUnmatched)
	o.raw("</tr>\n</tbody></table>\n<p class=\"note\">Landed and refused by the platform are known where pushguard's post-receive companion is installed; elsewhere an accepted push's outcome is unknown.</p></div>\n</div></section>\n")
}

// bypasses lists the latest break-glass requests.
func bypasses(o *out, s *audit.Stats) {
	o.raw("<section aria-labelledby=\"h-bypass\"><h2 id=\"h-bypass\">Bypasses</h2>\n")
	o.raw("<p>")
	o.num(s.Bypassed)
	o.raw(" used, ")
	o.num(s.BypassRefused)
	o.raw(" refused.</p>\n")
	if len(s.RecentBypasses) == 0 {
		o.raw("</section>\n")
		return
	}
	o.raw("<div class=\"tablewrap\"><table><caption>Latest bypass requests, newest first</caption>\n<thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Repository</th><th scope=\"col\">Pusher</th><th scope=\"col\">Bypass</th><th scope=\"col\">Reason</th><th scope=\"col\">Refusal</th></tr></thead>\n<tbody>\n")
	for i := len(s.RecentBypasses) - 1; i >= 0; i-- {
		b := s.RecentBypasses[i]
		o.raw("<tr><th scope=\"row\">")
		o.text(b.Time, 40)
		o.raw("</th><td class=\"wrap\">")
		o.text(b.Repo, 300)
		o.raw("</td><td class=\"wrap\">")
		o.text(b.Pusher, 100)
		if b.Used {
			o.raw("</td><td>used</td><td class=\"wrap\">")
		} else {
			o.raw("</td><td>refused</td><td class=\"wrap\">")
		}
		o.text(b.Reason, 500)
		o.raw("</td><td class=\"wrap\">")
		o.text(b.Refusal, 500)
		o.raw("</td></tr>\n")
	}
	o.raw("</tbody></table></div></section>\n")
}

// suppressions lists suppressed findings per rule and the latest ones.
func suppressions(o *out, s *audit.Stats) {
	o.raw("<section aria-labelledby=\"h-supp\"><h2 id=\"h-supp\">Suppressed findings</h2>\n<p>")
	o.num(s.Suppressions)
	o.raw(" findings suppressed by inline directives.</p>\n")
	if len(s.SuppressedRules) > 0 {
		o.raw("<div class=\"pair\">\n")
		barChart(o, "Suppressed findings per rule", firstBars(s.SuppressedRules, func(r audit.SuppressedRule) bar {
			return bar{label: r.Rule, value: float64(r.Count), shown: itoa(r.Count)}
		}), colPlatform)
		tableHead(o, "Suppressed findings per rule", "Rule", "#Findings", "#Pushes", "Pushers")
		for _, r := range s.SuppressedRules {
			o.raw("<tr><th scope=\"row\" class=\"wrap\">")
			o.text(r.Rule, 200)
			o.raw("</th>")
			cells(o, r.Count, r.Pushes)
			o.raw("<td class=\"wrap\">")
			for i, p := range r.Pushers {
				if i > 0 {
					o.raw(", ")
				}
				o.text(p, 100)
			}
			o.raw("</td></tr>\n")
		}
		o.raw("</tbody></table></div>\n</div>\n")
	}
	if len(s.RecentSuppressions) > 0 {
		o.raw("<div class=\"tablewrap\"><table><caption>Latest suppressions, newest first</caption>\n<thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Repository</th><th scope=\"col\">Pusher</th><th scope=\"col\">Rule</th><th scope=\"col\">Commit</th><th scope=\"col\">Where</th><th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n")
		for i := len(s.RecentSuppressions) - 1; i >= 0; i-- {
			r := s.RecentSuppressions[i]
			o.raw("<tr><th scope=\"row\">")
			o.text(r.Time, 40)
			o.raw("</th><td class=\"wrap\">")
			o.text(r.Repo, 300)
			o.raw("</td><td class=\"wrap\">")
			o.text(r.Pusher, 100)
			o.raw("</td><td class=\"wrap\">")
			o.text(r.Rule, 200)
			o.raw("</td><td><code>")
			o.text(r.Commit, 12)
			o.raw("</code></td><td class=\"wrap\">")
			o.text(r.Path+":"+strconv.Itoa(r.Line), 300)
			o.raw("</td><td class=\"wrap\">")
			o.text(r.Reason, 500)
			o.raw("</td></tr>\n")
		}
		o.raw("</tbody></table></div>\n")
	}
	o.raw("</section>\n")
}

// firstBars makes a chart's bars from the first chartBars items.
func firstBars[T any](items []T, mk func(T) bar) []bar {
	items = items[:min(len(items), chartBars)]
	bars := make([]bar, 0, len(items))
	for _, it := range items {
		bars = append(bars, mk(it))
	}
	return bars
}

// tableHead opens a table (in its scrolling wrapper) with a caption and
// column headers, up to the opening tbody. A header starting with "#" is a
// numeric column (right-aligned; the "#" is not shown). Captions and headers
// are the page's own constant text, written as markup.
func tableHead(o *out, caption string, cols ...string) {
	o.raw("<div class=\"tablewrap\"><table><caption>" + caption + "</caption>\n<thead><tr>")
	for _, c := range cols {
		if n, ok := strings.CutPrefix(c, "#"); ok {
			o.raw("<th scope=\"col\" class=\"n\">" + n + "</th>")
		} else {
			o.raw("<th scope=\"col\">" + c + "</th>")
		}
	}
	o.raw("</tr></thead>\n<tbody>\n")
}

// cells writes numeric table cells.
func cells(o *out, ns ...int) {
	for _, n := range ns {
		o.raw("<td class=\"n\">")
		o.num(n)
		o.raw("</td>")
	}
}

// toolList writes "claude 3, copilot 1", most first.
func toolList(o *out, m map[string]int) {
	if len(m) == 0 {
		o.raw("–")
		return
	}
	names := make([]string, 0, len(m))
	for t := range m {
		names = append(names, t)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	for i, t := range names {
		if i > 0 {
			o.raw(", ")
		}
		if i == 10 {
			o.num(len(names) - 10)
			o.raw(" more")
			break
		}
		o.text(t, 60)
		o.raw(" ")
		o.num(m[t])
	}
}

// more notes rows left out of a table.
func more(o *out, n, shown int) {
	if n > shown {
		o.raw("<p class=\"note\">")
		o.num(n - shown)
		o.raw(" more in <code>pushguard stats --format json</code>.</p>\n")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// pct0 formats a share as a whole percentage.
func pct0(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	return strconv.Itoa(int(math.Round(f*100))) + "%"
}

// pct formats a share (0 to 1) as a percentage with one decimal.
func pct(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}
