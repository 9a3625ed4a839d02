package report

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/pushguard/pushguard/pkg/scan"
)

// agentTraceVersion is the Agent Trace specification version written.
const agentTraceVersion = "0.1.0"

// Agent Trace record (https://agent-trace.dev, v0.1.0): what pushguard
// knows about one AI-marked commit. Contributors are per file range, so a
// commit known to be AI-assisted only from its metadata (trailers,
// identity) has no files; the classification is in metadata.
type traceRecord struct {
	Version   string         `json:"version"`
	ID        string         `json:"id"`
	Timestamp string         `json:"timestamp"`
	VCS       traceVCS       `json:"vcs"`
	Tool      traceTool      `json:"tool"`
	Files     []traceFile    `json:"files"`
	Metadata  map[string]any `json:"metadata,omitempty"`
}

type traceVCS struct {
	Type     string `json:"type"`
	Revision string `json:"revision"`
}

type traceTool struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type traceFile struct {
	Path          string              `json:"path"`
	Conversations []traceConversation `json:"conversations"`
}

type traceConversation struct {
	Contributor traceContributor `json:"contributor"`
	Ranges      []traceRange     `json:"ranges"`
}

type traceContributor struct {
	Type string `json:"type"`
}

type traceRange struct {
	StartLine int `json:"start_line"`
	EndLine   int `json:"end_line"`
}

// WriteAgentTrace writes one Agent Trace record per AI-marked commit, as
// JSON lines: the commit as VCS revision, the files and line ranges its
// authorship records (refs/notes/ai notes, Agent Trace records) attest
// (contributor "ai"), and under metadata["dev.pushguard"] the tools,
// declaration, evidence and line attribution pushguard found. The record id is derived from the commit id, so a replay gives
// the same records. version is pushguard's own, written as the tool's.
func WriteAgentTrace(w io.Writer, commits []scan.CommitInfo, version string) error {
	enc := json.NewEncoder(w)
	for _, c := range commits {
		if !c.AI.Detected {
			continue
		}
		rec := traceRecord{
			Version:   agentTraceVersion,
			ID:        traceID(c.Hash.String()),
			Timestamp: c.Author.When.UTC().Format(time.RFC3339),
			VCS:       traceVCS{Type: "git", Revision: c.Hash.String()},
			Tool:      traceTool{Name: "pushguard", Version: version},
			Files:     []traceFile{},
			Metadata: map[string]any{"dev.pushguard": map[string]any{
				"tools": c.AI.Tools, "declared": c.AI.Declared, "evidence": c.AI.Evidence, "ai_lines": c.AI.Lines,
				"attribution": c.AI.Attribution, "line_sources": c.AI.LineSources,
			}},
		}
		for _, f := range c.AI.Files {
			conv := traceConversation{Contributor: traceContributor{Type: "ai"}}
			for _, r := range f.Ranges {
				conv.Ranges = append(conv.Ranges, traceRange{StartLine: r[0], EndLine: r[1]})
			}
			rec.Files = append(rec.Files, traceFile{Path: f.Path, Conversations: []traceConversation{conv}})
		}
		if err := enc.Encode(rec); err != nil {
			return fmt.Errorf("write agent trace: %w", err)
		}
	}
	return nil
}

// traceID is a name-based UUID (version 5 layout) of the commit id.
func traceID(commit string) string {
	sum := sha1.Sum([]byte("pushguard agent-trace " + commit))
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}
