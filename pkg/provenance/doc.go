// Package provenance tells, for one commit, whether an AI coding tool wrote
// or co-wrote it, which tool, and on what evidence.
//
// Every marker lives in data, never in this package's code: tool specs are
// YAML (the `ai_tools:` key of rules/ai-tools.yml, which any rule file may
// also carry to add, replace or disable a tool by id) and are compiled once
// into a [Detector]. A new AI tool or a new marker of an old one needs a YAML
// change, not a release.
//
// # Signals
//
// A tool spec lists signals of these kinds (the Evidence.Kind values):
//
//   - trailer: a "Key: value" trailer of the message, keys compared
//     case-insensitively. Trailers are those `git interpret-trailers` reads
//     (trailers.Parse) plus every trailer-like line anywhere else after the
//     subject line (trailers.Lines), because real commits put
//     Co-authored-by right under the subject. Trailer-like lines inside ```
//     or ~~~ fences outside the trailer block are skipped: they quote a
//     trailer, they do not sign the commit. Empty values never match.
//   - message: a regular expression over the whole message, or a literal
//     prefix of the subject line (`aider: `).
//   - identity: the author or committer email (or, where tools set no
//     reliable email, name).
//   - branch: a doublestar glob over the short name of a pushed branch
//     (refs/heads/ stripped; other refs are not branch signals).
//   - file: a doublestar glob over the paths the commit adds or modifies.
//   - declared: a declared-use trailer (Assisted-by, Generated-by,
//     AI-assisted, ...) that a human writes to disclose AI use.
//
// # Signal strength
//
// Precision comes first: a human commit must not be classified as AI
// written. Every signal entry is therefore strong or weak. Only strong
// evidence (and declared use) sets Result.Detected and puts a tool in
// Result.Tools; weak evidence is still reported (Evidence.Strong false, the
// tool in Result.Suspected) so that audits and reports can show it.
//
// The defaults, which any entry can override with `strong: true|false`:
//
//   - trailer, message, identity: strong. These are written by the tools
//     themselves and name them by a dedicated address or marker line.
//   - branch: weak. Agents do create claude/, copilot/, cursor/, codex/
//     branches, but the branch is a property of the push, not of the commit:
//     a reviewer who pushes a fix-up commit onto an agent's branch would be
//     marked as AI, people use their first name as a branch namespace
//     (Claude and Devin are first names), and agents told to follow a
//     project's convention use another agent's prefix. The agent's own
//     commits on such branches carry identity or trailer markers anyway.
//   - file: weak. Agent instruction files (CLAUDE.md, AGENTS.md,
//     .cursorrules, ...) are routinely written by hand. The shipped data
//     marks as strong only files that exist solely as an agent's session
//     output (aider's chat and input history and tag cache).
//   - declared: always counts. A value that names a known tool (the tool's
//     declared_values; the agent part, before a ':' or '(' as in the
//     kernel's AGENT:MODEL or "Tool (model)", is tried first) is attributed
//     to that tool, a value written as an
//     identity "Name <email>" is attributed by its email like a co-author
//     and, when no tool claims that email, is a person and not AI use; any
//     other value is attributed to the pseudo-tool "declared". Values a
//     declared trailer's not_value matches ("AI-assisted: no") are not
//     declarations.
package provenance
