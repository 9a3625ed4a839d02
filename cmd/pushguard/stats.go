package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

const statsUsage = `usage: pushguard stats --audit-log FILE [--since DATE] [--format text|json] [--top N]

Summarises an audit log: pushes, rejections, interruptions, warnings,
bypasses, suppressed findings, the AI-assisted share of accepted commits
per repository and tool, and the rules that fired most.
`

// stats implements "pushguard stats": a summary of an audit log for the
// security team — pushes, rejections, interruptions, warnings, bypasses,
// suppressed findings (per rule, with pusher and reason), AI-assisted share
// of the commits of accepted pushes per repository and per tool, top rules.
// Malformed lines are counted and reported on stderr, never fatal.
func (a *app) stats(args []string) int {
	return a.statsAt(args, time.Now())
}

// statsAt is stats with the clock given, for relative --since values.
func (a *app) statsAt(args []string, now time.Time) int {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	logPath := fs.String("audit-log", "", "audit log to read (JSON lines as pushguard writes them; - for stdin)")
	since := fs.String("since", "", "only events from then on: a date (2026-01-31), an RFC 3339 time, or an age (7d, 12h)")
	format := fs.String("format", "text", "output format: text or json")
	top := fs.Int("top", audit.DefaultTop, "how many rules to list (-1: all)")
	if code, ok := a.parseFlags(fs, statsUsage, args); !ok {
		return code
	}
	if *logPath == "" {
		return a.usageError(fs, statsUsage, "pushguard stats: --audit-log FILE is required")
	}
	if fs.NArg() > 0 {
		return a.usageError(fs, statsUsage, "pushguard stats: unexpected argument %q", fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(a.stderr, "pushguard stats: unknown --format %q (text, json)\n", *format)
		return exitUsage
	}
	opts := audit.StatsOptions{Top: *top}
	if *top == 0 {
		opts.Top = -1 // 0 in StatsOptions means the default; here it means none
	}
	if *since != "" {
		t, err := audit.ParseSince(*since, now)
		if err != nil {
			fmt.Fprintf(a.stderr, "pushguard stats: %s\n", textsafe.Clean(err.Error(), 0))
			return exitUsage
		}
		opts.Since = t
	}
	var in io.Reader = a.stdin
	if *logPath != "-" {
		f, err := os.Open(*logPath)
		if err != nil {
			fmt.Fprintf(a.stderr, "pushguard stats: %s\n", textsafe.Clean(err.Error(), 0))
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	s, err := audit.ComputeStats(in, opts)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard stats: %s\n", textsafe.Clean(err.Error(), 0))
		return exitInternal
	}
	if *top == 0 {
		s.TopRules = s.TopRules[:0]
	}
	if *format == "json" {
		err = s.WriteJSON(a.stdout)
	} else {
		err = s.WriteText(a.stdout)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard stats: %s\n", err)
		return exitInternal
	}
	if bad := s.BadLines(); bad != "" {
		// Bad lines never stop the count; say where they are so that an
		// admin can look (a fragment left by a full disk, an edited log).
		fmt.Fprintf(a.stderr, "pushguard stats: %s: %s\n", textsafe.Clean(*logPath, 200), bad)
	}
	return exitOK
}
