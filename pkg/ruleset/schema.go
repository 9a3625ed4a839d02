package ruleset

import "gopkg.in/yaml.v3"

// This file is the YAML schema of a rule file. It is decoded strictly: an
// unknown key anywhere is an error naming file:line. New condition groups
// (AI provenance, dependencies, ...) are added as new optional keys, so old
// rule files stay valid.
//
// Only the keys matter to the decoder (see decode.go): every field is decoded
// by its yaml tag, and whether a key was written is tracked separately, so
// optional keys need no pointer types.

// File is one rule file.
type File struct {
	// Rules are the rules the file defines.
	Rules []RuleSpec `yaml:"rules"`

	// AITools and DeclaredTrailers are the AI tool markers a file may carry
	// (see rules/ai-tools.yml). They belong to pkg/provenance, which decodes
	// and validates them (provenance.ParseToolSpecs, DecodeToolSpecs); the
	// rule loader accepts the keys and leaves their values alone.
	AITools          *yaml.Node `yaml:"ai_tools"`
	DeclaredTrailers *yaml.Node `yaml:"declared_trailers"`

	// Allowlist applies to every rule of the set the file is loaded into
	// (see AllowlistSpec; allowlist.go).
	Allowlist *AllowlistSpec `yaml:"allowlist"`
}

// RuleSpec is one rule as written in YAML. All conditions that are present
// must hold for the rule to fire. The finest condition present decides what a
// finding points at: a line (content), else a file (paths/file), else a commit.
type RuleSpec struct {
	ID          string   `yaml:"id"`          // required; unique within a file
	Description string   `yaml:"description"` // what the rule detects, for admins
	Severity    string   `yaml:"severity"`    // required: block | warn | info
	Message     string   `yaml:"message"`     // required: what the pusher reads
	Help        string   `yaml:"help"`        // how to fix it
	Tags        []string `yaml:"tags"`
	// Redact hides the matched text in every output except its first
	// characters. Defaults to true for rules with a content condition.
	Redact *bool `yaml:"redact"`
	// Bypassable: a break-glass push (-o pushguard.bypass=...) may override
	// the rule. Defaults to true; set false for rules no one may override.
	Bypassable *bool `yaml:"bypassable"`
	// Suppressible: an inline "pushguard:allow <id> -- <reason>" comment
	// may suppress the rule's findings. Defaults to true.
	Suppressible *bool `yaml:"suppressible"`
	// Allowlist drops findings of the rule by path, match, commit.
	Allowlist *AllowlistSpec `yaml:"allowlist"`
	// Disabled turns a rule off (useful to override an embedded default by id).
	Disabled bool `yaml:"disabled"`

	Refs    *GlobSet     `yaml:"refs"`    // pushed refs the rule applies to
	Paths   *GlobSet     `yaml:"paths"`   // changed files the rule applies to
	Commit  *CommitSpec  `yaml:"commit"`  // conditions on the commit
	File    *FileSpec    `yaml:"file"`    // conditions on the changed file
	Content *ContentSpec `yaml:"content"` // conditions on the added lines
	AI      *AISpec      `yaml:"ai"`      // conditions on AI provenance (ai.go)
	Require *RequireSpec `yaml:"require"` // what a commit must have, else the rule fires (ai.go)
	Tests   *TestsSpec   `yaml:"tests"`   // examples the rule is tested with

	// Dependencies fires on dependencies a commit adds to manifests (deps.go).
	Dependencies *DependenciesSpec `yaml:"dependencies"`
}

// GlobSet is an include/exclude pair of doublestar globs. A value matches when
// it matches any include (or include is empty) and no exclude.
//
// Under paths, a pattern without a slash matches a base name at any depth
// ("*.pem" is "**/*.pem"), a leading slash anchors at the repository root and
// a trailing slash means everything below a directory, as in .gitignore.
// Under refs, patterns match full ref names such as refs/heads/main.
type GlobSet struct {
	Include []string `yaml:"include"` // empty: everything
	Exclude []string `yaml:"exclude"`
}

// CommitSpec holds conditions on the commit (or annotated tag) message and
// identities.
type CommitSpec struct {
	Message        string   `yaml:"message"`          // regex the message must match
	TrailersAll    []string `yaml:"trailers_present"` // trailer keys that must all be present
	TrailersAbsent []string `yaml:"trailers_absent"`  // trailer keys that must all be absent
	AuthorName     string   `yaml:"author_name"`      // regex
	AuthorEmail    string   `yaml:"author_email"`     // regex
	CommitterName  string   `yaml:"committer_name"`   // regex
	CommitterEmail string   `yaml:"committer_email"`  // regex
}

// FileSpec holds conditions on a changed file.
type FileSpec struct {
	// Status lists the changes the rule applies to. When absent it is
	// [added, modified, renamed]: deleting a file never fires a rule unless
	// the rule asks for deleted explicitly.
	Status  []string `yaml:"status"`   // added | modified | deleted | renamed
	SizeMin string   `yaml:"size_min"` // e.g. "5MB", "100KiB", "1024"
	Binary  *bool    `yaml:"binary"`
}

// ContentSpec matches the lines a commit adds.
type ContentSpec struct {
	Regex string `yaml:"regex"`
	// Keywords: a line is only tried against Regex when it contains one of
	// these (case-insensitive). Cheap prefilter; strongly recommended.
	Keywords []string `yaml:"keywords"`
	// Entropy requires a minimum Shannon entropy (bits per byte) of a capture
	// group (0 = whole match).
	Entropy *EntropySpec `yaml:"entropy"`
	// Stopwords: a match containing one of these (case-insensitive) is ignored
	// (placeholders such as EXAMPLE, xxxx).
	Stopwords []string `yaml:"stopwords"`
	// Allow: a match whose text matches one of these regexes is ignored.
	Allow []string `yaml:"allow"`
	// Unicode matches hidden code points instead of a regex: classes (bidi,
	// zero-width, tags, variation-selectors) or ranges ("U+202A-U+202E").
	// See unicode.go.
	Unicode []string `yaml:"unicode"`
	// Providers matches credentials by provider context instead of a
	// regex: a key naming a known service and a credential word, assigned
	// a token-shaped value. See provider.go and rules/providers.yml.
	Providers *ProvidersSpec `yaml:"providers"`
	// SecretGroup names the capture group that is the secret (0, the
	// default: the whole match). Stopwords and allow regexes then look at
	// the group, and findings point at it and show it (redacted), so that
	// a pattern may match a key name for context without reporting it.
	SecretGroup int `yaml:"secret_group"`
}

// EntropySpec is a minimum Shannon entropy condition.
type EntropySpec struct {
	Min   float64 `yaml:"min"`   // required, bits per byte, 0 to 8
	Group int     `yaml:"group"` // capture group; 0 (default) is the whole match
}

// TestsSpec are examples a rule must (match) and must not (nomatch) fire on.
// An example is read according to the rule's level: an added line for a
// content rule, a file path for a file rule, a commit message for a commit
// rule. The mapping form of ExampleSpec can give the other facts too.
type TestsSpec struct {
	// Path is the file the examples of a content rule are added to. When it
	// is absent (and an example gives no path), paths and file conditions
	// are not checked.
	Path    string        `yaml:"path"`
	Match   []ExampleSpec `yaml:"match"`
	NoMatch []ExampleSpec `yaml:"nomatch"`
}

// ExampleSpec is one rule test case. It is written either as a plain string
// (Text, read according to the rule's level) or as a mapping giving the facts
// of the example. Conditions whose facts an example does not give are not
// checked, except the conditions of the rule's own level.
type ExampleSpec struct {
	// Text is the plain-string form.
	Text string `yaml:"-"`

	Line    string `yaml:"line"`    // the added line (content rules only)
	Path    string `yaml:"path"`    // the file path
	Status  string `yaml:"status"`  // default added
	Size    string `yaml:"size"`    // file size, ParseSize syntax; default 0
	Binary  bool   `yaml:"binary"`  // default false
	Ref     string `yaml:"ref"`     // full ref name; refs are not checked when absent
	Message string `yaml:"message"` // commit message; trailers are read from it

	AuthorName     string `yaml:"author_name"`
	AuthorEmail    string `yaml:"author_email"`
	CommitterName  string `yaml:"committer_name"`
	CommitterEmail string `yaml:"committer_email"`
	Signed         bool   `yaml:"signed"` // the commit is signed; default false
	// Old and New are a manifest's content before and after the change
	// (dependencies rules only; see deps.go).
	Old string `yaml:"old"`
	New string `yaml:"new"`
}

// decodeScalar sets the plain-string form of an example.
func (e *ExampleSpec) decodeScalar(s string) { e.Text = s }
