package ruleset

// This file is the YAML schema of a rule file. It is decoded strictly: an
// unknown key anywhere is an error naming file:line. New condition groups
// (AI provenance, dependencies, ...) are added as new optional keys, so old
// rule files stay valid.

// File is one rule file.
type File struct {
	// Rules are the rules the file defines.
	Rules []RuleSpec `yaml:"rules"`
}

// RuleSpec is one rule as written in YAML. All conditions that are present
// must hold for the rule to fire. The finest condition present decides what a
// finding points at: a line (content), else a file (paths/file), else a commit.
type RuleSpec struct {
	ID          string   `yaml:"id"`
	Description string   `yaml:"description"`
	Severity    string   `yaml:"severity"` // block | warn | info
	Message     string   `yaml:"message"`
	Help        string   `yaml:"help"`
	Tags        []string `yaml:"tags"`
	// Redact hides the matched text in every output except its first
	// characters. Defaults to true for rules with a content condition.
	Redact *bool `yaml:"redact"`
	// Disabled turns a rule off (useful to override an embedded default by id).
	Disabled bool `yaml:"disabled"`

	Refs    *GlobSet       `yaml:"refs"`
	Paths   *GlobSet       `yaml:"paths"`
	Commit  *CommitSpec    `yaml:"commit"`
	File    *FileSpec      `yaml:"file"`
	Content *ContentSpec   `yaml:"content"`
	Tests   *TestsSpec     `yaml:"tests"`
}

// GlobSet is an include/exclude pair of doublestar globs. A value matches when
// it matches any include (or include is empty) and no exclude.
type GlobSet struct {
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
}

// CommitSpec holds conditions on the commit (or annotated tag) message and
// identities.
type CommitSpec struct {
	Message        string   `yaml:"message"`         // regex the message must match
	TrailersAll    []string `yaml:"trailers_present"` // trailer keys that must all be present
	TrailersAbsent []string `yaml:"trailers_absent"`  // trailer keys that must all be absent
	AuthorEmail    string   `yaml:"author_email"`     // regex
	CommitterEmail string   `yaml:"committer_email"`  // regex
}

// FileSpec holds conditions on a changed file.
type FileSpec struct {
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
}

// EntropySpec is a minimum Shannon entropy condition.
type EntropySpec struct {
	Min   float64 `yaml:"min"`
	Group int     `yaml:"group"`
}

// TestsSpec are examples a rule must (match) and must not (nomatch) fire on.
// Each example is one added line.
type TestsSpec struct {
	Match   []string `yaml:"match"`
	NoMatch []string `yaml:"nomatch"`
}
