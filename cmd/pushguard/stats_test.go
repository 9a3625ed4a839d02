package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// auditTestdata is the audit log and golden summaries of pkg/audit: the
// command must print exactly what the package computes.
var auditTestdata = filepath.Join("..", "..", "pkg", "audit", "testdata")

func TestStatsCommand(t *testing.T) {
	log := filepath.Join(auditTestdata, "audit.jsonl")
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"text", []string{"--audit-log", log, "--since", "2026-01-01"}, "stats.txt"},
		{"json", []string{"--audit-log", log, "--since", "2026-01-01T00:00:00Z", "--format", "json"}, "stats.json"},
		{"relative since", []string{"--audit-log", log, "--since", "9d"}, "stats.txt"}, // now = 2026-01-10
		{"all, top 2", []string{"--audit-log", log, "--top", "2"}, "stats-all.txt"},
	}
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb strings.Builder
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
			if code := a.statsAt(tc.args, now); code != exitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			want, err := os.ReadFile(filepath.Join(auditTestdata, tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if want := "audit.jsonl: 5 malformed line(s) skipped: lines 6, 11, 12, 13, 17; 1 event(s) recovered from them\n"; !strings.HasSuffix(errb.String(), want) {
				t.Errorf("stderr %q does not report the malformed lines (%q)", errb.String(), want)
			}
		})
	}
}

func TestStatsCommandStdinAndErrors(t *testing.T) {
	line := `{"time":"2026-01-02T00:00:00Z","repo":"a/b","decision":"rejected","mode":"enforce","findings":[{"rule":"r","severity":"block","count":1}]}` + "\n"
	var out, errb strings.Builder
	code := run([]string{"pushguard", "stats", "--audit-log", "-", "--format", "json", "--top", "0"}, strings.NewReader(line), &out, &errb, os.Getenv)
	if code != exitOK || !strings.Contains(out.String(), `"rejected": 1`) || !strings.Contains(out.String(), `"top_rules": []`) || errb.Len() != 0 {
		t.Errorf("stdin: exit %d\n%s%s", code, out.String(), errb.String())
	}
	for _, args := range [][]string{
		{},
		{"--audit-log"},
		{"--audit-log", "x", "extra"},
		{"--audit-log", filepath.Join(t.TempDir(), "missing.jsonl")},
		{"--audit-log", "-", "--format", "sarif"},
		{"--audit-log", "-", "--since", "last week"},
	} {
		code, _, errOut := runPG(t, append([]string{"stats"}, args...)...)
		if code != exitUsage || errOut == "" {
			t.Errorf("stats %q: exit %d, stderr %q; want usage error", args, code, errOut)
		}
	}
}
