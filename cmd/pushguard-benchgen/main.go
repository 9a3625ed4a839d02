// Command pushguard-benchgen builds the deterministic benchmark
// repositories of scripts/bench.sh and measures pushguard against git.
//
//	pushguard-benchgen gen --out DIR [--commits N] [--refs N] [--seed S] [--large]
//	pushguard-benchgen rss [--append FILE] -- CMD [ARGS...]
//	pushguard-benchgen bench --pushguard BIN [--dir DIR] [--repo PATH] [--pushes N] [--runs N]
//
// gen feeds a generated history to `git fast-import` (same options, same
// commit ids). rss runs a command and reports its wall time and peak RSS
// (wait4 rusage, as GNU time does; used as the hook wrapper so that the
// hook process is measured exactly as git runs it). bench runs every
// measurement and prints one Markdown table. Nothing here asserts on time.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pushguard/pushguard/internal/benchrepo"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage:
  pushguard-benchgen gen --out DIR [--commits N] [--refs N] [--seed S] [--large]
  pushguard-benchgen rss [--append FILE] -- CMD [ARGS...]
  pushguard-benchgen bench --pushguard BIN [--dir DIR] [--repo PATH] [--pushes N] [--runs N]
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "gen":
		err = genCmd(args[1:], stdout, stderr)
	case "rss":
		return rssCmd(args[1:], stdin, stdout, stderr)
	case "bench":
		err = benchCmd(args[1:], stdout, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "pushguard-benchgen %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func genCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "bare repository to create (must not exist)")
	o := benchrepo.Options{}
	fs.IntVar(&o.Commits, "commits", 2000, "commits to generate")
	fs.IntVar(&o.Refs, "refs", 0, "extra branches to create")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed")
	fs.BoolVar(&o.Large, "large", false, "add a few 1-7 MB files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	st, err := benchrepo.Create(*out, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d commits (%d merges), %d renames, %d binaries, %d large files, %d secrets, %d AI trailers, %d tags, %d extra refs\n",
		*out, st.Commits, st.Merges, st.Renames, st.Binaries, st.Large, st.Secrets, st.AITrailers, st.Tags, st.Refs)
	return nil
}

// hermeticEnv is the environment of every git command bench runs.
func hermeticEnv() []string { return benchrepo.GitEnv() }

// gitRun runs git in dir ("" = current directory).
func gitRun(dir string, args ...string) error {
	_, err := benchrepo.Git(dir, args...)
	return err
}

// gitOut runs git in dir and returns its output.
func gitOut(dir string, args ...string) (string, error) { return benchrepo.Git(dir, args...) }

// Usage is what one measured process cost.
type Usage struct {
	Wall   time.Duration
	CPU    time.Duration // user + system time of the process and its waited-for children
	MaxRSS int64         // KiB, from wait4's rusage (the process and its waited-for children)
	Exit   int
}

// measure runs cmd to completion and returns its wall time and peak RSS.
func measure(cmd *exec.Cmd) (Usage, error) {
	start := time.Now()
	err := cmd.Run()
	u := Usage{Wall: time.Since(start)}
	if cmd.ProcessState == nil {
		return u, fmt.Errorf("run %s: %w", cmd.Path, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.MaxRSS = ru.Maxrss
		u.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	u.Exit = cmd.ProcessState.ExitCode()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return u, fmt.Errorf("run %s: %w", cmd.Path, err)
	}
	return u, nil
}

// rssCmd runs a command with this process's stdin, stdout and stderr and
// reports "wall_ns maxrss_kib exit cpu_ns" on stderr, or appends it to a file
// (--append; used in a hook, where stderr goes to the pusher). It exits
// with the command's exit code.
func rssCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rss", flag.ContinueOnError)
	fs.SetOutput(stderr)
	appendTo := fs.String("append", "", "append the measurement to this file instead of printing it")
	if err := fs.Parse(args); err != nil || fs.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	u, err := measure(cmd)
	if err != nil {
		fmt.Fprintf(stderr, "pushguard-benchgen rss: %v\n", err)
		return 127
	}
	line := fmt.Sprintf("%d %d %d %d\n", u.Wall.Nanoseconds(), u.MaxRSS, u.Exit, u.CPU.Nanoseconds())
	if *appendTo == "" {
		fmt.Fprintf(stderr, "wall %s, CPU %s, peak RSS %d KiB, exit %d\n", u.Wall, u.CPU, u.MaxRSS, u.Exit)
		return u.Exit
	}
	f, err := os.OpenFile(*appendTo, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.WriteString(line)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "pushguard-benchgen rss: %v\n", err)
	}
	return u.Exit
}

// absPath makes p absolute (hooks run in the repository directory).
func absPath(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("absolute path of %s: %w", p, err)
	}
	return a, nil
}
