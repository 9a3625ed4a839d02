package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// AINotesRef is where git-ai keeps its authorship logs (Git AI Standard
// v3.0.0): one note per commit, naming the AI tools that wrote lines of it.
const AINotesRef = "refs/notes/ai"

// maxNote bounds one authorship note read from the notes tree.
const maxNote = 1 << 20

// noteSkipPrefix starts the Skip reason of a note that was ignored.
const noteSkipPrefix = "ai note: "

// readAINotes reads the authorship notes a push carries on refs/notes/ai:
// the commits they annotate count as AI-assisted by the tools the notes
// name. A note that is not an authorship log is ignored and reported as a
// Skip, never an error: notes are informative, and a broken one must not
// block a push or hide the rest.
func (e *Engine) readAINotes(res *Result, tips []Tip) error {
	for _, t := range tips {
		if t.Ref != AINotesRef {
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
			skip := func(why string) {
				res.Skipped = append(res.Skipped, Skip{Commit: target, Path: f.Path, Reason: noteSkipPrefix + why})
			}
			name := strings.ReplaceAll(f.Path, "/", "") // notes trees fan out as ab/cdef...
			if len(name) != 40 || !isHex(name) || f.NewMode == filemode.Submodule {
				skip("not a note for a commit id; ignored")
				continue
			}
			data, truncated, err := e.store.ReadBlob(f.NewHash, maxNote)
			if err != nil {
				return fmt.Errorf("read %s note %s: %w", t.Ref, f.Path, err)
			}
			if truncated {
				skip(fmt.Sprintf("larger than %d bytes; ignored", maxNote))
				continue
			}
			tools, err := parseAuthorshipLog(data)
			if err != nil {
				skip("not a Git AI authorship log (" + err.Error() + "); ignored")
				continue
			}
			if len(tools) > 0 {
				if e.notes == nil {
					e.notes = map[plumbing.Hash][]string{}
				}
				h := plumbing.NewHash(name)
				e.notes[h] = mergeTools(e.notes[h], tools)
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

// parseAuthorshipLog reads a Git AI authorship log: attestation lines, a
// "---" line, then JSON metadata with "schema_version": "authorship/…" and
// the prompts that produced lines, each naming its agent's tool. It returns
// the canonical ids of those tools (none when no line came from a prompt).
func parseAuthorshipLog(b []byte) ([]string, error) {
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
