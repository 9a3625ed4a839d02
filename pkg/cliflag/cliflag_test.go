package cliflag

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name          string
		args          []string
		code          int
		ok            bool
		stdout, stder string
	}{
		{"no flags", nil, ExitOK, true, "", ""},
		{"a flag", []string{"-n", "3"}, ExitOK, true, "", ""},
		{"-h", []string{"-h"}, ExitOK, false, "usage: demo", ""},
		{"--help", []string{"--help"}, ExitOK, false, "Flags:", ""},
		{"unknown flag", []string{"--nope"}, ExitUsage, false, "", "usage: demo"},
		{"bad value", []string{"-n", "x"}, ExitUsage, false, "", "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("demo", flag.ContinueOnError)
			fs.Int("n", 0, "a number")
			var out, errOut bytes.Buffer
			code, ok := Parse(fs, "usage: demo\n", tt.args, &out, &errOut)
			if code != tt.code || ok != tt.ok || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errOut.String(), tt.stder) {
				t.Errorf("code %d ok %v out %q err %q", code, ok, out.String(), errOut.String())
			}
			if tt.stdout == "" && out.Len() > 0 {
				t.Errorf("stdout written: %q", out.String())
			}
		})
	}
	var errOut bytes.Buffer
	if code := UsageError(&errOut, flag.NewFlagSet("x", flag.ContinueOnError), "usage: x\n", "bad %s", "thing"); code != ExitUsage || !strings.HasPrefix(errOut.String(), "bad thing\n\nusage: x") {
		t.Errorf("UsageError: %d %q", code, errOut.String())
	}
	for s, want := range map[string]bool{"-h": true, "-help": true, "--help": true, "help": false, "-x": false} {
		if IsHelp(s) != want {
			t.Errorf("IsHelp(%q) = %v", s, !want)
		}
	}
}
