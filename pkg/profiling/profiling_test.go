package profiling

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func TestStartWritesProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem, tr := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof"), filepath.Join(dir, "trace.out")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"none", nil, nil},
		{"both", []string{"-cpuprofile", cpu, "-memprofile", mem}, []string{cpu, mem}},
		{"all three", []string{"-cpuprofile", cpu, "-memprofile", mem, "-trace", tr}, []string{cpu, mem, tr}},
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
	// A trace started before a CPU profile that fails is stopped: a
	// second trace can start.
	fs = flag.NewFlagSet("x", flag.ContinueOnError)
	p = Register(fs)
	_ = fs.Parse([]string{"-trace", filepath.Join(dir, "t1.out"), "-cpuprofile", filepath.Join(dir, "missing", "cpu.prof")})
	if _, err := p.Start(); err == nil {
		t.Error("a CPU profile in a missing directory did not fail")
	}
	fs = flag.NewFlagSet("x", flag.ContinueOnError)
	p = Register(fs)
	_ = fs.Parse([]string{"-trace", filepath.Join(dir, "t2.out")})
	stop, err := p.Start()
	if err != nil {
		t.Fatalf("a trace after a failed start: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
