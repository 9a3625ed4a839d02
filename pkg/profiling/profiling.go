// Package profiling is the hidden --cpuprofile and --memprofile flags of
// `pushguard scan`, for `go tool pprof` (see scripts/bench.sh).
package profiling

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// Flags are the profiling flags.
type Flags struct {
	cpu, mem *string
}

// Register registers the profiling flags on fs.
func Register(fs *flag.FlagSet) Flags {
	return Flags{
		cpu: fs.String("cpuprofile", "", "write a CPU profile to this file (for go tool pprof)"),
		mem: fs.String("memprofile", "", "write a heap profile to this file when done"),
	}
}

// Start begins CPU profiling if asked. The returned stop function ends it
// and writes the heap profile; it is never nil.
func (p Flags) Start() (stop func() error, err error) {
	var cpu *os.File
	if p.cpu != nil && *p.cpu != "" {
		if cpu, err = os.Create(*p.cpu); err != nil {
			return func() error { return nil }, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return func() error { return nil }, fmt.Errorf("cpu profile: %w", err)
		}
	}
	return func() error {
		var errs []error
		if cpu != nil {
			pprof.StopCPUProfile()
			errs = append(errs, cpu.Close())
		}
		if p.mem != nil && *p.mem != "" {
			errs = append(errs, writeHeap(*p.mem))
		}
		return errors.Join(errs...)
	}, nil
}

func writeHeap(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}
