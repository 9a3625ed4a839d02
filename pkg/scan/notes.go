package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/pushguard/pushguard/pkg/ruleset"
)

// AINotesRef is where git-ai keeps its authorship logs (Git AI Standard
// v3.0.0): one note per commit, naming the AI tools that wrote lines of it.
const AINotesRef = "refs/notes/ai"

// maxNote bounds one authorship note read from the notes tree.
const maxNote = 1 << 20

// noteSkipPrefix starts the Skip reason of a note that was ignored.
const noteSkipPrefix = "ai note: "

// readAINotes reads the authorship records a push carries on its notes
// refs: git-ai authorship logs on refs/notes/ai and Agent Trace records on
// refs/notes/agent-trace (agenttrace.go). The commits they annotate count
// as AI-assisted by the tools the records name, and their AI-written line
// ranges become the commits' line data (lines.go). A note that cannot be
// read is reported as a warning finding of the built-in rule
// AuthorshipRuleID (and, on refs/notes/ai, as a Skip), never an error: a
// broken note must not crash the hook nor hide the rest, and the commit it
// annotates loses its line data, so that every line of it counts as
// AI-written if it is AI-marked (fail closed).
func (e *Engine) readAINotes(res *Result, tips []Tip) error {
	for _, t := range tips {
		if t.Ref != AINotesRef && t.Ref != AgentTraceNotesRef {
			continue
		}
		target, typ, _, err := e.store.Peel(t.Hash)
		if err != nil {
			return fmt.Errorf("read %s: %w", t.Ref, err)
		}
		if typ != plumbing.CommitObject {
			continue
		}
		c, err := e.store.Commit(target)
		if err != nil {
			return fmt.Errorf("read %s commit %s: %w", t.Ref, target, err)
		}
		files, err := e.store.Changes(plumbing.ZeroHash, c.Tree)
		if err != nil {
			return fmt.Errorf("read %s tree: %w", t.Ref, err)
		}
		for _, f := range files {
			name := strings.ReplaceAll(f.Path, "/", "") // notes trees fan out as ab/cdef...
			var about *plumbing.Hash
			if len(name) == 40 && isHex(name) {
				h := plumbing.NewHash(name)
				about = &h
			}
			warn := func(why string) {
				if t.Ref == AINotesRef {
					res.Skipped = append(res.Skipped, Skip{Commit: target, Path: f.Path, Reason: noteSkipPrefix + why})
				}
				commit := target
				if about != nil {
					commit = *about
				}
				e.warnAuthorship(res, commit, about, t.Ref, t.Ref+":"+f.Path, 0, strings.TrimSuffix(why, "; ignored"))
			}
			if about == nil || f.NewMode == filemode.Submodule {
				warn("not a note for a commit id; ignored")
				continue
			}
			data, truncated, err := e.store.ReadBlob(f.NewHash, maxNote)
			if err != nil {
				return fmt.Errorf("read %s note %s: %w", t.Ref, f.Path, err)
			}
			if truncated {
				warn(fmt.Sprintf("larger than %d bytes; ignored", maxNote))
				continue
			}
			if t.Ref == AgentTraceNotesRef {
				e.readTraceNote(res, t.Ref, f.Path, *about, data)
				continue
			}
			tools, afiles, _, err := parseAuthorshipLog(data)
			if err != nil {
				warn("not a Git AI authorship log (" + err.Error() + "); ignored")
				continue
			}
			if len(tools) == 0 {
				continue
			}
			a := e.authorshipOf(*about)
			a.addSource(ruleset.EvidenceNote, tools)
			kept := 0
			for _, af := range afiles {
				kept += len(af.Ranges)
			}
			if kept >= maxNoteRanges {
				// Ranges past the cap were dropped: the rest of the
				// note's lines would pass for human-written.
				e.warnAuthorship(res, *about, about, t.Ref, t.Ref+":"+f.Path, 0, fmt.Sprintf("more than %d line ranges: line data not used", maxNoteRanges-1))
			}
			for _, af := range afiles {
				for _, r := range af.Ranges {
					a.addRange(af.Path, r[0], r[1])
				}
			}
		}
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// noteToolIDs maps the tool names git-ai records to pushguard's canonical
// tool ids; an unknown name counts as "declared" AI use.
var noteToolIDs = map[string]string{
	"claude": "claude-code", "claude-code": "claude-code", "claude_code": "claude-code",
	"cursor": "cursor", "copilot": "github-copilot", "github-copilot": "github-copilot",
	"codex": "openai-codex", "openai-codex": "openai-codex", "gemini": "gemini", "gemini-cli": "gemini",
	"windsurf": "windsurf", "cline": "cline", "roo-code": "roo-code", "continue": "continue",
	"aider": "aider", "amp": "amp", "junie": "junie", "opencode": "declared",
}

// maxNoteLines caps the AI-written lines counted for one commit: a note's
// ranges are pushed data and may claim any number.
const maxNoteLines = 1 << 24

// maxNoteRanges caps the line ranges kept from one note (the count goes
// on); a note is at most maxNote bytes anyway.
const maxNoteRanges = 4096

// AIFile is a file of a commit with the line ranges an authorship note
// attests as AI-written (1-based, inclusive), in note order.
type AIFile struct {
	Path   string   `json:"path"`
	Ranges [][2]int `json:"ranges"`
}

// parseAuthorshipLog reads a Git AI authorship log: attestation lines, a
// "---" line, then JSON metadata with "schema_version": "authorship/…" and
// the prompts that produced lines, each naming its agent's tool. It returns
// the canonical ids of those tools (none when no line came from a prompt)
// and how many lines the attestations credit to the prompts (see
// countAttestedLines). A malformed attestation makes the whole log invalid.
func parseAuthorshipLog(b []byte) ([]string, []AIFile, int, error) {
	tools, err := authorshipTools(b)
	if err != nil {
		return nil, nil, 0, err
	}
	files, lines, err := countAttestedLines(b)
	if err != nil {
		return nil, nil, 0, err
	}
	return tools, files, lines, nil
}

// countAttestedLines counts the lines the attestation section of an
// authorship log (before its "---" line) credits to AI prompts: a file path
// on its own line, then indented "PROMPT_ID RANGES" lines, RANGES being
// comma-separated line numbers and "first-last" ranges (1-based). The
// count is capped at maxNoteLines. It also returns the ranges per file
// (at most maxNoteRanges in all).
func countAttestedLines(b []byte) ([]AIFile, int, error) {
	end := bytes.Index(b, []byte("\n---\n"))
	if bytes.HasPrefix(b, []byte("---\n")) || end < 0 {
		return nil, 0, nil
	}
	total, kept := 0, 0
	var files []AIFile
	for n, line := range strings.Split(string(b[:end]), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.TrimSpace(line) == "":
			continue
		case line[0] != ' ' && line[0] != '\t':
			files = append(files, AIFile{Path: strings.TrimSpace(line)})
			continue
		case len(files) == 0:
			return nil, 0, fmt.Errorf("attestation line %d before any file", n+1)
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, 0, fmt.Errorf("attestation line %d: want PROMPT_ID RANGES", n+1)
		}
		ranges, c, err := countRanges(fields[1])
		if err != nil {
			return nil, 0, fmt.Errorf("attestation line %d: %v", n+1, err)
		}
		total = min(total+c, maxNoteLines)
		f := &files[len(files)-1]
		for _, r := range ranges {
			if kept < maxNoteRanges {
				f.Ranges = append(f.Ranges, r)
				kept++
			}
		}
	}
	return slices.DeleteFunc(files, func(f AIFile) bool { return len(f.Ranges) == 0 }), total, nil
}

// countRanges parses and counts the lines of "1-3,5,9-12".
func countRanges(s string) ([][2]int, int, error) {
	var out [][2]int
	total := 0
	for _, r := range strings.Split(s, ",") {
		first, last, isRange := strings.Cut(r, "-")
		a, err := lineNumber(first)
		if err != nil {
			return nil, 0, err
		}
		b := a
		if isRange {
			if b, err = lineNumber(last); err != nil {
				return nil, 0, err
			}
		}
		if b < a {
			return nil, 0, fmt.Errorf("range %q ends before it starts", r)
		}
		total = min(total+(b-a+1), maxNoteLines)
		if len(out) < maxNoteRanges {
			out = append(out, [2]int{a, b})
		}
	}
	return out, total, nil
}

// lineNumber parses a 1-based line number of at most 9 digits.
func lineNumber(s string) (int, error) {
	if s == "" || len(s) > 9 {
		return 0, fmt.Errorf("bad line number %q", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("bad line number %q", s)
		}
		n = n*10 + int(s[i]-'0')
	}
	if n == 0 {
		return 0, fmt.Errorf("line numbers start at 1")
	}
	return n, nil
}

// authorshipTools reads the metadata of an authorship log and returns the
// canonical ids of the tools its prompts name.
func authorshipTools(b []byte) ([]string, error) {
	i := bytes.Index(b, []byte("\n---\n"))
	switch {
	case bytes.HasPrefix(b, []byte("---\n")):
		i = 0
	case i < 0:
		return nil, fmt.Errorf("no --- separator")
	default:
		i++
	}
	var meta struct {
		SchemaVersion string `json:"schema_version"`
		Prompts       map[string]struct {
			AgentID struct {
				Tool string `json:"tool"`
			} `json:"agent_id"`
		} `json:"prompts"`
	}
	if err := json.Unmarshal(b[i+4:], &meta); err != nil {
		return nil, fmt.Errorf("metadata is not JSON")
	}
	if !strings.HasPrefix(meta.SchemaVersion, "authorship/") {
		return nil, fmt.Errorf("schema_version is not authorship/*")
	}
	var tools []string
	for _, p := range meta.Prompts {
		id, ok := noteToolIDs[strings.ToLower(strings.TrimSpace(p.AgentID.Tool))]
		if !ok {
			id = "declared"
		}
		tools = mergeTools(tools, []string{id})
	}
	return tools, nil
}

// mergeTools returns the sorted union of two tool lists (a new slice).
func mergeTools(a, b []string) []string {
	out := append(append([]string(nil), a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
