package scanrun

import (
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
)

func parseFlags(t *testing.T, args ...string) (*Flags, error) {
	t.Helper()
	f := &Flags{}
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.Register(fs)
	return f, fs.Parse(args)
}

func TestRedact(t *testing.T) {
	tests := []struct {
		args    []string
		want    int
		str     string
		wantErr bool
	}{
		{nil, report.KeepRuleRedaction, "", false},
		{[]string{"--redact"}, 0, "0", false},
		{[]string{"--redact=4"}, 4, "4", false},
		{[]string{"--redact=4", "--redact=false"}, report.KeepRuleRedaction, "", false},
		{[]string{"--redact=-1"}, 0, "", true},
		{[]string{"--redact=x"}, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f, err := parseFlags(t, tt.args...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parse: err %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if got := f.redact.Value(); got != tt.want {
				t.Errorf("Value() = %d, want %d", got, tt.want)
			}
			if got := f.redact.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
		})
	}
	if !(&Redact{}).IsBoolFlag() {
		t.Error("IsBoolFlag() = false")
	}
}

func TestFlagsCheck(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "report.json")
	tests := []struct {
		name string
		args []string
		want string // "" for no error
	}{
		{"range", []string{"--range", "HEAD"}, ""},
		{"all", []string{"--all"}, ""},
		{"dir with ref", []string{"--dir", ".", "--ref", "main"}, ""},
		{"none", nil, "give exactly one of --range REV, --all, --dir PATH or --stdin"},
		{"two", []string{"--all", "--stdin"}, "give exactly one of --range REV, --all, --dir PATH or --stdin"},
		{"argument", []string{"--all", "x\x1b"}, `unexpected argument "x\\x1b" (flags come before nothing else; see pushguard scan -h)`},
		{"format", []string{"--all", "--format", "xml"}, `unknown --format "xml" (text, json, sarif, junit, agent-trace)`},
		{"exit code", []string{"--all", "--exit-code", "256"}, "--exit-code 256: want 0 to 255"},
		{"max locations", []string{"--all", "--max-locations", "-1"}, "--max-locations -1: want 0 (all) or more"},
		{"all with ref", []string{"--all", "--ref", "main"}, "--ref applies to --range, --dir and --stdin; --all scans every ref under its own name"},
		{"pusher without config", []string{"--all", "--pusher", "bob"}, "--repo-name and --pusher select the scopes of a --config"},
		{"stdin name", []string{"--stdin", "--stdin-name", ""}, "--stdin-name must name a path"},
		{"baseline out dir", []string{"--dir", ".", "--baseline-out", "b.json"}, "--baseline-out records commits: use it with --range or --all"},
		{"severity", []string{"--all", "--severity", "high"}, `unknown --severity "high" (info, warn, block)`},
		{"report path", []string{"--all", "--report-path", missing}, "--report-path " + missing + ": its directory does not exist"},
		{"bad ref", []string{"--range", "HEAD", "--ref", "a..b"}, `--ref "refs/heads/a..b" is not a valid ref name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseFlags(t, tt.args...)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			err = f.Check()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Check() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFlagsOptions(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, o Options)
	}{
		{"defaults", []string{"--all"}, func(t *testing.T, o Options) {
			if o.Repo != "." || !o.All || o.Format != "text" || o.MinSeverity != ruleset.SeverityInfo ||
				o.ExitCode != DefaultExitCode || o.MaxLocations != report.DefaultMaxLocations ||
				o.MaxFileSize != scan.DefaultMaxFileSize || o.MaxFileSizeSet || o.StdinName != "stdin" ||
				o.Redact != report.KeepRuleRedaction || len(o.RulePaths) != 0 {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{"values", []string{"--range", "A..B", "--severity", "block", "--max-file-size", "10", "--rules", "a", "--rules", "b",
			"--redact=2", "--format", "json", "--show-refs", "--exit-code", "7", "--ref", "main", "--no-default-rules",
			"--config", "c.yml", "--repo-name", "g/r", "--pusher", "p", "--baseline", "in", "--baseline-out", "out",
			"--default-branch", "trunk", "--report-path", "r.json", "--repo", "/x"}, func(t *testing.T, o Options) {
			if o.Range != "A..B" || o.MinSeverity != ruleset.SeverityBlock || o.MaxFileSize != 10 || !o.MaxFileSizeSet ||
				strings.Join(o.RulePaths, ",") != "a,b" || o.Redact != 2 || o.Format != "json" || !o.ShowRefs ||
				o.ExitCode != 7 || o.Ref != "main" || !o.NoDefaultRules || o.ConfigPath != "c.yml" || o.RepoName != "g/r" ||
				o.Pusher != "p" || o.BaselineIn != "in" || o.BaselineOut != "out" || o.DefaultBranch != "trunk" ||
				o.ReportPath != "r.json" || o.Repo != "/x" {
				t.Errorf("values: %+v", o)
			}
		}},
		{"max file size at its default still counts as set", []string{"--all", "--max-file-size", "0"}, func(t *testing.T, o Options) {
			if o.MaxFileSize != 0 || !o.MaxFileSizeSet {
				t.Errorf("MaxFileSize %d set %v", o.MaxFileSize, o.MaxFileSizeSet)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseFlags(t, tt.args...)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if err := f.Check(); err != nil {
				t.Fatalf("Check: %v", err)
			}
			tt.check(t, f.Options())
		})
	}
}

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in      string
		want    ruleset.Severity
		wantErr string
	}{
		{"info", ruleset.SeverityInfo, ""},
		{"warn", ruleset.SeverityWarn, ""},
		{"block", ruleset.SeverityBlock, ""},
		{"BLOCK", "", `unknown --severity "BLOCK" (info, warn, block)`},
		{"", "", `unknown --severity "" (info, warn, block)`},
	}
	for _, tt := range tests {
		got, err := ParseSeverity(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("ParseSeverity(%q) = %q, %q; want %q, %q", tt.in, got, gotErr, tt.want, tt.wantErr)
		}
	}
}

func TestValidRefName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"refs/heads/main", true},
		{"refs/heads/feature/x-1", true},
		{"refs/heads/", false},
		{"refs/heads/a..b", false},
		{"refs/heads/a@{1}", false},
		{"refs/heads/a//b", false},
		{"refs/heads/a/", false},
		{"refs/heads/a.lock", false},
		{"refs/heads/a.", false},
		{"refs/heads/a b", false},
		{"refs/heads/a~1", false},
		{"refs/heads/a^", false},
		{"refs/heads/a:b", false},
		{"refs/heads/a?", false},
		{"refs/heads/a*", false},
		{"refs/heads/a[", false},
		{"refs/heads/a\\b", false},
		{"refs/heads/a\x7f", false},
		{"refs/heads/a\tb", false},
	}
	for _, tt := range tests {
		err := ValidRefName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidRefName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
