// Package profiling is the hidden --cpuprofile, --memprofile and --trace
// flags of `pushguard scan`, for `go tool pprof` (see scripts/bench.sh) and
// `go tool trace` (which goroutine waits on which, in a pipelined scan).
package profiling

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// Flags are the profiling flags.
type Flags struct {
	cpu, mem, trace *string
}

// Register registers the profiling flags on fs.
func Register(fs *flag.FlagSet) Flags {
	return Flags{
		cpu:   fs.String("cpuprofile", "", "write a CPU profile to this file (for go tool pprof)"),
		mem:   fs.String("memprofile", "", "write a heap profile to this file when done"),
		trace: fs.String("trace", "", "write an execution trace to this file (for go tool trace)"),
	}
}

// Start begins CPU profiling and tracing if asked. The returned stop
// function ends them and writes the heap profile; it is never nil.
func (p Flags) Start() (stop func() error, err error) {
	var cpu, tr *os.File
	if p.trace != nil && *p.trace != "" {
		if tr, err = os.Create(*p.trace); err != nil {
			return func() error { return nil }, fmt.Errorf("trace: %w", err)
		}
		if err := trace.Start(tr); err != nil {
			tr.Close()
			return func() error { return nil }, fmt.Errorf("trace: %w", err)
		}
	}
	if p.cpu != nil && *p.cpu != "" {
		if cpu, err = os.Create(*p.cpu); err == nil {
			if err = pprof.StartCPUProfile(cpu); err != nil {
				cpu.Close()
			}
		}
		if err != nil {
			if tr != nil {
				trace.Stop()
				tr.Close()
			}
			return func() error { return nil }, fmt.Errorf("cpu profile: %w", err)
		}
	}
	return func() error {
		var errs []error
		if tr != nil {
			trace.Stop()
			errs = append(errs, tr.Close())
		}
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
