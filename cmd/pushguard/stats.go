package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/dashboard"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

const statsUsage = `usage: pushguard stats --audit-log FILE|GLOB [--audit-log …] [--since DATE]
                       [--repo GLOB] [--platform NAME] [--format text|json|html] [--out FILE] [--top N]

Summarises audit logs: pushes, rejections, interruptions, warnings,
bypasses, suppressed findings, the AI-assisted share of the commits that
entered per repository, tool and week, and the rules that fired most.
--audit-log may be repeated and may be a glob (one log per Git server
node, rotated files); gzip-compressed logs are read as they are. The logs
are merged by time. --format html writes a self-contained dashboard page
(no script, nothing fetched), --format json the same numbers for other
tools (docs/audit.md).
`

// stats implements "pushguard stats": a summary of audit logs for the
// security team — pushes, rejections, interruptions, warnings, bypasses,
// suppressed findings (per rule, with pusher and reason), AI-assisted share
// of the commits of accepted pushes per repository, tool and week, top
// rules — as text, JSON or an HTML dashboard. Malformed lines are counted
// and reported on stderr, never fatal.
func (a *app) stats(args []string) int {
	return a.statsAt(args, time.Now())
}

// statsAt is stats with the clock given, for relative --since values.
func (a *app) statsAt(args []string, now time.Time) int {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	var logs, repos stringList
	fs.Var(&logs, "audit-log", "audit log to read (JSON lines as pushguard writes them, gzip or not; a glob; - for stdin); repeatable")
	since := fs.String("since", "", "only events from then on: a date (2026-01-31), an RFC 3339 time, or an age (7d, 12h)")
	fs.Var(&repos, "repo", "only repositories matching this glob (platform/**, */api); repeatable")
	platform := fs.String("platform", "", "only events of this platform (gitlab, gitea, ghes, git)")
	format := fs.String("format", "text", "output format: text, json or html")
	outPath := fs.String("out", "", "write the output to this file instead of standard output")
	top := fs.Int("top", audit.DefaultTop, "how many rules to list (-1: all)")
	if code, ok := a.parseFlags(fs, statsUsage, args); !ok {
		return code
	}
	if len(logs) == 0 {
		return a.usageError(fs, statsUsage, "pushguard stats: --audit-log FILE is required")
	}
	if fs.NArg() > 0 {
		return a.usageError(fs, statsUsage, "pushguard stats: unexpected argument %q", fs.Arg(0))
	}
	if *format != "text" && *format != "json" && *format != "html" {
		fmt.Fprintf(a.stderr, "pushguard stats: unknown --format %q (text, json, html)\n", textsafe.Clean(*format, 40))
		return exitUsage
	}
	for _, g := range repos {
		if !doublestar.ValidatePattern(g) {
			return a.usageError(fs, statsUsage, "pushguard stats: --repo %q is not a valid glob", textsafe.Clean(g, 100))
		}
	}
	in := dashboard.StatsInput{
		Logs: logs, Stdin: a.stdin, Repos: repos, Platform: *platform,
		Top: *top, Format: *format, Out: *outPath, Stdout: a.stdout, Now: now,
	}
	if *since != "" {
		t, err := audit.ParseSince(*since, now)
		if err != nil {
			fmt.Fprintf(a.stderr, "pushguard stats: %s\n", textsafe.Clean(err.Error(), 0))
			return exitUsage
		}
		in.Since = t
	}
	stdin := false
	for _, l := range logs {
		if l == "-" {
			if stdin {
				return a.usageError(fs, statsUsage, "pushguard stats: --audit-log - given twice")
			}
			stdin = true
		}
	}
	warning, err := dashboard.Stats(in)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard stats: %s\n", textsafe.Clean(err.Error(), 0))
		var se *dashboard.StatsError
		if errors.As(err, &se) && se.Usage {
			return exitUsage
		}
		return exitInternal
	}
	if warning != "" {
		fmt.Fprintf(a.stderr, "pushguard stats: %s\n", warning)
	}
	return exitOK
}
