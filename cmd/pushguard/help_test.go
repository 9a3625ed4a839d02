package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCLI runs the command line in process with an empty environment.
func runCLI(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(append([]string{"pushguard"}, args...), strings.NewReader(stdin), &out, &errOut, func(string) string { return "" })
	return code, out.String(), errOut.String()
}

// TestHelpEverywhere: -h, -help and --help print the command's usage on
// stdout and exit 0, for every command and subcommand, before any work (a
// hook given --help reads no stdin and checks nothing).
func TestHelpEverywhere(t *testing.T) {
	commands := [][]string{
		{}, // pushguard --help
		{"help"},
		{"pre-receive"},
		{"post-receive"},
		{"scan"},
		{"rules"},
		{"rules", "validate"},
		{"rules", "test"},
		{"install"},
		{"stats"},
		{"config"},
		{"config", "validate"},
		{"pre-commit"},
		{"pre-push"},
		{"version"},
	}
	for _, cmd := range commands {
		for _, h := range []string{"-h", "-help", "--help"} {
			args := append(append([]string(nil), cmd...), h)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, errOut := runCLI("ref lines are not read", args...)
				if code != exitOK {
					t.Errorf("exit %d, want 0; stderr:\n%s", code, errOut)
				}
				if !strings.Contains(strings.ToLower(out), "usage") {
					t.Errorf("stdout has no usage:\n%s", out)
				}
				if errOut != "" {
					t.Errorf("stderr not empty:\n%s", errOut)
				}
				if strings.HasPrefix(out, "pushguard dev") {
					t.Errorf("printed the version, not help:\n%s", out)
				}
			})
		}
	}
	// "pushguard help CMD" is CMD's own help.
	code, out, _ := runCLI("", "help", "stats")
	if code != exitOK || !strings.Contains(out, "--audit-log") {
		t.Errorf("help stats: exit %d:\n%s", code, out)
	}
}

// TestUsageMistakes: a caller's mistake (unknown flag or subcommand,
// missing or extra argument) exits 2 with a message on stderr, never 0 or
// 3, and never leaves stdout with a half answer.
func TestUsageMistakes(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // on stderr
	}{
		{[]string{}, "Usage"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"pre-receive", "--nope"}, "-nope"},
		{[]string{"pre-receive", "extra"}, "unexpected argument"},
		{[]string{"post-receive", "--nope"}, "-nope"},
		{[]string{"scan", "--nope"}, "-nope"},
		{[]string{"rules"}, "usage"},
		{[]string{"rules", "frob"}, "usage"},
		{[]string{"rules", "validate", "--nope"}, "-nope"},
		{[]string{"install"}, "usage"},
		{[]string{"install", "--plain", "a.git", "--client"}, "usage"},
		{[]string{"install", "--plain", "/nonexistent/x.git"}, "not a git repository"},
		{[]string{"stats"}, "--audit-log"},
		{[]string{"stats", "--audit-log", "x", "extra"}, "unexpected argument"},
		{[]string{"config"}, "usage"},
		{[]string{"config", "validate"}, "exactly one"},
		{[]string{"config", "validate", "a.yml", "b.yml"}, "exactly one"},
		{[]string{"config", "validate", "/nonexistent/config.yml"}, "no such file"},
		{[]string{"pre-commit", "--nope"}, "-nope"},
		{[]string{"pre-push", "--nope"}, "-nope"},
		{[]string{"pre-push", "origin", "url", "extra"}, "unexpected argument"},
		{[]string{"version", "extra"}, "unexpected argument"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI("", tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, exitUsage, out, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut)
			}
			if strings.HasPrefix(out, "ok") {
				t.Errorf("stdout claims success:\n%s", out)
			}
		})
	}
}
