package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pushguard/pushguard/internal/sarifschema"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

func sarifFixture() (*verdict.Verdict, ScanOptions) {
	key := &ruleset.Rule{ID: "aws-access-key-id", Message: "AWS access key ID", Help: "Remove the key.\nRotate it in IAM.", Severity: ruleset.SeverityBlock, Tags: []string{"secret", "aws", "security"}, Redact: true, Source: "secrets.yml:3"}
	ci := &ruleset.Rule{ID: "ci-definition-change", Message: "CI definition changed", Severity: ruleset.SeverityWarn}
	ai := &ruleset.Rule{ID: "ai-trailer", Message: "AI commit without trailer", Severity: ruleset.SeverityInfo}
	unused := &ruleset.Rule{ID: "never-fired", Message: "m", Description: "A rule with no findings.", Severity: ruleset.SeverityWarn}
	c1 := plumbing.NewHash("1111111111111111111111111111111111111111")
	c2 := plumbing.NewHash("2222222222222222222222222222222222222222")
	res := &scan.Result{
		Commits: []scan.CommitInfo{{Hash: c1, Subject: "one"}, {Hash: c2, Subject: "two"}},
		Findings: []scan.Finding{
			{Rule: key, Kind: scan.KindLine, Commit: c1, Ref: "refs/heads/main", Path: "conf/app settings.ini", Line: 2, Column: 7, Match: "AKIAZ7VRSQ5TLXKE4N2P"},
			{Rule: key, Kind: scan.KindCommit, Commit: c2, Field: scan.FieldMessage, Line: 1, Column: 3, Match: "AKIAZ7VRSQ5TLXKE4N2P"},
			{Rule: ci, Kind: scan.KindFile, Commit: c1, Path: ".github/workflows/ci.yml"},
			{Rule: ci, Kind: scan.KindFile, Commit: c2, Path: ".github/workflows/ci.yml"},
			{Rule: ai, Kind: scan.KindCommit, Commit: c2},
			{Rule: key, Kind: scan.KindLine, Commit: c2, Path: "t.txt", Line: 1, Column: 1, Match: "AKIAZ7VRSQ5TLXKE4N2P", Suppressed: true, SuppressReason: "test fixture key"},
		},
	}
	v := verdict.Decide(res, verdict.Options{})
	return v, ScanOptions{Rules: []*ruleset.Rule{key, ci, ai, unused}, Version: "1.2.3", Revision: c2.String(), Branch: "refs/heads/main",
		RepositoryURI: "https://user:tok3n@example.org/org/repo.git", ExitCode: 1, Redact: KeepRuleRedaction}
}

func TestSARIFValidAgainstSchema(t *testing.T) {
	schema := sarifschema.Compile(t)
	v, o := sarifFixture()
	empty := verdict.Decide(&scan.Result{}, verdict.Options{})
	tests := []struct {
		name string
		v    *verdict.Verdict
		o    ScanOptions
	}{
		{"findings", v, o},
		{"no findings, no rules, no repository", empty, ScanOptions{}},
		{"redacted, scp remote", v, func() ScanOptions { o := o; o.Redact = 0; o.RepositoryURI = "git@example.org:org/repo.git"; return o }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := SARIF(&b, tt.v, tt.o); err != nil {
				t.Fatal(err)
			}
			sarifschema.Validate(t, schema, b.Bytes())
			if strings.Contains(b.String(), "tok3n") || strings.Contains(b.String(), "AKIAZ7VRSQ5TLXKE4N2P") {
				t.Errorf("SARIF holds a credential or an unredacted key:\n%s", b.String())
			}
		})
	}
}

// TestSARIFSchemaRejectsBrokenLogs: the schema check can fail.
func TestSARIFSchemaRejectsBrokenLogs(t *testing.T) {
	schema := sarifschema.Compile(t)
	for _, doc := range []string{
		`{"version": "2.1.0"}`,
		`{"version": "2.0.0", "runs": []}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`,
	} {
		d, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if schema.Validate(d) == nil {
			t.Errorf("schema accepted %s", doc)
		}
	}
}

func TestSARIFContent(t *testing.T) {
	v, o := sarifFixture()
	var b bytes.Buffer
	if err := SARIF(&b, v, o); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, ","); got != "aws-access-key-id,ci-definition-change,ai-trailer,never-fired" {
		t.Errorf("rules %s", got)
	}
	r0 := run.Tool.Driver.Rules[0]
	if r0.Help.Text != "Remove the key.\nRotate it in IAM." || r0.DefaultConfiguration.Level != "error" || strings.Join(r0.Properties.Tags, ",") != "security,secret,aws" {
		t.Errorf("rule metadata %+v", r0)
	}
	if len(run.Results) != 6 {
		t.Fatalf("%d results, want 6", len(run.Results))
	}
	first := run.Results[0]
	loc := first.Locations[0].PhysicalLocation
	if first.RuleID != "aws-access-key-id" || first.RuleIndex != 0 || first.Level != "error" ||
		loc.ArtifactLocation.URI != "conf/app%20settings.ini" || loc.Region.StartLine != 2 || loc.Region.StartColumn != 7 || loc.Region.EndColumn != 27 {
		t.Errorf("first result %+v, location %+v %+v", first, loc.ArtifactLocation, loc.Region)
	}
	if first.Properties["commit"] != "1111111111111111111111111111111111111111" || first.Properties["match"] != "AKIA***" {
		t.Errorf("properties %v", first.Properties)
	}
	if meta := run.Results[1]; meta.Locations[0].PhysicalLocation != nil || meta.Locations[0].LogicalLocations[0].Kind != "commit" {
		t.Errorf("metadata finding located in a file: %+v", meta.Locations)
	}
	if sup := run.Results[5]; len(sup.Suppressions) != 1 || sup.Suppressions[0].Justification != "test fixture key" {
		t.Errorf("suppressed finding: %+v", sup.Suppressions)
	}
	vc := run.VersionControlProvenance
	if len(vc) != 1 || vc[0].RepositoryURI != "https://example.org/org/repo.git" || vc[0].RevisionID != o.Revision || vc[0].Branch != "refs/heads/main" {
		t.Errorf("versionControlProvenance %+v", vc)
	}
	// Fingerprints: distinct per finding, the same on a second run.
	seen := map[string]bool{}
	for _, r := range run.Results {
		fp := r.PartialFingerprints[FingerprintKey]
		if fp == "" || seen[fp] {
			t.Errorf("fingerprint %q empty or repeated", fp)
		}
		seen[fp] = true
	}
	var again bytes.Buffer
	v2, o2 := sarifFixture()
	if err := SARIF(&again, v2, o2); err != nil {
		t.Fatal(err)
	}
	if again.String() != b.String() {
		t.Error("two runs over the same findings differ")
	}
}

func TestCleanRepositoryURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/org/repo.git", "https://github.com/org/repo.git"},
		{"https://x-access-token:ghs_abc@github.com/org/repo.git", "https://github.com/org/repo.git"},
		{"https://ghp_token@github.com/org/repo", "https://github.com/org/repo"},
		{"git@github.com:org/repo.git", "ssh://git@github.com/org/repo.git"},
		{"ssh://git@host:2222/org/repo.git", "ssh://git@host:2222/org/repo.git"},
		{"ssh://u:pw@host/x", "ssh://host/x"},
		{"/srv/git/repo.git", ""},
		{"../other", ""},
		{"", ""},
		{"https://host/x y", ""},
	}
	for _, tt := range tests {
		if got := CleanRepositoryURI(tt.in); got != tt.want {
			t.Errorf("CleanRepositoryURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
