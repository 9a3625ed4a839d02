package report

import (
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AKIAQYLPMN5HHHFPZAM2", "AKIA***"},
		{"short", "s***"},
		{"abc", "***"},
		{"", "***"},
		{"ghp_R8x2TqLm4VbN7cZp1WsY9dKf3HjQ6gAe5uXo", "ghp_***"},
		{"ééééééééé", "éé***"},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
