package install

import (
	"io"
	"testing"
)

func TestTargets(t *testing.T) {
	tests := []struct {
		name  string
		t     Targets
		count int
		usage bool // Install fails with a caller's mistake
	}{
		{"none", Targets{}, 0, true},
		{"plain and gitlab", Targets{Plain: "a", GitLab: "b"}, 2, false},
		{"client", Targets{Client: true}, 1, false},
		{"ghes without base", Targets{GHES: "out.tar.gz"}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := tt.t.Count(); n != tt.count {
				t.Errorf("Count = %d, want %d", n, tt.count)
			}
			if tt.count == 1 && !tt.usage {
				return
			}
			if !tt.usage {
				return
			}
			in := &Installer{Bin: "/bin/true", Out: io.Discard, Warn: io.Discard}
			if err := in.Install(tt.t); !IsUsageError(err) {
				t.Errorf("Install = %v, want a usage error", err)
			}
		})
	}
}
