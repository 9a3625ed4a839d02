package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pushguard/pushguard/pkg/atomicfile"
	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// StatsInput are the inputs of "pushguard stats", its flags already
// checked.
type StatsInput struct {
	// Logs are audit log files or globs; "-" reads Stdin.
	Logs []string
	// Stdin is read for a "-" in Logs.
	Stdin io.Reader
	// Since keeps the events from then on; zero: all.
	Since time.Time
	// Repos keep the repositories matching one of these globs.
	Repos []string
	// Platform keeps the events of this platform; empty: all.
	Platform string
	// Top is how many rules to list: -1 all, 0 none.
	Top int
	// Format is text, json or html.
	Format string
	// Out is the file to write (atomically); empty or "-": Stdout.
	Out string
	// Stdout receives the output when Out is empty or "-".
	Stdout io.Writer
	// Now is the dashboard page's generation time.
	Now time.Time
}

// StatsError is why Stats failed; Usage tells a usage or input error
// (exit 2) from an internal one (exit 3).
type StatsError struct {
	// Usage is true for bad input (an unknown format, an unreadable log).
	Usage bool
	// Err is the cause.
	Err error
}

// Error returns the cause's message.
func (e *StatsError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *StatsError) Unwrap() error { return e.Err }

// Stats reads the audit logs of in, summarises the events its filters
// keep and writes the summary as text, JSON or an HTML dashboard. The
// warning, when not empty, says where malformed lines were (they never
// stop the count); it is cleaned for a terminal. Errors are *StatsError.
func Stats(in StatsInput) (warning string, err error) {
	if in.Format != "text" && in.Format != "json" && in.Format != "html" {
		return "", &StatsError{Usage: true, Err: fmt.Errorf("unknown --format %q (text, json, html)", textsafe.Clean(in.Format, 40))}
	}
	opts := audit.StatsOptions{Top: in.Top, Repos: in.Repos, Platform: in.Platform, Since: in.Since}
	if in.Top == 0 {
		opts.Top = -1 // 0 in StatsOptions means the default; here it means none
	}
	var srcs []audit.Source
	var files []string
	stdin := false
	for _, l := range in.Logs {
		if l == "-" {
			if stdin {
				return "", &StatsError{Usage: true, Err: errors.New("--audit-log - given twice")}
			}
			stdin = true
			continue
		}
		files = append(files, l)
	}
	if len(files) > 0 {
		opened, closer, err := audit.OpenLogs(files)
		if err != nil {
			return "", &StatsError{Usage: true, Err: err}
		}
		defer closer.Close()
		srcs = opened
	}
	if stdin {
		srcs = append(srcs, audit.Source{Name: "-", R: in.Stdin})
	}
	s, err := audit.ComputeStatsSources(srcs, opts)
	if err != nil {
		return "", &StatsError{Err: err}
	}
	if in.Top == 0 {
		s.TopRules = s.TopRules[:0]
	}
	var buf bytes.Buffer
	switch in.Format {
	case "json":
		err = s.WriteJSON(&buf)
	case "html":
		err = Render(&buf, s, Options{Generated: in.Now.UTC().Format(time.RFC3339)})
	default:
		err = s.WriteText(&buf)
	}
	if err == nil {
		err = writeOut(in.Stdout, in.Out, buf.Bytes())
	}
	if err != nil {
		return "", &StatsError{Err: err}
	}
	if bad := s.BadLines(); bad != "" {
		// Bad lines never stop the count; say where they are so that an
		// admin can look (a fragment left by a full disk, an edited log).
		where := strings.Join(in.Logs, ", ")
		if len(s.MalformedWhere) > 0 {
			bad += " (" + strings.Join(s.MalformedWhere, ", ") + ")"
		}
		return textsafe.Clean(where, 200) + ": " + textsafe.Clean(bad, 0), nil
	}
	return "", nil
}

// writeOut writes data to path (atomically: a temporary file renamed over
// it), or to stdout when path is empty or "-".
func writeOut(stdout io.Writer, path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return atomicfile.Output(path, data, 0o644)
}
