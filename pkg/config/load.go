package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/ruleset"
)

// maxFileSize bounds the configuration file read.
const maxFileSize = 1 << 20

// maxTimeBudget bounds time_budget: a hook that runs longer is stuck.
const maxTimeBudget = time.Hour

// Error is one problem in a configuration file, rendered as
//
//	file.yml:LINE: key.path: what is wrong
//
// Load joins its errors with errors.Join; errors.As finds the first.
type Error struct {
	File string
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key path such as scopes[1].repos[0]; may be empty
	Msg  string
}

// Error renders file:line: key: message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// The YAML schema. Scalars that need parsing are decoded as strings and
// checked afterwards with their positions; optional booleans and numbers
// are pointers so that "not written" differs from a zero value.
type fileSpec struct {
	Platform          string           `yaml:"platform"`
	Rules             []sourceSpec     `yaml:"rules"`
	Defaults          *bool            `yaml:"defaults"`
	Scopes            []scopeSpec      `yaml:"scopes"`
	Mode              string           `yaml:"mode"`
	TimeBudget        string           `yaml:"time_budget"`
	OnError           string           `yaml:"on_error"`
	Message           *messageSpec     `yaml:"message"`
	MaxFindings       *int             `yaml:"max_findings"`
	InlineSuppression *suppressionSpec `yaml:"inline_suppression"`
	MaxFileSize       string           `yaml:"max_file_size"`
	Bypass            *bypassSpec      `yaml:"bypass"`
	Audit             *auditSpec       `yaml:"audit"`
	PusherEnv         string           `yaml:"pusher_env"`
}

type sourceSpec struct {
	Path     string `yaml:"path"`
	Repo     string `yaml:"repo"`
	Ref      string `yaml:"ref"`
	Dir      string `yaml:"dir"`
	Embedded *bool  `yaml:"embedded"`
}

type scopeSpec struct {
	Name    string   `yaml:"name"`
	Repos   []string `yaml:"repos"`
	Refs    []string `yaml:"refs"`
	Pushers []string `yaml:"pushers"`
	Rules   []string `yaml:"rules"`
	Mode    string   `yaml:"mode"`
}

type messageSpec struct {
	Header  string `yaml:"header"`
	Footer  string `yaml:"footer"`
	HelpURL string `yaml:"help_url"`
}

type bypassSpec struct {
	Option          string   `yaml:"option"`
	AllowedPushers  []string `yaml:"allowed_pushers"`
	MinReasonLength *int     `yaml:"min_reason_length"`
	Approvers       string   `yaml:"approvers"`
}

type auditSpec struct {
	Destination string `yaml:"destination"`
	Path        string `yaml:"path"`
	SyslogTag   string `yaml:"syslog_tag"`
	Facility    string `yaml:"syslog_facility"`
}

// Load reads and validates the configuration file at path. Every problem
// is reported, each as an *Error with the file and line; relative paths in
// the file are taken from the file's directory.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read configuration %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("file larger than %d bytes", maxFileSize)}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("configuration path %s: %w", path, err)
	}
	return Parse(path, filepath.Dir(abs), data)
}

// Parse decodes and validates configuration YAML. name is used in error
// messages; relative paths in the file are resolved against baseDir.
func Parse(name, baseDir string, data []byte) (*Config, error) {
	p := &parser{file: name, base: baseDir}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlErrors(err)
	}
	c := Default()
	c.File = name
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return c, nil // an empty file: every default
	}
	p.root = doc.Content[0]
	if p.root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: p.root.Line, Msg: "the configuration must be a mapping of keys (rules:, mode:, ...)"}
	}
	var spec fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		return nil, p.yamlErrors(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, &Error{File: name, Line: extra.Line, Msg: "more than one YAML document; write the configuration as one"}
	}
	p.build(c, &spec)
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
		errs := make([]error, len(p.errs))
		for i, e := range p.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// parser collects the problems of one file.
type parser struct {
	file string
	base string
	root *yaml.Node
	errs []*Error
}

// errorf records a problem at the key path (string keys, int indexes).
func (p *parser) errorf(keys []any, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: p.line(keys), Key: keyPath(keys), Msg: fmt.Sprintf(format, args...)})
}

// line finds the line of a key path: its value's line, or the nearest
// parent's when a key was not written.
func (p *parser) line(keys []any) int {
	n := p.root
	line := 0
	if n != nil {
		line = n.Line
	}
	for _, k := range keys {
		if n == nil {
			break
		}
		var next *yaml.Node
		switch k := k.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == k {
						next = n.Content[i+1]
						line = n.Content[i].Line
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && k < len(n.Content) {
				next = n.Content[k]
				line = next.Line
			}
		}
		n = next
	}
	return line
}

func keyPath(keys []any) string {
	var b strings.Builder
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		}
	}
	return b.String()
}

func keys(k ...any) []any { return k }

var (
	yamlLineRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })
	unknownKeyRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^field (\S+) not found in type \*?config\.(\w+)$`) })
	wrongTypeRe  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
	})
)

// specKeys lists the valid keys of each schema type, for unknown-key
// messages.
var specKeys = map[string]reflect.Type{
	"fileSpec":    reflect.TypeFor[fileSpec](),
	"sourceSpec":  reflect.TypeFor[sourceSpec](),
	"scopeSpec":   reflect.TypeFor[scopeSpec](),
	"messageSpec": reflect.TypeFor[messageSpec](),
	"bypassSpec":  reflect.TypeFor[bypassSpec](),
	"auditSpec":   reflect.TypeFor[auditSpec](),

	"suppressionSpec": reflect.TypeFor[suppressionSpec](),
}

// yamlErrors turns yaml.v3's errors ("line 3: field x not found in type
// config.fileSpec") into *Error values in pushguard's words.
func (p *parser) yamlErrors(err error) error {
	var lines []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		lines = te.Errors
	} else {
		lines = []string{err.Error()}
	}
	errs := make([]error, 0, len(lines))
	for _, l := range lines {
		e := &Error{File: p.file, Msg: strings.TrimPrefix(l, "yaml: ")}
		if m := yamlLineRe().FindStringSubmatch(l); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = m[2]
		}
		if m := unknownKeyRe().FindStringSubmatch(e.Msg); m != nil {
			e.Msg = fmt.Sprintf("unknown key %q", m[1])
			if t, ok := specKeys[m[2]]; ok {
				e.Msg += " (valid keys here: " + strings.Join(yamlKeys(t), ", ") + ")"
			}
		} else if m := wrongTypeRe().FindStringSubmatch(e.Msg); m != nil {
			got := kindWord(m[1])
			if m[2] != "" {
				got = fmt.Sprintf("%q", m[2])
			}
			e.Msg = fmt.Sprintf("expected %s, got %s", typeWord(m[3]), got)
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

func yamlKeys(t reflect.Type) []string {
	var ks []string
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			ks = append(ks, tag)
		}
	}
	return ks
}

func kindWord(tag string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	case "str":
		return "a string"
	case "int", "float":
		return "a number"
	case "bool":
		return "true or false"
	}
	return tag
}

func typeWord(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.Contains(goType, "config."):
		return "a mapping"
	case goType == "int" || goType == "*int":
		return "a whole number"
	case goType == "bool" || goType == "*bool":
		return "true or false"
	case goType == "string":
		return "a string"
	}
	return goType
}

// build validates spec and fills c.
func (p *parser) build(c *Config, s *fileSpec) {
	switch s.Platform {
	case "", "auto":
	case push.PlatformGit, push.PlatformGitLab, push.PlatformGitea, push.PlatformGHES:
		c.Platform = s.Platform
	default:
		p.errorf(keys("platform"), "unknown platform %q (auto, %s)", s.Platform, strings.Join(push.Platforms(), ", "))
	}
	p.sources(c, s)
	if s.Mode != "" {
		c.Mode = p.mode(keys("mode"), s.Mode)
	}
	for i := range s.Scopes {
		c.Scopes = append(c.Scopes, p.scope(i, &s.Scopes[i]))
	}
	for i, sc := range c.Scopes {
		if len(sc.Repos) == 0 && len(sc.Refs) == 0 && len(sc.Pushers) == 0 && i < len(c.Scopes)-1 {
			p.errorf(keys("scopes", i), "scope %q matches every push, so the scopes after it are never used: give it repos, refs or pushers, or move it last", sc.Name)
		}
	}
	if s.TimeBudget != "" {
		d, err := time.ParseDuration(s.TimeBudget)
		switch {
		case err != nil:
			p.errorf(keys("time_budget"), "%q is not a duration (write it like 4.5s, 30s or 2m)", s.TimeBudget)
		case d <= 0 || d > maxTimeBudget:
			p.errorf(keys("time_budget"), "%s is out of range (more than 0, at most %s)", d, maxTimeBudget)
		default:
			c.TimeBudget, c.budgetSet = d, true
		}
	}
	switch OnError(s.OnError) {
	case "":
	case OnErrorReject, OnErrorAccept:
		c.OnError = OnError(s.OnError)
	default:
		p.errorf(keys("on_error"), "%q is not reject or accept", s.OnError)
	}
	if m := s.Message; m != nil {
		c.Message = Message{Header: m.Header, Footer: m.Footer, HelpURL: m.HelpURL}
		if m.HelpURL != "" {
			if u, err := url.Parse(m.HelpURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				p.errorf(keys("message", "help_url"), "%q is not an http(s) URL", m.HelpURL)
			}
		}
	}
	if s.MaxFindings != nil {
		if *s.MaxFindings < 1 || *s.MaxFindings > 10000 {
			p.errorf(keys("max_findings"), "%d is out of range (1 to 10000)", *s.MaxFindings)
		} else {
			c.MaxFindings = *s.MaxFindings
		}
	}
	if s.InlineSuppression != nil {
		p.suppression(c, s.InlineSuppression)
	}
	if s.MaxFileSize != "" {
		n, err := ruleset.ParseSize(s.MaxFileSize)
		switch {
		case err != nil:
			p.errorf(keys("max_file_size"), "%v", err)
		case n <= 0:
			p.errorf(keys("max_file_size"), "must be more than 0")
		default:
			c.MaxFileSize = n
		}
	}
	if b := s.Bypass; b != nil {
		p.bypass(c, b)
	}
	if a := s.Audit; a != nil {
		p.audit(c, a)
	}
	if s.PusherEnv != "" {
		if !envNameRe().MatchString(s.PusherEnv) {
			p.errorf(keys("pusher_env"), "%q is not an environment variable name", s.PusherEnv)
		}
		c.PusherEnv = s.PusherEnv
	}
}

var (
	envNameRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
	optionKeyRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`) })
)

func (p *parser) mode(k []any, s string) Mode {
	switch Mode(s) {
	case ModeEnforce, ModeAudit:
		return Mode(s)
	}
	p.errorf(k, "%q is not enforce or audit", s)
	return ""
}

// sources builds c.Rules from the rules: list and defaults:.
func (p *parser) sources(c *Config, s *fileSpec) {
	defaults := s.Defaults == nil || *s.Defaults
	var out []Source
	embedded := false
	for i, r := range s.Rules {
		k := keys("rules", i)
		src := Source{Line: p.line(k)}
		set := 0
		if r.Path != "" {
			set++
			src.Path = p.abs(r.Path)
		}
		if r.Repo != "" {
			set++
			src.Repo = p.abs(r.Repo)
		}
		if r.Embedded != nil {
			set++
			if !*r.Embedded {
				p.errorf(append(k, "embedded"), "embedded: false selects nothing; remove the entry (defaults: false leaves the embedded rules out)")
			}
			src.Embedded = true
		}
		if set != 1 {
			p.errorf(k, "give exactly one of path, repo or embedded: true")
			continue
		}
		if r.Repo == "" && (r.Ref != "" || r.Dir != "") {
			p.errorf(k, "ref and dir apply to a repo source only")
		}
		if src.Repo != "" {
			src.Ref = cmp.Or(r.Ref, DefaultPolicyRef)
			if err := push.CheckRefName(src.Ref); err != nil {
				p.errorf(append(k, "ref"), "%v (write the full name, e.g. refs/heads/main)", err)
			}
			dir := path.Clean(cmp.Or(strings.TrimSuffix(r.Dir, "/"), "."))
			if path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../") || strings.Contains(r.Dir, "\\") {
				p.errorf(append(k, "dir"), "%q must be a relative folder of the repository, with slashes", r.Dir)
			}
			src.Dir = dir
		}
		if src.Embedded {
			if embedded {
				p.errorf(k, "the embedded rules are listed twice")
			}
			if s.Defaults != nil && !*s.Defaults {
				p.errorf(k, "defaults: false contradicts an embedded: true source")
			}
			embedded = true
		}
		out = append(out, src)
	}
	if defaults && !embedded {
		out = append([]Source{{Embedded: true}}, out...)
	}
	if len(out) == 0 {
		p.errorf(keys("defaults"), "no rule sources: with defaults: false, list rules: sources")
	}
	c.Rules = out
}

// abs resolves a path written in the file against the file's directory.
func (p *parser) abs(s string) string {
	if filepath.IsAbs(s) {
		return filepath.Clean(s)
	}
	return filepath.Join(p.base, s)
}

func (p *parser) scope(i int, s *scopeSpec) Scope {
	k := keys("scopes", i)
	sc := Scope{Name: cmp.Or(s.Name, fmt.Sprintf("scopes[%d]", i)), Line: p.line(k),
		Repos: s.Repos, Refs: s.Refs, Pushers: s.Pushers, Rules: s.Rules}
	p.globs(append(k, "repos"), s.Repos)
	p.globs(append(k, "refs"), s.Refs)
	p.globs(append(k, "pushers"), s.Pushers)
	for j, r := range s.Refs {
		if !strings.HasPrefix(r, "refs/") && !strings.HasPrefix(r, "*") && !strings.HasPrefix(r, "{") {
			p.errorf(append(k, "refs", j), "%q does not match full ref names; write refs/heads/%s", r, r)
		}
	}
	for j, r := range s.Rules {
		sel := strings.TrimPrefix(r, "!")
		tag, isTag := strings.CutPrefix(sel, "tag:")
		switch {
		case strings.TrimSpace(sel) == "":
			p.errorf(append(k, "rules", j), "empty rule selector")
		case isTag && strings.TrimSpace(tag) == "":
			p.errorf(append(k, "rules", j), "tag: needs a tag name, e.g. tag:secrets")
		case strings.ContainsAny(sel, " \t") && !isTag:
			p.errorf(append(k, "rules", j), "%q is not a rule id, tag:NAME or *", r)
		}
	}
	if s.Mode != "" {
		sc.Mode = p.mode(append(k, "mode"), s.Mode)
	}
	return sc
}

func (p *parser) globs(k []any, globs []string) {
	for j, g := range globs {
		switch {
		case g == "":
			p.errorf(append(k, j), "empty pattern")
		case !doublestar.ValidatePattern(g):
			p.errorf(append(k, j), "%q is not a valid glob", g)
		}
	}
}

// suppressionSpec is inline_suppression: a boolean (enabled or not), or a
// mapping that also says which secret rules comments may suppress and how
// long a reason must be.
type suppressionSpec struct {
	Enabled         *bool    `yaml:"enabled"`
	SecretRules     []string `yaml:"secret_rules"`
	MinReasonLength *int     `yaml:"min_reason_length"`
}

// UnmarshalYAML accepts the boolean form and the mapping, refusing unknown
// keys in the mapping as the rest of the file does.
func (s *suppressionSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var b bool
		if err := n.Decode(&b); err != nil {
			return err
		}
		s.Enabled = &b
		return nil
	}
	if n.Kind == yaml.MappingNode {
		var unknown []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !slices.Contains(yamlKeys(reflect.TypeFor[suppressionSpec]()), k.Value) {
				unknown = append(unknown, fmt.Sprintf("line %d: field %s not found in type config.suppressionSpec", k.Line, k.Value))
			}
		}
		if len(unknown) > 0 {
			return &yaml.TypeError{Errors: unknown}
		}
	}
	type plain suppressionSpec
	return n.Decode((*plain)(s))
}

func (p *parser) suppression(c *Config, s *suppressionSpec) {
	k := keys("inline_suppression")
	if s.Enabled != nil {
		c.InlineSuppression = *s.Enabled
	}
	for i, r := range s.SecretRules {
		if name, ok := strings.CutPrefix(r, "tag:"); r == "" || (ok && name == "") || strings.ContainsAny(r, " \t") {
			p.errorf(append(k, "secret_rules", i), "%q is not a rule id or tag:NAME", r)
		}
	}
	c.InlineSuppressionSecretRules = s.SecretRules
	if s.MinReasonLength != nil {
		if *s.MinReasonLength < 1 || *s.MinReasonLength > 1000 {
			p.errorf(append(k, "min_reason_length"), "%d is out of range (1 to 1000)", *s.MinReasonLength)
		} else {
			c.InlineSuppressionMinReason = *s.MinReasonLength
		}
	}
}

func (p *parser) bypass(c *Config, b *bypassSpec) {
	k := keys("bypass")
	if b.Option != "" {
		if !optionKeyRe().MatchString(b.Option) {
			p.errorf(append(k, "option"), "%q is not a push option name (letters, digits, '.', '_', '-')", b.Option)
		}
		c.Bypass.Option = b.Option
	}
	p.globs(append(k, "allowed_pushers"), b.AllowedPushers)
	c.Bypass.AllowedPushers = b.AllowedPushers
	if b.MinReasonLength != nil {
		if *b.MinReasonLength < 0 || *b.MinReasonLength > 1000 {
			p.errorf(append(k, "min_reason_length"), "%d is out of range (0 to 1000)", *b.MinReasonLength)
		} else {
			c.Bypass.MinReasonLength = *b.MinReasonLength
		}
	}
	c.Bypass.Approvers = b.Approvers
}

func (p *parser) audit(c *Config, a *auditSpec) {
	k := keys("audit")
	dest := cmp.Or(a.Destination, AuditNone)
	switch dest {
	case AuditNone, AuditStderr, AuditSyslog, AuditFile:
		c.Audit.Destination = dest
	default:
		p.errorf(append(k, "destination"), "%q is not file, stderr, syslog or none", a.Destination)
	}
	switch {
	case dest == AuditFile && a.Path == "":
		p.errorf(append(k, "path"), "destination: file needs a path")
	case dest != AuditFile && a.Path != "":
		p.errorf(append(k, "path"), "path is only used with destination: file")
	case a.Path != "":
		c.Audit.Path = p.abs(a.Path)
	}
	if dest != AuditSyslog && (a.SyslogTag != "" || a.Facility != "") {
		p.errorf(k, "syslog_tag and syslog_facility are only used with destination: syslog")
	}
	if a.SyslogTag != "" {
		c.Audit.SyslogTag = a.SyslogTag
	}
	if a.Facility != "" {
		if !validFacility(a.Facility) {
			p.errorf(append(k, "syslog_facility"), "%q is not a syslog facility (user, auth, authpriv, daemon, local0 ... local7)", a.Facility)
		}
		c.Audit.SyslogFacility = a.Facility
	}
}

// validFacility accepts the facilities audit.Open knows.
func validFacility(f string) bool {
	switch f {
	case "user", "auth", "authpriv", "daemon":
		return true
	}
	n, ok := strings.CutPrefix(f, "local")
	return ok && len(n) == 1 && n[0] >= '0' && n[0] <= '7'
}
