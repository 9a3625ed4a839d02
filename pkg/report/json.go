package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// JSONReport is the document `--format json` writes. Field names are a
// stable interface: add fields, never rename them.
type JSONReport struct {
	Decision string        `json:"decision"`
	Mode     string        `json:"mode"`
	Error    string        `json:"error,omitempty"`
	Counts   JSONCounts    `json:"counts"`
	Commits  []JSONCommit  `json:"commits"`
	Findings []JSONFinding `json:"findings"`
	Skipped  []JSONSkip    `json:"skipped"`
}

// JSONCounts counts findings per severity.
type JSONCounts struct {
	Block int `json:"block"`
	Warn  int `json:"warn"`
	Info  int `json:"info"`
}

// JSONCommit is one scanned commit.
type JSONCommit struct {
	SHA string `json:"sha"`
	// Refs are the refs that reach the commit; `pushguard scan` writes
	// them only with --show-refs (JSONOptions.ShowRefs).
	Refs    []string `json:"refs,omitempty"`
	Subject string   `json:"subject"`
	Author  string   `json:"author_email"`
	AI      scan.AI  `json:"ai"`
	// AddedLines counts the lines the commit adds in the files rules
	// examined; with ai.attribution "commit" every one of them counts as
	// AI-written, with "lines" ai.lines of them are.
	AddedLines int `json:"added_lines,omitempty"`
}

// JSONFinding is one finding; Match is redacted when the rule asks for it.
type JSONFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	// Commit is the commit (or tag object) the finding is in; empty for
	// content outside git (scan --dir, --stdin).
	Commit  string `json:"commit,omitempty"`
	Ref     string `json:"ref,omitempty"`
	Path    string `json:"path,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Match   string `json:"match,omitempty"`
	Message string `json:"message"`
	Help    string `json:"help,omitempty"`
	Source  string `json:"rule_source,omitempty"`
	// Field names the commit or tag metadata a secret was found in
	// ("message", "author email", "tag message", ...); Line is then the
	// line within that field.
	Field string `json:"field,omitempty"`
	// Detail names what matched when the rule's condition describes it
	// ("U+202E RIGHT-TO-LEFT OVERRIDE at column 17").
	Detail string `json:"detail,omitempty"`
	// Suppressed: an inline pushguard:allow comment covers the finding,
	// with Reason; it does not count in counts or the decision.
	Suppressed bool   `json:"suppressed,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// JSONSkip is content that was not examined.
type JSONSkip struct {
	Commit string `json:"commit,omitempty"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// JSONOptions tune the JSON document.
type JSONOptions struct {
	// ShowRefs lists the refs that reach each commit (a full-history scan
	// of a repository with many refs lists every ref for every commit).
	ShowRefs bool
	// Redact: negative keeps each rule's redaction; N >= 0 redacts every
	// match showing at most N leading characters (RedactN).
	Redact int
}

// BuildJSON converts a verdict and the scanned commits into the JSON
// document, with the refs of each commit and each rule's own redaction.
func BuildJSON(v *verdict.Verdict, commits []scan.CommitInfo) JSONReport {
	return BuildJSONWith(v, commits, JSONOptions{ShowRefs: true, Redact: KeepRuleRedaction})
}

// BuildJSONWith is BuildJSON with options.
func BuildJSONWith(v *verdict.Verdict, commits []scan.CommitInfo, o JSONOptions) JSONReport {
	r := JSONReport{
		Decision: v.Decision.String(),
		Mode:     string(v.Mode),
		Counts: JSONCounts{
			Block: v.Counts["block"], Warn: v.Counts["warn"], Info: v.Counts["info"],
		},
		Commits:  []JSONCommit{},
		Findings: []JSONFinding{},
		Skipped:  []JSONSkip{},
	}
	if v.Err != nil {
		r.Error = v.Err.Error()
	}
	for _, c := range commits {
		var refs []string
		if o.ShowRefs {
			refs = c.Refs
		}
		r.Commits = append(r.Commits, JSONCommit{
			SHA: c.Hash.String(), Refs: refs, Subject: c.Subject, Author: c.Author.Email, AI: c.AI, AddedLines: c.AddedLines,
		})
	}
	for _, f := range append(append([]scan.Finding(nil), v.Findings...), v.Suppressed...) {
		m := f.Match
		switch {
		case m == "":
		case o.Redact >= 0:
			m = RedactN(m, o.Redact)
		case f.Rule.Redact:
			m = Redact(m)
		}
		if f.Detail != "" { // the match may be invisible characters: escape them
			m = textsafe.Clean(m, 80)
		}
		r.Findings = append(r.Findings, JSONFinding{
			Rule: f.Rule.ID, Severity: string(f.Rule.Severity), Kind: string(f.Kind),
			Commit: hashString(f.Commit), Ref: f.Ref, Path: f.Path, Field: f.Field, Line: f.Line, Column: f.Column,
			Match: m, Message: f.Rule.Message, Help: f.Rule.Help, Source: f.Rule.Source,
			Detail: f.Detail, Suppressed: f.Suppressed, Reason: f.SuppressReason,
		})
	}
	for _, s := range v.Skipped {
		r.Skipped = append(r.Skipped, JSONSkip{Commit: hashString(s.Commit), Path: s.Path, Reason: s.Reason})
	}
	return r
}

// hashString is h in hex, "" for the zero hash (content outside git).
func hashString(h plumbing.Hash) string {
	if h.IsZero() {
		return ""
	}
	return h.String()
}

// JSON writes the JSON document, indented, followed by a newline.
func JSON(w io.Writer, v *verdict.Verdict, commits []scan.CommitInfo) error {
	return JSONWith(w, v, commits, JSONOptions{ShowRefs: true, Redact: KeepRuleRedaction})
}

// JSONWith is JSON with options.
func JSONWith(w io.Writer, v *verdict.Verdict, commits []scan.CommitInfo, o JSONOptions) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(BuildJSONWith(v, commits, o)); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}
