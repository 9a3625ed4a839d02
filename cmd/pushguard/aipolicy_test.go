package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRulesChecksAIToolIDs(t *testing.T) {
	tests := []struct {
		tools, wantErr string
	}{
		{"[claude-code, cursor]", ""},
		{"[declared]", ""},
		{"[claude]", `rule "x": ai.tools: unknown AI tool id "claude"`},
		{"[cursor, my-agent]", `unknown AI tool id "my-agent"`},
	}
	for _, tt := range tests {
		p := filepath.Join(t.TempDir(), "r.yml")
		src := "rules:\n  - {id: x, severity: warn, message: m, ai: {tools: " + tt.tools + "}}\n"
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := loadRules([]string{p}, true)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("tools %s: %v", tt.tools, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), p+":2:")):
			t.Errorf("tools %s: error %v; want %s at %s:2", tt.tools, err, tt.wantErr, p)
		}
	}
	// A tool an admin's file adds is known to the rules of that file.
	p := filepath.Join(t.TempDir(), "r.yml")
	src := "ai_tools:\n  - {id: my-agent, emails: ['^agent@example\\.com$']}\nrules:\n  - {id: x, severity: warn, message: m, ai: {tools: [my-agent]}}\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadRules([]string{p}, true); err != nil {
		t.Errorf("admin-defined tool: %v", err)
	}
}
