// Package config is pushguard's server configuration: where the rules come
// from, which rules apply to which repositories, refs and pushers, the mode
// (enforce or audit), the time budget, what happens on internal errors, the
// text shown to pushers, break-glass bypass and the audit log destination.
//
// The configuration is a YAML file (see docs/config.md) named by --config or
// PUSHGUARD_CONFIG, decoded strictly: an unknown key or a bad value is an
// error naming file:line. A Config is immutable once loaded and safe for
// concurrent use.
package config

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// EnvVar names the environment variable that points at the configuration
// file when no --config flag is given.
const EnvVar = "PUSHGUARD_CONFIG"

// Defaults of the settings a configuration file may leave out.
const (
	// DefaultTimeBudget bounds a hook run on GitLab, Gitea and plain git.
	DefaultTimeBudget = 30 * time.Second
	// GHESTimeBudget is the budget on GitHub Enterprise Server, which kills
	// a pre-receive hook after 5 s; it is also the most a GHES budget may be.
	GHESTimeBudget = 4500 * time.Millisecond
	// DefaultMaxFindings caps the findings listed to the pusher.
	DefaultMaxFindings = 20
	// DefaultMaxFileSize: larger files skip content rules.
	DefaultMaxFileSize = 5 << 20
	// DefaultBypassOption is the push option that asks for a bypass.
	DefaultBypassOption = "pushguard.bypass"
	// DefaultMinReasonLength is the shortest bypass reason accepted, in
	// characters.
	DefaultMinReasonLength = 10
	// DefaultSuppressionMinReason is the shortest reason an inline
	// suppression comment may give, in visible characters.
	DefaultSuppressionMinReason = 10
	// DefaultPolicyRef is the ref of a policy repository read when the
	// source names none.
	DefaultPolicyRef = "refs/heads/main"
	// DefaultSyslogTag and DefaultSyslogFacility apply to audit.destination
	// syslog.
	DefaultSyslogTag      = "pushguard"
	DefaultSyslogFacility = "auth"
)

// Mode says whether blocking findings reject the push.
type Mode string

// Modes. The strings are those of verdict.Mode.
const (
	// ModeEnforce rejects pushes with blocking findings.
	ModeEnforce Mode = "enforce"
	// ModeAudit accepts every push and records what would have been
	// rejected.
	ModeAudit Mode = "audit"
)

// OnError is what happens when pushguard cannot decide on a push (internal
// error, broken rules, time budget exceeded).
type OnError string

// OnError values.
const (
	// OnErrorReject fails closed: the push is rejected with a clear
	// message.
	OnErrorReject OnError = "reject"
	// OnErrorAccept fails open: the push is accepted, the pusher is told
	// and the audit event records the error.
	OnErrorAccept OnError = "accept"
)

// Audit destinations, as Audit.Destination holds them. The strings are
// those of audit.Destination.
const (
	AuditNone   = "none"
	AuditFile   = "file"
	AuditStderr = "stderr"
	AuditSyslog = "syslog"
)

// Config is the server configuration. Build it with Load or Default, then
// call ForPlatform once the platform is known.
type Config struct {
	// File is the file the configuration was loaded from; empty for Default.
	File string
	// Platform forces the platform adapter ("gitlab", "gitea", "ghes",
	// "git"); empty detects it from the hook environment.
	Platform string
	// Rules are the rule sources in the order they are loaded, a later rule
	// replacing an earlier one with the same id. The embedded default rules
	// appear as a Source with Embedded set (first, unless the file places
	// them), unless the file says defaults: false.
	Rules []Source
	// Scopes select the rules and the mode per repository, ref and pusher;
	// the first scope that matches wins. See PolicyFor.
	Scopes []Scope
	// Mode is the mode of pushes no scope matches.
	Mode Mode
	// TimeBudget bounds one hook run; going over it is an error (OnError).
	TimeBudget time.Duration
	// OnError says whether an error rejects (the default) or accepts.
	OnError OnError
	// Message is the admin's text around the pusher-facing report.
	Message Message
	// MaxFindings caps the findings listed to the pusher (all are audited).
	MaxFindings int
	// InlineSuppression lets a line carry a suppression comment for a rule.
	InlineSuppression bool
	// InlineSuppressionSecretRules are the secret rules (tag secret) that
	// inline comments may suppress: rule ids, or "tag:NAME" for every rule
	// with that tag (inline_suppression.secret_rules). Empty: none, the
	// default.
	InlineSuppressionSecretRules []string
	// InlineSuppressionMinReason is how many visible characters the reason
	// of a suppression comment needs (inline_suppression.min_reason_length).
	InlineSuppressionMinReason int
	// MaxFileSize: files larger than this many bytes skip content rules.
	MaxFileSize int64
	// Bypass configures break-glass pushes.
	Bypass Bypass
	// Audit says where audit events go.
	Audit AuditLog
	// PusherEnv names the variable holding the pusher on plain git.
	PusherEnv string
	// Warnings are problems that do not stop pushguard (a budget clamped to
	// what the platform allows); log them.
	Warnings []string

	budgetSet bool // time_budget was written in the file
}

// Source is one place rules are read from: exactly one of Path, Repo or
// Embedded is set.
type Source struct {
	// Path is a rule file or a directory of them, absolute (a relative path
	// in the file is taken from the configuration file's directory).
	Path string
	// Repo is a policy repository (a bare repository path); the rules are
	// read from the YAML files under Dir in the tree Ref points at, straight
	// from git objects.
	Repo string
	// Ref is the full ref of Repo to read (default refs/heads/main).
	Ref string
	// Dir is the folder of Repo's tree holding the rules, slash-separated
	// and relative; "." is the root.
	Dir string
	// Embedded selects the default rules built into pushguard.
	Embedded bool
	// Line is where the source is written in the file (0 for defaults).
	Line int
}

// String describes the source for messages: the path, repo@ref:dir or
// "embedded".
func (s Source) String() string {
	switch {
	case s.Embedded:
		return "embedded"
	case s.Repo != "":
		return s.Repo + "@" + s.Ref + ":" + s.Dir
	}
	return s.Path
}

// Scope applies a selection of rules, and a mode, to the pushes it matches.
// Empty lists match everything.
type Scope struct {
	// Name labels the scope in messages and audit events (default
	// "scopes[N]").
	Name string
	// Repos are globs matched against push.Context.Repo ("group/*" on
	// GitLab; "*" does not cross "/", "**" does).
	Repos []string
	// Refs are globs matched against full ref names (refs/heads/release/*).
	Refs []string
	// Pushers are globs matched against the pusher's login. An unknown
	// pusher matches no pattern.
	Pushers []string
	// Rules selects the rules: rule ids, "tag:NAME" for every rule with that
	// tag, "*" for all; a leading "!" removes. Empty means all rules.
	Rules []string
	// Mode overrides Config.Mode for the pushes the scope matches.
	Mode Mode
	// Line is where the scope is written in the file.
	Line int
}

// Message is the admin's text around the report a pusher sees.
type Message struct {
	Header  string // printed before the findings
	Footer  string // printed after them
	HelpURL string // the organisation's policy page
}

// Bypass configures break-glass: `git push -o pushguard.bypass="<reason>"`.
type Bypass struct {
	// Option is the push option key (default pushguard.bypass).
	Option string
	// AllowedPushers are globs of the logins that may bypass. Empty: no one
	// may, and bypass requests are refused and audited.
	AllowedPushers []string
	// MinReasonLength is the shortest reason accepted, in visible
	// characters (textsafe.VisibleLen: spaces, control and zero-width
	// characters do not count).
	MinReasonLength int
	// Approvers tells a refused pusher who can approve a bypass.
	Approvers string
}

// AuditLog says where audit events go.
type AuditLog struct {
	// Destination is AuditNone (default), AuditFile, AuditStderr or
	// AuditSyslog.
	Destination string
	// Path is the JSON-lines file for AuditFile (absolute).
	Path string
	// SyslogTag and SyslogFacility apply to AuditSyslog.
	SyslogTag      string
	SyslogFacility string
}

// Default returns the configuration used without a file: embedded rules,
// enforce mode, fail closed, no bypass, no audit log.
func Default() *Config {
	return &Config{
		Rules:             []Source{{Embedded: true}},
		Mode:              ModeEnforce,
		TimeBudget:        DefaultTimeBudget,
		OnError:           OnErrorReject,
		MaxFindings:       DefaultMaxFindings,
		InlineSuppression: true,
		MaxFileSize:       DefaultMaxFileSize,

		InlineSuppressionMinReason: DefaultSuppressionMinReason,
		Bypass:                     Bypass{Option: DefaultBypassOption, MinReasonLength: DefaultMinReasonLength},
		Audit:                      AuditLog{Destination: AuditNone, SyslogTag: DefaultSyslogTag, SyslogFacility: DefaultSyslogFacility},
	}
}

// LoadOrDefault loads the file named by flagPath, else by PUSHGUARD_CONFIG,
// else returns Default().
func LoadOrDefault(flagPath string, getenv func(string) string) (*Config, error) {
	path := flagPath
	if path == "" {
		path = getenv(EnvVar)
	}
	if path == "" {
		return Default(), nil
	}
	return Load(path)
}

// ForPlatform returns a copy of c with the defaults of platform (a
// push.Platform* name) applied: on GHES the time budget is GHESTimeBudget
// unless the file sets a shorter one; a longer one is cut to it, with a
// warning, because GHES kills the hook at 5 s before pushguard could
// answer.
func (c *Config) ForPlatform(platform string) *Config {
	out := *c
	out.Warnings = append([]string(nil), c.Warnings...)
	if platform == push.PlatformGHES {
		switch {
		case !c.budgetSet:
			out.TimeBudget = GHESTimeBudget
		case c.TimeBudget > GHESTimeBudget:
			out.TimeBudget = GHESTimeBudget
			out.Warnings = append(out.Warnings, "time_budget "+c.TimeBudget.String()+
				" is longer than GitHub Enterprise Server allows (it kills hooks at 5s); using "+GHESTimeBudget.String())
		}
	}
	return &out
}

// EnvOptions returns what push.FromEnvWith needs from the configuration.
func (c *Config) EnvOptions() push.EnvOptions {
	return push.EnvOptions{Platform: c.Platform, PusherEnv: c.PusherEnv}
}

// Policy is what the configuration decides for one ref of a push.
type Policy struct {
	// Scope is the scope that matched, nil when none did.
	Scope *Scope
	// Mode is the scope's mode, else the configuration's.
	Mode Mode
}

// PolicyFor returns the policy for a push of ref to repo by pusher: the
// first scope whose repos, refs and pushers all match, else all rules in
// the configuration's mode.
func (c *Config) PolicyFor(repo, ref, pusher string) Policy {
	for i := range c.Scopes {
		s := &c.Scopes[i]
		if matchAny(s.Repos, repo) && matchAny(s.Refs, ref) && matchAny(s.Pushers, pusher) {
			m := s.Mode
			if m == "" {
				m = c.Mode
			}
			return Policy{Scope: s, Mode: m}
		}
	}
	return Policy{Mode: c.Mode}
}

// Applies reports whether a rule (its id and tags) is selected by the
// policy.
func (p Policy) Applies(ruleID string, tags []string) bool {
	if p.Scope == nil {
		return true
	}
	return selectRule(p.Scope.Rules, ruleID, tags)
}

// ScopeName is the matched scope's name, or "" when no scope matched.
func (p Policy) ScopeName() string {
	if p.Scope == nil {
		return ""
	}
	return p.Scope.Name
}

// selectRule applies a scope's rule selectors: included when some positive
// selector matches (or there are none) and no "!" selector does.
func selectRule(selectors []string, id string, tags []string) bool {
	positive, included := false, false
	for _, s := range selectors {
		neg := strings.HasPrefix(s, "!")
		s = strings.TrimPrefix(s, "!")
		m := selectorMatches(s, id, tags)
		if neg {
			if m {
				return false
			}
			continue
		}
		positive = true
		included = included || m
	}
	return included || !positive
}

func selectorMatches(sel, id string, tags []string) bool {
	if sel == "*" {
		return true
	}
	if tag, ok := strings.CutPrefix(sel, "tag:"); ok {
		for _, t := range tags {
			if t == tag {
				return true
			}
		}
		return false
	}
	return sel == id
}

// matchAny reports whether s matches one of the globs; true for no globs.
// The globs were validated by Load.
func matchAny(globs []string, s string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		if doublestar.MatchUnvalidated(g, s) {
			return true
		}
	}
	return false
}

// PolicySourceFor returns the rule source whose policy repository is
// gitDir (compared as files, so symlinks and spellings do not matter): a
// push to it changes the rules, and must itself load and pass its tests.
func (c *Config) PolicySourceFor(gitDir string) (Source, bool) {
	st, err := os.Stat(gitDir)
	if err != nil {
		return Source{}, false
	}
	for _, s := range c.Rules {
		if s.Repo == "" {
			continue
		}
		if rs, err := os.Stat(s.Repo); err == nil && os.SameFile(st, rs) {
			return s, true
		}
	}
	return Source{}, false
}

// BypassRequest is the outcome of a push that asks for a bypass.
type BypassRequest struct {
	// Requested: the push carries the bypass option.
	Requested bool
	// Allowed: the pusher may bypass and gave a long enough reason.
	Allowed bool
	// Reason is the pusher's reason, trimmed (unescaped: escape it before
	// printing).
	Reason string
	// Refusal says why a requested bypass is refused; it names the
	// approvers when the configuration does.
	Refusal string
}

// Check decides a bypass request from the push options of a push by
// pusher. Whether the findings are bypassable (rules marked non-bypassable)
// is for the caller.
func (b Bypass) Check(pusher string, options []string) BypassRequest {
	var r BypassRequest
	for i := len(options) - 1; i >= 0; i-- {
		k, v, _ := strings.Cut(options[i], "=")
		if k == b.Option {
			r.Requested, r.Reason = true, strings.TrimSpace(v)
			break
		}
	}
	if !r.Requested {
		return r
	}
	switch {
	case len(b.AllowedPushers) == 0:
		r.Refusal = "bypass is not enabled on this server"
	case pusher == "" || !matchAny(b.AllowedPushers, pusher):
		r.Refusal = "you are not allowed to bypass pushguard"
	case textsafe.VisibleLen(r.Reason) < b.MinReasonLength:
		r.Refusal = "a bypass needs a reason of at least " + strconv.Itoa(b.MinReasonLength) +
			" visible characters: git push -o " + b.Option + "=\"<why this push must go through>\""
	default:
		r.Allowed = true
		return r
	}
	if b.Approvers != "" {
		r.Refusal += "; " + b.Approvers
	}
	return r
}
