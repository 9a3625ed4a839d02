package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

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
	var logs, repos listFlag
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
	opts := audit.StatsOptions{Top: *top, Repos: repos, Platform: *platform}
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
	var srcs []audit.Source
	var files []string
	stdin := false
	for _, l := range logs {
		if l == "-" {
			if stdin {
				return a.usageError(fs, statsUsage, "pushguard stats: --audit-log - given twice")
			}
			stdin = true
			continue
		}
		files = append(files, l)
	}
	if len(files) > 0 {
		opened, closer, err := audit.OpenLogs(files)
		if err != nil {
			fmt.Fprintf(a.stderr, "pushguard stats: %s\n", textsafe.Clean(err.Error(), 0))
			return exitUsage
		}
		defer closer.Close()
		srcs = opened
	}
	if stdin {
		srcs = append(srcs, audit.Source{Name: "-", R: a.stdin})
	}
	s, err := audit.ComputeStatsSources(srcs, opts)
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard stats: %s\n", textsafe.Clean(err.Error(), 0))
		return exitInternal
	}
	if *top == 0 {
		s.TopRules = s.TopRules[:0]
	}
	var buf bytes.Buffer
	switch *format {
	case "json":
		err = s.WriteJSON(&buf)
	case "html":
		err = dashboard.Render(&buf, s, dashboard.Options{Generated: now.UTC().Format(time.RFC3339)})
	default:
		err = s.WriteText(&buf)
	}
	if err == nil {
		err = a.writeOut(*outPath, buf.Bytes())
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "pushguard stats: %s\n", textsafe.Clean(err.Error(), 0))
		return exitInternal
	}
	if bad := s.BadLines(); bad != "" {
		// Bad lines never stop the count; say where they are so that an
		// admin can look (a fragment left by a full disk, an edited log).
		where := strings.Join(logs, ", ")
		if len(s.MalformedWhere) > 0 {
			bad += " (" + strings.Join(s.MalformedWhere, ", ") + ")"
		}
		fmt.Fprintf(a.stderr, "pushguard stats: %s: %s\n", textsafe.Clean(where, 200), textsafe.Clean(bad, 0))
	}
	return exitOK
}

// writeOut writes data to path (atomically: a temporary file renamed over
// it), or to standard output when path is empty.
func (a *app) writeOut(path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := a.stdout.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, bytes.NewReader(data)); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
