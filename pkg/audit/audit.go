// Package audit writes pushguard's audit log: one JSON object per line and
// per push, encoded with zerolog, for security teams to keep and query (see
// Stats for the summary "pushguard stats" prints).
//
// An Event holds identities, ref names, object ids, counts, rule ids and
// severities, and never the text a rule matched: findings enter an event
// only through AddFinding, which takes a rule id and a severity. Free-text
// fields (bypass reason, error) are escaped and capped when written.
//
// Writing to a file is safe with many hook processes at once: every event is
// encoded completely first, then appended with a single write(2) on a file
// opened O_APPEND, under an exclusive flock(2) (so lines longer than
// PIPE_BUF cannot interleave either). Use a local filesystem: O_APPEND is
// not atomic on NFS.
package audit

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Decisions, as Event.Decision holds them: the strings of
// verdict.Decision.String().
const (
	DecisionAccepted = "accepted"
	DecisionWarned   = "accepted with warnings"
	DecisionRejected = "rejected"
)

// Modes, as Event.Mode holds them.
const (
	ModeEnforce = "enforce"
	ModeAudit   = "audit"
)

// SeverityBlock is the severity of findings that reject a push in enforce
// mode (ruleset.SeverityBlock).
const SeverityBlock = "block"

// Caps on the strings an event carries, in runes.
const (
	maxField = 256  // identities, versions, rule ids
	maxRef   = 1024 // ref names
	maxText  = 500  // bypass reason, error
)

// Event is what the audit log records about one push.
type Event struct {
	// Time is when the push was received (default: when it is written).
	Time time.Time
	// Platform, Repo, Pusher, Protocol and Internal come from
	// push.Context.
	Platform string
	Repo     string
	Pusher   string
	Protocol string
	Internal bool
	// Refs are the ref updates of the push.
	Refs []Ref
	// NewCommits counts the commits the push adds.
	NewCommits int
	// AICommits counts the new commits with AI-provenance evidence;
	// AITools counts them per tool (a commit may name several tools). Fill
	// both with AddCommit.
	AICommits int
	AITools   map[string]int
	// Findings count the findings per rule and severity. Fill with
	// AddFinding.
	Findings []FindingCount
	// Decision is DecisionAccepted, DecisionWarned or DecisionRejected;
	// Mode is ModeEnforce or ModeAudit.
	Decision string
	Mode     string
	// Bypass is set when the push asked for a bypass.
	Bypass *Bypass
	// RulesetVersion identifies the rules: the policy repository's commit
	// id, or "embedded".
	RulesetVersion string
	// Duration is how long the hook took.
	Duration time.Duration
	// Version is pushguard's version.
	Version string
	// Error is the internal error that decided the push, if any (it is
	// escaped and capped: never put pushed content in it on purpose).
	Error string
}

// Ref is one ref update.
type Ref struct {
	Name string `json:"name"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// FindingCount is how many findings one rule produced at one severity.
type FindingCount struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Count    int    `json:"count"`
}

// Bypass records a bypass request: used or refused, and the pusher's
// reason.
type Bypass struct {
	Used    bool   `json:"used"`
	Reason  string `json:"reason"`
	Refusal string `json:"refusal,omitempty"`
}

// AddFinding counts one finding of rule at severity.
func (e *Event) AddFinding(rule, severity string) {
	for i := range e.Findings {
		if f := &e.Findings[i]; f.Rule == rule && f.Severity == severity {
			f.Count++
			return
		}
	}
	e.Findings = append(e.Findings, FindingCount{Rule: rule, Severity: severity, Count: 1})
}

// AddCommit counts one new commit and the AI tools its provenance names
// (none for a commit without AI evidence).
func (e *Event) AddCommit(aiTools []string) {
	e.NewCommits++
	if len(aiTools) == 0 {
		return
	}
	e.AICommits++
	if e.AITools == nil {
		e.AITools = map[string]int{}
	}
	seen := map[string]bool{}
	for _, t := range aiTools {
		if !seen[t] {
			seen[t] = true
			e.AITools[t]++
		}
	}
}

// Marshal encodes the event as one line of JSON, newline included. Keys,
// in order: time, platform, repo, pusher, protocol, internal, refs,
// new_commits, ai_commits, ai_tools, findings, decision, mode, bypass (when
// requested), ruleset_version, duration_ms, pushguard_version, error (when
// set). Findings are sorted by rule and severity, ai_tools by tool.
func (e *Event) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	zl := zerolog.New(&buf)
	z := zl.Log().
		Str("time", t.UTC().Format(TimeFormat)).
		Str("platform", clean(e.Platform, maxField)).
		Str("repo", clean(e.Repo, maxField)).
		Str("pusher", clean(e.Pusher, maxField)).
		Str("protocol", clean(e.Protocol, maxField)).
		Bool("internal", e.Internal).
		Array("refs", refList(e.Refs)).
		Int("new_commits", e.NewCommits).
		Int("ai_commits", e.AICommits).
		Object("ai_tools", toolCounts(e.AITools)).
		Array("findings", findingList(e.Findings)).
		Str("decision", clean(e.Decision, maxField)).
		Str("mode", clean(e.Mode, maxField))
	if b := e.Bypass; b != nil {
		z = z.Object("bypass", b)
	}
	z = z.Str("ruleset_version", clean(e.RulesetVersion, maxField)).
		Int64("duration_ms", e.Duration.Milliseconds()).
		Str("pushguard_version", clean(e.Version, maxField))
	if e.Error != "" {
		z = z.Str("error", clean(e.Error, maxText))
	}
	z.Send()
	if buf.Len() == 0 {
		// zerolog drops events when its global level is Disabled.
		return nil, errors.New("audit event not encoded: zerolog is disabled globally")
	}
	return buf.Bytes(), nil
}

// TimeFormat is the layout of the "time" key: RFC 3339 in UTC with
// milliseconds, so that lines sort by time as text.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// MarshalZerologObject encodes a ref update.
func (r Ref) MarshalZerologObject(z *zerolog.Event) {
	z.Str("name", clean(r.Name, maxRef)).Str("old", clean(r.Old, maxField)).Str("new", clean(r.New, maxField))
}

// MarshalZerologObject encodes a finding count.
func (f FindingCount) MarshalZerologObject(z *zerolog.Event) {
	z.Str("rule", clean(f.Rule, maxField)).Str("severity", clean(f.Severity, maxField)).Int("count", f.Count)
}

// MarshalZerologObject encodes a bypass request.
func (b *Bypass) MarshalZerologObject(z *zerolog.Event) {
	z.Bool("used", b.Used).Str("reason", clean(b.Reason, maxText))
	if b.Refusal != "" {
		z.Str("refusal", clean(b.Refusal, maxText))
	}
}

type refList []Ref

func (l refList) MarshalZerologArray(a *zerolog.Array) {
	for _, r := range l {
		a.Object(r)
	}
}

type findingList []FindingCount

func (l findingList) MarshalZerologArray(a *zerolog.Array) {
	s := append([]FindingCount(nil), l...)
	sort.Slice(s, func(i, j int) bool {
		if s[i].Rule != s[j].Rule {
			return s[i].Rule < s[j].Rule
		}
		return s[i].Severity < s[j].Severity
	})
	for _, f := range s {
		a.Object(f)
	}
}

type toolCounts map[string]int

func (m toolCounts) MarshalZerologObject(z *zerolog.Event) {
	tools := make([]string, 0, len(m))
	for t := range m {
		tools = append(tools, t)
	}
	sort.Strings(tools)
	for _, t := range tools {
		z.Int(clean(t, maxField), m[t])
	}
}

// clean escapes what could mislead a reader of the log in a terminal and
// caps s at max runes; JSON encoding adds its own escaping on top.
func clean(s string, max int) string { return textsafe.Clean(s, max) }

// Destination says where a Logger writes.
type Destination string

// Destinations: the strings of the configuration's audit.destination.
const (
	None   Destination = "none"
	File   Destination = "file"
	Stderr Destination = "stderr"
	Syslog Destination = "syslog"
)

// Options configure Open.
type Options struct {
	// Destination is where events go; empty is None.
	Destination Destination
	// Path is the JSON-lines file for File.
	Path string
	// Stderr is the writer for Stderr (default os.Stderr). In a hook,
	// stderr reaches the pusher.
	Stderr io.Writer
	// SyslogTag (default "pushguard") and SyslogFacility (user, auth,
	// authpriv, daemon, local0..local7; default auth) apply to Syslog.
	SyslogTag      string
	SyslogFacility string
}

// ErrSyslogUnavailable is returned (wrapped) by Open when no local syslog
// daemon can be reached, or the platform has none.
var ErrSyslogUnavailable = errors.New("syslog is unavailable")

// Logger writes audit events to one destination. It is safe for concurrent
// use; call Close when done.
type Logger struct {
	dest Destination
	mu   sync.Mutex
	sink lineWriter // nil for None
}

// lineWriter takes one complete line per call.
type lineWriter interface {
	writeLine(line []byte) error
	io.Closer
}

// Open returns a Logger for the destination. A file is opened (created
// with mode 0640 if missing, never truncated) now, so that an unwritable
// log is reported before the push is scanned; its directory must exist.
func Open(o Options) (*Logger, error) {
	switch o.Destination {
	case None, "":
		return &Logger{dest: None}, nil
	case Stderr:
		w := o.Stderr
		if w == nil {
			w = os.Stderr
		}
		return New(w), nil
	case File:
		if o.Path == "" {
			return nil, errors.New("audit log: destination file needs a path")
		}
		f, err := os.OpenFile(o.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
		if err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		return &Logger{dest: File, sink: &fileSink{f: f}}, nil
	case Syslog:
		s, err := openSyslog(o.SyslogFacility, o.SyslogTag)
		if err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		return &Logger{dest: Syslog, sink: s}, nil
	}
	return nil, fmt.Errorf("audit log: unknown destination %q (file, stderr, syslog, none)", o.Destination)
}

// New returns a Logger that writes each event to w with a single Write
// call. The caller keeps ownership of w (Close does not close it).
func New(w io.Writer) *Logger {
	return &Logger{dest: Stderr, sink: writerSink{w}}
}

// Destination returns where the Logger writes.
func (l *Logger) Destination() Destination { return l.dest }

// Write records one event. Any failure to write it completely is returned:
// the caller decides whether that rejects the push.
func (l *Logger) Write(e Event) error {
	if l.sink == nil {
		return nil
	}
	line, err := e.Marshal()
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.sink.writeLine(line); err != nil {
		return fmt.Errorf("write audit event (%s): %w", l.dest, err)
	}
	return nil
}

// Close releases the destination.
func (l *Logger) Close() error {
	if l.sink == nil {
		return nil
	}
	return l.sink.Close()
}

// writerSink writes lines to an io.Writer it does not own.
type writerSink struct{ w io.Writer }

func (s writerSink) writeLine(line []byte) error {
	n, err := s.w.Write(line)
	if err == nil && n < len(line) {
		err = io.ErrShortWrite
	}
	return err
}

func (writerSink) Close() error { return nil }

// fileSink appends lines to a file opened O_APPEND (see appendLine).
type fileSink struct{ f *os.File }

func (s *fileSink) writeLine(line []byte) error { return appendLine(s.f, line) }

func (s *fileSink) Close() error { return s.f.Close() }
