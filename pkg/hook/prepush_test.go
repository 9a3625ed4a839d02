package hook

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestReadPrePushLines: git's pre-push input is parsed strictly; a line
// the hook cannot read stops the push.
func TestReadPrePushLines(t *testing.T) {
	a, b := strings.Repeat("a", 40), strings.Repeat("0", 40)
	for _, tc := range []struct {
		name, in string
		want     int
		errSub   string
	}{
		{"empty", "", 0, ""},
		{"one", "refs/heads/x " + a + " refs/heads/x " + b + "\n", 1, ""},
		{"blank lines skipped", "\n  \nrefs/heads/x " + a + " refs/heads/x " + b + "\n\n", 1, ""},
		{"three fields", "refs/heads/x " + a + " refs/heads/x\n", 0, "stdin line 1: want"},
		{"short sha", "refs/heads/x abc refs/heads/x " + b + "\n", 0, "stdin line 1"},
		{"upper-case sha", "refs/heads/x " + strings.ToUpper(a) + " refs/heads/x " + b + "\n", 0, "stdin line 1"},
		{"remote ref not a ref", "refs/heads/x " + a + " main " + b + "\n", 0, "stdin line 1"},
		{"sha-256", "refs/heads/x " + strings.Repeat("a", 64) + " refs/heads/x " + strings.Repeat("0", 64) + "\n", 0, "SHA-256"},
		{"control chars cleaned", "\x1b[31mred\n", 0, "stdin line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readPrePushLines(strings.NewReader(tc.in))
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("err = %v, want one containing %q", err, tc.errSub)
				}
				if strings.ContainsRune(err.Error(), 0x1b) {
					t.Errorf("escape character in error %q", err)
				}
				return
			}
			if err != nil || len(got) != tc.want {
				t.Fatalf("got %d lines, %v; want %d", len(got), err, tc.want)
			}
		})
	}
}

// TestReportClient: how a client hook's end is shown and which exit code
// it maps to.
func TestReportClient(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		wantCode int
		wantOut  string
	}{
		{"nothing to check", nil, ExitOK, ""},
		{"usage", clientFail(ExitUsage, errors.New("bad \x1b[2Jinput")), ExitUsage, `pushguard pre-push: bad \x1b[2Jinput` + "\n"},
		{"internal", clientFail(ExitInternal, errors.New("broken")), ExitInternal, "pushguard pre-push: broken\n"},
		{"plain error is internal", errors.New("odd"), ExitInternal, "pushguard pre-push: odd\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w bytes.Buffer
			if code := ReportClient(&w, "pre-push", nil, tc.err); code != tc.wantCode || w.String() != tc.wantOut {
				t.Errorf("ReportClient = %d, %q; want %d, %q", code, w.String(), tc.wantCode, tc.wantOut)
			}
		})
	}
}
