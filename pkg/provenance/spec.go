package provenance

// DeclaredID is the id of the pseudo-tool that holds the declared-use
// trailers, and the tool id a declaration naming no known tool is
// attributed to.
const DeclaredID = "declared"

// ToolSpec is one AI tool as written in YAML under `ai_tools:`. All signal
// lists are optional, but a tool that is not disabled needs at least one.
//
// Regular expressions are Go RE2 syntax, matched as written: add (?i) where
// case must not matter. Globs are doublestar patterns (`**` crosses
// directories) and are case-sensitive.
//
// The spec with id "declared" is special: it holds the declared-use trailer
// keys (Assisted-by, ...) in Trailers or TrailerKeys and may have no other
// signal. The top-level `declared_trailers:` key of a file is shorthand for
// it.
type ToolSpec struct {
	// ID is the canonical tool id (claude-code, github-copilot, ...):
	// lower-case letters, digits and single dashes. A later spec with the
	// same id replaces an earlier one.
	ID string `yaml:"id"`
	// Name is the display name; the id when empty.
	Name string `yaml:"name"`
	// Disabled removes the tool (and every earlier spec of the same id).
	Disabled bool `yaml:"disabled"`

	// Trailers are trailers whose key (case-insensitive) and value identify
	// the tool. Strong by default.
	Trailers []TrailerSpec `yaml:"trailers"`
	// TrailerKeys are trailer keys (case-insensitive) whose presence, with
	// any non-empty value, identifies the tool. Strong by default.
	TrailerKeys []Pattern `yaml:"trailer_keys"`
	// Message are regular expressions over the whole message. Strong by
	// default.
	Message []Pattern `yaml:"message"`
	// SubjectPrefix are literal, case-sensitive prefixes of the subject
	// line. Evidence kind "message". Strong by default.
	SubjectPrefix []Pattern `yaml:"subject_prefix"`
	// Emails are regular expressions over the author and the committer
	// email. Evidence kind "identity". Strong by default.
	Emails []Pattern `yaml:"emails"`
	// Names are regular expressions over the author and the committer name,
	// for tools that set no reliable email. Evidence kind "identity". Strong
	// by default.
	Names []Pattern `yaml:"names"`
	// Identities are regular expressions over the whole author and
	// committer identity, written "Name <email>", for tools known by a
	// name on an address that is also used otherwise (an agent committing
	// under a maintainer's address, a workflow sharing an agent's
	// address). Evidence kind "identity". Strong by default.
	Identities []Pattern `yaml:"identities"`
	// Branches are globs over the short names of the pushed branches.
	// Weak by default.
	Branches []Pattern `yaml:"branches"`
	// Files are globs over the paths the commit adds or modifies. Weak by
	// default.
	Files []Pattern `yaml:"files"`
	// DeclaredValues are regular expressions over the value of a
	// declared-use trailer that attribute the declaration to this tool.
	DeclaredValues []Pattern `yaml:"declared_values"`

	// File and Line locate the spec for error messages. The decoders of this
	// package set them; other decoders may.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
}

// TrailerSpec is one trailer signal: the key, compared case-insensitively,
// and optional regular expressions the value must and must not match.
type TrailerSpec struct {
	Key      string `yaml:"key"`
	Value    string `yaml:"value"`     // regex the value must match; any value when empty
	NotValue string `yaml:"not_value"` // regex the value must not match; ignored when empty
	// Strong overrides the default strength of the signal kind.
	Strong *bool `yaml:"strong"`
	// ToolsOnly, for declared-use trailers only, counts the trailer as a
	// declaration only when its value names a known tool: a tool's trailer
	// signal of the same key matches it, or its identity is a tool's. It
	// makes "Co-authored-by: Claude <noreply@anthropic.com>" a disclosure
	// while "Co-authored-by: Ann <ann@example.com>" stays a person.
	ToolsOnly bool `yaml:"tools_only"`

	// Line locates the entry for error messages (0 when unknown).
	Line int `yaml:"-"`
}

// Pattern is one entry of a signal list: a regular expression, glob or
// literal according to the list. In YAML it is written either as a plain
// string or as a mapping {pattern: ..., strong: true|false}.
type Pattern struct {
	Pattern string `yaml:"pattern"`
	// Strong overrides the default strength of the signal kind.
	Strong *bool `yaml:"strong"`

	// Line locates the entry for error messages (0 when unknown).
	Line int `yaml:"-"`
}
