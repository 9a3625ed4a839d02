package ruleset

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
)

// Severity says what a finding of a rule does to a push.
type Severity string

// Severities, from the strongest.
const (
	// SeverityBlock rejects the push (in enforce mode).
	SeverityBlock Severity = "block"
	// SeverityWarn accepts the push and shows the finding to the pusher.
	SeverityWarn Severity = "warn"
	// SeverityInfo accepts the push and only records the finding.
	SeverityInfo Severity = "info"
)

// Rank orders severities: block 3 > warn 2 > info 1; 0 for anything else.
func (s Severity) Rank() int {
	switch s {
	case SeverityBlock:
		return 3
	case SeverityWarn:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// Level is what a finding of a rule points at: the finest condition of the
// rule decides it.
type Level int

// Levels, from the coarsest.
const (
	// LevelCommit rules look at commits only.
	LevelCommit Level = iota + 1
	// LevelFile rules look at changed files (paths, status, size, binary).
	LevelFile
	// LevelLine rules look at the lines a commit adds (content).
	LevelLine
)

// String returns "commit", "file" or "line".
func (l Level) String() string {
	switch l {
	case LevelCommit:
		return "commit"
	case LevelFile:
		return "file"
	case LevelLine:
		return "line"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// CommitInfo holds the facts of a commit (or annotated tag) that commit
// conditions look at.
type CommitInfo struct {
	Message                       string
	AuthorName, AuthorEmail       string
	CommitterName, CommitterEmail string
	// Trailers maps lower-cased trailer keys to their values, filled by the
	// caller (pushguard parses them the way git interpret-trailers does).
	Trailers map[string][]string
	// Signed reports whether the commit (or tag) carries a signature.
	Signed bool
	// AI is the commit's AI-provenance classification; nil when none was made.
	AI *provenance.Result
}

// FileInfo holds the facts of a changed file that paths and file conditions
// look at.
type FileInfo struct {
	// Path is the file's path from the repository root, with slashes (the new
	// path of a rename, the old path of a deletion).
	Path string
	// Status is one of "added", "modified", "deleted", "renamed" (the values
	// of gitstore.Status). Any other value matches no rule that has paths or
	// file conditions.
	Status string
	Size   int64 // size of the new blob in bytes
	Binary bool  // the new blob is binary, as git decides it
}

// Rule is a compiled rule. Its exported fields are for reporting; a Rule is
// immutable once loaded and safe for concurrent use.
type Rule struct {
	ID          string
	Description string
	Message     string
	Help        string
	Severity    Severity
	Tags        []string
	// Redact hides matched text in outputs. Defaults to true when the rule
	// has a content condition, else false.
	Redact bool
	// Bypassable: a permitted break-glass push may override the rule.
	Bypassable bool
	// Suppressible: an inline pushguard:allow comment with a reason may
	// suppress the rule's findings (YAML suppressible, default true).
	Suppressible bool
	// Disabled rules remove the rule with the same id when merged by NewSet;
	// they are never part of a Set.
	Disabled bool
	// Source is "file.yml:LINE" where the rule starts.
	Source string
	// Index is the rule's position in Set.Rules (set by NewSet).
	Index int

	refs    *globSet
	paths   *globSet
	commit  *commitCond
	file    *fileCond
	content *contentCond
	ai      *aiCond      // ai.go
	deps    *depCond     // deps.go
	require *requireCond // ai.go
	tests   []example
	allow   *allowlist // allowlist.go
	global  *allowlist // set for a file's top-level allowlist (GlobalAllowlist)
}

// commitCond is a compiled CommitSpec.
type commitCond struct {
	message        *regexp.Regexp
	authorName     *regexp.Regexp
	authorEmail    *regexp.Regexp
	committerName  *regexp.Regexp
	committerEmail *regexp.Regexp
	present        []string // lower-cased trailer keys
	absent         []string // lower-cased trailer keys
}

// fileCond is a compiled FileSpec.
type fileCond struct {
	status  statusSet // 0 = the default
	sizeMin int64     // -1 = no size condition
	binary  *bool
}

// statusSet is a set of file statuses.
type statusSet uint8

const (
	statusAdded statusSet = 1 << iota
	statusModified
	statusDeleted
	statusRenamed

	// defaultStatus applies when a rule with paths or file conditions does
	// not list statuses: deleting a file must never be blocked by default.
	defaultStatus = statusAdded | statusModified | statusRenamed
)

// statusNames lists the valid status names, for messages.
const statusNames = "added, modified, deleted, renamed"

// parseStatus returns the set bit for a status name, 0 when unknown.
func parseStatus(s string) statusSet {
	switch s {
	case "added":
		return statusAdded
	case "modified":
		return statusModified
	case "deleted":
		return statusDeleted
	case "renamed":
		return statusRenamed
	}
	return 0
}

// Level returns LevelLine for rules with a content condition, else LevelFile
// for rules with paths or file conditions, else LevelCommit.
func (r *Rule) Level() Level {
	switch {
	case r.content != nil || r.deps != nil:
		return LevelLine
	case r.paths != nil || r.file != nil:
		return LevelFile
	}
	return LevelCommit
}

// HasContent reports whether the rule has a content condition.
func (r *Rule) HasContent() bool { return r.content != nil }

// TestCounts returns how many match and nomatch examples the rule has.
func (r *Rule) TestCounts() (match, nomatch int) {
	for _, t := range r.tests {
		if t.want {
			match++
		} else {
			nomatch++
		}
	}
	return match, nomatch
}

// MatchRef reports whether the rule applies to a push of ref (a full ref
// name such as refs/heads/main). True when the rule has no refs condition.
func (r *Rule) MatchRef(ref string) bool { return r.matchRef(ref, nil) }

// RefScoped reports whether the rule has a refs: condition, so that
// whether it applies depends on the ref.
func (r *Rule) RefScoped() bool { return r.refs != nil }

func (r *Rule) matchRef(ref string, why *string) bool {
	if r.refs == nil || r.refs.match(ref) {
		return true
	}
	if why != nil {
		explain(why, "ref %s does not match refs", yamlmsg.Quote(ref))
	}
	return false
}

// MatchCommit reports whether the commit conditions hold for c. True when
// the rule has no commit conditions.
func (r *Rule) MatchCommit(c *CommitInfo) bool { return r.matchCommit(c, nil) }

func (r *Rule) matchCommit(c *CommitInfo, why *string) bool {
	cc := r.commit
	if cc == nil {
		return r.matchAIAndRequire(c, why)
	}
	for _, f := range []struct {
		re    *regexp.Regexp
		value string
		key   string
	}{
		{cc.message, c.Message, "commit.message"},
		{cc.authorName, c.AuthorName, "commit.author_name"},
		{cc.authorEmail, c.AuthorEmail, "commit.author_email"},
		{cc.committerName, c.CommitterName, "commit.committer_name"},
		{cc.committerEmail, c.CommitterEmail, "commit.committer_email"},
	} {
		if f.re != nil && !f.re.MatchString(f.value) {
			if why != nil {
				explain(why, "%s does not match %s", f.key, yamlmsg.Quote(f.value))
			}
			return false
		}
	}
	for _, k := range cc.present {
		if len(c.Trailers[k]) == 0 {
			if why != nil {
				explain(why, "trailer %q is absent (commit.trailers_present)", k)
			}
			return false
		}
	}
	for _, k := range cc.absent {
		if len(c.Trailers[k]) > 0 {
			if why != nil {
				explain(why, "trailer %q is present (commit.trailers_absent)", k)
			}
			return false
		}
	}
	return r.matchAIAndRequire(c, why)
}

// MatchFile reports whether the paths and file conditions hold for f. True
// when the rule has neither. When the rule has one of them but no
// file.status, the status must be added, modified or renamed: a deleted file
// matches only rules that list "deleted" explicitly, so that removing, say, a
// key file is never blocked.
func (r *Rule) MatchFile(f *FileInfo) bool { return r.matchFile(f, nil) }

// MatchPath reports whether path holds for the rule's paths condition (true
// without one): the part of MatchFile that depends on the path alone, for a
// caller that sees the same path many times (a scan of a history).
func (r *Rule) MatchPath(path string) bool { return r.paths == nil || r.paths.match(path) }

// PathsKey identifies the rule's paths condition by its patterns: rules
// with the same key (such as those sharing a YAML anchor) have the same
// MatchPath for every path. "" for a rule without one (MatchPath is true).
func (r *Rule) PathsKey() string {
	if r.paths == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range r.paths.include {
		b.WriteString("+")
		b.WriteString(p)
		b.WriteByte(0)
	}
	for _, p := range r.paths.exclude {
		b.WriteString("-")
		b.WriteString(p)
		b.WriteByte(0)
	}
	return b.String()
}

// AnyFile reports whether the rule has neither a paths nor a file
// condition: MatchFile and MatchFileAfterPath are then true for every
// file, whatever its path, status, size or content.
func (r *Rule) AnyFile() bool { return r.paths == nil && r.file == nil }

// MatchFileAfterPath is MatchFile for a file whose path is known to hold for
// the rule's paths condition (MatchPath): it checks the rest.
func (r *Rule) MatchFileAfterPath(f *FileInfo) bool {
	if r.AnyFile() {
		return true
	}
	return r.matchFileRest(f, nil)
}

func (r *Rule) matchFile(f *FileInfo, why *string) bool {
	if r.AnyFile() {
		return true
	}
	if r.paths != nil && !r.paths.match(f.Path) {
		if why != nil {
			explain(why, "path %s does not match paths", yamlmsg.Quote(f.Path))
		}
		return false
	}
	return r.matchFileRest(f, why)
}

// matchFileRest checks the file conditions other than paths.
func (r *Rule) matchFileRest(f *FileInfo, why *string) bool {
	status := defaultStatus
	if r.file != nil && r.file.status != 0 {
		status = r.file.status
	}
	if parseStatus(f.Status)&status == 0 {
		if why != nil {
			explain(why, "file status %q is not one the rule applies to", f.Status)
		}
		return false
	}
	if r.file == nil {
		return true
	}
	if r.file.sizeMin >= 0 && f.Size < r.file.sizeMin {
		if why != nil {
			explain(why, "size %d is below file.size_min %d", f.Size, r.file.sizeMin)
		}
		return false
	}
	if r.file.binary != nil && f.Binary != *r.file.binary {
		if why != nil {
			explain(why, "file.binary is %t but the file's is %t", *r.file.binary, f.Binary)
		}
		return false
	}
	return true
}

// explain sets *why when why is not nil. Matching code reports why it did
// not match only when asked (rule tests), so the hot path formats nothing.
func explain(why *string, format string, args ...any) {
	if why != nil {
		*why = fmt.Sprintf(format, args...)
	}
}

// String returns the rule's id and source, for debugging.
func (r *Rule) String() string {
	return r.ID + " (" + r.Source + ")"
}

// hasKeyword reports whether line contains one of the lower-cased keywords,
// ASCII case-insensitively. It is the plain reference the prefilter must
// agree with.
func hasKeyword(line []byte, keywords []string) bool {
	for _, k := range keywords {
		if indexFold(line, k) >= 0 {
			return true
		}
	}
	return false
}

// indexFold returns the first index of the lower-cased needle in s, ASCII
// case-insensitively, or -1.
func indexFold(s []byte, needle string) int {
	n := len(needle)
	if n == 0 {
		return 0
	}
outer:
	for i := 0; i+n <= len(s); i++ {
		for j := range n {
			if lowerASCII(s[i+j]) != needle[j] {
				continue outer
			}
		}
		return i
	}
	return -1
}

// lowerASCII lower-cases an ASCII letter and leaves other bytes alone.
func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// lowerASCIIString lower-cases the ASCII letters of s.
func lowerASCIIString(s string) string {
	// Most strings (keywords, provider names: thousands per load) are
	// lower-case ASCII already, returned as they are; other ASCII is
	// lowered bytewise. Anything else goes through strings.Map, which
	// also turns invalid UTF-8 into U+FFFD, as it always did.
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return lowerMap(s)
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if !upper {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// lowerMap is lowerASCIIString by strings.Map, for any string.
func lowerMap(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
