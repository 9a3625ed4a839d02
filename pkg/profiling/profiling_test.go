package profiling

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func TestStartWritesProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"none", nil, nil},
		{"both", []string{"-cpuprofile", cpu, "-memprofile", mem}, []string{cpu, mem}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			p := Register(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			stop, err := p.Start()
			if err != nil {
				t.Fatal(err)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.want {
				if st, err := os.Stat(f); err != nil || st.Size() == 0 {
					t.Errorf("%s not written: %v", f, err)
				}
			}
		})
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	p := Register(fs)
	_ = fs.Parse([]string{"-cpuprofile", filepath.Join(dir, "missing", "cpu.prof")})
	if _, err := p.Start(); err == nil {
		t.Error("a CPU profile in a missing directory did not fail")
	}
}
