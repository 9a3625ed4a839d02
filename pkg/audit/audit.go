// Package audit writes pushguard's audit log: one JSON object per line and
// per push, encoded with zerolog, for security teams to keep and query (see
// Stats for the summary "pushguard stats" prints).
//
// An Event holds identities, ref names, object ids, counts, rule ids,
// severities and the positions of suppressed findings, and never the text a
// rule matched: findings enter an event only through AddFinding, which takes
// a rule id and a severity; commits only through AddCommit, which counts
// each commit once; suppressions only through AddSuppression. Free-text
// fields (bypass and suppression reasons, warnings, error) are escaped and
// capped when written.
//
// Writing to a file is safe with many hook processes at once: every event is
// encoded completely first, then appended to a file opened O_APPEND under an
// exclusive flock(2) (so lines longer than PIPE_BUF cannot interleave
// either). Writes are all or nothing: when the disk fills up mid-line the
// file is cut back to its previous length before the lock is released.
// Waiting for the lock honours a context (WriteContext), and only regular
// files are accepted as the log: a FIFO, device, socket or directory at the
// path is refused when it is opened, without blocking. Use a local
// filesystem: O_APPEND is not atomic on NFS.
package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pushguard/pushguard/pkg/textsafe"
)

// Decisions, as Event.Decision and Ref.Decision hold them: the strings of
// verdict.Decision.String(), and DecisionInterrupted.
const (
	DecisionAccepted = "accepted"
	DecisionWarned   = "accepted with warnings"
	DecisionRejected = "rejected"
	// DecisionInterrupted records a hook run that a signal (SIGTERM,
	// SIGHUP: the platform cancelling the hook) ended before it decided;
	// the push is rejected.
	DecisionInterrupted = "interrupted"
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
	maxField = 256  // identities, versions, rule ids, object ids
	maxRef   = 1024 // ref names, paths
	maxText  = 500  // bypass and suppression reasons, warnings, error
)

// Caps on the lists an event carries; what is over the cap is counted.
const (
	// MaxSuppressions is how many suppressions an event lists; the rest
	// are counted in "suppressions_omitted".
	MaxSuppressions = 1000
	// MaxWarnings is how many warnings an event lists; the rest are
	// counted in "warnings_omitted".
	MaxWarnings = 100
	// MaxCommitLines is how many AI-marked commits an event lists with
	// their line counts ("ai_commit_lines"); the rest are counted in
	// "ai_commit_lines_omitted" (their lines still count in
	// "ai_written_lines").
	MaxCommitLines = 1000
)

// Event is what the audit log records about one push. Fill one Event
// through its methods and copy it only once it is complete: a copy shares
// the storage of its commit and suppression counts.
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
	// KeyOwner is, for a deploy-key push (Pusher "deploy-key:<id>"), the
	// account the platform attributes the key to; optional.
	KeyOwner string
	// PullRequest and PullRequestIndex identify the pull request that made
	// the push (Gitea GITEA_PR_ID and GITEA_PR_INDEX); Trigger is what made
	// the platform push (Gitea GITEA_PUSH_TRIGGER, GHES GITHUB_VIA). All
	// optional.
	PullRequest      string
	PullRequestIndex string
	Trigger          string
	// PostReceive reports that pushguard's post-receive companion is
	// installed for the repository: a "landed" record (Landed) follows
	// for the ref updates that the platform applies. Without it, whether
	// an accepted push landed is unknown.
	PostReceive bool
	// Refs are the ref updates of the push, with their own decision when
	// the hook sets one.
	Refs []Ref
	// Findings count the findings per rule and severity. Fill with
	// AddFinding, once per finding.
	Findings []FindingCount
	// Decision is DecisionAccepted, DecisionWarned, DecisionRejected or
	// DecisionInterrupted; Mode is ModeEnforce or ModeAudit.
	Decision string
	Mode     string
	// Bypass is set when the push asked for a bypass.
	Bypass *Bypass
	// Warnings are problems that did not stop the hook, such as the
	// server configuration's warnings (config.Config.Warnings). At most
	// MaxWarnings are written.
	Warnings []string
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

	// Commit counts, filled only by AddCommit so that no commit is
	// counted twice: commits is every new commit, aiCommits those with
	// AI-provenance evidence, aiTools those per tool.
	commits   int
	aiCommits int
	aiTools   map[string]int
	// Added lines, filled only by AddLines: lines is every line the new
	// commits add, aiLines those of AI-assisted commits; linesCounted
	// says the hook counted them (the keys are written only then).
	lines, aiLines int
	linesCounted   bool
	// AI-written lines, filled only by AddCommitLines: commitLines lists
	// the AI-marked commits (commitLinesOmitted counts those over
	// MaxCommitLines), aiWritten sums their AI-written lines.
	commitLines        []CommitLines
	commitLinesOmitted int
	aiWritten          int
	// suppressions are the findings inline directives suppressed, filled
	// only by AddSuppression; suppressionsOmitted counts those over
	// MaxSuppressions.
	suppressions        []Suppression
	suppressionsOmitted int
}

// Ref is one ref update, and the decision for it when the hook decides per
// ref: Decision (one of the Decision constants; empty: not recorded) and
// Blocking, how many blocking findings the ref's policy charged to it.
type Ref struct {
	Name     string `json:"name"`
	Old      string `json:"old"`
	New      string `json:"new"`
	Decision string `json:"decision,omitempty"`
	Blocking int    `json:"blocking,omitempty"`
}

// Suppression is one finding that an inline directive suppressed: which
// rule, where (commit, path, line in the new file), the reason the
// directive gave and who pushed it. It never holds the suppressed text.
type Suppression struct {
	Rule   string `json:"rule"`
	Commit string `json:"commit"`
	Path   string `json:"path"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	// Pusher is who pushed the directive; empty means the event's Pusher.
	Pusher string `json:"pusher"`
}

// CommitLines is the AI line attribution of one AI-marked commit: how many
// lines it adds, and how many of them are AI-written. Attribution is
// "lines" when authorship records (refs/notes/ai, Agent Trace) give line
// ranges, and AILines is then the number of lines they attest; "commit"
// when the commit is AI-marked without usable line data, and every added
// line counts as AI-written (AILines = AddedLines), as rules on
// AI-written lines see it.
type CommitLines struct {
	Commit      string `json:"commit"`
	AddedLines  int    `json:"added_lines"`
	AILines     int    `json:"ai_lines"`
	Attribution string `json:"attribution"`
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

// AddCommit counts one new commit, once, and the AI tools its provenance
// names: nil or empty for a commit without AI evidence, which counts as a
// commit only. Call it exactly once per new commit of the push; it is the
// only way commits enter an event ("new_commits", "ai_commits",
// "ai_tools").
func (e *Event) AddCommit(aiTools []string) {
	e.commits++
	if len(aiTools) == 0 {
		return
	}
	e.aiCommits++
	if e.aiTools == nil {
		e.aiTools = map[string]int{}
	}
	seen := map[string]bool{}
	for _, t := range aiTools {
		if !seen[t] {
			seen[t] = true
			e.aiTools[t]++
		}
	}
}

// AddLines counts n lines added by one new commit (ai: an AI-assisted
// one). Once called, the event carries "added_lines" and "ai_added_lines".
func (e *Event) AddLines(n int, ai bool) {
	e.linesCounted = true
	e.lines += n
	if ai {
		e.aiLines += n
	}
}

// AddCommitLines records the AI line attribution of one AI-marked new
// commit (call it once per such commit, after AddCommit). An attribution
// other than "lines" counts every added line as AI-written. Past
// MaxCommitLines the commit is only counted ("ai_commit_lines_omitted").
// Once called, or once AddLines was, the event carries
// "ai_written_lines" and "ai_commit_lines".
func (e *Event) AddCommitLines(c CommitLines) {
	e.linesCounted = true
	if c.Attribution != "lines" {
		c.Attribution, c.AILines = "commit", c.AddedLines
	}
	c.AddedLines, c.AILines = max(c.AddedLines, 0), max(c.AILines, 0)
	e.aiWritten += c.AILines
	if len(e.commitLines) >= MaxCommitLines {
		e.commitLinesOmitted++
		return
	}
	e.commitLines = append(e.commitLines, c)
}

// CommitLines returns a copy of the listed per-commit AI line counts, how
// many more commits were only counted, and the AI-written lines in all.
func (e *Event) CommitLines() (listed []CommitLines, omitted, aiWritten int) {
	return append([]CommitLines(nil), e.commitLines...), e.commitLinesOmitted, e.aiWritten
}

// NewCommits returns how many commits AddCommit counted.
func (e *Event) NewCommits() int { return e.commits }

// AICommits returns how many of the counted commits had AI evidence.
func (e *Event) AICommits() int { return e.aiCommits }

// AITools returns a copy of the per-tool counts of AI commits.
func (e *Event) AITools() map[string]int {
	m := make(map[string]int, len(e.aiTools))
	for t, n := range e.aiTools {
		m[t] = n
	}
	return m
}

// AddSuppression records one suppressed finding. Past MaxSuppressions the
// suppression is only counted ("suppressions_omitted").
func (e *Event) AddSuppression(s Suppression) {
	if len(e.suppressions) >= MaxSuppressions {
		e.suppressionsOmitted++
		return
	}
	e.suppressions = append(e.suppressions, s)
}

// Suppressions returns a copy of the listed suppressions and how many more
// were only counted.
func (e *Event) Suppressions() (listed []Suppression, omitted int) {
	return append([]Suppression(nil), e.suppressions...), e.suppressionsOmitted
}

// Marshal encodes the event as one line of JSON, newline included. Keys,
// in order: time, platform, repo, pusher, protocol, internal, key_owner,
// pr_id, pr_index, trigger, post_receive (each when set), refs,
// new_commits, ai_commits, ai_tools, added_lines, ai_added_lines,
// ai_written_lines, ai_commit_lines and ai_commit_lines_omitted (when not
// 0) (when counted, AddLines and AddCommitLines), findings, suppressions,
// suppressions_omitted (when not 0), decision, mode, bypass (when
// requested), warnings, warnings_omitted (when not 0), ruleset_version,
// duration_ms, pushguard_version, error (when set). Findings are sorted by
// rule and severity, ai_tools by tool; refs, suppressions and warnings keep
// their order. Docs: docs/audit.md.
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
		Bool("internal", e.Internal)
	if e.KeyOwner != "" {
		z = z.Str("key_owner", clean(e.KeyOwner, maxField))
	}
	if e.PullRequest != "" {
		z = z.Str("pr_id", clean(e.PullRequest, maxField))
	}
	if e.PullRequestIndex != "" {
		z = z.Str("pr_index", clean(e.PullRequestIndex, maxField))
	}
	if e.Trigger != "" {
		z = z.Str("trigger", clean(e.Trigger, maxField))
	}
	if e.PostReceive {
		z = z.Bool("post_receive", true)
	}
	z = z.Array("refs", refList(e.Refs)).
		Int("new_commits", e.commits).
		Int("ai_commits", e.aiCommits).
		Object("ai_tools", toolCounts(e.aiTools))
	if e.linesCounted {
		z = z.Int("added_lines", e.lines).Int("ai_added_lines", e.aiLines).
			Int("ai_written_lines", e.aiWritten).Array("ai_commit_lines", commitLineList(e.commitLines))
		if e.commitLinesOmitted > 0 {
			z = z.Int("ai_commit_lines_omitted", e.commitLinesOmitted)
		}
	}
	z = z.Array("findings", findingList(e.Findings)).
		Array("suppressions", suppressionList{e.suppressions, e.Pusher})
	if e.suppressionsOmitted > 0 {
		z = z.Int("suppressions_omitted", e.suppressionsOmitted)
	}
	z = z.Str("decision", clean(e.Decision, maxField)).
		Str("mode", clean(e.Mode, maxField))
	if b := e.Bypass; b != nil {
		z = z.Object("bypass", b)
	}
	warnings := e.Warnings
	if len(warnings) > MaxWarnings {
		warnings = warnings[:MaxWarnings]
	}
	z = z.Array("warnings", textList(warnings))
	if n := len(e.Warnings) - len(warnings); n > 0 {
		z = z.Int("warnings_omitted", n)
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

// MarshalZerologObject encodes a ref update; decision and blocking only
// when a decision is set.
func (r Ref) MarshalZerologObject(z *zerolog.Event) {
	z.Str("name", clean(r.Name, maxRef)).Str("old", clean(r.Old, maxField)).Str("new", clean(r.New, maxField))
	if r.Decision != "" {
		z.Str("decision", clean(r.Decision, maxField)).Int("blocking", r.Blocking)
	}
}

// suppressionList encodes suppressions, with the event's pusher for those
// that name none.
type suppressionList struct {
	l      []Suppression
	pusher string
}

func (l suppressionList) MarshalZerologArray(a *zerolog.Array) {
	for _, s := range l.l {
		if s.Pusher == "" {
			s.Pusher = l.pusher
		}
		a.Object(s)
	}
}

// MarshalZerologObject encodes a suppression.
func (s Suppression) MarshalZerologObject(z *zerolog.Event) {
	z.Str("rule", clean(s.Rule, maxField)).Str("commit", clean(s.Commit, maxField)).
		Str("path", clean(s.Path, maxRef)).Int("line", s.Line).
		Str("reason", clean(s.Reason, maxText)).Str("pusher", clean(s.Pusher, maxField))
}

type commitLineList []CommitLines

func (l commitLineList) MarshalZerologArray(a *zerolog.Array) {
	for _, c := range l {
		a.Object(c)
	}
}

// MarshalZerologObject encodes one commit's AI line counts.
func (c CommitLines) MarshalZerologObject(z *zerolog.Event) {
	z.Str("commit", clean(c.Commit, maxField)).Int("added_lines", c.AddedLines).
		Int("ai_lines", c.AILines).Str("attribution", clean(c.Attribution, maxField))
}

type textList []string

func (l textList) MarshalZerologArray(a *zerolog.Array) {
	for _, s := range l {
		a.Str(clean(s, maxText))
	}
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
	// sem serialises writes (capacity 1); unlike a mutex, waiting for it
	// can give up when a context ends.
	sem  chan struct{}
	sink lineWriter // nil for None
	// abandoned is set when WriteContext gave up on a write that goes on
	// in the background, so that Close does not wait for it.
	abandoned atomic.Bool
}

// lineWriter takes one complete line per call.
type lineWriter interface {
	writeLine(line []byte) error
	io.Closer
}

// contextWriter is a lineWriter that honours a context while it waits (the
// file's lock).
type contextWriter interface {
	writeLineContext(ctx context.Context, line []byte) error
}

// Open returns a Logger for the destination. A file is opened (created
// with mode 0640 if missing, never truncated) now, so that an unwritable
// log is reported before the push is scanned; its directory must exist.
// The file must be a regular file (or a symbolic link to one): a FIFO,
// device, socket or directory at the path is refused at once, never
// waited on.
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
		f, err := openFileSink(o.Path)
		if err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		return newLogger(File, f), nil
	case Syslog:
		s, err := openSyslog(o.SyslogFacility, o.SyslogTag)
		if err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		return newLogger(Syslog, s), nil
	}
	return nil, fmt.Errorf("audit log: unknown destination %q (file, stderr, syslog, none)", o.Destination)
}

// New returns a Logger that writes each event to w with a single Write
// call. The caller keeps ownership of w (Close does not close it).
func New(w io.Writer) *Logger {
	return newLogger(Stderr, writerSink{w})
}

func newLogger(d Destination, sink lineWriter) *Logger {
	return &Logger{dest: d, sem: make(chan struct{}, 1), sink: sink}
}

// Destination returns where the Logger writes.
func (l *Logger) Destination() Destination { return l.dest }

// Write records one event, waiting as long as it takes for the file lock:
// WriteContext with context.Background().
func (l *Logger) Write(e Event) error { return l.WriteContext(context.Background(), e) }

// WriteContext records one event. Any failure to write it completely is
// returned (the caller decides whether that rejects the push); a file is
// then left as it was (see the package documentation).
//
// ctx bounds the waiting: for another write of this Logger, for the file's
// lock held by another process, and for a syslog or io.Writer destination
// that blocks. When ctx ends first, WriteContext gives up with an error
// that wraps ctx.Err() and names what it waited for. A file whose lock is
// free is written even when ctx has already ended (one attempt that needs
// no waiting); other destinations are then not tried. Give the audit write
// its own short deadline rather than a time budget that may be spent.
func (l *Logger) WriteContext(ctx context.Context, e Event) error {
	if l.sink == nil {
		return nil
	}
	line, err := e.Marshal()
	if err != nil {
		return err
	}
	return l.writeLine(ctx, line)
}

// WriteLanded records which ref updates of a push landed (see Landed),
// like WriteContext.
func (l *Logger) WriteLanded(ctx context.Context, e Landed) error {
	if l.sink == nil {
		return nil
	}
	line, err := e.Marshal()
	if err != nil {
		return err
	}
	return l.writeLine(ctx, line)
}

// writeLine writes one encoded line (see WriteContext).
func (l *Logger) writeLine(ctx context.Context, line []byte) (err error) {
	select {
	case l.sem <- struct{}{}:
	default:
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("write audit event (%s): gave up waiting for another write of this process: %w", l.dest, ctx.Err())
		}
	}
	if cw, ok := l.sink.(contextWriter); ok {
		defer func() { <-l.sem }()
		if err := cw.writeLineContext(ctx, line); err != nil {
			return fmt.Errorf("write audit event (%s): %w", l.dest, err)
		}
		return nil
	}
	if ctx.Err() != nil {
		<-l.sem
		return fmt.Errorf("write audit event (%s): not tried: %w", l.dest, ctx.Err())
	}
	// A destination that cannot be interrupted writes in the background;
	// the semaphore stays taken until it returns.
	done := make(chan error, 1)
	go func() {
		done <- l.sink.writeLine(line)
		<-l.sem
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		select {
		case err = <-done:
		default:
			l.abandoned.Store(true)
			return fmt.Errorf("write audit event (%s): gave up waiting for the destination: %w", l.dest, ctx.Err())
		}
	}
	if err != nil {
		return fmt.Errorf("write audit event (%s): %w", l.dest, err)
	}
	return nil
}

// Close releases the destination. It waits for a write under way, except
// one that WriteContext gave up on: then the destination is left open (it
// is released when the process exits) and Close says so.
func (l *Logger) Close() error {
	if l.sink == nil {
		return nil
	}
	if l.abandoned.Load() {
		return fmt.Errorf("close audit log (%s): a write that was given up on is still under way", l.dest)
	}
	l.sem <- struct{}{}
	defer func() { <-l.sem }()
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
