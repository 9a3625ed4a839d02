package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// SARIF 2.1.0 (OASIS), as GitHub code scanning and GitLab read it: every
// rule of the set in tool.driver.rules with its help and tags, one result
// per finding with its location (file, line, column in Unicode code
// points), a partial fingerprint stable across runs, and the commit as a
// result property. Findings suppressed inline are results with an
// in-source suppression and its justification.

// SARIFSchemaURI is the schema the document names.
const SARIFSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// sarifInformationURI is pushguard's home.
const sarifInformationURI = "https://github.com/pushguard/pushguard"

// FingerprintKey names pushguard's partial fingerprint in SARIF results.
const FingerprintKey = "pushguardFinding/v1"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool                     sarifTool              `json:"tool"`
	Invocations              []sarifInvocation      `json:"invocations"`
	VersionControlProvenance []sarifVersionControl  `json:"versionControlProvenance,omitempty"`
	OriginalURIBaseIDs       map[string]sarifArtLoc `json:"originalUriBaseIds,omitempty"`
	ColumnKind               string                 `json:"columnKind"`
	Results                  []sarifResult          `json:"results"`
	Properties               map[string]any         `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name,omitempty"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifMultiText    `json:"help"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifMultiText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Tags []string `json:"tags"`
	// SecuritySeverity is GitHub's 0.0-10.0 score for rules tagged
	// "security".
	SecuritySeverity string `json:"security-severity"`
	Precision        string `json:"precision"`
	Source           string `json:"source,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
	ExitCode            int  `json:"exitCode"`
}

type sarifVersionControl struct {
	RepositoryURI string `json:"repositoryUri"`
	RevisionID    string `json:"revisionId,omitempty"`
	Branch        string `json:"branch,omitempty"`
}

type sarifArtLoc struct {
	URI       string `json:"uri,omitempty"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtLoc  `json:"artifactLocation"`
	Region           *sarifRegion `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// SARIF writes the SARIF 2.1.0 log of a scan.
func SARIF(w io.Writer, v *verdict.Verdict, o ScanOptions) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(buildSARIF(v, o)); err != nil {
		return fmt.Errorf("write SARIF report: %w", err)
	}
	return nil
}

func buildSARIF(v *verdict.Verdict, o ScanOptions) sarifLog {
	rules := allRules(o.Rules, v.Findings, v.Suppressed)
	index := make(map[string]int, len(rules))
	driver := sarifDriver{Name: "pushguard", Version: o.Version, InformationURI: sarifInformationURI, Rules: []sarifRule{}}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRuleOf(r))
	}
	run := sarifRun{
		Tool:        sarifTool{Driver: driver},
		Invocations: []sarifInvocation{{ExecutionSuccessful: v.Err == nil, ExitCode: o.ExitCode}},
		ColumnKind:  "unicodeCodePoints",
		Results:     []sarifResult{},
		OriginalURIBaseIDs: map[string]sarifArtLoc{
			"%SRCROOT%": {}, // the root of the scanned repository or directory
		},
	}
	props := map[string]any{}
	if o.Revision != "" {
		props["commit"] = o.Revision
	}
	if o.Branch != "" {
		props["ref"] = o.Branch
	}
	if o.Scanned != "" {
		props["scanned"] = o.Scanned
	}
	if len(props) > 0 {
		run.Properties = props
	}
	if uri := CleanRepositoryURI(o.RepositoryURI); uri != "" {
		run.VersionControlProvenance = []sarifVersionControl{{RepositoryURI: uri, RevisionID: o.Revision, Branch: o.Branch}}
	}
	for _, f := range v.Findings {
		run.Results = append(run.Results, sarifResultOf(f, index[f.Rule.ID], o))
	}
	for _, f := range v.Suppressed {
		res := sarifResultOf(f, index[f.Rule.ID], o)
		res.Suppressions = []sarifSuppression{{Kind: "inSource", Justification: textsafe.Clean(f.SuppressReason, maxField)}}
		run.Results = append(run.Results, res)
	}
	return sarifLog{Schema: SARIFSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}
}

func sarifRuleOf(r *ruleset.Rule) sarifRule {
	msg := textsafe.Clean(r.Message, 0)
	full := strings.TrimSpace(textsafe.Clean(r.Description, 0))
	if full == "" {
		full = msg
	}
	help := strings.TrimSpace(r.Help)
	if help == "" {
		help = msg
	}
	help = strings.Join(splitLines(help), "\n")
	tags := []string{"security"}
	for _, t := range r.Tags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return sarifRule{
		ID:                   r.ID,
		Name:                 ruleName(r.ID),
		ShortDescription:     sarifText{Text: msg},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifMultiText{Text: help, Markdown: "**" + markdownEscape(msg) + "**\n\n" + markdownEscape(help)},
		DefaultConfiguration: sarifRuleConfig{Level: level(r.Severity)},
		Properties: sarifRuleProperty{
			Tags: tags, SecuritySeverity: securitySeverity(r.Severity), Precision: "high",
			Source: textsafe.Clean(r.Source, 0),
		},
	}
}

// ruleName is a rule id in the PascalCase SARIF viewers show as a name:
// "aws-access-key-id" → "AwsAccessKeyId".
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// markdownEscape escapes the characters Markdown would interpret.
func markdownEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`)
	return r.Replace(s)
}

func securitySeverity(s ruleset.Severity) string {
	switch s {
	case ruleset.SeverityBlock:
		return "8.0"
	case ruleset.SeverityWarn:
		return "5.0"
	}
	return "2.0"
}

func sarifResultOf(f scan.Finding, ruleIndex int, o ScanOptions) sarifResult {
	msg := textsafe.Clean(f.Rule.Message, 0)
	m := o.shownMatch(f)
	if f.Detail != "" {
		m = textsafe.Clean(f.Detail, maxField)
	}
	if m != "" {
		msg += ": " + m
	}
	if f.Field != "" {
		msg += fmt.Sprintf(" (%s of %s, line %d)", f.Field, objectWord(f), f.Line)
	}
	res := sarifResult{
		RuleID: f.Rule.ID, RuleIndex: ruleIndex, Level: level(f.Rule.Severity),
		Message:             sarifText{Text: msg},
		PartialFingerprints: map[string]string{FingerprintKey: Fingerprint(f)},
	}
	props := map[string]any{"kind": string(f.Kind), "severity": string(f.Rule.Severity)}
	if !f.Commit.IsZero() {
		props["commit"] = f.Commit.String()
	}
	if f.Ref != "" {
		props["ref"] = textsafe.Clean(f.Ref, maxField)
	}
	if f.Field != "" {
		props["field"] = f.Field
	}
	if m := o.shownMatch(f); m != "" {
		props["match"] = m
	}
	res.Properties = props
	switch {
	case f.Path != "" && f.Field == "":
		loc := &sarifPhysical{ArtifactLocation: sarifArtLoc{URI: pathURI(f.Path), URIBaseID: "%SRCROOT%"}}
		if f.Kind == scan.KindLine && f.Line > 0 {
			reg := &sarifRegion{StartLine: f.Line, StartColumn: max(f.Column, 1)}
			if n := len([]rune(f.Match)); n > 0 && f.Column > 0 {
				reg.EndColumn = f.Column + n
			}
			loc.Region = reg
		}
		res.Locations = []sarifLocation{{PhysicalLocation: loc}}
	case !f.Commit.IsZero():
		kind := "commit"
		if f.Kind == scan.KindTag {
			kind = "tag"
		}
		res.Locations = []sarifLocation{{LogicalLocations: []sarifLogical{{Name: f.Commit.String(), FullyQualifiedName: kind + " " + f.Commit.String(), Kind: kind}}}}
	}
	return res
}

// pathURI is a relative path as a URI reference: each segment
// percent-encoded, slashes kept.
func pathURI(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// CleanRepositoryURI returns a repository location as an absolute URI
// without credentials: "git@host:org/repo.git" becomes
// "ssh://git@host/org/repo.git", a user's password or token is dropped
// ("https://user:token@host/x" becomes "https://host/x"). "" when s is
// not a location a URI can name.
func CleanRepositoryURI(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return ""
	}
	if !strings.Contains(s, "://") {
		// scp-like syntax: [user@]host:path
		host, p, ok := strings.Cut(s, ":")
		if !ok || host == "" || strings.Contains(host, "/") || p == "" {
			return ""
		}
		s = "ssh://" + host + "/" + strings.TrimPrefix(p, "/")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" && u.Scheme != "file" {
		return ""
	}
	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword || u.Scheme == "https" || u.Scheme == "http" {
			u.User = nil
		}
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}
