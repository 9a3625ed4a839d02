package policy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yml", "rules:\n  - id: demo\n    severity: warn\n    message: m\n    content: {regex: 'demo_[0-9]+', keywords: [demo_]}\n    tests:\n      match: ['x = demo_12']\n      nomatch: ['x = demo']\n")
	failing := write("failing.yml", "rules:\n  - id: demo\n    severity: warn\n    message: m\n    content: {regex: 'demo_[0-9]+', keywords: [demo_]}\n    tests:\n      match: ['x = demo']\n")
	broken := write("broken.yml", "rules:\n  - id: demo\n    severity: loud\n")
	tests := []struct {
		name    string
		test    bool
		paths   []string
		code    int
		out     string
		errText string
	}{
		{"validate a file", false, []string{good}, 0, "ok: 1 rules", ""},
		{"test a file", true, []string{good}, 0, "all 2 tests pass", ""},
		{"failing example", true, []string{failing}, 1, "should match but did not", ""},
		{"invalid file", false, []string{broken}, 2, "", "broken.yml:3"},
		{"missing path", false, []string{filepath.Join(dir, "nope")}, 2, "", "nope"},
		{"embedded defaults", false, nil, 0, "ok: ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Check(context.Background(), tt.test, tt.paths, false, &out, &errOut)
			if code != tt.code || !strings.Contains(out.String(), tt.out) || !strings.Contains(errOut.String(), tt.errText) {
				t.Errorf("code %d, out %q, err %q; want %d, %q, %q", code, out.String(), errOut.String(), tt.code, tt.out, tt.errText)
			}
		})
	}
}
