package dashboard

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStatsRun: Stats reads the logs (files and stdin), renders the
// chosen format to stdout or atomically to a file, reports malformed
// lines as a warning and classifies its errors.
func TestStatsRun(t *testing.T) {
	all, err := os.ReadFile(filepath.Join("..", "audit", "testdata", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// The first five lines are well-formed (the file has malformed ones
	// further down on purpose).
	lines := strings.SplitAfter(string(all), "\n")
	data := []byte(strings.Join(lines[:5], ""))
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(log, data, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, append(append([]byte(nil), data...), "{not json\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		in        StatsInput
		toFile    bool
		want      string // in the output
		warning   string // in the warning
		usage     bool   // error: usage (else internal) when errSub set
		errSub    string
		noStdout  bool
		stdinData []byte
	}{
		{name: "text", in: StatsInput{Logs: []string{log}, Format: "text"}, want: "platform/api"},
		{name: "json", in: StatsInput{Logs: []string{log}, Format: "json"}, want: `"pushes"`},
		{name: "html to file", in: StatsInput{Logs: []string{log}, Format: "html"}, toFile: true, want: "<!DOCTYPE html>", noStdout: true},
		{name: "stdin", in: StatsInput{Logs: []string{"-"}, Format: "text"}, stdinData: data, want: "platform/api"},
		{name: "malformed line", in: StatsInput{Logs: []string{bad}, Format: "text"}, warning: "bad.jsonl"},
		{name: "unknown format", in: StatsInput{Logs: []string{log}, Format: "xml"}, errSub: "unknown --format", usage: true},
		{name: "missing log", in: StatsInput{Logs: []string{filepath.Join(dir, "none.jsonl")}, Format: "text"}, errSub: "none.jsonl", usage: true},
		{name: "stdin twice", in: StatsInput{Logs: []string{"-", "-"}, Format: "text"}, errSub: "given twice", usage: true},
		{name: "out dir missing", in: StatsInput{Logs: []string{log}, Format: "text", Out: filepath.Join(dir, "no", "such", "out.txt")}, errSub: "write ", usage: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			in := tc.in
			in.Stdout, in.Now, in.Top = &stdout, now, -1
			in.Stdin = bytes.NewReader(tc.stdinData)
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".out")
			if tc.toFile {
				in.Out = out
			}
			warning, err := Stats(in)
			if tc.errSub != "" {
				var se *StatsError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.errSub) || se.Usage != tc.usage {
					t.Fatalf("err = %v (%T), want a StatsError{Usage: %v} containing %q", err, err, tc.usage, tc.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(warning, tc.warning) || (tc.warning == "") != (warning == "") {
				t.Errorf("warning = %q, want one containing %q", warning, tc.warning)
			}
			got := stdout.String()
			if tc.toFile {
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
				if st, _ := os.Stat(out); st.Mode().Perm() != 0o644 {
					t.Errorf("mode %v, want 0644", st.Mode().Perm())
				}
				if left, _ := filepath.Glob(filepath.Join(dir, "."+filepath.Base(out)+".*")); len(left) > 0 {
					t.Errorf("temporary files left: %v", left)
				}
			}
			if tc.noStdout && stdout.Len() > 0 {
				t.Errorf("stdout written with --out: %q", stdout.String())
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("output lacks %q:\n%.400s", tc.want, got)
			}
		})
	}
}
