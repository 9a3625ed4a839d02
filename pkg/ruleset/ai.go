package ruleset

import (
	"fmt"
	"github.com/pushguard/pushguard/pkg/yamlmsg"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/provenance"
)

// This file holds the AI-provenance conditions of a rule (the `ai:` key) and
// the requirements a commit must meet (the `require:` key): their schema,
// compilation and matching.

// AISpec holds conditions on a commit's AI provenance, as pkg/provenance
// classifies it with the AI-tool markers (rules/ai-tools.yml).
type AISpec struct {
	// Detected: the commit is AI-marked (strong evidence or a declared-use
	// trailer) when true, not AI-marked when false.
	Detected *bool `yaml:"detected"`
	// Tools: the commit is AI-marked by at least one of these tool ids
	// (claude-code, cursor, ..., or declared).
	Tools []string `yaml:"tools"`
	// Declared: true when a declared-use trailer (Assisted-by, ...) is
	// present; false when the commit is AI-marked but carries none
	// (undeclared AI use).
	Declared *bool `yaml:"declared"`
	// AgentTrailers: one of these trailers (keys, case-insensitive) names an
	// AI tool's identity, e.g. [Signed-off-by] for the kernel's rule that an
	// agent must never sign off.
	AgentTrailers []string `yaml:"agent_trailers"`
	// Lines narrows a content rule to the added lines an AI wrote (true)
	// or to those a human wrote (false), by the commit's line-level
	// authorship data (refs/notes/ai authorship logs, Agent Trace
	// records). A commit without usable line data counts as a whole: every
	// added line of an AI-marked commit is AI-written, every line of
	// another commit human-written. Content rules only.
	Lines *bool `yaml:"lines"`
}

// RequireSpec lists what a commit must have. A rule with requirements fires
// when its other conditions hold and at least one requirement is not met.
type RequireSpec struct {
	// Trailers must each be present, as their entry says.
	Trailers []TrailerRequirement `yaml:"trailers"`
	// Signed: the commit must carry a signature (GPG, SSH or X.509; it is
	// not verified).
	Signed bool `yaml:"signed"`
	// HumanAuthor: the author must not be an AI tool's identity (by the
	// tools' emails and names markers) nor a bot account ("[bot]" in the
	// name or email, the GitHub App convention).
	HumanAuthor bool `yaml:"human_author"`
}

// TrailerRequirement is one required trailer. It may be written as the plain
// key ("Reviewed-by") or as a mapping.
type TrailerRequirement struct {
	// Key is the trailer key, compared case-insensitively. Required.
	Key string `yaml:"key"`
	// Value is a regex the trailer's value must match.
	Value string `yaml:"value"`
	// NotAuthor: the value must name someone other than the commit's author
	// (compared by email when the value has one, else by name).
	NotAuthor bool `yaml:"not_author"`
	// Human: the value must not be an AI tool's identity or a bot account.
	Human bool `yaml:"human"`
	// Example is the value shown to the pusher in the fix advice, such as
	// "claude-code:claude-opus-4-5" for Assisted-by (default "Name <email>").
	Example string `yaml:"example"`
}

// decodeScalar sets the plain-key form of a trailer requirement.
func (t *TrailerRequirement) decodeScalar(s string) { t.Key = s }

// toolIDPattern is the syntax of AI tool ids (see pkg/provenance).
var toolIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`) })

// aiCond is a compiled AISpec.
type aiCond struct {
	detected      *bool
	tools         []string
	declared      *bool
	agentTrailers []string // lower-cased keys
	lines         *bool
}

// requireCond is a compiled RequireSpec.
type requireCond struct {
	trailers    []trailerReq
	signed      bool
	humanAuthor bool
}

// trailerReq is a compiled TrailerRequirement.
type trailerReq struct {
	key       string // lower-cased
	display   string // as written
	value     *regexp.Regexp
	notAuthor bool
	human     bool
	example   string
}

// compileAI validates and compiles an AISpec.
func (d *decoder) compileAI(a *AISpec, rule *yaml.Node) *aiCond {
	if a == nil || d.bad[a] {
		return nil
	}
	n := d.at(a, rule)
	out := &aiCond{detected: a.Detected, declared: a.Declared, lines: a.Lines}
	if d.emptyList(&a.Tools) {
		d.errorf(d.at(&a.Tools, n), "ai.tools", "empty list (remove it to match any tool)")
	}
	for i, id := range a.Tools {
		if d.bad[&a.Tools[i]] {
			continue
		}
		if !toolIDPattern().MatchString(id) {
			d.errorf(d.at(&a.Tools[i], n), fmt.Sprintf("ai.tools[%d]", i),
				"invalid tool id %s: lower-case letters, digits and single dashes, as in rules/ai-tools.yml (e.g. claude-code)", yamlmsg.Quote(id))
			continue
		}
		out.tools = append(out.tools, id)
	}
	if d.emptyList(&a.AgentTrailers) {
		d.errorf(d.at(&a.AgentTrailers, n), "ai.agent_trailers", "empty list (remove the key instead)")
	}
	out.agentTrailers = d.trailerKeys(a.AgentTrailers, "ai.agent_trailers", n)
	notDetected := a.Detected != nil && !*a.Detected
	switch {
	case notDetected && len(a.Tools) > 0:
		d.errorf(d.at(&a.Detected, n), "ai.detected", "detected: false contradicts tools: a commit marked by a tool is AI-marked")
	case notDetected && a.Declared != nil:
		d.errorf(d.at(&a.Detected, n), "ai.detected", "detected: false contradicts declared: a declared commit is AI-marked, and declared: false means AI-marked without a declaration")
	}
	if a.Lines != nil && !d.bad[&a.Lines] {
		switch {
		case !hasKey(rule, "content") || hasKey(rule, "dependencies"):
			d.errorf(d.at(&a.Lines, n), "ai.lines", "applies to content rules only: add a content condition, or use detected for a whole commit")
		case notDetected && *a.Lines:
			d.errorf(d.at(&a.Lines, n), "ai.lines", "lines: true contradicts detected: false: only an AI-marked commit has AI-written lines")
		}
	}
	if a.Detected == nil && a.Declared == nil && a.Lines == nil && len(a.Tools) == 0 && len(a.AgentTrailers) == 0 && !d.emptyList(&a.Tools) && !d.emptyList(&a.AgentTrailers) {
		d.errorf(n, "ai", "needs at least one condition (detected, tools, declared, agent_trailers, lines)")
	}
	return out
}

// hasKey reports whether the mapping node n (a rule) has the key, written
// out or through a merge key ("<<: *defaults").
func hasKey(n *yaml.Node, key string) bool {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == key && k.Tag != "!!merge" {
			return true
		}
		if k.Tag == "!!merge" || k.Value == "<<" {
			for v != nil && v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			if v != nil && v.Kind == yaml.SequenceNode {
				for _, m := range v.Content {
					if hasKey(m, key) {
						return true
					}
				}
			} else if hasKey(v, key) {
				return true
			}
		}
	}
	return false
}

// compileRequire validates and compiles a RequireSpec.
func (d *decoder) compileRequire(q *RequireSpec, rule *yaml.Node) *requireCond {
	if q == nil || d.bad[q] {
		return nil
	}
	n := d.at(q, rule)
	out := &requireCond{signed: q.Signed, humanAuthor: q.HumanAuthor}
	if d.emptyList(&q.Trailers) {
		d.errorf(d.at(&q.Trailers, n), "require.trailers", "empty list (remove the key instead)")
	}
	for i := range q.Trailers {
		t := &q.Trailers[i]
		if d.bad[t] {
			continue
		}
		key := fmt.Sprintf("require.trailers[%d]", i)
		tn := d.at(t, n)
		if !trailerKeyPattern().MatchString(t.Key) {
			if t.Key == "" {
				d.errorf(tn, key, `missing required key "key" (the trailer key, e.g. Reviewed-by)`)
			} else {
				d.errorf(d.at(&t.Key, tn), key+".key", "invalid trailer key %s: letters, digits and '-', without the colon (e.g. Reviewed-by)", yamlmsg.Quote(t.Key))
			}
			continue
		}
		out.trailers = append(out.trailers, trailerReq{
			key:       lowerASCIIString(t.Key),
			display:   t.Key,
			value:     d.compileRegex(&t.Value, key+".value", tn),
			notAuthor: t.NotAuthor,
			human:     t.Human,
			example:   strings.TrimSpace(t.Example),
		})
	}
	if len(q.Trailers) == 0 && !q.Signed && !q.HumanAuthor && !d.emptyList(&q.Trailers) {
		d.errorf(n, "require", "needs at least one requirement (trailers, signed: true, human_author: true)")
	}
	return out
}

// HasAI reports whether the rule has AI-provenance conditions or
// requirements: its findings are AI-policy findings, for which reports show
// the commit's provenance evidence.
func (r *Rule) HasAI() bool { return r.ai != nil || r.require != nil }

// RequiredTrailers returns, for fix advice, one "Key: example" trailer per
// trailer requirement of the rule, in order ("Key: Name <email>" when the
// requirement gives no example).
func (r *Rule) RequiredTrailers() []string {
	if r.require == nil {
		return nil
	}
	out := make([]string, 0, len(r.require.trailers))
	for _, t := range r.require.trailers {
		ex := t.example
		if ex == "" {
			ex = "Name <email>"
		}
		out = append(out, t.display+": "+ex)
	}
	return out
}

// AILines returns the rule's ai.lines condition: ok is false when the rule
// has none; else want is true for a rule on AI-written lines only, false for
// one on human-written lines only. The scan applies it to each line finding
// with the commit's line-level authorship data (ai.lines is a condition on
// lines, not on commits: MatchCommit checks only that a rule on AI-written
// lines meets an AI-marked commit).
func (r *Rule) AILines() (want, ok bool) {
	if r.ai == nil || r.ai.lines == nil {
		return false, false
	}
	return *r.ai.lines, true
}

// Evidence kinds of line-level authorship data: the scan adds one of them
// to a commit's classification when an authorship record (a refs/notes/ai
// authorship log, an Agent Trace record) is about the commit. The
// AI-tool markers never produce them.
const (
	EvidenceNote       = "note"
	EvidenceAgentTrace = "agent-trace"
)

// HasLineData reports whether a classification carries line-level
// authorship data (evidence of kind EvidenceNote or EvidenceAgentTrace):
// only then may an AI-marked commit hold human-written lines.
func HasLineData(ai *provenance.Result) bool {
	return ai != nil && slices.ContainsFunc(ai.Evidence, func(e provenance.Evidence) bool {
		return e.Kind == EvidenceNote || e.Kind == EvidenceAgentTrace
	})
}

// AITools returns the tool ids the rule's ai.tools condition names, for the
// loader to check them against the known tools.
func (r *Rule) AITools() []string {
	if r.ai == nil {
		return nil
	}
	return slices.Clone(r.ai.tools)
}

// matchAI reports whether the ai conditions and the requirements let the
// rule fire on c: every ai condition holds and, when the rule has
// requirements, at least one is not met.
func (r *Rule) matchAI(c *CommitInfo, why *string) bool {
	ai := c.AI
	if ai == nil {
		ai = &provenance.Result{}
	}
	if a := r.ai; a != nil {
		if a.detected != nil && ai.Detected != *a.detected {
			explain(why, "ai.detected is %t but the commit is %s", *a.detected, aiState(ai))
			return false
		}
		if len(a.tools) > 0 && !slices.ContainsFunc(ai.Tools, func(t string) bool { return slices.Contains(a.tools, t) }) {
			explain(why, "none of ai.tools (%s) marks the commit (it is %s)", strings.Join(a.tools, ", "), aiState(ai))
			return false
		}
		if a.declared != nil {
			switch {
			case *a.declared && !ai.Declared:
				explain(why, "ai.declared is true but the commit has no declared-use trailer")
				return false
			case !*a.declared && ai.Declared:
				explain(why, "ai.declared is false but the commit declares AI use")
				return false
			case !*a.declared && !ai.Detected:
				explain(why, "ai.declared is false (undeclared AI use) but the commit is not AI-marked")
				return false
			}
		}
		if len(a.agentTrailers) > 0 && !slices.ContainsFunc(ai.AgentTrailers, func(t provenance.AgentTrailer) bool {
			return slices.Contains(a.agentTrailers, lowerASCIIString(t.Key))
		}) {
			explain(why, "no trailer of ai.agent_trailers names an AI tool's identity")
			return false
		}
		if a.lines != nil {
			switch {
			case *a.lines && !ai.Detected:
				explain(why, "ai.lines is true but the commit is not AI-marked, so none of its lines is AI-written")
				return false
			case !*a.lines && ai.Detected && !HasLineData(ai):
				explain(why, "ai.lines is false but the commit is AI-marked without line-level authorship data, so every line of it counts as AI-written")
				return false
			}
		}
	}
	if q := r.require; q != nil {
		if unmet := q.unmet(c, ai); unmet != "" {
			explain(why, "requirement not met: %s", unmet)
			return true
		}
		explain(why, "every requirement is met")
		return false
	}
	return true
}

// aiState describes a classification for rule test messages.
func aiState(ai *provenance.Result) string {
	if !ai.Detected {
		return "not AI-marked"
	}
	return "AI-marked by " + strings.Join(ai.Tools, ", ")
}

// unmet returns the first requirement c does not meet, described, or "".
func (q *requireCond) unmet(c *CommitInfo, ai *provenance.Result) string {
	if q.signed && !c.Signed {
		return "the commit is not signed"
	}
	if q.humanAuthor && (len(ai.AuthorTools) > 0 || isBot(c.AuthorName, c.AuthorEmail)) {
		return fmt.Sprintf("the author %s is not a human", yamlmsg.Quote(c.AuthorName+" <"+c.AuthorEmail+">"))
	}
	for _, t := range q.trailers {
		if !slices.ContainsFunc(c.Trailers[t.key], func(v string) bool { return t.accepts(v, c, ai) }) {
			return fmt.Sprintf("no %s trailer%s", t.display, t.qualifier())
		}
	}
	return ""
}

// qualifier describes what a trailer requirement asks of the value.
func (t *trailerReq) qualifier() string {
	var q []string
	if t.value != nil {
		q = append(q, "matching "+yamlmsg.Quote(t.value.String()))
	}
	if t.notAuthor {
		q = append(q, "naming someone other than the author")
	}
	if t.human {
		q = append(q, "naming a human")
	}
	if len(q) == 0 {
		return ""
	}
	return " " + strings.Join(q, ", ")
}

// accepts reports whether value satisfies the trailer requirement.
func (t *trailerReq) accepts(value string, c *CommitInfo, ai *provenance.Result) bool {
	value = strings.TrimSpace(value)
	if value == "" || (t.value != nil && !t.value.MatchString(value)) {
		return false
	}
	name, email := splitIdent(value)
	if t.notAuthor && sameIdentity(name, email, c.AuthorName, c.AuthorEmail) {
		return false
	}
	if t.human {
		if isBot(name, email) {
			return false
		}
		for _, at := range ai.AgentTrailers {
			if strings.EqualFold(at.Key, t.display) && strings.TrimSpace(at.Value) == value {
				return false
			}
		}
	}
	return true
}

// splitIdent splits "Name <email>"; email is "" when the value has none.
func splitIdent(v string) (name, email string) {
	v = strings.TrimSpace(v)
	i := strings.LastIndexByte(v, '<')
	if i < 0 || !strings.HasSuffix(v, ">") {
		return v, ""
	}
	return strings.TrimSpace(v[:i]), strings.TrimSpace(v[i+1 : len(v)-1])
}

// sameIdentity compares a trailer's identity with the author's: by email
// when both have one, else by name, case-insensitively.
func sameIdentity(name, email, authorName, authorEmail string) bool {
	if email != "" && authorEmail != "" {
		return strings.EqualFold(email, strings.TrimSpace(authorEmail))
	}
	return name != "" && strings.EqualFold(name, strings.TrimSpace(authorName))
}

// isBot reports whether an identity is a bot account by the GitHub App
// convention: "[bot]" in the name or the email (login[bot]@users.noreply...).
func isBot(name, email string) bool {
	return strings.Contains(strings.ToLower(name), "[bot]") || strings.Contains(strings.ToLower(email), "[bot]@")
}

// matchAIAndRequire evaluates the ai conditions and requirements, when the
// rule has any.
func (r *Rule) matchAIAndRequire(c *CommitInfo, why *string) bool {
	if r.ai == nil && r.require == nil {
		return true
	}
	return r.matchAI(c, why)
}

// withAI returns the example to run r on: for a rule with ai or require
// conditions and an example giving commit facts, a copy whose commit is
// classified by det from the example's message, identities, ref and path.
// why is set when the example cannot be run (no markers given).
func (r *Rule) withAI(ex *example, det *provenance.Detector) (*example, string) {
	if !r.HasAI() || ex.commit == nil {
		return ex, ""
	}
	if det == nil {
		return ex, "the rule has ai or require conditions: run its tests with the AI-tool markers (pushguard rules test does)"
	}
	in := provenance.Input{
		Message:    ex.commit.Message,
		AuthorName: ex.commit.AuthorName, AuthorEmail: ex.commit.AuthorEmail,
		CommitterName: ex.commit.CommitterName, CommitterEmail: ex.commit.CommitterEmail,
	}
	if ex.hasRef {
		in.Refs = []string{ex.ref}
	}
	if ex.file != nil && ex.file.Status != "deleted" {
		in.Paths = []string{ex.file.Path}
	}
	res := det.Detect(in)
	c := *ex.commit
	c.AI = &res
	out := *ex
	out.commit = &c
	return &out, ""
}
