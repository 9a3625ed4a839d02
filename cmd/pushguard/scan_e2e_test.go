package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/pushguard/pushguard/internal/sarifschema"
)

// End-to-end tests of `pushguard scan`: the built binary over real
// repositories (made with git, pushed through the hook where the verdict is
// compared), directories and standard input.

const scanAWS = "AKIAZ7VRSQ5TLXKE4N2P"

// pg runs the built binary in dir with the world's environment (so that
// git, when pushguard asks it, sees the test's hermetic configuration).
func (w *world) pg(dir, stdin string, args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	cmd.Env = w.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		w.t.Fatalf("run pushguard %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// scanJSON is the part of the JSON report the tests read.
type scanJSON struct {
	Counts  struct{ Block, Warn, Info int } `json:"counts"`
	Commits []struct {
		SHA     string   `json:"sha"`
		Subject string   `json:"subject"`
		Refs    []string `json:"refs"`
	} `json:"commits"`
	Findings []struct {
		Rule, Severity, Commit, Ref, Path, Match string
		Line                                     int
	} `json:"findings"`
}

func parseScanJSON(t *testing.T, s string) scanJSON {
	t.Helper()
	var r scanJSON
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("scan JSON: %v\n%s", err, s)
	}
	return r
}

func (r scanJSON) rules() string {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.Rule)
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// scanHistory makes a client with: c1 README (pushed as main, upstream of
// the local main), c2 an AWS key in app/cfg.ini, c3 a clean change; the
// returned ids are c1, c2, c3.
func scanHistory(t *testing.T) (*world, [3]string) {
	w := newWorld(t)
	var ids [3]string
	ids[0] = w.commit("add readme", map[string]string{"README.md": "hi\n"})
	w.mustAccept(w.push("main"))
	w.git(w.client, "fetch", "-q", "origin")
	w.git(w.client, "branch", "-q", "-u", "origin/main")
	ids[1] = w.commit("add config", map[string]string{"app/cfg.ini": "key = " + scanAWS + "\n"})
	ids[2] = w.commit("add docs", map[string]string{"docs/x.md": "docs\n"})
	return w, ids
}

// TestScanRangeRevisions: --range takes what git rev-parse takes.
func TestScanRangeRevisions(t *testing.T) {
	w, ids := scanHistory(t)
	w.installHook()
	w.git(w.client, "tag", "-a", "v1", "-m", "release v1", ids[0])
	tests := []struct {
		spec     string
		commits  int
		findings string
	}{
		{"HEAD~2..HEAD", 2, "aws-access-key-id"},
		{ids[0][:7] + "..HEAD", 2, "aws-access-key-id"},
		{"HEAD^^..HEAD", 2, "aws-access-key-id"},
		{"HEAD~1..HEAD", 1, ""},
		{"HEAD~1..", 1, ""},
		{"origin/main..HEAD", 2, "aws-access-key-id"},
		{"@{u}..HEAD", 2, "aws-access-key-id"},
		{"@{upstream}..main", 2, "aws-access-key-id"},
		{"origin/main...HEAD", 2, "aws-access-key-id"},
		{"HEAD...origin/main", 2, "aws-access-key-id"},
		{ids[1], 2, "aws-access-key-id"}, // one revision: everything it reaches
		{"main~2", 1, ""},
		{"v1..HEAD", 2, "aws-access-key-id"}, // an annotated tag, peeled
		{"refs/tags/v1..HEAD~1", 1, "aws-access-key-id"},
		{strings.ToUpper(ids[0][:9]) + "..HEAD", 2, "aws-access-key-id"},
		{ids[1] + "^{/add readme}..HEAD", 2, "aws-access-key-id"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			out, stderr, code := w.pg(w.client, "", "scan", "--range", tt.spec, "--format", "json")
			wantCode := 0
			if tt.findings != "" {
				wantCode = 1
			}
			if code != wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, wantCode, stderr)
			}
			r := parseScanJSON(t, out)
			if len(r.Commits) != tt.commits || r.rules() != tt.findings {
				t.Errorf("%d commits, findings %q; want %d, %q", len(r.Commits), r.rules(), tt.commits, tt.findings)
			}
		})
	}
	// From a subdirectory of the work tree, and in a bare repository.
	out, stderr, code := w.pg(filepath.Join(w.client, "app"), "", "scan", "--range", "HEAD~2..HEAD", "--format", "json")
	if r := parseScanJSON(t, out); code != 1 || len(r.Commits) != 2 {
		t.Errorf("from a subdirectory: exit %d, %d commits\n%s", code, len(r.Commits), stderr)
	}
	out, stderr, code = w.pg(w.home, "", "scan", "--repo", w.server, "--range", "main", "--format", "json")
	if r := parseScanJSON(t, out); code != 0 || len(r.Commits) != 1 {
		t.Errorf("bare repository: exit %d, %d commits\n%s", code, len(r.Commits), stderr)
	}
	// The server decides the same push the same way.
	w.mustReject(w.push("main"))
	for _, bad := range []string{"nosuch..HEAD", "HEAD~9..HEAD", "HEAD..nosuch", "--all", "@{nosuch}", "HEAD^{tree}"} {
		t.Run("unknown "+bad, func(t *testing.T) {
			_, stderr, code := w.pg(w.client, "", "scan", "--range", bad)
			if code != exitUsage || !strings.Contains(stderr, "pushguard scan: ") {
				t.Errorf("exit %d, want 2 with a message:\n%s", code, stderr)
			}
		})
	}
}

// TestScanRefNamesTheBranch: branch-scoped rules run for the branch the
// range ends at, or the one --ref names; never silently skipped.
func TestScanRefNamesTheBranch(t *testing.T) {
	w, ids := scanHistory(t)
	rules := filepath.Join(w.home, "main-only.yml")
	if err := os.WriteFile(rules, []byte(`rules:
  - id: docs-on-main
    severity: block
    message: docs change on main
    refs: {include: [refs/heads/main]}
    paths: {include: ["docs/**"]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	w.git(w.client, "branch", "-q", "dev")
	tests := []struct {
		name    string
		args    []string
		want    string // rules that fired besides aws-access-key-id
		ref     string // ref of the docs-on-main finding
		noteFor bool   // stderr names the rules that did not run
	}{
		{"range ends at main", []string{"--range", ids[0] + "..main"}, "docs-on-main", "refs/heads/main", false},
		{"full ref", []string{"--range", ids[0] + "..refs/heads/main"}, "docs-on-main", "refs/heads/main", false},
		{"HEAD is main", []string{"--range", ids[0] + "..HEAD"}, "docs-on-main", "refs/heads/main", false},
		{"remote-tracking end", []string{"--range", ids[0] + "..origin/main"}, "", "", false},
		{"range ends at dev", []string{"--range", ids[0] + "..dev"}, "", "", false},
		{"commit id names no branch", []string{"--range", ids[0] + ".." + ids[2]}, "", "", true},
		{"commit id with --ref main", []string{"--range", ids[0] + ".." + ids[2], "--ref", "main"}, "docs-on-main", "refs/heads/main", false},
		{"dev with --ref refs/heads/main", []string{"--range", ids[0] + "..dev", "--ref", "refs/heads/main"}, "docs-on-main", "refs/heads/main", false},
		{"main with --ref dev", []string{"--range", ids[0] + "..main", "--ref", "dev"}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"scan", "--rules", rules, "--format", "json"}, tt.args...)
			out, stderr, _ := w.pg(w.client, "", args...)
			r := parseScanJSON(t, out)
			want := "aws-access-key-id"
			if tt.name == "remote-tracking end" {
				want = "" // origin/main is c1: nothing new
			}
			if tt.want != "" {
				want += "," + tt.want
			}
			if r.rules() != want {
				t.Errorf("findings %q, want %q\n%s", r.rules(), want, stderr)
			}
			for _, f := range r.Findings {
				if f.Rule == "docs-on-main" && f.Ref != tt.ref {
					t.Errorf("docs-on-main charged to %q, want %q", f.Ref, tt.ref)
				}
			}
			if got := strings.Contains(stderr, "docs-on-main") && strings.Contains(stderr, "--ref"); got != tt.noteFor {
				t.Errorf("note about rules that did not run: %v, want %v\n%s", got, tt.noteFor, stderr)
			}
		})
	}
	if _, stderr, code := w.pg(w.client, "", "scan", "--range", "HEAD", "--ref", "a..b"); code != exitUsage {
		t.Errorf("--ref a..b: exit %d\n%s", code, stderr)
	}
}

// TestScanConfigReproducesServerPolicy: the server configuration's rule
// sources, scopes (mode, rule selection) and suppression settings apply.
func TestScanConfigReproducesServerPolicy(t *testing.T) {
	w, ids := scanHistory(t)
	dir := filepath.Join(w.home, "cfg")
	if err := os.MkdirAll(filepath.Join(dir, "rules.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.d", "docs.yml"), []byte(`rules:
  - {id: docs-added, severity: block, message: docs added, paths: {include: ["docs/**"]}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	audit := write("audit.yml", "rules:\n  - embedded: true\n  - path: rules.d\nmode: audit\n")
	scoped := write("scoped.yml", "rules:\n  - embedded: true\n  - path: rules.d\nscopes:\n  - name: team\n    repos: [team/*]\n    rules: [docs-added]\n  - name: main-no-docs\n    refs: [refs/heads/main]\n    rules: [\"*\", \"!docs-added\"]\n")
	broken := write("broken.yml", "scopes: 3\n")
	rng := ids[0] + "..main"
	tests := []struct {
		name  string
		args  []string
		code  int
		rules string
	}{
		{"no config", nil, 1, "aws-access-key-id"},
		{"audit mode", []string{"--config", audit}, 0, "aws-access-key-id,docs-added"},
		{"scope on main drops a rule", []string{"--config", scoped}, 1, "aws-access-key-id"},
		{"scope by repository", []string{"--config", scoped, "--repo-name", "team/app"}, 1, "docs-added"},
		{"scope by ref", []string{"--config", scoped, "--ref", "dev"}, 1, "aws-access-key-id,docs-added"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"scan", "--range", rng, "--format", "json"}, tt.args...)
			out, stderr, code := w.pg(w.client, "", args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			if r := parseScanJSON(t, out); r.rules() != tt.rules {
				t.Errorf("findings %q, want %q", r.rules(), tt.rules)
			}
		})
	}
	out, _, code := w.pg(w.client, "", "scan", "--range", rng, "--config", audit)
	if code != 0 || !strings.Contains(out, "audit mode") {
		t.Errorf("audit-mode text (exit %d):\n%s", code, out)
	}
	if _, stderr, code := w.pg(w.client, "", "scan", "--range", rng, "--config", broken); code != exitUsage || !strings.Contains(stderr, "broken.yml") {
		t.Errorf("broken config: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := w.pg(w.client, "", "scan", "--range", rng, "--repo-name", "x"); code != exitUsage {
		t.Errorf("--repo-name without --config: exit %d\n%s", code, stderr)
	}
}

// TestScanConfigSuppressionSettings: inline_suppression from the config
// decides whether a directive suppresses, as on the server.
func TestScanConfigSuppressionSettings(t *testing.T) {
	w := newWorld(t)
	base := w.commit("add readme", map[string]string{"README.md": "hi\n"})
	w.commit("add fixture", map[string]string{"t.ini": "key = " + scanAWS + " # pushguard:allow aws-access-key-id -- documented fake key for tests\n"})
	cfg := filepath.Join(w.home, "c.yml")
	tests := []struct {
		name string
		cfg  string
		code int
	}{
		{"secret rules not suppressible by default", "", 1},
		{"config lists the rule", "inline_suppression:\n  enabled: true\n  secret_rules: [aws-access-key-id]\n", 0},
		{"config turns suppression off", "inline_suppression: false\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"scan", "--range", base + "..HEAD"}
			if tt.cfg != "" {
				if err := os.WriteFile(cfg, []byte(tt.cfg), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", cfg)
			}
			out, stderr, code := w.pg(w.client, "", args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, stderr)
			}
		})
	}
}

// scanManyFindings makes a history where one rule fires several times.
func scanManyFindings(t *testing.T) (*world, string) {
	w := newWorld(t)
	base := w.commit("add readme", map[string]string{"README.md": "hi\n"})
	w.commit("keys", map[string]string{
		"a/one.ini":   "k = " + scanAWS + "\n",
		"a/two.ini":   "x = 1\nk = AKIAW4PZQ7NRX2KDLM6T\n",
		"a/three.ini": "k = AKIAV5HJTR3QZNB7XC2M\n",
	})
	for i := 0; i < 3; i++ {
		w.commit("ci "+string(rune('a'+i)), map[string]string{".github/workflows/ci.yml": "on: push # " + string(rune('a'+i)) + "\n"})
	}
	return w, base
}

// TestScanTextGroupedByRule: message and fix once per rule, then the
// locations; a summary table; scan wording, never push wording.
func TestScanTextGroupedByRule(t *testing.T) {
	w, base := scanManyFindings(t)
	out, stderr, code := w.pg(w.client, "", "scan", "--range", base+"..HEAD")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"pushguard scan: 3 blocking findings, 3 warnings in 4 commits",
		"BLOCK  aws-access-key-id: ",
		"  a/one.ini:1:5  AKIA***  (commit ",
		"WARN   ci-definition-change: A CI/CD pipeline definition changes; make sure the change is reviewed.  [3 findings]",
		"  .github/workflows/ci.yml  (changed by 3 commits, first ",
		"Summary",
		"Result: FAILED: 3 blocking findings (exit code 1).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "fix: "); n != 2 {
		t.Errorf("%d fix lines, want one per rule (2):\n%s", n, out)
	}
	for _, bad := range []string{"This push", "push accepted", "push REJECTED", "Nothing from this push"} {
		if strings.Contains(out, bad) {
			t.Errorf("scan text says %q:\n%s", bad, out)
		}
	}
	if !regexpTableRow(out, "aws-access-key-id", "block", "3", "3", "1") || !regexpTableRow(out, "ci-definition-change", "warn", "3", "1", "3") {
		t.Errorf("summary table rows wrong:\n%s", out)
	}
	// --max-locations caps the locations listed per rule.
	out, _, _ = w.pg(w.client, "", "scan", "--range", base+"..HEAD", "--max-locations", "1")
	if !strings.Contains(out, "... and 2 more (--max-locations 0 lists all") {
		t.Errorf("--max-locations 1:\n%s", out)
	}
}

// regexpTableRow reports whether a summary row with these columns exists.
func regexpTableRow(out string, cols ...string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.Join(strings.Fields(l), " ") == strings.Join(cols, " ") {
			return true
		}
	}
	return false
}

// TestScanSeverityAndExitCode: --severity hides and uncounts lower
// findings; --exit-code is the code for blocking findings only.
func TestScanSeverityAndExitCode(t *testing.T) {
	w, base := scanManyFindings(t)
	ciOnly := w.git(w.client, "rev-parse", "HEAD~3") + "..HEAD"
	tests := []struct {
		name        string
		args        []string
		code        int
		block, warn int
	}{
		{"default", []string{"--range", base + "..HEAD"}, 1, 3, 3},
		{"severity block", []string{"--range", base + "..HEAD", "--severity", "block"}, 1, 3, 0},
		{"severity warn", []string{"--range", base + "..HEAD", "--severity", "warn"}, 1, 3, 3},
		{"exit code 7", []string{"--range", base + "..HEAD", "--exit-code", "7"}, 7, 3, 3},
		{"exit code 0", []string{"--range", base + "..HEAD", "--exit-code", "0"}, 0, 3, 3},
		{"warnings only never use the exit code", []string{"--range", ciOnly, "--exit-code", "7"}, 0, 0, 3},
		{"warnings hidden", []string{"--range", ciOnly, "--severity", "block"}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := w.pg(w.client, "", append([]string{"scan", "--format", "json"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			r := parseScanJSON(t, out)
			if r.Counts.Block != tt.block || r.Counts.Warn != tt.warn || len(r.Findings) != tt.block+tt.warn {
				t.Errorf("counts %+v with %d findings, want block %d warn %d", r.Counts, len(r.Findings), tt.block, tt.warn)
			}
		})
	}
	out, _, _ := w.pg(w.client, "", "scan", "--range", base+"..HEAD", "--severity", "block")
	if !strings.Contains(out, "3 findings below the --severity minimum not shown.") || strings.Contains(out, "ci-definition-change") {
		t.Errorf("--severity block text:\n%s", out)
	}
}

// TestScanSARIFValidAndStable: the SARIF log is valid against the OASIS
// 2.1.0 schema, describes the rules, locates results, and its
// fingerprints are the same on a second run.
func TestScanSARIFValidAndStable(t *testing.T) {
	w, base := scanManyFindings(t)
	w.git(w.client, "remote", "set-url", "origin", "https://ci-user:s3cr3t-token@git.example.org/org/app.git")
	schema := sarifschema.Compile(t)
	run := func() string {
		out, stderr, code := w.pg(w.client, "", "scan", "--range", base+"..HEAD", "--format", "sarif")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		sarifschema.Validate(t, schema, []byte(out))
		return out
	}
	out1 := run()
	out2 := run()
	if out1 != out2 {
		t.Error("two scans of the same range give different SARIF")
	}
	if strings.Contains(out1, "s3cr3t-token") || strings.Contains(out1, "ci-user") || strings.Contains(out1, scanAWS) {
		t.Errorf("SARIF leaks a credential or an unredacted key:\n%s", out1)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string `json:"id"`
						Help struct {
							Text string `json:"text"`
						} `json:"help"`
						Properties struct {
							Tags []string `json:"tags"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			VersionControlProvenance []struct {
				RepositoryURI, RevisionID, Branch string
			} `json:"versionControlProvenance"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct{ StartLine, StartColumn int }
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Properties          map[string]any    `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out1), &log); err != nil {
		t.Fatal(err)
	}
	r := log.Runs[0]
	if len(r.Tool.Driver.Rules) < 50 {
		t.Errorf("%d rules described, want the whole default set", len(r.Tool.Driver.Rules))
	}
	for _, rule := range r.Tool.Driver.Rules {
		if rule.Help.Text == "" || len(rule.Properties.Tags) == 0 {
			t.Errorf("rule %s without help or tags", rule.ID)
		}
	}
	if len(r.Results) != 6 {
		t.Fatalf("%d results, want 6", len(r.Results))
	}
	head := w.git(w.client, "rev-parse", "HEAD")
	if vc := r.VersionControlProvenance; len(vc) != 1 || vc[0].RepositoryURI != "https://git.example.org/org/app.git" || vc[0].RevisionID != head || vc[0].Branch != "refs/heads/main" {
		t.Errorf("versionControlProvenance %+v", vc)
	}
	for _, res := range r.Results {
		if res.RuleID == "aws-access-key-id" {
			loc := res.Locations[0].PhysicalLocation
			if !strings.HasPrefix(loc.ArtifactLocation.URI, "a/") || loc.Region.StartLine == 0 || loc.Region.StartColumn != 5 {
				t.Errorf("location %+v", loc)
			}
		}
		if c, _ := res.Properties["commit"].(string); len(c) != 40 {
			t.Errorf("result without its commit: %v", res.Properties)
		}
		if len(res.PartialFingerprints) != 1 {
			t.Errorf("fingerprints %v", res.PartialFingerprints)
		}
	}
}

// junitDoc is the JUnit XML as CI systems read it.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestScanJUnit: one test case per rule, failures for blocking findings,
// warnings listed but passing; parsed with encoding/xml.
func TestScanJUnit(t *testing.T) {
	w, base := scanManyFindings(t)
	out, stderr, code := w.pg(w.client, "", "scan", "--range", base+"..HEAD", "--format", "junit")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("JUnit XML: %v\n%s", err, out)
	}
	if len(doc.Suites) != 1 || doc.Failures != 1 || doc.Suites[0].Failures != 1 || doc.Tests < 50 || doc.Tests != len(doc.Suites[0].Cases) {
		t.Fatalf("tests %d failures %d, suites %+v", doc.Tests, doc.Failures, len(doc.Suites))
	}
	cases := map[string]int{}
	for i, c := range doc.Suites[0].Cases {
		cases[c.Name] = i
	}
	aws := doc.Suites[0].Cases[cases["aws-access-key-id"]]
	if aws.Failure == nil || !strings.HasPrefix(aws.Failure.Message, "3 blocking findings") || strings.Count(aws.Failure.Text, "AKIA***") != 3 || strings.Contains(out, scanAWS) {
		t.Errorf("aws case %+v", aws)
	}
	ci := doc.Suites[0].Cases[cases["ci-definition-change"]]
	if ci.Failure != nil || !strings.Contains(ci.SystemOut, ".github/workflows/ci.yml") || ci.Classname != "pushguard.warn" {
		t.Errorf("ci case %+v", ci)
	}
	// A clean range: every case passes.
	out, _, code = w.pg(w.client, "", "scan", "--range", "HEAD~1..HEAD", "--format", "junit", "--severity", "block")
	doc = junitDoc{}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil || code != 0 || doc.Failures != 0 || doc.Tests == 0 {
		t.Errorf("clean JUnit: exit %d, err %v, %+v", code, err, doc.Failures)
	}
}

// TestScanJSONRefsOnlyWhenAsked: commits list their refs with --show-refs
// only (a full-history scan of many refs listed every ref per commit).
func TestScanJSONRefsOnlyWhenAsked(t *testing.T) {
	w, _ := scanHistory(t)
	for _, b := range []string{"b1", "b2", "b3"} {
		w.git(w.client, "branch", "-q", b)
	}
	out, _, _ := w.pg(w.client, "", "scan", "--all", "--format", "json")
	if strings.Contains(out, `"refs"`) {
		t.Errorf("refs listed without --show-refs:\n%s", out)
	}
	out, _, _ = w.pg(w.client, "", "scan", "--all", "--format", "json", "--show-refs")
	r := parseScanJSON(t, out)
	if len(r.Commits) != 3 || len(r.Commits[0].Refs) < 4 {
		t.Errorf("--show-refs: %+v", r.Commits)
	}
}

// TestScanReportPath: the report in --format goes to the file, the text
// to stdout.
func TestScanReportPath(t *testing.T) {
	w, base := scanManyFindings(t)
	tests := []struct{ format, want string }{
		{"sarif", `"version": "2.1.0"`},
		{"json", `"findings": [`},
		{"junit", "<testsuites"},
		{"text", "Summary"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			p := filepath.Join(w.home, "report."+tt.format)
			out, stderr, code := w.pg(w.client, "", "scan", "--range", base+"..HEAD", "--format", tt.format, "--report-path", p)
			if code != 1 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			data, err := os.ReadFile(p)
			if err != nil || !strings.Contains(string(data), tt.want) {
				t.Errorf("report file (%v):\n%s", err, data)
			}
			if !strings.HasPrefix(out, "pushguard scan: ") {
				t.Errorf("stdout is not the text report:\n%s", out)
			}
		})
	}
	if _, stderr, code := w.pg(w.client, "", "scan", "--range", base+"..HEAD", "--report-path", filepath.Join(w.home, "no", "such", "r.json")); code != exitUsage {
		t.Errorf("report in a missing directory: exit %d\n%s", code, stderr)
	}
	// A report sent to a device (CI's --report-path /dev/stdout is a link
	// to one) is written through it; renaming over it would replace the
	// device (as root, /dev/null itself).
	link := filepath.Join(w.home, "to-devnull")
	if err := os.Symlink(os.DevNull, link); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := w.pg(w.client, "", "scan", "--range", base+"..HEAD", "--format", "json", "--report-path", link); code != 1 {
		t.Errorf("report to a device: exit %d\n%s", code, stderr)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link to %s was replaced by a file: %v %v", os.DevNull, st, err)
	}
}

// TestScanRedact: --redact hides every match in every format; --redact=N
// keeps at most N characters; without it each rule's own redaction holds.
func TestScanRedact(t *testing.T) {
	w := newWorld(t)
	base := w.commit("add readme", map[string]string{"README.md": "hi\n"})
	w.commit("add", map[string]string{"cfg.ini": "key = " + scanAWS + "\nticket = TICKET-12345\n"})
	rules := filepath.Join(w.home, "plain.yml")
	if err := os.WriteFile(rules, []byte("rules:\n  - {id: ticket, severity: warn, message: ticket id, redact: false, content: {regex: 'TICKET-[0-9]+'}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		key, plain string // how the AWS key and the unredacted rule's match appear
	}{
		{"rules' redaction", nil, "AKIA***", "TICKET-12345"},
		{"--redact", []string{"--redact"}, "***", "***"},
		{"--redact=2", []string{"--redact=2"}, "AK***", "TI***"},
		{"--redact=100 never more than half", []string{"--redact=100"}, scanAWS[:10] + "***", "TICKET***"},
	}
	for _, tt := range tests {
		for _, format := range []string{"text", "json", "sarif", "junit"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				args := append([]string{"scan", "--range", base + "..HEAD", "--rules", rules, "--format", format}, tt.args...)
				out, stderr, code := w.pg(w.client, "", args...)
				if code != 1 {
					t.Fatalf("exit %d\n%s", code, stderr)
				}
				if strings.Contains(out, scanAWS) {
					t.Errorf("the key is shown in full:\n%s", out)
				}
				if tt.plain != "TICKET-12345" && strings.Contains(out, "TICKET-12345") {
					t.Errorf("--redact left a match in full:\n%s", out)
				}
				for _, want := range []string{tt.key, tt.plain} {
					if !strings.Contains(out, want) {
						t.Errorf("output lacks %q:\n%s", want, out)
					}
				}
			})
		}
	}
	if _, _, code := w.pg(w.client, "", "scan", "--range", "HEAD", "--redact=x"); code != exitUsage {
		t.Errorf("--redact=x: exit %d", code)
	}
}

// TestScanDirAndStdin: content outside git meets the same rules: file
// rules on the paths, content rules on every line.
func TestScanDirAndStdin(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(w.home, "plain")
	files := map[string]string{
		"etc/app.ini":     "x = 1\nkey = " + scanAWS + "\n",
		"web/.env":        "A=1\n",
		"README.md":       "clean\n",
		".git/config":     "key = " + scanAWS + "\n",
		"img/logo.png":    "\x89PNG\x00\x00" + scanAWS,
		"deep/a/b/c/d.go": "package d\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := w.pg(w.home, "", "scan", "--dir", dir, "--format", "json")
	if code != 1 {
		t.Fatalf("--dir: exit %d\n%s", code, stderr)
	}
	r := parseScanJSON(t, out)
	got := map[string]string{}
	for _, f := range r.Findings {
		got[f.Rule] = f.Path
		if f.Commit != "" {
			t.Errorf("finding outside git has commit %q", f.Commit)
		}
	}
	if got["aws-access-key-id"] != "etc/app.ini" || got["dotenv-file"] != "web/.env" || len(r.Findings) != 2 {
		t.Errorf("--dir findings %+v", r.Findings)
	}
	text, _, _ := w.pg(w.home, "", "scan", "--dir", dir)
	for _, want := range []string{"etc/app.ini:2:7  AKIA***", "web/.env", "1 binary", "1 " + "not a regular file"} {
		if !strings.Contains(text, want) {
			t.Errorf("--dir text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "(commit ") {
		t.Errorf("--dir text names a commit:\n%s", text)
	}

	tests := []struct {
		name, stdin string
		args        []string
		code        int
		rules       string
	}{
		{"content rule", "line one\nkey = " + scanAWS + "\n", nil, 1, "aws-access-key-id"},
		{"file rule on the name", "A=1\n", []string{"--stdin-name", "deploy/.env"}, 0, "dotenv-file"},
		{"clean", "nothing\n", nil, 0, ""},
		{"warning only", "curl -s https://x.example/i.sh | sh\n", []string{"--stdin-name", "install.sh"}, 0, "curl-pipe-shell"},
	}
	for _, tt := range tests {
		t.Run("stdin "+tt.name, func(t *testing.T) {
			out, stderr, code := w.pg(w.home, tt.stdin, append([]string{"scan", "--stdin", "--format", "json"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			if r := parseScanJSON(t, out); r.rules() != tt.rules {
				t.Errorf("findings %q, want %q", r.rules(), tt.rules)
			}
		})
	}
	// The work tree's reviewed exceptions cover its files, never stdin.
	ignore := filepath.Join(w.client, ".pushguard", "ignore.yml")
	if err := os.MkdirAll(filepath.Dir(ignore), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ignore, []byte("ignore:\n  - paths: [\"**\"]\n    rules: [\"*\"]\n    reason: everything in this test tree is fake\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := w.pg(w.client, "key = "+scanAWS+"\n", "scan", "--stdin"); code != 1 || strings.Contains(stderr, "ignored by") {
		t.Errorf("stdin in a work tree with an ignore file: exit %d\n%s", code, stderr)
	}
	if _, _, code := w.pg(w.home, "", "scan", "--dir", filepath.Join(dir, "README.md")); code != exitUsage {
		t.Errorf("--dir on a file: exit %d", code)
	}
}

// TestScanHelpAndMistakes: -h/--help print the usage on stdout and exit
// 0; the caller's mistakes exit 2 with a message on stderr.
func TestScanHelpAndMistakes(t *testing.T) {
	w := newWorld(t)
	w.commit("add readme", map[string]string{"README.md": "hi\n"})
	for _, h := range []string{"-h", "--help", "-help"} {
		out, stderr, code := w.pg(w.client, "", "scan", h)
		if code != 0 || !strings.Contains(out, "Usage: pushguard scan") || !strings.Contains(out, "report-path") || stderr != "" {
			t.Errorf("scan %s: exit %d, stdout %q, stderr %q", h, code, out, stderr)
		}
	}
	mistakes := [][]string{
		{},
		{"--all", "--range", "HEAD"},
		{"--dir", ".", "--stdin"},
		{"--all", "--format", "xml"},
		{"--all", "--severity", "high"},
		{"--all", "--exit-code", "300"},
		{"--all", "--no-such-flag"},
		{"--all", "extra"},
		{"--all", "--ref", "main"},
		{"--range", "nosuch"},
		{"--dir", "/no/such/dir"},
		{"--all", "--max-locations", "-1"},
	}
	for _, m := range mistakes {
		_, stderr, code := w.pg(w.client, "", append([]string{"scan"}, m...)...)
		if code != exitUsage || stderr == "" {
			t.Errorf("scan %v: exit %d, stderr %q; want 2 with a message", m, code, stderr)
		}
	}
}

// TestScanGinHistoryReadable: a full-history text scan of a real
// 2,000-commit repository stays readable (run with the bench bundle
// present; skipped in -short).
func TestScanGinHistoryReadable(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 2,000 commits")
	}
	bundle, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "bench", "gin.bundle"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bundle); err != nil {
		t.Skip("no gin bundle beside the repository")
	}
	w := newWorld(t)
	repo := filepath.Join(w.home, "gin.git")
	w.git(w.home, "clone", "-q", "--bare", bundle, repo)
	out, stderr, code := w.pg(repo, "", "scan", "--all")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Count(out, "\n")
	if lines > 300 {
		t.Errorf("%d lines, want at most 300:\n%s", lines, out)
	}
	if strings.Count(out, "fix: ") != strings.Count(out, "\nBLOCK  ")+strings.Count(out, "\nWARN   ")+strings.Count(out, "\nINFO   ") {
		t.Errorf("a rule's fix is repeated:\n%s", out)
	}
	js, _, _ := w.pg(repo, "", "scan", "--all", "--format", "json")
	if len(js) > 2<<20 { // 1.3 MB measured (4.2 MB when every commit listed every ref)
		t.Errorf("JSON is %d bytes without --show-refs", len(js))
	}
}
