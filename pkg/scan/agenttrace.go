package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// Agent Trace input (https://agent-trace.dev, trace-record schema): records
// of which line ranges of which files an AI wrote. pushguard reads them
// from two places:
//
//   - notes on AgentTraceNotesRef: the note of a commit holds one or more
//     records (JSON lines, or JSON objects one after another), all about
//     that commit, whatever their vcs.revision says (git ties the note to
//     the commit);
//   - the Agent Trace files a commit changes (.agent-trace/*.jsonl, where
//     the specification's reference implementation appends): each line
//     the commit adds is a record about that commit when its vcs.revision
//     is absent, the commit itself, or one of its parents (the reference
//     implementation records the HEAD the edit was made on, which is the
//     parent of the commit that brings the edit in). A record naming
//     another revision is about another commit and is left alone.
//
// A record that is not valid JSON, misses a required field, or has a range
// that is not 1 <= start_line <= end_line, is reported as a warning (built-
// in rule AuthorshipRuleID) and makes its commit's line data unusable, so
// every line of the commit counts as AI-written if it is AI-marked. Ranges
// whose contributor is "ai", "mixed" or "unknown" (or that name none) are
// AI-written; "human" ranges are not. Unknown fields are ignored.

// AgentTraceNotesRef is the notes ref pushguard reads Agent Trace records
// from (one note per commit).
const AgentTraceNotesRef = "refs/notes/agent-trace"

// Limits on Agent Trace input.
const (
	// maxTraceFile bounds an Agent Trace file read from a commit (and each
	// parent version it is compared with); a larger one is not read.
	maxTraceFile = 4 << 20
	// maxTraceRecords bounds the records read per note or per file
	// version; the rest are not read.
	maxTraceRecords = 10000
)

// traceVersion is the syntax of the specification version ("0.1.0", "1.0").
var traceVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,4}\.[0-9]{1,4}(\.[0-9]{1,4})?$`) })

// IsAgentTraceFile reports whether a repository path is an Agent Trace
// file pushguard reads: a .jsonl file directly in the top-level
// .agent-trace directory.
func IsAgentTraceFile(p string) bool {
	dir, file := path.Split(p)
	return dir == ".agent-trace/" && strings.HasSuffix(file, ".jsonl") && len(file) > len(".jsonl")
}

// traceRecordIn is the part of a trace record pushguard reads. Pointers
// tell a missing field from a zero one.
type traceRecordIn struct {
	Version   *string `json:"version"`
	ID        *string `json:"id"`
	Timestamp *string `json:"timestamp"`
	VCS       *struct {
		Type     *string `json:"type"`
		Revision *string `json:"revision"`
	} `json:"vcs"`
	Tool *struct {
		Name *string `json:"name"`
	} `json:"tool"`
	Files *[]struct {
		Path          *string `json:"path"`
		Conversations *[]struct {
			Contributor *traceContributorIn `json:"contributor"`
			Ranges      *[]struct {
				StartLine   *int64              `json:"start_line"`
				EndLine     *int64              `json:"end_line"`
				Contributor *traceContributorIn `json:"contributor"`
			} `json:"ranges"`
		} `json:"conversations"`
	} `json:"files"`
}

type traceContributorIn struct {
	Type *string `json:"type"`
}

// traceRange is an AI-written range of a record.
type traceRange struct {
	path        string
	first, last int
}

// traceRecord is a validated record: its revision ("" when none is
// given), the tool that wrote it (canonical id) and its AI-written ranges.
type traceRecord struct {
	vcsType, revision string
	tool              string
	ranges            []traceRange
}

// parseTraceRecord validates one Agent Trace record.
func parseTraceRecord(b []byte) (*traceRecord, error) {
	var in traceRecordIn
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("not a JSON trace record: %s", jsonProblem(err))
	}
	if dec.More() {
		return nil, errors.New("not a JSON trace record: text after the object")
	}
	switch {
	case in.Version == nil:
		return nil, errors.New(`missing required field "version"`)
	case !traceVersion().MatchString(*in.Version):
		return nil, fmt.Errorf(`"version" %q is not a specification version such as 0.1.0`, clipText(*in.Version))
	case in.ID == nil || strings.TrimSpace(*in.ID) == "":
		return nil, errors.New(`missing required field "id"`)
	case in.Timestamp == nil:
		return nil, errors.New(`missing required field "timestamp"`)
	case in.Files == nil:
		return nil, errors.New(`missing required field "files"`)
	}
	if _, err := time.Parse(time.RFC3339, *in.Timestamp); err != nil {
		return nil, fmt.Errorf(`"timestamp" %q is not an RFC 3339 date-time`, clipText(*in.Timestamp))
	}
	rec := &traceRecord{tool: "declared"}
	if in.VCS != nil {
		if in.VCS.Type == nil || in.VCS.Revision == nil {
			return nil, errors.New(`"vcs" needs "type" and "revision"`)
		}
		rec.vcsType, rec.revision = *in.VCS.Type, strings.ToLower(strings.TrimSpace(*in.VCS.Revision))
	}
	if in.Tool != nil && in.Tool.Name != nil {
		if id, ok := noteToolIDs[strings.ToLower(strings.TrimSpace(*in.Tool.Name))]; ok {
			rec.tool = id
		}
	}
	for i, f := range *in.Files {
		if f.Path == nil || *f.Path == "" {
			return nil, fmt.Errorf(`files[%d]: missing required field "path"`, i)
		}
		p := *f.Path
		if strings.HasPrefix(p, "/") || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") || strings.ContainsRune(p, 0) {
			return nil, fmt.Errorf("files[%d]: path %q is not a clean path relative to the repository root", i, clipText(p))
		}
		if f.Conversations == nil {
			return nil, fmt.Errorf(`files[%d]: missing required field "conversations"`, i)
		}
		for j, c := range *f.Conversations {
			at := fmt.Sprintf("files[%d].conversations[%d]", i, j)
			if c.Ranges == nil {
				return nil, fmt.Errorf(`%s: missing required field "ranges"`, at)
			}
			convAI, err := contributorAI(c.Contributor, true)
			if err != nil {
				return nil, fmt.Errorf("%s.contributor: %v", at, err)
			}
			for k, r := range *c.Ranges {
				rat := fmt.Sprintf("%s.ranges[%d]", at, k)
				if r.StartLine == nil || r.EndLine == nil {
					return nil, fmt.Errorf(`%s: needs "start_line" and "end_line"`, rat)
				}
				first, last := *r.StartLine, *r.EndLine
				if first < 1 || last < first || last > 999_999_999 {
					return nil, fmt.Errorf("%s: lines %d-%d: want 1 <= start_line <= end_line <= 999999999", rat, first, last)
				}
				isAI, err := contributorAI(r.Contributor, convAI)
				if err != nil {
					return nil, fmt.Errorf("%s.contributor: %v", rat, err)
				}
				if isAI {
					rec.ranges = append(rec.ranges, traceRange{path: p, first: int(first), last: int(last)})
				}
			}
		}
	}
	return rec, nil
}

// contributorAI tells whether a contributor is an AI (ai, mixed, unknown);
// def when none is given.
func contributorAI(c *traceContributorIn, def bool) (bool, error) {
	if c == nil {
		return def, nil
	}
	if c.Type == nil {
		return false, errors.New(`missing required field "type"`)
	}
	switch *c.Type {
	case "ai", "mixed", "unknown":
		return true, nil
	case "human":
		return false, nil
	}
	return false, fmt.Errorf("type %q is not one of human, ai, mixed, unknown", clipText(*c.Type))
}

// jsonProblem words a JSON decoding error without echoing the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (%s)", clipText(typ.Field), typ.Value)
	}
	return "truncated or empty"
}

// clip shortens a pushed string for a message (the report escapes it).
func clipText(s string) string {
	if len(s) > 60 {
		return strings.ToValidUTF8(s[:60], "") + "..."
	}
	return s
}

// credit adds a record's AI ranges to the commit's line data.
func (a *authorship) credit(rec *traceRecord) {
	if len(rec.ranges) == 0 {
		return
	}
	a.addSource(ruleset.EvidenceAgentTrace, []string{rec.tool})
	for _, r := range rec.ranges {
		a.addRange(r.path, r.first, r.last)
	}
}

// readTraceNote reads the Agent Trace records of the note of commit about
// on ref: JSON values one after another (JSON lines, or pretty-printed
// objects).
func (e *Engine) readTraceNote(res *Result, ref, notePath string, about plumbing.Hash, data []byte) {
	where := ref + ":" + notePath
	dec := json.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		n++
		if err != nil {
			e.warnAuthorship(res, about, &about, ref, where, 0, fmt.Sprintf("record %d: not JSON (%s); the rest of the note is not read", n, jsonProblem(err)))
			return
		}
		if n > maxTraceRecords {
			e.warnAuthorship(res, about, &about, ref, where, 0, fmt.Sprintf("more than %d records; the rest are not read", maxTraceRecords))
			return
		}
		rec, err := parseTraceRecord(raw)
		if err != nil {
			e.warnAuthorship(res, about, &about, ref, where, 0, fmt.Sprintf("record %d: %v", n, err))
			continue
		}
		e.authorshipOf(about).credit(rec)
	}
	if n == 0 {
		e.warnAuthorship(res, about, &about, ref, where, 0, "empty note: no trace record")
	}
}

// readTraceFiles reads the Agent Trace records that commit c adds to the
// Agent Trace files it changes (see the top of this file). ref is a pushed
// ref carrying c, for the warnings.
func (e *Engine) readTraceFiles(res *Result, c *gitstore.Commit, ref string, changes []fileChange) error {
	var a *authorship // the commit's, once it changes an Agent Trace file
	for _, ch := range changes {
		if ch.Status == gitstore.Deleted || ch.NewMode == filemode.Submodule || !IsAgentTraceFile(ch.Path) {
			continue
		}
		if a == nil {
			if a = e.authorshipOf(c.Hash); a.filesRead {
				return nil // read when an earlier Run checked the commit
			}
			a.filesRead = true
		}
		warn := func(line int, why string) {
			e.warnAuthorship(res, c.Hash, &c.Hash, ref, ch.Path, line, why)
		}
		newer, truncated, err := e.store.ReadBlob(ch.NewHash, maxTraceFile)
		if err != nil {
			return fmt.Errorf("read %s in commit %s: %w", ch.Path, c.Hash, err)
		}
		if truncated {
			warn(0, fmt.Sprintf("Agent Trace file larger than %d bytes: not read", maxTraceFile))
			continue
		}
		if diff.IsBinary(newer) {
			warn(0, "Agent Trace file is binary: not read")
			continue
		}
		parents := make([][]byte, len(ch.parentBlobs))
		for i, ph := range ch.parentBlobs {
			if ph.IsZero() {
				continue
			}
			old, truncated, err := e.store.ReadBlob(ph, maxTraceFile)
			if err != nil {
				return fmt.Errorf("read parent version of %s in commit %s: %w", ch.Path, c.Hash, err)
			}
			if !truncated && !diff.IsBinary(old) {
				parents[i] = old // else every line of newer counts as added
			}
		}
		var lines []diff.Line
		if len(parents) == 0 {
			lines = e.differ.AddedMerge([][]byte{nil}, newer)
		} else {
			lines = e.differ.AddedMerge(parents, newer)
		}
		n := 0
		for _, l := range lines {
			text := bytes.TrimSpace(l.Text)
			if len(text) == 0 {
				continue
			}
			if n++; n > maxTraceRecords {
				warn(l.No, fmt.Sprintf("more than %d records added: the rest are not read", maxTraceRecords))
				break
			}
			rec, err := parseTraceRecord(text)
			if err != nil {
				warn(l.No, err.Error())
				continue
			}
			if !recordAbout(rec, c) {
				continue
			}
			a.credit(rec)
		}
	}
	return nil
}

// recordAbout reports whether a record found in the lines commit c adds is
// about c: no revision, or c itself or one of its parents (a git revision).
func recordAbout(rec *traceRecord, c *gitstore.Commit) bool {
	if rec.vcsType == "" && rec.revision == "" {
		return true
	}
	if rec.vcsType != "git" {
		return false
	}
	if rec.revision == c.Hash.String() {
		return true
	}
	for _, p := range c.Parents {
		if rec.revision == p.String() {
			return true
		}
	}
	return false
}
