package report

import (
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"io"
	"strings"

	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// maxUnscannedListed caps the unscanned files named in the text report.
const maxUnscannedListed = 10

// unscanned returns the skipped files a pusher must hear about: text files
// too large to read, which content rules never saw. Binary files and
// submodules are left out: they are routine, never scanned for secrets by
// design, and listed in the JSON report only.
func unscanned(skips []scan.Skip) []scan.Skip {
	var out []scan.Skip
	for _, s := range skips {
		if strings.HasPrefix(s.Reason, "larger than") {
			out = append(out, s)
		}
	}
	return out
}

// writeUnscanned tells the pusher which files were accepted without their
// content being checked, so that a skip is never silent.
func writeUnscanned(line func(string, ...any), v *verdict.Verdict) {
	writeIgnoredNotes(line, v)
	skips := unscanned(v.Skipped)
	if len(skips) == 0 {
		return
	}
	what := "1 file was"
	if len(skips) > 1 {
		what = fmt.Sprintf("%d files were", len(skips))
	}
	line("pushguard: NOTE: %s not scanned for content (secrets, code rules): too large.", what)
	for i, s := range skips {
		if i == maxUnscannedListed {
			line("  ... and %d more.", len(skips)-i)
			break
		}
		line("  %s in commit %s: %s", textsafe.Clean(s.Path, maxField), s.Commit.String()[:10], textsafe.Clean(s.Reason, maxField))
	}
	line("  Keep secrets out of large files: nothing in them was checked. Path and size rules still applied.")
	line("")
}

// writeAcceptedNotes writes the report of a push accepted without findings:
// nothing, unless some files were too large to scan.
func writeAcceptedNotes(w io.Writer, v *verdict.Verdict, o TextOptions) error {
	if len(unscanned(v.Skipped)) == 0 && len(ignoredNotes(v.Skipped)) == 0 {
		return nil
	}
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, o.LinePrefix+format+"\n", args...)
	}
	writeUnscanned(line, v)
	writeFooter(line, o)
	_, err := io.WriteString(w, b.String())
	return err
}

// ignoredNotes returns the refs/notes/ai notes the scan could not read as
// authorship logs.
func ignoredNotes(skips []scan.Skip) []scan.Skip {
	var out []scan.Skip
	for _, s := range skips {
		if strings.HasPrefix(s.Reason, "ai note: ") {
			out = append(out, s)
		}
	}
	return out
}

// writeIgnoredNotes warns about AI authorship notes that were ignored, so
// that a malformed note never silently loses provenance.
func writeIgnoredNotes(line func(string, ...any), v *verdict.Verdict) {
	notes := ignoredNotes(v.Skipped)
	for i, s := range notes {
		if i == maxUnscannedListed {
			line("  ... and %d more ignored notes.", len(notes)-i)
			break
		}
		line("pushguard: WARNING: %s note %s: %s", scan.AINotesRef, textsafe.Clean(s.Path, maxField),
			textsafe.Clean(strings.TrimPrefix(s.Reason, "ai note: "), maxField))
	}
	if len(notes) > 0 {
		line("")
	}
}
